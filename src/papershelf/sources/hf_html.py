"""The HTML of a Hugging Face papers page (daily, weekly, trending or search).

Every listing page server-renders `<div data-target="DailyPapers" data-props="{json}">`, whose
`dailyPapers` (or, on search pages, `searchResults`) are the API's daily-paper objects: real
upvotes, author names, arXiv ids, GitHub repositories. That is read first. Without it the
`<article>` cards are read instead. A card without a date of its own (as a day page's may be)
takes its paper's `publishedAt` from the papers a cut-short data-props still holds whole; the
page's day is when Hugging Face listed the paper, not when it was published, so a card whose
date is nowhere on the page is an error. Each card holds its content twice (a desktop half and a
phone half), so every field is taken from its first occurrence and each paper once. The
lookups key on markup that has outlived Hugging Face's restyles, not on Tailwind classes:
`h3 a[href^="/papers/"]` (title), `a[href$="#community"]` (comment count), an organisation link
`a[href="/<handle>"]` holding `img[alt=<handle>]`, and the `N authors` list item.

Parsing uses `html.parser` (no lxml needed); entries are located at their card's line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import ParserRejectedMarkup

from papershelf.errors import Location, Problem, Severity
from papershelf.model import Authors, Link, Organization, Scrape, ScrapedEntry
from papershelf.sources.common import (
    AUTHOR_COUNT,
    author_count,
    dedupe_links,
    rendered_text,
    shorten,
)
from papershelf.sources.dates import (
    ListingDate,
    looks_like_date,
    parse_iso_date,
    parse_listing_date,
    resolve_dates,
)
from papershelf.sources.hf_json import LIST_KEYS, complete_items, entry_from_daily_paper
from papershelf.text import extract_links, is_arxiv_id

FORMAT = "hf-html"
_PAPER_HREF = re.compile(r"^/papers/(?P<id>[^/?#]+)/?(?:[?#].*)?$")
_DATE_HREF = re.compile(r"^/papers/date/(?P<date>\d{4}-\d{2}-\d{2})$")
_ORGANIZATION_HREF = re.compile(r"^/(?P<handle>[A-Za-z0-9][\w.-]*)$")
_AUTHORS_ITEM = re.compile(rf"^{AUTHOR_COUNT}$", re.IGNORECASE)
_COUNT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<thousands>k)?$", re.IGNORECASE)
# First-level paths that are Hugging Face pages, not organisations.
_SITE_PATHS = {"papers", "login", "join", "models", "datasets", "spaces", "docs", "settings"}


@dataclass(frozen=True)
class _Card:
    paper_id: str
    article: Tag
    title_link: Tag


def parse_hf_html(
    text: str, display_path: str, *, scraped_on: dt.date | None = None
) -> tuple[Scrape | None, list[Problem]]:
    """Read the papers of a Hugging Face listing page, from its hydration JSON or its cards."""
    try:
        soup = BeautifulSoup(text, "html.parser")
    except ParserRejectedMarkup as exc:
        return None, [Problem(Location(display_path, 1, 1), f"cannot parse the HTML: {exc}")]
    props, props_location, hydration_problem = _hydration(soup, display_path)
    cards = _cards(soup)
    page_date = _page_date(soup, props)
    items = _daily_papers(props)
    if items is not None:
        card_lines = {c.paper_id: _element_location(c.article, display_path) for c in cards}
        return _from_daily_papers(
            items, card_lines, props_location, display_path, page_date, scraped_on
        )
    if cards:
        known = _dates_in_cut_short_data(soup) if hydration_problem else {}
        scrape, problems = _from_cards(cards, display_path, page_date, scraped_on, known)
        if hydration_problem and scrape is not None:
            # A page saved before it finished loading, or cut short: the cards lack the data's
            # author names and upvotes, so say which source was read.
            problems.append(
                replace(
                    hydration_problem,
                    message=f"{hydration_problem.message}; read the page's cards instead",
                    severity=Severity.WARNING,
                )
            )
        return scrape, problems
    if hydration_problem:
        return None, [hydration_problem]
    message = (
        "no papers found: no DailyPapers data and no <article> card with an "
        "'h3 a[href^=\"/papers/\"]' title link"
    )
    return None, [Problem(Location(display_path, 1, 1), message)]


def _hydration(
    soup: BeautifulSoup, display_path: str
) -> tuple[dict[str, Any] | None, Location, Problem | None]:
    element = soup.find(attrs={"data-target": "DailyPapers"})
    if not isinstance(element, Tag):
        return None, Location(display_path, 1, 1), None
    where = _element_location(element, display_path)
    raw = element.get("data-props")
    if not isinstance(raw, str):
        return None, where, Problem(where, "the DailyPapers element has no data-props")
    try:
        props = json.loads(raw)
    except json.JSONDecodeError as exc:
        message = f"cannot read the DailyPapers data-props: invalid JSON ({exc.msg})"
        return None, where, Problem(where, message)
    except RecursionError:
        message = "cannot read the DailyPapers data-props: JSON nested too deeply"
        return None, where, Problem(where, message)
    if not isinstance(props, dict):
        return None, where, Problem(where, "the DailyPapers data-props is not a JSON object")
    return props, where, None


def _daily_papers(props: dict[str, Any] | None) -> list[Any] | None:
    # A search page lists its results; dailyPapers there would be the unfiltered day.
    for key in LIST_KEYS:
        if props is not None and isinstance(props.get(key), list):
            return props[key]
    return None


def _from_daily_papers(
    items: list[Any],
    card_locations: dict[str, Location],
    props_location: Location,
    display_path: str,
    page_date: dt.date | None,
    scraped_on: dt.date | None,
) -> tuple[Scrape | None, list[Problem]]:
    entries: list[ScrapedEntry] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        paper_id = paper.get("id") if isinstance(paper, dict) else None
        if not isinstance(paper_id, str):
            paper_id = None
        location = card_locations.get(paper_id, props_location) if paper_id else props_location
        entry, found = entry_from_daily_paper(item, location)
        problems.extend(found)
        key = paper_id or (entry.title if entry else "")
        if entry is not None and key not in seen:
            seen.add(key)
            entries.append(entry)
    if not items:
        problems.append(Problem(props_location, "no papers found in the DailyPapers data"))
    if problems:
        return None, problems
    return Scrape(display_path, FORMAT, scraped_on or page_date, tuple(entries)), []


def _cards(soup: BeautifulSoup) -> list[_Card]:
    """Return one card per paper: the first title link of each article, first article wins."""
    cards: dict[str, _Card] = {}
    for article in soup.find_all("article"):
        # Both halves of a card link the title; the first link is the desktop half's.
        for link in article.select('h3 a[href^="/papers/"]'):
            match = _PAPER_HREF.match(str(link.get("href", "")))
            if match and match.group("id") != "date":
                cards.setdefault(match.group("id"), _Card(match.group("id"), article, link))
    return list(cards.values())


def _from_cards(
    cards: list[_Card],
    display_path: str,
    page_date: dt.date | None,
    scraped_on: dt.date | None,
    known_dates: dict[str, dt.date],
) -> tuple[Scrape | None, list[Problem]]:
    """Read the cards; `known_dates` are papers' dates by id from elsewhere on the page."""
    drafts: list[dict[str, Any]] = []
    dates: list[ListingDate] = []
    problems: list[Problem] = []
    for card in cards:
        location = _element_location(card.article, display_path)
        title = rendered_text(card.title_link.get_text(" "))
        date_text = _card_date_text(card.article)
        known = known_dates.get(card.paper_id)
        if date_text is None and known is None:
            problems.append(_no_date(title, location, page_date))
            continue
        if date_text is None:
            date: ListingDate | None = ListingDate(
                known.month, known.day, known.year, known.isoformat(), location
            )
        else:
            date, problem = parse_listing_date(date_text, location)
            if problem or date is None:
                problems.append(problem)
                continue
        dates.append(date)
        drafts.append(_card_fields(card, title, location))
    if problems:
        return None, problems
    resolved, problems = resolve_dates(dates, page_date=page_date, scraped_on=scraped_on)
    if resolved is None:
        return None, problems
    entries = tuple(
        ScrapedEntry(published=published, **fields)
        for fields, published in zip(drafts, resolved.dates, strict=True)
    )
    return Scrape(display_path, FORMAT, resolved.scraped_on, entries), problems  # warnings


def _no_date(title: str, location: Location, page_date: dt.date | None) -> Problem:
    # Not the page's day: a day page lists papers days, or months, after they were published.
    api = "https://huggingface.co/api/daily_papers"
    if page_date is not None:
        api += f"?date={page_date.isoformat()}"
    return Problem(
        location,
        f"card '{shorten(title)}' has no date, and the page's DailyPapers data does not give it",
        hint=f"save the page again once it has loaded, or import the JSON of {api}",
    )


def _dates_in_cut_short_data(soup: BeautifulSoup) -> dict[str, dt.date]:
    """Return the `publishedAt` day of each paper an unreadable data-props holds whole: one cut
    short still starts with every paper before the cut."""
    element = soup.find(attrs={"data-target": "DailyPapers"})
    raw = element.get("data-props") if isinstance(element, Tag) else None
    dates: dict[str, dt.date] = {}
    for item in complete_items(raw) if isinstance(raw, str) else ():
        paper = item.get("paper") if isinstance(item.get("paper"), dict) else item
        paper_id, published = paper.get("id"), paper.get("publishedAt") or item.get("publishedAt")
        day = parse_iso_date(published) if isinstance(published, str) else None
        if isinstance(paper_id, str) and day is not None:
            dates.setdefault(paper_id, day)
    return dates


def _card_fields(card: _Card, title: str, location: Location) -> dict[str, Any]:
    article = card.article
    abstract = _card_abstract(card, title)
    links = list(extract_links(abstract))
    github = article.select_one('a[href^="https://github.com/"]')
    if github is not None:
        links.append(Link(str(github["href"]), "code"))
    return {
        "title": title,
        "abstract": abstract,
        "location": location,
        "authors": _card_authors(article),
        "organization": _card_organization(article),
        "comments": _count_in(article.select_one('a[href$="#community"]')),
        "upvotes": _count_in(article.select_one('[role="checkbox"], a[href^="/login?next="]')),
        "arxiv": card.paper_id if is_arxiv_id(card.paper_id) else None,
        "links": dedupe_links(links),
    }


def _card_abstract(card: _Card, title: str) -> str:
    """Return the text after the title: the abstract (search pages) or AI summary (trending)."""
    heading = card.title_link.find_parent("h3")
    own_href = f"/papers/{card.paper_id}"
    for element in heading.find_all_next(["p", "a", "h3"]) if heading else []:
        if element.name == "h3" or not any(p is card.article for p in element.parents):
            break  # the phone half starts, or the card ends
        if element.name == "a" and (element.get("href") != own_href or element.find(["ul", "img"])):
            continue
        text = rendered_text(element.get_text(" "))
        if text and text != title:
            return text
    return ""


def _card_authors(article: Tag) -> Authors | None:
    for item in article.find_all("li"):
        match = _AUTHORS_ITEM.match(" ".join(item.get_text(" ").split()))
        if match:
            return Authors(count=author_count(match))
    return None


def _card_organization(article: Tag) -> Organization | None:
    for link in article.select('a[href^="/"]'):
        match = _ORGANIZATION_HREF.match(str(link.get("href", "")))
        image = link.find("img", recursive=False)
        if not match or match.group("handle") in _SITE_PATHS or image is None:
            continue
        handle = str(image.get("alt", "")).strip()
        name = " ".join(link.get_text(" ").split())
        if handle and name:
            return Organization(name=name, handle=handle)
    return None


def _card_date_text(article: Tag) -> str | None:
    return next((s for s in article.stripped_strings if looks_like_date(s)), None)


def _count_in(element: Tag | None) -> int | None:
    """Read the last number in an element: '23', '-' (none yet, so 0) or '1.2k'."""
    if element is None:
        return None
    for token in reversed(element.get_text(" ").split()):
        if token == "-":
            return 0
        match = _COUNT.match(token)
        if match:
            number = float(match.group("number")) * (1000 if match.group("thousands") else 1)
            return int(number)
    return None


def _page_date(soup: BeautifulSoup, props: dict[str, Any] | None) -> dt.date | None:
    """The page's day: the hydration `dateString`, else a date link labelled with a date."""
    if props is not None and isinstance(props.get("dateString"), str):
        day = parse_iso_date(props["dateString"])
        if day is not None:
            return day
    for link in soup.select('a[href^="/papers/date/"]'):
        match = _DATE_HREF.match(str(link.get("href", "")))
        # The arrows beside the label link to the days before and after; only the label has text.
        if match and looks_like_date(link.get_text(" ").strip()):
            return parse_iso_date(match.group("date"))
    return None


def _element_location(element: Tag, display_path: str) -> Location:
    line = element.sourceline or 1
    column = (element.sourcepos or 0) + 1
    return Location(display_path, line, column)
