"""The workflows' shell steps, run here as the runner would run them, do what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.github.conftest import contributing_example, make_workspace
from tests.github.workflows import describe, load_workflow, run_job

PREVIEW_URL = "https://github.com/owner/reading-list/actions/runs/1/artifacts/2"


def _reorder(paper: Path) -> None:
    """Rewrite a paper with its keys sorted: the same values, not in canonical form."""
    data = yaml.safe_load(paper.read_text(encoding="utf-8"))
    paper.write_text(yaml.safe_dump(data, sort_keys=True, allow_unicode=True), encoding="utf-8")


def test_pull_request_job(pull_request_checkout: Path, tmp_path: Path) -> None:
    repo = pull_request_checkout
    added_path, _ = contributing_example()
    reordered = repo / added_path
    _reorder(reordered)
    summary = tmp_path / "summary.md"
    job = load_workflow("pull-request.yml")["jobs"]["preview"]
    expressions = {
        "github.base_ref": "main",
        "steps.preview.outputs.artifact-url": PREVIEW_URL,
    }
    results = run_job(job, repo, expressions, summary)
    assert results and all(r.returncode == 0 for r in results), describe(results)
    output = "".join(r.stdout for r in results)
    assert f"::warning file={added_path}::not in the canonical form" in output
    text = summary.read_text(encoding="utf-8")
    assert "1 added" in text
    assert "**added** [Glot500" in text, text
    assert f"[site-preview]({PREVIEW_URL})" in text
    # Built for the root of a local server: links start at "/".
    home = (repo / "site-preview" / "index.html").read_text(encoding="utf-8")
    assert 'href="/papers/glot500-' in home


def test_pull_request_job_fails_on_a_broken_paper(
    pull_request_checkout: Path, tmp_path: Path
) -> None:
    repo = pull_request_checkout
    added_path, text = contributing_example()
    (repo / added_path).write_text(text.replace("published:", "publshed:"), encoding="utf-8")
    job = load_workflow("pull-request.yml")["jobs"]["preview"]
    results = run_job(job, repo, {"github.base_ref": "main"}, tmp_path / "summary.md")
    assert results[-1].returncode == 1, describe(results)
    assert re.search(rf"^::error file={added_path},line=\d+", results[-1].stdout, re.MULTILINE)
    assert not (repo / "site-preview").exists()


def test_pages_build_job_uses_the_pages_url(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path / "repo", papers=True)
    job = load_workflow("pages.yml")["jobs"]["build"]
    # configure-pages gives the URL without a trailing slash.
    expressions = {"steps.pages.outputs.base_url": "https://example.github.io/papers-list"}
    results = run_job(job, repo, expressions, tmp_path / "summary.md")
    assert results and all(r.returncode == 0 for r in results), describe(results)
    home = (repo / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="/papers-list/assets/style.css"' in home
    sitemap = (repo / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.github.io/papers-list/</loc>" in sitemap
