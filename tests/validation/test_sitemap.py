"""sitemap.xml follows the sitemaps.org schema and lists exactly the site's pages."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from functools import cache
from pathlib import Path

from lxml import etree

from papershelf import feeds, urls
from papershelf.build import BuildOptions
from papershelf.build import build_site as papershelf_build
from papershelf.catalog import build_catalog, updated_on
from papershelf.config import load_config
from papershelf.content import SITE_FILE, THEMES_FILE, load_papers
from papershelf.feeds import sitemaps
from papershelf.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT

from .feedcheck import SCHEMAS, internal_url_problem
from .problems import assert_no_problems
from .served import ServedSite

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@cache
def _sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-0.9.xsd")))


def sitemap_problems(site: ServedSite) -> list[str]:
    """Check sitemap.xml (or, for a site too large for one file, the index and every sitemap it
    lists) against the schema, the built files, and the pages it should list."""
    path = site.out_dir / "sitemap.xml"
    if not path.is_file():
        return ["sitemap.xml was not built"]
    try:
        document = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        return [f"sitemap.xml: not well-formed XML: {exc}"]
    problems: list[str] = []
    listed: Counter[str] = Counter()
    if document.getroot().tag == f"{SITEMAP_NS}sitemapindex":
        for entry in document.getroot().iter(f"{SITEMAP_NS}sitemap"):
            part_url = (entry.findtext(f"{SITEMAP_NS}loc") or "").strip()
            if bad := internal_url_problem(part_url, site):
                problems.append(f"sitemap.xml:{entry.sourceline}: <loc> {bad}")
                continue
            part = site.file_for(part_url)
            part_document = etree.parse(str(part))
            problems += _urlset_problems(part.name, part_document, site, listed)
            urls_listed = part_document.getroot().findall(f"{SITEMAP_NS}url")
            if not 0 < len(urls_listed) <= feeds.SITEMAP_MAX_URLS:
                problems.append(f"{part.name}: {len(urls_listed)} URLs")
            newest = max(u.findtext(f"{SITEMAP_NS}lastmod") or "" for u in urls_listed)
            if entry.findtext(f"{SITEMAP_NS}lastmod") != newest:
                problems.append(f"sitemap.xml:{entry.sourceline}: <lastmod> is not {newest}")
    else:
        problems += _urlset_problems("sitemap.xml", document, site, listed)
    problems += [f"sitemap.xml: {url!r} is listed {n} times" for url, n in listed.items() if n > 1]
    # Every page a visitor can reach belongs in the sitemap; 404.html is not a page of its own.
    pages = [site.url_for(p) for p in site.files("*.html") if p.name != "404.html"]
    problems += [f"sitemap.xml does not list {url}" for url in pages if url not in listed]
    return problems


def _urlset_problems(
    name: str, document: etree._ElementTree, site: ServedSite, listed: Counter[str]
) -> list[str]:
    schema = _sitemap_schema()
    problems = []
    if not schema.validate(document):
        problems += [f"{name}:{e.line}: schema: {e.message}" for e in schema.error_log]
    for loc in document.getroot().iter(f"{SITEMAP_NS}loc"):
        url = (loc.text or "").strip()
        listed[url] += 1
        if bad := internal_url_problem(url, site):
            problems.append(f"{name}:{loc.sourceline}: <loc> {bad}")
        elif site.file_for(url).suffix != ".html":
            problems.append(f"{name}:{loc.sourceline}: <loc> {url!r} is not a page")
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
    expected += [(urls.archive_year(y), catalog.newest_date(ps)) for y, ps in catalog.by_year]
    expected += [(urls.paper(p.slug), updated_on(p)) for p in sorted(papers, key=lambda p: p.slug)]
    # The home page is listed already, so it is not listed twice.
    more = [(urls.STATS, newest), (urls.HOME, None), (urls.SEARCH, None)]
    written = sitemaps(config, catalog, more)
    assert written == [
        ("sitemap.xml", _elementtree_sitemap(base_url, [*expected, more[0], more[2]]))
    ]
    assert sitemaps(config, catalog) == [("sitemap.xml", _elementtree_sitemap(base_url, expected))]
    # Beyond what one file may list, the same pages in order, split, under an index.
    split = sitemaps(config, catalog, max_urls=4)
    count = -(-len(expected) // 4)
    assert [path for path, _ in split] == [
        "sitemap.xml",
        *(f"sitemap-{n}.xml" for n in range(1, count + 1)),
    ]
    for number, (_, xml) in enumerate(split[1:]):
        assert xml == _elementtree_sitemap(base_url, expected[number * 4 : number * 4 + 4])
    index = ET.fromstring(split[0][1])
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert [loc.text for loc in index.iter(f"{SITEMAP_NS}loc")] == [
        f"{base_url}sitemap-{n}.xml" for n in range(1, count + 1)
    ]


def test_a_site_too_large_for_one_sitemap_gets_an_index_of_sitemaps(
    tmp_path: Path, monkeypatch
) -> None:
    """The protocol allows 50,000 URLs a file; the shipped site, at 10 a file, takes several."""
    monkeypatch.setattr(feeds, "SITEMAP_MAX_URLS", 10)
    base_url = "http://127.0.0.1:9/reading-list/"
    out = tmp_path / "reading-list"
    papershelf_build(BuildOptions(REPO_ROOT / "content", REPO_ROOT / "templates", out, base_url))
    assert (out / "sitemap-2.xml").is_file()
    site = ServedSite(out_dir=out, base_url=base_url)
    assert_no_problems(sitemap_problems(site), "sitemap problems")
    assert_no_problems(robots_problems(site), "robots.txt problems")


def test_a_sitemap_is_also_split_before_it_grows_past_the_size_limit(monkeypatch) -> None:
    """The protocol's other limit is 50 MB a file: parts stay under it (here, 1,500 bytes)."""
    config, _ = load_config(FIXTURE_CONTENT / SITE_FILE, "https://example.org/")
    taxonomy, _ = load_taxonomy(FIXTURE_CONTENT / THEMES_FILE)
    papers, _ = load_papers(FIXTURE_CONTENT)
    assert config and taxonomy
    catalog, _ = build_catalog(papers, taxonomy, 0)
    [(_, whole)] = sitemaps(config, catalog)
    monkeypatch.setattr(feeds, "SITEMAP_MAX_BYTES", 1500)
    split = sitemaps(config, catalog)
    assert len(split) > 2
    locs = [loc.text for _, xml in split[1:] for loc in ET.fromstring(xml).iter(f"{SITEMAP_NS}loc")]
    assert locs == [loc.text for loc in ET.fromstring(whole).iter(f"{SITEMAP_NS}loc")]
    assert all(len(xml) <= 1500 for _, xml in split[1:])
