"""Long theme and tag listings are split into pages of `papers_per_page` papers (Hugo's layout:
`themes/<id>/`, then `themes/<id>/page/2/`), linked by a page navigation and `<link rel>`s."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from papershelf import urls
from papershelf.render import _page_numbers
from tests.site.conftest import FIXTURE_CONTENT, TEMPLATES, build
from tests.site.test_links import broken_links

BASE = "https://example.org/reading-list/"
BASE_PATH = "/reading-list/"
# The fixture's 3 speech papers and these make 13; all are tagged asr (3 + 10 as well).
GENERATED = 10


def paged_content(root: Path, per_page: int | None) -> Path:
    """The fixture content with ten more speech papers, split `per_page` papers a page."""
    content = Path(shutil.copytree(FIXTURE_CONTENT, root / "content"))
    if per_page is not None:
        with (content / "site.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"papers_per_page: {per_page}\n")
    for n in range(GENERATED):
        (content / f"papers/generated-speech-paper-{n:02}.yaml").write_text(
            f"title: Generated speech paper {n:02}\n"
            f"published: 2024-05-{n + 1:02}\n"
            f"added: 2024-05-{n + 1:02}\n"
            "theme: speech\n"
            "tags: [asr]\n"
            "abstract: A paper made for the pagination tests.\n",
            encoding="utf-8",
        )
    return content


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The content above built two papers a page: speech and asr have 13 papers, 7 pages."""
    root = tmp_path_factory.mktemp("paged")
    build(paged_content(root, 2), TEMPLATES, root / "site")
    return root / "site"


@pytest.fixture(scope="module")
def unpaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("unpaged")
    build(paged_content(root, 0), TEMPLATES, root / "site")
    return root / "site"


def soup(site: Path, route: str) -> BeautifulSoup:
    return BeautifulSoup((site / urls.output_path(route)).read_text(), "html.parser")


def listings(site: Path) -> list[str]:
    """Return the route of every theme and tag listing (the first page of each)."""
    return sorted(
        path.parent.relative_to(site).as_posix() + "/"
        for kind in ("themes", "tags")
        for path in (site / kind).glob("*/index.html")
    )


def pages_of(site: Path, route: str) -> list[str]:
    """Return the routes of a listing's pages, following its "next" links from the first."""
    found = [route]
    while (link := soup(site, found[-1]).find("link", rel="next")) is not None:
        found.append(link["href"].removeprefix(BASE_PATH))
    return found


def cards(page: BeautifulSoup) -> list[str]:
    return [card.h3.a["href"] for card in page.find_all("article", class_="card")]


def nav_items(page: BeautifulSoup) -> list[str]:
    nav = page.find("nav", attrs={"aria-label": "Pagination"})
    return [" ".join(li.get_text(" ").split()) for li in nav.find_all("li")] if nav else []


def test_every_listing_is_split_in_order_into_full_pages(paged: Path, unpaged: Path) -> None:
    assert listings(paged) == listings(unpaged) != []
    for route in listings(unpaged):
        whole = cards(soup(unpaged, route))
        pages = pages_of(paged, route)
        expected = [urls.listing_page(route, n) for n in range(1, len(pages) + 1)]
        assert pages == expected
        assert len(pages) == max(1, -(-len(whole) // 2)), route
        shown = [cards(soup(paged, page)) for page in pages]
        assert [href for part in shown for href in part] == whole, route
        assert all(len(part) == 2 for part in shown[:-1]), route
        # No page beyond the last, and page 1 lives at the listing's own URL only.
        assert not (paged / route / "page/1").exists()
        assert not (paged / urls.listing_page(route, len(pages) + 1)).exists()
    assert sorted(p.relative_to(paged).as_posix() for p in paged.glob("themes/*/page/*/")) == [
        *(f"themes/speech/page/{n}" for n in range(2, 8)),
    ]
    assert not list(unpaged.glob("*/*/page"))


def test_each_page_links_its_neighbours_and_every_link_resolves(paged: Path) -> None:
    for route in listings(paged):
        pages = pages_of(paged, route)
        for number, page_route in enumerate(pages, 1):
            page = soup(paged, page_route)
            nav = page.find("nav", attrs={"aria-label": "Pagination"})
            prev, next_ = page.find("link", rel="prev"), page.find("link", rel="next")
            if len(pages) == 1:
                assert (nav, prev, next_) == (None, None, None), page_route
                continue
            expected_prev = BASE_PATH + pages[number - 2] if number > 1 else None
            expected_next = BASE_PATH + pages[number] if number < len(pages) else None
            assert (prev and prev["href"], next_ and next_["href"]) == (
                expected_prev,
                expected_next,
            ), page_route
            nav_prev, nav_next = nav.find("a", rel="prev"), nav.find("a", rel="next")
            assert (nav_prev and nav_prev["href"], nav_next and nav_next["href"]) == (
                expected_prev,
                expected_next,
            )
            current = nav.find_all(attrs={"aria-current": True})
            assert [(a["aria-current"], a["href"]) for a in current] == [
                ("page", BASE_PATH + page_route)
            ]
    assert broken_links(paged, BASE) == []


def test_the_navigation_shows_the_ends_and_the_neighbours_with_gaps(paged: Path) -> None:
    def items(number: int) -> list[str]:
        return nav_items(soup(paged, urls.listing_page("themes/speech/", number)))

    page_numbers = [f"Page {n}" for n in range(8)]
    previous, gap, next_ = "← Previous page", "…", "Next page →"
    _, p1, p2, p3, p4, p5, p6, p7 = page_numbers
    assert items(1) == [p1, p2, gap, p7, next_]
    assert items(3) == [previous, p1, p2, p3, p4, gap, p7, next_]
    assert items(4) == [previous, p1, p2, p3, p4, p5, p6, p7, next_]  # gaps of one page: shown
    assert items(6) == [previous, p1, gap, p5, p6, p7, next_]
    assert items(7) == [previous, p1, gap, p6, p7]


@pytest.mark.parametrize(
    ("number", "count", "shown"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (2, 3, [1, 2, 3]),
        (1, 5, [1, 2, None, 5]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (50, 50, [1, None, 49, 50]),
    ],
)
def test_page_numbers(number: int, count: int, shown: list[int | None]) -> None:
    assert _page_numbers(number, count) == shown


def test_titles_canonical_urls_and_counts(paged: Path) -> None:
    first, third = soup(paged, "themes/speech/"), soup(paged, "themes/speech/page/3/")
    assert first.title.string == "Speech · Fixture Reading List"
    assert third.title.string == "Speech, page 3 of 7 · Fixture Reading List"
    assert third.find("link", rel="canonical")["href"] == BASE + "themes/speech/page/3/"
    assert third.find("meta", property="og:url")["content"] == BASE + "themes/speech/page/3/"
    assert third.h1.string == "Speech"
    # Each page describes itself: later pages say which page they are.
    described = first.find("meta", attrs={"name": "description"})["content"]
    later = third.find("meta", attrs={"name": "description"})["content"]
    assert later == f"Speech, page 3 of 7: {described}"
    assert third.find("meta", property="og:description")["content"] == later
    # The count is the theme's, on every page; the range says which of its papers are here.
    heading = " ".join(third.find(id="papers").get_text(" ").split())
    assert heading == "13 papers, newest first · showing 5–6"
    last = soup(paged, "tags/asr/page/7/")
    assert last.title.string == "Speech recognition, page 7 of 7 · Fixture Reading List"
    assert " ".join(last.find(id="papers").get_text(" ").split()).endswith("· showing 13")
    # The main navigation marks the theme as the current section on its later pages.
    menu = {
        a.get_text(): a.get("aria-current")
        for a in third.find("nav", attrs={"aria-label": "Main"}).find_all("a")
    }
    assert menu["Speech"] == "true"
    menu = {
        a.get_text(): a.get("aria-current")
        for a in first.find("nav", attrs={"aria-label": "Main"}).find_all("a")
    }
    assert menu["Speech"] == "page"


def test_sitemap_lists_every_page(paged: Path) -> None:
    tree = ET.parse(paged / "sitemap.xml")
    locs = [loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = [
        BASE + urls.route_of_output(path.relative_to(paged).as_posix())
        for path in sorted(paged.rglob("*.html"))
        if path.name != "404.html"
    ]
    assert sorted(locs) == sorted(pages)
    assert len(locs) == len(set(locs))
    # Each page is dated by the papers it shows (page 2: generated papers 08 and 07).
    text = (paged / "sitemap.xml").read_text()
    dates = dict(re.findall(r"<loc>(\S+)</loc>\s*<lastmod>(\S+)</lastmod>", text))
    assert dates[BASE + "themes/speech/page/2/"] == "2024-05-09"
    assert dates[BASE + "themes/speech/page/3/"] == "2024-05-07"


def test_feeds_bibliographies_and_the_tags_index_keep_every_paper(paged: Path) -> None:
    bib = (paged / "themes/speech/papers.bib").read_text()
    assert bib.count("@misc{") == 13
    tags_index = " ".join(soup(paged, urls.TAGS_INDEX).get_text(" ").split())
    assert "13 papers" in tags_index
    feed = ET.parse(paged / "themes/speech/atom.xml")
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 5  # feed_size: 5


@pytest.mark.parametrize(
    ("total", "per_page", "routes"),
    [
        (0, 50, ["t/"]),
        (50, 50, ["t/"]),
        (51, 50, ["t/", "t/page/2/"]),
        (7, 0, ["t/"]),
        (3, 1, ["t/", "t/page/2/", "t/page/3/"]),
    ],
)
def test_listing_pages(total: int, per_page: int, routes: list[str]) -> None:
    pages = urls.listing_pages("t/", total, per_page)
    assert [route for route, _ in pages] == routes
    listed = list(range(total))
    assert [n for _, part in pages for n in listed[part]] == listed
