"""HTML listing pages: the hydration JSON first, the doubled cards as the fallback."""

from __future__ import annotations

import datetime as dt

from papershelf.errors import Location
from papershelf.model import Authors, Link, Organization
from papershelf.sources import read_scrape

D = dt.date


def read(path, **options):
    scrape, problems = read_scrape(path, path.name, **options)
    # Listings without --scraped-on may warn that their year was guessed; nothing else.
    assert [p.format_text() for p in problems if p.is_error or "year" not in p.message] == []
    return scrape


def test_hydrated_page_gives_upvotes_names_arxiv_ids_and_repositories(fixtures_dir):
    scrape = read(fixtures_dir / "hf-search-hydrated.html")
    assert (scrape.format, scrape.scraped_on) == ("hf-html", D(2026, 3, 25))
    found = [
        (e.arxiv, e.title.split(":")[0], e.upvotes, e.comments, e.published, e.location.line)
        for e in scrape.entries
    ]
    # Each paper once, although every card shows it twice; located at its card.
    assert found == [
        ("2409.02326", "Arctic-SnowCoder", 19, 2, D(2024, 9, 3), 17),
        ("1808.01400", "code2seq", 2, 0, D(2018, 8, 3), 33),
        ("2310.17680", "CodeFusion", 74, 10, D(2023, 10, 26), 49),
        ("2310.03731", "MathCoder", 29, 4, D(2023, 10, 5), 65),
    ]
    arctic, code2seq, codefusion, mathcoder = scrape.entries
    assert arctic.authors == Authors(3, ("Yuxiang Wei", "Hojae Han", "Rajhans Samdani"))
    assert codefusion.authors.names[1] == "José Cambronero"
    assert mathcoder.authors.count == 10
    assert mathcoder.links == (Link("https://github.com/mathllm/MathCoder", "code"),)
    # The abstract's http:// link and the page's githubRepo are one repository.
    assert code2seq.links == (
        Link("http://code2seq.org", "other"),
        Link("https://github.com/tech-srl/code2seq", "code"),
    )


def test_hydrated_abstract_reads_like_the_text_copy_of_the_same_page(fixtures_dir):
    # The JSON keeps arXiv's hard line breaks in code2seq's summary; the page shows spaces.
    html = read(fixtures_dir / "hf-search-hydrated.html").entries
    text = {e.title: e for e in read(fixtures_dir / "hf-search-intercode-bash.txt").entries}
    for entry in html:
        assert "\n" not in entry.abstract
        assert (entry.title, entry.abstract) == (
            text[entry.title].title,
            text[entry.title].abstract,
        )


def test_cards_only_page_yields_each_paper_once(fixtures_dir):
    scrape = read(fixtures_dir / "hf-search-cards.html")
    # The date link labelled "Nov 3" dates the page; the arrow beside it points a day back.
    assert (scrape.format, scrape.scraped_on) == ("hf-html", D(2025, 11, 3))
    found = [
        (e.arxiv, e.upvotes, e.comments, e.published, e.organization or e.authors, e.location)
        for e in scrape.entries
    ]
    assert found == [
        ("2510.21057", 5, 1, D(2025, 10, 23), Organization("Google", "google"), at(17)),
        ("2510.27254", 1, None, D(2025, 10, 30), Authors(2), at(33)),
        ("2409.02326", 19, 2, D(2024, 9, 3), Authors(3), at(49)),
        ("1808.01400", 2, None, D(2018, 8, 3), Authors(4), at(65)),
    ]


def at(line: int) -> Location:
    return Location("hf-search-cards.html", line, 1)


def test_cards_give_title_abstract_and_links(fixtures_dir):
    soft, languages, arctic, code2seq = read(fixtures_dir / "hf-search-cards.html").entries
    assert soft.title == "Soft Instruction De-escalation Defense"
    assert soft.abstract.startswith(
        "Large Language Models (LLMs) are increasingly deployed in agentic systems"
    )
    assert soft.abstract.endswith("This nonetheless raises the bar.")
    assert languages.abstract.endswith(
        "Treating low resource languages as a modality offers a practical path to stronger "
        "cross-lingual alignment in lightweight LLMs."
    )
    assert "63.6% over direct fine-tuning in LLM-judged Q&A evaluations" in languages.abstract
    assert arctic.links == ()
    assert code2seq.links == (
        Link("http://code2seq.org", "other"),
        Link("https://github.com/tech-srl/code2seq", "code"),
    )


def test_year_less_card_dates_without_page_date_follow_the_newest_written_year(
    fixtures_dir, write_scrape
):
    page = (fixtures_dir / "hf-search-cards.html").read_text(encoding="utf-8")
    undated = page.replace('href="/papers/date/2025-11-03"', 'href="/papers/date/x"')
    scrape = read(write_scrape("undated.html", undated))
    assert scrape.scraped_on is None
    assert [e.published for e in scrape.entries[:2]] == [D(2025, 10, 23), D(2025, 10, 30)]


def test_broken_hydration_json_falls_back_to_the_cards(fixtures_dir, write_scrape):
    page = (fixtures_dir / "hf-search-hydrated.html").read_text(encoding="utf-8")
    marker = 'data-target="DailyPapers" data-props="'
    start = page.index(marker) + len(marker)
    broken = page[:start] + "{&quot;searchResults&quot;:[" + page[page.index('">', start) :]
    scrape, problems = read_scrape(write_scrape("broken.html", broken), "broken.html")
    assert [p.format_text() for p in problems] == [
        "broken.html:8:751: warning: cannot read the DailyPapers data-props: invalid JSON "
        "(Expecting value); read the page's cards instead"
    ]
    assert [(e.arxiv, e.upvotes, e.authors) for e in scrape.entries] == [
        ("2409.02326", 19, Authors(3)),
        ("1808.01400", 2, Authors(4)),
        ("2310.17680", 74, Authors(6)),
        ("2310.03731", 29, Authors(10)),
    ]


def test_trending_card_excerpt_reads_desktop_half_only(write_scrape):
    # Window (2) of the shared 2026 trending excerpt, trimmed: desktop and phone halves.
    card = """<html><body><main>
<article class="relative overflow-hidden rounded-xl border"><div class="hidden h-40 md:flex">
<h3 class="mb-1.5 text-xl font-semibold"><a href="/papers/2606.03748" class="line-clamp-2 \
cursor-pointer text-balance">Ultralytics YOLO26: Unified Real-Time End-to-End Vision Models</a></h3>
<div class="mb-2"><p class="line-clamp-2 text-sm">YOLO26 addresses real-time vision challenges.</p>
</div><div class="flex min-w-0 items-center text-sm"><a href="/Ultralytics" class="inline-flex">\
<img src="https://cdn-avatars.huggingface.co/u.png" alt="Ultralytics" class="size-3"/> <span \
class="block truncate">Ultralytics</span></a> <span class="mx-2">·</span> <span>Published on Jun \
2, 2026</span></div>
<a href="/login?next=%2Fpapers%2F2606.03748" class="self-start"><div role="checkbox">Upvote <div \
class="font-semibold text-orange-500">23</div></div></a>
<a href="https://github.com/ultralytics/ultralytics" class="btn"><span>GitHub</span> \
<span>62.2k</span></a> <a href="https://arxiv.org/abs/2606.03748" class="btn">arXiv Page</a></div>
<div class="flex flex-col md:hidden"><h3><a href="/papers/2606.03748">Ultralytics YOLO26: Unified \
Real-Time End-to-End Vision Models</a></h3><p class="line-clamp-2">YOLO26 addresses real-time \
vision challenges.</p><a href="/Ultralytics"><img alt="Ultralytics"/> <span>Ultralytics</span></a>\
<span>·</span> <span>Jun 2, 2026</span><div role="checkbox">Upvote <div>23</div></div></div>
</article></main></body></html>"""
    (entry,) = read(write_scrape("trending.html", card)).entries
    assert entry.title == "Ultralytics YOLO26: Unified Real-Time End-to-End Vision Models"
    assert entry.abstract == "YOLO26 addresses real-time vision challenges."
    assert entry.organization == Organization("Ultralytics", "Ultralytics")
    assert (entry.published, entry.upvotes, entry.comments) == (D(2026, 6, 2), 23, None)
    assert (entry.arxiv, entry.location.line) == ("2606.03748", 2)
    assert entry.links == (Link("https://github.com/ultralytics/ultralytics", "code"),)


def test_day_page_reads_daily_papers_and_its_date_link(fixtures_dir, write_scrape):
    page = (fixtures_dir / "hf-search-hydrated.html").read_text(encoding="utf-8")
    day_page = (
        page.replace("&quot;dateString&quot;:&quot;2026-03-25&quot;,", "")
        .replace(",&quot;dailyPapers&quot;:[]", "")
        .replace("&quot;searchResults&quot;", "&quot;dailyPapers&quot;")
    )
    assert "searchResults" not in day_page and "dateString" not in day_page
    scrape = read(write_scrape("day.html", day_page))
    assert scrape.scraped_on == D(2026, 3, 25)
    assert [e.upvotes for e in scrape.entries] == [19, 2, 74, 29]


def test_a_paper_shown_in_two_cards_is_listed_once(fixtures_dir, write_scrape):
    page = (fixtures_dir / "hf-search-cards.html").read_text(encoding="utf-8")
    first_card = page[page.index("<article") : page.index("</article>") + len("</article>")]
    twice = page.replace("</article>\n", "</article>\n" + first_card + "\n", 1)
    assert twice.count("<article") == 5
    scrape = read(write_scrape("twice.html", twice))
    assert [e.arxiv for e in scrape.entries] == [
        "2510.21057",
        "2510.27254",
        "2409.02326",
        "1808.01400",
    ]
