"""Link previews (Open Graph, Twitter card), canonical URLs, and a web app manifest whose icons
resolve under the base path."""

from __future__ import annotations

import json
import struct
import urllib.error
from pathlib import Path

from bs4 import BeautifulSoup

from tests.features.conftest import FIXTURE_BASE
from tests.validation.served import LOCAL, ServedSite

OPEN_GRAPH = ("og:type", "og:title", "og:description", "og:site_name", "og:image")


def _property(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", property=name)
    return tag["content"] if tag else None


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with LOCAL.open(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_every_page_has_link_preview_metadata_and_an_absolute_canonical_url(
    fixture_build: Path,
) -> None:
    for path in sorted(fixture_build.rglob("*.html")):
        soup = BeautifulSoup(path.read_text(), "html.parser")
        where = path.relative_to(fixture_build).as_posix()
        for name in OPEN_GRAPH:
            assert _property(soup, name), f"{where}: no {name}"
        assert _property(soup, "og:image").startswith(FIXTURE_BASE), where
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
        if path.name == "404.html":
            assert soup.find("link", rel="canonical") is None  # served at any address
            continue
        canonical = soup.find("link", rel="canonical")["href"]
        route = where.removesuffix("index.html")
        assert canonical == FIXTURE_BASE + route, where
        assert _property(soup, "og:url") == canonical, where
        expected_kind = "article" if route.startswith("papers/") else "website"
        assert _property(soup, "og:type") == expected_kind, where


def test_paper_pages_describe_the_paper_itself(fixture_build: Path) -> None:
    page = fixture_build / "papers/ofa-initializing-unseen-subword-embeddings/index.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    assert _property(soup, "og:title") == soup.h1.get_text()
    assert _property(soup, "article:published_time") == "2023-11-15"
    tags = [m["content"] for m in soup.find_all("meta", property="article:tag")]
    assert tags == ["Tokenizers and vocabulary", "Low-resource languages"]


def test_manifest_and_its_icons_resolve_under_the_base_path(served: ServedSite) -> None:
    home = BeautifulSoup((served.out_dir / "index.html").read_text(), "html.parser")
    manifest_href = home.find("link", rel="manifest")["href"]
    assert manifest_href == served.base_path + "manifest.webmanifest"
    status, _, body = _get(served.origin + manifest_href)
    assert status == 200
    manifest = json.loads(body)
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == manifest["scope"] == served.base_path
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert icon["src"].startswith(served.base_path), icon
        status, content_type, data = _get(served.origin + icon["src"])
        assert status == 200 and content_type == icon["type"], icon
        if icon["type"] == "image/png":
            width, height = _png_size(data)
            assert f"{width}x{height}" == icon["sizes"], icon


def test_touch_icon_and_share_image_resolve(served: ServedSite) -> None:
    home = BeautifulSoup((served.out_dir / "index.html").read_text(), "html.parser")
    touch = home.find("link", rel="apple-touch-icon")["href"]
    assert touch.startswith(served.base_path)
    status, content_type, data = _get(served.origin + touch)
    assert (status, content_type, _png_size(data)) == (200, "image/png", (180, 180))
    image = _property(home, "og:image")
    assert image.startswith(served.base_url)
    status, content_type, data = _get(image)
    assert (status, content_type) == (200, "image/png")
    width, height = _png_size(data)
    assert _property(home, "og:image:width") == str(width)
    assert _property(home, "og:image:height") == str(height)
