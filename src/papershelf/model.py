"""Frozen data types that flow between the pipeline stages. No I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from papershelf.errors import Location

# Link kinds, in the order a paper page lists them.
LINK_KINDS = ("paper", "code", "data", "model", "project", "other")


@dataclass(frozen=True, slots=True)
class Authors:
    """Who wrote a paper: the listing always gives a count, sometimes the names."""

    count: int
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Organization:
    """The organisation a listing credits; the Hugging Face handle is missing in some scrapes."""

    name: str
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    kind: str = "other"


@dataclass(frozen=True)
class ScrapedEntry:
    """One paper as a scraped listing shows it, before curation."""

    title: str
    abstract: str
    published: dt.date
    location: Location
    authors: Authors | None = None
    organization: Organization | None = None
    comments: int | None = None
    upvotes: int | None = None
    arxiv: str | None = None
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Scrape:
    """A whole scraped listing: where it came from, when, and its entries in page order."""

    path: str
    format: str
    scraped_on: dt.date | None
    entries: tuple[ScrapedEntry, ...]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a paper file came from, and fingerprints of the values import last wrote.

    A field whose current value still matches its fingerprint is import's to refresh; any other
    value was set by a curator and is never overwritten.
    """

    source: str
    scraped_on: dt.date | None = None
    imported: tuple[tuple[str, str], ...] = ()

    def fingerprint(self, name: str) -> str | None:
        return dict(self.imported).get(name)


@dataclass(frozen=True, slots=True)
class Paper:
    """One curated paper, as its content file describes it. `slug` is the file name's stem."""

    slug: str
    title: str
    abstract: str
    published: dt.date
    path: str = ""
    added: dt.date | None = None
    arxiv: str | None = None
    theme: str | None = None
    tags: tuple[str, ...] = ()
    authors: Authors | None = None
    organization: Organization | None = None
    upvotes: int | None = None
    comments: int | None = None
    links: tuple[Link, ...] = ()
    notes: str | None = None
    provenance: Provenance | None = None
    # Line of each top-level key in the content file, for messages that point into it.
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 1)

    def location_of(self, key: str) -> Location:
        """Return where a top-level key of the paper's file starts (the file's start if absent)."""
        return Location(self.path, self.line_of(key), 1)

    @property
    def code_links(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.kind == "code")


@dataclass(frozen=True)
class Rule:
    """A classification rule: a regular expression, where to look for it, and what a match adds."""

    pattern: str
    weight: float = 1.0
    fields: tuple[str, ...] = ("title", "abstract")


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    description: str
    rules: tuple[Rule, ...] = ()
    # Themes listed here lose to this one when both match: a speech model being adapted stays
    # in speech, so `speech` and `vision-language` outrank `adaptation`.
    outranks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tag:
    id: str
    title: str
    description: str = ""
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """Themes and tags as `content/themes.yaml` declares them, in declaration order."""

    themes: tuple[Theme, ...]
    tags: tuple[Tag, ...]
    min_theme_score: float = 3.0
    min_tag_score: float = 1.0
    # A match in the title counts this many times its weight: titles name what a paper is about.
    title_weight: float = 2.0
    # The leading theme must beat the runner-up by this much, or the paper is left unthemed.
    min_margin: float = 2.0

    def __hash__(self) -> int:
        # Classification looks its compiled rules up by taxonomy once per paper; hashing every
        # rule each time would cost more than classifying. Equal taxonomies have equal ids.
        return hash((tuple(t.id for t in self.themes), tuple(t.id for t in self.tags)))

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def tag(self, tag_id: str) -> Tag | None:
        return next((t for t in self.tags if t.id == tag_id), None)
