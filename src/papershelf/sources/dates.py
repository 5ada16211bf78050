"""Dates as Hugging Face listings print them ('Nov 12, 2025', 'May 30'), and their years.

A listing writes dates of the current year without one ('May 30') and earlier years in full
('Nov 12, 2025'). Which year is current is never taken from today's clock, only from the input:

1. `--scraped-on` (the `scraped_on` argument) when given: its year is the current year.
2. Else the page date (the listing's own day label, or its ISO `dateString` in HTML): a full
   date is the scrape day; a year-less one ('Jan 5') is the scrape day in the current year.
3. The current year, when neither gives it, is one more than the newest year written out in the
   listing, because Hugging Face writes out only earlier years.
4. If no rule applies and some entry needs a year, that is an error asking for `--scraped-on`.
   Rule 3 is a guess (the page may be from any later year), so it comes with a warning.

The scrape day (`Scrape.scraped_on`) is `scraped_on`, else the page date so resolved, else None.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from papershelf.errors import Location, Problem, Severity

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

# A listing date, optionally after the trending page's "Published on". Shared with the text
# parser, which adds the comment count that may follow it.
# A copy may lose the comma before the year ('Dec 19 2023'); four digits there are a year, as no
# paper has a thousand comments.
DATE_PATTERN = (
    r"(?:Published on\s+)?(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2})"
    r"(?:(?:,\s*|\s+)(?P<year>\d{4})(?!\d))?"
)
_DATE = re.compile(rf"^{DATE_PATTERN}$")
EXPECTED_DATE = "expected like 'Nov 12, 2025' or 'May 30'"


@dataclass(frozen=True)
class ListingDate:
    """A date as a listing shows it; `year` is None when the listing left it out."""

    month: int
    day: int
    year: int | None
    text: str
    location: Location


def looks_like_date(text: str) -> bool:
    """Tell whether `text` is shaped like a listing date (the month name is not checked)."""
    return bool(_DATE.match(text.strip()))


def parse_listing_date(text: str, location: Location) -> tuple[ListingDate | None, Problem | None]:
    """Read 'Nov 12, 2025', 'May 30' or 'Published on Jun 2, 2026'."""
    text = text.strip()
    match = _DATE.match(text)
    month = _MONTHS.get(match.group("month").lower()) if match else None
    year = int(match.group("year")) if match and match.group("year") else None
    if match is None or month is None or year == 0:
        return None, Problem(location, f"cannot read date '{text}' ({EXPECTED_DATE})")
    day = int(match.group("day"))
    # Without a year, February may still have a 29th; the year check comes once it is known.
    last_day = calendar.monthrange(year or 2000, month)[1]
    if not 1 <= day <= last_day:
        return None, _no_such_day(text, month, day, year, location)
    return ListingDate(month, day, year, text, location), None


def parse_iso_date(value: str) -> dt.date | None:
    """Read an ISO 8601 date or timestamp ('2025-11-12T18:59:59.000Z'); its UTC day."""
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return stamp.date()


@dataclass(frozen=True)
class ResolvedDates:
    dates: tuple[dt.date, ...]
    scraped_on: dt.date | None


def resolve_dates(
    dates: Sequence[ListingDate],
    *,
    page_date: ListingDate | dt.date | None,
    scraped_on: dt.date | None,
) -> tuple[ResolvedDates | None, list[Problem]]:
    """Give every listing date its year by the rules in this module's docstring."""
    problems: list[Problem] = []
    written_years = [d.year for d in dates if d.year is not None]
    if isinstance(page_date, ListingDate) and page_date.year is not None:
        written_years.append(page_date.year)
    current_year = _current_year(page_date, scraped_on, written_years)

    page_day: dt.date | None = page_date if isinstance(page_date, dt.date) else None
    if isinstance(page_date, ListingDate) and current_year is not None:
        page_day, problem = _as_date(page_date, page_date.year or current_year)
        if problem:
            problems.append(problem)

    resolved: list[dt.date] = []
    needing_year = [d for d in dates if d.year is None]
    if needing_year and current_year is None:
        first = needing_year[0]
        problems.append(
            Problem(
                first.location,
                f"date '{first.text}' has no year, and the listing has no date with a year "
                "to infer it from",
                hint="pass --scraped-on YYYY-MM-DD, the day the page was saved",
            )
        )
        return None, problems
    scrape_day = scraped_on or page_day
    for listing_date in dates:
        day, problem = _as_date(listing_date, listing_date.year or current_year)
        if problem is None and day is not None:
            problem = _after_scrape_day(listing_date, day, scrape_day)
        if problem:
            problems.append(problem)
        elif day is not None:
            resolved.append(day)
    if problems:
        return None, problems
    guessed = _guessed_year_warning(page_date, scraped_on, needing_year, current_year)
    return ResolvedDates(tuple(resolved), scrape_day), [guessed] if guessed else []


def _guessed_year_warning(
    page_date: ListingDate | dt.date | None,
    scraped_on: dt.date | None,
    needing_year: list[ListingDate],
    current_year: int | None,
) -> Problem | None:
    """Warn when year-less dates got their year by rule 3 alone: the page may be from a later
    year than the one after its newest written-out year, and nothing in it would tell."""
    year_less_page = isinstance(page_date, ListingDate) and page_date.year is None
    if scraped_on is not None or isinstance(page_date, dt.date) or current_year is None:
        return None
    if isinstance(page_date, ListingDate) and not year_less_page:
        return None
    first = page_date if year_less_page else (needing_year[0] if needing_year else None)
    if not isinstance(first, ListingDate):
        return None
    return Problem(
        first.location,
        f"dates without a year are taken to be in {current_year}, the year after the newest "
        "one the listing writes out",
        hint="pass --scraped-on YYYY-MM-DD, the day the page was saved, to be sure",
        severity=Severity.WARNING,
    )


def _current_year(
    page_date: ListingDate | dt.date | None, scraped_on: dt.date | None, written_years: list[int]
) -> int | None:
    if scraped_on is not None:
        return scraped_on.year
    if isinstance(page_date, dt.date):
        return page_date.year
    if isinstance(page_date, ListingDate) and page_date.year is not None:
        return page_date.year
    if written_years:
        return max(written_years) + 1
    return None


def _as_date(listing_date: ListingDate, year: int | None) -> tuple[dt.date | None, Problem | None]:
    if year is None:  # pragma: no cover - callers check for a year first
        return None, None
    try:
        return dt.date(year, listing_date.month, listing_date.day), None
    except ValueError:
        return None, _no_such_day(
            listing_date.text, listing_date.month, listing_date.day, year, listing_date.location
        )


def _after_scrape_day(
    listing_date: ListingDate, day: dt.date, scrape_day: dt.date | None
) -> Problem | None:
    """Refuse a date after the day the page was saved: a listing shows only papers already
    published, so the year given to year-less dates (or `--scraped-on`) is wrong."""
    # A day of slack: `publishedAt` is a UTC day, the page's own day is Hugging Face's.
    if scrape_day is None or day <= scrape_day + dt.timedelta(days=1):
        return None
    return Problem(
        listing_date.location,
        f"date '{listing_date.text}' ({day.isoformat()}) is after the day the page was saved "
        f"({scrape_day.isoformat()})",
        hint="pass (or correct) --scraped-on YYYY-MM-DD, the day the page was saved",
    )


def _no_such_day(text: str, month: int, day: int, year: int | None, location: Location) -> Problem:
    month_name = calendar.month_name[month] + (f" {year}" if year is not None else "")
    return Problem(location, f"cannot read date '{text}': {month_name} has no day {day}")
