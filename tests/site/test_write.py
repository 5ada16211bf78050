"""Atomic writing, removal of stale files, reproducible bytes, and `build --check`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from papershelf.errors import ProblemsError
from papershelf.sitewriter import SiteWriter
from papershelf.write import OutputFile, find_collisions
from tests.site.conftest import REPO_ROOT, build, read_tree

OMNI = "papers/omnilingual-asr-open-source-multilingual.yaml"


def test_failed_build_leaves_the_previous_site_untouched(content, templates, out_dir) -> None:
    build(content, templates, out_dir)
    before = read_tree(out_dir)
    (content / OMNI).write_text((content / OMNI).read_text().replace("theme: speech", "theme: x"))
    with pytest.raises(ProblemsError):
        build(content, templates, out_dir)
    assert read_tree(out_dir) == before


def _write(out: Path, files: list[OutputFile]) -> None:
    """Write `files` as a build without a cache does: through a SiteWriter, aborted on failure."""
    writer = SiteWriter(out, None, verified=True)
    try:
        writer.commit([writer.store(output) for output in files])
    except BaseException:
        writer.abort()
        raise


def test_failure_while_writing_keeps_the_old_site_and_leaves_no_temporary_files(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    _write(out, [OutputFile(".nojekyll", b""), OutputFile("index.html", b"old")])
    # "a" as a file and "a/b" as a file cannot both exist: the second write fails mid-way.
    with pytest.raises(OSError):
        _write(out, [OutputFile("a", b"1"), OutputFile("a/b", b"2")])
    assert read_tree(out) == {".nojekyll": b"", "index.html": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize(
    "path", ["../escape.html", "a/../../escape.html", "/escape.html", "", ".", "./", "//", "a/.."]
)
def test_paths_outside_the_output_directory_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(ValueError, match="outside the output directory"):
        _write(tmp_path / "site", [OutputFile(path, b"")])
    assert not (tmp_path / "escape.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_two_outputs_for_one_path_are_reported_with_what_made_each() -> None:
    files = [
        OutputFile("index.html", b"a", "templates/home.html"),
        OutputFile("feed.xml", b"b", "feeds"),
        OutputFile("index.html", b"c", "templates/static/index.html"),
    ]
    problems = find_collisions(files)
    assert [problem.format_text() for problem in problems] == [
        "templates/static/index.html: error: two outputs would be written to 'index.html': "
        "templates/home.html and templates/static/index.html\n  hint: rename one of them"
    ]
    assert find_collisions(files[:2]) == []


def test_files_of_a_removed_paper_disappear(content, templates, out_dir) -> None:
    build(content, templates, out_dir)
    page = out_dir / "papers/omnilingual-asr-open-source-multilingual/index.html"
    assert page.is_file()
    (content / OMNI).unlink()
    build(content, templates, out_dir)
    assert not page.parent.exists()
    assert b"omnilingual-asr-open-source" not in (out_dir / "feed.xml").read_bytes()
    assert b"omnilingual-asr-open-source" not in (out_dir / "sitemap.xml").read_bytes()
    assert sorted(p.name for p in out_dir.parent.iterdir() if p.name.startswith(".site")) == []


def test_two_builds_give_the_same_bytes(content, templates, tmp_path) -> None:
    build(content, templates, tmp_path / "one")
    build(content, templates, tmp_path / "two")
    assert read_tree(tmp_path / "one") == read_tree(tmp_path / "two")


def test_builds_do_not_depend_on_hash_seed_or_working_directory(content, templates, tmp_path):
    # Set and dict order of strings changes with the hash seed; a build must not.
    trees = []
    for seed, cwd in (("1", tmp_path), ("2", REPO_ROOT)):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "papershelf", "build", "--content", str(content),
             "--templates", str(templates), "--out", str(out)],
            check=True, env=env, cwd=cwd, capture_output=True,
        )  # fmt: skip
        trees.append(read_tree(out))
    assert trees[0] == trees[1]


def test_check_passes_on_a_fresh_build_and_writes_nothing(content, templates, out_dir) -> None:
    build(content, templates, out_dir)
    before = read_tree(out_dir)
    result = build(content, templates, out_dir, check=True)
    assert result.ok
    assert result.summary() == f"{out_dir}/ is up to date (97 files, 7 papers)"
    assert read_tree(out_dir) == before


def test_check_lists_changed_missing_and_extra_files(content, templates, out_dir) -> None:
    build(content, templates, out_dir)
    (out_dir / "index.html").write_text("edited by hand")
    (out_dir / "robots.txt").unlink()
    (out_dir / "stray.html").write_text("left over")
    before = read_tree(out_dir)
    result = build(content, templates, out_dir, check=True)
    assert not result.ok
    assert result.summary().splitlines() == [
        f"{out_dir}/ is not what a fresh build gives:",
        f"  changed: {out_dir}/index.html",
        f"  missing: {out_dir}/robots.txt",
        f"  extra:   {out_dir}/stray.html",
        "run `papershelf build` and commit the result",
    ]
    assert read_tree(out_dir) == before


def test_check_fails_when_content_changed_since_the_build(content, templates, out_dir) -> None:
    build(content, templates, out_dir)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("Fixture Reading List", "Renamed List"))
    result = build(content, templates, out_dir, check=True)
    assert not result.ok
    assert "index.html" in result.diff.changed


def test_check_command_exit_status(content, templates, out_dir) -> None:
    from papershelf.cli import main

    args = ["build", "--content", str(content), "--templates", str(templates)]
    args += ["--out", str(out_dir)]
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    (out_dir / "feed.json").write_text("{}")
    assert main([*args, "--check"]) == 1


def test_check_lists_missing_and_extra_files_and_writes_nothing(
    content, templates, out_dir
) -> None:
    build(content, templates, out_dir)
    (out_dir / "feed.xml").unlink()
    (out_dir / "papers/stray.html").write_text("left by hand")
    before = read_tree(out_dir)
    beside = sorted(p.name for p in out_dir.parent.iterdir())
    result = build(content, templates, out_dir, check=True)
    assert not result.ok
    assert (result.diff.missing, result.diff.extra, result.diff.changed) == (
        ("feed.xml",),
        ("papers/stray.html",),
        (),
    )
    assert read_tree(out_dir) == before
    assert sorted(p.name for p in out_dir.parent.iterdir()) == beside


def test_files_kept_from_the_last_build_are_those_it_recorded_with_inputs(tmp_path: Path) -> None:
    out_dir = tmp_path / "site"
    first = SiteWriter(out_dir)
    written = [
        first.store(OutputFile("a/index.html", b"A", "templates/paper.html"), "inputs-a"),
        first.store(OutputFile("b/index.html", b"B", "templates/paper.html"), "inputs-b"),
        first.store(OutputFile("c/index.html", b"C", "templates/paper.html")),  # no inputs
        first.store(OutputFile(".nojekyll", b"", "site")),  # what makes it a built site
    ]
    manifest = first.commit(written)

    again = SiteWriter(out_dir, manifest)
    # Every file recorded with inputs: kept, each as `reusable` finds it with those inputs.
    kept = again.kept_many(["b/index.html", "a/index.html"], "templates/paper.html")
    assert kept == [
        again.reusable("b/index.html", "templates/paper.html", "inputs-b"),
        again.reusable("a/index.html", "templates/paper.html", "inputs-a"),
    ]
    assert [Path(file.location).read_bytes() for file in kept] == [b"B", b"A"]
    assert all(file.pending is None for file in kept)
    # A file recorded without inputs, or not at all, is made again.
    mixed = again.kept_many(["a/index.html", "c/index.html", "d/index.html"], "src")
    assert [file.path if file else None for file in mixed] == ["a/index.html", None, None]
    marker = again.store(OutputFile(".nojekyll", b"", "site"))
    committed = again.commit([*kept, marker])
    assert committed.files.keys() == {"a/index.html", "b/index.html", ".nojekyll"}
    assert (out_dir / "a/index.html").read_bytes() == b"A"
    assert not (out_dir / "c").exists()


def _program(
    content: Path, templates: Path, out_dir: Path, *extra: str, **run: Any
) -> subprocess.CompletedProcess[str]:
    """Run the real `papershelf build` program (python -m papershelf) on these directories."""
    args = ["build", "--content", str(content), "--templates", str(templates)]
    args += ["--out", str(out_dir), *extra]
    return subprocess.run([sys.executable, "-m", "papershelf", *args], text=True, **run)


def test_the_program_prints_and_exits_as_main_returns(content, templates, out_dir) -> None:
    # `papershelf` ends its process at once after a command (cli.run): what it printed must
    # still arrive whole through a pipe (buffered, as it is without PYTHONUNBUFFERED), with the
    # exit status main() returns.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}

    def program(*extra: str) -> subprocess.CompletedProcess[str]:
        return _program(content, templates, out_dir, *extra, capture_output=True, env=env)

    built = program()
    assert (built.returncode, built.stderr) == (0, "")
    summary = rf"built {re.escape(str(out_dir))}/: \d+ pages, \d+ feeds, \d+ files \(7 papers\) in "
    assert re.fullmatch(summary + r"[\d.]+s\n", built.stdout)
    again = program()  # from the cache: the build ended without saving it otherwise
    assert again.returncode == 0 and again.stdout.startswith(f"built {out_dir}/: ")
    (out_dir / "feed.json").write_text("{}")
    checked = program("--check", "--quiet")
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[1:] == [
        f"  changed: {out_dir}/feed.json",
        "run `papershelf build` and commit the result",
    ]
    (content / OMNI).write_text((content / OMNI).read_text().replace("theme: speech", "theme: x"))
    failed = program()
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.endswith("papershelf build: 1 error; nothing was written\n")


def test_a_cache_that_cannot_be_written_is_a_warning(content, templates, out_dir) -> None:
    # Where the cache would go, a file: the site is built all the same, and the program says
    # in one line that the next build will not find a cache.
    (out_dir.parent / ".papershelf-cache").write_text("not a directory")
    built = _program(content, templates, out_dir, "--quiet", capture_output=True)
    assert built.returncode == 0
    cache = out_dir.parent / ".papershelf-cache"
    assert built.stderr == f"cannot write the build cache {cache}: File exists\n"
    assert (out_dir / "index.html").is_file()


def test_the_program_runs_without_a_standard_output(content, templates, out_dir) -> None:
    # Started with its output closed (`papershelf build >&-`), Python has no sys.stdout.
    closed = _program(
        content,
        templates,
        out_dir,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),  # in the child, before Python starts
    )
    assert (closed.returncode, closed.stderr) == (0, "")
    assert (out_dir / "index.html").is_file()


def test_main_leaves_the_garbage_collector_as_it_found_it(content, templates, out_dir) -> None:
    # main() is for callers that go on running (tests, scripts): a build pauses the collector
    # and must start it again, and it must not end the process.
    import gc

    from papershelf.cli import main

    args = ["build", "--content", str(content), "--templates", str(templates)]
    assert gc.isenabled()
    assert main([*args, "--out", str(out_dir), "--quiet"]) == 0
    assert gc.isenabled()
