"""axe-core finds no violation on any kind of page, in the light and the dark colour scheme."""

from __future__ import annotations

import pytest

from tests.validation.conftest import REPO_ROOT, require_tool, running_in_ci
from tests.validation.problems import assert_no_problems
from tests.validation.served import LOCAL, ServedSite

if not running_in_ci():
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs it")

from playwright.sync_api import Page

from tests.validation.browsercheck import DESKTOP, discover_sample_pages, new_context, visit

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
SAMPLES = ("home", "theme", "tag", "paper", "search", "stats", "archive", "year")


def _fetch_html(url: str) -> str:
    with LOCAL.open(url, timeout=10) as response:
        return response.read().decode("utf-8")


@pytest.fixture(scope="module")
def sample_pages(served: ServedSite) -> dict[str, str]:
    found = discover_sample_pages(served, _fetch_html)
    # The search page is checked with results on it, as a reader sees it.
    found["search"] = served.base_url + "search/?q=speech"
    found["stats"] = served.base_url + "stats/"
    # The archive's index, and a year with a newer and an older one beside it.
    found["archive"] = served.base_url + "archive/"
    found["year"] = served.base_url + "archive/2023/"
    return found


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page; return one line per violation: rule, impact and elements."""
    require_tool(AXE.is_file(), f"{AXE} is missing (run `npm ci --ignore-scripts --prefix tests`)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_a_paginated_listing(
    browser, paginated_site: ServedSite, scheme: str
) -> None:
    # A middle page: previous and next links, the current page, gaps in the numbers.
    url = paginated_site.base_url + "themes/pretraining-data/page/2/"
    context, refused = new_context(browser, paginated_site, DESKTOP, color_scheme=scheme)
    try:
        opened = visit(context, refused, url)
        assert opened.page.locator('nav[aria-label="Pagination"] .gap').count() == 1
        violations = axe_violations(opened.page)
    finally:
        context.close()
    assert_no_problems(violations, f"axe violations on {url} ({scheme})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_axe_finds_no_violations(
    browser, served: ServedSite, sample_pages: dict[str, str], sample: str, scheme: str
) -> None:
    context, refused = new_context(browser, served, DESKTOP, color_scheme=scheme)
    try:
        opened = visit(context, refused, sample_pages[sample])
        if sample == "search":
            opened.page.locator("#search-results li").first.wait_for()
        violations = axe_violations(opened.page)
    finally:
        context.close()
    assert_no_problems(violations, f"axe violations on {sample_pages[sample]} ({scheme})")


def test_axe_reports_what_it_should(browser) -> None:
    # The check above is only worth something if axe runs and reports in this setup.
    page = browser.new_page()
    try:
        page.set_content(
            '<!DOCTYPE html><html lang="en"><title>t</title><main><img src="x.png">'
            '<input type="search" title="Search"><p style="color:#eee">faint</p></main></html>'
        )
        violations = axe_violations(page)
    finally:
        page.close()
    found = {line.split(" ", 1)[0] for line in violations}
    assert {"image-alt", "label-title-only", "color-contrast"} <= found
