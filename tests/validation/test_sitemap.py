"""sitemap.xml follows the sitemaps.org schema and lists exactly the site's pages."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from functools import cache
from pathlib import Path

from lxml import etree

from papershelf import urls
from papershelf.catalog import build_catalog, updated_on
from papershelf.config import load_config
from papershelf.content import SITE_FILE, THEMES_FILE, load_papers
from papershelf.feeds import sitemap
from papershelf.taxonomy import load_taxonomy

from .feedcheck import SCHEMAS, internal_url_problem
from .problems import assert_no_problems
from .served import ServedSite

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@cache
def _sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-0.9.xsd")))


def sitemap_problems(site: ServedSite) -> list[str]:
    """Check sitemap.xml against the schema, the built files, and the pages it should list."""
    path = site.out_dir / "sitemap.xml"
    if not path.is_file():
        return ["sitemap.xml was not built"]
    try:
        document = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        return [f"sitemap.xml: not well-formed XML: {exc}"]
    schema = _sitemap_schema()
    problems = []
    if not schema.validate(document):
        problems += [f"sitemap.xml:{e.line}: schema: {e.message}" for e in schema.error_log]
    locs = document.getroot().iter(f"{SITEMAP_NS}loc")
    listed: Counter[str] = Counter()
    for loc in locs:
        url = (loc.text or "").strip()
        listed[url] += 1
        if bad := internal_url_problem(url, site):
            problems.append(f"sitemap.xml:{loc.sourceline}: <loc> {bad}")
        elif site.file_for(url).suffix != ".html":
            problems.append(f"sitemap.xml:{loc.sourceline}: <loc> {url!r} is not a page")
    problems += [f"sitemap.xml: {url!r} is listed {n} times" for url, n in listed.items() if n > 1]
    # Every page a visitor can reach belongs in the sitemap; 404.html is not a page of its own.
    pages = [site.url_for(p) for p in site.files("*.html") if p.name != "404.html"]
    problems += [f"sitemap.xml does not list {url}" for url in pages if url not in listed]
    return problems


def robots_problems(site: ServedSite) -> list[str]:
    path = site.out_dir / "robots.txt"
    if not path.is_file():
        return ["robots.txt was not built"]
    declared = re.findall(r"(?im)^sitemap:\s*(\S+)\s*$", path.read_text(encoding="utf-8"))
    expected = site.base_url + "sitemap.xml"
    if declared != [expected]:
        return [f"robots.txt declares sitemaps {declared}, expected ['{expected}']"]
    return []


def test_sitemap_is_valid_and_lists_every_page(site: ServedSite) -> None:
    assert_no_problems(sitemap_problems(site), "sitemap problems")


def test_sitemap_lists_every_page_of_paginated_listings(paginated_site: ServedSite) -> None:
    assert_no_problems(sitemap_problems(paginated_site), "sitemap problems")


def test_robots_txt_points_to_the_sitemap(site: ServedSite) -> None:
    assert_no_problems(robots_problems(site), "robots.txt problems")


def test_nojekyll_keeps_github_pages_from_running_jekyll(site: ServedSite) -> None:
    assert (site.out_dir / ".nojekyll").is_file()


def test_sitemap_checks_report_each_defect_of_the_broken_fixture(broken_site: ServedSite) -> None:
    base = broken_site.base_url
    problems = sitemap_problems(broken_site)
    # The schema message's wording is libxml2's; the line and the bad value are what matter.
    assert problems[0].startswith("sitemap.xml:4: schema: ") and "'yesterday'" in problems[0]
    assert problems[1:] == [
        "sitemap.xml:6: <loc> '/reading-list/papers/ok/' is not absolute",
        f"sitemap.xml:7: <loc> '{base}papers/missing/' names no built file",
        f"sitemap.xml:8: <loc> '{base}feed.xml' is not a page",
        f"sitemap.xml: '{base}papers/ok/' is listed 2 times",
        f"sitemap.xml does not list {base}papers/orphan/",
    ]
    assert robots_problems(broken_site) == [
        f"robots.txt declares sitemaps [], expected ['{base}sitemap.xml']"
    ]
    assert not (broken_site.out_dir / ".nojekyll").exists()


# ---------------------------------------------------------------- how it is written

FIXTURE_CONTENT = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "content"


def _elementtree_sitemap(base_url: str, pages: list[tuple[str, dt.date | None]]) -> bytes:
    """Write a sitemap of `pages` as feeds.py did with ElementTree (SubElement, indent)."""
    root = ET.Element("urlset", {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    for route, lastmod in pages:
        entry = ET.SubElement(root, "url")
        ET.SubElement(entry, "loc").text = base_url + route
        if lastmod is not None:
            ET.SubElement(entry, "lastmod").text = lastmod.isoformat()
    ET.indent(root, space="  ")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{ET.tostring(root, "unicode")}\n'.encode()


def test_sitemap_lists_the_catalogue_then_the_other_pages_as_elementtree_wrote_it() -> None:
    base_url = "https://example.org/a&b/"  # a path may hold "&": escaped in <loc>
    config, problems = load_config(FIXTURE_CONTENT / SITE_FILE, base_url)
    taxonomy, more_problems = load_taxonomy(FIXTURE_CONTENT / THEMES_FILE)
    papers, paper_problems = load_papers(FIXTURE_CONTENT)
    assert config and taxonomy and not (problems or more_problems or paper_problems)
    catalog, _ = build_catalog(papers, taxonomy, 0)
    newest = catalog.newest_date()
    expected = [(urls.HOME, newest)]
    expected += [
        (urls.theme(t.id), catalog.newest_date(catalog.by_theme[t.id])) for t in taxonomy.themes
    ]
    expected.append((urls.TAGS_INDEX, newest))
    expected += [(urls.tag(t.id), catalog.newest_date(catalog.by_tag[t.id])) for t in taxonomy.tags]
    expected.append((urls.ARCHIVE, newest))
    expected += [(urls.paper(p.slug), updated_on(p)) for p in sorted(papers, key=lambda p: p.slug)]
    # The home page is listed already, so it is not listed twice.
    more = [(urls.STATS, newest), (urls.HOME, None), (urls.SEARCH, None)]
    written = sitemap(config, catalog, more)
    assert written == _elementtree_sitemap(base_url, [*expected, more[0], more[2]])
    assert sitemap(config, catalog) == _elementtree_sitemap(base_url, expected)
