"""The statistics page: charts drawn at build time as inline SVG, with no JavaScript.

Each chart comes with a text alternative (a sentence that says what it shows) and a data table
for screen readers. Colours are CSS classes (`series-0`...), so the stylesheet gives them their
light and dark values; numbers are formatted here, never by the reader's locale.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from markupsafe import Markup, escape

from papershelf.catalog import Catalog
from papershelf.model import Paper

# The stylesheet defines this many series colours; more themes than that reuse them in turn.
PALETTE_SIZE = 6
UNTHEMED_SERIES = "series-none"
UNTHEMED_LABEL = "No theme"
TOP_TAGS = 10
# Narrow, so that a phone scales the charts (and their 14-unit text) down only a little; the
# stylesheet keeps them from growing much on a wide screen.
WIDTH = 400
# Characters of a label the bar charts show before cutting it (the table has it whole).
MAX_LABEL = 36


class DataTable(NamedTuple):
    """A chart's numbers: `header` names the columns, the first one the row labels."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


class LegendItem(NamedTuple):
    label: str
    series: str


class Chart(NamedTuple):
    """One chart: templates show `summary` as its text alternative, with id `<id>-summary`."""

    id: str
    title: str
    summary: str
    svg: Markup
    legend: tuple[LegendItem, ...]
    table: DataTable


class Totals(NamedTuple):
    papers: int
    themes: int
    tags: int
    with_code: int


def has_code(paper: Paper) -> bool:
    # A loop, not any(): asked of every paper twice a build, and a generator costs more.
    for link in paper.links:  # noqa: SIM110
        if link.kind == "code":
            return True
    return False


def percent(part: int, whole: int) -> int:
    """Return the rounded share, half up (Python's round() would make 12.5 into 12)."""
    return int(100 * part / whole + 0.5) if whole else 0


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _papers(count: int) -> str:
    return f"{count} paper{'' if count == 1 else 's'}"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {_num(height)}" role="img" '
        f'aria-labelledby="{chart_id}-svg-title" aria-describedby="{chart_id}-summary">'
        f'<title id="{chart_id}-svg-title">{escape(title)}</title>'
    )
    return Markup("\n".join([head, *body, "</svg>"]))


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "start") -> str:
    attributes = f' class="{css}"' if css else ""
    if anchor != "start":
        attributes += f' text-anchor="{anchor}"'
    return f'<text x="{_num(x)}" y="{_num(y)}"{attributes}>{escape(text)}</text>'


def _rect(x: float, y: float, width: float, height: float, css: str, tip: str = "") -> str:
    shape = (
        f'<rect class="{css}" x="{_num(x)}" y="{_num(y)}" '
        f'width="{_num(width)}" height="{_num(height)}"'
    )
    # A <title> is the tooltip a mouse user sees; the table below serves screen readers.
    return f"{shape}><title>{escape(tip)}</title></rect>" if tip else shape + "/>"


def _tick_step(maximum: int) -> int:
    """Return a 1, 2 or 5 times a power of ten step that gives at most five gridlines."""
    for magnitude in (10**k for k in range(12)):
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if maximum / step <= 5:
                return step
    return 10**12


def theme_year_chart(catalog: Catalog) -> Chart:
    """Return a stacked bar chart of papers per year of publication, split by theme."""
    chart_id = "chart-years"
    title = "Papers per theme and year"
    papers = catalog.papers  # newest first
    first, last = papers[-1].published.year, papers[0].published.year
    years = list(range(first, last + 1))
    themes = catalog.taxonomy.themes
    series = [(t.id, t.title, f"series-{i % PALETTE_SIZE}") for i, t in enumerate(themes)]
    if catalog.unthemed:
        series.append((None, UNTHEMED_LABEL, UNTHEMED_SERIES))
    year_of, theme_of = [p.published.year for p in papers], [p.theme for p in papers]
    counts = Counter(zip(year_of, theme_of, strict=True))
    totals = {year: sum(counts[(year, key)] for key, _, _ in series) for year in years}
    shown = [s for s in series if any(counts[(year, s[0])] for year in years)]

    height, top, bottom, left, right = 260, 24, 30, 32, 4
    plot_height = height - top - bottom
    plot_width = WIDTH - left - right
    step = _tick_step(max(totals.values()))
    y_max = step * math.ceil(max(totals.values()) / step)
    scale = plot_height / y_max
    body = []
    for tick in range(0, y_max + 1, step):
        y = top + plot_height - tick * scale
        body.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{_num(y)}" y2="{_num(y)}"/>'
        )
        body.append(_text(left - 6, y + 5, str(tick), "axis", "end"))
    slot = plot_width / len(years)
    bar = min(slot * 0.62, 48)
    label_every = math.ceil(len(years) / 12)
    for index, year in enumerate(years):
        x = left + index * slot + (slot - bar) / 2
        base = top + plot_height
        for key, label, css in shown:
            count = counts[(year, key)]
            if count:
                base -= count * scale
                tip = f"{label}, {year}: {_papers(count)}"
                body.append(_rect(x, base, bar, count * scale, f"bar {css}", tip))
        if totals[year]:
            body.append(_text(x + bar / 2, base - 7, str(totals[year]), "value", "middle"))
        if index % label_every == 0:
            body.append(_text(x + bar / 2, height - 10, str(year), "axis", "middle"))

    busiest = max(years, key=lambda year: (totals[year], year))
    by_theme = ", ".join(
        f"{label} {sum(counts[(year, key)] for year in years)}" for key, label, _ in series
    )
    summary = (
        f"Stacked bar chart of {_papers(len(papers))} by year of publication, {first} to {last}, "
        f"split by theme. The busiest year is {busiest}, with {_papers(totals[busiest])}. "
        f"Papers per theme: {by_theme}."
    )
    table = DataTable(
        caption=f"{title} (rows: years; columns: themes)",
        header=("Year", *(label for _, label, _ in series), "Total"),
        rows=tuple(
            (
                str(year),
                (*(str(counts[(year, key)]) for key, _, _ in series), str(totals[year])),
            )
            for year in reversed(years)
        ),
    )
    legend = tuple(LegendItem(label, css) for _, label, css in shown)
    return Chart(chart_id, title, summary, _svg(chart_id, title, height, body), legend, table)


def _horizontal_bars(
    chart_id: str, title: str, rows: Sequence[tuple[str, int, int, str]], css: str
) -> Markup:
    """Draw one bar per row (label, value, full scale, value text); `css` colours the bars.

    Each row is its label and value on one line, then the bar across the whole width, so that
    long labels need no column of their own. A bar's full scale is drawn as an outlined track,
    so that a share reads against its whole.
    """
    row_height, bar_height, top = 46, 16, 4
    height = top + row_height * len(rows)
    body = []
    for index, (label, value, whole, value_text) in enumerate(rows):
        y = top + index * row_height
        body.append(_text(0, y + 15, _short(label), "label"))
        body.append(_text(WIDTH, y + 15, value_text, "value", "end"))
        if whole:
            body.append(_rect(0.5, y + 21, WIDTH - 1, bar_height, "track"))
            width = (WIDTH - 1) * value / whole
            if width:
                body.append(_rect(0.5, y + 21, width, bar_height, f"bar {css}"))
    return _svg(chart_id, title, height, body)


def tags_chart(catalog: Catalog, limit: int = TOP_TAGS) -> Chart | None:
    """Return a bar chart of the most used tags, or None when no paper has a tag."""
    used = [(t, len(catalog.by_tag[t.id])) for t in catalog.taxonomy.tags if catalog.by_tag[t.id]]
    used.sort(key=lambda item: (-item[1], item[0].title.casefold(), item[0].id))
    top = used[:limit]
    if not top:
        return None
    chart_id = "chart-tags"
    title = "Most used tags"
    most = top[0][1]
    rows = [(tag.title, count, most, _papers(count)) for tag, count in top]
    listed = ", ".join(f"{tag.title} ({count})" for tag, count in top)
    summary = (
        f"Bar chart of the {len(top)} most used of {len(used)} tags in use, by number of "
        f"papers: {listed}."
    )
    table = DataTable(
        caption=f"The {len(top)} most used tags",
        header=("Tag", "Papers"),
        rows=tuple((tag.title, (str(count),)) for tag, count in top),
    )
    svg = _horizontal_bars(chart_id, title, rows, "series-0")
    return Chart(chart_id, title, summary, svg, (), table)


def code_chart(catalog: Catalog) -> Chart:
    """Return, for each theme, the share of its papers that link to their code."""
    groups = [(t.title, catalog.by_theme[t.id]) for t in catalog.taxonomy.themes]
    if catalog.unthemed:
        groups.append((UNTHEMED_LABEL, catalog.unthemed))
    counted = [(label, sum(map(has_code, papers)), len(papers)) for label, papers in groups]
    chart_id = "chart-code"
    title = "Code availability per theme"
    rows = [
        (label, code, total, f"{code} of {total} · {percent(code, total)}%" if total else "none")
        for label, code, total in counted
    ]
    listed = ", ".join(
        f"{label} {code} of {total} ({percent(code, total)}%)" for label, code, total in counted
    )
    summary = f"Bar chart of the share of papers in each theme that link to their code: {listed}."
    table = DataTable(
        caption=title,
        header=("Theme", "Papers", "With code", "Share"),
        rows=tuple(
            (label, (str(total), str(code), f"{percent(code, total)}%"))
            for label, code, total in counted
        ),
    )
    svg = _horizontal_bars(chart_id, title, rows, "series-code")
    legend = (
        LegendItem("Papers with a code link", "series-code"),
        LegendItem("All papers", "track"),
    )
    return Chart(chart_id, title, summary, svg, legend, table)


def build_charts(catalog: Catalog) -> tuple[Chart, ...]:
    """Return the statistics page's charts; none when the list has no papers yet."""
    if not catalog.papers:
        return ()
    charts = [theme_year_chart(catalog), tags_chart(catalog), code_chart(catalog)]
    return tuple(chart for chart in charts if chart is not None)


def totals(catalog: Catalog) -> Totals:
    return Totals(
        papers=len(catalog.papers),
        themes=len(catalog.taxonomy.themes),
        tags=sum(1 for t in catalog.taxonomy.tags if catalog.by_tag[t.id]),
        with_code=sum(map(has_code, catalog.papers)),
    )
