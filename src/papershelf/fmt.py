"""`papershelf fmt`: rewrite paper files in the canonical form that `import` writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from papershelf.atomic import write_text_atomic
from papershelf.cache import CanonicalFiles, digest_text
from papershelf.canonical import dump_paper
from papershelf.comments import comment_not_kept, keep_comments
from papershelf.content import PAPER_SUFFIXES, display_path, paper_files, paper_from_text
from papershelf.errors import Problem
from papershelf.load import decode_text, read_text
from papershelf.workers import cpu_count, map_shards

# Below this many files per process, forking costs more than it saves.
MIN_FILES_PER_PROCESS = 300


@dataclass(frozen=True)
class FormatResult:
    changed: tuple[str, ...]  # files rewritten (or, with --check, that would be)
    unchanged: int
    problems: tuple[Problem, ...]  # files that are not valid papers are left alone


def expand_paths(paths: Sequence[Path], content_dir: Path) -> list[Path]:
    """Return the paper files named, looking inside directories; all papers when none named."""
    if not paths:
        return paper_files(content_dir)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in PAPER_SUFFIXES))
        else:
            files.append(path)
    return files


def canonical_text(
    path: Path, raw: bytes | None = None
) -> tuple[str | None, str | None, list[Problem]]:
    """Return a file's current text and its canonical text (None if it is not a valid paper).
    `raw`: the file's bytes, read already."""
    shown = display_path(path)
    text, problem = read_text(path, shown) if raw is None else decode_text(raw, shown)
    if problem:
        return None, None, [problem]
    # As a build reads it: the fast reader, and PyYAML where it declines or for the problems.
    paper, problems = paper_from_text(text, shown)
    errors = [p for p in problems if p.is_error]
    if paper is None or errors:
        return text, None, errors
    canonical, line = keep_comments(text, dump_paper(paper))
    if canonical is None:
        return text, None, [comment_not_kept(shown, line, "not reformatted")]
    return text, canonical, []


@dataclass(frozen=True)
class _Formatted:
    """What `format_files` found of one file, wherever it was worked out."""

    valid: bool  # a valid paper, whose canonical form is known
    rewritten: str | None  # that form, when the file is not in it already
    problems: list[Problem]
    # The digest of the file's bytes when they are in canonical form (see CanonicalFiles).
    canonical_digest: str | None = None


def _formatted(path: Path, record: CanonicalFiles | None) -> _Formatted:
    try:
        raw = path.read_bytes()
    except OSError:  # canonical_text says why
        return _Formatted(False, None, canonical_text(path)[2])
    # The bytes worked out are the bytes digested: what is recorded is what was seen.
    digest = digest_text(raw) if record is not None else None
    if record is not None and digest is not None and record.knows(path.name, digest):
        return _Formatted(True, None, [], digest)
    text, canonical, problems = canonical_text(path, raw)
    if canonical is None:
        return _Formatted(False, None, problems)
    if canonical != text:
        return _Formatted(True, canonical, problems)
    return _Formatted(True, None, problems, digest)


def format_files(
    paths: Sequence[Path], *, check: bool, record: CanonicalFiles | None = None
) -> FormatResult:
    """Put each file in canonical form (with `check`, only tell which are not), working the
    forms out on every core; files are written here, one by one, in the order given. With a
    `record`, files it knows to be in canonical form are taken as they are, and it learns of
    the others."""
    count = max(1, min(cpu_count(), len(paths) // MIN_FILES_PER_PROCESS))
    shards = [range(start, len(paths), count) for start in range(count)]

    def work(shard: range) -> list[_Formatted]:
        return [_formatted(paths[index], record) for index in shard]

    found: list[_Formatted | None] = [None] * len(paths)
    for shard, done in zip(shards, map_shards(shards, work), strict=True):
        for index, formatted in zip(shard, done, strict=True):
            found[index] = formatted
    changed: list[str] = []
    unchanged = 0
    problems: list[Problem] = []
    for path, formatted in zip(paths, found, strict=True):
        assert formatted is not None
        problems.extend(formatted.problems)
        if not formatted.valid:
            continue
        if formatted.rewritten is None:
            unchanged += 1
            continue
        changed.append(display_path(path))
        if not check:
            write_text_atomic(path, formatted.rewritten)
    if record is not None:
        # A rewritten file is recorded once a later run finds it in canonical form.
        digests = [formatted.canonical_digest if formatted else None for formatted in found]
        record.save(dict(zip((path.name for path in paths), digests, strict=True)))
    return FormatResult(tuple(changed), unchanged, tuple(problems))
