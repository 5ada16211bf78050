"""Scraped paper listings in, `Scrape` values out: one parser per format, chosen from the content.

Formats: `hf-text` (the text copy of a Hugging Face papers page), `hf-html` (its HTML) and
`hf-json` (the daily-papers API). Bad input gives problems with a file and line, never an
exception and never part of a listing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from papershelf.errors import Location, Problem
from papershelf.load import read_text
from papershelf.model import Scrape
from papershelf.sources.hf_json import parse_hf_json
from papershelf.sources.hf_text import SEPARATOR, looks_like_hf_text, parse_hf_text

FORMATS = ("hf-text", "hf-html", "hf-json")

__all__ = ["FORMATS", "detect_format", "parse_scrape", "read_scrape"]


def read_scrape(
    path: Path,
    display_path: str,
    *,
    format: str | None = None,
    scraped_on: dt.date | None = None,
) -> tuple[Scrape | None, list[Problem]]:
    """Read a scraped listing file; `format` overrides detection, `scraped_on` dates it."""
    text, problem = read_text(path, display_path)
    if text is None:
        return None, [problem] if problem else []
    return parse_scrape(text, display_path, format=format, scraped_on=scraped_on)


def parse_scrape(
    text: str,
    display_path: str,
    *,
    format: str | None = None,
    scraped_on: dt.date | None = None,
) -> tuple[Scrape | None, list[Problem]]:
    """Parse a listing's text; messages name `display_path`."""
    start = Location(display_path, 1, 1)
    if format is not None and format not in FORMATS:
        expected = ", ".join(FORMATS)
        return None, [Problem(start, f"unknown format '{format}' (expected one of {expected})")]
    if not text.strip():
        return None, [Problem(start, "file is empty", hint="expected a scraped papers listing")]
    chosen = format or detect_format(text)
    if chosen == "hf-json":
        return parse_hf_json(text, display_path, scraped_on=scraped_on)
    if chosen == "hf-html":
        # Imported here: BeautifulSoup takes ~0.1 s to import, which text listings do not need.
        from papershelf.sources.hf_html import parse_hf_html

        return parse_hf_html(text, display_path, scraped_on=scraped_on)
    if chosen == "hf-text":
        control = _CONTROL_CHARACTER.search(text)
        if control is not None:
            return None, [_control_character_problem(text, control.start(), display_path)]
        return parse_hf_text(text, display_path, scraped_on=scraped_on)
    first = text[: len(text) - len(text.lstrip())].count("\n") + 1
    return None, [
        Problem(
            Location(display_path, first, 1),
            "unknown scrape format: expected the JSON or HTML of a Hugging Face papers page, "
            "or its text copy with '·' lines before each date",
            hint="pass --format " + ", ".join(FORMATS[:-1]) + " or " + FORMATS[-1],
        )
    ]


# C0 controls other than whitespace, and DEL: no page's text has them, and they would reach the
# site's HTML. A terminal's colour codes (ESC) are the usual source. Only text copies are
# checked: a saved page's scripts may hold them, and JSON strings cannot.
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _control_character_problem(text: str, offset: int, display_path: str) -> Problem:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Problem(
        Location(display_path, line, column),
        f"control character U+{ord(text[offset]):04X} in the listing",
        hint="copy the page again as plain text, or delete the character (a terminal's colour "
        "codes start with U+001B)",
    )


def detect_format(text: str) -> str | None:
    """Name the format of a listing from its content, or None when it is none of them."""
    start = text.lstrip()[:1]
    if start == "<":
        return "hf-html"
    if start in ("[", "{"):
        # A text copy may start at a title such as '[Re] Reproducing ...'; JSON never has a line
        # that is only '·'. Looking for the character first keeps big JSON files fast.
        return "hf-text" if SEPARATOR in text and looks_like_hf_text(text) else "hf-json"
    if looks_like_hf_text(text):
        return "hf-text"
    return None
