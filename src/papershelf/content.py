"""Find and read every paper file under a content directory."""

from __future__ import annotations

import os
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf.errors import Location, Problem
from papershelf.fastyaml import parse_block_yaml
from papershelf.load import YamlDocument, decode_text, parse_yaml, read_text
from papershelf.model import Paper
from papershelf.validate import controls_possible_in, paper_from_document

if TYPE_CHECKING:
    from collections.abc import Callable

    from papershelf.cache import BuildCache

PAPERS_DIR = "papers"
THEMES_FILE = "themes.yaml"
SITE_FILE = "site.yaml"
PAPER_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """Return the path as messages show it: relative to the working directory when inside it,
    absolute otherwise (`/tmp/scrape.html` reads better than `../../tmp/scrape.html`)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(Path(path).resolve()) if relative.startswith("..") else relative


def paper_files(content_dir: Path) -> list[Path]:
    """Return the paper files under `content_dir/papers`, sorted by name."""
    papers_dir = content_dir / PAPERS_DIR
    return [papers_dir / name for name, _ in _paper_entries(papers_dir)]


def _paper_entries(papers_dir: Path) -> list[tuple[str, bool]]:
    """Return each paper file's name, sorted, and whether it is a symbolic link."""
    if not papers_dir.is_dir():
        return []
    with os.scandir(papers_dir) as entries:  # no stat per file: the directory says what is one
        return sorted(
            (entry.name, entry.is_symlink())
            for entry in entries
            if os.path.splitext(entry.name)[1] in PAPER_SUFFIXES  # noqa: PTH122 (no Path each)
            and entry.is_file()
        )


def paper_files_shown(content_dir: Path, cache: BuildCache | None = None) -> list[tuple[str, str]]:
    """Return each paper file's path and its path as messages show it, listed once per build
    (strings, not Path objects: a build lists tens of thousands)."""
    if cache is None:
        return _list_paper_files(content_dir / PAPERS_DIR)
    listed = cache.listings.get(content_dir)
    if listed is None:
        papers_dir = content_dir / PAPERS_DIR
        signature, listed = cache.earlier_listing(papers_dir)
        if listed is None:
            listed = _list_paper_files(papers_dir)
            cache.keep_listing(papers_dir, signature, listed)
        cache.listings[content_dir] = listed
    return listed


def _list_paper_files(papers_dir: Path) -> list[tuple[str, str]]:
    entries = _paper_entries(papers_dir)
    prefix = os.path.join(papers_dir, "")  # noqa: PTH118
    paths = [prefix + name for name, _ in entries]
    return list(zip(paths, _shown_paths(papers_dir, entries, prefix, paths), strict=True))


def _shown_paths(
    papers_dir: Path, entries: list[tuple[str, bool]], prefix: str, paths: list[str]
) -> list[str]:
    """Return `display_path` of each file, working it out once for their directory (`paths`
    themselves when they are shown as they are, from `prefix`: the usual case, and one string
    for each of 10,000 files rather than two)."""
    if not entries:
        return []
    directory = display_path(papers_dir)
    if not Path(directory).is_absolute():
        shown = "" if directory == "." else directory + os.sep
        return paths if shown == prefix else [shown + name for name, _ in entries]
    # Shown resolved: the same as the directory's resolved path, unless the file is a link.
    return [
        display_path(papers_dir / name) if link else os.path.join(directory, name)  # noqa: PTH118
        for name, link in entries
    ]


def load_paper(path: Path, shown: str | None = None) -> tuple[Paper | None, list[Problem]]:
    """Read one paper file (`shown`: its path in messages, by default `display_path(path)`)."""
    shown = display_path(path) if shown is None else shown
    text, problem = read_text(path, shown)
    if problem is not None:
        return None, [problem]
    return paper_from_text(text, shown)


def paper_from_text(text: str, shown: str) -> tuple[Paper | None, list[Problem]]:
    """Parse and validate a paper file's text."""
    controls = controls_possible_in(text)
    fast = parse_block_yaml(text)
    if fast is not None:
        data, key_lines = fast
        positions = {(key,): (line, 1) for key, line in key_lines.items()}
        document = YamlDocument(shown, data, positions)
        paper, problems = paper_from_document(document, controls_possible=controls)
        if not problems:
            return paper, problems
    # PyYAML, with every key's position: for files beyond the fast reader, and for messages.
    doc, problems = parse_yaml(text, shown)
    if doc is None:
        return None, problems
    paper, more = paper_from_document(doc, controls_possible=controls)
    return paper, problems + more


def _parse_raw(raw: bytes, shown: str) -> tuple[Paper | None, list[Problem]]:
    text, problem = decode_text(raw, shown)
    if problem is not None:
        return None, [problem]
    return paper_from_text(text, shown)


def load_papers(
    content_dir: Path,
    cache: BuildCache | None = None,
    processes: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[tuple[Paper, ...], list[Problem]]:
    """Read every paper file; return the valid papers (by slug) and every problem found.

    With a `cache`, files parsed by an earlier build are not parsed again, the others are
    parsed on every core (or `processes`), and the cache learns which file each paper came from
    (for values derived from it). `meanwhile` is called once, while other processes parse if
    any do.
    """
    papers: list[Paper] = []
    problems: list[Problem] = []
    by_slug: dict[str, Paper] = {}
    listed = paper_files_shown(content_dir, cache)
    if cache is not None:
        read = cache.read_papers(listed, _parse_raw, processes, meanwhile)
    else:
        read = None
        if meanwhile is not None:
            meanwhile()
    for number, (path, shown) in enumerate(listed):
        key = ""
        # Unreadable (an OSError): say so as a read without the cache would.
        if read is None or isinstance(read[number], OSError):
            paper, found = load_paper(Path(path), shown)
        else:
            key, paper, found = read[number]
        problems.extend(found)
        if paper is None:
            continue
        if paper.slug in by_slug:
            # papers/x.yaml and papers/x.yml would both publish at /papers/x/.
            problems.append(
                Problem(
                    Location(paper.path, 1, 1),
                    f"two papers have the slug '{paper.slug}': {by_slug[paper.slug].path} "
                    f"and {paper.path}",
                    hint="rename or remove one of them",
                )
            )
            continue
        by_slug[paper.slug] = paper
        papers.append(paper)
        if cache is not None and key:
            cache.paper_keys[paper.slug] = key
    return tuple(sorted(papers, key=attrgetter("slug"))), problems
