"""`papershelf new`: a valid scaffold with the suggested theme, never over an existing paper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from tests.ingest.conftest import run_cli


def test_new_writes_a_valid_file_with_the_suggested_theme(workspace: Path):
    result = run_cli(
        "new",
        "--title",
        "Scaling Speech Recognition to 1,000 Languages with wav2vec",
        "--arxiv",
        "2305.13516",
        "--published",
        "2023-05-22",
        cwd=workspace,
    )
    assert result.returncode == 0, result.stderr
    path = workspace / result.stdout.strip()
    assert path.parent == workspace / "content" / "papers"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["theme"] == "speech"
    assert data["arxiv"] == "2305.13516"
    assert data["links"] == [{"url": "https://arxiv.org/abs/2305.13516", "kind": "paper"}]
    fmt = run_cli("fmt", "--check", cwd=workspace)
    assert fmt.returncode == 0, "new writes the canonical form"


def test_new_refuses_a_publication_date_after_today(workspace: Path):
    today = max(dt.datetime.now(dt.UTC).astimezone().date(), dt.datetime.now(dt.UTC).date())
    later = (today + dt.timedelta(days=2)).isoformat()
    result = run_cli("new", "--title", "Some Paper", "--published", later, cwd=workspace)
    assert result.returncode == 2
    assert f"argument --published: {later} is after today ({today})" in result.stderr
    assert not any((workspace / "content" / "papers").iterdir())


def test_new_refuses_control_characters_and_text_that_is_not_utf8(workspace: Path):
    # A title pasted from a terminal, with its colour codes; an abstract whose bytes are Latin-1
    # (the command line hands them on as lone surrogates, which no file can hold).
    result = run_cli(
        "new",
        "--title",
        "Colour \x1b[31mcoded",
        "--abstract",
        b"Caf\xe9".decode("utf-8", "surrogateescape"),
        cwd=workspace,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "papershelf new: error: --abstract is not UTF-8 text",
        "  hint: type it again, or paste it",
        "papershelf new: error: --title has a control character U+001B",
        "  hint: delete the character (a terminal's colour codes start with U+001B)",
        "papershelf new: 2 errors; nothing was written",
    ]
    assert not any((workspace / "content" / "papers").iterdir())


def test_new_with_explicit_theme_and_tags(workspace: Path):
    result = run_cli(
        "new",
        "--title",
        "Some Paper",
        "--theme",
        "adaptation",
        "--tags",
        "low-resource,tokenizer",
        "--abstract",
        "An abstract.",
        cwd=workspace,
    )
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((workspace / result.stdout.strip()).read_text(encoding="utf-8"))
    assert data["theme"] == "adaptation"
    assert data["tags"] == ["low-resource", "tokenizer"]
    assert data["abstract"] == "An abstract."


def test_new_refuses_unknown_theme_and_duplicates(workspace: Path):
    bad = run_cli("new", "--title", "X", "--theme", "speach", cwd=workspace)
    assert bad.returncode == 1
    assert "--theme 'speach' is not declared in themes.yaml" in bad.stderr
    assert "did you mean 'speech'?" in bad.stderr
    first = run_cli("new", "--title", "A Paper", "--abstract", "A.", cwd=workspace)
    assert first.returncode == 0
    again = run_cli("new", "--title", "a paper!", cwd=workspace)
    assert again.returncode == 1
    assert "already on the list" in again.stderr
