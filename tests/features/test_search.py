"""Search in a real headless Chromium, on the shipped content served under a sub-path."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from papershelf.model import Paper
from papershelf.search import index_parts, part_directories
from tests.validation.conftest import running_in_ci
from tests.validation.problems import assert_no_problems
from tests.validation.served import ServedSite

if not running_in_ci():
    pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs it")

from playwright.sync_api import Page

from tests.validation.browsercheck import DESKTOP, PHONE, new_context, visit

pytestmark = pytest.mark.browser


def _results(page: Page) -> list[str]:
    """Wait for the search to report, then return the result links in order."""
    page.locator("#search-status").filter(has_text="match").wait_for()
    return page.locator("#search-results h2 a").evaluate_all("links => links.map(a => a.href)")


def _type_query(page: Page, text: str) -> None:
    """Type as a reader does: once the form shows, which is when Pagefind has loaded.

    press_sequentially, unlike fill, does not wait for the box to be visible: keys typed into
    the hidden form would go nowhere, and the search would never report.
    """
    box = page.get_by_label("Words in a paper’s title, abstract, tags or organisation")
    box.wait_for(state="visible")
    box.press_sequentially(text, delay=15)


def _paper_url(site: ServedSite, paper: Paper) -> str:
    return f"{site.base_url}papers/{paper.slug}/"


def test_typing_a_query_finds_the_paper_and_a_theme_filter_narrows_it(
    browser, served: ServedSite, shipped_papers: dict[str, Paper]
) -> None:
    context, refused = new_context(browser, served, DESKTOP)
    try:
        opened = visit(context, refused, served.base_url + "search/")
        page = opened.page
        _type_query(page, "whistle")
        found = _results(page)
        expected = [p for p in shipped_papers.values() if "whistle" in p.title.casefold()]
        assert len(expected) == 1
        assert found[0] == _paper_url(served, expected[0])

        # "speech" also matches papers outside the Speech theme ("part-of-speech tagging").
        page.get_by_label("Words in a paper’s title").fill("")
        _type_query(page, "speech")
        page.wait_for_function(
            "() => document.querySelector('#search-status').textContent.includes('speech')"
        )
        unfiltered = _results(page)
        themes = {_paper_url(served, p): p.theme for p in shipped_papers.values()}
        assert {themes[url] for url in unfiltered} >= {"speech", "pretraining-data"}

        page.get_by_label("Theme").select_option("pretraining-data")
        page.locator("#search-status").filter(has_text="in Pretraining and data").wait_for()
        narrowed = _results(page)
        assert narrowed == [url for url in unfiltered if themes[url] == "pretraining-data"]
        assert 0 < len(narrowed) < len(unfiltered)
        assert page.url == served.base_url + "search/?q=speech&theme=pretraining-data"

        # The address keeps the search: reloading shows the same results.
        page.reload()
        assert _results(page) == narrowed
        assert page.get_by_label("Theme").input_value() == "pretraining-data"

        page.locator("#search-results h2 a").first.click()
        page.wait_for_url(narrowed[0])
        problems = opened.problems + [f"request to another host: {url}" for url in refused]
    finally:
        context.close()
    assert_no_problems(problems, "problems while searching")


def test_a_theme_alone_lists_its_papers_newest_first(
    browser, served: ServedSite, shipped_papers: dict[str, Paper]
) -> None:
    context, refused = new_context(browser, served, PHONE)
    try:
        opened = visit(context, refused, served.base_url + "search/?theme=speech")
        found = _results(opened.page)
        problems = opened.problems
    finally:
        context.close()
    speech = sorted(
        (p for p in shipped_papers.values() if p.theme == "speech"),
        key=lambda p: p.published,
        reverse=True,
    )
    assert found == [_paper_url(served, p) for p in speech]
    assert_no_problems(problems, "problems while listing a theme")


def test_the_header_search_box_leads_to_the_results(
    browser, served: ServedSite, shipped_papers: dict[str, Paper]
) -> None:
    context, refused = new_context(browser, served, DESKTOP)
    try:
        opened = visit(context, refused, served.base_url)
        page = opened.page
        box = page.get_by_role("search").get_by_label("Search the papers")
        box.fill("whistle")
        box.press("Enter")
        page.wait_for_url(served.base_url + "search/?q=whistle")
        found = _results(page)
        problems = opened.problems
    finally:
        context.close()
    whistle = next(p for p in shipped_papers.values() if "whistle" in p.title.casefold())
    assert found == [_paper_url(served, whistle)]
    assert_no_problems(problems, "problems while searching from the header")


def test_without_javascript_the_search_page_offers_themes_and_tags(
    browser, served: ServedSite
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.base_url + "search/?q=speech")
        # A form that cannot work stays hidden; the links to browse by are there.
        assert not page.locator("#search-form").is_visible()
        browse = page.locator("section", has=page.locator("#browse")).locator("a")
        assert browse.first.is_visible()
        hrefs = browse.evaluate_all("links => links.map(a => a.href)")
    finally:
        context.close()
    assert served.base_url + "themes/speech/" in hrefs
    assert served.base_url + "tags/" in hrefs
    # Chromium with scripts turned off by the driver still parses <noscript> as if they ran, so
    # the message is checked in the HTML.
    soup = BeautifulSoup((served.out_dir / "search/index.html").read_text(), "html.parser")
    assert "Search needs JavaScript" in soup.find("noscript").get_text()


def test_the_search_bundle_is_served_from_the_site_under_its_base_path(
    served: ServedSite,
) -> None:
    html = (served.out_dir / "search/index.html").read_text()
    bundle = f'data-pagefind="{served.base_path}pagefind/pagefind.js"'
    assert bundle in html
    assert (served.out_dir / "pagefind/pagefind.js").is_file()
    assert (served.out_dir / "pagefind/pagefind-entry.json").is_file()
    # Pagefind's ready-made interfaces are not used, so they are not published.
    assert not list(served.out_dir.glob("pagefind/pagefind-ui*"))


def test_long_result_lists_come_ten_at_a_time(browser, served: ServedSite) -> None:
    context, refused = new_context(browser, served, DESKTOP)
    try:
        opened = visit(context, refused, served.base_url + "search/?q=multilingual")
        page = opened.page
        first = _results(page)
        status = page.locator("#search-status").inner_text()
        total = int(status.split()[0])
        more = page.get_by_role("button", name="Show more results")
        assert len(first) == 10 < total and more.is_visible()
        while more.is_visible():
            more.click()
            page.wait_for_function(
                "n => document.querySelectorAll('#search-results li').length > n", arg=len(first)
            )
            first = page.locator("#search-results h2 a").evaluate_all("a => a.map(x => x.href)")
        problems = opened.problems
    finally:
        context.close()
    assert len(first) == len(set(first)) == total
    assert_no_problems(problems, "problems while showing more results")


def test_an_index_in_parts_finds_papers_in_every_part(
    browser, served_in_parts: ServedSite, shipped_papers: dict[str, Paper]
) -> None:
    """A long list's index comes in parts (here of 8 papers); a search looks in all of them,
    and a theme alone, which the parts cannot list in one order, links to the theme's page."""
    site = served_in_parts
    parts = [p for p in (site.out_dir / "pagefind").iterdir() if p.is_dir()]
    assert len(parts) > 2
    context, refused = new_context(browser, site, DESKTOP)
    try:
        opened = visit(context, refused, site.base_url + "search/?q=multilingual")
        page = opened.page
        found = _results(page)
        total = int(page.locator("#search-status").inner_text().split()[0])

        page.goto(site.base_url + "search/?theme=speech")
        page.locator("#search-status").filter(has_text="match").wait_for()
        listed = page.locator("#search-results a").evaluate_all("a => a.map(x => x.href)")
        status = page.locator("#search-status").inner_text()
        problems = opened.problems + [f"request to another host: {url}" for url in refused]
    finally:
        context.close()
    expected = {
        _paper_url(site, p)
        for p in shipped_papers.values()
        if "multilingual" in f"{p.title} {p.abstract}".casefold()
    }
    assert total == len(expected) and set(found) <= expected
    # The first page of results already draws on several parts of the index.
    count = index_parts(len(shipped_papers), 8)
    slugs = [url.removeprefix(site.base_url + "papers/").rstrip("/") for url in found]
    assert len(part_directories(slugs, count)) > 1
    speech = [p for p in shipped_papers.values() if p.theme == "speech"]
    assert status.startswith(f"{len(speech)} papers match")
    assert listed == [site.base_url + "themes/speech/"]
    assert_no_problems(problems, "problems while searching an index in parts")
