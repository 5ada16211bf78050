"""Bad scrapes: one exact line per problem, with file and line, and never part of a listing."""

from __future__ import annotations

import datetime as dt

import pytest

from papershelf.sources import read_scrape

GOOD = "Title One\n\nAbstract one.\n\n  • 3 authors\n·\nNov 12, 2025\n\n"


def problem_lines(write_scrape, name, content, **options):
    scrape, problems = read_scrape(write_scrape(name, content), name, **options)
    assert scrape is None
    return [p.format_text() for p in problems]


@pytest.mark.parametrize("content", ["", "\n  \n\t\n"])
def test_empty_file(write_scrape, content):
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:1:1: error: file is empty\n  hint: expected a scraped papers listing"
    ]


def test_file_ends_after_an_abstract(write_scrape):
    content = GOOD + "Title Two\n\nAbstract two.\n"
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:9:1: error: entry 'Title Two' is truncated: its '·' line and date are missing"
    ]


def test_file_ends_after_an_authors_line(write_scrape):
    content = GOOD + "Title Two\n\nAbstract two.\n\n  • 2 authors\n"
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:9:1: error: entry 'Title Two' is truncated: its '·' line and date are missing"
    ]


def test_entry_without_separator_and_date_before_another_entry(write_scrape):
    content = "Title Zero\n\nAbstract zero.\n\n  • 4 authors\n\n" + GOOD
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:1:1: error: entry 'Title Zero' is truncated: its '·' line and date are missing"
    ]


def test_file_ends_right_after_the_separator(write_scrape):
    content = GOOD + "Title Two\n\nAbstract two.\n\n  • 2 authors\n·\n"
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:14:1: error: entry 'Title Two' is truncated: no date after '·'"
    ]


def test_separator_followed_by_a_blank_line(write_scrape):
    content = (
        GOOD
        + "Title Two\n\nAbstract two.\n\n  • 2 authors\n·\n\n"
        + "Title Three\n\nAbstract three.\n\n  • 1 authors\n·\nMay 2, 2024\n"
    )
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:14:1: error: entry 'Title Two' is truncated: no date after '·'"
    ]


def test_separator_with_no_paper_before_it(write_scrape):
    assert problem_lines(write_scrape, "scrape.txt", GOOD + "·\nMay 2, 2024\n") == [
        "scrape.txt:9:1: error: '·' line has no paper before it"
    ]


def test_entry_without_abstract(write_scrape):
    content = "Jan 5\n\nTitle One\n\n  • 3 authors\n·\nNov 12, 2025\n"
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:3:1: error: entry 'Title One' has no abstract"
    ]


def test_abstract_where_the_authors_line_should_be(write_scrape):
    abstract = "Multilingual language models are widely used to extend NLP systems to " * 2
    content = f"Title One\n\n{abstract.strip()}\n·\nNov 12, 2025\n"
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:3:1: error: expected an authors line ('• N authors') or an organisation line "
        "before '·', got 'Multilingual language models are widely used to extend NLP…'"
    ]


def test_misspelt_month(write_scrape):
    content = GOOD.replace("Nov 12, 2025", "Novembr 12, 2025")
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:7:1: error: cannot read date 'Novembr 12, 2025' "
        "(expected like 'Nov 12, 2025' or 'May 30')"
    ]


def test_day_the_month_does_not_have(write_scrape):
    content = GOOD.replace("Nov 12, 2025", "Feb 30, 2024 2")
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:7:1: error: cannot read date 'Feb 30, 2024': February 2024 has no day 30"
    ]


def test_year_less_leap_day_in_a_common_year(write_scrape):
    content = GOOD.replace("Nov 12, 2025", "Feb 29")
    assert problem_lines(write_scrape, "scrape.txt", content, scraped_on=dt.date(2025, 3, 1)) == [
        "scrape.txt:7:1: error: cannot read date 'Feb 29': February 2025 has no day 29"
    ]


def test_every_date_problem_is_reported_not_only_the_first(write_scrape):
    content = GOOD.replace("Nov 12, 2025", "Novembr 12, 2025") + GOOD.replace(
        "Nov 12, 2025", "Feb 30, 2024"
    )
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:7:1: error: cannot read date 'Novembr 12, 2025' "
        "(expected like 'Nov 12, 2025' or 'May 30')",
        "scrape.txt:15:1: error: cannot read date 'Feb 30, 2024': February 2024 has no day 30",
    ]


def test_year_less_date_with_no_year_to_infer_it_from(write_scrape):
    content = "Jan 5\n\n" + GOOD.replace("Nov 12, 2025", "May 30")
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:9:1: error: date 'May 30' has no year, and the listing has no date with a "
        "year to infer it from\n"
        "  hint: pass --scraped-on YYYY-MM-DD, the day the page was saved"
    ]


def test_unknown_format(write_scrape):
    assert problem_lines(write_scrape, "notes.md", "\n# Reading notes\n\nnothing here\n") == [
        "notes.md:2:1: error: unknown scrape format: expected the JSON or HTML of a Hugging "
        "Face papers page, or its text copy with '·' lines before each date\n"
        "  hint: pass --format hf-text, hf-html or hf-json"
    ]


def test_unknown_format_option(write_scrape):
    assert problem_lines(write_scrape, "scrape.txt", GOOD, format="hf-pdf") == [
        "scrape.txt:1:1: error: unknown format 'hf-pdf' (expected one of hf-text, hf-html, hf-json)"
    ]


def test_not_utf8(write_scrape):
    content = GOOD.encode("utf-8").replace(b"Abstract one.", b"Abstract \xe9t\xe9.")
    assert problem_lines(write_scrape, "scrape.txt", content) == [
        "scrape.txt:3:10: error: file is not UTF-8 (byte 0xe9 cannot be decoded)\n"
        "  hint: save the file as UTF-8"
    ]


def test_missing_file(tmp_path):
    scrape, problems = read_scrape(tmp_path / "gone.txt", "gone.txt")
    assert scrape is None
    assert [p.format_text() for p in problems] == [
        "gone.txt: error: cannot read file: No such file or directory"
    ]


def test_invalid_json(write_scrape):
    content = '[\n  {"paper": {"id": "2307.11088"},\n  }\n]\n'
    assert problem_lines(write_scrape, "daily.json", content) == [
        "daily.json:3:3: error: invalid JSON: Expecting property name enclosed in double quotes"
    ]


def test_json_that_is_not_a_list_of_papers(write_scrape):
    assert problem_lines(write_scrape, "daily.json", '{"models": [], "total": 0}') == [
        "daily.json:1:1: error: expected a list of daily papers, got an object with keys: "
        "models, total"
    ]


def test_json_paper_without_abstract_or_date(write_scrape):
    content = '[\n  {"paper": {"id": "2307.11088", "title": "L-Eval"}, "numComments": 0}\n]\n'
    assert problem_lines(write_scrape, "daily.json", content) == [
        "daily.json:2:3: error: paper 'L-Eval' has no abstract ('summary')",
        "daily.json:2:3: error: paper 'L-Eval' has no date ('publishedAt', expected an ISO "
        "timestamp like '2025-11-12T18:59:59.000Z')",
    ]


def test_json_paper_with_unreadable_date(write_scrape):
    content = (
        '[{"paper": {"id": "2307.11088", "title": "L-Eval", "summary": "An abstract.",\n'
        '  "publishedAt": "20th July"}}]'
    )
    assert problem_lines(write_scrape, "daily.json", content) == [
        "daily.json:1:2: error: paper 'L-Eval' cannot read date '20th July' ('publishedAt', "
        "expected an ISO timestamp like '2025-11-12T18:59:59.000Z')"
    ]


def test_json_item_that_is_not_an_object(write_scrape):
    assert problem_lines(write_scrape, "daily.json", "[\n  42\n]") == [
        "daily.json:2:3: error: expected a daily-paper object, got a number"
    ]


def test_empty_json_list(write_scrape):
    assert problem_lines(write_scrape, "daily.json", "[]") == [
        "daily.json:1:1: error: no papers found in the JSON"
    ]


def test_html_without_papers(write_scrape):
    assert problem_lines(write_scrape, "page.html", "<html><body><p>Log in</p></body></html>") == [
        "page.html:1:1: error: no papers found: no DailyPapers data and no <article> card with "
        "an 'h3 a[href^=\"/papers/\"]' title link"
    ]


def test_html_with_broken_hydration_json_and_no_cards(write_scrape):
    content = (
        "<html><body>\n<main>"
        '<div data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;:[{"></div>'
        "</main></body></html>"
    )
    assert problem_lines(write_scrape, "page.html", content) == [
        "page.html:2:7: error: cannot read the DailyPapers data-props: invalid JSON "
        "(Expecting property name enclosed in double quotes)"
    ]
