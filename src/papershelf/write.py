"""Write the rendered site: into a temporary directory next to the output, swapped in only once
every file is written, so a failed build never leaves a half-written or mixed site."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from papershelf.content import display_path
from papershelf.errors import Location, Problem, ProblemsError
from papershelf.urls import NOJEKYLL


@dataclass(frozen=True)
class OutputFile:
    """One file of the site: its path relative to the output directory (POSIX) and its bytes.

    `source` says what produced it, for collision messages.
    """

    path: str
    data: bytes
    source: str = ""
    # A digest of what the file was made from, when known: the next build may then keep the
    # file without making it again (see SiteWriter.reusable).
    inputs: str = ""


@dataclass(frozen=True)
class SiteDiff:
    """How an output directory differs from a fresh build: paths relative to it, sorted."""

    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.changed or self.missing or self.extra)


def find_collisions(files: Iterable[OutputFile]) -> list[Problem]:
    """Report every path more than one output would be written to, naming what produced each."""
    files = list(files)
    paths = list(map(attrgetter("path"), files))
    if len(set(paths)) == len(paths):  # the rule, answered at C speed for every build's files
        return []
    seen: dict[str, OutputFile] = {}
    problems: list[Problem] = []
    for output in files:
        first = seen.setdefault(output.path, output)
        if first is not output:
            problems.append(
                Problem(
                    Location(output.source or output.path),
                    f"two outputs would be written to '{output.path}': "
                    f"{first.source or '?'} and {output.source or '?'}",
                    hint="rename one of them",
                )
            )
    return problems


def _check_path(path: str) -> None:
    # What PurePosixPath(path).parts would give, without building one for each of 10^5 files.
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or path.startswith("/") or ".." in parts:
        raise ValueError(f"refusing to write outside the output directory: {path!r}")


def write_site(out_dir: Path, files: Iterable[OutputFile]) -> None:
    """Replace `out_dir` with exactly `files`; on any failure the old directory stays as it was."""
    files = tuple(files)
    _refuse_foreign_directory(out_dir)
    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    try:
        # mkdtemp makes a private directory; a published site must be readable by a web server.
        staging.chmod(0o755)
        made: set[Path] = {staging}
        for output in files:
            _check_path(output.path)
            target = staging / output.path
            if target.parent not in made:  # thousands of pages share a few directories
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(output.data)
        _swap(staging, out_dir.resolve())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except BaseException:
        retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _refuse_foreign_directory(out_dir: Path) -> None:
    # Replacing a directory that is not a built site (`--out src`, `--out .`) would delete work.
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise ProblemsError(
            [Problem(Location(display_path(out_dir)), "the output path is not a directory")]
        )
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / NOJEKYLL).exists():
        raise ProblemsError(
            [
                Problem(
                    Location(display_path(out_dir)),
                    f"refusing to replace '{display_path(out_dir)}': it is not empty and is not "
                    f"a built site (it has no {NOJEKYLL})",
                    hint="choose another --out directory or empty this one",
                )
            ]
        )


def read_site(out_dir: Path) -> dict[str, bytes]:
    """Return every file under `out_dir` by its POSIX path relative to it."""
    found: dict[str, bytes] = {}
    if not out_dir.is_dir():
        return found
    for root, dirs, names in os.walk(out_dir):
        dirs.sort()
        for name in sorted(names):
            path = Path(root, name)
            found[path.relative_to(out_dir).as_posix()] = path.read_bytes()
    return found


def compare_site(out_dir: Path, files: Iterable[OutputFile]) -> SiteDiff:
    """Return how the files on disk differ from `files`, without writing anything."""
    on_disk = read_site(out_dir)
    expected = {output.path: output.data for output in files}
    return SiteDiff(
        changed=tuple(sorted(p for p in expected if p in on_disk and on_disk[p] != expected[p])),
        missing=tuple(sorted(p for p in expected if p not in on_disk)),
        extra=tuple(sorted(p for p in on_disk if p not in expected)),
    )
