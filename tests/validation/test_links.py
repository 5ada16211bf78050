"""No internal link or #anchor of the built site is broken when it is served under a sub-path."""

from __future__ import annotations

from urllib.parse import urldefrag

import pytest

from .crawl import CrawlResult, crawl, references_in_html
from .problems import assert_no_problems
from .served import ServedSite


def orphans(site: ServedSite, result: CrawlResult) -> list[str]:
    """Built pages no link leads to; 404.html is served for missing URLs, not linked."""
    return [
        site.url_for(page)
        for page in site.files("*.html")
        if page.name != "404.html" and site.url_for(page) not in result.pages
    ]


def not_found_page_problems(site: ServedSite) -> list[str]:
    """GitHub Pages serves 404.html at whatever URL was missing, so a relative URL in it breaks."""
    page = site.out_dir / "404.html"
    if not page.is_file():
        return ["404.html was not built"]
    html = page.read_text(encoding="utf-8")
    deep_url = site.base_url + "no/such/page/"
    as_built, _ = references_in_html(site.url_for(page), html)
    served_deep, _ = references_in_html(deep_url, html)
    return [
        f"404.html: <{built.element}> {built.url!r} becomes {deep.url!r} when served at {deep_url}"
        for built, deep in zip(as_built, served_deep, strict=True)
        # A bare #fragment stays on whatever page is showing, which is what it means.
        if built.url != deep.url and urldefrag(deep.url).url != deep_url
    ]


@pytest.fixture(scope="module")
def crawled(site: ServedSite) -> CrawlResult:
    return crawl(site, extra_starts=(site.base_url + "404.html",))


def test_every_internal_link_and_anchor_resolves_under_the_base_path(
    crawled: CrawlResult,
) -> None:
    assert len(crawled.pages) > 1, "the home page links to no other page"
    assert_no_problems(crawled.problems, "broken links, anchors or foreign resources")


def test_every_page_is_reachable_from_home(site: ServedSite, crawled: CrawlResult) -> None:
    assert_no_problems(orphans(site, crawled), "pages no link leads to")


def test_every_page_of_a_paginated_listing_is_linked_and_links_resolve(
    paginated_site: ServedSite,
) -> None:
    result = crawl(paginated_site)
    later_pages = [url for url in result.pages if "/page/" in url]
    assert len(later_pages) > 10, "the paginated site has too few listing pages to test"
    assert_no_problems(result.problems, "broken links, anchors or foreign resources")
    assert_no_problems(orphans(paginated_site, result), "pages no link leads to")


def test_not_found_page_works_at_any_depth(site: ServedSite) -> None:
    assert_no_problems(not_found_page_problems(site), "problems in 404.html")


def test_link_checks_report_each_defect_of_the_broken_fixture(broken_site: ServedSite) -> None:
    result = crawl(broken_site, extra_starts=(broken_site.base_url + "404.html",))
    base, origin = broken_site.base_url, broken_site.origin
    assert result.problems == sorted(
        [
            f"/404.html: <a> '{origin}/' leaves the base path /reading-list/",
            f"/: <a> '{origin}/papers/ok/' leaves the base path /reading-list/",
            f"/: <a> '{base}papers/missing/' answers 404",
            f"/: <a> '{base}papers/ok' answers 301 to /reading-list/papers/ok/",
            f"/: <a> '{base}papers/ok/#nowhere': no id 'nowhere' on /papers/ok/",
            "/: <img> 'https://images.example.com/logo.png' loads a resource from another host",
            "/: <link> 'https://cdn.example.com/theme.css' loads a resource from another host",
            f"/: <link> '{origin}/favicon.ico' leaves the base path /reading-list/",
            f"/papers/ok/: <img> '{base}assets/missing.png' answers 404",
            "/papers/ok/: <img> 'https://images.example.com/figure.png' loads a resource "
            "from another host",
        ]
    )
    assert orphans(broken_site, result) == [f"{base}papers/orphan/"]
    assert not_found_page_problems(broken_site) == [
        f"404.html: <link> '{base}assets/style.css' becomes '{base}no/such/page/assets/style.css' "
        f"when served at {base}no/such/page/",
        f"404.html: <a> '{origin}/' becomes '{base}no/such/' when served at {base}no/such/page/",
    ]
