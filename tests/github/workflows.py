"""Load the GitHub workflows and run a job's shell steps on this machine, as the runner would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO_ROOT

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
# The runner's default shell for `run:` steps on Linux.
RUNNER_SHELL = ("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c")


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS_DIR.glob("*.y*ml"))


def load_workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOWS_DIR / name).read_text(encoding="utf-8"))


def triggers(workflow: Mapping[str, Any]) -> dict[str, Any]:
    """Return the `on:` mapping; YAML 1.1 (PyYAML) reads the bare key `on` as True."""
    value = workflow.get("on", workflow.get(True))
    if isinstance(value, str):
        return {value: None}
    if isinstance(value, list):
        return dict.fromkeys(value)
    return dict(value or {})


def all_steps(workflow: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, step) for name, job in workflow["jobs"].items() for step in job["steps"]]


def step_using(job: Mapping[str, Any], action: str) -> dict[str, Any] | None:
    """Return the job's first step that uses `action` (`actions/checkout`, any version)."""
    for step in job["steps"]:
        if str(step.get("uses", "")).split("@")[0] == action:
            return step
    return None


def runs(job: Mapping[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def substitute(text: str, expressions: Mapping[str, str]) -> str:
    """Replace each `${{ expr }}` with its value; an expression without one fails the test."""

    def value(match: re.Match) -> str:
        expression = match.group(1).strip()
        assert expression in expressions, f"no value for ${{{{ {expression} }}}} in this test"
        return expressions[expression]

    return _EXPRESSION.sub(value, text)


@dataclass(frozen=True)
class StepRun:
    name: str
    returncode: int
    stdout: str
    stderr: str


def run_job(
    job: Mapping[str, Any], cwd: Path, expressions: Mapping[str, str], summary: Path
) -> list[StepRun]:
    """Run the job's `run:` steps in order under the runner's shell, stopping at a failure.

    Steps that install packages are skipped: the papershelf under test is installed already.
    Steps that use an action are skipped too; their outputs come from `expressions`.
    """
    env = {
        **os.environ,
        # The papershelf next to this interpreter, whichever environment runs the tests.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    results = []
    for step in job["steps"]:
        script = step.get("run")
        if script is None or script.lstrip().startswith("pip install"):
            continue
        step_env = {k: substitute(str(v), expressions) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            [*RUNNER_SHELL, substitute(script, expressions)],
            cwd=cwd,
            env={**env, **step_env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        name = step.get("name", script.splitlines()[0])
        results.append(StepRun(name, done.returncode, done.stdout, done.stderr))
        if done.returncode:
            break
    return results


def describe(results: list[StepRun]) -> str:
    return "\n".join(
        f"--- {r.name}: exit {r.returncode}\n{r.stdout}{r.stderr}".rstrip() for r in results
    )
