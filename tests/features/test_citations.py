"""Citations: BibTeX files a BibTeX library reads, CSL-JSON, `citation_*` meta tags for Zotero
and Google Scholar, schema.org ScholarlyArticle JSON-LD, and the copy button."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import bibtexparser
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from papershelf.citations import _slashed_date, indented_json, json_ld, strip_tags
from papershelf.content import load_papers
from papershelf.model import Paper
from papershelf.papertext import paper_texts
from papershelf.text import latex_to_plain
from tests.features.conftest import (
    FIXTURE_BASE,
    FIXTURE_CONTENT,
    HOSTILE_CONTENT,
    SHIPPED_CONTENT,
)
from tests.validation.served import ServedSite

REQUIRED_FIELDS = ("title", "year", "url")


def _page(site: Path, slug: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"papers/{slug}/index.html").read_text(), "html.parser")


def _parse_bib(path: Path) -> list:
    library = bibtexparser.parse_string(path.read_text(encoding="utf-8"))
    assert library.failed_blocks == [], f"{path}: {library.failed_blocks}"
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)), f"{path}: duplicate keys"
    return library.entries


def _meta(soup: BeautifulSoup, name: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"name": name})]


def _json_ld(soup: BeautifulSoup) -> dict:
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def _names(paper: Paper) -> list[str]:
    if paper.authors and paper.authors.names:
        return list(paper.authors.names)
    return [paper.organization.name] if paper.organization else []


@pytest.mark.parametrize("build", ["fixture_build", "served"])
def test_every_bibtex_file_parses_with_unique_keys_and_the_fields(
    request: pytest.FixtureRequest, build: str
) -> None:
    built = request.getfixturevalue(build)
    site = built.out_dir if isinstance(built, ServedSite) else built
    files = sorted(site.rglob("*.bib"))
    assert site / "papers.bib" in files
    for path in files:
        for entry in _parse_bib(path):
            missing = [name for name in REQUIRED_FIELDS if name not in entry.fields_dict]
            assert not missing, f"{path}: {entry.key} lacks {missing}"


def test_bibliographies_hold_exactly_their_papers(
    fixture_build: Path, fixture_papers: dict[str, Paper]
) -> None:
    everything = _parse_bib(fixture_build / "papers.bib")
    assert [e.key for e in everything] == sorted(fixture_papers)
    for theme in {p.theme for p in fixture_papers.values() if p.theme}:
        entries = _parse_bib(fixture_build / f"themes/{theme}/papers.bib")
        assert [e.key for e in entries] == sorted(
            slug for slug, paper in fixture_papers.items() if paper.theme == theme
        )
    for slug, paper in fixture_papers.items():
        (entry,) = _parse_bib(fixture_build / f"papers/{slug}/citation.bib")
        assert entry.key == slug
        assert entry["year"] == str(paper.published.year)
        if paper.arxiv:
            assert entry["eprint"] == paper.arxiv
        # The file holds the very entry the page shows.
        shown = _page(fixture_build, slug).find("pre", class_="citation").get_text()
        assert shown in (fixture_build / f"papers/{slug}/citation.bib").read_text()


def test_csl_json_has_type_title_issued_and_authors(
    fixture_build: Path, fixture_papers: dict[str, Paper]
) -> None:
    for slug, paper in fixture_papers.items():
        items = json.loads((fixture_build / f"papers/{slug}/citation.json").read_text())
        assert isinstance(items, list) and len(items) == 1
        item = items[0]
        assert item["id"] == slug and item["type"] == "article"
        assert item["title"] == latex_to_plain(paper.title)
        published = paper.published
        assert item["issued"] == {"date-parts": [[published.year, published.month, published.day]]}
        names = _names(paper)
        if names:
            shown = [a.get("literal") or f"{a['given']} {a['family']}" for a in item["author"]]
            assert shown == names
        else:
            assert "author" not in item  # an author count alone names nobody
        if paper.arxiv:
            assert item["DOI"] == f"10.48550/arXiv.{paper.arxiv}"
            assert item["URL"] == f"https://arxiv.org/abs/{paper.arxiv}"


def test_ofa_authors_split_into_given_and_family_names(fixture_build: Path) -> None:
    path = fixture_build / "papers/ofa-initializing-unseen-subword-embeddings/citation.json"
    (item,) = json.loads(path.read_text())
    assert item["author"][0] == {"given": "Yihong", "family": "Liu"}


def test_citation_meta_tags_let_reference_managers_import_the_page(
    fixture_build: Path, fixture_papers: dict[str, Paper]
) -> None:
    for slug, paper in fixture_papers.items():
        soup = _page(fixture_build, slug)
        assert _meta(soup, "citation_title") == [soup.h1.get_text()]
        assert _meta(soup, "citation_author") == _names(paper)
        (date,) = _meta(soup, "citation_publication_date")
        assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", date)
        assert date == paper.published.strftime("%Y/%m/%d")
        assert _meta(soup, "citation_abstract_html_url") == [f"{FIXTURE_BASE}papers/{slug}/"]
        expected_arxiv = [paper.arxiv] if paper.arxiv else []
        assert _meta(soup, "citation_arxiv_id") == expected_arxiv
        if paper.arxiv:
            assert _meta(soup, "citation_pdf_url") == [f"https://arxiv.org/pdf/{paper.arxiv}"]


def test_json_ld_is_a_scholarly_article(
    fixture_build: Path, fixture_papers: dict[str, Paper]
) -> None:
    for slug, paper in fixture_papers.items():
        soup = _page(fixture_build, slug)
        data = _json_ld(soup)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "ScholarlyArticle"
        assert data["name"] == data["headline"] == soup.h1.get_text()
        assert data["datePublished"] == paper.published.isoformat()
        assert data["url"] == soup.find("link", rel="canonical")["href"]
        assert [author["name"] for author in data.get("author", [])] == _names(paper)
        assert data["abstract"]


def test_json_ld_of_hostile_text_stays_inside_its_script(hostile_build: Path) -> None:
    html = (hostile_build / "papers/hostile-paper/index.html").read_text()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    assert "<" not in raw and ">" not in raw
    data = json.loads(raw)
    assert data["name"].startswith('<script>alert("title")</script>')
    soup = BeautifulSoup(html, "html.parser")
    scripts = soup.find_all("script")
    # Only the JSON-LD and the site's own copy script: no markup from the content became one.
    base_path = urlsplit(soup.find("link", rel="canonical")["href"]).path.split("papers/")[0]
    assert [s.get("type") or s.get("src") for s in scripts] == [
        "application/ld+json",
        f"{base_path}assets/copy.js",
    ]


def test_pages_link_their_citation_files(fixture_build: Path) -> None:
    soup = _page(fixture_build, "ofa-initializing-unseen-subword-embeddings")
    cite = soup.find(id="cite").find_parent("section")
    hrefs = [a["href"] for a in cite.find_all("a")]
    assert hrefs == [
        "/reading-list/papers/ofa-initializing-unseen-subword-embeddings/citation.bib",
        "/reading-list/papers/ofa-initializing-unseen-subword-embeddings/citation.json",
    ]
    theme = BeautifulSoup((fixture_build / "themes/speech/index.html").read_text(), "html.parser")
    assert theme.find("a", href="/reading-list/themes/speech/papers.bib")
    assert theme.find("footer").find("a", href="/reading-list/papers.bib")


@pytest.mark.browser
def test_copy_button_copies_the_bibtex(browser, served: ServedSite) -> None:
    from tests.validation.browsercheck import DESKTOP, new_context, visit

    slug = sorted(p.parent.name for p in served.out_dir.glob("papers/*/index.html"))[0]
    context, refused = new_context(browser, served, DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.origin)
    try:
        opened = visit(context, refused, f"{served.base_url}papers/{slug}/")
        page = opened.page
        page.get_by_role("button", name="Copy BibTeX").click()
        page.get_by_role("status").filter(has_text="Copied").wait_for()
        copied = page.evaluate("() => navigator.clipboard.readText()")
        shown = page.locator("pre.citation").inner_text()
        problems = opened.problems
    finally:
        context.close()
    assert copied == shown and copied.startswith(f"@misc{{{slug},")
    assert problems == []


@pytest.mark.browser
def test_without_javascript_the_copy_button_stays_hidden(browser, served: ServedSite) -> None:
    slug = sorted(p.parent.name for p in served.out_dir.glob("papers/*/index.html"))[0]
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{served.base_url}papers/{slug}/")
        assert not page.get_by_role("button", name="Copy BibTeX").is_visible()
        assert page.locator("pre.citation").is_visible()
    finally:
        context.close()


# ---------------------------------------------------------------- fast paths, same output

# Pieces of HTML that matter to striptags: tags, comments, entities, and every kind of space.
HTML_PIECES = [
    *["<", ">", "<p>", "</p>", "<em>", "<a href='x>y'>", "<!--", "-->", "<!-->", "<!", "--"],
    *["&", ";", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#10;", "&#x41;", "&nbsp;", "&zz;"],
    *[" ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000"],
    *["a", "word", "é", "ß", "×", "'", '"', "-", "!"],
]
html_fragments = st.lists(st.sampled_from(HTML_PIECES), max_size=40).map("".join)


def _shipped_texts() -> list[str]:
    """Return the abstract and notes HTML of every shipped and fixture paper, as rendered."""
    found = []
    for content in (SHIPPED_CONTENT, FIXTURE_CONTENT, HOSTILE_CONTENT):
        papers, problems = load_papers(content)
        assert not problems
        for text in paper_texts(papers, 200).values():
            found += [text.abstract_html, text.notes_html or Markup("")]
    return found


def test_strip_tags_is_striptags_on_every_shipped_abstract() -> None:
    texts = _shipped_texts()
    assert len(texts) > 60
    for html in texts:
        plain = strip_tags(html)
        assert plain == html.striptags() and type(plain) is str, html


@settings(max_examples=2000, deadline=None)
@given(st.one_of(html_fragments, st.text()))
def test_strip_tags_is_striptags_on_any_text(html: str) -> None:
    plain = strip_tags(Markup(html))
    assert plain == Markup(html).striptags() and type(plain) is str


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.text().map(Markup),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.dictionaries(
            st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.text()),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=20,
)


@settings(max_examples=1500, deadline=None)
@given(json_values)
def test_indented_json_is_json_dumps_with_indent(value: object) -> None:
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(["<", ">", "&", "\u2028", "\u2029", "/", "é", "a", '"'])))
def test_json_ld_escapes_what_could_end_its_script(text: str) -> None:
    escapes = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
    escapes |= {"\u2028": "\\u2028", "\u2029": "\\u2029"}
    expected = json.dumps({"name": text}, ensure_ascii=False, separators=(",", ":"))
    assert json_ld({"name": text}) == expected.translate(str.maketrans(escapes))


@given(st.dates())
def test_publication_date_is_written_as_strftime_writes_it(day: dt.date) -> None:
    assert _slashed_date(day) == day.strftime("%Y/%m/%d")
