"""The archive: an index of the years at archive/, and a page of each year's papers at
archive/<year>/, linked to the years beside it. Checked on the fixture site against its content.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from lxml import etree

from tests.site.conftest import FIXTURE_CONTENT, TEMPLATES, build

BASE = "/reading-list/"
ABSOLUTE = "https://example.org/reading-list/"


def page(site: Path, route: str) -> BeautifulSoup:
    return BeautifulSoup((site / route / "index.html").read_text(), "html.parser")


def papers_by_year(content: Path) -> dict[int, list[tuple[dt.date, str]]]:
    """Return the (date, page) of every paper of `content`, by year of publication."""
    years: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for file in sorted((content / "papers").glob("*.yaml")):
        published = yaml.safe_load(file.read_text(encoding="utf-8"))["published"]
        years[published.year].append((published, f"{BASE}papers/{file.stem}/"))
    return dict(years)


def year_links(index: BeautifulSoup) -> list[tuple[str, str, str]]:
    """Return each year on the archive's index: its link, its text and the count beside it."""
    return [
        (a["href"], a.get_text(), a.find_next_sibling("span").get_text(" ", strip=True))
        for a in index.main.find("ul").find_all("a")
    ]


def test_the_index_lists_every_year_newest_first_with_its_count(fixture_site: Path) -> None:
    years = papers_by_year(FIXTURE_CONTENT)
    index = page(fixture_site, "archive")
    assert index.h1.get_text() == "Archive"
    expected = [
        (f"{BASE}archive/{year}/", str(year), f"· {len(papers)} paper{'s' * (len(papers) > 1)}")
        for year, papers in sorted(years.items(), reverse=True)
    ]
    assert year_links(index) == expected
    assert [year for _, year, _ in expected] == ["2025", "2024", "2023", "2020"]
    total = sum(map(len, years.values()))
    assert f"{total} papers by year of publication" in index.main.get_text()
    for href, _, _ in expected:
        assert (fixture_site / href.removeprefix(BASE) / "index.html").is_file()


def test_every_year_page_lists_exactly_its_papers_newest_first(fixture_site: Path) -> None:
    years = papers_by_year(FIXTURE_CONTENT)
    built = sorted(path.parent.name for path in (fixture_site / "archive").glob("*/index.html"))
    assert built == sorted(str(year) for year in years)
    for year, papers in years.items():
        soup = page(fixture_site, f"archive/{year}")
        assert soup.h1.get_text() == str(year)
        assert soup.title.get_text().startswith(f"Papers published in {year} · ")
        items = soup.main.find("ul", class_="compact").find_all("li")
        listed = [(dt.date.fromisoformat(li.time["datetime"]), li.a["href"]) for li in items]
        assert sorted(href for _, href in listed) == sorted(href for _, href in papers)
        dates = [date for date, _ in listed]
        assert dates == sorted(dates, reverse=True)
        assert {date.year for date in dates} == {year}
        # The way back, and the main navigation marks the archive as the current section.
        assert soup.main.find("p", class_="kicker").a["href"] == f"{BASE}archive/"
        current = soup.find("nav", attrs={"aria-label": "Main"}).find(attrs={"aria-current": True})
        assert (current["href"], current["aria-current"]) == (f"{BASE}archive/", "true")


def test_year_pages_link_the_years_beside_them(fixture_site: Path) -> None:
    order = ["2025", "2024", "2023", "2020"]  # newest first, as the index lists them
    for position, year in enumerate(order):
        soup = page(fixture_site, f"archive/{year}")
        nav = soup.find("nav", attrs={"aria-label": "Years"})
        newer = order[position - 1] if position > 0 else None
        older = order[position + 1] if position + 1 < len(order) else None
        for rel, other in (("prev", newer), ("next", older)):
            head = soup.head.find("link", rel=rel)
            link = nav.find("a", rel=rel)
            if other is None:
                assert head is None and link is None
                continue
            assert head["href"] == link["href"] == f"{BASE}archive/{other}/"
            assert (fixture_site / "archive" / other / "index.html").is_file()
            label = "Newer" if rel == "prev" else "Older"
            assert " ".join(link.get_text(" ").split()) in (
                f"← {label} year: {other}",
                f"{label} year: {other} →",
            )


def test_the_sitemap_lists_every_year_dated_by_its_newest_paper(fixture_site: Path) -> None:
    document = etree.parse(str(fixture_site / "sitemap.xml"))
    dated = {url.findtext("{*}loc"): url.findtext("{*}lastmod") for url in document.iter("{*}url")}
    for year, papers in papers_by_year(FIXTURE_CONTENT).items():
        pages = [ABSOLUTE + href.removeprefix(BASE) for _, href in papers]
        assert dated[f"{ABSOLUTE}archive/{year}/"] == max(dated[url] for url in pages)
    assert f"{ABSOLUTE}archive/" in dated


def test_no_page_links_to_the_old_year_anchors(fixture_site: Path) -> None:
    for file in fixture_site.rglob("*.html"):
        assert "archive/#y" not in file.read_text(), file


@pytest.fixture
def one_paper(tmp_path: Path) -> Path:
    content = Path(shutil.copytree(FIXTURE_CONTENT, tmp_path / "content"))
    for file in sorted((content / "papers").glob("*.yaml"))[1:]:
        file.unlink()
    return content


def test_a_list_from_one_year_has_one_year_page_without_neighbours(
    one_paper: Path, tmp_path: Path
) -> None:
    (year,) = papers_by_year(one_paper)
    build(one_paper, TEMPLATES, tmp_path / "site")
    index = page(tmp_path / "site", "archive")
    assert year_links(index) == [(f"{BASE}archive/{year}/", str(year), "· 1 paper")]
    soup = page(tmp_path / "site", f"archive/{year}")
    assert len(soup.main.find_all("li")) == 1
    assert soup.find("nav", attrs={"aria-label": "Years"}) is None
    assert soup.head.find("link", rel=["prev", "next"]) is None
