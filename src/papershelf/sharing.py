"""What browsers, home screens and link previews read about the site: the web app manifest and
the share image. (The statistics and search pages are in the sitemap as pages like any other:
the build passes them to feeds.sitemaps().)

The icons are templates/static/icon-192.png, icon-512.png and apple-touch-icon.png: the favicon
drawn at those sizes (the touch icon without rounded corners, which iOS adds itself).
"""

from __future__ import annotations

import json

from papershelf import urls
from papershelf.config import SiteConfig
from papershelf.urls import SiteUrls

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
