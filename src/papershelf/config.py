"""Read and check `content/site.yaml`: every setting is declared once below, typed, defaulted and
documented; unknown keys are errors with a did-you-mean."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from papershelf.content import display_path
from papershelf.errors import Location, Problem
from papershelf.load import CONTROL_CHARACTER, load_yaml
from papershelf.urls import normalize_base_url
from papershelf.validate import did_you_mean

# A value checker returns the cleaned value, or raises ValueError with what was expected.
Checker = Callable[[Any], Any]

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("text")
    if CONTROL_CHARACTER.search(value):  # it would reach every page (see CONTROL_CHARACTER)
        raise ValueError("text without control characters")
    return value.strip()


def _title(value: Any) -> str:
    text = _text(value)
    if not text:
        raise ValueError("non-empty text")
    return text


def _web_url(value: Any) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(ch.isspace() for ch in value)
    ):
        raise ValueError("an absolute http:// or https:// URL without query or fragment")
    return value


def _base_url(value: Any) -> str:
    return normalize_base_url(_web_url(value))


def _optional_url(value: Any) -> str:
    return "" if value in (None, "") else _web_url(value)


def _language(value: Any) -> str:
    if not isinstance(value, str) or not _LANGUAGE.match(value):
        raise ValueError("a language tag such as 'en' or 'pt-BR'")
    return value


def _count(minimum: int) -> Checker:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"a whole number >= {minimum}")
        return value

    return check


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _setting(check: Checker, doc: str, default: Any = dataclasses.MISSING) -> Any:
    return field(default=default, metadata={"check": check, "doc": doc})


@dataclass(frozen=True)
class SiteConfig:
    """The site settings. The README's settings table is generated from these declarations."""

    title: str = _setting(_title, "Name of the reading list: header, page titles, feed titles.")
    base_url: str = _setting(
        _base_url,
        "Absolute URL the site is published at, e.g. `https://owner.github.io/reading-list/`. "
        "Every link is made under its path; `--base-url` overrides it.",
    )
    description: str = _setting(
        _text, "One sentence saying what the list is: meta description and feed descriptions.", ""
    )
    intro: str = _setting(_text, "Markdown shown under the title on the home page.", "")
    language: str = _setting(_language, "Language of the pages and feeds (BCP 47).", "en")
    author: str = _setting(
        _text, "Who curates the list: feed author and page footer (default: the title).", ""
    )
    repository_url: str = _setting(
        _optional_url, "Where the list's source lives; linked from the footer (optional).", ""
    )
    feed_size: int = _setting(_count(1), "Papers in each feed, newest additions first.", 50)
    home_newest: int = _setting(_count(0), "Newest additions shown on the home page.", 10)
    home_theme_papers: int = _setting(
        _count(0), "Newest papers listed under each theme on the home page.", 3
    )
    papers_per_page: int = _setting(
        _count(0),
        "Papers on each page of a theme or tag; more continue on `page/2/`, `page/3/` and so "
        "on. 0 puts them all on one page.",
        50,
    )
    related_papers: int = _setting(_count(0), "Related papers shown on a paper's page.", 5)
    excerpt_length: int = _setting(
        _count(40), "Characters of the abstract shown on a paper's card.", 280
    )
    search: bool = _setting(
        _flag,
        "Build a search page and a search box in the header, indexed with Pagefind at build "
        "time (the search page needs JavaScript; theme and tag pages do not).",
        True,
    )
    search_part_papers: int = _setting(
        _count(1),
        "Papers in each part of the search index: a longer list is indexed in parts (2, 4, 8, "
        "...), and an edit indexes its paper's part again, not every paper.",
        1000,
    )

    @property
    def feed_author(self) -> str:
        return self.author or self.title


SETTINGS = tuple(dataclasses.fields(SiteConfig))
SETTING_NAMES = tuple(setting.name for setting in SETTINGS)


def _is_required(setting: dataclasses.Field) -> bool:
    return setting.default is dataclasses.MISSING


def load_config(path: Path, base_url: str | None = None) -> tuple[SiteConfig | None, list[Problem]]:
    """Read the site settings; `base_url`, when given, replaces the file's (the `--base-url`)."""
    shown = display_path(path)
    if not path.is_file():
        return None, [
            Problem(
                Location(shown),
                "site settings file is missing",
                hint="create it with at least 'title' and 'base_url'",
            )
        ]
    doc, problems = load_yaml(path, shown)
    if doc is None:
        return None, problems
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        return None, [
            *problems,
            Problem(Location(shown, 1, 1), "site settings must be a mapping of keys to values"),
        ]
    for key in data:
        if key not in SETTING_NAMES:
            problems.append(
                Problem(
                    doc.location(key),
                    f"unknown setting '{key}'",
                    did_you_mean(str(key), SETTING_NAMES),
                )
            )
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        override = base_url if setting.name == "base_url" else None
        if override is not None:
            raw, where = override, Location("--base-url")
        elif setting.name in data:
            raw, where = data[setting.name], doc.location(setting.name)
        elif _is_required(setting):
            problems.append(Problem(Location(shown, 1, 1), f"missing setting '{setting.name}'"))
            continue
        else:
            continue
        try:
            values[setting.name] = setting.metadata["check"](raw)
        except ValueError as exc:
            problems.append(Problem(where, f"'{setting.name}' must be {exc}, got {_describe(raw)}"))
    if any(p.is_error for p in problems):
        return None, problems
    return SiteConfig(**values), problems


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str | int | float):
        return repr(value)
    return f"a {type(value).__name__}"


def settings_reference() -> str:
    """Return the settings as a Markdown table (for the README)."""
    rows = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        default = "required" if _is_required(setting) else f"`{setting.default!r}`"
        rows.append(f"| `{setting.name}` | {default} | {setting.metadata['doc']} |")
    return "\n".join(rows) + "\n"
