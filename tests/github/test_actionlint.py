"""actionlint (with shellcheck for `run:` scripts) accepts every workflow in .github/workflows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.github.workflows import workflow_files

UNDER_CI = bool(os.environ.get("CI"))


def _tool(name: str) -> str | None:
    """Return the tool on PATH, else the one installed next to this interpreter's scripts."""
    beside = Path(sysconfig.get_path("scripts")) / name
    return shutil.which(name) or (str(beside) if beside.is_file() else None)


def _require(name: str, how: str) -> str:
    found = _tool(name)
    if found is None:
        message = f"{name} is not installed ({how})"
        if UNDER_CI:
            pytest.fail(message + "; CI must run this check")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def actionlint() -> str:
    return _require("actionlint", "the [test] extra installs it")


def _lint(actionlint: str, *files: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [actionlint, "-no-color", "-oneline", *map(str, files)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_workflow_passes_actionlint(actionlint: str) -> None:
    files = workflow_files()
    assert {f.name for f in files} >= {"ci.yml", "pages.yml", "pull-request.yml"}
    result = _lint(actionlint, *files, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _write_workflow(directory: Path, step: str) -> Path:
    workflow = directory / ".github" / "workflows" / "broken.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\npermissions:\n  contents: read\njobs:\n  job:\n    runs-on: ubuntu-latest\n"
        f"    steps:\n      - {step}\n",
        encoding="utf-8",
    )
    return workflow


def test_actionlint_rejects_a_broken_workflow(actionlint: str, tmp_path: Path) -> None:
    # Guards the test above against a linter that accepts anything (or checks nothing).
    workflow = _write_workflow(tmp_path, "uses: actions/checkout@v7\n        whith: {depth: 1}")
    result = _lint(actionlint, workflow, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'unexpected key "whith"' in result.stdout


def test_actionlint_runs_shellcheck_on_run_scripts(actionlint: str, tmp_path: Path) -> None:
    _require("shellcheck", "apt-get install shellcheck")
    workflow = _write_workflow(tmp_path, "run: papershelf diff --base origin/$BASE_REF")
    result = _lint(actionlint, workflow, cwd=tmp_path)
    assert "SC2086" in result.stdout, result.stdout + result.stderr
