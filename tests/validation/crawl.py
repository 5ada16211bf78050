"""Crawl a served site over HTTP from its home page, the way a visitor's browser would follow it.

Every internal URL is fetched without following redirects, every #fragment is looked up among the
target page's ids, and resources loaded from other hosts are reported. The result lists problems
as "page: message" strings, so one run shows every broken link at once.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from .served import ServedSite

# Attributes that make the browser load or navigate to a URL; srcset lists several.
URL_ATTRIBUTES = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "script": ("src",),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "form": ("action",),
}
# Only navigation may leave the site: anything a page loads must come from the site itself.
NAVIGATION_ELEMENTS = {"a", "area", "form"}
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_META_REFRESH_URL = re.compile(r"^\s*\d+\s*[;,]\s*url\s*=\s*(['\"]?)(.+?)\1\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    source: str  # the page URL the reference was found on
    element: str  # "a", "img", "css url()", ...
    url: str  # absolute, fragment included


@dataclass
class CrawlResult:
    statuses: dict[str, int] = field(default_factory=dict)  # fetched URL -> HTTP status
    redirects: dict[str, str] = field(default_factory=dict)  # fetched URL -> Location
    ids: dict[str, set[str]] = field(default_factory=dict)  # HTML page URL -> its ids
    references: list[Reference] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def pages(self) -> set[str]:
        return set(self.ids)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx answer surfaces as an HTTPError with its status


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def fetch(url: str) -> tuple[int, str, bytes, str]:
    """Return status, content type, body and redirect target of one GET, never following it."""
    try:
        with _OPENER.open(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read(), ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), b"", error.headers.get("Location", "")


def references_in_html(page_url: str, html: str) -> tuple[list[Reference], set[str]]:
    """Return the URLs a page refers to, resolved against it, and the fragment ids it defines."""
    soup = BeautifulSoup(html, "html.parser")
    base = page_url
    if (base_element := soup.find("base", href=True)) is not None:
        base = urljoin(page_url, base_element["href"])
    found: list[tuple[str, str]] = []
    for element in soup.find_all(URL_ATTRIBUTES):
        for attribute in URL_ATTRIBUTES[element.name]:
            value = element.get(attribute)
            if not value:
                continue
            if attribute == "srcset":
                found += [(element.name, c.split()[0]) for c in value.split(",") if c.strip()]
            else:
                found.append((element.name, value.strip()))
    for meta in soup.find_all("meta", attrs={"http-equiv": re.compile("^refresh$", re.I)}):
        if match := _META_REFRESH_URL.match(meta.get("content", "")):
            found.append(("meta refresh", match[2]))
    for style in [s.get_text() for s in soup.find_all("style")] + [
        e["style"] for e in soup.find_all(style=True)
    ]:
        found += [("css url()", m[2]) for m in CSS_URL.finditer(style)]
    ids = {e["id"] for e in soup.find_all(id=True)} | {
        a["name"] for a in soup.find_all("a", attrs={"name": True})
    }
    references = [
        Reference(page_url, name, urljoin(base, url))
        for name, url in found
        if not url.lower().startswith(SKIPPED_SCHEMES)
    ]
    return references, ids


def crawl(site: ServedSite, extra_starts: tuple[str, ...] = ()) -> CrawlResult:
    """Fetch everything reachable from the home page (and extra_starts) within the site."""
    result = CrawlResult()
    queue = deque([site.base_url, *extra_starts])
    queued = set(queue)
    while queue:
        url = queue.popleft()
        status, content_type, body, location = fetch(url)
        result.statuses[url] = status
        if location:
            result.redirects[url] = location
        if status != 200:
            continue
        if content_type == "text/html":
            references, ids = references_in_html(url, body.decode("utf-8", errors="replace"))
            result.ids[url] = ids
        elif content_type == "text/css":
            css = body.decode("utf-8", errors="replace")
            references = [
                Reference(url, "css url()", urljoin(url, m[2]))
                for m in CSS_URL.finditer(css)
                if not m[2].lower().startswith(SKIPPED_SCHEMES)
            ]
        else:
            continue
        result.references += references
        for reference in references:
            target = urldefrag(reference.url).url
            if _same_origin(target, site) and site.is_under_base(target) and target not in queued:
                queued.add(target)
                queue.append(target)
    result.problems = _problems(result, site)
    return result


def _same_origin(url: str, site: ServedSite) -> bool:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" == site.origin


def _problems(result: CrawlResult, site: ServedSite) -> list[str]:
    problems = []
    for ref in result.references:
        target, fragment = urldefrag(ref.url)
        where = f"{_short(ref.source, site)}: <{ref.element}> {ref.url!r}"
        if not _same_origin(target, site):
            if urlsplit(target).scheme in ("http", "https") and ref.element not in (
                NAVIGATION_ELEMENTS
            ):
                problems.append(f"{where} loads a resource from another host")
            continue
        if not site.is_under_base(target):
            problems.append(f"{where} leaves the base path {site.base_path}")
            continue
        status = result.statuses.get(target)
        if status != 200:
            redirect = result.redirects.get(target)
            problems.append(f"{where} answers {status}" + (f" to {redirect}" if redirect else ""))
            continue
        fragment = unquote(fragment)
        # HTML resolves an empty fragment and "top" to the top of the page without an id.
        if fragment and fragment.lower() != "top" and fragment not in result.ids.get(target, ()):
            problems.append(f"{where}: no id {fragment!r} on {_short(target, site)}")
    return sorted(set(problems))


def _short(url: str, site: ServedSite) -> str:
    return "/" + url.removeprefix(site.base_url) if site.is_under_base(url) else url
