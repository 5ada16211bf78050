"""The statistics page: inline SVG charts drawn at build time, each with a text alternative and a
data table, in both colour schemes."""

from __future__ import annotations

from collections import Counter

import pytest
from bs4 import BeautifulSoup

from papershelf.model import Paper
from papershelf.stats import _tick_step, percent
from tests.validation.served import ServedSite


@pytest.fixture(scope="module")
def stats(served: ServedSite) -> BeautifulSoup:
    return BeautifulSoup((served.out_dir / "stats/index.html").read_text(), "html.parser")


def _table(soup: BeautifulSoup, chart_id: str) -> tuple[list[str], dict[str, list[str]]]:
    table = soup.find(id=chart_id).find_parent("section").find("table")
    header = [th.get_text() for th in table.find("thead").find_all("th")]
    rows = {
        row.th.get_text(): [td.get_text() for td in row.find_all("td")]
        for row in table.find("tbody").find_all("tr")
    }
    return header, rows


def test_each_chart_is_an_svg_with_a_text_alternative_and_a_table(stats: BeautifulSoup) -> None:
    assert stats.find("script") is None  # charts need no JavaScript
    sections = stats.find_all("section", class_="chart")
    assert [s.h2.get_text() for s in sections] == [
        "Papers per theme and year",
        "Most used tags",
        "Code availability per theme",
    ]
    for section in sections:
        svg = section.find("svg")
        assert svg["role"] == "img"
        name = stats.find(id=svg["aria-labelledby"])
        description = stats.find(id=svg["aria-describedby"])
        assert name.get_text() == section.h2.get_text()
        assert len(description.get_text()) > 40
        table = section.find("table")
        assert table.caption.get_text()
        assert all(th["scope"] == "col" for th in table.thead.find_all("th"))
        assert all(row.th["scope"] == "row" for row in table.tbody.find_all("tr"))


def test_the_tables_hold_the_catalogue_numbers(
    stats: BeautifulSoup, shipped_papers: dict[str, Paper]
) -> None:
    papers = list(shipped_papers.values())
    header, rows = _table(stats, "chart-years")
    assert header[0] == "Year" and header[-1] == "Total"
    assert sum(int(cells[-1]) for cells in rows.values()) == len(papers)
    by_year = Counter(p.published.year for p in papers)
    assert {int(year): int(cells[-1]) for year, cells in rows.items() if by_year[int(year)]} == (
        dict(by_year)
    )

    _, rows = _table(stats, "chart-tags")
    counts = Counter(tag for p in papers for tag in p.tags)
    assert len(rows) == min(10, len(counts))
    shown = [int(cells[0]) for cells in rows.values()]
    assert shown == sorted(shown, reverse=True) and shown[0] == max(counts.values())

    _, rows = _table(stats, "chart-code")
    speech = [p for p in papers if p.theme == "speech"]
    with_code = sum(any(link.kind == "code" for link in p.links) for p in speech)
    assert rows["Speech"] == [
        str(len(speech)),
        str(with_code),
        f"{percent(with_code, len(speech))}%",
    ]


def test_the_summary_names_the_busiest_year(
    stats: BeautifulSoup, shipped_papers: dict[str, Paper]
) -> None:
    by_year = Counter(p.published.year for p in shipped_papers.values())
    year, count = max(by_year.items(), key=lambda item: (item[1], item[0]))
    summary = stats.find(id="chart-years-summary").get_text()
    assert f"The busiest year is {year}, with {count} papers." in summary


def test_rounding_and_axis_steps() -> None:
    assert [percent(1, 8), percent(1, 3), percent(2, 3), percent(0, 0)] == [13, 33, 67, 0]
    assert [_tick_step(n) for n in (1, 5, 6, 9, 11, 26, 240)] == [1, 1, 2, 2, 5, 10, 50]


@pytest.mark.browser
def test_charts_take_their_colours_from_the_colour_scheme(browser, served: ServedSite) -> None:
    from tests.validation.browsercheck import DESKTOP, new_context, visit

    colours = {}
    for scheme in ("light", "dark"):
        context, refused = new_context(browser, served, DESKTOP, color_scheme=scheme)
        try:
            page = visit(context, refused, served.base_url + "stats/").page
            colours[scheme] = page.evaluate(
                """() => ['rect.series-0', 'text.value', '.grid'].map(selector => {
                     const style = getComputedStyle(document.querySelector(selector));
                     return style.fill + ' ' + style.stroke;
                   })"""
            )
        finally:
            context.close()
    for light, dark in zip(colours["light"], colours["dark"], strict=True):
        assert light != dark, colours
