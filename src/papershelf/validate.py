"""Turn a paper file's YAML into a `Paper`, collecting every problem instead of stopping early."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from papershelf.canonical import PAPER_KEYS
from papershelf.errors import Problem, Severity
from papershelf.load import CONTROL_CHARACTER, CONTROL_CHARACTER_HINT, YamlDocument
from papershelf.model import LINK_KINDS, Authors, Link, Organization, Paper, Provenance
from papershelf.text import SLUG_PATTERN, is_arxiv_id, make_slug

REQUIRED_KEYS = ("title", "published", "abstract")
# Keys, themes, tags, organizations and link kinds repeat in every paper: one string object each
# (sys.intern) holds tens of thousands of papers in less memory, and pickles them as references.
intern = sys.intern
_PROVENANCE_KEYS = ("source", "scraped_on", "imported")


def controls_possible_in(yaml_text: str) -> bool:
    """Tell whether values read from this YAML text may hold a control character: YAML refuses
    them raw, but for NEL, so only an escape (`"\\e"`) or a NEL can give one. Looking in each
    value of 10,000 papers cost 70 ms; this is a scan of bytes."""
    return "\\" in yaml_text or "\x85" in yaml_text


@functools.cache
def _line(key: str, line: int) -> tuple[str, int]:
    """Return the pair (key, line) of `Paper.lines`, one object for all papers with the key at
    that line: most papers' keys are on the same lines, and pickle writes a pair it has seen
    as a reference. Read back by every build, the papers' cache unpickled 20% faster (10k)."""
    return (intern(key), line)


@functools.lru_cache(maxsize=8192)
def _imported_pair(field: str, fingerprint: str) -> tuple[str, str]:
    """Return the pair (field, fingerprint) of `Provenance.imported`, one object for all the
    papers that have it: import fingerprints an empty value, a theme or a date alike for every
    paper, so most of a paper's pairs are some other paper's too (at 10,000 papers, 27,000
    distinct pairs of 110,000). Bounded: the pairs of abstracts and titles are each one paper's."""
    return (intern(field), fingerprint)


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """Return a hint naming the closest known word, if one is close enough."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class _Reader:
    """Reads typed values out of one document, recording a problem for each bad one."""

    def __init__(self, doc: YamlDocument, controls_possible: bool = True) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.controls_possible = controls_possible

    def error(self, key_path: tuple, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.doc.location(*key_path), message, hint))

    def warn(self, key_path: tuple, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.doc.location(*key_path), message, hint, Severity.WARNING))

    def unknown_keys(self, mapping: dict, allowed: tuple[str, ...], prefix: tuple = ()) -> None:
        for key in mapping:
            if key not in allowed:
                name = ".".join(str(p) for p in (*prefix, key))
                self.error((*prefix, key), f"unknown key '{name}'", did_you_mean(str(key), allowed))

    def string(self, key_path: tuple, value: Any, *, required: bool = False) -> str | None:
        if isinstance(value, str) and (not required or value.strip()):
            # The usual case first: a paper file has tens of thousands of values. A control
            # character is looked for only where one may be (see `paper_from_document`), and
            # searched for only in text that is not all printable (line breaks, no-break spaces).
            if (
                self.controls_possible
                and not value.isprintable()
                and (control := CONTROL_CHARACTER.search(value))
            ):
                self.error(
                    key_path,
                    f"control character U+{ord(control.group()):04X} in '{_name(key_path)}'",
                    hint=CONTROL_CHARACTER_HINT,
                )
                return None
            return value
        if value is None and not required:  # an optional key left out: the next most usual
            return None
        name = _name(key_path)
        if value is None:
            self.error(key_path, f"'{name}' must not be empty")
            return None
        if not isinstance(value, str):
            self.error(
                key_path,
                f"'{name}' must be text, got {_describe(value)}",
                hint="put the value in quotes",
            )
            return None
        self.error(key_path, f"'{name}' must not be empty")
        return None

    def date(self, key_path: tuple, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        name = _name(key_path)
        self.error(key_path, f"'{name}' must be a date YYYY-MM-DD, got {_describe(value)}")
        return None

    def count(self, key_path: tuple, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(
                key_path, f"'{_name(key_path)}' must be a whole number >= 0, got {_describe(value)}"
            )
            return None
        return value

    def mapping(self, key_path: tuple, value: Any) -> dict | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(key_path, f"'{_name(key_path)}' must be a mapping, got {_describe(value)}")
            return None
        return value

    def sequence(self, key_path: tuple, value: Any) -> list | None:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(key_path, f"'{_name(key_path)}' must be a list, got {_describe(value)}")
            return None
        return value


def _name(key_path: tuple) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in key_path).replace(".[", "[")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date)"
    kind = {int: "a whole number", float: "a number"}.get(type(value), f"a {type(value).__name__}")
    return f"{value!r} ({kind})"


def slug_for_path(path: str) -> str:
    """Return the file's name without its suffix, as `PurePath(path).stem` does (without making
    a path object for each of a list's files)."""
    name = os.path.basename(path)  # noqa: PTH119 (a str: a path object each costs more)
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def paper_from_document(
    doc: YamlDocument, *, controls_possible: bool = True
) -> tuple[Paper | None, list[Problem]]:
    """Validate a paper document's fields and types; return the paper (None if unusable).

    `controls_possible`: False when the document's text is known to hold no control character
    (see `controls_possible_in`), which spares looking for one in every value.
    """
    reader = _Reader(doc, controls_possible)
    data = doc.data
    if not isinstance(data, dict):
        reader.error(
            (),
            f"a paper file must be a mapping of keys to values, got {_describe(data)}",
            hint="start with 'title: ...'",
        )
        return None, reader.problems
    slug = slug_for_path(doc.path)
    if not SLUG_PATTERN.match(slug):
        reader.error(
            (),
            f"file name '{slug}' is not a slug (lowercase ASCII letters, digits, hyphens)",
            hint=f"rename the file to '{make_slug(slug)}.yaml'",
        )
    reader.unknown_keys(data, PAPER_KEYS)
    for key in REQUIRED_KEYS:
        if key not in data:
            reader.error((), f"missing required key '{key}'")
    title = reader.string(("title",), data.get("title"), required="title" in data)
    abstract = reader.string(("abstract",), data.get("abstract"), required="abstract" in data)
    published = reader.date(("published",), data["published"]) if "published" in data else None
    added = reader.date(("added",), data["added"]) if data.get("added") is not None else None
    arxiv = _arxiv(reader, data.get("arxiv"))
    theme = reader.string(("theme",), data.get("theme"))
    tags = _tags(reader, data.get("tags"))
    authors = _authors(reader, data.get("authors"))
    organization = _organization(reader, data.get("organization"))
    upvotes = reader.count(("upvotes",), data.get("upvotes"))
    comments = reader.count(("comments",), data.get("comments"))
    links = _links(reader, data.get("links"))
    notes = reader.string(("notes",), data.get("notes"))
    provenance = _provenance(reader, data.get("provenance"))
    if (
        any(p.is_error for p in reader.problems)
        or title is None
        or abstract is None
        or not published
    ):
        return None, reader.problems
    lines = tuple(_line(str(key), doc.positions.get((key,), (1, 1))[0]) for key in data)
    paper = Paper(
        slug=slug,
        title=title,
        abstract=abstract,
        published=published,
        path=doc.path,
        added=added,
        arxiv=arxiv,
        theme=None if theme is None else intern(theme),
        tags=tags,
        authors=authors,
        organization=organization,
        upvotes=upvotes,
        comments=comments,
        links=links,
        notes=notes,
        provenance=provenance,
        lines=lines,
    )
    return paper, reader.problems


def _arxiv(reader: _Reader, value: Any) -> str | None:
    if isinstance(value, float):
        reader.error(
            ("arxiv",),
            f"'arxiv' must be text, got {value!r} (a number)",
            hint="quote it so trailing zeros survive, e.g. arxiv: '2510.01230'",
        )
        return None
    text = reader.string(("arxiv",), value)
    if text is not None and not is_arxiv_id(text):
        reader.error(
            ("arxiv",),
            f"'arxiv' must be an arXiv id like '2511.09690', got {text!r}",
            hint="use the bare id, without 'arXiv:' or a version suffix",
        )
        return None
    return text


def _tags(reader: _Reader, value: Any) -> tuple[str, ...]:
    items = reader.sequence(("tags",), value) or []
    tags: list[str] = []
    for index, item in enumerate(items):
        tag = reader.string(("tags", index), item)
        if tag is None:
            continue
        if tag in tags:
            reader.error(("tags", index), f"tag '{tag}' is listed twice")
            continue
        tags.append(intern(tag))
    return tuple(tags)


def _authors(reader: _Reader, value: Any) -> Authors | None:
    mapping = reader.mapping(("authors",), value)
    if mapping is None:
        return None
    reader.unknown_keys(mapping, ("count", "names"), ("authors",))
    names = [
        name
        for index, item in enumerate(
            reader.sequence(("authors", "names"), mapping.get("names")) or []
        )
        if (name := reader.string(("authors", "names", index), item, required=True)) is not None
    ]
    count = reader.count(("authors", "count"), mapping.get("count"))
    if count is None:
        if "count" not in mapping and names:
            count = len(names)
        elif "count" not in mapping:
            reader.error(("authors",), "missing required key 'authors.count'")
            return None
        else:
            return None
    if names and count < len(names):
        reader.error(
            ("authors", "count"), f"'authors.count' is {count} but {len(names)} names are listed"
        )
    return Authors(count=count, names=tuple(names))


def _organization(reader: _Reader, value: Any) -> Organization | None:
    mapping = reader.mapping(("organization",), value)
    if mapping is None:
        return None
    reader.unknown_keys(mapping, ("handle", "name"), ("organization",))
    if "name" not in mapping:
        reader.error(("organization",), "missing required key 'organization.name'")
    name = reader.string(("organization", "name"), mapping.get("name"), required=True)
    handle = reader.string(("organization", "handle"), mapping.get("handle"))
    if not name:
        return None
    return Organization(name=intern(name), handle=None if handle is None else intern(handle))


def _links(reader: _Reader, value: Any) -> tuple[Link, ...]:
    links: list[Link] = []
    for index, item in enumerate(reader.sequence(("links",), value) or []):
        path = ("links", index)
        if isinstance(item, str):
            item = {"url": item}
        entry = reader.mapping(path, item)
        if entry is None:
            continue
        reader.unknown_keys(entry, ("url", "kind"), path)
        url = reader.string((*path, "url"), entry.get("url"), required=True)
        kind = reader.string((*path, "kind"), entry.get("kind", "other")) or "other"
        if kind not in LINK_KINDS:
            reader.error(
                (*path, "kind"),
                f"link kind must be one of {', '.join(LINK_KINDS)}, got {kind!r}",
                did_you_mean(kind, LINK_KINDS),
            )
        if url is not None:
            if not _is_web_url(url):
                reader.error(
                    (*path, "url"),
                    f"malformed URL {url!r}",
                    hint="links must be absolute http:// or https:// URLs",
                )
            else:
                links.append(Link(url=url, kind=intern(kind)))
    return tuple(links)


# A URL of this shape is one `_is_web_url` accepts (as nearly every link is), told without
# urlsplit's parse: 2% of the instructions of reading a paper file with one or two links.
_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#][!-~]*)?")


def _is_web_url(url: str) -> bool:
    if _PLAIN_WEB_URL.fullmatch(url):
        return True
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(ch.isspace() for ch in url)
    )


def _provenance(reader: _Reader, value: Any) -> Provenance | None:
    mapping = reader.mapping(("provenance",), value)
    if mapping is None:
        return None
    reader.unknown_keys(mapping, _PROVENANCE_KEYS, ("provenance",))
    source = reader.string(("provenance", "source"), mapping.get("source"), required=True)
    scraped_on = None
    if mapping.get("scraped_on") is not None:
        scraped_on = reader.date(("provenance", "scraped_on"), mapping["scraped_on"])
    imported = reader.mapping(("provenance", "imported"), mapping.get("imported")) or {}
    pairs = tuple(sorted(_imported_pair(str(k), str(v)) for k, v in imported.items()))
    return Provenance(source=intern(source or ""), scraped_on=scraped_on, imported=pairs)


Check = Callable[[Paper], list[Problem]]
