"""Scrapes copied differently from the seed: every paper keeps its own fields, or the import
stops with one line naming file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from tests.ingest.conftest import run_cli, snapshot


def papers(workspace: Path) -> dict[str, dict]:
    """Return every imported paper by title."""
    found = {}
    for path in sorted((workspace / "content" / "papers").glob("*.yaml")):
        paper = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[paper["title"]] = paper
    return found


def import_text(workspace: Path, text: str, *extra: str):
    (workspace / "s.txt").write_text(text, encoding="utf-8")
    return run_cli("import", "s.txt", *extra, cwd=workspace)


def assert_refused(workspace: Path, text: str, expected: str, *extra: str) -> None:
    before = snapshot(workspace / "content")
    result = import_text(workspace, text, *extra)
    assert result.returncode == 1, result.stdout
    assert result.stderr.splitlines()[0] == expected, result.stderr
    assert snapshot(workspace / "content") == before


# The text a browser gives for two cards of the trending page: the submitter badge, the upvote
# button, the GitHub button and its stars, and the arXiv button around each paper.
TRENDING_COPY = """\
new
Get trending papers in your email inbox!
Subscribe
Trending Papers
Submitted by
nielsr
Ultralytics YOLO26: Unified Real-Time End-to-End Vision Models
YOLO26 addresses real-time vision challenges with NMS-free inference.
Ultralytics Ultralytics
·
Published on Jun 2, 2026
Upvote
23
GitHub
62.2k
arXiv Page
Submitted by
akhaliq
Kandinsky 6.0: A Family of Diffusion Models for Images and Video
We present Kandinsky 6.0, a family of diffusion models for image and video generation.
  • 40 authors
·
Published on Jun 1, 2026
Upvote
-
arXiv Page
"""


def test_trending_page_copy_skips_the_card_buttons(workspace: Path):
    result = import_text(workspace, TRENDING_COPY)
    assert result.returncode == 0, result.stderr
    found = papers(workspace)
    assert sorted(found) == [
        "Kandinsky 6.0: A Family of Diffusion Models for Images and Video",
        "Ultralytics YOLO26: Unified Real-Time End-to-End Vision Models",
    ]
    yolo = found["Ultralytics YOLO26: Unified Real-Time End-to-End Vision Models"]
    assert yolo["abstract"] == (
        "YOLO26 addresses real-time vision challenges with NMS-free inference."
    )
    assert yolo["organization"] == {"handle": "Ultralytics", "name": "Ultralytics"}
    assert str(yolo["published"]) == "2026-06-02"
    kandinsky = found["Kandinsky 6.0: A Family of Diffusion Models for Images and Video"]
    assert kandinsky["abstract"].startswith("We present Kandinsky 6.0")
    assert kandinsky["authors"] == {"count": 40}


def test_search_page_copy_with_upvote_counts_before_titles(workspace: Path):
    text = (
        "Daily Papers\n\nJan 5\n\n"
        "19\n\nArctic-SnowCoder: Demystifying High-Quality Data in Code Pretraining\n\n"
        "We introduce Arctic-SnowCoder-1.3B, a data-efficient base code model.\n\n"
        "  • 3 authors\n·\nSep 3, 2024 2\n\n"
        "-\n\nMathCoder: Seamless Code Integration in LLMs\n\n"
        "We present MathCoder, models that write code to solve math problems.\n\n"
        "  • 10 authors\n·\nOct 5, 2023\n"
    )
    result = import_text(workspace, text)
    assert result.returncode == 0, result.stderr
    found = papers(workspace)
    assert sorted(found) == [
        "Arctic-SnowCoder: Demystifying High-Quality Data in Code Pretraining",
        "MathCoder: Seamless Code Integration in LLMs",
    ]
    arctic = found["Arctic-SnowCoder: Demystifying High-Quality Data in Code Pretraining"]
    assert arctic["abstract"].startswith("We introduce Arctic-SnowCoder")
    assert arctic["comments"] == 2


def test_upvote_count_before_a_paper_without_abstract_is_refused_not_taken_as_title(
    workspace: Path,
):
    text = "Jan 5\n\n19\n\nA Paper Without Its Abstract\n\n  • 1 author\n·\nSep 3, 2024\n"
    assert_refused(
        workspace,
        text,
        "s.txt:5:1: error: entry 'A Paper Without Its Abstract' has no abstract",
    )


def entry(title: str, credit: str, date: str, abstract: str = "An abstract.") -> str:
    return f"{title}\n\n{abstract}\n\n{credit}\n·\n{date}\n\n"


def test_author_count_with_thousands_separator_is_a_count_not_an_organisation(
    workspace: Path,
):
    text = "Jan 5\n\n" + entry(
        "Gemini: A Family of Multimodal Models", "  • 1,350 authors", "Dec 19, 2023"
    )
    result = import_text(workspace, text)
    assert result.returncode == 0, result.stderr
    gemini = papers(workspace)["Gemini: A Family of Multimodal Models"]
    assert gemini["authors"] == {"count": 1350}
    assert "organization" not in gemini


def test_unreadable_authors_line_is_refused_not_taken_as_an_organisation(workspace: Path):
    text = "Jan 5\n\n" + entry("A Paper", "  • many authors", "Dec 19, 2023")
    assert_refused(
        workspace,
        text,
        "s.txt:7:3: error: cannot read the authors line '• many authors' "
        "(expected like '• 33 authors')",
    )


def test_a_message_quoting_a_line_breaking_character_stays_one_line(workspace: Path):
    # Quoted as it is, U+2028 (which a listing may hold) ends the line in many a log viewer and
    # editor: the message shows it escaped.
    text = "Jan 5\n\n" + entry("A Paper", "  • 3 aut\u2028hors", "Dec 19, 2023")
    result = import_text(workspace, text)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "s.txt:7:3: error: cannot read the authors line '• 3 aut\\u2028hors' "
        "(expected like '• 33 authors')"
    )


def test_date_without_comma_before_the_year_keeps_its_year_and_no_comment_count(
    workspace: Path,
):
    text = "Jan 5\n\n" + entry(
        "Gemini: A Family of Multimodal Models", "  • 9 authors", "Dec 19 2023"
    )
    result = import_text(workspace, text)
    assert result.returncode == 0, result.stderr
    gemini = papers(workspace)["Gemini: A Family of Multimodal Models"]
    assert str(gemini["published"]) == "2023-12-19"
    assert "comments" not in gemini


def test_year_less_date_after_the_page_date_is_refused(workspace: Path):
    # 'Dec 30' on a page of Jan 5 would be December of the page's year: the year is wrong.
    text = "Jan 5, 2026\n\n" + entry("A Paper", "  • 2 authors", "Dec 30")
    assert_refused(
        workspace,
        text,
        "s.txt:9:1: error: date 'Dec 30' (2026-12-30) is after the day the page was saved "
        "(2026-01-05)",
    )


def test_scraped_on_before_the_listings_dates_is_refused(workspace: Path):
    text = "Jan 5\n\n" + entry("A Paper", "  • 2 authors", "Nov 12, 2025")
    assert_refused(
        workspace,
        text,
        "s.txt:9:1: error: date 'Nov 12, 2025' (2025-11-12) is after the day the page was saved "
        "(2025-06-01)",
        "--scraped-on",
        "2025-06-01",
    )


def test_scraped_on_after_today_is_refused_before_anything_is_read(workspace: Path):
    # A year typed wrong would date every paper in the future, and give year-less dates that
    # year: `check` would then flag each file the import wrote. Today is the later of the local
    # and the UTC day, as the command line takes it.
    today = max(dt.datetime.now(dt.UTC).astimezone().date(), dt.datetime.now(dt.UTC).date())
    later = today + dt.timedelta(days=2)
    before = snapshot(workspace / "content")
    text = "Jan 5\n\n" + entry("A Paper", "  • 2 authors", "Nov 12, 2025")
    result = import_text(workspace, text, "--scraped-on", later.isoformat())
    assert result.returncode == 2, result.stdout
    assert result.stderr.splitlines()[-1] == (
        f"papershelf import: error: argument --scraped-on: {later} is after today ({today})"
    )
    assert snapshot(workspace / "content") == before
    saved_today = import_text(workspace, text, "--scraped-on", today.isoformat())
    assert saved_today.returncode == 0, saved_today.stderr


def test_search_query_in_a_copy_without_the_page_date_is_not_a_title(workspace: Path):
    text = (
        "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
        "byAK and the research community\n\nLong-context ASR\n\nDaily\n\nWeekly\n\nMonthly\n\n"
        + entry(
            "MURMUR: An Efficient Inference System for Long-Form ASR", "  • 3 authors", "May 30"
        )
    )
    result = import_text(workspace, text, "--scraped-on", "2026-06-29")
    assert result.returncode == 0, result.stderr
    murmur = papers(workspace)["MURMUR: An Efficient Inference System for Long-Form ASR"]
    assert murmur["abstract"] == "An abstract."
    assert str(murmur["published"]) == "2026-05-30"


def test_text_copy_after_the_html_of_the_same_page_erases_nothing(workspace: Path, repo_root: Path):
    fixtures = repo_root / "tests" / "sources" / "fixtures"
    for name in ("hf-search-hydrated.html", "hf-search-intercode-bash.txt"):
        (workspace / name).write_bytes((fixtures / name).read_bytes())
    assert run_cli("import", "hf-search-hydrated.html", cwd=workspace).returncode == 0
    before = snapshot(workspace / "content" / "papers")
    result = run_cli("import", "hf-search-intercode-bash.txt", cwd=workspace)
    assert result.returncode == 0, result.stderr
    # The text copy shows no arXiv ids, author names, upvotes or GitHub buttons, and the
    # HTML's links written loosely in the abstract (http://github.com/...) are the same links.
    assert "4 added, 0 updated, 4 unchanged" in result.stdout
    after = snapshot(workspace / "content" / "papers")
    assert {k: v for k, v in after.items() if k in before} == before
    arctic = papers(workspace)[
        "Arctic-SnowCoder: Demystifying High-Quality Data in Code Pretraining"
    ]
    assert arctic["arxiv"] == "2409.02326"
    assert arctic["authors"]["names"] == ["Yuxiang Wei", "Hojae Han", "Rajhans Samdani"]
    assert arctic["upvotes"] == 19


def test_old_mac_line_ends_read_like_unix_ones(workspace: Path):
    text = "Jan 5\n\n" + entry("A Paper", "  • 2 authors", "Nov 12, 2025 3")
    (workspace / "s.txt").write_bytes(text.replace("\n", "\r").encode("utf-8"))
    result = run_cli("import", "s.txt", cwd=workspace)
    assert result.returncode == 0, result.stderr
    paper = papers(workspace)["A Paper"]
    assert (str(paper["published"]), paper["comments"]) == ("2025-11-12", 3)


def test_year_guessed_from_the_listing_is_reported(workspace: Path):
    text = "Jan 5\n\n" + entry("A Paper", "  • 2 authors", "Dec 30, 2024")
    text += entry("Another Paper", "  • 2 authors", "Jan 2")
    result = import_text(workspace, text)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    warning = lines.index(
        "s.txt:1:1: warning: dates without a year are taken to be in 2025, the year after the "
        "newest one the listing writes out"
    )
    assert lines[warning + 1] == (
        "  hint: pass --scraped-on YYYY-MM-DD, the day the page was saved, to be sure"
    )
    assert str(papers(workspace)["Another Paper"]["published"]) == "2025-01-02"
    again = import_text(workspace, text, "--scraped-on", "2026-01-05")
    assert again.returncode == 0, again.stderr
    assert "warning: dates without a year" not in again.stderr
    assert str(papers(workspace)["Another Paper"]["published"]) == "2026-01-02"


def test_html_with_cut_short_page_data_says_it_read_the_cards(workspace: Path):
    # As in the saved 2026 trending page: the hydration JSON does not parse, the cards do.
    page = (
        '<html><body><main><div data-target="DailyPapers" data-props="{&quot;dailyPapers'
        '&quot;:[{&quot;paper&quot;:{"></div>\n'
        '<article><div><h3><a href="/papers/2606.03748">YOLO26: Real-Time Vision Models</a>'
        "</h3><p>YOLO26 addresses real-time vision challenges.</p>"
        '<a href="/Ultralytics"><img alt="Ultralytics"/> <span>Ultralytics</span></a>'
        "<span>·</span> <span>Published on Jun 2, 2026</span></div></article>"
        "</main></body></html>"
    )
    (workspace / "p.html").write_text(page, encoding="utf-8")
    result = run_cli("import", "p.html", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert (
        "p.html:1:19: warning: cannot read the DailyPapers data-props: invalid JSON "
        "(Expecting property name enclosed in double quotes); read the page's cards instead"
    ) in result.stderr.splitlines()
    paper = papers(workspace)["YOLO26: Real-Time Vision Models"]
    assert (paper["arxiv"], str(paper["published"])) == ("2606.03748", "2026-06-02")


def test_copy_with_blank_lines_between_all_lines_reads_every_date(workspace: Path):
    text = "Jan 5\n\n" + entry("A Paper", "  • 2 authors", "Nov 12, 2025 3")
    text += entry("Another Paper", "  • 4 authors", "Oct 1, 2025")
    result = import_text(workspace, text.replace("\n", "\n\n"))
    assert result.returncode == 0, result.stderr
    found = papers(workspace)
    assert sorted(found) == ["A Paper", "Another Paper"]
    assert (str(found["A Paper"]["published"]), found["A Paper"]["comments"]) == (
        "2025-11-12",
        3,
    )
    assert found["Another Paper"]["authors"] == {"count": 4}


def test_blank_line_after_the_separator_and_no_date_is_still_a_truncated_entry(
    workspace: Path,
):
    text = "Jan 5\n\n" + entry("A Paper", "  • 2 authors", "Nov 12, 2025")
    text += "Another Paper\n\nAn abstract.\n\n  • 4 authors\n·\n\n"
    assert_refused(
        workspace, text, "s.txt:16:1: error: entry 'Another Paper' is truncated: no date after '·'"
    )


def test_copy_starting_at_a_bracketed_title_is_text_not_json(workspace: Path):
    text = entry("[Re] Reproducing Multilingual ASR", "  • 3 authors", "Nov 12, 2025")
    result = import_text(workspace, text)
    assert result.returncode == 0, result.stderr
    assert list(papers(workspace)) == ["[Re] Reproducing Multilingual ASR"]


def test_terminal_colour_codes_in_a_copy_are_refused_at_their_column(workspace: Path):
    text = "Jan 5\n\n" + entry("A \x1b[1mBold\x1b[0m Title", "  • 3 authors", "Nov 12, 2025")
    assert_refused(workspace, text, "s.txt:3:3: error: control character U+001B in the listing")


SEED = "content/sources/hf-daily-papers-multilingual.txt"


def seed_copy(repo_root: Path, credits: dict[str, str]) -> str:
    """Return the seed as a copy that lost its lines' leading spaces, with the credit line of
    each paper whose title starts with a key of `credits` replaced by its value."""
    lines = [line.lstrip() for line in (repo_root / SEED).read_text(encoding="utf-8").split("\n")]
    for start, credit in credits.items():
        title = next(n for n, line in enumerate(lines) if line.startswith(start))
        separator = lines.index("·", title)
        lines[separator - 1] = credit
    return "\n".join(lines)


def test_organisation_lines_without_alt_text_or_leading_space_are_names(
    workspace: Path, repo_root: Path
):
    # A copy that dropped the logos' alt texts (the handles) and every line's leading spaces
    # ('• 33 authors' lost its indent): ' AI at Meta' became 'AI at Meta', which is not handle
    # 'AI' and name 'at Meta'.
    text = seed_copy(
        repo_root, {"FineWeb2:": "FineData", "Omnilingual ASR:": "AI at Meta", "UL2:": "Google"}
    )
    assert "  • " not in text
    result = import_text(workspace, text, "--scraped-on", "2026-01-05")
    assert result.returncode == 0, result.stderr
    found = {title.split(":")[0]: paper for title, paper in papers(workspace).items()}
    assert len(found) == 31
    assert found["Omnilingual ASR"]["organization"] == {"name": "AI at Meta"}
    assert found["FineWeb2"]["organization"] == {"name": "FineData"}
    assert found["UL2"]["organization"] == {"name": "Google"}
    assert found["LangSAMP"]["authors"] == {"count": 5}


def test_organisation_lines_keep_their_handles_in_a_copy_without_leading_spaces(
    workspace: Path, repo_root: Path
):
    # The same copy with the alt texts: 'Yi' credits 01-ai ('01.AI'), a handle its name spells,
    # so the copy shows the handles, and every organisation line starts with one.
    text = seed_copy(repo_root, {"Omnilingual ASR:": "facebook AI at Meta", "Yi:": "01-ai 01.AI"})
    result = import_text(workspace, text, "--scraped-on", "2026-01-05")
    assert result.returncode == 0, result.stderr
    found = {title.split(":")[0]: paper for title, paper in papers(workspace).items()}
    assert found["FineWeb2"]["organization"] == {"handle": "HuggingFaceFW", "name": "FineData"}
    assert found["Omnilingual ASR"]["organization"] == {"handle": "facebook", "name": "AI at Meta"}
    assert found["Yi"]["organization"] == {"handle": "01-ai", "name": "01.AI"}


def test_title_of_digits_in_a_copy_without_upvote_counts_is_a_title(
    workspace: Path, repo_root: Path
):
    # The seed shows no upvote counts: its papers start with their titles, so a number
    # starting a paper is its title, as in a paper called '2048'.
    seed = (repo_root / SEED).read_text(encoding="utf-8")
    abstract = "We present 2048, a sliding-tile puzzle benchmark for multilingual language models."
    text = seed.rstrip("\n") + "\n\n" + entry("2048", "  • 3 authors", "Mar 4, 2024", abstract)
    result = import_text(workspace, text, "--scraped-on", "2026-01-05")
    assert result.returncode == 0, result.stderr
    assert "32 added" in result.stdout
    found = papers(workspace)
    assert found["2048"]["abstract"] == abstract
    assert (
        (workspace / "content" / "papers" / "2048.yaml").read_text().startswith("title: '2048'\n")
    )
    assert str(found["2048"]["published"]) == "2024-03-04"


def test_title_of_digits_after_an_upvote_count_is_a_title(workspace: Path):
    # A search page's copy: an upvote count ('-' for none) before every title.
    text = (
        "Daily Papers\n\nJan 5\n\n"
        "19\n\n1984\n\nWe revisit surveillance in language model deployments.\n\n"
        "  • 3 authors\n·\nSep 3, 2024 2\n\n"
        "-\n\nMathCoder: Seamless Code Integration in LLMs\n\n"
        "We present MathCoder, models that write code to solve math problems.\n\n"
        "  • 10 authors\n·\nOct 5, 2023\n"
    )
    result = import_text(workspace, text)
    assert result.returncode == 0, result.stderr
    found = papers(workspace)
    assert sorted(found) == ["1984", "MathCoder: Seamless Code Integration in LLMs"]
    assert found["1984"]["abstract"] == "We revisit surveillance in language model deployments."
    assert (found["1984"]["comments"], "upvotes" in found["1984"]) == (2, False)


def test_lone_number_before_a_paper_without_abstract_says_it_was_read_as_a_count(
    workspace: Path,
):
    text = "Jan 5\n\n2048\n\nA Paper Without Its Abstract\n\n  • 1 author\n·\nSep 3, 2024\n"
    result = import_text(workspace, text)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "s.txt:5:1: error: entry 'A Paper Without Its Abstract' has no abstract",
        "  hint: line 3 ('2048') before it is read as its upvote count, as a number is before "
        "every title of this copy",
    ]


def day_page(data_props: str, *cards: tuple[str, str]) -> str:
    """Return a saved day page (Jun 3, 2026) whose cards, as (arXiv id, title), show no date."""
    articles = "".join(
        f'<article class="relative overflow-hidden rounded-xl border"><div><h3>'
        f'<a href="/papers/{paper_id}" class="line-clamp-2 cursor-pointer">{title}</a></h3>'
        f'<p class="line-clamp-2">The abstract of {title}.</p>'
        "<ul><li>3 authors</li></ul></div></article>\n"
        for paper_id, title in cards
    )
    return (
        '<html><body><main><div class="flex"><a href="/papers/date/2026-06-03" '
        'class="font-semibold"><time datetime="2026-06-03">Jun 3</time></a></div>\n'
        f'<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="'
        f'{data_props}"></div>\n{articles}</main></body></html>'
    )


# The data as the shared trending page holds it: each paper with its publishedAt; here cut
# short inside the second paper, as the saved page's attribute is in the shared excerpt.
CUT_SHORT_DATA = (
    "{&quot;canSubmit&quot;:false,&quot;dailyPapers&quot;:[{&quot;paper&quot;:{&quot;id&quot;:"
    "&quot;2606.01234&quot;,&quot;title&quot;:&quot;Kandinsky 6.0&quot;,&quot;publishedAt&quot;:"
    "&quot;2026-05-28T17:59:59.000Z&quot;},&quot;numComments&quot;:2},{&quot;paper&quot;:"
    "{&quot;id&quot;:&quot;2606.03748&quot;,&quot;authors&quot;:[{&quot;name&quot;:&quot;Team"
)


def test_day_page_card_without_date_takes_its_date_from_the_page_data(workspace: Path):
    page = day_page(CUT_SHORT_DATA, ("2606.01234", "Kandinsky 6.0"))
    (workspace / "day.html").write_text(page, encoding="utf-8")
    result = run_cli("import", "day.html", cwd=workspace)
    assert result.returncode == 0, result.stderr
    # The paper's publishedAt, not the day the page listed it (2026-06-03).
    assert str(papers(workspace)["Kandinsky 6.0"]["published"]) == "2026-05-28"


def test_day_page_card_whose_date_is_nowhere_on_the_page_is_refused(workspace: Path):
    page = day_page(
        CUT_SHORT_DATA, ("2606.01234", "Kandinsky 6.0"), ("2606.03748", "YOLO26: Vision Models")
    )
    (workspace / "day.html").write_text(page, encoding="utf-8")
    result = run_cli("import", "day.html", cwd=workspace)
    assert result.returncode == 1, result.stdout
    assert result.stderr.splitlines()[:2] == [
        "day.html:4:1: error: card 'YOLO26: Vision Models' has no date, and the page's "
        "DailyPapers data does not give it",
        "  hint: save the page again once it has loaded, or import the JSON of "
        "https://huggingface.co/api/daily_papers?date=2026-06-03",
    ]
    assert list(papers(workspace)) == []
