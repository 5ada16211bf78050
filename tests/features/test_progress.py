"""Progress bars on a terminal for large imports and builds, silence everywhere else, and the
build's one-line summary."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papershelf.progress import (
    LARGE_WORK,
    SilentProgress,
    TerminalProgress,
    is_ci,
    progress_for,
)
from tests.features.conftest import SHIPPED_CONTENT, TEMPLATES

SUMMARY = re.compile(
    r"built (?P<out>\S+)/: (?P<pages>\d+) pages, (?P<feeds>\d+) feeds, (?P<files>\d+) files "
    r"\((?P<papers>\d+) papers\) in \d+\.\ds"
)
PAPERS = LARGE_WORK + 10
FEED_NAMES = {"feed.xml", "atom.xml", "feed.json"}


def _environment(**changes: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TERM"] = "xterm"
    env.update(changes)
    return env


def run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `papershelf ARGS` with stdin, stdout and stderr on a pseudo-terminal."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "papershelf", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=cwd,
        env=env,
    )
    os.close(terminal)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the process closed its side of the terminal
                break
            if not data:
                break
            chunks.append(data)
        code = process.wait(timeout=30)
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    return code, b"".join(chunks).decode("utf-8", errors="replace")


def run_piped(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "papershelf", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def large_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content with its papers copied until a build is large enough for a bar."""
    content = Path(shutil.copytree(SHIPPED_CONTENT, tmp_path_factory.mktemp("large") / "content"))
    originals = sorted((content / "papers").glob("*.yaml"))
    for index in range(PAPERS - len(originals)):
        source = originals[index % len(originals)]
        (content / "papers" / f"{source.stem}-copy-{index}.yaml").write_bytes(source.read_bytes())
    return content


def _build_args(content: Path, out: Path) -> list[str]:
    return ["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]


def test_build_shows_a_progress_bar_on_a_terminal(large_content: Path, tmp_path: Path) -> None:
    code, output = run_on_terminal(
        _build_args(large_content, tmp_path / "site"), tmp_path, _environment()
    )
    assert code == 0, output
    assert f"rendering papers [{'#' * 28}] {PAPERS}/{PAPERS}" in output
    assert "indexing search…" in output and "writing…" in output
    # The bar is cleared, so the summary starts a clean line.
    assert "\r\x1b[K" in output
    assert SUMMARY.search(output.rpartition("\x1b[K")[2])


def test_an_edit_build_counts_the_pages_it_keeps(
    large_content: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    content = Path(shutil.copytree(large_content, tmp_path_factory.mktemp("edit") / "content"))
    out = tmp_path / "site"
    quiet = [*_build_args(content, out), "--quiet"]
    code, output = run_on_terminal(quiet, tmp_path, _environment())
    assert code == 0, output
    folded = "abstract: >-\n  "  # as import writes abstracts
    paper = next(p for p in sorted((content / "papers").glob("*.yaml")) if folded in p.read_text())
    paper.write_text(paper.read_text().replace(folded, folded + "Revised. ", 1))

    code, output = run_on_terminal(_build_args(content, out), tmp_path, _environment())
    assert code == 0, output
    # One page is rendered again and the others kept: the bar still ends at every paper.
    assert f"rendering papers [{'#' * 28}] {PAPERS}/{PAPERS}" in output
    assert SUMMARY.search(output.rpartition("\x1b[K")[2])


@pytest.mark.parametrize(
    ("extra", "env"),
    [(["--quiet"], {}), ([], {"CI": "true"}), ([], {"TERM": "dumb"})],
    ids=["quiet", "ci", "dumb-terminal"],
)
def test_build_draws_no_bar_when_quiet_in_ci_or_on_a_dumb_terminal(
    large_content: Path, tmp_path: Path, extra: list[str], env: dict[str, str]
) -> None:
    args = [*_build_args(large_content, tmp_path / "site"), *extra]
    code, output = run_on_terminal(args, tmp_path, _environment(**env))
    assert code == 0, output
    assert "[" not in output and "\r" not in output.replace("\r\n", "\n")
    if extra:
        assert output == ""  # --quiet prints problems only, and there are none
    else:
        assert SUMMARY.fullmatch(output.strip())


def test_build_draws_no_bar_into_a_pipe_and_sums_up_in_one_line(
    large_content: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    result = run_piped(_build_args(large_content, out), tmp_path, _environment())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    match = SUMMARY.fullmatch(result.stdout.strip())
    assert match, result.stdout
    files = [p for p in out.rglob("*") if p.is_file()]
    assert match["out"] == "site"
    assert int(match["pages"]) == sum(p.suffix == ".html" for p in files)
    assert int(match["feeds"]) == sum(p.name in FEED_NAMES for p in files)
    assert int(match["files"]) == len(files)
    assert int(match["papers"]) == PAPERS


def _listing(count: int) -> str:
    """A Hugging Face daily-papers API listing of `count` distinct papers."""
    entries = [
        {
            "paper": {
                "id": f"2401.{10000 + index}",
                "title": f"Multilingual speech recognition for language number {index}",
                "summary": "We train a multilingual speech recognition model with transcribed "
                f"audio in {index + 2} languages and report word error rates.",
                "publishedAt": "2024-01-15T10:00:00.000Z",
                "authors": [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}],
                "upvotes": index,
            },
            "title": f"Multilingual speech recognition for language number {index}",
            "publishedAt": "2024-01-15T10:00:00.000Z",
        }
        for index in range(count)
    ]
    return json.dumps(entries)


@pytest.fixture
def import_workspace(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    shutil.copy(SHIPPED_CONTENT / "themes.yaml", content / "themes.yaml")
    (tmp_path / "listing.json").write_text(_listing(PAPERS))
    return tmp_path


def test_import_shows_a_progress_bar_on_a_terminal(import_workspace: Path) -> None:
    args = ["import", "listing.json", "--scraped-on", "2024-01-20"]
    code, output = run_on_terminal(args, import_workspace, _environment())
    assert code == 0, output
    assert f"importing papers [{'#' * 28}] {PAPERS}/{PAPERS}" in output
    assert f"writing files [{'#' * 28}] {PAPERS}/{PAPERS}" in output
    assert f"imported {PAPERS} entries" in output
    assert len(list((import_workspace / "content/papers").glob("*.yaml"))) == PAPERS


def test_import_is_silent_with_quiet(import_workspace: Path) -> None:
    args = ["import", "listing.json", "--scraped-on", "2024-01-20", "--quiet"]
    code, output = run_on_terminal(args, import_workspace, _environment())
    assert code == 0, output
    assert "importing papers" not in output and "imported" not in output
    assert len(list((import_workspace / "content/papers").glob("*.yaml"))) == PAPERS


def test_small_work_draws_nothing_and_large_work_redraws_in_place() -> None:
    stream = io.StringIO()
    clock = iter(range(0, 10_000)).__next__
    bar = TerminalProgress(stream, min_total=5, clock=lambda: clock() / 10)
    bar.stage("small", 4)
    for _ in range(4):
        bar.advance()
    assert stream.getvalue() == ""
    bar.stage("large", 5)
    for _ in range(5):
        bar.advance()
    bar.stage("after")
    bar.close()
    drawn = stream.getvalue().split("\r\x1b[K")
    assert drawn[1] == "large [" + "." * 28 + "] 0/5"
    assert "large [" + "#" * 28 + "] 5/5" in drawn
    assert drawn[-2:] == ["after…", ""]


def test_progress_is_silent_unless_a_terminal_is_watching() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_for(io.StringIO(), environ={}), SilentProgress)
    assert isinstance(progress_for(Terminal(), environ={}), TerminalProgress)
    assert isinstance(progress_for(Terminal(), quiet=True, environ={}), SilentProgress)
    assert isinstance(progress_for(Terminal(), environ={"CI": "true"}), SilentProgress)
    assert isinstance(progress_for(Terminal(), environ={"TERM": "dumb"}), SilentProgress)
    assert [is_ci({"CI": value}) for value in ("true", "1", "false", "0", "")] == [
        True,
        True,
        False,
        False,
        False,
    ]
