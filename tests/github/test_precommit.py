"""The pre-commit hooks run `papershelf fmt` and `papershelf check` on content changes, and work."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.github.conftest import contributing_example
from tests.github.docs import cli_error

CONFIG = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
HOOKS = {hook["id"]: hook for repo in CONFIG["repos"] for hook in repo["hooks"]}


def _hook(command: str) -> dict[str, Any]:
    [hook] = [h for h in HOOKS.values() if shlex.split(h["entry"])[:2] == ["papershelf", command]]
    return hook


def _selects(hook: dict[str, Any], path: str) -> bool:
    # pre-commit matches `files` with re.search against the path from the repository root.
    return bool(re.search(hook.get("files", ""), path)) and not re.search(
        hook.get("exclude", "^$"), path
    )


def _run_hook(hook: dict[str, Any], files: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a hook as pre-commit does: entry, then args, then the staged files it selects."""
    command = [*shlex.split(hook["entry"]), *hook.get("args", [])]
    if hook.get("pass_filenames", True):
        command += [f for f in files if _selects(hook, f)]
    # `papershelf` from the environment running the tests (language: system uses PATH).
    command = [sys.executable, "-m", "papershelf", *command[1:]]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_hooks_are_local_and_call_fmt_and_check() -> None:
    assert [repo["repo"] for repo in CONFIG["repos"]] == ["local"]
    for command in ("fmt", "check"):
        hook = _hook(command)
        assert hook["language"] in ("system", "python")
        arguments = shlex.split(hook["entry"])[1:] + hook.get("args", [])
        assert cli_error(arguments) is None


@pytest.mark.parametrize(
    ("path", "fmt", "check"),
    [
        ("content/papers/glot500.yaml", True, True),
        ("content/papers/glot500.yml", True, True),
        ("content/themes.yaml", False, True),
        ("content/site.yaml", False, True),
        ("src/papershelf/cli.py", False, False),
        ("tests/site/golden/feed.json", False, False),
        ("README.md", False, False),
    ],
)
def test_hooks_run_only_for_content(path: str, fmt: bool, check: bool) -> None:
    assert _selects(_hook("fmt"), path) is fmt
    assert _selects(_hook("check"), path) is check


def test_check_hook_checks_the_whole_content() -> None:
    # Duplicates and a changed themes.yaml involve files that were not staged.
    assert _hook("check").get("pass_filenames") is False


def test_fmt_hook_rewrites_a_staged_paper(workspace: Path) -> None:
    path, canonical = contributing_example()
    data = yaml.safe_load(canonical)
    (workspace / path).write_text(yaml.safe_dump(data, sort_keys=True), encoding="utf-8")
    result = _run_hook(_hook("fmt"), [path, "content/themes.yaml"], workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (workspace / path).read_text(encoding="utf-8") == canonical


def test_check_hook_fails_a_broken_paper(workspace: Path) -> None:
    path, canonical = contributing_example()
    (workspace / path).write_text(canonical, encoding="utf-8")
    passed = _run_hook(_hook("check"), [path], workspace)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    broken = canonical.replace("\ntheme:", "\ntheeme:")
    line = broken.splitlines().index(
        next(x for x in broken.splitlines() if x.startswith("theeme:"))
    )
    (workspace / path).write_text(broken, encoding="utf-8")
    failed = _run_hook(_hook("check"), [path], workspace)
    assert failed.returncode == 1
    assert f"{path}:{line + 1}:1: error: unknown key 'theeme'" in failed.stdout
