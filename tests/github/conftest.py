"""Fixtures for the GitHub files' tests: a content workspace and a git repository like a PR's."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.github.docs import code_blocks

CONTRIBUTING = REPO_ROOT / ".github" / "CONTRIBUTING.md"
_PAPER_PATH = re.compile(r"content/papers/[a-z0-9-]+\.yaml")


def contributing_example() -> tuple[str, str]:
    """Return the example paper of CONTRIBUTING.md: its path and its text.

    The example is the first YAML block; its path is the last paper path named before it.
    """
    text = CONTRIBUTING.read_text(encoding="utf-8")
    block = next(b for b in code_blocks(text) if b.info == "yaml")
    paths = _PAPER_PATH.findall(block.before)
    assert paths, "CONTRIBUTING.md must name the example's file before showing it"
    return paths[-1], block.text


def make_workspace(root: Path, *, papers: bool) -> Path:
    """Lay out what papershelf reads in `root`: content/ (with or without the papers) and
    templates/, as in a clone of the repository."""
    content = root / "content"
    (content / "papers").mkdir(parents=True)
    for name in ("site.yaml", "themes.yaml"):
        shutil.copy2(REPO_ROOT / "content" / name, content / name)
    if papers:
        for paper in sorted((REPO_ROOT / "content" / "papers").iterdir()):
            shutil.copy2(paper, content / "papers" / paper.name)
    shutil.copytree(REPO_ROOT / "templates", root / "templates")
    return root


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with the shipped content, templates and no papers."""
    return make_workspace(tmp_path / "repo", papers=False)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def pull_request_checkout(tmp_path: Path) -> Path:
    """A repository whose `origin/main` has the shipped papers, checked out as a pull request
    that adds the CONTRIBUTING example (the state actions/checkout leaves with fetch-depth 0)."""
    repo = make_workspace(tmp_path / "repo", papers=True)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message=base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(repo, "switch", "--quiet", "--create", "add-paper")
    path, text = contributing_example()
    (repo / path).write_text(text, encoding="utf-8")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message=add a paper")
    return repo
