"""The plain-text copy of a Hugging Face papers listing (what a browser's select-all gives).

Each paper reads, blank lines aside:

    Title
    Abstract (one paragraph; hard-wrapped lines and several paragraphs are accepted too)
      • 33 authors              or an organisation line: `HuggingFaceFW FineData`
    ·
    Nov 12, 2025 4              a year-less `May 30` is this year; the number is the comment count

The parser anchors on the `·` lines: the line after one is the date, the nearest line before it
names the authors or organisation, and the lines back to the previous paper's date are its
title and abstract. When a blank line follows the title, the title is everything up to that
blank line (a wrapped title); otherwise it is the first line. Abstract lines within a paragraph
are joined with one space (undoing a copy's wrapping), paragraphs with a blank line; text is
otherwise kept exactly, LaTeX and typos included.

Organisation lines: the page shows an avatar whose alt text is the Hugging Face handle, then the
display name, so a copy reads `<handle> <Display Name>` (`Idiap Idiap Research Institute`). A
copy that dropped the alt text starts with the separating space (` Google`): no handle. A line of
a single word is a display name without a handle, since the alt text is what copies drop. That
leading space is lost with all others in a copy whose authors lines lost their indent
(`• 33 authors`, not `  • 33 authors`). Such a copy shows that it kept the alt texts when one of
its organisation lines starts with a word whose letters and digits appear, in order, in the rest
(`Idiap Idiap Research Institute`, `umass University of Massachusetts Amherst`); without such a
line, each organisation line is a display name as a whole, so that `AI at Meta` does not become
handle `AI`, name `at Meta`: no handle is made up.

A copy of a daily or trending page also keeps each card's controls, on lines of their own: the
submitter badge (`Submitted by` and a handle), the upvote button (`Upvote`, `23` or `-`), the
GitHub button with its stars (`GitHub`, `62.2k`) and `arXiv Page`. They come before a title or
after a date and are skipped; their numbers are not read, since a copy does not show which paper
a count after a date belongs to. A search page's copy may show the upvote count alone (`19`, `-`)
before each title: a number that starts every paper is that count, but where some paper starts
with a title, a number starting another is its title (`1984`).

Before the first paper comes the page header (banner, `Daily Papers`, a search query, the
Daily/Weekly/Monthly tabs) ending with the page date (`Jan 5`), which is the scrape day; see
`papershelf.sources.dates` for how years are found. Without a page date, the header ends at
the last line Hugging Face is known to show there (`Monthly`, `Trending Papers`, ...), so that
a search query between them is not taken for the first title.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from papershelf.errors import Location, Problem
from papershelf.model import Authors, Organization, Scrape, ScrapedEntry
from papershelf.sources.common import AUTHOR_COUNT, author_count, shorten
from papershelf.sources.dates import (
    DATE_PATTERN,
    ListingDate,
    looks_like_date,
    parse_listing_date,
    resolve_dates,
)
from papershelf.text import extract_links

FORMAT = "hf-text"
SEPARATOR = "·"
AUTHORS_LINE = re.compile(rf"^(?:[•*-]\s*)?{AUTHOR_COUNT}$", re.IGNORECASE)
# The bullet of the authors list: a credit line starting with one is never an organisation.
_BULLET = re.compile(r"^[•*]")
_DATE_LINE = re.compile(rf"^(?P<date>{DATE_PATTERN})(?:\s+(?P<comments>\d+))?$")
# Longer than any organisation name; a longer line before '·' is an abstract whose paper lost
# its authors line.
_MAX_ORGANIZATION_LENGTH = 120
# What a Hugging Face user or organisation name may hold (as in the HTML's /<handle> links).
_HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# A card's buttons and badges, as a text copy shows them (see the module docstring).
_CARD_CONTROL = re.compile(
    r"^(?:Submitted by(?:\s+\S+)?|Upvoted?|GitHub|arXiv Page)$", re.IGNORECASE
)
_SUBMITTED_BY = re.compile(r"^Submitted by$", re.IGNORECASE)
# The buttons whose count follows them on a line of its own.
_COUNTED_BUTTON = re.compile(r"^(?:Upvoted?|GitHub)$", re.IGNORECASE)
# An upvote count ('-' for none) or a number of GitHub stars; also what a title of digits is.
_COUNT = re.compile(r"^(?:-|\d+(?:\.\d+)?k?)$", re.IGNORECASE)
# Only a fallback for copies without a page date; the page date is what ends the header.
_KNOWN_HEADER = re.compile(
    r"^(new|Subscribe|Daily Papers|Trending Papers|Daily|Weekly|Monthly"
    r"|Get trending papers in your email inbox( once a day)?!|by\s*AK\b.*)$"
)


class _Line(NamedTuple):
    number: int  # 1-based
    text: str  # as in the file, without the line ending
    # The text without surrounding whitespace, which the parser looks at several times a line.
    stripped: str

    @property
    def column(self) -> int:
        return len(self.text) - len(self.text.lstrip()) + 1


@dataclass(frozen=True)
class _Draft:
    """An entry read from its lines, waiting for its date to get a year."""

    title: str
    abstract: str
    title_line: _Line
    date: ListingDate
    comments: int | None
    authors: Authors | None
    organization: Organization | None


def _split_lines(text: str) -> list[str]:
    """Split at Unix, Windows and old Mac line ends; not with str.splitlines, which also splits
    at form feeds and U+2028, characters that can stand inside an abstract. (str methods: a
    regular expression took a tenth of a second on a 10,000-paper listing.)"""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def looks_like_hf_text(text: str) -> bool:
    """Tell whether `text` has the text copy's structure: `·` lines or `N authors` lines."""
    return any(
        line.strip() == SEPARATOR or AUTHORS_LINE.match(line.strip()) for line in _split_lines(text)
    )


def parse_hf_text(
    text: str, display_path: str, *, scraped_on: dt.date | None = None
) -> tuple[Scrape | None, list[Problem]]:
    """Read every paper of a text-copy listing, or say what is wrong, line by line."""
    lines = [_Line(n, raw, raw.strip()) for n, raw in enumerate(_split_lines(text), start=1)]
    problems: list[Problem] = []
    drafts: list[_Draft] = []
    page_date: ListingDate | None = None
    # Each paper's lines before its '·', the '·' line and the date line after it. All are found
    # before any is read, since how some lines read depends on the whole copy.
    papers: list[tuple[list[_Line], _Line, list[_Line]]] = []
    start = 0  # index of the first line after the previous paper
    for sep in (i for i, line in enumerate(lines) if line.stripped == SEPARATOR):
        region = lines[start:sep]
        if start == 0:
            page_date, region, found = _split_header(region, display_path)
            problems.extend(found)
        date_index = _date_line_index(lines, sep)
        after = lines[date_index : date_index + 1]
        # A title and its credit line must remain: a control's name there is a title.
        papers.append((_skip_card_controls(region, keep=2), lines[sep], after))
        # A date line, even an unreadable one, belongs to this paper, not to the next one's title.
        start = date_index + 1 if after and after[0].stripped else sep + 1
    handles_shown = _shows_handles([_credit_line(region) for region, _, _ in papers])
    # Regions start at a non-blank line, if any (controls skipped, or the previous date line).
    counts_shown = all(region and _COUNT.match(region[0].stripped) for region, _, _ in papers)
    for region, separator, after in papers:
        count = None
        if counts_shown and sum(1 for line in region if line.stripped) > 2:
            # The upvote count, as before every title of this copy; a title and credit remain.
            count, region = region[0], region[1:]
        draft, found = _read_entry(region, separator, after, display_path, handles_shown, count)
        problems.extend(found)
        if draft is not None:
            drafts.append(draft)
    rest = lines[start:]
    if start == 0:
        page_date, rest, found = _split_header(rest, display_path)
        problems.extend(found)
    leftover = _first_text_line(_skip_card_controls(rest, keep=0, counts=True))
    if leftover is not None:
        problems.append(_truncated(leftover, display_path))
    elif not drafts and not problems:
        problems.append(Problem(Location(display_path, 1, 1), "no papers found in the listing"))
    if problems:
        return None, problems

    resolved, problems = resolve_dates(
        [d.date for d in drafts], page_date=page_date, scraped_on=scraped_on
    )
    if resolved is None:
        return None, problems
    entries = tuple(
        ScrapedEntry(
            title=draft.title,
            abstract=draft.abstract,
            published=published,
            location=Location(display_path, draft.title_line.number, draft.title_line.column),
            authors=draft.authors,
            organization=draft.organization,
            comments=draft.comments,
            # Every link has "://": most abstracts have none, and looking cost more than reading.
            links=extract_links(draft.abstract) if "://" in draft.abstract else (),
        )
        for draft, published in zip(drafts, resolved.dates, strict=True)
    )
    return Scrape(display_path, FORMAT, resolved.scraped_on, entries), problems  # warnings


def _date_line_index(lines: list[_Line], separator: int) -> int:
    """Return the index of the date line after a `·` line: the next line, or the next non-blank
    one when it is shaped like a date (a copy that puts blank lines between all lines)."""
    following = next((i for i in range(separator + 1, len(lines)) if lines[i].stripped), None)
    if following is not None and _DATE_LINE.match(lines[following].stripped):
        return following
    return separator + 1


def _split_header(
    region: list[_Line], display_path: str
) -> tuple[ListingDate | None, list[_Line], list[Problem]]:
    """Split the page header off the first paper's lines; return the page date, if any."""
    dates = [i for i, line in enumerate(region) if looks_like_date(line.stripped)]
    date_index = dates[-1] if dates else None
    if date_index is None:
        known = [i for i, line in enumerate(region) if _KNOWN_HEADER.match(line.stripped)]
        return None, region[known[-1] + 1 :] if known else region, []
    line = region[date_index]
    location = Location(display_path, line.number, line.column)
    page_date, problem = parse_listing_date(line.stripped, location)
    return page_date, region[date_index + 1 :], [problem] if problem else []


def _skip_card_controls(region: list[_Line], *, keep: int, counts: bool = False) -> list[_Line]:
    """Drop the card controls that start `region`, leaving at least `keep` non-blank lines;
    with `counts`, also the numbers between them that follow no button."""
    filled = [i for i, line in enumerate(region) if line.stripped]
    skip = 0
    while len(filled) - skip > keep:
        text = region[filled[skip]].stripped
        if not (_CARD_CONTROL.match(text) or (counts and _COUNT.match(text))):
            break
        skip += 1
        if len(filled) - skip <= keep:
            break
        following = region[filled[skip]].stripped
        if _SUBMITTED_BY.match(text):
            # The submitter's handle follows on its own line; handles have no spaces.
            skip += " " not in following
        elif _COUNTED_BUTTON.match(text):
            skip += bool(_COUNT.match(following))
    return region[filled[skip] :] if skip < len(filled) else []


def _credit_line(region: list[_Line]) -> _Line | None:
    """Return a paper's last line before its `·`: its authors or organisation line."""
    return next((line for line in reversed(region) if line.stripped), None)


def _shows_handles(credits: list[_Line | None]) -> bool:
    """Tell whether an organisation line that does not start with a space starts with its
    handle: unless the copy lost its leading spaces (an authors line's bullet lost its indent),
    it does; if it did, only when some organisation line starts with a word the rest spells."""
    lines = [line for line in credits if line is not None]
    if any(line.text[0].isspace() for line in lines) or not any(
        _BULLET.match(line.text) and AUTHORS_LINE.match(line.text) for line in lines
    ):
        return True
    return any(
        name and _HANDLE.match(handle) and _spells_handle(name, handle)
        for handle, _, name in (line.stripped.partition(" ") for line in lines)
    )


def _read_entry(
    region: list[_Line],
    separator: _Line,
    after: list[_Line],
    display_path: str,
    handles_shown: bool,
    count: _Line | None,
) -> tuple[_Draft | None, list[Problem]]:
    """Read one paper from the lines before its `·` and the line after it; `count` is the
    line before them that was taken for the paper's upvote count."""
    filled = [i for i, line in enumerate(region) if line.stripped]
    if not filled:
        message = f"'{SEPARATOR}' line has no paper before it"
        return None, [Problem(_at(separator, display_path), message)]
    credit = region[filled[-1]]
    body = region[filled[0] : filled[-1]]
    if not body:
        message = f"expected a title and an abstract before '{shorten(credit.stripped)}'"
        return None, [Problem(_at(credit, display_path), message)]
    if any(AUTHORS_LINE.match(line.stripped) for line in body):
        # An authors line among a paper's lines: the paper before lost its '·' and date.
        return None, [_truncated(body[0], display_path)]
    authors, organization, problem = _read_credit(credit, display_path, handles_shown)
    if problem:
        return None, [problem]
    title_lines, paragraphs = _title_and_abstract(body)
    title = " ".join(line.stripped for line in title_lines)
    if not paragraphs:
        message = f"entry '{shorten(title)}' has no abstract"
        hint = None
        if count is not None:
            hint = (
                f"line {count.number} ('{count.stripped}') before it is read as its upvote "
                "count, as a number is before every title of this copy"
            )
        return None, [Problem(_at(body[0], display_path), message, hint=hint)]
    if not after or not after[0].stripped:
        message = f"entry '{shorten(title)}' is truncated: no date after '{SEPARATOR}'"
        return None, [Problem(_at(separator, display_path), message)]
    date, comments, problem = _read_date_line(after[0], display_path)
    if problem or date is None:
        return None, [problem] if problem else []
    abstract = "\n\n".join(" ".join(line.stripped for line in p) for p in paragraphs)
    return _Draft(title, abstract, body[0], date, comments, authors, organization), []


def _title_and_abstract(lines: list[_Line]) -> tuple[list[_Line], list[list[_Line]]]:
    paragraphs: list[list[_Line]] = [[]]
    for line in lines:
        if line.stripped:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) > 1:
        return paragraphs[0], paragraphs[1:]
    first = paragraphs[0]
    return first[:1], [first[1:]] if len(first) > 1 else []


def _read_credit(
    line: _Line, display_path: str, handles_shown: bool
) -> tuple[Authors | None, Organization | None, Problem | None]:
    """Read `• N authors` or an organisation line (`handle Display Name` or ` Display Name`;
    without `handles_shown`, `Display Name` as a whole)."""
    text = line.stripped
    match = AUTHORS_LINE.match(text)
    if match:
        return Authors(count=author_count(match)), None, None
    if _BULLET.match(text):
        message = f"cannot read the authors line '{shorten(text)}' (expected like '• 33 authors')"
        return None, None, Problem(_at(line, display_path), message)
    if len(text) > _MAX_ORGANIZATION_LENGTH:
        message = (
            "expected an authors line ('• N authors') or an organisation line before "
            f"'{SEPARATOR}', got '{shorten(text)}'"
        )
        return None, None, Problem(_at(line, display_path), message)
    handle, _, name = text.partition(" ")
    name = name.strip()
    if line.text[0].isspace() or not name or not _HANDLE.match(handle) or not handles_shown:
        return None, Organization(name=text), None
    return None, Organization(name=name, handle=handle), None


def _spells_handle(name: str, handle: str) -> bool:
    """Tell whether the handle's letters and digits appear in `name` in order, case aside."""
    rest = iter(name.casefold())
    return all(char in rest for char in handle.casefold() if char.isalnum())


def _read_date_line(
    line: _Line, display_path: str
) -> tuple[ListingDate | None, int | None, Problem | None]:
    location = _at(line, display_path)
    match = _DATE_LINE.match(line.stripped)
    if match is None:
        _, problem = parse_listing_date(line.stripped, location)
        return None, None, problem
    date, problem = parse_listing_date(match.group("date"), location)
    comments = int(match.group("comments")) if match.group("comments") else None
    return date, comments, problem


def _truncated(title_line: _Line, display_path: str) -> Problem:
    message = (
        f"entry '{shorten(title_line.stripped)}' is truncated: "
        f"its '{SEPARATOR}' line and date are missing"
    )
    return Problem(_at(title_line, display_path), message)


def _first_text_line(lines: list[_Line]) -> _Line | None:
    return next((line for line in lines if line.stripped), None)


def _at(line: _Line, display_path: str) -> Location:
    return Location(display_path, line.number, line.column)
