"""`papershelf fmt`: rewrite paper files in the canonical form that `import` writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from papershelf.atomic import write_text_atomic
from papershelf.canonical import dump_paper
from papershelf.comments import comment_not_kept, keep_comments
from papershelf.content import PAPER_SUFFIXES, display_path, paper_files
from papershelf.errors import Problem
from papershelf.load import parse_yaml, read_text
from papershelf.validate import paper_from_document


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


def canonical_text(path: Path) -> tuple[str | None, str | None, list[Problem]]:
    """Return a file's current text and its canonical text (None if it is not a valid paper)."""
    shown = display_path(path)
    text, problem = read_text(path, shown)
    if problem:
        return None, None, [problem]
    doc, problems = parse_yaml(text, shown)
    if doc is None:
        return text, None, problems
    paper, more = paper_from_document(doc)
    errors = [p for p in problems + more if p.is_error]
    if paper is None or errors:
        return text, None, errors
    canonical, line = keep_comments(text, dump_paper(paper))
    if canonical is None:
        return text, None, [comment_not_kept(shown, line, "not reformatted")]
    return text, canonical, []


def format_files(paths: Sequence[Path], *, check: bool) -> FormatResult:
    changed: list[str] = []
    unchanged = 0
    problems: list[Problem] = []
    for path in paths:
        text, canonical, found = canonical_text(path)
        problems.extend(found)
        if canonical is None:
            continue
        if canonical == text:
            unchanged += 1
            continue
        changed.append(display_path(path))
        if not check:
            write_text_atomic(path, canonical)
    return FormatResult(tuple(changed), unchanged, tuple(problems))
