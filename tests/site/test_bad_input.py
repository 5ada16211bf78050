"""Each kind of bad input gives one-line errors naming file and line, exit status 1, and leaves
the previous site untouched. Messages are tested word for word."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from papershelf.cli import main
from tests.site.conftest import FIXTURE_CONTENT, TEMPLATES, read_tree

OMNI = "content/papers/omnilingual-asr-open-source-multilingual.yaml"
OFA = "content/papers/ofa-initializing-unseen-subword-embeddings.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project directory with content/, templates/ and a built site/, as the working directory."""
    shutil.copytree(FIXTURE_CONTENT, tmp_path / "content")
    shutil.copytree(TEMPLATES, tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 0
    return tmp_path


def build_errors(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    """Run `papershelf build`, expect failure with the site untouched, return the error lines."""
    before = read_tree(project / "site")
    capsys.readouterr()
    assert main(["build", *args]) == 1
    assert read_tree(project / "site") == before
    stderr = capsys.readouterr().err.splitlines()
    assert stderr[-1].startswith("papershelf build: ")
    assert stderr[-1].endswith("nothing was written")
    return stderr[:-1]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_template_syntax_error_names_template_and_line(project, capsys) -> None:
    template = project / "templates/paper.html"
    edit(template, "<h1>{{ paper.title }}</h1>", "<h1>{{ paper.title }</h1>")
    assert build_errors(project, capsys) == [
        "templates/paper.html:9: error: template error: unexpected '}'"
    ]


def test_template_that_uses_an_undefined_value_names_template_and_line(project, capsys) -> None:
    edit(project / "templates/tags.html", "<h1>Tags</h1>", "<h1>{{ page.heading }}</h1>")
    assert build_errors(project, capsys) == [
        "templates/tags.html:4: error: template error: 'papershelf.contexts.PageMeta object' "
        "has no attribute 'heading'"
    ]


def test_missing_template_is_named(project, capsys) -> None:
    (project / "templates/archive.html").unlink()
    assert build_errors(project, capsys) == [
        "templates/archive.html: error: template 'archive.html' not found",
        "  hint: every site needs home.html, theme.html, tag.html, tags.html, paper.html, "
        "archive.html, year.html, 404.html, card.html",
    ]


def test_paper_with_a_missing_field(project, capsys) -> None:
    edit(project / OMNI, "published: 2025-11-12\n", "")
    assert build_errors(project, capsys) == [f"{OMNI}:1:1: error: missing required key 'published'"]


def test_theme_that_does_not_exist(project, capsys) -> None:
    edit(project / OMNI, "theme: speech", "theme: speeches")
    assert build_errors(project, capsys) == [
        f"{OMNI}:5:1: error: unknown theme 'speeches' "
        "(themes: speech, vision-language, adaptation)",
        "  hint: did you mean 'speech'?",
    ]


def test_tag_that_does_not_exist(project, capsys) -> None:
    edit(project / OFA, "tags: [tokenizer, low-resource]", "tags: [tokenizers, low-resource]")
    assert build_errors(project, capsys) == [
        f"{OFA}:8:1: error: unknown tag 'tokenizers'",
        "  hint: did you mean 'tokenizer'?",
    ]


def test_two_papers_with_one_slug(project, capsys) -> None:
    shutil.copy(project / OMNI, project / OMNI.replace(".yaml", ".yml"))
    assert build_errors(project, capsys) == [
        f"{OMNI.replace('.yaml', '.yml')}:1:1: error: two papers have the slug "
        f"'omnilingual-asr-open-source-multilingual': {OMNI} and {OMNI.replace('.yaml', '.yml')}",
        "  hint: rename or remove one of them",
    ]


def test_unknown_site_setting_suggests_the_known_one(project, capsys) -> None:
    edit(project / "content/site.yaml", "feed_size: 5", "feed_sise: 5")
    assert build_errors(project, capsys) == [
        "content/site.yaml:12:1: error: unknown setting 'feed_sise'",
        "  hint: did you mean 'feed_size'?",
    ]


def test_site_setting_of_the_wrong_type(project, capsys) -> None:
    edit(project / "content/site.yaml", "feed_size: 5", "feed_size: many")
    assert build_errors(project, capsys) == [
        "content/site.yaml:12:1: error: 'feed_size' must be a whole number >= 1, got 'many'"
    ]


@pytest.mark.parametrize(
    ("value", "got"),
    [("-1", "-1"), ("all", "'all'"), ("2.5", "2.5"), ("true", "true (a boolean)"), ("", "nothing")],
)
def test_bad_papers_per_page_is_one_error_at_its_line(
    project, capsys, value: str, got: str
) -> None:
    with (project / "content/site.yaml").open("a") as settings:
        settings.write(f"papers_per_page: {value}\n")
    line = len((project / "content/site.yaml").read_text().splitlines())
    assert build_errors(project, capsys) == [
        f"content/site.yaml:{line}:1: error: 'papers_per_page' must be a whole number >= 0, "
        f"got {got}"
    ]


def test_bad_base_url_option(project, capsys) -> None:
    assert build_errors(project, capsys, "--base-url", "example.org/list") == [
        "--base-url: error: 'base_url' must be an absolute http:// or https:// URL without "
        "query or fragment, got 'example.org/list'"
    ]


def test_missing_site_settings(project, capsys) -> None:
    (project / "content/site.yaml").unlink()
    assert build_errors(project, capsys) == [
        "content/site.yaml: error: site settings file is missing",
        "  hint: create it with at least 'title' and 'base_url'",
    ]


def test_every_problem_is_reported_in_one_run(project, capsys) -> None:
    edit(project / OMNI, "theme: speech", "theme: speeches")
    edit(project / OFA, "published: 2023-11-15\n", "")
    edit(project / "templates/paper.html", "<h1>{{ paper.title }}</h1>", "{% if %}")
    errors = [line for line in build_errors(project, capsys) if ": error: " in line]
    assert [line.split(": error: ")[0] for line in errors] == [
        OFA + ":1:1",
        OMNI + ":5:1",
        "templates/paper.html:9",
    ]


def test_output_directory_that_is_not_a_site_is_never_replaced(project, capsys) -> None:
    (project / "notes").mkdir()
    (project / "notes/todo.txt").write_text("keep me")
    capsys.readouterr()
    assert main(["build", "--out", "notes"]) == 1
    assert (project / "notes/todo.txt").read_text() == "keep me"
    assert capsys.readouterr().err.splitlines()[0] == (
        "notes: error: refusing to replace 'notes': it is not empty and is not a built site "
        "(it has no .nojekyll)"
    )


def test_paper_with_a_raw_control_character_names_its_line_and_column(project, capsys) -> None:
    # YAML refuses the character itself; its parsers say where only as an offset (of bytes,
    # from libyaml), so the line and column are looked for.
    edit(project / OMNI, "theme: speech", "theme: spé\x1b[31mech")
    assert build_errors(project, capsys) == [
        f"{OMNI}:5:11: error: invalid YAML: control character U+001B is not allowed",
        "  hint: delete the character (a terminal's colour codes start with U+001B)",
    ]


def test_paper_with_an_escaped_control_character_is_refused(project, capsys) -> None:
    # Written as an escape, YAML reads it: it would reach the pages, which HTML forbids.
    edit(project / OMNI, "title: 'Omnilingual ASR:", 'title: "Omnilingual \\e[31mASR" #')
    assert build_errors(project, capsys) == [
        f"{OMNI}:1:1: error: control character U+001B in 'title'",
        "  hint: delete the character (a terminal's colour codes start with U+001B)",
    ]


def test_site_and_theme_titles_with_control_characters_are_refused(project, capsys) -> None:
    # They are shown on every page, as a paper's title is on its own.
    site = project / "content/site.yaml"
    original = site.read_text()
    edit(site, "title: ", 'title: "\\e[1m" # ')
    assert build_errors(project, capsys) == [
        "content/site.yaml:2:1: error: 'title' must be text without control characters, "
        "got '\\x1b[1m'"
    ]
    site.write_text(original)
    edit(project / "content/themes.yaml", "title: Speech", 'title: "Speech\\a"')
    line = project.joinpath("content/themes.yaml").read_text().split('"Speech\\a"')[0].count("\n")
    assert build_errors(project, capsys) == [
        f"content/themes.yaml:{line + 1}:5: error: control character U+0007 in the title of "
        "'speech'",
        "  hint: delete the character (a terminal's colour codes start with U+001B)",
    ]
