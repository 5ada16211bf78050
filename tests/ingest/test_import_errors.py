"""Bad input to `papershelf import`: one line naming file and line, exit 1, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ingest.conftest import hf_text, run_cli, snapshot

GOOD = {
    "title": "Glot500: Scaling Multilingual Corpora and Language Models to 500 Languages",
    "abstract": "We create Glot500-m, an LLM that covers 511 predominantly low-resource languages.",
    "date": "May 20, 2023",
}


def _assert_refused(workspace: Path, source: str, expected_prefix: str) -> str:
    before = snapshot(workspace / "content")
    result = run_cli("import", source, cwd=workspace)
    assert result.returncode == 1, result.stdout
    error_lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert error_lines, result.stderr
    assert error_lines[0].startswith(expected_prefix), result.stderr
    assert snapshot(workspace / "content") == before
    return result.stderr


def test_empty_file(workspace: Path):
    (workspace / "empty.txt").write_text("", encoding="utf-8")
    _assert_refused(workspace, "empty.txt", "empty.txt:")


def test_not_utf8(workspace: Path):
    text = hf_text([GOOD]).replace("LLM", "LLM \udcff", 1)
    (workspace / "latin.txt").write_bytes(text.encode("utf-8", "surrogateescape"))
    stderr = _assert_refused(workspace, "latin.txt", "latin.txt:")
    assert "UTF-8" in stderr


def test_unreadable_date(workspace: Path):
    bad = dict(GOOD, date="Novembr 12, 2025")
    (workspace / "s.txt").write_text(hf_text([GOOD, bad]), encoding="utf-8")
    stderr = _assert_refused(workspace, "s.txt", "s.txt:")
    assert "Novembr 12, 2025" in stderr


def test_truncated_entry(workspace: Path):
    text = hf_text([GOOD, dict(GOOD, title="Another Paper")])
    text = text[: text.rindex("·")]
    (workspace / "s.txt").write_text(text, encoding="utf-8")
    _assert_refused(workspace, "s.txt", "s.txt:")


def test_unknown_format(workspace: Path):
    (workspace / "notes.txt").write_text("just some notes\nabout papers\n", encoding="utf-8")
    stderr = _assert_refused(workspace, "notes.txt", "notes.txt:")
    assert "format" in stderr


def test_a_bad_source_among_good_ones_writes_nothing(workspace: Path):
    (workspace / "good.txt").write_text(hf_text([GOOD]), encoding="utf-8")
    (workspace / "empty.txt").write_text("", encoding="utf-8")
    before = snapshot(workspace / "content")
    result = run_cli("import", "good.txt", "empty.txt", cwd=workspace)
    assert result.returncode == 1
    assert snapshot(workspace / "content") == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("title: [unclosed\n", "content/papers/broken.yaml:2:1: error: invalid YAML"),
        (
            "title: A\npublished: 2024-01-01\n",
            "content/papers/broken.yaml:1:1: error: missing required key 'abstract'",
        ),
    ],
)
def test_a_broken_paper_file_stops_the_import_before_anything_is_written(
    workspace: Path, content: str, expected: str
):
    (workspace / "content" / "papers" / "broken.yaml").write_text(content, encoding="utf-8")
    (workspace / "good.txt").write_text(hf_text([GOOD]), encoding="utf-8")
    before = snapshot(workspace / "content")
    result = run_cli("import", "good.txt", cwd=workspace)
    assert result.returncode == 1
    assert expected in result.stderr
    assert snapshot(workspace / "content") == before


def test_a_control_character_escaped_in_a_json_listing_is_refused(workspace: Path, repo_root: Path):
    # JSON may write any character as an escape: a title with a terminal colour code would
    # otherwise go into the paper's file, and from there into its page.
    api = json.loads((repo_root / "tests/sources/fixtures/hf-daily-papers-api.json").read_text())
    api[1]["paper"]["title"] = "Colour \x1b[31mcoded"
    (workspace / "api.json").write_text(json.dumps(api), encoding="utf-8")
    stderr = _assert_refused(workspace, "api.json", "api.json:")
    first = stderr.splitlines()[0]
    assert first.endswith(
        ": error: control character U+001B in 'title' (in the paper for "
        "content/papers/colour-31mcoded.yaml)"
    ), stderr


def test_missing_source_file(workspace: Path):
    result = run_cli("import", "nope.txt", cwd=workspace)
    assert result.returncode == 1
    assert result.stderr.startswith("nope.txt: error: cannot read file")
