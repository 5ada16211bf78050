"""Render the HTML pages from templates/ with Jinja (autoescape and StrictUndefined on).

Each template gets one documented context type below; templates see its fields as variables.
Per-paper text (plain title, abstract HTML, excerpt, citation) is derived once here and shared
with the feeds, and each paper's card is rendered once and reused on every listing page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from papershelf import urls
from papershelf.cache import BuildCache, digest_text
from papershelf.catalog import Catalog, added_on
from papershelf.citations import (
    CITATIONS_SOURCE,
    Citation,
    bibliographies,
    bibliography,
    paper_citation,
    paper_citation_files,
)
from papershelf.config import SiteConfig
from papershelf.content import display_path
from papershelf.errors import Location, Problem
from papershelf.model import Paper, Tag, Taxonomy, Theme
from papershelf.pagequeue import Carry, PageQueue, QueuedFiles, QueuedPage
from papershelf.sharing import SHARE_IMAGE
from papershelf.sitewriter import StoredFile
from papershelf.stats import Chart, Totals, build_charts, totals
from papershelf.text import arxiv_url, latex_to_plain
from papershelf.urls import FEED_KINDS, FEED_LABELS, FEED_MEDIA_TYPES, SiteUrls, external_href
from papershelf.write import OutputFile

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Templates a site needs; the layout and macros are checked with them.
PAGE_TEMPLATES = (
    "home.html",
    "theme.html",
    "tag.html",
    "tags.html",
    "paper.html",
    "archive.html",
    "404.html",
    "card.html",
)
# The statistics page, and the search page when `search` is on.
FEATURE_TEMPLATES = ("stats.html", "search.html")
SUPPORT_TEMPLATES = ("base.html", "macros.html")
STATIC_DIR = "static"

LINK_LABELS = {
    "paper": "Paper",
    "code": "Code",
    "data": "Data",
    "model": "Model",
    "project": "Project page",
    "other": "Link",
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BARE_LATEX_SPECIAL = re.compile(r"(?<!\\)([%&#])")


# ---------------------------------------------------------------- shared views of the content


@dataclass(frozen=True)
class PaperText:
    """A paper's text as readers see it: LaTeX resolved, Markdown rendered with raw HTML off."""

    title: str
    abstract_html: Markup
    excerpt: str
    notes_html: Markup | None


@dataclass(frozen=True)
class TermView:
    """A theme or tag as a link."""

    id: str
    title: str
    href: str


@dataclass(frozen=True)
class LinkView:
    kind: str
    label: str
    href: str
    text: str


@dataclass(frozen=True)
class PaperView:
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


@dataclass(frozen=True)
class PaperLink:
    """A paper in a short list (related papers, the archive): its page, title and date. Only
    these, so that a page listing papers this way is made from them alone (see
    `_link_identity`)."""

    href: str
    title: str
    published: dt.date


@dataclass(frozen=True)
class PaperBrief:
    """What lists show of a paper: its link, title and date, its card as card.html rendered it,
    and its BibTeX entry. Kept apart from the PaperView, so that a build re-rendering a listing
    reads a few small values per paper rather than every paper's whole view."""

    href: str
    title: str
    published: dt.date
    card: Markup
    bibtex: str


@dataclass(frozen=True)
class FeedLink:
    kind: str
    label: str
    media_type: str
    href: str


@dataclass(frozen=True)
class FeedSet:
    """The three feeds of one page: `name` is what they follow ("Speech"), `title` the feeds'."""

    name: str
    title: str
    links: tuple[FeedLink, ...]


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    route: str


@dataclass(frozen=True)
class SiteView:
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


@dataclass(frozen=True)
class PageMeta:
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


@dataclass(frozen=True)
class CardContext:
    """card.html: one paper's card, rendered once and reused on every listing."""

    paper: PaperView


@dataclass(frozen=True)
class ThemeSummary:
    theme: TermView
    description: str
    count: int
    newest: tuple[PaperBrief, ...]
    feeds: FeedSet


@dataclass(frozen=True)
class HomePage:
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


@dataclass(frozen=True)
class PageNumber:
    """One entry of a listing's page navigation: a page's number and link, or, with `number`
    None, a gap standing for the pages left out between its neighbours."""

    number: int | None
    href: str = ""
    current: bool = False


@dataclass(frozen=True)
class Pagination:
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


@dataclass(frozen=True)
class ListingPage:
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


@dataclass(frozen=True)
class TagCount:
    tag: TermView
    description: str
    count: int


@dataclass(frozen=True)
class TagsPage:
    """tags.html: every tag with its number of papers."""

    site: SiteView
    page: PageMeta
    tags: tuple[TagCount, ...]


@dataclass(frozen=True)
class PaperPage:
    """paper.html: one paper in full, with related papers and a citation."""

    site: SiteView
    page: PageMeta
    paper: PaperView
    related: tuple[PaperLink, ...]
    citation: Citation
    # The script that adds a "Copy BibTeX" button (progressive enhancement).
    copy_script_href: str


@dataclass(frozen=True)
class StatsPage:
    """stats.html: charts of the list, drawn at build time (see stats.py)."""

    site: SiteView
    page: PageMeta
    totals: Totals
    charts: tuple[Chart, ...]


@dataclass(frozen=True)
class SearchPage:
    """search.html: the search form and its results (search.js and Pagefind fill them in)."""

    site: SiteView
    page: PageMeta
    themes: tuple[TermView, ...]
    paper_count: int
    # Pagefind's script, which finds its index beside it.
    bundle_href: str
    script_href: str


@dataclass(frozen=True)
class YearGroup:
    year: int
    anchor: str
    papers: tuple[PaperLink, ...]


@dataclass(frozen=True)
class ArchivePage:
    """archive.html: every paper by year of publication, newest first."""

    site: SiteView
    page: PageMeta
    years: tuple[YearGroup, ...]


@dataclass(frozen=True)
class NotFoundPage:
    """404.html: served for any missing page, so every link in it is absolute."""

    site: SiteView
    page: PageMeta


# ---------------------------------------------------------------- templates


def load_templates(
    templates_dir: Path, compiled_dir: Path | None = None
) -> tuple[jinja2.Environment | None, list[Problem]]:
    """Create the Jinja environment and compile every template once, reporting syntax errors.

    With `compiled_dir`, compiled templates are kept there for the next build, by the digest of
    their source; the directory must be one for this code (the options below are not in the key).
    """
    if not templates_dir.is_dir():
        return None, [
            Problem(Location(display_path(templates_dir)), "templates directory not found")
        ]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(compiled_dir),
    )
    env.filters["date"] = format_date
    env.filters["plural"] = plural
    problems: list[Problem] = []
    for name in (*SUPPORT_TEMPLATES, *PAGE_TEMPLATES, *FEATURE_TEMPLATES):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = display_path(Path(exc.filename)) if exc.filename else f"{templates_dir}/{name}"
            problems.append(
                Problem(Location(where, exc.lineno or 0), f"template error: {exc.message}")
            )
        except jinja2.TemplateNotFound as exc:
            problems.append(
                Problem(
                    Location(display_path(templates_dir / name)),
                    f"template '{exc.name}' not found",
                    hint=f"the statistics and search pages need {' and '.join(FEATURE_TEMPLATES)}"
                    if name in FEATURE_TEMPLATES
                    else f"every site needs {', '.join(PAGE_TEMPLATES)}",
                )
            )
    return (None if problems else env), problems


def _bytecode_cache(directory: Path | None) -> jinja2.BytecodeCache | None:
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:  # a cache that cannot be written is no cache
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def format_date(value: dt.date) -> str:
    """Return `15 Nov 2023`: fixed English month names, never the machine's locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def plural(count: int, noun: str) -> str:
    """Return `1 paper` or `3 papers`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _render(env: jinja2.Environment, name: str, context: object) -> str:
    values = {field.name: getattr(context, field.name) for field in dataclasses.fields(context)}
    return env.get_template(name).render(values)


def _template_problem(exc: Exception, name: str, templates_dir: Path) -> Problem:
    # Jinja rewrites tracebacks so that template frames carry the template file and line.
    root = templates_dir.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and Path(frame.filename).resolve().is_relative_to(root):
            return Problem(
                Location(display_path(Path(frame.filename)), frame.lineno or 0),
                f"template error: {exc}",
            )
    return Problem(Location(display_path(templates_dir / name)), f"template error: {exc}")


# ---------------------------------------------------------------- paper text


def _markdown() -> MarkdownIt:
    # Imported here: most abstracts are plain paragraphs, which need no parser (see
    # `_is_plain_paragraph`), and an edit build that renders none of the others is faster
    # without markdown-it's imports.
    from markdown_it import MarkdownIt

    # Raw HTML is escaped, images would load from other hosts, and javascript: links are refused
    # by markdown-it's own link validation.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def _render_markdown(
    parser: Callable[[], MarkdownIt], source: str, top_heading: int
) -> tuple[Markup, str]:
    """Return the HTML of `source` and its plain text (for excerpts), from one parse
    (`parser` makes the parser, if one is needed).

    Headings are renumbered so that the highest becomes `top_heading`: Markdown in an abstract
    or notes sits under the page's own h1 and h2, and heading levels must not skip.
    """
    if _is_plain_paragraph(source):
        # What markdown-it makes of one line of prose, without its tokens: most abstracts.
        html = "<p>" + source.replace('"', "&quot;") + "</p>"
        return Markup(html), " ".join(source.split())
    md = parser()
    env: dict = {}
    tokens = md.parse(source, env)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = top_heading - min(levels, default=top_heading)
    words: list[str] = []
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
        elif token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
    html = md.renderer.render(tokens, md.options, env)
    return Markup(html.rstrip("\n")), " ".join("".join(words).split())


# Characters that start Markdown syntax anywhere in a line (escapes, code, emphasis, links,
# autolinks and HTML, entities), or end the line. A line starting with a letter that holds none
# of them is a paragraph of text, whatever else it holds.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>&\n\r\t\x00]")


def _is_plain_paragraph(source: str) -> bool:
    return source[:1].isalpha() and source == source.strip() and not _MARKDOWN_SYNTAX.search(source)


def render_markdown(source: str, top_heading: int = 2) -> Markup:
    """Return curator Markdown (raw HTML off) as HTML."""
    return _render_markdown(_markdown, source, top_heading)[0]


def excerpt(text: str, limit: int) -> str:
    """Return the start of `text`, cut at a word boundary to at most `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut[: limit - 1].rstrip(" ,;:.-–—(") + "…"


def paper_texts(
    papers: Iterable[Paper], excerpt_length: int, cache: BuildCache | None = None
) -> Mapping[str, PaperText]:
    """Derive every paper's displayed text once, for pages and feeds alike (with a `cache`, on
    first use, and only for papers whose text no earlier build derived)."""
    md = functools.cache(_markdown)  # made once, when a text first needs it
    if cache is not None:
        return _CachedTexts({paper.slug: paper for paper in papers}, excerpt_length, cache, md)
    return {paper.slug: _paper_text(md, paper, excerpt_length) for paper in papers}


def _paper_text(md: Callable[[], MarkdownIt], paper: Paper, excerpt_length: int) -> PaperText:
    abstract_html, plain = _render_markdown(md, latex_to_plain(paper.abstract), 3)
    notes_html = _render_markdown(md, paper.notes, 3)[0] if paper.notes else None
    return PaperText(
        title=latex_to_plain(paper.title),
        abstract_html=abstract_html,
        excerpt=excerpt(plain, excerpt_length),
        notes_html=notes_html,
    )


class _CachedTexts(Mapping[str, PaperText]):
    """Papers' texts by slug, each taken from the cache or derived when first asked for."""

    def __init__(
        self,
        papers: dict[str, Paper],
        excerpt_length: int,
        cache: BuildCache,
        md: Callable[[], MarkdownIt],
    ) -> None:
        self.papers, self.excerpt_length, self.cache, self.md = papers, excerpt_length, cache, md
        # Texts other processes made and sent (see render_pages' `wanted_texts`).
        self.known: dict[str, PaperText] = {}

    def __getitem__(self, slug: str) -> PaperText:
        known = self.known.get(slug)
        if known is not None:
            return known
        paper = self.papers[slug]
        # A view holds the text as it is (see _paper_view): not kept twice in the cache.
        view = self.cache.cached("view", slug) if self.cache.has_derived("view", slug) else None
        if view is not None:
            return PaperText(view.title, view.abstract_html, view.excerpt, view.notes_html)
        return _paper_text(self.md, paper, self.excerpt_length)

    def __iter__(self) -> Iterator[str]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)


def _balanced_braces(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _bibtex_text(text: str) -> str:
    return text if _balanced_braces(text) else text.replace("{", "").replace("}", "")


def bibtex(paper: Paper, plain_title: str, page_url: str) -> str:
    """Return a BibTeX entry for the paper (an arXiv e-print when it has an arXiv id)."""
    # The LaTeX source keeps \textsc{} and accents for BibTeX; unbalanced braces would break the
    # entry, so such a title falls back to its plain text without braces.
    source = paper.title if _balanced_braces(paper.title) else _bibtex_text(plain_title)
    fields: list[tuple[str, str]] = [
        ("title", "{" + _BARE_LATEX_SPECIAL.sub(r"\\\1", source) + "}")
    ]
    if paper.authors and paper.authors.names:
        names = [_bibtex_text(name) for name in paper.authors.names]
        if paper.authors.count > len(names):
            names.append("others")
        fields.append(("author", " and ".join(names)))
    elif paper.organization:
        # Braces keep BibTeX from splitting an organisation's name into first and last names.
        fields.append(("author", "{" + _bibtex_text(paper.organization.name) + "}"))
    fields.append(("year", str(paper.published.year)))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
        fields.append(("url", arxiv_url(paper.arxiv)))
    else:
        first = next((link.url for link in paper.links if link.kind == "paper"), page_url)
        fields.append(("url", first))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{paper.slug},\n{body}\n}}"


# ---------------------------------------------------------------- views


def _link_text(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return (host + parts.path.rstrip("/")) or url


def _paper_links(paper: Paper) -> tuple[LinkView, ...]:
    links: list[LinkView] = []
    if paper.arxiv:
        url = arxiv_url(paper.arxiv)
        links.append(LinkView("paper", "arXiv", url, _link_text(url)))
    seen = {link.href for link in links}
    for link in paper.links:
        if link.url not in seen:
            seen.add(link.url)
            links.append(
                LinkView(
                    link.kind, LINK_LABELS[link.kind], external_href(link.url), _link_text(link.url)
                )
            )
    return tuple(links)


def _byline(paper: Paper) -> tuple[str, str]:
    """Return the short credit a card shows and the full one the paper's page shows."""
    authors = paper.authors
    count = ""
    if authors:
        count = f"{authors.count} author{'s' if authors.count != 1 else ''}"
    full = count
    if authors and authors.names:
        full = ", ".join(authors.names)
        if authors.count > len(authors.names):
            others = authors.count - len(authors.names)
            full += f" and {others} other{'s' if others != 1 else ''}"
    short = paper.organization.name if paper.organization else count
    return short, full


def _term_views(
    taxonomy: Taxonomy, site: SiteUrls
) -> tuple[dict[str, TermView], dict[str, TermView]]:
    themes = {t.id: TermView(t.id, t.title, site.href(urls.theme(t.id))) for t in taxonomy.themes}
    tags = {t.id: TermView(t.id, t.title, site.href(urls.tag(t.id))) for t in taxonomy.tags}
    return themes, tags


def _paper_view(
    paper: Paper,
    text: PaperText,
    themes: Mapping[str, TermView],
    tags: Mapping[str, TermView],
    site: SiteUrls,
) -> PaperView:
    links = _paper_links(paper)
    short, full = _byline(paper)
    return PaperView(
        slug=paper.slug,
        href=site.href(urls.paper(paper.slug)),
        title=text.title,
        published=paper.published,
        added=added_on(paper),
        byline=short,
        authors=full,
        organization=paper.organization.name if paper.organization else None,
        theme=themes.get(paper.theme) if paper.theme else None,
        tags=tuple(tags[t] for t in paper.tags if t in tags),
        excerpt=text.excerpt,
        abstract_html=text.abstract_html,
        notes_html=text.notes_html,
        links=links,
        paper_link=next((link for link in links if link.kind == "paper"), None),
        code_link=next((link for link in links if link.kind == "code"), None),
        arxiv=paper.arxiv,
        upvotes=paper.upvotes,
        comments=paper.comments,
        bibtex=bibtex(paper, text.title, site.absolute(urls.paper(paper.slug))),
    )


def feed_set(site: SiteUrls, config: SiteConfig, scope: str, name: str) -> FeedSet:
    title = config.title if scope == urls.HOME else f"{config.title}: {name}"
    links = tuple(
        FeedLink(kind, FEED_LABELS[kind], FEED_MEDIA_TYPES[kind], site.href(urls.feed(scope, kind)))
        for kind in FEED_KINDS
    )
    return FeedSet(name=name, title=title, links=links)


# ---------------------------------------------------------------- pages


@dataclass(frozen=True)
class _Renderer:
    env: jinja2.Environment
    templates_dir: Path
    config: SiteConfig
    site: SiteUrls
    catalog: Catalog
    briefs: Mapping[str, PaperBrief]
    problems: list[Problem]
    # With a queue, pages are rendered when the queue finishes (on every core), not here.
    queue: PageQueue | None = None

    def page(
        self, route: str, template: str, context: object, inputs: str = ""
    ) -> OutputFile | QueuedPage | None:
        path, source = urls.output_path(route), f"templates/{template}"
        if self.queue is not None:
            counted = template == "paper.html"  # progress counts paper pages
            return self.queue.add(QueuedPage(path, template, context, source, inputs, counted))
        try:
            html = _render(self.env, template, context)
        except Exception as exc:  # a template bug of any kind is the template's problem
            problem = _template_problem(exc, template, self.templates_dir)
            if problem not in self.problems:
                self.problems.append(problem)
            return None
        return OutputFile(path, html.encode("utf-8"), source)

    def listing(
        self, route: str, template: str, inputs: str, context: Callable[[], object]
    ) -> OutputFile | QueuedPage | StoredFile | None:
        """Return a page the last build made from the same `inputs` as it is, else render it
        (the context, which reads every listed paper's brief, is only made then)."""
        if self.queue is not None and inputs:
            path, source = urls.output_path(route), f"templates/{template}"
            reused = self.queue.reuse(path, source, inputs)
            if reused is not None:
                return reused
        return self.page(route, template, context(), inputs)

    def meta(self, route: str, title: str, description: str, feeds=()) -> PageMeta:
        full_title = self.config.title if route == urls.HOME else f"{title} · {self.config.title}"
        return PageMeta(
            title=full_title,
            description=description or self.config.description or self.config.title,
            route=route,
            canonical=self.site.absolute(route),
            feeds=tuple(feeds),
            name=title,
        )

    def listing_meta(
        self,
        route: str,
        first_route: str,
        title: str,
        description: str,
        feeds: Sequence[FeedSet],
        pagination: Pagination | None,
    ) -> PageMeta:
        """Return the head of one page of a theme's or tag's listing (`first_route`: its first
        page's): a later page says which it is in its title, and each links its neighbours."""
        if pagination is None:
            return self.meta(route, title, description, feeds)
        later = pagination.number > 1
        if later:
            title = f"{title}, page {pagination.number} of {pagination.count}"
        return dataclasses.replace(
            self.meta(route, title, description, feeds),
            section=first_route if later else None,
            previous_href=pagination.previous_href,
            next_href=pagination.next_href,
        )

    def papers(self, papers: Sequence[Paper]) -> tuple[PaperBrief, ...]:
        return tuple(self.briefs[p.slug] for p in papers)

    def links(self, papers: Sequence[Paper]) -> tuple[PaperLink, ...]:
        # What the papers' briefs would say, made from the papers alone (no brief is needed).
        return tuple(
            PaperLink(self.site.href(urls.paper(p.slug)), latex_to_plain(p.title), p.published)
            for p in papers
        )


def _pagination(
    site: SiteUrls, routes: Sequence[str], number: int, start: int, shown: int
) -> Pagination | None:
    """Return where page `number` of a listing whose pages are at `routes` sits among them
    (None for a listing on one page); the page shows `shown` papers from position `start` of
    the listing (counted from 0)."""
    if len(routes) < 2:
        return None
    pages = tuple(
        PageNumber(None)
        if n is None
        else PageNumber(n, site.href(routes[n - 1]), current=n == number)
        for n in _page_numbers(number, len(routes))
    )
    return Pagination(
        number=number,
        count=len(routes),
        first=start + 1,
        last=start + shown,
        previous_href=site.href(routes[number - 2]) if number > 1 else None,
        next_href=site.href(routes[number]) if number < len(routes) else None,
        pages=pages,
    )


def _page_numbers(number: int, count: int, around: int = 1) -> list[int | None]:
    """Return the page numbers a page navigation shows: the first and last pages and those
    `around` the current one, with None for each run of two or more pages left out (a single
    page left out is shown instead: a gap takes as much room as its number)."""
    kept = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    shown: list[int | None] = []
    previous = 0
    for n in kept:
        if n - previous == 2:
            shown.append(n - 1)
        elif n - previous > 2:
            shown.append(None)
        shown.append(n)
        previous = n
    return shown


def _derived(cache: BuildCache | None, kind: str, slug: str, compute: Callable[[], Any]) -> Any:
    return compute() if cache is None else cache.derived(kind, slug, compute)


@dataclass(frozen=True)
class _Terms:
    """Everything a paper's view and card are made from, besides the paper and its text."""

    env: jinja2.Environment
    themes: Mapping[str, TermView]
    tags: Mapping[str, TermView]
    site: SiteUrls


def _brief(terms: _Terms, view: PaperView) -> PaperBrief:
    card = Markup(_render(terms.env, "card.html", CardContext(view)))
    return PaperBrief(view.href, view.title, view.published, card, view.bibtex)


class _PaperViews(Mapping[str, PaperView]):
    """Every paper's view by slug, derived (or read from the cache) when first asked for."""

    def __init__(
        self,
        catalog: Catalog,
        texts: Mapping[str, PaperText],
        terms: _Terms,
        cache: BuildCache | None,
    ) -> None:
        self.papers = {paper.slug: paper for paper in catalog.papers}
        self.texts, self.terms, self.cache = texts, terms, cache
        self.found: dict[str, PaperView] = {}

    def __getitem__(self, slug: str) -> PaperView:
        view = self.found.get(slug)
        if view is None:
            paper, terms = self.papers[slug], self.terms

            def make() -> PaperView:
                return _paper_view(paper, self.texts[slug], terms.themes, terms.tags, terms.site)

            view = _derived(self.cache, "view", slug, make)
            if self.cache is None:  # else the cache keeps it (and may hand it on pickled)
                self.found[slug] = view
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)


class _PaperBriefs(Mapping[str, PaperBrief]):
    """Every paper's brief by slug, likewise; a template error in card.html propagates."""

    def __init__(self, views: _PaperViews, cache: BuildCache | None) -> None:
        self.views, self.cache = views, cache
        self.found: dict[str, PaperBrief] = {}

    def __getitem__(self, slug: str) -> PaperBrief:
        brief = self.found.get(slug)
        if brief is None:

            def make() -> PaperBrief:
                return _brief(self.views.terms, self.views[slug])

            brief = _derived(self.cache, "brief", slug, make)
            if self.cache is None:
                self.found[slug] = brief
        return brief

    def __iter__(self) -> Iterator[str]:
        return iter(self.views)

    def __len__(self) -> int:
        return len(self.views)


def _card_problem(
    briefs: _PaperBriefs, catalog: Catalog, cache: BuildCache | None, templates_dir: Path
) -> Problem | None:
    """Render the card of every paper no earlier build rendered under these templates; return
    the first card's template error (a card the cache holds rendered without one)."""
    for paper in catalog.papers:
        if cache is not None and cache.has_derived("brief", paper.slug):
            continue
        try:
            briefs[paper.slug]
        except Exception as exc:
            return _template_problem(exc, "card.html", templates_dir)
    return None


# What a paper's page is rendered from, besides the paper and its related papers: changing any
# of these fields means changing `_paper_inputs` (tests/perf checks that they are known).
PAPER_PAGE_FIELDS = ("site", "page", "paper", "related", "citation", "copy_script_href")


def _paper_inputs(
    cache: BuildCache | None, catalog: Catalog, unchanging: str
) -> dict[str, tuple[str, str]]:
    """Return, by slug, a digest of everything each paper's page shows and one of what its
    citation files are made from; a paper missing is one whose inputs are not known."""
    if cache is None or not cache.inputs_digest:
        return {}
    keys, related = cache.paper_keys, catalog.related
    identities = {paper.slug: _link_identity(paper) for paper in catalog.papers}
    page, files = (cache.inputs_digest, unchanging, "paper.html"), cache.inputs_digest
    found = {}
    for slug in identities:
        key = keys.get(slug)
        if key:
            shown = [identities[other.slug] for other in related[slug]]
            found[slug] = (
                digest_text(*page, key, *shown),
                digest_text(files, CITATIONS_SOURCE, key),
            )
    return found


def _link_identity(paper: Paper) -> str:
    """Return what a link to a paper in a short list shows (see PaperBrief: its page, title and
    date), so that editing a paper's abstract does not re-render the pages that only link it."""
    return f"{paper.slug}\0{paper.title}\0{paper.published.isoformat()}"


def _listing_inputs(
    cache: BuildCache | None, unchanging: str, route: str, parts: Sequence[str | Sequence[Paper]]
) -> str:
    """Return a digest of everything a listing page shows: the settings, themes, templates and
    code, the page's own numbers and the papers it lists, in order ("" when not known)."""
    if cache is None or not cache.inputs_digest:
        return ""
    values = [cache.inputs_digest, unchanging, route]
    for part in parts:
        if isinstance(part, str):
            values.append(part)
            continue
        keys = [cache.paper_key(paper.slug) for paper in part]
        if not all(keys):
            return ""
        values += [str(len(keys)), *keys]
    return digest_text(*values)


@dataclass(frozen=True)
class _PaperJob:
    """What a build makes of one paper: its page, its citation files, or both."""

    paper: Paper
    render_page: bool
    page_inputs: str
    make_files: bool
    file_inputs: str

    def paths(self) -> tuple[str, ...]:
        slug = self.paper.slug
        page = (urls.output_path(urls.paper(slug)),) if self.render_page else ()
        files = (urls.paper_bibtex(slug), urls.paper_csl(slug)) if self.make_files else ()
        return page + files


def render_pages(
    env: jinja2.Environment,
    templates_dir: Path,
    config: SiteConfig,
    catalog: Catalog,
    texts: Mapping[str, PaperText],
    on_paper: Callable[[], None] | None = None,
    cache: BuildCache | None = None,
    queue: PageQueue | None = None,
    wanted_texts: Collection[str] = (),
) -> tuple[list[OutputFile], list[Problem]]:
    """Render every HTML page, and each paper's citation files; template errors become problems
    naming the template and line. `on_paper` is called after each paper's page (for progress).

    With a `cache`, values derived from one paper come from earlier builds when they can; with a
    `queue`, papers' pages and citation files are made at once on every core (the values they
    are made from go to the cache still pickled), the other pages are queued for
    `PageQueue.finish`, and a page the last build made from the same inputs is reused as it is.
    `wanted_texts`: slugs of the papers whose texts will be asked for afterwards (the feeds').
    """
    site = SiteUrls(config.base_url)
    problems: list[Problem] = []
    views = _PaperViews(
        catalog, texts, _Terms(env, *_term_views(catalog.taxonomy, site), site), cache
    )
    briefs = _PaperBriefs(views, cache)
    r = _Renderer(env, templates_dir, config, site, catalog, briefs, problems, queue)
    taxonomy: Taxonomy = catalog.taxonomy
    all_feeds = feed_set(site, config, urls.HOME, "All papers")
    sv = SiteView(
        title=config.title,
        description=config.description,
        language=config.language,
        author=config.author,
        home_href=site.href(urls.HOME),
        stylesheet_href=site.href(urls.STYLESHEET),
        favicon_href=site.href(urls.FAVICON),
        tags_href=site.href(urls.TAGS_INDEX),
        archive_href=site.href(urls.ARCHIVE),
        feeds_href=site.href(urls.HOME, "feeds"),
        opml_href=site.href(urls.OPML),
        nav=(
            *(
                NavItem(t.title, site.href(urls.theme(t.id)), urls.theme(t.id))
                for t in taxonomy.themes
            ),
            NavItem("Tags", site.href(urls.TAGS_INDEX), urls.TAGS_INDEX),
            NavItem("Archive", site.href(urls.ARCHIVE), urls.ARCHIVE),
            NavItem("Stats", site.href(urls.STATS), urls.STATS),
        ),
        feeds=all_feeds,
        repository_url=config.repository_url,
        manifest_href=site.href(urls.MANIFEST),
        touch_icon_href=site.href(urls.TOUCH_ICON),
        share_image=site.absolute(SHARE_IMAGE),
        search_href=site.href(urls.SEARCH) if config.search else None,
        bibliography_href=site.href(urls.BIBLIOGRAPHY),
    )
    theme_feeds = {t.id: feed_set(site, config, urls.theme(t.id), t.title) for t in taxonomy.themes}
    tag_feeds = {t.id: feed_set(site, config, urls.tag(t.id), t.title) for t in taxonomy.tags}
    outputs: list[OutputFile | None] = []

    unchanging = digest_text(repr(sv), repr(config), site.href(urls.COPY_SCRIPT))

    def listing_inputs(route: str, *parts: str | Sequence[Paper]) -> str:
        return _listing_inputs(cache, unchanging, route, parts)

    # Papers first: each one's page and citation files, made on every core, which also derive
    # the briefs the listings below are made of. A paper whose inputs the last build saw keeps
    # its files (a loop over every paper, kept tight: an edit build is mostly this).
    jobs: list[_PaperJob] = []
    paper_inputs = _paper_inputs(cache, catalog, unchanging)
    reuse = queue.reuse if queue is not None else None
    for paper in catalog.papers:
        slug = paper.slug
        page_inputs, file_inputs = paper_inputs.get(slug, ("", ""))
        reused = kept_bibtex = kept_csl = None
        if reuse is not None:
            reused = reuse(urls.output_path(urls.paper(slug)), "templates/paper.html", page_inputs)
            kept_bibtex = reuse(urls.paper_bibtex(slug), CITATIONS_SOURCE, file_inputs)
            kept_csl = reuse(urls.paper_csl(slug), CITATIONS_SOURCE, file_inputs)
        if reused is not None:
            outputs.append(reused)
            if on_paper is not None:
                on_paper()
        kept_files = kept_bibtex is not None and kept_csl is not None
        if kept_files:
            outputs += (kept_bibtex, kept_csl)
        if reused is None or not kept_files:
            jobs.append(_PaperJob(paper, reused is None, page_inputs, not kept_files, file_inputs))
    shipped: dict[str, PaperText] = {}  # texts the feeds will want, made by another process

    def paper_files(job: _PaperJob) -> list[OutputFile]:
        paper, route = job.paper, urls.paper(job.paper.slug)
        view = views[paper.slug]
        briefs[paper.slug]  # made here, for the listings
        if paper.slug in wanted_texts:
            shipped[paper.slug] = PaperText(
                view.title, view.abstract_html, view.excerpt, view.notes_html
            )
        # Not cached: made only with the page or files it goes into, which a paper that did
        # not change keeps; pickled, citations were the largest part of the cache.
        citation = paper_citation(paper, view, config, site)
        made = []
        if job.render_page:
            context = PaperPage(
                site=sv,
                page=dataclasses.replace(r.meta(route, view.title, view.excerpt), kind="article"),
                paper=view,
                related=r.links(catalog.related[paper.slug]),
                citation=citation,
                copy_script_href=site.href(urls.COPY_SCRIPT),
            )
            html = _render(env, "paper.html", context).encode("utf-8")
            made.append(
                OutputFile(urls.output_path(route), html, "templates/paper.html", job.page_inputs)
            )
        if job.make_files:
            made += paper_citation_files(paper, citation, site, job.file_inputs)
        return made

    if queue is None:
        for job in jobs:
            try:
                outputs += paper_files(job)
            except Exception as exc:  # a template bug of any kind is the template's problem
                problem = _template_problem(exc, "paper.html", templates_dir)
                if problem not in problems:
                    problems.append(problem)
            if on_paper is not None and job.render_page:
                on_paper()
    elif jobs:
        items = [
            QueuedFiles(
                job.paths(),
                functools.partial(paper_files, job),
                "paper.html",
                counted=job.render_page,
            )
            for job in jobs
        ]
        for item in items:
            queue.add(item)
        marks = cache.journal_marks() if cache is not None else {}

        def take() -> tuple[dict, dict[str, PaperText]]:
            found = dict(shipped)
            shipped.clear()
            return (cache.export_derived(marks) if cache is not None else {}), found

        def give(carried: tuple[dict, dict[str, PaperText]]) -> None:
            if cache is not None:
                cache.absorb_derived(carried[0])
            if isinstance(texts, _CachedTexts):
                texts.known.update(carried[1])

        made, found = queue.finish(
            items,
            lambda name, context: _render(env, name, context),
            lambda exc, name: _template_problem(exc, name, templates_dir),
            Carry(take, give),
        )
        outputs += made
        problems += [problem for problem in found if problem not in problems]
    problem = None if problems else _card_problem(briefs, catalog, cache, templates_dir)
    if problem is not None:
        problems.append(problem)
    if problems:
        return [], problems

    newest = catalog.recently_added[: config.home_newest]
    home_parts: list[str | Sequence[Paper]] = [str(len(catalog.papers)), str(len(catalog.unthemed))]
    for t in taxonomy.themes:
        home_parts += [t.id, str(len(catalog.by_theme[t.id]))]
        home_parts.append(catalog.by_theme[t.id][: config.home_theme_papers])
    home_parts.append(newest)

    def home() -> HomePage:
        themes = tuple(
            ThemeSummary(
                theme=TermView(t.id, t.title, site.href(urls.theme(t.id))),
                description=t.description,
                count=len(catalog.by_theme[t.id]),
                newest=r.papers(catalog.by_theme[t.id][: config.home_theme_papers]),
                feeds=theme_feeds[t.id],
            )
            for t in taxonomy.themes
        )
        return HomePage(
            site=sv,
            page=r.meta(urls.HOME, config.title, config.description, [all_feeds]),
            intro_html=render_markdown(config.intro, 2) if config.intro else Markup(""),
            paper_count=len(catalog.papers),
            themes=themes,
            unthemed_count=len(catalog.unthemed),
            newest=r.papers(newest),
            theme_feeds=tuple(theme_feeds.values()),
            tag_feeds=tuple(tag_feeds.values()),
        )

    outputs.append(r.listing(urls.HOME, "home.html", listing_inputs(urls.HOME, *home_parts), home))

    def listing_pages(
        route: str,
        template: str,
        papers: Sequence[Paper],
        make: Callable[[str, Sequence[Paper], Pagination | None], ListingPage],
    ) -> None:
        """Add each page of a theme's or tag's listing: reused when what it shows is unchanged
        (its papers, its number, the number of pages and of papers), else rendered."""
        pages = urls.listing_pages(route, len(papers), config.papers_per_page)
        routes = [page_route for page_route, _ in pages]
        for number, (page_route, part) in enumerate(pages, 1):
            shown = papers[part]
            where = (f"{number}/{len(pages)}", str(len(papers)))
            page_inputs = listing_inputs(page_route, *where, shown)

            def context(
                page_route: str = page_route, shown: Sequence[Paper] = shown, number: int = number
            ) -> ListingPage:
                start = pages[number - 1][1].start
                return make(page_route, shown, _pagination(site, routes, number, start, len(shown)))

            outputs.append(r.listing(page_route, template, page_inputs, context))

    for theme in taxonomy.themes:

        def theme_page(
            route: str, shown: Sequence[Paper], pagination: Pagination | None, theme: Theme = theme
        ) -> ListingPage:
            first_route = urls.theme(theme.id)
            feeds = [theme_feeds[theme.id]]
            return ListingPage(
                site=sv,
                page=r.listing_meta(
                    route, first_route, theme.title, theme.description, feeds, pagination
                ),
                term=TermView(theme.id, theme.title, site.href(first_route)),
                description=theme.description,
                papers=r.papers(shown),
                count=len(catalog.by_theme[theme.id]),
                feeds=theme_feeds[theme.id],
                bibtex_href=site.href(urls.theme_bibtex(theme.id)),
                pagination=pagination,
            )

        listing_pages(urls.theme(theme.id), "theme.html", catalog.by_theme[theme.id], theme_page)
    for tag in taxonomy.tags:

        def tag_page(
            route: str, shown: Sequence[Paper], pagination: Pagination | None, tag: Tag = tag
        ) -> ListingPage:
            first_route = urls.tag(tag.id)
            description = tag.description or f"Papers tagged “{tag.title}”."
            feeds = [tag_feeds[tag.id]]
            return ListingPage(
                site=sv,
                page=r.listing_meta(route, first_route, tag.title, description, feeds, pagination),
                term=TermView(tag.id, tag.title, site.href(first_route)),
                description=tag.description,
                papers=r.papers(shown),
                count=len(catalog.by_tag[tag.id]),
                feeds=tag_feeds[tag.id],
                pagination=pagination,
            )

        listing_pages(urls.tag(tag.id), "tag.html", catalog.by_tag[tag.id], tag_page)
    tag_counts = tuple(
        TagCount(
            TermView(t.id, t.title, site.href(urls.tag(t.id))),
            t.description,
            len(catalog.by_tag[t.id]),
        )
        for t in sorted(taxonomy.tags, key=lambda t: (t.title.casefold(), t.id))
    )
    outputs.append(
        r.page(
            urls.TAGS_INDEX,
            "tags.html",
            TagsPage(sv, r.meta(urls.TAGS_INDEX, "Tags", "Every tag and its papers."), tag_counts),
        )
    )

    def archive() -> ArchivePage:
        years = tuple(
            YearGroup(year, urls.year_anchor(year), r.links(papers))
            for year, papers in catalog.by_year
        )
        return ArchivePage(sv, r.meta(urls.ARCHIVE, "Archive", "Every paper by year."), years)

    archive_parts = [
        part
        for year, papers in catalog.by_year
        for part in (str(year), str(len(papers)), *map(_link_identity, papers))
    ]
    archive_inputs = listing_inputs(urls.ARCHIVE, *archive_parts)
    outputs.append(r.listing(urls.ARCHIVE, "archive.html", archive_inputs, archive))
    outputs.append(
        r.page(
            urls.STATS,
            "stats.html",
            StatsPage(
                sv,
                r.meta(urls.STATS, "Statistics", "Charts of the papers by theme, year and tag."),
                totals(catalog),
                build_charts(catalog),
            ),
        )
    )
    if config.search:
        outputs.append(
            r.page(
                urls.SEARCH,
                "search.html",
                SearchPage(
                    sv,
                    r.meta(urls.SEARCH, "Search", "Search the papers by title, abstract or tag."),
                    themes=tuple(
                        TermView(t.id, t.title, site.href(urls.theme(t.id)))
                        for t in taxonomy.themes
                    ),
                    paper_count=len(catalog.papers),
                    bundle_href=site.href(urls.SEARCH_BUNDLE + "pagefind.js"),
                    script_href=site.href(urls.SEARCH_SCRIPT),
                ),
            )
        )
    for path, title, url, papers in bibliographies(catalog, config, site):
        parts = (title, url, papers)
        file_inputs = listing_inputs(path, *parts) if queue else ""
        kept = queue.reuse(path, CITATIONS_SOURCE, file_inputs) if queue else None
        if kept is None:
            entries = [briefs[p.slug].bibtex for p in papers]
            kept = OutputFile(
                path, bibliography(title, url, entries), CITATIONS_SOURCE, file_inputs
            )
        outputs.append(kept)
    not_found_meta = PageMeta(
        title=f"Page not found · {config.title}",
        description=config.description or config.title,
        route=urls.NOT_FOUND,
        canonical=None,
        indexable=False,
    )
    outputs.append(r.page(urls.NOT_FOUND, "404.html", NotFoundPage(sv, not_found_meta)))
    return [o for o in outputs if o is not None], problems


def finish_pages(
    queue: PageQueue, env: jinja2.Environment, templates_dir: Path, outputs: Sequence[Any]
) -> tuple[list[Any], list[Problem]]:
    """Render the pages `render_pages` queued; see `PageQueue.finish`."""
    return queue.finish(
        outputs,
        lambda name, context: _render(env, name, context),
        lambda exc, name: _template_problem(exc, name, templates_dir),
    )


def static_files(templates_dir: Path) -> list[OutputFile]:
    """Return the files under templates/static/, to be copied to assets/."""
    static = templates_dir / STATIC_DIR
    if not static.is_dir():
        return []
    return [
        OutputFile(
            urls.asset(path.relative_to(static).as_posix()), path.read_bytes(), display_path(path)
        )
        for path in sorted(static.rglob("*"))
        if path.is_file()
    ]
