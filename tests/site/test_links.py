"""Every internal link and #anchor of the built site resolves, under a sub-path and at a root."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.site.conftest import FIXTURE_CONTENT, TEMPLATES, build


def broken_links(site: Path, base_url: str) -> list[str]:
    """Crawl every HTML page as the server would show it and return links that go nowhere."""
    base_path = urlsplit(base_url).path
    ids: dict[str, set[str]] = {}
    pages: dict[str, BeautifulSoup] = {}
    for file in sorted(site.rglob("*.html")):
        route = file.relative_to(site).as_posix().removesuffix("index.html")
        soup = BeautifulSoup(file.read_text(), "html.parser")
        pages[base_path + route] = soup
        ids[base_path + route] = {e["id"] for e in soup.find_all(id=True)}
    broken = []
    for page_path, soup in pages.items():
        for element in soup.find_all(["a", "link"], href=True):
            url = urlsplit(urljoin("http://host" + page_path, element["href"]))
            if url.netloc != "host" or element.get("rel") == ["canonical"]:
                continue
            if not url.path.startswith(base_path):
                broken.append(f"{page_path}: {element['href']} is outside {base_path}")
                continue
            target = site / url.path.removeprefix(base_path)
            if url.path.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page_path}: {element['href']} does not exist")
            elif url.fragment and url.fragment not in ids.get(url.path, set()):
                broken.append(f"{page_path}: {element['href']} has no such anchor")
    return broken


@pytest.mark.parametrize(
    "base_url", ["https://example.org/reading-list/", "https://example.org/", "http://x/a/b/"]
)
def test_no_internal_link_is_broken(tmp_path: Path, base_url: str) -> None:
    build(FIXTURE_CONTENT, TEMPLATES, tmp_path / "site", base_url=base_url)
    assert broken_links(tmp_path / "site", base_url) == []


def test_the_crawler_notices_a_broken_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(FIXTURE_CONTENT, TEMPLATES, site)
    page = site / "tags/index.html"
    page.write_text(page.read_text().replace('href="/reading-list/tags/asr/"', 'href="/tags/asr/"'))
    (site / "archive/index.html").write_text(
        (site / "archive/index.html").read_text().replace('id="main"', 'id="content"')
    )
    assert broken_links(site, "https://example.org/reading-list/") == [
        "/reading-list/archive/: #main has no such anchor",
        "/reading-list/tags/: /tags/asr/ is outside /reading-list/",
    ]


def test_pages_load_nothing_from_other_hosts(fixture_site: Path) -> None:
    for file in fixture_site.rglob("*.html"):
        soup = BeautifulSoup(file.read_text(), "html.parser")
        for element in soup.find_all(["link", "img", "script", "iframe", "source"]):
            if element.name == "link" and element.get("rel") in (["canonical"], ["alternate"]):
                continue
            if element.name == "script" and element.get("type") == "application/ld+json":
                continue  # data, not a script: it loads nothing
            target = element.get("href") or element.get("src") or ""
            assert target.startswith("/reading-list/"), f"{file}: {element}"
