"""Fixtures for the reader-facing features (search, charts, citations, sharing, progress).

The shipped content is built by the real `papershelf build` command (Pagefind included) and
served under a sub-path; the browser and the build/serve helpers are the validation suite's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from papershelf.build import BuildOptions, build_site
from papershelf.content import load_papers
from papershelf.model import Paper
from tests.validation.served import (
    SUB_PATH,
    BuildFailedError,
    ServedSite,
    free_port,
    http_server,
)
from tests.validation.served import build_site as build_with_cli

if TYPE_CHECKING:
    pass

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_CONTENT = REPO_ROOT / "content"
TEMPLATES = REPO_ROOT / "templates"
FIXTURE_CONTENT = REPO_ROOT / "tests" / "site" / "fixtures" / "content"
HOSTILE_CONTENT = REPO_ROOT / "tests" / "site" / "fixtures" / "hostile"
# The fixture content's site.yaml publishes here.
FIXTURE_BASE = "https://example.org/reading-list/"


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The shipped content and templates, built by `papershelf build`, served under a sub-path."""
    root = tmp_path_factory.mktemp("features")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
    out_dir = root / SUB_PATH.strip("/")
    try:
        build_with_cli(SHIPPED_CONTENT, TEMPLATES, out_dir, base_url)
    except BuildFailedError as exc:
        pytest.fail(str(exc), pytrace=False)
    with http_server(root, port):
        yield ServedSite(out_dir=out_dir, base_url=base_url)


@pytest.fixture(scope="session")
def served_in_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The shipped content with its search index in parts of 8 papers, served like `served`."""
    root = tmp_path_factory.mktemp("features-in-parts")
    content = Path(shutil.copytree(SHIPPED_CONTENT, root / "content"))
    settings = content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "search_part_papers: 8\n")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
    out_dir = root / "www" / SUB_PATH.strip("/")
    try:
        build_with_cli(content, TEMPLATES, out_dir, base_url)
    except BuildFailedError as exc:
        pytest.fail(str(exc), pytrace=False)
    with http_server(root / "www", port):
        yield ServedSite(out_dir=out_dir, base_url=base_url)


@pytest.fixture(scope="session")
def shipped_papers() -> dict[str, Paper]:
    papers, problems = load_papers(SHIPPED_CONTENT)
    assert not problems
    return {paper.slug: paper for paper in papers}


@pytest.fixture(scope="session")
def fixture_papers() -> dict[str, Paper]:
    papers, problems = load_papers(FIXTURE_CONTENT)
    assert not problems
    return {paper.slug: paper for paper in papers}


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content (authors' names, arXiv ids) built once; tests only read it."""
    out = tmp_path_factory.mktemp("fixture-build") / "site"
    build_site(BuildOptions(FIXTURE_CONTENT, TEMPLATES, out))
    return out


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile fixture (markup and script in every field) built once."""
    out = tmp_path_factory.mktemp("hostile-build") / "site"
    build_site(BuildOptions(HOSTILE_CONTENT, TEMPLATES, out))
    return out


def copy_content(target: Path, source: Path = FIXTURE_CONTENT) -> Path:
    """Copy a content directory that a test may change."""
    return Path(shutil.copytree(source, target))
