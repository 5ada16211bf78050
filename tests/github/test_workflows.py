"""What a reviewer checks in the workflows: triggers, least privilege, and the commands they run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from papershelf.cache import cache_dir_for
from tests.conftest import REPO_ROOT
from tests.github.docs import block_after_paragraph, cli_error, invocations
from tests.github.workflows import (
    all_steps,
    load_workflow,
    runs,
    step_using,
    triggers,
    workflow_files,
)

WORKFLOWS = {path.name: load_workflow(path.name) for path in workflow_files()}
PAGES = WORKFLOWS["pages.yml"]
PULL_REQUEST = WORKFLOWS["pull-request.yml"]
CI = WORKFLOWS["ci.yml"]
# owner/name@vN: a moving major-version tag that receives fixes, as GitHub's own actions advise.
MAJOR_VERSION = re.compile(r"^[\w.-]+/[\w.-]+@v\d+$")


def _job_running(workflow: dict[str, Any], text: str) -> dict[str, Any]:
    jobs = [job for job in workflow["jobs"].values() if any(text in run for run in runs(job))]
    assert len(jobs) == 1, f"expected one job that runs {text!r}, found {len(jobs)}"
    return jobs[0]


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_workflow_token_is_read_only_by_default(name: str) -> None:
    assert WORKFLOWS[name]["permissions"] == {"contents": "read"}


def test_only_the_pages_deploy_job_gets_more_permissions() -> None:
    granted = {
        (name, job_id): job["permissions"]
        for name, workflow in WORKFLOWS.items()
        for job_id, job in workflow["jobs"].items()
        if "permissions" in job
    }
    assert granted == {("pages.yml", "deploy"): {"pages": "write", "id-token": "write"}}


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_actions_are_pinned_to_a_major_version(name: str) -> None:
    used = [step["uses"] for _, step in all_steps(WORKFLOWS[name]) if "uses" in step]
    assert used
    assert [uses for uses in used if not MAJOR_VERSION.match(uses)] == []


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_python_is_3_11_with_a_pip_cache(name: str) -> None:
    setups = [
        step for _, step in all_steps(WORKFLOWS[name]) if "setup-python" in step.get("uses", "")
    ]
    assert setups
    for setup in setups:
        assert setup["with"]["python-version"] == "3.11"
        assert setup["with"]["cache"] == "pip"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_job_has_a_timeout(name: str) -> None:
    jobs = WORKFLOWS[name]["jobs"]
    assert {job_id for job_id, job in jobs.items() if "timeout-minutes" not in job} == set()


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_papershelf_calls_are_accepted_by_the_cli(name: str) -> None:
    calls = [
        call for _, step in all_steps(WORKFLOWS[name]) for call in invocations(step.get("run", ""))
    ]
    assert {" ".join(call): cli_error(call) for call in calls if cli_error(call)} == {}


def test_pages_deploys_pushes_to_main_and_manual_runs() -> None:
    on = triggers(PAGES)
    assert set(on) == {"push", "workflow_dispatch"}
    assert on["push"] == {"branches": ["main"]}
    assert PAGES["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_pages_checks_then_builds_for_the_pages_url() -> None:
    build = PAGES["jobs"]["build"]
    configure = step_using(build, "actions/configure-pages")
    assert configure is not None
    pages_id = configure["id"]
    scripts = runs(build)
    check = next(i for i, run in enumerate(scripts) if "papershelf check" in run)
    built = next(i for i, run in enumerate(scripts) if "papershelf build" in run)
    assert check < built
    assert "--format github" in scripts[check]
    assert f'--base-url "${{{{ steps.{pages_id}.outputs.base_url }}}}/"' in scripts[built], scripts[
        built
    ]
    upload = step_using(build, "actions/upload-pages-artifact")
    assert upload is not None
    assert upload["with"]["path"] == "site"
    # The site has a hidden file (.nojekyll); the action leaves those out unless told.
    assert upload["with"]["include-hidden-files"] is True


@pytest.mark.parametrize(
    ("workflow", "job"), [("pages.yml", "build"), ("pull-request.yml", "preview")]
)
def test_builds_restore_the_build_cache_first(workflow: str, job: str) -> None:
    """A build in CI starts from the last run's cache, which is where `papershelf build` keeps
    it: beside the output directory."""
    steps = WORKFLOWS[workflow]["jobs"][job]["steps"]
    cached = next(i for i, step in enumerate(steps) if "actions/cache" in step.get("uses", ""))
    built = next(i for i, step in enumerate(steps) if "papershelf build" in step.get("run", ""))
    assert cached < built
    build = next(call for call in invocations(steps[built]["run"]) if call[0] == "build")
    out = build[build.index("--out") + 1] if "--out" in build else "site"
    where = cache_dir_for(REPO_ROOT / out).relative_to(REPO_ROOT)
    assert Path(steps[cached]["with"]["path"]) == where
    # A new key each run saves a fresh cache; the prefix restores the newest one.
    key, restore = steps[cached]["with"]["key"], steps[cached]["with"]["restore-keys"]
    assert "github.run_id" in key and key.startswith(restore)


@pytest.mark.parametrize(
    ("workflow", "job"), [("pages.yml", "build"), ("pull-request.yml", "preview")]
)
def test_the_check_reads_what_the_last_build_left(workflow: str, job: str) -> None:
    """The check runs once the cache is restored, and names the output directory and URL of
    the job's build: the pages that build made from the same inputs need no rendering again."""
    steps = WORKFLOWS[workflow]["jobs"][job]["steps"]
    cached = next(i for i, step in enumerate(steps) if "actions/cache" in step.get("uses", ""))
    checked = next(i for i, step in enumerate(steps) if "papershelf check" in step.get("run", ""))
    assert cached < checked
    calls = [call for step in steps for call in invocations(step.get("run", ""))]
    check = next(call for call in calls if call[0] == "check")
    build = next(call for call in calls if call[0] == "build")

    def option(call: list[str], name: str) -> str | None:
        return call[call.index(name) + 1] if name in call else None

    for name in ("--out", "--base-url"):
        assert option(check, name) == option(build, name), name


def test_pages_deploy_job_publishes_the_build() -> None:
    deploy = PAGES["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    step = step_using(deploy, "actions/deploy-pages")
    assert step is not None
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": f"${{{{ steps.{step['id']}.outputs.page_url }}}}",
    }


def test_pull_request_job_annotates_summarises_and_previews() -> None:
    assert set(triggers(PULL_REQUEST)) == {"pull_request"}
    job = _job_running(PULL_REQUEST, "papershelf check --format github")
    checkout = step_using(job, "actions/checkout")
    assert checkout is not None
    # `papershelf diff` reads the base branch from git history.
    assert checkout["with"]["fetch-depth"] == 0
    [summary] = [step for step in job["steps"] if "papershelf diff" in step.get("run", "")]
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    base = next(call for call in invocations(summary["run"]) if call[0] == "diff")
    assert base[1] == "--base"
    # The base ref may come straight from the context or through an environment variable.
    assert "github.base_ref" in base[2] or any(
        f"${{{name}}}" in base[2] or f"${name}" in base[2]
        for name, value in summary.get("env", {}).items()
        if value == "${{ github.base_ref }}"
    ), base[2]
    build = next(call for run in runs(job) for call in invocations(run) if call[0] == "build")
    out = build[build.index("--out") + 1] if "--out" in build else "site"
    upload = step_using(job, "actions/upload-artifact")
    assert upload is not None
    assert upload["with"]["path"] == out
    assert upload["with"]["include-hidden-files"] is True


def test_ci_runs_lint_and_the_readme_test_command() -> None:
    assert {"push", "pull_request"} <= set(triggers(CI))
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = block_after_paragraph(readme, "**Set up and run the tests**")
    assert block is not None, "README lost its 'Set up and run the tests' command"
    command = block.text.strip()
    assert command
    scripts = [run.strip() for job in CI["jobs"].values() for run in runs(job)]
    assert command in scripts
    for lint in ("ruff check .", "ruff format --check .", "actionlint"):
        assert any(run.startswith(lint) for run in scripts), lint
