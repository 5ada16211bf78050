"""The naive renderer `bench.py --naive` calibrates the machine with: built from the repository's
content, it must make the pages and feeds Hugo's reference site has (the benchmark itself is
not run here)."""

from __future__ import annotations

import html
from pathlib import Path

import feedparser
import yaml

from tests.benchmarks.hugo_reference import output_shape
from tests.benchmarks.naive_reference import build
from tests.perf.conftest import REPO_ROOT, read_tree

CONTENT = REPO_ROOT / "content"


def _papers() -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((CONTENT / "papers").glob("*.yaml"))
    }


def test_every_paper_gets_a_page_and_every_theme_and_tag_a_listing(tmp_path: Path) -> None:
    build(CONTENT, tmp_path / "site")
    site = tmp_path / "site"
    papers = _papers()
    for slug, paper in papers.items():
        page = (site / "papers" / slug / "index.html").read_text(encoding="utf-8")
        assert f"<h1>{html.escape(paper['title'], quote=False)}</h1>" in page
    vocabulary = yaml.safe_load((CONTENT / "themes.yaml").read_text(encoding="utf-8"))
    for theme in vocabulary["themes"]:
        members = [slug for slug, paper in papers.items() if paper.get("theme") == theme["id"]]
        listing = (site / "themes" / theme["id"] / "index.html").read_text(encoding="utf-8")
        assert f"{len(members)} papers, newest first" in listing
        for slug in members:  # the shipped list fits on one page of each theme
            assert f'href="/papers/{slug}/"' in listing
    shape = output_shape(site)
    assert shape["paper_pages"] == len(papers)
    assert shape["theme_pages"] == len(vocabulary["themes"])
    assert shape["tag_pages"] == len(vocabulary["tags"])
    # Home, all papers, the lists of themes and tags, and each theme and tag: as Hugo makes.
    assert shape["rss_feeds"] == 4 + len(vocabulary["themes"]) + len(vocabulary["tags"])


def test_its_feeds_are_rss_that_a_reader_parses(tmp_path: Path) -> None:
    build(CONTENT, tmp_path / "site")
    settings = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
    feed = feedparser.parse((tmp_path / "site" / "index.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == settings["title"]
    newest = sorted(_papers().values(), key=lambda p: (p["published"], p["title"]), reverse=True)
    assert [entry.title for entry in feed.entries] == [p["title"] for p in newest][:50]
    for entry in feed.entries:
        assert entry.link.startswith(settings["base_url"] + "papers/")


def test_the_same_content_gives_the_same_site(tmp_path: Path) -> None:
    build(CONTENT, tmp_path / "one")
    build(CONTENT, tmp_path / "two")
    build(CONTENT, tmp_path / "two")  # built again over itself
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")
