"""Fixtures shared by every test area. Area-specific fixtures live in each area's conftest.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def shipped_content(tmp_path: Path) -> Path:
    """A private copy of the repository's content/ that a test may change freely."""
    target = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", target)
    return target


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run: Playwright's sync API allows one instance
    per thread, so every test area shares this one."""
    from playwright.sync_api import sync_playwright

    from tests.validation.browsercheck import LAUNCH_ARGS
    from tests.validation.conftest import CHROMIUM, require_tool

    require_tool(CHROMIUM.is_file(), f"{CHROMIUM} is missing (Debian package: chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def paginated_site(tmp_path_factory: pytest.TempPathFactory):
    """The shipped content two papers a listing page (its largest theme and tag take six
    pages), built by `papershelf build` and served under a sub-path like the real site."""
    from tests.validation.served import (
        SUB_PATH,
        BuildFailedError,
        ServedSite,
        build_site,
        free_port,
        http_server,
    )

    root = tmp_path_factory.mktemp("paginated")
    content = Path(shutil.copytree(REPO_ROOT / "content", root / "content"))
    with (content / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("papers_per_page: 2\n")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
    served = root / "served"
    out_dir = served / SUB_PATH.strip("/")
    try:
        build_site(content, REPO_ROOT / "templates", out_dir, base_url)
    except BuildFailedError as exc:
        pytest.fail(str(exc), pytrace=False)
    with http_server(served, port):
        yield ServedSite(out_dir=out_dir, base_url=base_url)
