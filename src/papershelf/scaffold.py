"""`papershelf new`: start a paper file that is valid and has the classifier's suggested theme."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from papershelf.atomic import write_text_atomic
from papershelf.cache import cache_beside
from papershelf.canonical import dump_paper
from papershelf.classify import classify
from papershelf.content import PAPERS_DIR, THEMES_FILE, display_path, load_papers
from papershelf.errors import Location, Problem, ProblemsError
from papershelf.load import CONTROL_CHARACTER, CONTROL_CHARACTER_HINT
from papershelf.model import Link, Paper
from papershelf.taxonomy import load_taxonomy
from papershelf.text import arxiv_url, is_arxiv_id, make_slug, normalize_title
from papershelf.validate import did_you_mean

# `check` refuses an abstract that still starts with this, so a scaffold cannot be merged unfilled.
ABSTRACT_PLACEHOLDER = "TODO: paste the abstract here."


@dataclass(frozen=True)
class NewPaper:
    title: str
    content_dir: Path
    today: dt.date
    arxiv: str | None = None
    theme: str | None = None
    tags: tuple[str, ...] = ()
    abstract: str | None = None
    published: dt.date | None = None


def create_paper(request: NewPaper) -> tuple[Path, Paper]:
    """Write a new paper file and return its path; refuse to touch an existing paper."""
    where = Location("papershelf new")
    taxonomy, problems = load_taxonomy(request.content_dir / THEMES_FILE)
    existing, found = load_papers(request.content_dir, cache_beside(request.content_dir))
    problems.extend(p for p in found if p.is_error)
    if taxonomy is None or problems:
        raise ProblemsError(problems)
    errors: list[Problem] = []
    if not request.title.strip():
        errors.append(Problem(where, "--title must not be empty"))
    errors += _text_problems("--title", request.title, where)
    errors += _text_problems("--abstract", request.abstract, where)
    if request.arxiv and not is_arxiv_id(request.arxiv):
        errors.append(
            Problem(where, f"--arxiv must be an arXiv id like '2511.09690', got {request.arxiv!r}")
        )
    theme_ids = [t.id for t in taxonomy.themes]
    if request.theme and request.theme not in theme_ids:
        errors.append(
            Problem(
                where,
                f"--theme '{request.theme}' is not declared in {THEMES_FILE}",
                did_you_mean(request.theme, theme_ids),
            )
        )
    tag_ids = [t.id for t in taxonomy.tags]
    errors.extend(
        Problem(
            where, f"--tags: '{tag}' is not declared in {THEMES_FILE}", did_you_mean(tag, tag_ids)
        )
        for tag in request.tags
        if tag not in tag_ids
    )
    title_key = normalize_title(request.title)
    for paper in existing:
        if normalize_title(paper.title) == title_key or (
            request.arxiv and paper.arxiv == request.arxiv
        ):
            errors.append(Problem(where, f"this paper is already on the list: {paper.path}"))
    if errors:
        raise ProblemsError(errors)

    abstract = request.abstract or ABSTRACT_PLACEHOLDER
    links = (Link(arxiv_url(request.arxiv), "paper"),) if request.arxiv else ()
    suggestion = classify(
        taxonomy, title=request.title, abstract=request.abstract or "", links=links
    )
    slug = make_slug(request.title)
    taken = {paper.slug for paper in existing}
    if slug in taken:
        slug = next(f"{slug}-{n}" for n in range(2, 1000) if f"{slug}-{n}" not in taken)
    path = request.content_dir / PAPERS_DIR / f"{slug}.yaml"
    paper = Paper(
        slug=slug,
        title=request.title.strip(),
        abstract=abstract,
        published=request.published or request.today,
        path=display_path(path),
        added=request.today,
        arxiv=request.arxiv,
        theme=request.theme or suggestion.theme,
        tags=request.tags or suggestion.tags,
        links=links,
    )
    if path.exists():
        raise ProblemsError([Problem(Location(display_path(path)), "file already exists")])
    write_text_atomic(path, dump_paper(paper))
    return path, paper


def _text_problems(option: str, value: str | None, where: Location) -> list[Problem]:
    """Say why an option's text cannot go into a paper file: bytes that are not UTF-8 (which
    the command line passes on as lone surrogates), or a control character."""
    if value is None:
        return []
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return [Problem(where, f"{option} is not UTF-8 text", hint="type it again, or paste it")]
    control = CONTROL_CHARACTER.search(value)
    if control is None:
        return []
    found = f"control character U+{ord(control.group()):04X}"
    return [Problem(where, f"{option} has a {found}", hint=CONTROL_CHARACTER_HINT)]
