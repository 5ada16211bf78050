"""Find and read every paper file under a content directory."""

from __future__ import annotations

import os
from pathlib import Path

from papershelf.errors import Location, Problem
from papershelf.load import load_yaml
from papershelf.model import Paper
from papershelf.validate import paper_from_document

PAPERS_DIR = "papers"
THEMES_FILE = "themes.yaml"
SITE_FILE = "site.yaml"
PAPER_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """Return the path as messages show it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def paper_files(content_dir: Path) -> list[Path]:
    """Return the paper files under `content_dir/papers`, sorted by name."""
    papers_dir = content_dir / PAPERS_DIR
    if not papers_dir.is_dir():
        return []
    return sorted(p for p in papers_dir.iterdir() if p.suffix in PAPER_SUFFIXES and p.is_file())


def load_paper(path: Path) -> tuple[Paper | None, list[Problem]]:
    doc, problems = load_yaml(path, display_path(path))
    if doc is None:
        return None, problems
    paper, more = paper_from_document(doc)
    return paper, problems + more


def load_papers(content_dir: Path) -> tuple[tuple[Paper, ...], list[Problem]]:
    """Read every paper file; return the valid papers (by slug) and every problem found."""
    papers: list[Paper] = []
    problems: list[Problem] = []
    by_slug: dict[str, Paper] = {}
    for path in paper_files(content_dir):
        paper, found = load_paper(path)
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
    return tuple(sorted(papers, key=lambda p: p.slug)), problems
