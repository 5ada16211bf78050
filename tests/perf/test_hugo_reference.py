"""The Hugo site `bench.py --hugo` times papershelf against: written from the repository's content,
it must hold the same papers, themes, tags and settings (the benchmark itself is not run here)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from tests.benchmarks.hugo_reference import write_hugo_site
from tests.perf.conftest import REPO_ROOT, read_tree

CONTENT = REPO_ROOT / "content"


def _front_matter(path: Path) -> dict:
    _, matter, _ = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(matter)


def test_every_paper_becomes_a_page_with_its_theme_tags_and_date(tmp_path: Path) -> None:
    counts = write_hugo_site(CONTENT, tmp_path)
    papers = sorted((CONTENT / "papers").glob("*.yaml"))
    pages = sorted((tmp_path / "content" / "papers").glob("*.md"))
    pages = [page for page in pages if page.name != "_index.md"]
    assert [page.stem for page in pages] == [paper.stem for paper in papers]
    assert counts["papers"] == len(papers)
    for paper, page in zip(papers, pages, strict=True):
        source = yaml.safe_load(paper.read_text(encoding="utf-8"))
        matter = _front_matter(page)
        assert matter["title"] == source["title"]
        assert matter["date"] == source["published"]
        assert matter.get("themes") == ([source["theme"]] if source.get("theme") else None)
        assert matter.get("tags") == (list(source["tags"]) if source.get("tags") else None)
        assert source["abstract"].split()[0] in page.read_text(encoding="utf-8")


def test_settings_and_terms_follow_the_content_directory(tmp_path: Path) -> None:
    write_hugo_site(CONTENT, tmp_path)
    settings = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
    vocabulary = yaml.safe_load((CONTENT / "themes.yaml").read_text(encoding="utf-8"))
    config = tomllib.loads((tmp_path / "hugo.toml").read_text(encoding="utf-8"))
    assert config["baseURL"] == settings["base_url"]
    assert config["taxonomies"] == {"theme": "themes", "tag": "tags"}
    assert config["rssLimit"] == settings["feed_size"]
    assert config["params"]["related_papers"] == 0  # Hugo's related pages only when asked for
    for kind in ("themes", "tags"):
        for term in vocabulary[kind]:
            index = tmp_path / "content" / kind / term["id"] / "_index.md"
            assert _front_matter(index)["title"] == term["title"]
    write_hugo_site(CONTENT, tmp_path / "related", related=True)
    related = tomllib.loads((tmp_path / "related" / "hugo.toml").read_text(encoding="utf-8"))
    assert related["params"]["related_papers"] == settings["related_papers"]


def test_the_same_content_gives_the_same_site(tmp_path: Path) -> None:
    write_hugo_site(CONTENT, tmp_path / "one")
    write_hugo_site(CONTENT, tmp_path / "two")
    write_hugo_site(CONTENT, tmp_path / "two")  # written again over itself
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")
