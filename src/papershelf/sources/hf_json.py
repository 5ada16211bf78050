"""The JSON of the Hugging Face daily-papers API, and the daily-paper objects it shares with HTML.

`/api/daily_papers` answers a list of `{paper: {id, title, summary, authors, publishedAt,
upvotes, githubRepo, organization, ...}, title, publishedAt, numComments, ...}`; a page's
`data-target="DailyPapers"` hydration JSON holds the same objects in `dailyPapers` or
`searchResults`, so both formats read them with `entry_from_daily_paper`.

Titles and abstracts are taken as the page renders them: arXiv metadata carries hard line
breaks, which a browser shows as single spaces, so whitespace runs become one space (blank-line
paragraph breaks survive). The same paper then reads the same from JSON, HTML and a text copy.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from papershelf.errors import Location, Problem
from papershelf.model import Authors, Link, Organization, Scrape, ScrapedEntry
from papershelf.sources.common import dedupe_links, rendered_text, shorten
from papershelf.sources.dates import parse_iso_date
from papershelf.text import extract_links, is_arxiv_id, link_kind

FORMAT = "hf-json"
LIST_KEYS = ("searchResults", "dailyPapers")
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def parse_hf_json(
    text: str, display_path: str, *, scraped_on: dt.date | None = None
) -> tuple[Scrape | None, list[Problem]]:
    """Read daily-paper objects from API JSON; each entry's location is where its object starts."""
    items, problems = _items_with_offsets(text, display_path)
    if items is None:
        return None, problems
    entries: list[ScrapedEntry] = []
    for item, offset in items:
        entry, found = entry_from_daily_paper(item, _location(text, offset, display_path))
        problems.extend(found)
        if entry is not None:
            entries.append(entry)
    if not items:
        problems.append(Problem(Location(display_path, 1, 1), "no papers found in the JSON"))
    if problems:
        return None, problems
    return Scrape(display_path, FORMAT, scraped_on, tuple(entries)), []


def entry_from_daily_paper(
    item: Any, location: Location
) -> tuple[ScrapedEntry | None, list[Problem]]:
    """Turn one `{paper: {...}, numComments, ...}` object (or a bare paper) into an entry."""
    if not isinstance(item, dict):
        return None, [Problem(location, f"expected a daily-paper object, got {_kind(item)}")]
    paper = item["paper"] if isinstance(item.get("paper"), dict) else item
    title = rendered_text(_string(paper.get("title")) or _string(item.get("title")))
    if not title:
        return None, [Problem(location, "daily paper has no title ('paper.title')")]
    summary = rendered_text(_string(paper.get("summary")))
    problems: list[Problem] = []
    if not summary:
        problems.append(Problem(location, f"paper '{shorten(title)}' has no abstract ('summary')"))
    raw_date = _string(paper.get("publishedAt")) or _string(item.get("publishedAt"))
    published = parse_iso_date(raw_date) if raw_date else None
    if published is None:
        what = f"cannot read date '{raw_date}'" if raw_date else "has no date"
        problems.append(
            Problem(
                location,
                f"paper '{shorten(title)}' {what} ('publishedAt', expected an ISO timestamp"
                " like '2025-11-12T18:59:59.000Z')",
            )
        )
    if published is None or problems:
        return None, problems
    paper_id = _string(paper.get("id")) or _string(item.get("id"))
    links = list(extract_links(summary))
    for key in ("githubRepo", "projectPage"):
        url = _string(paper.get(key)).strip()
        if url.startswith(("https://", "http://")):
            links.append(Link(url, "code" if key == "githubRepo" else link_kind(url)))
    entry = ScrapedEntry(
        title=title,
        abstract=summary,
        published=published,
        location=location,
        authors=_authors(paper.get("authors")),
        organization=_organization(paper.get("organization") or item.get("organization")),
        comments=_count(item.get("numComments")),
        upvotes=_count(paper.get("upvotes")),
        arxiv=paper_id if is_arxiv_id(paper_id) else None,
        links=dedupe_links(links),
    )
    return entry, []


def _authors(value: Any) -> Authors | None:
    if not isinstance(value, list):
        return None
    # Hidden authors are not shown on the page, so they are not counted either.
    names = [
        " ".join(author["name"].split())
        for author in value
        if isinstance(author, dict)
        and isinstance(author.get("name"), str)
        and author["name"].strip()
        and author.get("hidden") is not True
    ]
    return Authors(count=len(names), names=tuple(names)) if names else None


def _organization(value: Any) -> Organization | None:
    if not isinstance(value, dict):
        return None
    handle = _string(value.get("name")).strip() or None
    name = _string(value.get("fullname")).strip() or handle
    return Organization(name=name, handle=handle) if name else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def _items_with_offsets(
    text: str, display_path: str
) -> tuple[list[tuple[Any, int]] | None, list[Problem]]:
    """Return the daily-paper objects with the offset where each starts in `text`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        where = Location(display_path, exc.lineno, exc.colno)
        return None, [Problem(where, f"invalid JSON: {exc.msg}")]
    except RecursionError:
        return None, [Problem(Location(display_path, 1, 1), "invalid JSON: nested too deeply")]
    decoder = json.JSONDecoder()
    start = _skip_space(text, 0)
    if isinstance(document, list):
        return _array_items(text, start, decoder), []
    if isinstance(document, dict):
        members = _member_offsets(text, start, decoder)
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                return _array_items(text, members[key], decoder), []
        if "paper" in document or "summary" in document:
            return [(document, start)], []
        keys = ", ".join(sorted(document)[:5]) or "none"
        message = f"expected a list of daily papers, got an object with keys: {keys}"
    else:
        message = f"expected a list of daily papers, got {_kind(document)}"
    return None, [Problem(_location(text, start, display_path), message)]


def complete_items(text: str) -> list[dict[str, Any]]:
    """Return the objects in the daily-paper lists of a JSON object that may be cut short:
    those before the cut, from each list up to it."""
    decoder = json.JSONDecoder()
    items: list[dict[str, Any]] = []
    pos = _skip_space(text, 0)
    if not text.startswith("{", pos):
        return items
    pos = _skip_space(text, pos + 1)
    try:
        while text.startswith('"', pos):
            key, pos = decoder.raw_decode(text, pos)
            pos = _skip_space(text, pos)
            if not text.startswith(":", pos):
                break
            pos = _skip_space(text, pos + 1)
            if key in LIST_KEYS and text.startswith("[", pos):
                pos = _skip_space(text, pos + 1)
                while not text.startswith("]", pos):
                    item, pos = decoder.raw_decode(text, pos)
                    if isinstance(item, dict):
                        items.append(item)
                    pos = _skip_space(text, pos)
                    if text.startswith(",", pos):
                        pos = _skip_space(text, pos + 1)
                pos += 1
            else:
                _, pos = decoder.raw_decode(text, pos)
            pos = _skip_space(text, pos)
            if not text.startswith(",", pos):
                break
            pos = _skip_space(text, pos + 1)
    except (json.JSONDecodeError, RecursionError):
        pass  # the cut: what came before it is kept
    return items


# json.loads has already checked the syntax, so these scanners only find where values start.
def _array_items(text: str, pos: int, decoder: json.JSONDecoder) -> list[tuple[Any, int]]:
    items: list[tuple[Any, int]] = []
    pos = _skip_space(text, pos + 1)
    while text[pos] != "]":
        value, end = decoder.raw_decode(text, pos)
        items.append((value, pos))
        pos = _skip_space(text, end)
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)
    return items


def _member_offsets(text: str, pos: int, decoder: json.JSONDecoder) -> dict[str, int]:
    offsets: dict[str, int] = {}
    pos = _skip_space(text, pos + 1)
    while text[pos] != "}":
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past the ':'
        offsets[key] = pos
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, pos)
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)
    return offsets


def _skip_space(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _location(text: str, offset: int, display_path: str) -> Location:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Location(display_path, line, column)
