"""CONTRIBUTING.md shows a paper file that papershelf accepts as it is, made by `papershelf new`."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import REPO_ROOT
from tests.github.conftest import CONTRIBUTING, contributing_example
from tests.github.docs import cli_error, code_blocks, invocations, link_targets

TEXT = CONTRIBUTING.read_text(encoding="utf-8")


def _papershelf(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "papershelf", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_example_passes_check_without_a_warning(workspace: Path) -> None:
    path, text = contributing_example()
    (workspace / path).write_text(text, encoding="utf-8")
    result = _papershelf("check", cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "no problems found", result.stdout


def test_example_is_in_canonical_form(workspace: Path) -> None:
    path, text = contributing_example()
    (workspace / path).write_text(text, encoding="utf-8")
    result = _papershelf("fmt", "--check", path, cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_has_every_key_a_contributor_fills_in() -> None:
    _, text = contributing_example()
    keys = set(yaml.safe_load(text))
    assert keys >= {"title", "published", "added", "arxiv", "theme", "tags", "authors", "links"}
    assert keys >= {"abstract", "notes"}


def test_the_new_command_shown_starts_the_example(workspace: Path) -> None:
    path, text = contributing_example()
    [new] = [call for b in code_blocks(TEXT) for call in invocations(b.text) if call[0] == "new"]
    result = _papershelf(*new, cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == path
    started = yaml.safe_load((workspace / path).read_text(encoding="utf-8"))
    example = yaml.safe_load(text)
    for key in ("title", "published", "arxiv"):
        assert started[key] == example[key], key


def test_commands_shown_are_accepted_by_the_cli() -> None:
    calls = [call for block in code_blocks(TEXT) for call in invocations(block.text)]
    assert {call[0] for call in calls} >= {"new", "fmt", "check", "serve"}
    assert {shlex.join(call): cli_error(call) for call in calls if cli_error(call)} == {}


def test_relative_links_point_into_the_repository() -> None:
    relative = [
        target.split("#")[0]
        for target in link_targets(TEXT)
        if "://" not in target and not target.startswith(("#", "mailto:"))
    ]
    assert relative
    missing = [t for t in relative if not (CONTRIBUTING.parent / t).resolve().exists()]
    assert missing == []
    assert all((CONTRIBUTING.parent / t).resolve().is_relative_to(REPO_ROOT) for t in relative)
