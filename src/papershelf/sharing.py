"""What browsers, home screens and link previews read about the site: the web app manifest, and
the pages this issue adds to the sitemap.

The icons are templates/static/icon-192.png, icon-512.png and apple-touch-icon.png: the favicon
drawn at those sizes (the touch icon without rounded corners, which iOS adds itself).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from papershelf import urls
from papershelf.config import SiteConfig
from papershelf.urls import SiteUrls

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The header colour of the light scheme (style.css --panel); browsers tint their toolbar with it.
THEME_COLOR = "#ffffff"
BACKGROUND_COLOR = "#fbfbfa"
# A share image must be a raster image: the 512 px icon, drawn square, doubles as one.
SHARE_IMAGE = urls.ICON_512
SHARE_IMAGE_SIZE = 512


def web_manifest(config: SiteConfig) -> bytes:
    """Return manifest.webmanifest: every URL in it is a path under the site's base path."""
    site = SiteUrls(config.base_url)
    manifest = {
        "name": config.title,
        "short_name": config.title,
        "description": config.description or config.title,
        "lang": config.language,
        "start_url": site.href(urls.HOME),
        "scope": site.href(urls.HOME),
        "display": "browser",
        "background_color": BACKGROUND_COLOR,
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": site.href(urls.ICON_192), "sizes": "192x192", "type": "image/png"},
            {"src": site.href(urls.ICON_512), "sizes": "512x512", "type": "image/png"},
            {"src": site.href(urls.FAVICON), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def add_to_sitemap(
    sitemap: bytes, config: SiteConfig, pages: Sequence[tuple[str, dt.date | None]]
) -> bytes:
    """Return `sitemap` with a `<url>` for each (route, last change) it does not list yet.

    The statistics and search pages are pages like any other; feeds.sitemap() lists the
    catalogue's pages, and these are added to what it wrote, in its layout.
    """
    root = ET.fromstring(sitemap)
    # ElementTree names parsed elements {namespace}tag; written back that way they would get an
    # invented prefix, so they are turned back into the plain tags feeds.sitemap() writes.
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SITEMAP_NS}}}")
    root.set("xmlns", SITEMAP_NS)
    site = SiteUrls(config.base_url)
    listed = {loc.text for loc in root.iter("loc")}
    for route, lastmod in pages:
        url = site.absolute(route)
        if url not in listed:
            entry = ET.SubElement(root, "url")
            ET.SubElement(entry, "loc").text = url
            if lastmod is not None:
                ET.SubElement(entry, "lastmod").text = lastmod.isoformat()
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()
