"""Import on several cores gives what import on one core gives; files are replaced atomically and
never over a file that changed during the import."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import time
from dataclasses import replace
from pathlib import Path

import pytest

from papershelf import ingest
from papershelf.atomic import discard_staged, stage_text, write_text_atomic
from papershelf.errors import ProblemsError
from papershelf.ingest import ImportOptions, run_import
from tests.benchmarks.synthetic import synthetic_listing
from tests.ingest.conftest import snapshot


def _import_twice(root: Path, repo_root: Path, monkeypatch, cores: int) -> list:
    """Import a listing, then a newer one with other counts, on `cores` processes."""
    monkeypatch.setattr(ingest, "cpu_count", lambda: cores)
    monkeypatch.setattr(ingest, "SENT_EVERY", 64)  # each process sends its results in parts
    (root / "content" / "papers").mkdir(parents=True)
    (root / "content" / "themes.yaml").write_bytes(
        (repo_root / "content" / "themes.yaml").read_bytes()
    )
    listing = synthetic_listing(700)  # enough papers for two processes
    (root / "first.txt").write_text(listing, encoding="utf-8")
    newer = listing.replace(" 2019\n", " 2019 7\n").replace("Masakhane", "Masakhane NLP")
    (root / "newer.txt").write_text(newer, encoding="utf-8")
    monkeypatch.chdir(root)
    seen = []
    for name in ("first.txt", "newer.txt"):
        options = ImportOptions(
            sources=(Path(name),),
            content_dir=Path("content"),
            scraped_on=dt.date(2026, 1, 5),
            explain=True,  # the evidence, which processes send too, is compared
        )
        report = run_import(options)
        seen.append(report.summary_lines(explain=True))
        seen.append([problem.format_text() for problem in report.warnings])
        seen.append(snapshot(root / "content"))
    return seen


def test_import_on_two_processes_matches_one(tmp_path: Path, repo_root: Path, monkeypatch):
    one = _import_twice(tmp_path / "one", repo_root, monkeypatch, cores=1)
    two = _import_twice(tmp_path / "two", repo_root, monkeypatch, cores=2)
    assert one == two
    assert "700 added" in one[0][-1] and " updated" in one[3][-1]
    assert not any(name.endswith(".tmp") for name in one[2])


def test_a_file_changed_since_it_was_read_is_not_replaced(tmp_path: Path):
    changed, new, untouched = tmp_path / "changed.yaml", tmp_path / "new.yaml", tmp_path / "u.yaml"
    changed.write_text("edited by hand\n", encoding="utf-8")
    new.write_text("appeared meanwhile\n", encoding="utf-8")
    as_read = hashlib.blake2b(b"as read\n").digest()
    writes = [
        (changed, stage_text(changed, "title: x\n", "import-1"), as_read),
        (new, stage_text(new, "title: y\n", "import-1"), None),
        (untouched, stage_text(untouched, "title: z\n", "import-1"), None),
    ]
    with pytest.raises(ProblemsError) as raised:
        ingest._write_all(writes)
    messages = [problem.message for problem in raised.value.problems]
    assert messages == ["file changed on disk during the import; nothing was written"] * 2
    assert changed.read_text(encoding="utf-8") == "edited by hand\n"
    assert new.read_text(encoding="utf-8") == "appeared meanwhile\n"
    assert not untouched.exists()
    discard_staged(tmp_path, "import-1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.yaml", "new.yaml"]


@pytest.mark.parametrize("cores", [1, 2])
def test_an_import_that_fails_midway_leaves_every_file_as_it_was(
    tmp_path: Path, repo_root: Path, monkeypatch, cores: int
):
    """Files are written as papers are made, under names of the import's own, and put in place
    only once every paper is made: a failure on any process removes them all."""
    monkeypatch.setattr(ingest, "cpu_count", lambda: cores)
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "themes.yaml").write_bytes((repo_root / "content" / "themes.yaml").read_bytes())
    listing = synthetic_listing(700)
    (tmp_path / "first.txt").write_text(listing, encoding="utf-8")
    options = ImportOptions((tmp_path / "first.txt",), content, scraped_on=dt.date(2026, 1, 5))
    run_import(options)
    before = snapshot(content)
    newer = listing.replace(" 2019\n", " 2019 7\n") + synthetic_listing(720)[len(listing) :]
    (tmp_path / "newer.txt").write_text(newer, encoding="utf-8")
    run_task, seen = ingest._run_task, [0]

    def failing(task, planning):
        seen[0] += 1
        if seen[0] == 330:  # late in each process's share, on two cores
            raise RuntimeError("the disk caught fire")
        return run_task(task, planning)

    monkeypatch.setattr(ingest, "_run_task", failing)
    options = replace(options, sources=(tmp_path / "newer.txt",))
    with pytest.raises(Exception, match="the disk caught fire"):
        run_import(options)
    assert snapshot(content) == before
    assert not [path for path in content.rglob("*") if path.name.endswith(".tmp")]


def test_a_slower_process_plans_fewer_papers(tmp_path: Path, repo_root: Path, monkeypatch):
    """Papers are claimed a few at a time, not dealt out in advance: an import does not wait
    for a process whose core is busier (each forked process plans more slowly than the first)."""
    monkeypatch.setattr(ingest, "cpu_count", lambda: 2)
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "themes.yaml").write_bytes((repo_root / "content" / "themes.yaml").read_bytes())
    (tmp_path / "listing.txt").write_text(synthetic_listing(700), encoding="utf-8")
    run_task, importing, log = ingest._run_task, os.getpid(), tmp_path / "planned-by"

    def slower_when_forked(task, planning):
        if os.getpid() != importing:
            time.sleep(0.004)
        with log.open("a", encoding="utf-8") as planned_by:
            planned_by.write(f"{os.getpid() == importing}\n")
        return run_task(task, planning)

    monkeypatch.setattr(ingest, "_run_task", slower_when_forked)
    options = ImportOptions((tmp_path / "listing.txt",), content, scraped_on=dt.date(2026, 1, 5))
    report = run_import(options)
    assert report.count("added") == 700
    planners = log.read_text(encoding="utf-8").split()
    assert len(planners) == 700
    # Dealt out in advance, each process planned 350.
    assert planners.count("False") < 250 < planners.count("True")


def test_atomic_write_gives_a_new_file_the_usual_permissions(tmp_path: Path):
    umask = os.umask(0o027)
    try:
        write_text_atomic(tmp_path / "sub" / "paper.yaml", "title: é\n")
    finally:
        os.umask(umask)
    path = tmp_path / "sub" / "paper.yaml"
    assert path.read_bytes() == "title: é\n".encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["paper.yaml"]


def test_atomic_write_replaces_a_file_and_steps_over_a_leftover_temporary_one(tmp_path: Path):
    path = tmp_path / "paper.yaml"
    path.write_text("old\n", encoding="utf-8")
    leftover = tmp_path / f".paper.yaml.{os.getpid()}-0.tmp"  # as if from a crash long ago
    leftover.write_text("half", encoding="utf-8")
    write_text_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert leftover.read_text(encoding="utf-8") == "half"
    assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "paper.yaml"]
