"""What each page shows, checked on the parsed HTML of the fixture site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.model import Authors, Paper
from papershelf.papertext import (
    _markdown,
    _parsed_markdown,
    _plain_paragraphs,
    _render_markdown,
    excerpt,
    paper_texts,
    render_markdown,
)
from papershelf.templates import format_date
from papershelf.views import bibtex


def page(site: Path, route: str) -> BeautifulSoup:
    return BeautifulSoup((site / route / "index.html").read_text(), "html.parser")


def texts(elements) -> list[str]:
    return [" ".join(e.get_text(" ").split()) for e in elements]


def test_every_page_has_the_html_basics(fixture_site: Path) -> None:
    for file in sorted(fixture_site.rglob("*.html")):
        soup = BeautifulSoup(file.read_text(), "html.parser")
        assert soup.html["lang"] == "en"
        assert soup.find("meta", attrs={"name": "viewport"})
        assert len(soup.find_all("h1")) == 1, file
        for landmark in ("header", "nav", "main", "footer"):
            assert soup.find(landmark), f"{file}: no <{landmark}>"
        assert soup.find("a", class_="skip-link")["href"] == "#main"
        icon = soup.find("link", rel="icon")
        assert icon["href"] == "/reading-list/assets/favicon.svg"


def test_home_shows_themes_newest_additions_and_every_feed(fixture_site: Path) -> None:
    home = page(fixture_site, "")
    themes = home.find_all("section", class_="theme")
    assert texts(t.h3 for t in themes) == ["Speech", "Vision and language", "Adaptation"]
    speech = themes[0]
    assert "3 papers" in speech.get_text()
    assert "Recognising and synthesising speech" in speech.get_text()
    assert len(speech.find_all("li")) == 2  # home_theme_papers: 2
    newest = home.find(id="newest").find_parent("section")
    assert len(newest.find_all("article")) == 3  # home_newest: 3
    feed_links = {a["href"] for a in home.find(id="feeds").find_parent("section").find_all("a")}
    for scope in ("", "themes/speech/", "tags/benchmark/"):
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert f"/reading-list/{scope}{name}" in feed_links
    assert "/reading-list/feeds.opml" in feed_links
    assert "1 paper not in any theme yet" in home.get_text()


def test_theme_page_lists_cards_newest_first(fixture_site: Path) -> None:
    speech = page(fixture_site, "themes/speech")
    cards = speech.find_all("article", class_="card")
    assert [c.time["datetime"] for c in cards] == ["2025-11-12", "2023-01-17", "2023-01-17"]
    # Same date: the slug decides.
    assert texts(c.h3 for c in cards)[1].startswith("Adapting")
    first = cards[0]
    assert "33 authors" in first.find(class_="meta").get_text()
    assert texts(first.find_all("li")) == [
        "Speech recognition",
        "Low-resource languages",
        "Code available",
    ]
    assert [a["href"] for a in first.find(class_="card-links").find_all("a")] == [
        "https://arxiv.org/abs/2511.09690",
        "https://github.com/facebookresearch/omnilingual-asr",
    ]
    assert first.find(class_="excerpt").get_text().startswith("Automatic speech recognition")


def test_card_names_the_organisation_when_there_is_one(fixture_site: Path) -> None:
    card = page(fixture_site, "themes/vision-language").find("article", class_="card")
    assert "Idiap Research Institute" in card.find(class_="meta").get_text()


def test_tags_index_counts_papers(fixture_site: Path) -> None:
    entries = texts(page(fixture_site, "tags").find(class_="tag-index").find_all("li"))
    assert entries[0] == "Benchmarks 0 papers No fixture paper has this tag, so its pages and " + (
        "feeds are empty."
    )
    assert "Code available 4 papers The paper links to its source code." in entries


def test_paper_page_shows_everything_about_the_paper(fixture_site: Path) -> None:
    soup = page(fixture_site, "papers/ofa-initializing-unseen-subword-embeddings")
    assert soup.h1.get_text() == (
        "Ofa: A Framework of Initializing Unseen Subword Embeddings for Efficient Large-scale "
        "Multilingual Continued Pretraining"
    )
    assert soup.find(class_="kicker").a["href"] == "/reading-list/themes/adaptation/"
    assert soup.find(class_="byline").get_text() == "Yihong Liu, Peiqin Lin and 2 others"
    abstract = soup.find(id="abstract").find_parent("section").get_text()
    assert "One For All (Ofa)" in abstract and "by 3.6% — at" in abstract
    assert [a["href"] for a in soup.find(class_="links").find_all("a")] == [
        "https://arxiv.org/abs/2311.08849"
    ]
    citation = soup.find("pre", class_="citation").get_text()
    assert citation.startswith("@misc{ofa-initializing-unseen-subword-embeddings,")
    assert r"title         = {{\textsc{Ofa}: A Framework" in citation
    related = [a["href"] for a in soup.find(id="related").find_parent("section").find_all("a")]
    assert related[0].endswith("/papers/langsamp-language-script-aware-multilingual-pretraining/")


def test_curator_notes_render_as_markdown_below_the_page_headings(fixture_site: Path) -> None:
    soup = page(fixture_site, "papers/adapting-speech-model-ainu")
    notes = soup.find(id="notes").find_parent("section")
    assert texts(notes.find_all("h3")) == ["Why it is here"]
    assert notes.find("strong").get_text() == "continued pretraining"
    assert notes.find("a")["href"] == "https://arxiv.org/abs/2511.09690"


def test_not_found_page_links_home_with_the_base_path(fixture_site: Path) -> None:
    soup = BeautifulSoup((fixture_site / "404.html").read_text(), "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert soup.find("link", rel="canonical") is None
    assert "/reading-list/" in [a["href"] for a in soup.main.find_all("a")]


def test_the_stylesheet_is_small_and_has_both_colour_schemes(fixture_site: Path) -> None:
    css = (fixture_site / "assets/style.css").read_text()
    assert len(css.encode()) < 10_000
    assert "prefers-color-scheme: dark" in css
    assert "url(" not in css and "@import" not in css  # nothing from other hosts


def test_excerpt_cuts_at_a_word_boundary() -> None:
    assert excerpt("short text", 40) == "short text"
    assert excerpt("one two three four five six seven", 16) == "one two three…"
    assert excerpt("x" * 50, 10) == "x" * 9 + "…"


def test_an_excerpt_has_its_words_one_space_apart() -> None:
    abstracts = {
        "plain": "Plain words, one space apart.",
        "spaces": "Two  spaces and\u00a0a no-break space,\u3000an ideographic one.",
        "blanks": "A\u00a0no-break space and\u2009a thin one.",
    }
    papers = [
        Paper(slug=slug, title=slug, abstract=text, published=dt.date(2024, 1, 1), path=slug)
        for slug, text in abstracts.items()
    ]
    texts = paper_texts(papers, 200)
    assert texts["plain"].excerpt == "Plain words, one space apart."
    assert texts["spaces"].excerpt == "Two spaces and a no-break space, an ideographic one."
    assert texts["blanks"].excerpt == "A no-break space and a thin one."
    assert texts["spaces"].abstract_html.startswith("<p>Two  spaces")  # shown as written


def test_dates_use_fixed_english_month_names() -> None:
    assert format_date(dt.date(2026, 1, 5)) == "5 Jan 2026"


# Prose, now and then with Markdown's syntax, list markers, headings or odd blank lines in it.
_line = st.lists(
    st.sampled_from(
        ["Words", "and", "é1", '"quoted"', "it's", "a-b", "(x)", "=", "-", "1.", "*a*"]
    ),
    min_size=1,
    max_size=6,
).map(" ".join)
_prose = st.one_of(
    st.lists(
        st.sampled_from([*"aBz é1 .,;:'\"!?()=-#>+*_`[]&<\\", "\n", "\n\n", "Words and words"])
    ).map("".join),
    st.tuples(
        st.lists(st.lists(_line, min_size=1, max_size=3).map("\n".join), min_size=1, max_size=3),
        st.sampled_from(["", "\n", "\n\n"]),
    ).map(lambda found: "\n\n".join(found[0]) + found[1]),
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(_prose)
def test_plain_prose_renders_as_markdown_it_renders_it(source: str) -> None:
    """Abstracts, notes and the intro that are lines of prose are rendered without markdown-it;
    the HTML and the text of excerpts are what markdown-it would make of them."""
    assert _render_markdown(_markdown, source, 2) == _parsed_markdown(_markdown(), source, 2)


def test_paragraphs_of_prose_are_read_without_markdown_it() -> None:
    intro = 'Lines of "prose",\nkept as written.\n\nA second paragraph.\n'
    assert _plain_paragraphs(intro) == [
        'Lines of "prose",\nkept as written.',
        "A second paragraph.",
    ]
    assert render_markdown(intro) == (
        "<p>Lines of &quot;prose&quot;,\nkept as written.</p>\n<p>A second paragraph.</p>"
    )
    for markdown in ("A list:\n- one", "A\n\n\nB", "Title\n===", "A *word*", " Indented"):
        assert _plain_paragraphs(markdown) is None, markdown


def test_markdown_headings_start_below_the_page_heading() -> None:
    assert render_markdown("# A\n\n## B", 3) == "<h3>A</h3>\n<h4>B</h4>"
    assert render_markdown("### Deep", 2) == "<h2>Deep</h2>"


def test_bibtex_falls_back_to_plain_text_when_braces_do_not_balance() -> None:
    item = Paper(
        slug="x",
        title=r"Broken {title",
        abstract="",
        published=dt.date(2024, 5, 1),
        authors=Authors(2, ("Ada Lovelace",)),
    )
    assert bibtex(item, "Broken {title", "https://example.org/papers/x/") == (
        "@misc{x,\n"
        "  title  = {{Broken title}},\n"
        "  author = {Ada Lovelace and others},\n"
        "  year   = {2024},\n"
        "  url    = {https://example.org/papers/x/}\n"
        "}"
    )


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("{HMDE}: A {Nested {Title}}", "{{{HMDE}: A {Nested {Title}}}}"),  # balanced: kept
        ("Closed} before {opened", "{{Closed before opened}}"),  # as many of each, out of order
        ("Open {{twice} once", "{{Open twice once}}"),
    ],
)
def test_bibtex_keeps_braces_only_when_they_balance(title: str, shown: str) -> None:
    item = Paper(slug="x", title=title, abstract="", published=dt.date(2024, 5, 1))
    entry = bibtex(item, title.replace("{", "").replace("}", ""), "https://example.org/p/")
    assert f"  title = {shown},\n" in entry
