"""The single source of every output path and URL of the site.

A *route* is a page's or file's place relative to the site root: `""` for the home page,
`"papers/x/"` for a directory page, `"feed.xml"` for a file. Routes become output paths with
`output_path`, links with `SiteUrls.href` (base path included, e.g. `/reading-list/papers/x/`)
and absolute URLs with `SiteUrls.absolute` (feeds, sitemap, canonical links).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

# Feed formats in the order pages list them, with the file each is written to.
FEED_KINDS = ("rss", "atom", "json")
FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}
FEED_MEDIA_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
FEED_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}

HOME = ""
TAGS_INDEX = "tags/"
ARCHIVE = "archive/"
NOT_FOUND = "404.html"
OPML = "feeds.opml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOJEKYLL = ".nojekyll"
ASSETS_DIR = "assets/"
STYLESHEET = "assets/style.css"
FAVICON = "assets/favicon.svg"
# Raster icons for the web app manifest, home screens and link previews (templates/static/).
ICON_192 = "assets/icon-192.png"
ICON_512 = "assets/icon-512.png"
TOUCH_ICON = "assets/apple-touch-icon.png"
SEARCH_SCRIPT = "assets/search.js"
COPY_SCRIPT = "assets/copy.js"
SEARCH = "search/"
STATS = "stats/"
MANIFEST = "manifest.webmanifest"
# BibTeX of every paper on the list.
BIBLIOGRAPHY = "papers.bib"
# Pagefind's index and its search script, served from the site itself.
SEARCH_BUNDLE = "pagefind/"


def search_part(part: int, parts: int) -> str:
    """Return the directory of one part of the search index (the whole index when it has one)."""
    return SEARCH_BUNDLE if parts == 1 else f"{SEARCH_BUNDLE}{part}/"


def theme(theme_id: str) -> str:
    return f"themes/{theme_id}/"


def tag(tag_id: str) -> str:
    return f"tags/{tag_id}/"


def listing_page(route: str, number: int) -> str:
    """Return the route of page `number` of a theme's or tag's listing (Hugo's layout): page 1
    is the listing's own route, `themes/x/`; later pages are `themes/x/page/2/` and so on."""
    return route if number == 1 else f"{route}page/{number}/"


def listing_pages(route: str, total: int, per_page: int) -> tuple[tuple[str, slice], ...]:
    """Return each page of a listing of `total` papers at `per_page` papers a page (0: all on
    one page), first page first: its route and the slice of the listing it shows. An empty
    listing still has its one page."""
    size = per_page if 0 < per_page < total else max(total, 1)
    return tuple(
        (listing_page(route, n), slice((n - 1) * size, n * size))
        for n in range(1, -(-max(total, 1) // size) + 1)
    )


def sitemap_part(number: int) -> str:
    """Return part `number` of a sitemap too large for one file (listed by sitemap.xml)."""
    return f"sitemap-{number}.xml"


def paper(slug: str) -> str:
    return f"papers/{slug}/"


def paper_bibtex(slug: str) -> str:
    return f"papers/{slug}/citation.bib"


def paper_csl(slug: str) -> str:
    """Return the route of a paper's CSL-JSON, the format Zotero, Mendeley and pandoc read."""
    return f"papers/{slug}/citation.json"


def theme_bibtex(theme_id: str) -> str:
    return f"themes/{theme_id}/papers.bib"


def archive_year(year: int) -> str:
    """Return the route of the archive's page of the papers published in `year` (Hugo's and
    Zola's layout): `archive/2024/`, listed by the archive's index at `archive/`."""
    return f"{ARCHIVE}{year}/"


def asset(name: str) -> str:
    return ASSETS_DIR + name


def feed(scope: str, kind: str) -> str:
    """Return the route of the `kind` feed of a page: `feed(theme("speech"), "atom")`."""
    return scope + FEED_FILES[kind]


def output_path(route: str) -> str:
    """Return the file a route is written to: directory routes get an `index.html`."""
    if route == HOME or route.endswith("/"):
        return route + "index.html"
    return route


def route_of_output(path: str) -> str:
    """Return the route an output file is served at (the inverse of `output_path`)."""
    if path == "index.html" or path.endswith("/index.html"):
        return path.removesuffix("index.html")
    return path


def external_href(url: str) -> str:
    """Return a link to another site with the characters URLs may not hold (`"`, `<`, spaces,
    non-ASCII) percent-encoded, leaving existing escapes and URL syntax alone."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def normalize_base_url(url: str) -> str:
    """Return `url` with exactly one trailing slash, so routes can be appended to it."""
    return url.rstrip("/") + "/"


@dataclass(frozen=True)
class SiteUrls:
    """Turns routes into links for one base URL, e.g. `https://owner.github.io/reading-list/`."""

    base_url: str

    # Worked out once: every link on every page starts with it.
    @functools.cached_property
    def base_path(self) -> str:
        """Return the path every page lives under, with slashes at both ends (`/reading-list/`)."""
        return urlsplit(self.base_url).path or "/"

    def href(self, route: str, fragment: str = "") -> str:
        """Return the link to a route as pages use it: a path from the host's root."""
        return self.base_path + route + (f"#{fragment}" if fragment else "")

    def absolute(self, route: str) -> str:
        """Return the absolute URL of a route, for feeds, the sitemap and canonical links."""
        return self.base_url + route
