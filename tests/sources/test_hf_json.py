"""The daily-papers API JSON, and how a listing's format is told from its content."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.errors import Location
from papershelf.model import Authors, Link, Organization
from papershelf.sources import FORMATS, detect_format, parse_scrape, read_scrape

D = dt.date


def read(path, **options):
    scrape, problems = read_scrape(path, path.name, **options)
    assert problems == []
    return scrape


def test_api_json_reads_every_field(fixtures_dir):
    scrape = read(fixtures_dir / "hf-daily-papers-api.json")
    assert (scrape.format, scrape.scraped_on, len(scrape.entries)) == ("hf-json", None, 3)
    leval, longalign, longrope = scrape.entries
    assert (
        leval.title
        == "L-Eval: Instituting Standardized Evaluation for Long Context Language Models"
    )
    assert leval.authors == Authors(
        7,
        (
            "Chenxin An",
            "Shansan Gong",
            "Ming Zhong",
            "Mukai Li",
            "Jun Zhang",
            "Lingpeng Kong",
            "Xipeng Qiu",
        ),
    )
    assert (leval.arxiv, leval.upvotes, leval.comments) == ("2307.11088", 5, 0)
    # The paper's arXiv date, not the day it was submitted to the daily list (July 21).
    assert leval.published == D(2023, 7, 20)
    assert "(win 45\\% vs turbo-16k)" in leval.abstract
    # The abstract's "{...LEval}." and the githubRepo field are one link.
    assert leval.links == (Link("https://github.com/OpenLMLab/LEval", "code"),)
    assert leval.organization is None
    assert (longalign.upvotes, longalign.comments, longalign.published) == (25, 1, D(2024, 1, 31))
    assert longrope.organization == Organization("Microsoft", "microsoft")
    assert longrope.links == (Link("https://github.com/microsoft/LongRoPE", "code"),)


def test_api_json_entries_are_located_at_their_objects(fixtures_dir):
    entries = read(fixtures_dir / "hf-daily-papers-api.json").entries
    assert [e.location for e in entries] == [
        Location("hf-daily-papers-api.json", line, 3) for line in (2, 62, 132)
    ]


def test_api_summary_line_breaks_render_as_spaces(fixtures_dir):
    raw = json.loads((fixtures_dir / "hf-daily-papers-api.json").read_text(encoding="utf-8"))
    assert "\n" in raw[2]["paper"]["summary"]
    longrope = read(fixtures_dir / "hf-daily-papers-api.json").entries[2]
    assert longrope.abstract == " ".join(raw[2]["paper"]["summary"].split())
    assert longrope.abstract.startswith(
        "Large context window is a desirable feature in large language models (LLMs). However,"
    )


def test_hidden_authors_are_not_counted(write_scrape):
    item = {
        "paper": {
            "id": "2401.18058",
            "title": "LongAlign",
            "summary": "A recipe.",
            "publishedAt": "2024-01-31T18:29:39.000Z",
            "authors": [{"name": "Yushi Bai"}, {"name": "Xin Lv", "hidden": True}],
        }
    }
    (entry,) = read(write_scrape("one.json", json.dumps([item]))).entries
    assert entry.authors == Authors(1, ("Yushi Bai",))
    assert (entry.upvotes, entry.comments, entry.organization) == (None, None, None)


def test_object_with_search_results_is_read_and_located(write_scrape):
    paper = {"title": "T", "summary": "S.", "publishedAt": "2025-02-24T00:00:00.000Z"}
    props = {"dateString": "2025-02-25", "dailyPapers": [], "searchResults": [{"paper": paper}]}
    text = json.dumps(props, indent=1)
    (entry,) = read(write_scrape("props.json", text)).entries
    assert entry.published == D(2025, 2, 24)
    assert entry.location.line == text.split("\n").index("  {") + 1


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.json", '  [{"paper": {}}]', "hf-json"),
        ("a.txt", '{"dailyPapers": []}', "hf-json"),
        ("a.json", "<!doctype html><html></html>", "hf-html"),
        ("page", "\n<main></main>", "hf-html"),
        ("a.html", "Title\n\nAbstract.\n\n  • 2 authors\n·\nMay 30\n", "hf-text"),
        ("a.md", "# notes\n", None),
    ],
)
def test_format_is_told_from_content_not_name(name, text, expected):
    assert detect_format(text) == expected


def test_format_option_overrides_detection(fixtures_dir):
    text = (fixtures_dir / "hf-search-intercode-bash.txt").read_text(encoding="utf-8")
    scrape, problems = parse_scrape(text, "x", format="hf-json")
    assert scrape is None
    assert [p.location for p in problems] == [Location("x", 1, 1)]
    assert problems[0].message.startswith("invalid JSON: ")


def test_formats_are_the_three_hugging_face_ones():
    assert FORMATS == ("hf-text", "hf-html", "hf-json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                "",
                "·",
                "  • 3 authors",
                "Jan 5",
                "May 30 2",
                "Nov 12, 2025",
                "Feb 30, 2024",
                "Title",
                "Abstract text http://x.org}.",
                " Google",
                "<article>",
                '[{"paper": {}}]',
                "{",
            ]
        ),
        max_size=14,
    ),
    st.sampled_from([None, *FORMATS]),
)
def test_any_input_gives_a_scrape_or_problems_never_an_exception(lines, format):
    scrape, problems = parse_scrape("\n".join(lines), "fuzz.txt", format=format)
    assert (scrape is None) == bool(problems)
    assert all(p.location.path == "fuzz.txt" and p.location.line >= 1 for p in problems)
