"""`papershelf check`: one broken-content fixture per rule, with its exact expected output."""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf import templates
from papershelf.check import NEAR_DUPLICATE_RATIO, CheckResult, check_content, duplicate_problems
from papershelf.model import Paper
from papershelf.text import normalize_title
from papershelf.workers import collector_paused
from tests.ingest.conftest import run_cli

GOOD = """title: A Good Paper About Speech Recognition
published: 2024-03-01
theme: speech
tags: [asr]
links:
- url: https://github.com/example/good
  kind: code
abstract: We recognise speech in many languages.
"""


@pytest.fixture
def site(tmp_path: Path, repo_root: Path) -> Path:
    """A content directory with the repository's settings, themes and templates, one good paper."""
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    for name in ("site.yaml", "themes.yaml"):
        shutil.copy(repo_root / "content" / name, content / name)
    shutil.copytree(repo_root / "templates", tmp_path / "templates")
    (content / "papers" / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def check(site: Path, *args: str):
    return run_cli("check", *args, cwd=site)


def add(site: Path, name: str, text: str) -> None:
    (site / "content" / "papers" / name).write_text(text, encoding="utf-8")


def test_shipped_content_is_clean(repo_root: Path):
    result = run_cli("check", cwd=repo_root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " error" not in result.stdout.replace("0 errors", "")


def test_clean_fixture(site: Path):
    result = check(site)
    assert (result.returncode, result.stdout) == (0, "no problems found\n")


CASES = {
    "missing field": (
        "title: X\npublished: 2024-01-01\ntheme: speech\n",
        "content/papers/case.yaml:1:1: error: missing required key 'abstract'",
    ),
    "wrong type": (
        GOOD.replace("published: 2024-03-01", "published: 2024-03-01\nupvotes: many"),
        "content/papers/case.yaml:3:1: error: 'upvotes' must be a whole number >= 0, got 'many'",
    ),
    "unknown key": (
        GOOD.replace("tags: [asr]", "tags: [asr]\nabstrct: typo"),
        "content/papers/case.yaml:5:1: error: unknown key 'abstrct'\n"
        "  hint: did you mean 'abstract'?",
    ),
    "undeclared theme": (
        GOOD.replace("theme: speech", "theme: speach"),
        "content/papers/case.yaml:3:1: error: unknown theme 'speach' (themes: speech, "
        "vision-language, pretraining-data, adaptation)\n  hint: did you mean 'speech'?",
    ),
    "undeclared tag": (
        GOOD.replace("tags: [asr]", "tags: [asr, transaltion]"),
        "content/papers/case.yaml:4:1: error: unknown tag 'transaltion'\n"
        "  hint: did you mean 'translation'?",
    ),
    "future date": (
        GOOD.replace("published: 2024-03-01", "published: 2999-03-01"),
        "content/papers/case.yaml:2:1: error: 'published' is in the future: 2999-03-01\n"
        "  hint: dates are YYYY-MM-DD; check the year and month",
    ),
    "unreadable date": (
        GOOD.replace("published: 2024-03-01", "published: 2024-13-01"),
        "content/papers/case.yaml:2:1: error: 'published' must be a date YYYY-MM-DD, "
        "got '2024-13-01'",
    ),
    "malformed URL deep in the file": (
        GOOD.replace(
            "  kind: code\n",
            "  kind: code\n- url: https://ok.example.org/a\n- url: htp:/broken\n  kind: code\n",
        ),
        "content/papers/case.yaml:9:3: error: malformed URL 'htp:/broken'\n"
        "  hint: links must be absolute http:// or https:// URLs",
    ),
    "arxiv id": (
        GOOD.replace("theme: speech", "arxiv: 'arXiv:2401.00001v2'\ntheme: speech"),
        "content/papers/case.yaml:3:1: error: 'arxiv' must be an arXiv id like '2511.09690', "
        "got 'arXiv:2401.00001v2'\n  hint: use the bare id, without 'arXiv:' or a version "
        "suffix",
    ),
    "placeholder abstract": (
        GOOD.replace(
            "abstract: We recognise speech in many languages.",
            "abstract: 'TODO: paste the abstract here.'",
        ),
        "content/papers/case.yaml:8:1: error: the abstract is still the placeholder from "
        "`papershelf new`\n  hint: paste the paper's abstract",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_reports_file_line_and_message(site: Path, case: str):
    text, expected = CASES[case]
    add(site, "case.yaml", text.replace("A Good Paper", "A Case Paper"))
    result = check(site)
    assert result.returncode == 1
    assert result.stdout == f"{expected}\n1 error, 0 warnings in 1 file\n"


def test_file_name_that_is_not_a_slug(site: Path):
    add(site, "My Paper.yaml", GOOD.replace("A Good Paper", "Another Paper"))
    result = check(site)
    assert result.stdout.startswith(
        "content/papers/My Paper.yaml:1:1: error: file name 'My Paper' is not a slug "
        "(lowercase ASCII letters, digits, hyphens)\n  hint: rename the file to 'my-paper.yaml'"
    )


def test_file_name_with_a_dot_is_named_whole(site: Path):
    # Only the last suffix is the file's type: `v1.2-results` is the name, and no slug.
    add(site, "v1.2-results.yaml", GOOD.replace("A Good Paper", "Another Paper"))
    result = check(site)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "content/papers/v1.2-results.yaml:1:1: error: file name 'v1.2-results' is not a slug "
    )


def test_duplicates_name_both_files(site: Path):
    add(
        site,
        "same-arxiv-a.yaml",
        GOOD.replace("theme:", "arxiv: '2401.00001'\ntheme:").replace(
            "A Good Paper", "First Paper"
        ),
    )
    add(
        site,
        "same-arxiv-b.yaml",
        GOOD.replace("theme:", "arxiv: '2401.00001'\ntheme:").replace(
            "A Good Paper", "Second Paper"
        ),
    )
    add(
        site,
        "near.yaml",
        GOOD.replace(
            "A Good Paper About Speech Recognition", "A good paper about speech-recognition!"
        ),
    )
    add(
        site,
        "nearly.yaml",
        GOOD.replace(
            "A Good Paper About Speech Recognition", "A Good Paper About Speech Recognitions"
        ),
    )
    result = check(site)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/papers/near.yaml:1:1: error: likely duplicate of content/papers/good.yaml: "
        "same title",
        "  hint: merge the two files into one",
        "content/papers/nearly.yaml:1:1: error: likely duplicate of content/papers/good.yaml: "
        "nearly the same title",
        "  hint: merge the two files into one",
        "content/papers/nearly.yaml:1:1: error: likely duplicate of content/papers/near.yaml: "
        "nearly the same title",
        "  hint: merge the two files into one",
        "content/papers/same-arxiv-b.yaml:3:1: error: likely duplicate of "
        "content/papers/same-arxiv-a.yaml: same arXiv id 2401.00001",
        "  hint: merge the two files into one",
        "4 errors, 0 warnings in 3 files",
    ]


def test_the_same_abstract_under_another_title_is_a_likely_duplicate(site: Path):
    abstract = (
        "abstract: We recognise speech in many languages with one model, trained on ten "
        "thousand hours of read speech and evaluated on a benchmark of forty languages.\n"
    )
    long = GOOD.replace("abstract: We recognise speech in many languages.\n", abstract)
    add(site, "first.yaml", long.replace("A Good Paper", "Speech for All"))
    # Spacing aside; a retitled revision of the same paper.
    add(site, "second.yaml", long.replace("A Good Paper", "One Model").replace(" with ", "  with "))
    # Short abstracts alike say nothing: "TBD" twice is two papers.
    add(site, "short.yaml", GOOD.replace("A Good Paper", "Another Paper"))
    result = check(site)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "content/papers/second.yaml:8:1: error: likely duplicate of content/papers/first.yaml: "
        "same abstract",
        "  hint: merge the two files into one",
        "1 error, 0 warnings in 1 file",
    ]


def test_missing_theme_is_a_warning_unless_strict(site: Path):
    add(site, "unthemed.yaml", GOOD.replace("theme: speech\n", "").replace("A Good", "Other"))
    relaxed = check(site)
    assert relaxed.returncode == 0
    assert relaxed.stdout.startswith(
        "content/papers/unthemed.yaml:1:1: warning: paper has no theme\n"
    )
    assert relaxed.stdout.endswith("0 errors, 1 warning in 1 file\n")
    strict = check(site, "--strict")
    assert strict.returncode == 1
    assert strict.stdout.startswith("content/papers/unthemed.yaml:1:1: error: paper has no theme")


def test_every_problem_in_one_sorted_run_with_github_annotations(site: Path):
    add(site, "b.yaml", CASES["unknown key"][0].replace("A Good", "Third"))
    add(site, "a.yaml", CASES["undeclared theme"][0].replace("A Good", "Some"))
    text = check(site)
    assert text.returncode == 1
    lines = [line for line in text.stdout.splitlines() if ": error: " in line]
    assert [line.split(":")[0] for line in lines] == [
        "content/papers/a.yaml",
        "content/papers/b.yaml",
    ]
    github = check(site, "--format", "github")
    assert github.returncode == 1
    assert github.stdout.splitlines() == [
        "::error file=content/papers/a.yaml,line=3,col=1::unknown theme 'speach' (themes: "
        "speech, vision-language, pretraining-data, adaptation) (hint: did you mean 'speech'?)",
        "::error file=content/papers/b.yaml,line=5,col=1::unknown key 'abstrct' (hint: did you "
        "mean 'abstract'?)",
    ]
    assert github.stderr.strip() == "2 errors, 0 warnings in 2 files"


def test_a_broken_template_is_found_without_writing(site: Path):
    (site / "templates" / "paper.html").write_text("{% if %}", encoding="utf-8")
    result = check(site)
    assert result.returncode == 1
    assert result.stdout.startswith("templates/paper.html:1")
    assert not (site / "site").exists()


OTHER_TITLES = ("Tone Recognition for Yoruba", "Counting Words in Wolof Radio")


def _built_with_papers(site: Path) -> None:
    """Add two more papers to the fixture and build it (site/ and its build cache)."""
    for number, title in enumerate(OTHER_TITLES):
        add(
            site,
            f"other-{number}.yaml",
            GOOD.replace("A Good Paper About Speech Recognition", title),
        )
    # An hour old, as files the cache then knows by their size and times, not read again.
    an_hour_ago = time.time() - 3600
    for paper in (site / "content" / "papers").iterdir():
        os.utime(paper, (an_hour_ago, an_hour_ago))
    built = run_cli("build", "--quiet", cwd=site)
    assert built.returncode == 0, built.stderr


def _rendered_templates(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the name of every template a page is rendered with, in this process (a small
    site is rendered by one)."""
    rendered: list[str] = []
    original = templates.render_template

    def recording(env, name, context):
        rendered.append(name)
        return original(env, name, context)

    monkeypatch.setattr(templates, "render_template", recording)
    return rendered


def _check_here(site: Path, monkeypatch: pytest.MonkeyPatch, **options) -> CheckResult:
    monkeypatch.chdir(site)
    return check_content(Path("content"), Path("templates"), today=dt.date(2026, 1, 1), **options)


def test_after_a_build_only_the_changed_paper_page_is_rendered(
    site: Path, monkeypatch: pytest.MonkeyPatch
):
    _built_with_papers(site)
    edited = site / "content" / "papers" / "other-1.yaml"
    edited.write_text(edited.read_text().replace("many languages", "many more"), encoding="utf-8")
    rendered = _rendered_templates(monkeypatch)
    assert _check_here(site, monkeypatch).problems == ()
    assert rendered.count("paper.html") == 1
    # Without the cache, or for a build with another base URL (other pages), every paper's.
    rendered.clear()
    assert _check_here(site, monkeypatch, cache=False).problems == ()
    assert rendered.count("paper.html") == 3
    rendered.clear()
    _check_here(site, monkeypatch, base_url="https://example.org/list/")
    assert rendered.count("paper.html") == 3


def test_after_a_build_a_changed_page_that_fails_to_render_is_found(site: Path):
    paper = site / "templates" / "paper.html"
    # A template that fails for one title only: the build renders no such paper.
    text = paper.read_text(encoding="utf-8")
    assert "{% block main %}" in text
    failing = "{% block main %}{% if paper.title == 'Boom' %}{{ 1 // 0 }}{% endif %}"
    paper.write_text(text.replace("{% block main %}", failing, 1), encoding="utf-8")
    _built_with_papers(site)
    edited = site / "content" / "papers" / "other-0.yaml"
    edited.write_text(edited.read_text().replace(OTHER_TITLES[0], "Boom"), encoding="utf-8")
    result = check(site)
    assert result.returncode == 1
    assert re.match(r"templates/paper\.html:\d+: error: template error: .*division", result.stdout)


def test_after_a_build_an_edited_file_is_read_again(site: Path):
    _built_with_papers(site)
    edited = site / "content" / "papers" / "other-0.yaml"
    edited.write_text(edited.read_text().replace("tags:", "tag:"), encoding="utf-8")
    result = check(site)
    assert result.returncode == 1
    assert result.stdout.startswith("content/papers/other-0.yaml:4:1: error: unknown key 'tag'")


def test_check_writes_nothing_not_even_the_build_cache(site: Path):
    _built_with_papers(site)
    edited = site / "content" / "papers" / "other-1.yaml"
    edited.write_text(edited.read_text().replace("many languages", "many more"), encoding="utf-8")
    # A template changed since: compiled by the check, which keeps it nowhere.
    with (site / "templates" / "paper.html").open("a", encoding="utf-8") as template:
        template.write("{# changed #}\n")

    def everything() -> dict[str, tuple[bytes, int]]:
        return {
            path.relative_to(site).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(site.rglob("*"))
            if path.is_file()
        }

    before = everything()
    assert any(name.startswith(".papershelf-cache/") for name in before)
    result = check(site)
    assert (result.returncode, result.stdout) == (0, "no problems found\n")
    assert everything() == before


def test_usage_error_exits_2(site: Path):
    assert check(site, "--format", "xml").returncode == 2


def test_a_paper_file_that_excluded_yaml_leaves_out_is_a_warning(site: Path):
    (site / "content" / "excluded.yaml").write_text(
        "- title: A good paper about speech recognition.\n  reason: off-topic\n",
        encoding="utf-8",
    )
    result = check(site)
    assert result.returncode == 0
    assert result.stdout.startswith(
        "content/papers/good.yaml:1:1: warning: this paper is excluded "
        "(content/excluded.yaml:1:3), but its file is still here\n"
    )
    (site / "content" / "excluded.yaml").write_text("- reason: no title\n", encoding="utf-8")
    bad = check(site)
    assert bad.returncode == 1
    assert "content/excluded.yaml:1:3: error: an excluded paper needs a 'title'" in bad.stdout


# Titles from few words, some with a letter changed: buckets of titles that start or end alike,
# and pairs on both sides of the threshold.
_WORDS = ("multilingual", "speech", "models", "for", "low", "resource", "languages", "a", "x")
_TITLES = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join)
_SPELLINGS = st.tuples(_TITLES, st.integers(0, 60), st.sampled_from("aeiouz-")).map(
    lambda found: found[0][: found[1]] + found[2] + found[0][found[1] + 1 :]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TITLES, _SPELLINGS), min_size=2, max_size=14))
def test_near_duplicates_are_every_pair_of_a_bucket_over_the_ratio(titles: list[str]):
    papers = [
        Paper(
            slug=f"p{n}",
            title=title,
            abstract="x",
            published=dt.date(2024, 1, 1),
            path=f"content/papers/p{n:02d}.yaml",
        )
        for n, title in enumerate(titles)
    ]
    expected = set()
    for i, first in enumerate(papers):
        for second in papers[i + 1 :]:
            a, b = normalize_title(first.title), normalize_title(second.title)
            starts_or_ends_alike = {" ".join(a.split()[:3]), " ".join(a.split()[-3:])} & {
                " ".join(b.split()[:3]),
                " ".join(b.split()[-3:]),
            }
            if not starts_or_ends_alike:
                continue
            if a == b:
                expected.add((second.path, f"{first.path}: same title"))
            elif difflib.SequenceMatcher(None, a, b).ratio() >= NEAR_DUPLICATE_RATIO:
                expected.add((second.path, f"{first.path}: nearly the same title"))
    found = {
        (problem.location.path, problem.message.removeprefix("likely duplicate of "))
        for problem in duplicate_problems(papers)
    }
    assert found == expected


def test_the_duplicate_rule_leaves_no_reference_cycles():
    # `check` runs with the cyclic collector paused (see cli): garbage in reference cycles stays
    # until it ends. rapidfuzz's extract_iter left ten objects per title, 35 MB at 10,000.
    papers = [
        Paper(
            slug=f"p{n}",
            title=f"Multilingual speech models for {n} low-resource languages",
            abstract="x",
            published=dt.date(2024, 1, 1),
            path=f"content/papers/p{n:03d}.yaml",
        )
        for n in range(300)
    ]
    gc.collect()
    with collector_paused():
        found = duplicate_problems(papers)
        left_over = gc.collect()
    assert len(found) > 100  # the titles are close: the rule compared them
    assert left_over < 30
