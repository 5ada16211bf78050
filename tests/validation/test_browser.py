"""Pages render cleanly in a real headless Chromium at phone and desktop widths, and links work."""

from __future__ import annotations

import re

import pytest

from .conftest import SCREENSHOTS, running_in_ci
from .problems import assert_no_problems
from .served import LOCAL, ServedSite

# In CI a missing playwright must fail collection, like any other missing tool.
if not running_in_ci():
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs it")

from playwright.sync_api import Page

from .browsercheck import (
    DESKTOP,
    PHONE,
    Viewport,
    background_colour,
    discover_sample_pages,
    layout_problems,
    new_context,
    screenshot_path,
    visible_links,
    visit,
)

pytestmark = pytest.mark.browser

SAMPLES = ("home", "theme", "tag", "paper")
# The narrowest width the README promises.
NARROW = Viewport("narrow", 320, 640, mobile=True)
# Pages of the paginated site: a first page, a middle page and a last page.
PAGINATED = ("themes/pretraining-data/", "themes/pretraining-data/page/3/", "tags/encoder/page/4/")


def _fetch_html(url: str) -> str:
    with LOCAL.open(url, timeout=10) as response:
        return response.read().decode("utf-8")


@pytest.fixture(scope="module")
def sample_pages(site: ServedSite) -> dict[str, str]:
    return discover_sample_pages(site, _fetch_html)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=lambda v: v.name)
@pytest.mark.parametrize("sample", SAMPLES)
def test_page_renders_cleanly(
    browser, site: ServedSite, sample_pages: dict[str, str], sample: str, viewport: Viewport
) -> None:
    if sample not in sample_pages:
        pytest.fail(f"no chain of links from the home page leads to a {sample} page", pytrace=False)
    context, refused = new_context(browser, site, viewport)
    try:
        opened = visit(context, refused, sample_pages[sample])
        problems = opened.problems + layout_problems(opened.page, viewport)
        opened.page.screenshot(path=screenshot_path(SCREENSHOTS, sample, viewport), full_page=True)
    finally:
        context.close()
    assert_no_problems(problems, f"problems on {sample_pages[sample]} at {viewport.name} width")


# Smallest size of a target WCAG 2.2 asks for (2.5.8), in CSS pixels.
MIN_TARGET = 24


@pytest.mark.parametrize("viewport", [NARROW, PHONE, DESKTOP], ids=lambda v: v.name)
def test_paginated_listings_render_cleanly(
    browser, paginated_site: ServedSite, viewport: Viewport
) -> None:
    context, refused = new_context(browser, paginated_site, viewport)
    problems = []
    try:
        for route in PAGINATED:
            opened = visit(context, refused, paginated_site.base_url + route)
            page = opened.page
            problems += [f"{route}: {p}" for p in opened.problems + layout_problems(page, viewport)]
            links = page.locator('nav[aria-label="Pagination"] a')
            if links.count() < 4:
                problems.append(f"{route}: the page navigation shows {links.count()} links")
            for index in range(links.count()):
                box = links.nth(index).bounding_box()
                if box is None or min(box["width"], box["height"]) < MIN_TARGET:
                    problems.append(f"{route}: page link {index} is {box} (< {MIN_TARGET}px)")
                elif box["x"] < 0 or box["x"] + box["width"] > viewport.width:
                    problems.append(f"{route}: page link {index} sticks out at {box}")
            name = "paginated-" + route.strip("/").replace("/", "-")
            page.screenshot(path=screenshot_path(SCREENSHOTS, name, viewport), full_page=True)
            page.close()
    finally:
        context.close()
    assert_no_problems(problems, f"problems on paginated listings at {viewport.name} width")


def test_visitor_pages_through_a_listing(browser, paginated_site: ServedSite) -> None:
    base = paginated_site.base_url
    context, refused = new_context(browser, paginated_site, PHONE)
    try:
        opened = visit(context, refused, base + "themes/pretraining-data/")
        page = opened.page
        pages = page.get_by_role("navigation", name="Pagination")
        assert pages.get_by_role("link", name="Previous page").count() == 0
        pages.get_by_role("link", name="Next page").click()
        page.wait_for_url(base + "themes/pretraining-data/page/2/")
        assert page.title().startswith("Pretraining and data, page 2 of 6 ·")
        current = pages.locator('[aria-current="page"]')
        assert " ".join(current.inner_text().split()) == "Page 2"
        pages.get_by_role("link", name="Page 6", exact=True).click()
        page.wait_for_url(base + "themes/pretraining-data/page/6/")
        assert pages.get_by_role("link", name="Next page").count() == 0
        pages.get_by_role("link", name="Previous page").click()
        page.wait_for_url(base + "themes/pretraining-data/page/5/")
        problems = opened.problems + [f"request to another host: {url}" for url in refused]
    finally:
        context.close()
    assert_no_problems(problems, "problems while paging through a listing")


def test_visitor_walks_the_archive_by_year_on_a_narrow_phone(browser, site: ServedSite) -> None:
    # The index of years, then a middle year's page: back and forth between years, and back to
    # the index, at the narrowest width the README promises.
    base = site.base_url
    context, refused = new_context(browser, site, NARROW)
    problems: list[str] = []
    try:
        opened = visit(context, refused, base + "archive/")
        page = opened.page
        problems += [f"archive/: {p}" for p in layout_problems(page, NARROW)]
        page.get_by_role("main").get_by_role("link", name="2023", exact=True).click()
        page.wait_for_url(base + "archive/2023/")
        assert page.title().startswith("Papers published in 2023 ·")
        problems += [f"archive/2023/: {p}" for p in layout_problems(page, NARROW)]
        years = page.get_by_role("navigation", name="Years")
        for name in ("Newer year: 2024", "Older year: 2022"):
            box = years.get_by_role("link", name=name).bounding_box()
            if box is None or min(box["width"], box["height"]) < MIN_TARGET:
                problems.append(f"archive/2023/: link {name!r} is {box} (< {MIN_TARGET}px)")
            elif box["x"] < 0 or box["x"] + box["width"] > NARROW.width:
                problems.append(f"archive/2023/: link {name!r} sticks out at {box}")
        page.screenshot(path=screenshot_path(SCREENSHOTS, "archive-2023", NARROW), full_page=True)
        years.get_by_role("link", name="Older year: 2022").click()
        page.wait_for_url(base + "archive/2022/")
        years.get_by_role("link", name="Newer year: 2023").click()
        page.wait_for_url(base + "archive/2023/")
        page.get_by_role("main").get_by_role("link", name="Archive", exact=True).click()
        page.wait_for_url(base + "archive/")
        problems += opened.problems + [f"request to another host: {url}" for url in refused]
    finally:
        context.close()
    assert_no_problems(problems, "problems while walking the archive by year")


def _follow_link(
    page: Page, pattern: str, site: ServedSite, leads_to: str | None = None
) -> tuple[str, str]:
    """Click the first visible link whose URL matches pattern (and whose page links to a URL
    matching leads_to); return its URL and text."""
    for index, href, text in visible_links(page):
        if not (
            href.startswith(site.base_url) and re.fullmatch(pattern, href[len(site.base_url) :])
        ):
            continue
        if leads_to is not None and not re.search(
            f'href="{re.escape(site.base_path)}{leads_to}"', _fetch_html(href)
        ):
            continue
        page.locator("a[href]").nth(index).click()
        page.wait_for_url(href)
        return href, " ".join(text.split())
    pytest.fail(f"{page.url} shows no link matching {pattern}", pytrace=False)


def _heading(page: Page) -> str:
    heading = page.locator("h1").first
    assert heading.is_visible(), f"{page.url} shows no <h1>"
    text = " ".join(heading.inner_text().split())
    assert text, f"{page.url} has an empty <h1>"
    return text


def test_visitor_navigates_by_links_and_back(browser, site: ServedSite) -> None:
    context, refused = new_context(browser, site, DESKTOP)
    try:
        opened = visit(context, refused, site.base_url)
        refused.clear()  # visit() has reported these; the clicks below may refuse more
        page = opened.page
        home_heading = _heading(page)

        # An empty theme has no paper to go on to.
        theme_url, _ = _follow_link(page, r"themes/[^/]+/", site, leads_to=r"papers/[^/]+/")
        assert page.url == theme_url
        theme_heading = _heading(page)
        assert theme_heading != home_heading

        paper_url, card_title = _follow_link(page, r"papers/[^/]+/", site)
        assert page.url == paper_url
        paper_heading = _heading(page)
        assert card_title.casefold() in paper_heading.casefold() or (
            paper_heading.casefold() in card_title.casefold()
        ), f"the card link {card_title!r} opened a page titled {paper_heading!r}"

        tag_url, _ = _follow_link(page, r"tags/[^/]+/", site)
        assert page.url == tag_url
        _heading(page)

        page.go_back()
        assert (page.url, _heading(page)) == (paper_url, paper_heading)
        page.go_back()
        assert (page.url, _heading(page)) == (theme_url, theme_heading)
        page.go_forward()
        assert page.url == paper_url
        # Pages opened by clicking refuse foreign requests into the same list.
        problems = opened.problems + [f"request to another host: {url}" for url in refused]
    finally:
        context.close()
    assert_no_problems(problems, "problems while navigating")


def test_dark_color_scheme_changes_the_background(browser, site: ServedSite) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context, refused = new_context(browser, site, DESKTOP, color_scheme=scheme)
        try:
            opened = visit(context, refused, site.base_url)
            colours[scheme] = background_colour(opened.page)
            opened.page.screenshot(path=screenshot_path(SCREENSHOTS, "home", DESKTOP, scheme))
        finally:
            context.close()
    assert colours["light"] != colours["dark"], f"both schemes show {colours['light']}"


def test_browser_checks_report_each_defect_of_the_broken_fixture(
    browser, broken_site: ServedSite
) -> None:
    base = broken_site.base_url
    context, refused = new_context(browser, broken_site, PHONE)
    try:
        home = visit(context, refused, base)
        # Chromium fetches the icon after "load", or not at all: the crawler checks it instead.
        home_problems = [p for p in home.problems if "favicon" not in p]
        paper = visit(context, refused, base + "papers/ok/")
        paper_problems = paper.problems + layout_problems(paper.page, PHONE)
    finally:
        context.close()
    assert sorted(home_problems) == sorted(
        [
            "request to another host: https://cdn.example.com/theme.css",
            "request to another host: https://images.example.com/logo.png",
        ]
    )
    assert sorted(paper_problems) == sorted(
        [
            f"{base}assets/missing.png answered 404",
            "console error: Failed to load resource: the server responded with a status of 404 "
            f"(File not found) ({base}assets/missing.png)",
            f"console error: broken on purpose ({base}papers/ok/)",
            "request to another host: https://images.example.com/figure.png",
            "scrolls sideways at 390px: the page is 2008px wide",
        ]
    )
