"""The rendered site's files, and what writing them and comparing them with an output directory
share (see sitewriter.py for the writing): paths that stay inside the output directory, a swap
that replaces a whole directory at once, and a refusal to replace one that is not a built site.
"""

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
    if ".." not in path and not path.startswith("/") and path.strip("/."):
        return  # relative, with some part that is neither empty nor "." and none that is ".."
    # What PurePosixPath(path).parts would give, without building one for each of 10^5 files.
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts or path.startswith("/") or ".." in parts:
        raise ValueError(f"refusing to write outside the output directory: {path!r}")


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


def compare_site(out_dir: Path, files: Iterable[OutputFile]) -> SiteDiff:
    """Return how the files under `out_dir` differ from `files`, without writing anything, and
    reading one file of `out_dir` at a time."""
    expected = {output.path: output.data for output in files}
    on_disk = _relative_files(out_dir)
    changed = [
        path
        for path in sorted(expected.keys() & on_disk)
        if (out_dir / path).read_bytes() != expected[path]
    ]
    return SiteDiff(
        changed=tuple(changed),
        missing=tuple(sorted(expected.keys() - on_disk)),
        extra=tuple(sorted(on_disk - expected.keys())),
    )


def _relative_files(root: Path) -> set[str]:
    """Return the POSIX path, relative to `root`, of every file under it."""
    found: set[str] = set()
    for directory, _, names in os.walk(root):
        prefix = Path(directory).relative_to(root).as_posix()
        prefix = "" if prefix == "." else f"{prefix}/"
        found.update(prefix + name for name in names)
    return found
