"""`papershelf import`: scraped listings become paper files, and re-imports lose nothing."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import yaml

from papershelf.ingest import ImportOptions, run_import
from tests.ingest.conftest import hf_text, run_cli, snapshot

SEED = "hf-daily-papers-multilingual.txt"

SPEECH = {
    "title": "Scaling Speech Technology to 1,000+ Languages",
    "abstract": "Expanding the language coverage of speech technology has the potential to "
    "improve access to information for many more people. We build wav2vec 2.0 models for "
    "speech recognition in 1,107 languages. Code at https://github.com/facebookresearch/fairseq.",
    "authors": 17,
    "date": "May 22, 2023",
    "comments": 2,
}
DATA = {
    "title": "MADLAD-400: A Multilingual And Document-Level Large Audited Dataset",
    "abstract": "We introduce MADLAD-400, a manually audited, general domain 3T token "
    "monolingual dataset based on CommonCrawl, spanning 419 languages, for pretraining data.",
    "org": "google Google",
    "date": "Sep 9, 2023",
}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def import_(workspace: Path, *sources: str, extra: tuple[str, ...] = ()):
    return run_cli("import", *sources, *extra, cwd=workspace)


def test_seed_scrape_gives_31_papers_with_exact_fields(workspace: Path, repo_root: Path):
    seed = workspace / SEED
    seed.write_bytes((repo_root / "content" / "sources" / SEED).read_bytes())
    result = import_(workspace, SEED)
    assert result.returncode == 0, result.stderr
    files = sorted((workspace / "content" / "papers").glob("*.yaml"))
    assert len(files) == 31
    assert "31 added, 0 updated, 0 unchanged" in result.stdout
    papers = {load(f)["title"]: load(f) for f in files}
    fineweb = papers[
        "FineWeb2: One Pipeline to Scale Them All -- Adapting Pre-Training Data Processing "
        "to Every Language"
    ]
    assert fineweb["organization"] == {"handle": "HuggingFaceFW", "name": "FineData"}
    assert fineweb["comments"] == 1
    assert str(fineweb["published"]) == "2025-06-25"
    assert "authors" not in fineweb
    omni = papers[
        "Omnilingual ASR: Open-Source Multilingual Speech Recognition for 1600+ Languages"
    ]
    assert omni["authors"] == {"count": 33}
    assert omni["links"] == [
        {"url": "https://github.com/facebookresearch/omnilingual-asr", "kind": "code"}
    ]
    assert omni["abstract"].startswith("Automatic speech recognition (ASR) has advanced")
    assert omni["abstract"].endswith("https://github.com/facebookresearch/omnilingual-asr.")
    assert omni["provenance"]["source"] == SEED
    # The page date "Jan 5" follows entries dated up to 2025, so the scrape is from 2026.
    assert str(omni["added"]) == "2026-01-05"
    ofa = next(p for t, p in papers.items() if t.startswith("OFA:"))
    assert "(\\textsc{Ofa})" in ofa["abstract"]
    assert ofa["comments"] == 4


def test_reimport_of_the_same_scrape_changes_no_file(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    before = snapshot(workspace / "content")
    mtimes = {p: p.stat().st_mtime_ns for p in (workspace / "content").rglob("*.yaml")}
    again = import_(workspace, "s.txt")
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 2 unchanged" in again.stdout
    assert snapshot(workspace / "content") == before
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_curator_edits_survive_reimport_of_a_newer_scrape(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    import_(workspace, "s.txt")
    (path,) = (workspace / "content" / "papers").glob("scaling-speech*.yaml")
    text = path.read_text(encoding="utf-8")
    edited = (
        text.replace(
            "title: Scaling Speech Technology to 1,000+ Languages",
            "title: 'Scaling Speech Technology to 1,000+ Languages (MMS)'",
        )
        .replace("theme: speech", "theme: adaptation")
        .replace(
            "abstract: >-", "arxiv: '2305.13516'\nnotes: |\n  Read section 4 first.\nabstract: >-"
        )
    )
    assert edited != text
    path.write_text(edited, encoding="utf-8")

    newer = dict(SPEECH, comments=5)
    (workspace / "newer.txt").write_text(hf_text([newer], page_date="Jan 9"), encoding="utf-8")
    result = import_(workspace, "newer.txt")
    assert result.returncode == 0, result.stderr
    paper = load(path)
    assert paper["title"] == "Scaling Speech Technology to 1,000+ Languages (MMS)"
    assert paper["theme"] == "adaptation"
    assert paper["arxiv"] == "2305.13516"
    assert paper["notes"] == "Read section 4 first.\n"
    assert paper["comments"] == 5, "scraped fields refresh"
    # The paper missing from the newer scrape is kept.
    assert len(list((workspace / "content" / "papers").glob("*.yaml"))) == 2


def test_a_curators_theme_stays_when_the_rules_agree_and_then_change_their_mind(
    workspace: Path,
):
    """The rules may come to suggest the theme a curator chose (the abstract was revised), and
    later suggest another (revised again): the curator's choice stays through both."""
    vision = (
        "We train a multilingual vision-language model on image-caption pairs in 30 languages "
        "and evaluate image-text retrieval, image captioning and visual question answering."
    )
    listing = workspace / "s.txt"
    listing.write_text(hf_text([SPEECH]), encoding="utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    (path,) = (workspace / "content" / "papers").glob("*.yaml")
    assert load(path)["theme"] == "speech"
    path.write_text(
        path.read_text(encoding="utf-8").replace("theme: speech", "theme: vision-language"),
        encoding="utf-8",
    )
    for abstract, suggested in ((vision, "vision-language"), (SPEECH["abstract"], "speech")):
        listing.write_text(hf_text([dict(SPEECH, abstract=abstract)]), encoding="utf-8")
        result = import_(workspace, "s.txt", "--explain")
        assert result.returncode == 0, result.stderr
        assert f"theme: {suggested}" in result.stdout, "the rules' suggestion, for the record"
        assert load(path)["abstract"] == abstract, "the scraped abstract is refreshed"
        assert load(path)["theme"] == "vision-language", "the curator's choice is kept"
        assert "kept curator's theme" in result.stdout


def test_a_paper_the_source_retitled_keeps_its_file_and_takes_the_new_title(workspace: Path):
    """An arXiv revision may change the title and nothing else: the abstract finds the paper,
    whose file (and so its URL) stays; an abstract too short to tell papers apart finds none."""
    long = dict(SPEECH, abstract=f"{SPEECH['abstract']} {DATA['abstract']}")
    listing = workspace / "s.txt"
    listing.write_text(hf_text([long, dict(DATA, abstract="Abstract not available.")]), "utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    papers = workspace / "content" / "papers"
    before = sorted(path.name for path in papers.glob("*.yaml"))
    retitled = [
        dict(long, title="Scaling Speech Technology to Every Language"),
        dict(DATA, title="MADLAD-400, Revised", abstract="Abstract not available."),
    ]
    listing.write_text(hf_text(retitled), "utf-8")
    result = import_(workspace, "s.txt")
    assert result.returncode == 0, result.stderr
    assert "1 added, 1 updated" in result.stdout
    kept = papers / "scaling-speech-technology-to-1000-languages.yaml"
    assert load(kept)["title"] == "Scaling Speech Technology to Every Language"
    assert sorted(path.name for path in papers.glob("*.yaml")) == sorted(
        [*before, "madlad-400-revised.yaml"]
    )


def test_one_paper_listed_under_two_titles_is_merged_by_its_abstract(workspace: Path):
    long = dict(SPEECH, abstract=f"{SPEECH['abstract']} {DATA['abstract']}")
    renamed = dict(long, title="Scaling Speech Technology to Every Language", comments=9)
    (workspace / "s.txt").write_text(hf_text([long, renamed]), "utf-8")
    result = import_(workspace, "s.txt")
    assert result.returncode == 0, result.stderr
    assert "1 added, 0 updated, 0 unchanged, 1 duplicate merged" in result.stdout
    (path,) = (workspace / "content" / "papers").glob("*.yaml")
    assert (load(path)["title"], load(path)["comments"]) == (renamed["title"], 9), "the later"


def test_an_import_after_a_build_reads_its_cache_and_sees_edits_made_since(
    workspace: Path, repo_root: Path, tmp_path: Path
):
    (workspace / "content" / "site.yaml").write_bytes(
        (repo_root / "content" / "site.yaml").read_bytes()
    )
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    # Files made an hour before the build: the build trusts their times, as it does but for
    # files changed just before it (which it reads again next time).
    an_hour_ago = time.time() - 3600
    for made in (workspace / "content" / "papers").iterdir():
        os.utime(made, (an_hour_ago, an_hour_ago))
    templates = str(repo_root / "templates")
    built = run_cli("build", "--templates", templates, "--quiet", cwd=workspace)
    assert built.returncode == 0, built.stderr
    cache = workspace / ".papershelf-cache"
    assert cache.is_dir()
    # A curator edits a paper the build parsed: the cache's record of it is out of date.
    (path,) = (workspace / "content" / "papers").glob("scaling-speech*.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("theme: speech", "theme: adaptation").replace(
            "abstract: >-", "notes: |\n  Read section 4 first.\nabstract: >-"
        ),
        encoding="utf-8",
    )
    (workspace / "newer.txt").write_text(
        hf_text([dict(SPEECH, comments=5), dict(DATA, comments=3)], page_date="Jan 9"),
        encoding="utf-8",
    )
    uncached = tmp_path / "uncached"
    shutil.copytree(workspace, uncached, ignore=shutil.ignore_patterns(".papershelf-cache"))
    cache_before = snapshot(cache)

    result = import_(workspace, "newer.txt")

    assert result.returncode == 0, result.stderr
    paper = load(path)
    assert paper["theme"] == "adaptation"
    assert paper["notes"] == "Read section 4 first.\n"
    assert paper["comments"] == 5
    assert snapshot(cache) == cache_before, "the import only reads the build's cache"
    # Just what an import without the cache reports and writes.
    without = import_(uncached, "newer.txt")
    assert (result.stdout, result.stderr) == (without.stdout, without.stderr)
    assert "0 added, 2 updated" in result.stdout
    assert snapshot(workspace / "content") == snapshot(uncached / "content")


def test_newer_scrape_adds_new_papers(workspace: Path):
    (workspace / "a.txt").write_text(hf_text([SPEECH]), encoding="utf-8")
    import_(workspace, "a.txt")
    (workspace / "b.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    result = import_(workspace, "b.txt")
    assert "1 added, 0 updated, 1 unchanged" in result.stdout


def test_duplicates_are_merged_and_reported(workspace: Path):
    twin = dict(SPEECH, title="Scaling speech technology to 1,000+ languages.", comments=7)
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA, twin]), encoding="utf-8")
    result = import_(workspace, "s.txt")
    assert result.returncode == 0, result.stderr
    assert len(list((workspace / "content" / "papers").glob("*.yaml"))) == 2
    assert "merged" in result.stdout
    assert "s.txt:" in result.stdout.split("merged", 1)[1]


def test_latex_title_duplicate_is_merged(workspace: Path):
    plain = dict(DATA, title="OFA: One For All")
    latex = dict(DATA, title="OFA: One For \\textsc{All}")
    (workspace / "s.txt").write_text(hf_text([plain, latex]), encoding="utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    assert len(list((workspace / "content" / "papers").glob("*.yaml"))) == 1


def test_yearless_dates_take_the_year_of_the_scrape(workspace: Path):
    recent = dict(SPEECH, date="May 30")
    (workspace / "s.txt").write_text(hf_text([recent, DATA], page_date="Jun 2"), encoding="utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    (path,) = (workspace / "content" / "papers").glob("scaling-speech*.yaml")
    # Newest explicit year is 2023, so the page is from 2024.
    assert str(load(path)["published"]) == "2024-05-30"

    (workspace / "content" / "papers" / path.name).unlink()
    result = import_(workspace, "s.txt", extra=("--scraped-on", "2026-06-02"))
    assert result.returncode == 0, result.stderr
    assert str(load(path)["published"]) == "2026-05-30"
    assert str(load(path)["added"]) == "2026-06-02"


def test_paper_without_a_clear_theme_is_imported_without_one_and_reported(workspace: Path):
    vague = {
        "title": "On the Shape of Things",
        "abstract": "We study shapes and discuss what they mean for things in general.",
        "date": "Mar 3, 2024",
    }
    (workspace / "s.txt").write_text(hf_text([vague]), encoding="utf-8")
    result = import_(workspace, "s.txt")
    assert result.returncode == 0
    (path,) = (workspace / "content" / "papers").glob("*.yaml")
    assert "theme" not in load(path)
    expected = f"content/papers/{path.name}:1: warning: imported without a theme (no theme"
    assert expected in result.stderr


def test_dry_run_writes_nothing(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    before = snapshot(workspace)
    result = import_(workspace, "s.txt", extra=("--dry-run",))
    assert result.returncode == 0
    assert "would import 2 entries" in result.stdout
    assert "2 added" in result.stdout
    assert snapshot(workspace) == before


def test_explain_shows_the_rules_that_chose_each_theme(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    explained = import_(workspace, "s.txt", extra=("--dry-run", "--explain"))
    assert explained.returncode == 0, explained.stderr
    lines = explained.stdout.splitlines()
    assert "      theme: speech" in lines and "      theme: pretraining-data" in lines
    # Each theme and tag with what matched, in which field, and the rule.
    evidence = [line for line in lines if "(rule: " in line]
    assert any('title: "Speech"' in line for line in evidence), explained.stdout
    assert any('abstract: "pretraining data"' in line for line in evidence), explained.stdout
    # Without --explain the same verdicts, and no evidence (not worked out at all).
    plain = import_(workspace, "s.txt", extra=("--dry-run",))
    assert "(rule: " not in plain.stdout
    plain_lines = plain.stdout.splitlines()
    assert [line for line in lines if line in plain_lines] == plain_lines


def test_the_evidence_is_worked_out_only_for_an_explanation(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    options = ImportOptions((workspace / "s.txt",), workspace / "content", dry_run=True)
    plain, explained = run_import(options), run_import(replace(options, explain=True))
    assert [o.classification.evidence for o in plain.outcomes] == [(), ()]
    assert all(o.classification.evidence for o in explained.outcomes)
    decided = [
        [(o.theme, o.classification.tags, o.classification.scores) for o in report.outcomes]
        for report in (plain, explained)
    ]
    assert decided[0] == decided[1]
    assert [o.theme for o in plain.outcomes] == ["speech", "pretraining-data"]


def test_different_papers_whose_slugs_clash_get_distinct_stable_files(workspace: Path):
    stem = "Continued Pretraining of Multilingual Encoders for Low-Resource Languages of"
    first = dict(DATA, title=f"{stem} West Africa")
    # Another abstract: the same one would make them one paper listed under two titles.
    abstract = DATA["abstract"].replace("419 languages", "the languages of Southeast Asia")
    second = dict(DATA, title=f"{stem} Southeast Asia", date="Jan 2, 2021", abstract=abstract)
    (workspace / "s.txt").write_text(hf_text([first, second]), encoding="utf-8")
    assert import_(workspace, "s.txt").returncode == 0
    names = sorted(p.name for p in (workspace / "content" / "papers").glob("*.yaml"))
    assert names == [
        "continued-pretraining-of-multilingual-encoders-for-low-2021.yaml",
        "continued-pretraining-of-multilingual-encoders-for-low.yaml",
    ]
    assert all(len(name) <= 80 for name in names)
    # Importing again, even in the other order, keeps each paper in its file.
    (workspace / "r.txt").write_text(hf_text([second, first]), encoding="utf-8")
    result = import_(workspace, "r.txt")
    assert "0 added, 0 updated, 2 unchanged" in result.stdout


def test_text_and_api_scrapes_of_one_paper_merge_and_fill_in_the_arxiv_id(
    workspace: Path, repo_root: Path
):
    fixtures = repo_root / "tests" / "sources" / "fixtures"
    for name in ("hf-search-long-context.txt", "hf-daily-papers-api.json"):
        (workspace / name).write_bytes((fixtures / name).read_bytes())
    first = import_(workspace, "hf-search-long-context.txt")
    assert first.returncode == 0, first.stderr
    (leval,) = (workspace / "content" / "papers").glob("l-eval-*.yaml")
    assert "arxiv" not in load(leval)
    count = len(list((workspace / "content" / "papers").glob("*.yaml")))

    second = import_(workspace, "hf-daily-papers-api.json")
    assert second.returncode == 0, second.stderr
    paper = load(leval)
    assert paper["arxiv"] == "2307.11088"
    assert paper["authors"]["names"][:2] == ["Chenxin An", "Shansan Gong"]
    # L-Eval is in both scrapes: it is refreshed, not added again.
    added = len(list((workspace / "content" / "papers").glob("*.yaml"))) - count
    assert f"{added} added" in second.stdout
    assert added < 3


def test_reimport_keeps_a_curators_comments_by_their_keys(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH]), encoding="utf-8")
    import_(workspace, "s.txt")
    (path,) = (workspace / "content" / "papers").glob("scaling-speech*.yaml")
    text = path.read_text(encoding="utf-8")
    commented = (
        "# Checked against the PDF.\n"
        + text.replace("theme: speech\n", "theme: speech  # not adaptation: no new languages\n")
        + "# The end.\n"
    )
    path.write_text(commented, encoding="utf-8")

    newer = dict(SPEECH, comments=5)
    (workspace / "newer.txt").write_text(hf_text([newer], page_date="Jan 9"), encoding="utf-8")
    result = import_(workspace, "newer.txt")
    assert result.returncode == 0, result.stderr
    assert "0 added, 1 updated" in result.stdout
    updated = path.read_text(encoding="utf-8")
    assert load(path)["comments"] == 5
    assert updated.startswith("# Checked against the PDF.\ntitle: ")
    assert "\ntheme: speech  # not adaptation: no new languages\n" in updated
    assert updated.endswith("\n# The end.\n")


def test_reimport_leaves_a_file_alone_rather_than_lose_a_comment_it_cannot_place(
    workspace: Path,
):
    (workspace / "s.txt").write_text(hf_text([SPEECH]), encoding="utf-8")
    import_(workspace, "s.txt")
    (path,) = (workspace / "content" / "papers").glob("scaling-speech*.yaml")
    text = path.read_text(encoding="utf-8")
    commented = text.replace("  count: 17\n", "  count: 17  # says the PDF\n")
    assert commented != text
    path.write_text(commented, encoding="utf-8")
    line = commented[: commented.index("# says")].count("\n") + 1

    newer = dict(SPEECH, comments=5)
    (workspace / "newer.txt").write_text(hf_text([newer], page_date="Jan 9"), encoding="utf-8")
    result = import_(workspace, "newer.txt")
    assert result.returncode == 0, result.stderr
    assert path.read_text(encoding="utf-8") == commented
    assert f"{path.relative_to(workspace)}:{line}: warning: not updated: the comment" in (
        result.stderr
    )


def test_a_paper_in_excluded_yaml_is_not_imported_again(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH, DATA]), encoding="utf-8")
    import_(workspace, "s.txt")
    papers = workspace / "content" / "papers"
    (speech,) = papers.glob("scaling-speech*.yaml")
    speech.unlink()
    (workspace / "content" / "excluded.yaml").write_text(
        "# Left out on purpose.\n"
        "- title: Scaling speech technology to 1,000+ languages\n"
        "  reason: the list is about text\n",
        encoding="utf-8",
    )
    result = import_(workspace, "s.txt")
    assert result.returncode == 0, result.stderr
    assert not speech.exists()
    assert " excluded  s.txt:" in result.stdout
    assert "(by content/excluded.yaml:2:3)" in result.stdout
    assert result.stdout.rstrip().endswith(
        "0 added, 0 updated, 1 unchanged, 0 duplicates merged, 0 without a theme, 1 excluded"
    )


def test_a_bad_excluded_yaml_stops_the_import_with_its_line(workspace: Path):
    (workspace / "s.txt").write_text(hf_text([SPEECH]), encoding="utf-8")
    (workspace / "content" / "excluded.yaml").write_text(
        "- title: Scaling Speech Technology to 1,000+ Languages\n"
        "  arxiv: 2305.13516\n"
        "- titel: MADLAD-400\n",
        encoding="utf-8",
    )
    result = import_(workspace, "s.txt")
    assert result.returncode == 1
    assert "content/excluded.yaml:2:3: error: 'arxiv' must be text" in result.stderr
    assert "content/excluded.yaml:3:3: error: unknown key 'titel'" in result.stderr
    assert "did you mean 'title'?" in result.stderr
    assert not list((workspace / "content" / "papers").glob("*.yaml"))
