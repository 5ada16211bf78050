"""`papershelf diff` on a real git history in a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.ingest.conftest import run_cli

PAPER = """title: {title}
published: 2024-01-02
theme: {theme}
abstract: An abstract.
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def write(repo: Path, slug: str, title: str, theme: str) -> None:
    path = repo / "content" / "papers" / f"{slug}.yaml"
    path.write_text(PAPER.format(title=title, theme=theme), encoding="utf-8")


def _files(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(directory).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


# Built: the papers at the base were built, so the build cache has them; the diff reads the
# working tree's from there (the edited ones as they are now) and leaves the cache as it was.
@pytest.mark.parametrize("built", [False, True], ids=["no-cache", "after-a-build"])
def test_diff_reports_added_removed_rethemed_and_edited_papers(
    workspace: Path, repo_root: Path, built: bool
):
    repo = workspace
    shutil.copy(repo_root / "content" / "site.yaml", repo / "content" / "site.yaml")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.org")
    git(repo, "config", "user.name", "Test")
    write(repo, "kept", "Kept Paper", "speech")
    write(repo, "moved", "Moved Paper", "speech")
    write(repo, "gone", "Gone Paper", "adaptation")
    write(repo, "still", "Still Here", "speech")  # unchanged: taken from the working tree
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    cache = repo / ".papershelf-cache"
    if built:
        # An hour old, as files the cache then knows by their size and times, not read again.
        an_hour_ago = time.time() - 3600
        for paper in (repo / "content" / "papers").iterdir():
            os.utime(paper, (an_hour_ago, an_hour_ago))
        shutil.copytree(repo_root / "templates", repo / "templates")
        assert run_cli("build", "--quiet", cwd=repo).returncode == 0
        assert (cache / "files.pickle").is_file()
    git(repo, "checkout", "-qb", "feature")
    write(repo, "kept", "Kept Paper, Fixed", "speech")
    write(repo, "moved", "Moved Paper", "adaptation")
    (repo / "content" / "papers" / "gone.yaml").unlink()
    write(repo, "fresh", "Fresh [Paper] *bold*", "vision-language")

    cached = _files(cache) if built else {}
    result = run_cli("diff", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (_files(cache) if built else {}) == cached
    site = "https://owner.github.io/reading-list"
    out = result.stdout
    assert out.startswith("### Reading list: 1 added, 1 removed, 1 rethemed, 1 edited\n")
    assert f"- **added** [Fresh \\[Paper\\] \\*bold\\*]({site}/papers/fresh/)" in out
    assert "- **removed** Gone Paper (`gone`)" in out
    assert f"- **re-themed** [Moved Paper]({site}/papers/moved/): from Speech" in out
    assert f"- **edited** [Kept Paper, Fixed]({site}/papers/kept/): title" in out
    # Grouped by theme in declaration order: speech, vision-language, ..., adaptation.
    assert out.index("#### Speech") < out.index("#### Vision") < out.index("#### Adaptation")
    assert "still" not in out

    git(repo, "add", ".")
    git(repo, "commit", "-qm", "change")
    same = run_cli("diff", "--base", "HEAD", cwd=repo)
    assert "No paper changes against `HEAD`." in same.stdout
    bad = run_cli("diff", "--base", "no-such-ref", cwd=repo)
    assert bad.returncode == 1
