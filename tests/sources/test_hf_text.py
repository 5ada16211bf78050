"""Text copies of listings the parser was not written against, and the text format's corners."""

from __future__ import annotations

import datetime as dt

import pytest

from papershelf.errors import Location
from papershelf.model import Authors, Link, Organization
from papershelf.sources import read_scrape

D = dt.date
MICROSOFT = Organization("Microsoft", "microsoft")

# The "Long-context ASR" search of 2026-06-29: title line, title (start), credit, date, comments.
LONG_CONTEXT = [
    (21, "MURMUR: An Efficient Inference System", Authors(3), D(2026, 5, 30), None),
    (29, "Gemini 1.5: Unlocking multimodal", Authors(671), D(2024, 3, 8), 6),
    (37, "Whispering Context: Distilling Syntax", Authors(1), D(2025, 8, 18), None),
    (45, "VIBEVOICE-ASR Technical Report", MICROSOFT, D(2026, 3, 13), 3),
    (53, "L-Eval: Instituting Standardized", Authors(7), D(2023, 7, 20), None),
    (61, "KV Cache Compression, But What", Authors(13), D(2024, 7, 1), None),
    (
        81,
        "Training Long-Context Vision-Language",
        Organization("ByteDance Seed", "ByteDance-Seed"),
        D(2026, 5, 12),
        3,
    ),
    (
        89,
        "Revisiting Long-context Modeling",
        Organization("Soochow University", "SUDA"),
        D(2025, 10, 7),
        3,
    ),
    (
        97,
        "Distilling Conversations: Abstract",
        Organization("Idiap Research Institute", "Idiap"),
        D(2026, 3, 27),
        2,
    ),
    (105, "\\textsc{NaVIDA}: Vision-Language", Authors(8), D(2026, 1, 26), None),
]

# The "Intercode Bash" search of 2026-03-25.
INTERCODE = [
    (25, "Better than Your Teacher: LLM Agents", Authors(2), D(2024, 10, 7), None),
    (33, "InterCode: Standardizing and Benchmarking", Authors(4), D(2023, 6, 26), None),
    (41, "code2seq: Generating Sequences", Authors(4), D(2018, 8, 3), None),
    (49, "Arctic-SnowCoder: Demystifying", Authors(3), D(2024, 9, 3), 2),
    (57, "Soft Instruction De-escalation Defense", Organization("Google"), D(2025, 10, 23), 1),
    (65, "CodeFusion: A Pre-trained Diffusion Model", Authors(6), D(2023, 10, 26), 10),
    (73, "MathCoder: Seamless Code Integration", Authors(10), D(2023, 10, 5), 4),
    (81, "Superposed Decoding: Multiple Generations", Authors(10), D(2024, 5, 28), None),
]


def read(path, **options):
    scrape, problems = read_scrape(path, path.name, **options)
    # Listings without --scraped-on may warn that their year was guessed; nothing else.
    assert [p.format_text() for p in problems if p.is_error or "year" not in p.message] == []
    return scrape


def credit(entry):
    return entry.organization or entry.authors


@pytest.mark.parametrize(
    ("name", "expected", "scraped_on"),
    [
        ("hf-search-long-context.txt", LONG_CONTEXT, D(2026, 6, 29)),
        ("hf-search-intercode-bash.txt", INTERCODE, D(2026, 3, 25)),
    ],
)
def test_listing_reads_every_paper_after_a_header_with_query_and_tabs(
    fixtures_dir, name, expected, scraped_on
):
    scrape = read(fixtures_dir / name)
    assert (scrape.format, scrape.scraped_on) == ("hf-text", scraped_on)
    found = [
        (e.location.line, e.title[: len(title)], credit(e), e.published, e.comments)
        for e, (_, title, *_) in zip(scrape.entries, expected, strict=True)
    ]
    assert found == expected
    assert all(e.location == Location(name, e.location.line, 1) for e in scrape.entries)


def test_titles_and_abstracts_are_kept_exactly_latex_and_typos_included(fixtures_dir):
    by_title = {e.title: e for e in read(fixtures_dir / "hf-search-long-context.txt").entries}
    navida = by_title[
        "\\textsc{NaVIDA}: Vision-Language Navigation with Inverse Dynamics Augmentation"
    ]
    assert navida.abstract.startswith(
        "Vision-and-Language Navigation (VLN) requires agents to interpret natural language "
        "instructions and act coherently in visually rich environments. However,"
    )
    assert (
        "we introduce \\textsc{NaVIDA} (\\textbf{Nav}igation with \\textbf{I}nverse "
        "\\textbf{D}ynamics \\textbf{A}ugmentation), a unified VLN framework"
    ) in navida.abstract
    assert navida.abstract.endswith("Code and data will be available upon acceptance.")
    leval = by_title["L-Eval: Instituting Standardized Evaluation for Long Context Language Models"]
    assert "LLaMA2 achieves the best results (win 45\\% vs turbo-16k)" in leval.abstract
    assert leval.abstract.endswith("Cluade-100k at {https://github.com/OpenLMLab/LEval}.")
    vibevoice = by_title["VIBEVOICE-ASR Technical Report"]
    assert "VibeVoice-ASRsupports single-pass processing" in vibevoice.abstract
    assert "supply customized conetxt, significantly" in vibevoice.abstract


def test_wrapped_title_and_abstract_lines_are_joined_with_one_space(fixtures_dir):
    kv_cache = read(fixtures_dir / "hf-search-long-context.txt").entries[5]
    assert kv_cache.title == (
        "KV Cache Compression, But What Must We Give in Return? A Comprehensive Benchmark of "
        "Long Context Capable Approaches"
    )
    assert kv_cache.abstract.startswith(
        "Long context capability is a crucial competency for large language models (LLMs) as "
        "it mitigates the human struggle to digest long-form texts. This capability"
    )
    assert kv_cache.abstract.endswith(
        "for the future development of long context-capable LLMs. The source code will be "
        "available at https://github.com/henryzhongsc/longctx_bench"
    )
    assert "\n" not in kv_cache.abstract
    assert kv_cache.links == (Link("https://github.com/henryzhongsc/longctx_bench", "code"),)


def test_links_lose_trailing_punctuation_and_braces(fixtures_dir):
    links = {
        e.title.split(":")[0]: e.links
        for e in read(fixtures_dir / "hf-search-long-context.txt").entries
        if e.links
    }
    assert links == {
        "MURMUR": (Link("https://github.com/uw-syfi/Murmur", "code"),),
        "L-Eval": (Link("https://github.com/OpenLMLab/LEval", "code"),),
        "KV Cache Compression, But What Must We Give in Return? A Comprehensive Benchmark of "
        "Long Context Capable Approaches": (
            Link("https://github.com/henryzhongsc/longctx_bench", "code"),
        ),
    }


def test_two_http_links_in_one_abstract_and_project_pages(fixtures_dir):
    entries = read(fixtures_dir / "hf-search-intercode-bash.txt").entries
    code2seq = entries[2]
    assert "We present {scriptsize CODE2SEQ}: an alternative approach" in code2seq.abstract
    assert code2seq.links == (
        Link("http://code2seq.org", "other"),
        Link("http://github.com/tech-srl/code2seq", "code"),
    )
    assert entries[0].links == (Link("https://leap-llm.github.io", "project"),)
    assert entries[1].links == (Link("https://intercode-benchmark.github.io", "project"),)
    # "( Intercode Bash)" keeps the odd space the abstract has.
    assert "interactive coding ( Intercode Bash)." in entries[0].abstract


def test_scraped_on_gives_year_less_dates_their_year(fixtures_dir):
    scrape = read(fixtures_dir / "hf-search-long-context.txt", scraped_on=D(2027, 6, 29))
    assert scrape.scraped_on == D(2027, 6, 29)
    assert [e.published for e in scrape.entries if e.published.year >= 2026] == [
        D(2027, 5, 30),
        D(2027, 3, 13),
        D(2027, 5, 12),
        D(2027, 3, 27),
        D(2027, 1, 26),
    ]
    assert scrape.entries[1].published == D(2024, 3, 8)


ENTRY = """{title}

{abstract}

{credit}
·
{date}
"""
ABSTRACT = (
    "We study continued training and supervised fine-tuning (SFT) of a language model (LM) to "
    "make effective use of long-context information."
)


def listing(*entries: tuple[str, str, str], header: str = "Daily Papers\n\nJun 29\n\n") -> str:
    return header + "\n".join(
        ENTRY.format(title=title, abstract=ABSTRACT, credit=who, date=date)
        for title, who, date in entries
    )


@pytest.mark.parametrize(
    ("line", "organization"),
    [
        ("ellamind ellamind", Organization("ellamind", "ellamind")),
        (
            "umass University of Massachusetts Amherst",
            Organization("University of Massachusetts Amherst", "umass"),
        ),
        (" Google", Organization("Google")),
        (" Idiap Research Institute", Organization("Idiap Research Institute")),
        # One word: the display name; copies drop the avatar's alt text (the handle), not it.
        ("Google", Organization("Google")),
    ],
)
def test_organisation_lines_with_and_without_handle(write_scrape, line, organization):
    path = write_scrape("org.txt", listing(("How to Train Long-Context LMs", line, "Oct 3, 2024")))
    (entry,) = read(path).entries
    assert (entry.organization, entry.authors) == (organization, None)


def test_abstract_paragraphs_are_kept_apart(write_scrape):
    text = (
        "Jun 29\n\nA Title\n\nFirst paragraph, wrapped\nover two lines.\n\nSecond paragraph.\n\n"
        "  • 2 authors\n·\nJun 1, 2025\n"
    )
    (entry,) = read(write_scrape("paragraphs.txt", text)).entries
    assert (entry.title, entry.abstract) == (
        "A Title",
        "First paragraph, wrapped over two lines.\n\nSecond paragraph.",
    )


def test_title_directly_followed_by_abstract_lines(write_scrape):
    text = "A Title\nAbstract line one\nand two.\n  • 1 authors\n·\nJun 1, 2025\n"
    (entry,) = read(write_scrape("tight.txt", text)).entries
    assert (entry.title, entry.abstract, entry.authors) == (
        "A Title",
        "Abstract line one and two.",
        Authors(1),
    )


def test_header_without_page_date_skips_known_lines_and_leaves_scrape_undated(write_scrape):
    header = "new\n\nSubscribe\n\nDaily Papers\n\nbyAK and the research community\n\n"
    path = write_scrape(
        "undated.txt", listing(("A Title", "  • 2 authors", "Jun 1, 2025"), header=header)
    )
    scrape = read(path)
    assert scrape.scraped_on is None
    assert [(e.title, e.location.line) for e in scrape.entries] == [("A Title", 9)]


def test_year_less_dates_without_page_date_take_the_year_after_the_newest_written_one(
    write_scrape,
):
    text = listing(
        ("Old", "  • 2 authors", "Dec 31, 2024"), ("New", "  • 3 authors", "Feb 2"), header=""
    )
    scrape = read(write_scrape("infer.txt", text))
    assert [e.published for e in scrape.entries] == [D(2024, 12, 31), D(2025, 2, 2)]
    assert scrape.scraped_on is None


def test_comment_count_follows_a_year_less_date(write_scrape):
    text = listing(("A Title", "  • 2 authors", "May 30 12"))
    (entry,) = read(write_scrape("comments.txt", text), scraped_on=D(2026, 6, 1)).entries
    assert (entry.published, entry.comments) == (D(2026, 5, 30), 12)


def test_crlf_line_endings_read_the_same(write_scrape):
    text = listing(("A Title", "HuggingFaceFW FineData", "Jun 25, 2025 1"))
    crlf = read(write_scrape("crlf.txt", text.replace("\n", "\r\n")))
    lf = read(write_scrape("lf.txt", text))
    assert crlf.entries[0].organization == Organization("FineData", "HuggingFaceFW")
    assert [(e.title, e.abstract) for e in crlf.entries] == [
        (e.title, e.abstract) for e in lf.entries
    ]
