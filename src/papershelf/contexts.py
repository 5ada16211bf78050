"""The values templates receive: one frozen context type per template, and the small view types
they hold. A template sees its context's fields as variables (see `templates.render_template`).

Only data: the views are made in views.py, the pages' contexts in render.py.

Named tuples, not frozen dataclasses: Python makes a dataclass's methods by compiling source
when the module is imported, 1 to 2 ms a class, and every build that renders imports these (a
twentieth of a 10,000-paper edit build went on it); a named tuple is made in a tenth of that,
and each instance faster too.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from markupsafe import Markup

from papershelf.citations import Citation
from papershelf.stats import Chart, Totals

# ---------------------------------------------------------------- views shared by the templates


class TermView(NamedTuple):
    """A theme or tag as a link."""

    id: str
    title: str
    href: str


class LinkView(NamedTuple):
    kind: str
    label: str
    href: str
    text: str


class PaperView(NamedTuple):
    """Everything a template shows about one paper."""

    slug: str
    href: str
    title: str
    published: dt.date
    added: dt.date
    byline: str
    authors: str
    organization: str | None
    theme: TermView | None
    tags: tuple[TermView, ...]
    excerpt: str
    abstract_html: Markup
    notes_html: Markup | None
    links: tuple[LinkView, ...]
    paper_link: LinkView | None
    code_link: LinkView | None
    arxiv: str | None
    upvotes: int | None
    comments: int | None
    bibtex: str


class PaperLink(NamedTuple):
    """A paper in a short list (related papers, a year of the archive): its page, title and
    date. Only these, so that a page listing papers this way is made from them alone (see
    `digests.link_identity`)."""

    href: str
    title: str
    published: dt.date


class PaperBrief(NamedTuple):
    """What lists show of a paper: its link, title and date, and its card as card.html rendered
    it. Kept apart from the PaperView, so that a build re-rendering a listing reads a few small
    values per paper rather than every paper's whole view."""

    href: str
    title: str
    published: dt.date
    # As card.html rendered it, in UTF-8: one character beyond Latin-1 (the excerpt's "…")
    # makes Python hold a whole string at two or four bytes a character, and a cold build holds
    # every card at once for the listings (10,000 cards: 8.6 MB in UTF-8, 18 MB as strings).
    card_utf8: bytes

    @property
    def card(self) -> Markup:
        # Decoded into Markup when a template shows it, in one step: a brief held as Markup
        # would be a second copy of the card the cache holds.
        return Markup(self.card_utf8, "utf-8")


class FeedLink(NamedTuple):
    kind: str
    label: str
    media_type: str
    href: str


class FeedSet(NamedTuple):
    """The three feeds of one page: `name` is what they follow ("Speech"), `title` the feeds'."""

    name: str
    title: str
    links: tuple[FeedLink, ...]


class NavItem(NamedTuple):
    label: str
    href: str
    route: str


class SiteView(NamedTuple):
    """The site-wide values every page shows (header, navigation, footer)."""

    title: str
    description: str
    language: str
    author: str
    home_href: str
    stylesheet_href: str
    favicon_href: str
    tags_href: str
    archive_href: str
    feeds_href: str
    opml_href: str
    nav: tuple[NavItem, ...]
    feeds: FeedSet
    repository_url: str
    manifest_href: str = ""
    touch_icon_href: str = ""
    # Absolute: link previews fetch it from other sites.
    share_image: str = ""
    # None when the site has no search (`search: false`).
    search_href: str | None = None
    bibliography_href: str = ""


class PageMeta(NamedTuple):
    """One page's head: `canonical` is absolute; `feeds` get autodiscovery `<link>`s."""

    title: str
    description: str
    route: str
    canonical: str | None
    feeds: tuple[FeedSet, ...] = ()
    indexable: bool = True
    # The page's own name, without the site's (for link previews).
    name: str = ""
    # Open Graph type: "article" for a paper's page.
    kind: str = "website"
    # On a later page of a theme's or tag's listing: the route of its first page, which the
    # main navigation marks as the current section, and the pages before and after it.
    section: str | None = None
    previous_href: str | None = None
    next_href: str | None = None


# ---------------------------------------------------------------- one context type per template


class CardContext(NamedTuple):
    """card.html: one paper's card, rendered once and reused on every listing."""

    paper: PaperView


class ThemeSummary(NamedTuple):
    theme: TermView
    description: str
    count: int
    newest: tuple[PaperBrief, ...]
    feeds: FeedSet


class HomePage(NamedTuple):
    """home.html: what the list is, its themes, newest additions and every feed."""

    site: SiteView
    page: PageMeta
    intro_html: Markup
    paper_count: int
    themes: tuple[ThemeSummary, ...]
    unthemed_count: int
    newest: tuple[PaperBrief, ...]
    theme_feeds: tuple[FeedSet, ...]
    tag_feeds: tuple[FeedSet, ...]


class PageNumber(NamedTuple):
    """One entry of a listing's page navigation: a page's number and link, or, with `number`
    None, a gap standing for the pages left out between its neighbours."""

    number: int | None
    href: str = ""
    current: bool = False


class Pagination(NamedTuple):
    """Where one page of a theme's or tag's listing sits among its pages (with more than one):
    its number, the papers it shows (`first` to `last`, counted from 1 over the whole listing)
    and the links to the other pages."""

    number: int
    count: int
    first: int
    last: int
    previous_href: str | None
    next_href: str | None
    pages: tuple[PageNumber, ...]


class ListingPage(NamedTuple):
    """theme.html and tag.html: one page of a theme's or tag's papers, newest first."""

    site: SiteView
    page: PageMeta
    term: TermView
    description: str
    # The papers on this page, and how many the theme or tag has on all its pages.
    papers: tuple[PaperBrief, ...]
    count: int
    feeds: FeedSet
    # The theme's papers as one BibTeX file ("" for a tag).
    bibtex_href: str = ""
    # None when the listing fits on one page (`papers_per_page`).
    pagination: Pagination | None = None


class TagCount(NamedTuple):
    tag: TermView
    description: str
    count: int


class TagsPage(NamedTuple):
    """tags.html: every tag with its number of papers."""

    site: SiteView
    page: PageMeta
    tags: tuple[TagCount, ...]


class PaperPage(NamedTuple):
    """paper.html: one paper in full, with related papers and a citation."""

    site: SiteView
    page: PageMeta
    paper: PaperView
    related: tuple[PaperLink, ...]
    citation: Citation
    # The script that adds a "Copy BibTeX" button (progressive enhancement).
    copy_script_href: str


class StatsPage(NamedTuple):
    """stats.html: charts of the list, drawn at build time (see stats.py)."""

    site: SiteView
    page: PageMeta
    totals: Totals
    charts: tuple[Chart, ...]


class SearchPage(NamedTuple):
    """search.html: the search form and its results (search.js and Pagefind fill them in)."""

    site: SiteView
    page: PageMeta
    themes: tuple[TermView, ...]
    paper_count: int
    # Pagefind's script, which finds its index beside it, and the other parts of the index.
    bundle_href: str
    part_hrefs: tuple[str, ...]
    script_href: str


class YearLink(NamedTuple):
    """A year of the archive as a link to its page."""

    year: int
    href: str


class YearCount(NamedTuple):
    """A year on the archive's index: its page and how many papers were published in it."""

    year: int
    href: str
    count: int


class ArchivePage(NamedTuple):
    """archive.html: the archive's index, every year with papers and its count, newest first
    (the papers themselves are on the years' pages)."""

    site: SiteView
    page: PageMeta
    paper_count: int
    years: tuple[YearCount, ...]


class YearPage(NamedTuple):
    """year.html: the papers published in one year, newest first, and the years beside it
    that have papers (`newer`, `older`: None for the newest and the oldest)."""

    site: SiteView
    page: PageMeta
    year: int
    papers: tuple[PaperLink, ...]
    newer: YearLink | None
    older: YearLink | None


class NotFoundPage(NamedTuple):
    """404.html: served for any missing page, so every link in it is absolute."""

    site: SiteView
    page: PageMeta
