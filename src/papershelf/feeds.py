"""The machine-readable files: RSS 2.0, Atom 1.0 and JSON Feed 1.1 for the whole list, each theme
and each tag; an OPML list of the feeds; sitemap.xml; robots.txt.

Every date comes from the content (never the clock), every URL is absolute, and ids are derived
from slugs alone, so a paper keeps its id when the site moves or its title is corrected.
"""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from markupsafe import Markup

from papershelf import urls
from papershelf.cache import BuildCache, digest_text
from papershelf.catalog import Catalog, Remember, updated_on
from papershelf.citations import indented_json
from papershelf.config import SiteConfig
from papershelf.model import Paper
from papershelf.papertext import PaperText
from papershelf.sitewriter import SiteWriter, StoredFile
from papershelf.text import arxiv_url
from papershelf.urls import FEED_KINDS, SiteUrls, external_href
from papershelf.write import OutputFile

GENERATOR = "papershelf"
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# An empty feed still needs an `updated` date; with no papers at all the content has none, and
# the build clock is not allowed, so the Unix epoch stands in.
EPOCH = dt.date(1970, 1, 1)
# Characters XML 1.0 forbids even when escaped (a YAML "\x01" escape could produce them).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def paper_id(slug: str) -> str:
    """Return a paper's feed id: the same for as long as the paper keeps its file name."""
    return _url_uuid("papershelf:paper:" + slug)


def feed_id(scope: str) -> str:
    return _url_uuid("papershelf:feed:" + scope)


def _url_uuid(name: str) -> str:
    # Imported here: uuid imports platform, about 8 ms, which a build whose feeds are all as
    # the last build made them does not need.
    import uuid

    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


@dataclass(frozen=True)
class Feed:
    """One feed's channel: the page it follows (`scope`, a route), its title and its papers."""

    scope: str
    title: str
    description: str
    papers: tuple[Paper, ...]
    updated: dt.date


def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _datetime(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def rfc822(day: dt.date) -> str:
    # Imported here: email.utils brings in socket and more, which a build that keeps its
    # feeds never needs.
    from email.utils import format_datetime

    return format_datetime(_datetime(day))


def rfc3339(day: dt.date) -> str:
    return _datetime(day).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class _Element:
    """An XML element being built: text or child elements, never both. A child may be a str:
    an element written already, at the depth it is at here."""

    tag: str
    attrs: dict[str, str]
    text: str | None = None
    children: list[_Element | str] = field(default_factory=list)


def _element(parent: _Element, tag: str, text: str | None = None, **attrs: str) -> _Element:
    # A trailing underscore lets an attribute share a Python name: `text_=` is OPML's `text`.
    child = _Element(
        tag,
        {k.rstrip("_"): _xml_text(v) for k, v in attrs.items()},
        None if text is None else _xml_text(text),
    )
    parent.children.append(child)
    return child


def _escape_text(text: str) -> str:
    # As ElementTree escapes text (its _escape_cdata).
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(value: str) -> str:
    # As ElementTree escapes attribute values (its _escape_attrib).
    value = _escape_text(value)
    for char, escaped in (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;")):
        if char in value:
            value = value.replace(char, escaped)
    return value


def _write_element(element: _Element, indent: str, out: list[str]) -> None:
    """Append `element` as ElementTree writes it after `ET.indent(space="  ")`, `indent` deep."""
    out.append("<" + element.tag)
    out += [f' {name}="{_escape_attribute(value)}"' for name, value in element.attrs.items()]
    if element.children:
        inner = indent + "  "
        out.append(">")
        for child in element.children:
            out.append("\n" + inner)
            if isinstance(child, str):
                out.append(child)
            else:
                _write_element(child, inner, out)
        out.append(f"\n{indent}</{element.tag}>")
    elif element.text:
        out.append(f">{_escape_text(element.text)}</{element.tag}>")
    else:
        out.append(" />")


def _written(element: _Element, indent: str) -> str:
    """Return `element` as `_write_element` writes it `indent` deep."""
    out: list[str] = []
    _write_element(element, indent, out)
    return "".join(out)


def _xml_bytes(root: _Element) -> bytes:
    # ElementTree wrote these files once; this writes the same bytes in a fraction of its time.
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _write_element(root, "", out)
    out.append("\n")
    return "".join(out).encode()


@dataclass(frozen=True)
class _Entry:
    """What the feeds show of one paper, worked out once for every feed and format it is in."""

    id: str
    url: str
    title: str
    excerpt: str
    content_html: str
    rfc822_published: str
    rfc3339_published: str
    rfc3339_updated: str
    authors: tuple[str, ...]
    # (id, title) of its theme and its tags.
    categories: tuple[tuple[str, str], ...]


class _FeedWriter:
    """Writes the three formats of feeds for one site."""

    def __init__(
        self, config: SiteConfig, catalog: Catalog, texts: Mapping[str, PaperText]
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.texts = texts
        self.site = SiteUrls(config.base_url)
        self.entries: dict[str, _Entry] = {}
        # Each paper's item as written, by format: it is the same in every feed the paper is in
        # (the site's, its theme's, each of its tags'), at the same depth.
        self.items: dict[tuple[str, str], str] = {}

    def item(self, kind: str, paper: Paper, write: Callable[[Paper, _Entry], str]) -> str:
        key = (kind, paper.slug)
        found = self.items.get(key)
        if found is None:
            found = self.items[key] = write(paper, self.entry(paper))
        return found

    def entry(self, paper: Paper) -> _Entry:
        found = self.entries.get(paper.slug)
        if found is None:
            text = self.texts[paper.slug]
            found = self.entries[paper.slug] = _Entry(
                id=paper_id(paper.slug),
                url=self.site.absolute(urls.paper(paper.slug)),
                title=text.title,
                excerpt=text.excerpt,
                content_html=self.content_html(paper, text),
                rfc822_published=rfc822(paper.published),
                rfc3339_published=rfc3339(paper.published),
                rfc3339_updated=rfc3339(updated_on(paper)),
                authors=tuple(self.author_names(paper)),
                categories=tuple(self.categories(paper)),
            )
        return found

    def content_html(self, paper: Paper, text: PaperText) -> str:
        """Return the abstract, the curator's notes and the paper's links as one HTML fragment
        (`text`: the paper's)."""
        parts = [str(text.abstract_html)]
        if text.notes_html:
            parts += ["<h2>Notes</h2>", str(text.notes_html)]
        links = []
        if paper.arxiv:
            links.append(
                Markup('<a href="{}">arXiv:{}</a>').format(arxiv_url(paper.arxiv), paper.arxiv)
            )
        links += [
            Markup('<a href="{}">{}</a>').format(external_href(link.url), link.url)
            for link in paper.links
        ]
        if links:
            parts.append("<p>" + " · ".join(str(link) for link in links) + "</p>")
        return "\n".join(parts)

    def author_names(self, paper: Paper) -> list[str]:
        if paper.authors and paper.authors.names:
            return list(paper.authors.names)
        return [paper.organization.name] if paper.organization else []

    def categories(self, paper: Paper) -> list[tuple[str, str]]:
        taxonomy = self.catalog.taxonomy
        found = [taxonomy.theme(paper.theme)] if paper.theme else []
        found += [taxonomy.tag(tag_id) for tag_id in paper.tags]
        return [(term.id, term.title) for term in found if term is not None]

    def rss(self, feed: Feed) -> bytes:
        rss = _Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
        channel = _element(rss, "channel")
        _element(channel, "title", feed.title)
        _element(channel, "link", self.site.absolute(feed.scope))
        _element(channel, "description", feed.description)
        _element(channel, "language", self.config.language)
        _element(channel, "lastBuildDate", rfc822(feed.updated))
        _element(channel, "generator", GENERATOR)
        _element(
            channel,
            "atom:link",
            href=self.site.absolute(urls.feed(feed.scope, "rss")),
            rel="self",
            type="application/rss+xml",
        )
        channel.children += [self.item("rss", paper, _rss_item) for paper in feed.papers]
        return _xml_bytes(rss)

    def atom(self, feed: Feed) -> bytes:
        root = _Element("feed", {"xmlns": ATOM_NS, "xml:lang": self.config.language})
        _element(root, "id", feed_id(feed.scope))
        _element(root, "title", feed.title)
        _element(root, "subtitle", feed.description)
        _element(root, "updated", rfc3339(feed.updated))
        _element(
            root,
            "link",
            rel="self",
            type="application/atom+xml",
            href=self.site.absolute(urls.feed(feed.scope, "atom")),
        )
        _element(
            root, "link", rel="alternate", type="text/html", href=self.site.absolute(feed.scope)
        )
        _element(_element(root, "author"), "name", self.config.feed_author)
        _element(root, "generator", GENERATOR)
        root.children += [self.item("atom", paper, _atom_entry) for paper in feed.papers]
        return _xml_bytes(root)

    def json_feed(self, feed: Feed) -> bytes:
        document = {
            "version": JSON_FEED_VERSION,
            "title": feed.title,
            "home_page_url": self.site.absolute(feed.scope),
            "feed_url": self.site.absolute(urls.feed(feed.scope, "json")),
            "description": feed.description,
            "language": self.config.language,
            "authors": [{"name": self.config.feed_author}],
            "favicon": self.site.absolute(urls.FAVICON),
        }
        # As indented_json writes the document with its items last: the items are written once
        # each, for every feed they are in.
        head = indented_json(document).removesuffix("\n}")
        items = [self.item("json", paper, _json_item) for paper in feed.papers]
        listed = "[\n" + ",\n".join(f"    {item}" for item in items) + "\n  ]" if items else "[]"
        return f'{head},\n  "items": {listed}\n}}\n'.encode()


def _rss_item(paper: Paper, entry: _Entry) -> str:
    item = _Element("item", {})
    _element(item, "title", entry.title)
    _element(item, "link", entry.url)
    _element(item, "guid", entry.id, isPermaLink="false")
    _element(item, "pubDate", entry.rfc822_published)
    _element(item, "description", entry.content_html)
    for _, title in entry.categories:
        _element(item, "category", title)
    return _written(item, "    ")  # in rss/channel


def _atom_entry(paper: Paper, entry: _Entry) -> str:
    item = _Element("entry", {})
    _element(item, "id", entry.id)
    _element(item, "title", entry.title, type="text")
    _element(item, "link", rel="alternate", type="text/html", href=entry.url)
    _element(item, "published", entry.rfc3339_published)
    _element(item, "updated", entry.rfc3339_updated)
    for name in entry.authors:
        _element(_element(item, "author"), "name", name)
    for term, label in entry.categories:
        _element(item, "category", term=term, label=label)
    _element(item, "summary", entry.excerpt, type="text")
    _element(item, "content", entry.content_html, type="html")
    return _written(item, "  ")  # in feed


def _json_item(paper: Paper, entry: _Entry) -> str:
    item: dict = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.content_html,
        "summary": entry.excerpt,
        "date_published": entry.rfc3339_published,
        "date_modified": entry.rfc3339_updated,
    }
    if paper.arxiv:
        item["external_url"] = arxiv_url(paper.arxiv)
    if entry.authors:
        item["authors"] = [{"name": name} for name in entry.authors]
    if entry.categories:
        item["tags"] = [title for _, title in entry.categories]
    return indented_json(item, "    ")  # in the document's items


def site_feeds(config: SiteConfig, catalog: Catalog) -> list[Feed]:
    """Return the feeds the site offers: the whole list, then each theme, then each tag."""
    fallback = catalog.newest_date() or EPOCH
    taxonomy, size = catalog.taxonomy, config.feed_size
    # Each theme's and tag's newest additions, in one pass over every paper newest addition
    # first (the order of catalog.recently_added), rather than a sort of each one's papers.
    by_theme: dict[str, list[Paper]] = {t.id: [] for t in taxonomy.themes}
    by_tag: dict[str, list[Paper]] = {t.id: [] for t in taxonomy.tags}
    for paper in catalog.recently_added:
        if paper.theme in by_theme and len(by_theme[paper.theme]) < size:
            by_theme[paper.theme].append(paper)
        for tag_id in paper.tags:
            if tag_id in by_tag and len(by_tag[tag_id]) < size:
                by_tag[tag_id].append(paper)

    def feed(scope: str, name: str | None, description: str, papers: Sequence[Paper]) -> Feed:
        newest = tuple(papers[:size])
        return Feed(
            scope=scope,
            title=config.title if name is None else f"{config.title}: {name}",
            description=description or config.description or config.title,
            papers=newest,
            updated=catalog.newest_date(newest) or fallback,
        )

    return [
        feed(urls.HOME, None, config.description, catalog.recently_added),
        *(feed(urls.theme(t.id), t.title, t.description, by_theme[t.id]) for t in taxonomy.themes),
        *(
            feed(
                urls.tag(t.id), t.title, t.description or f"Papers tagged {t.title}.", by_tag[t.id]
            )
            for t in taxonomy.tags
        ),
    ]


class FeedJob(NamedTuple):
    """A feed to write in every format, and the digest of what it shows ("" when not known)."""

    feed: Feed
    inputs: str


def plan_feeds(
    config: SiteConfig,
    catalog: Catalog,
    feeds: Sequence[Feed],
    cache: BuildCache | None = None,
    site_writer: SiteWriter | None = None,
) -> tuple[list[OutputFile | StoredFile], list[FeedJob]]:
    """Return the files of the feeds the last build wrote from what they show now (with a
    `cache` and a `site_writer`), kept as they are, and the OPML file that lists every feed;
    and the feeds to write again (see `make_feeds`)."""
    kept_files: list[OutputFile | StoredFile] = []
    jobs: list[FeedJob] = []
    for feed in feeds:
        inputs = _feed_inputs(cache, feed) if site_writer is not None else ""
        paths = [urls.feed(feed.scope, kind) for kind in FEED_KINDS]
        kept = [site_writer.reusable(path, "feeds", inputs) for path in paths] if inputs else []
        if kept and all(kept):
            kept_files += kept
        else:
            jobs.append(FeedJob(feed, inputs))
    kept_files.append(OutputFile(urls.OPML, opml(config, catalog, feeds), "feeds"))
    return kept_files, jobs


def make_feeds(
    config: SiteConfig, catalog: Catalog, texts: Mapping[str, PaperText], jobs: Sequence[FeedJob]
) -> Iterator[OutputFile]:
    """Yield the files of the feeds `jobs` names, in every format, each paper's item written once
    for all the feeds it is in.

    Made with the papers' pages (see build.py), where memory is at its peak by the end: a file
    is made once the last one is taken (written), and one format's items are held at a time.
    Made all at once, the files and items (8 MB at 10,000 papers) left the process that made
    them 10 MB larger at the end of a cold build (freed, but not handed back).
    """
    writer = _FeedWriter(config, catalog, texts)
    made = {"rss": writer.rss, "atom": writer.atom, "json": writer.json_feed}
    # A format at a time: only one format's items are held (what they are made from, for all).
    for kind in FEED_KINDS:
        for job in jobs:
            yield OutputFile(
                urls.feed(job.feed.scope, kind), made[kind](job.feed), "feeds", job.inputs
            )
        writer.items.clear()


def _feed_inputs(cache: BuildCache | None, feed: Feed) -> str:
    """Return a digest of everything a feed shows, or "" when it is not known."""
    if cache is None or not cache.inputs_digest:
        return ""
    keys = [cache.paper_key(paper.slug) for paper in feed.papers]
    if not all(keys):
        return ""
    return digest_text(cache.inputs_digest, "feed", feed.scope, str(feed.updated), *keys)


_OPML_FOLDERS = {"themes/": "Themes", "tags/": "Tags"}


def opml(config: SiteConfig, catalog: Catalog, feeds: Sequence[Feed]) -> bytes:
    """Return an OPML 2.0 subscription list: the whole list, a folder of themes, one of tags.

    Each feed appears once, as RSS (its Atom and JSON versions carry the same papers), so that
    importing the file subscribes to each theme once.
    """
    site = SiteUrls(config.base_url)
    root = _Element("opml", {"version": "2.0"})
    head = _element(root, "head")
    _element(head, "title", f"{config.title}: feeds")
    _element(head, "ownerName", config.feed_author)
    body = _element(root, "body")
    folders: dict[str, _Element] = {}
    for feed in feeds:
        prefix = next((p for p in _OPML_FOLDERS if feed.scope.startswith(p)), None)
        parent = body
        if prefix is not None:
            if prefix not in folders:
                folders[prefix] = _element(body, "outline", text_=_OPML_FOLDERS[prefix])
            parent = folders[prefix]
        _element(
            parent,
            "outline",
            type="rss",
            text_=feed.title,
            title=feed.title,
            xmlUrl=site.absolute(urls.feed(feed.scope, "rss")),
            htmlUrl=site.absolute(feed.scope),
        )
    return _xml_bytes(root)


# The sitemaps protocol's limits for one file; a site with more is listed by a sitemap index.
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 50 * 1024 * 1024


def sitemaps(
    config: SiteConfig,
    catalog: Catalog,
    more: Sequence[tuple[str, dt.date | None]] = (),
    max_urls: int | None = None,
    remember: Remember | None = None,
) -> list[tuple[str, bytes]]:
    """Return the sitemap files, by path: sitemap.xml with every page (not the 404 page) and
    the date its content last changed, or, for more pages than one file may list (the
    protocol's 50,000 URLs or 50 MB), sitemap.xml as an index of sitemap-1.xml, sitemap-2.xml...

    `more` are (route, last change) of pages the catalogue does not make, such as statistics and
    search; they come last, each unless the catalogue's pages have its URL already. With
    `remember` (a build cache), the files are made again only when what they list changed: an
    edit that changes no paper's slug, theme, tags or dates leaves them as they were.
    """
    if remember is not None and catalog.related_key:
        return remember(
            _sitemaps_key(config, catalog, more, max_urls),
            lambda: sitemaps(config, catalog, more, max_urls),
        )
    site = SiteUrls(config.base_url)
    entries = _sitemap_entries(config, catalog, more)
    limit = max_urls or SITEMAP_MAX_URLS
    # Each part: its <url> elements, and the newest last change among them.
    parts: list[tuple[list[str], dt.date | None]] = [([], None)]
    size = 0
    for loc, lastmod in entries:
        element = _sitemap_url(loc, lastmod)
        length = len(element) + 1 if element.isascii() else len(element.encode()) + 1
        elements, newest = parts[-1]
        if len(elements) == limit or size + length > SITEMAP_MAX_BYTES - len(_URLSET_ENDS):
            parts.append(([], None))
            elements, newest, size = parts[-1][0], None, 0
        elements.append(element)
        if lastmod is not None and (newest is None or lastmod > newest):
            parts[-1] = (elements, lastmod)
        size += length
    if len(parts) == 1:
        return [(urls.SITEMAP, _urlset(parts[0][0]))]
    files = [(urls.sitemap_part(n), _urlset(elements)) for n, (elements, _) in enumerate(parts, 1)]
    index = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for (path, _), (_, newest) in zip(files, parts, strict=True):
        index.append(f"  <sitemap>\n    <loc>{_escape_text(_xml_text(site.absolute(path)))}</loc>")
        if newest is not None:
            index.append(f"    <lastmod>{newest.isoformat()}</lastmod>")
        index.append("  </sitemap>")
    index.append("</sitemapindex>\n")
    return [(urls.SITEMAP, "\n".join(index).encode()), *files]


def _sitemaps_key(
    config: SiteConfig,
    catalog: Catalog,
    more: Sequence[tuple[str, dt.date | None]],
    max_urls: int | None,
) -> str:
    """Return a digest of everything the sitemaps are made from. The catalog's `related_key`
    holds every paper's slug, theme and tags in listing order, so the pages of each listing
    and the papers on them; the years' counts and each paper's last change, in that order,
    hold the rest."""
    taxonomy = catalog.taxonomy
    years = [f"{year}:{len(papers)}" for year, papers in catalog.by_year]
    changed = array("l", map(dt.date.toordinal, catalog.updated.values())).tobytes()
    return digest_text(
        "sitemaps",
        repr(config),
        repr(more),
        str(max_urls),
        ",".join(theme.id for theme in taxonomy.themes),
        ",".join(tag.id for tag in taxonomy.tags),
        catalog.related_key,
        ",".join(years),
        changed,
    )


def _sitemap_entries(
    config: SiteConfig, catalog: Catalog, more: Sequence[tuple[str, dt.date | None]]
) -> list[tuple[str, dt.date | None]]:
    """Return every page's absolute URL, escaped as XML text, and its last change, in order."""
    site = SiteUrls(config.base_url)

    def loc(route: str) -> str:
        return _escape_text(_xml_text(site.absolute(route)))

    # catalog.newest_date for each theme and tag, with each paper's date worked out once.
    updated = catalog.updated

    def newest(papers: Sequence[Paper]) -> dt.date | None:
        # map, not a generator: each paper is in several listings (its theme, tags and year).
        return max(map(updated.__getitem__, map(_SLUG, papers)), default=None)

    def listing(route: str, papers: Sequence[Paper]) -> list[tuple[str, dt.date | None]]:
        # Each page of a theme's or tag's listing, dated by the papers it shows.
        pages = urls.listing_pages(route, len(papers), config.papers_per_page)
        return [(page, newest(papers[part])) for page, part in pages]

    everything = max(updated.values(), default=None)
    pages: list[tuple[str, dt.date | None]] = [(urls.HOME, everything)]
    for t in catalog.taxonomy.themes:
        pages += listing(urls.theme(t.id), catalog.by_theme[t.id])
    pages.append((urls.TAGS_INDEX, everything))
    for t in catalog.taxonomy.tags:
        pages += listing(urls.tag(t.id), catalog.by_tag[t.id])
    pages.append((urls.ARCHIVE, everything))
    pages += [(urls.archive_year(year), newest(papers)) for year, papers in catalog.by_year]
    listed = [(loc(route), lastmod) for route, lastmod in pages]
    # A paper's route is its slug (validated: a-z, 0-9 and hyphens) in a fixed frame, which
    # needs no escaping: only the base URL does, once for the 10,000s of papers.
    base = loc("")
    listed += [(base + urls.paper(slug), updated[slug]) for slug in sorted(updated)]
    known = {url for url, _ in listed}
    listed += [(loc(route), lastmod) for route, lastmod in more if loc(route) not in known]
    return listed


_SLUG = attrgetter("slug")


def _sitemap_url(loc: str, lastmod: dt.date | None) -> str:
    # What _xml_bytes would write for a <url> (`loc` escaped already), written directly: the
    # sitemap lists every page, and building elements for each would cost more than the rest.
    if lastmod is None:
        return f"  <url>\n    <loc>{loc}</loc>\n  </url>"
    return f"  <url>\n    <loc>{loc}</loc>\n    <lastmod>{lastmod.isoformat()}</lastmod>\n  </url>"


_URLSET_START = f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
_URLSET_ENDS = _URLSET_START + "</urlset>\n"


def _urlset(elements: Sequence[str]) -> bytes:
    body = "".join(element + "\n" for element in elements)
    return (_URLSET_START + body + "</urlset>\n").encode()


def robots(config: SiteConfig) -> bytes:
    sitemap_url = SiteUrls(config.base_url).absolute(urls.SITEMAP)
    return f"User-agent: *\nDisallow:\n\nSitemap: {sitemap_url}\n".encode()
