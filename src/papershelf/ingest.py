"""Merge scraped listings into `content/papers/` without ever losing what a curator edited.

Each paper file records, under `provenance.imported`, a fingerprint of every value import
wrote. On re-import a field whose value still matches its fingerprint is import's to refresh;
any other value was set by a curator and is kept. Files whose values do not change are not
touched, papers missing from a newer scrape are never deleted, and nothing is written unless
the whole import is valid.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from papershelf.atomic import write_text_atomic
from papershelf.cache import BuildCache
from papershelf.canonical import IMPORTED_FIELDS, dump_paper, fingerprint, paper_values
from papershelf.classify import Classification, classify, explain
from papershelf.content import PAPERS_DIR, THEMES_FILE, display_path, load_paper, load_papers
from papershelf.errors import Location, Problem, ProblemsError, Severity, has_errors
from papershelf.load import YamlDocument
from papershelf.model import Paper, Provenance, Scrape, ScrapedEntry, Taxonomy
from papershelf.progress import Progress, SilentProgress
from papershelf.sources import read_scrape
from papershelf.taxonomy import load_taxonomy
from papershelf.text import make_slug, normalize_title
from papershelf.validate import paper_from_document
from papershelf.workers import cpu_count, map_shards


@dataclass(frozen=True)
class ImportOptions:
    sources: tuple[Path, ...]
    content_dir: Path = Path("content")
    scraped_on: dt.date | None = None
    format: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class PaperOutcome:
    """What import did to one paper file."""

    slug: str
    path: str
    action: str  # "added", "updated" or "unchanged"
    theme: str | None
    classification: Classification
    refreshed: tuple[str, ...] = ()  # imported fields whose value changed
    kept: tuple[str, ...] = ()  # fields a curator set, left as they were


@dataclass(frozen=True)
class ImportReport:
    outcomes: tuple[PaperOutcome, ...]
    merged: tuple[str, ...]  # one line per merged duplicate
    warnings: tuple[Problem, ...]
    scrapes: tuple[Scrape, ...]
    dry_run: bool = False

    def count(self, action: str) -> int:
        return sum(outcome.action == action for outcome in self.outcomes)

    def summary_lines(self, *, explain: bool = False) -> list[str]:
        """Return the report printed after an import."""
        lines: list[str] = []
        for outcome in self.outcomes:
            if outcome.action != "unchanged":
                detail = ""
                if outcome.refreshed and outcome.action == "updated":
                    detail = f" (refreshed: {', '.join(outcome.refreshed)})"
                if outcome.kept:
                    detail += f" (kept curator's {', '.join(outcome.kept)})"
                lines.append(f"{outcome.action:>9}  {outcome.path}{detail}")
            if explain:
                lines.extend(f"    {line}" for line in _explain(outcome))
        lines.extend(f"   merged  {line}" for line in self.merged)
        entries = sum(len(scrape.entries) for scrape in self.scrapes)
        verb = "would import" if self.dry_run else "imported"
        lines.append(
            f"{verb} {entries} entries from {len(self.scrapes)} "
            f"source{'s' if len(self.scrapes) != 1 else ''}: {self.count('added')} added, "
            f"{self.count('updated')} updated, {self.count('unchanged')} unchanged, "
            f"{len(self.merged)} duplicate{'s' if len(self.merged) != 1 else ''} merged, "
            f"{sum(o.theme is None for o in self.outcomes)} without a theme"
            + (" (dry run: nothing written)" if self.dry_run else "")
        )
        return lines


def _explain(outcome: PaperOutcome) -> list[str]:
    return explain(outcome.classification, label=outcome.path)


@dataclass
class _Candidate:
    """Scraped entries that are one paper, merged, with the scrape that last described it."""

    entry: ScrapedEntry
    scrape: Scrape
    sources: list[ScrapedEntry] = field(default_factory=list)


def run_import(options: ImportOptions, progress: Progress | None = None) -> ImportReport:
    """Read every source, merge into the content directory, and write changed files."""
    progress = progress or SilentProgress()
    try:
        return _run_import(options, progress)
    finally:
        progress.close()


def _run_import(options: ImportOptions, progress: Progress) -> ImportReport:
    taxonomy, problems = load_taxonomy(options.content_dir / THEMES_FILE)
    scrapes: list[Scrape] = []
    for source in options.sources:
        scrape, found = read_scrape(
            source, display_path(source), format=options.format, scraped_on=options.scraped_on
        )
        problems.extend(found)
        if scrape is not None:
            scrapes.append(scrape)
    # An in-memory cache: the existing papers are parsed on every core.
    existing, found = load_papers(options.content_dir, BuildCache(None))
    problems.extend(found)
    if has_errors(problems) or taxonomy is None:
        raise ProblemsError(p for p in problems if p.is_error)

    candidates, merged = _merge_duplicates(scrapes)
    progress.stage("importing papers", len(candidates))
    scraped = _all_scraped_values(candidates, taxonomy)
    plan = _plan(candidates, existing, taxonomy, options.content_dir, progress.advance, scraped)
    warnings = [p for p in problems if not p.is_error]
    warnings.extend(plan.warnings)
    if plan.errors:
        raise ProblemsError(plan.errors)
    if not options.dry_run:
        progress.stage("writing files", len(plan.writes))
        _write_all(plan.writes, progress.advance)
    return ImportReport(
        outcomes=tuple(plan.outcomes),
        merged=tuple(merged + plan.merged),
        warnings=tuple(warnings),
        scrapes=tuple(scrapes),
        dry_run=options.dry_run,
    )


def _identity_keys(title: str, arxiv: str | None) -> list[str]:
    keys = [f"title:{normalize_title(title)}"]
    if arxiv:
        keys.insert(0, f"arxiv:{arxiv}")
    return keys


def _merge_duplicates(scrapes: Sequence[Scrape]) -> tuple[list[_Candidate], list[str]]:
    """Fold entries that name the same paper (same arXiv id or normalised title) into one."""
    candidates: list[_Candidate] = []
    by_key: dict[str, _Candidate] = {}
    merged: list[str] = []
    for scrape in scrapes:
        for entry in scrape.entries:
            keys = _identity_keys(entry.title, entry.arxiv)
            match = next((by_key[k] for k in keys if k in by_key), None)
            if match is None:
                match = _Candidate(entry=entry, scrape=scrape, sources=[entry])
                candidates.append(match)
            else:
                merged.append(f"{entry.location} is the same paper as {match.sources[0].location}")
                match.entry = _combine(match.entry, entry)
                match.scrape = scrape
                match.sources.append(entry)
            for key in _identity_keys(match.entry.title, match.entry.arxiv):
                by_key.setdefault(key, match)
    return candidates, merged


def _combine(earlier: ScrapedEntry, later: ScrapedEntry) -> ScrapedEntry:
    """Prefer the later scrape's values, filling what it lacks from the earlier one."""
    values = {}
    for name in ("authors", "organization", "comments", "upvotes", "arxiv"):
        values[name] = (
            getattr(later, name) if getattr(later, name) is not None else getattr(earlier, name)
        )
    if later.authors and earlier.authors and not later.authors.names and earlier.authors.names:
        values["authors"] = earlier.authors
    links = list(later.links) + [
        link for link in earlier.links if link.url not in {x.url for x in later.links}
    ]
    return replace(later, links=tuple(links), **values)


@dataclass
class _Plan:
    outcomes: list[PaperOutcome] = field(default_factory=list)
    # Each file to write, with its paper (dumped when written) and its bytes when read.
    writes: list[tuple[Path, Paper, bytes | None]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


# Below this many entries per process, classifying them in forked processes costs more.
MIN_ENTRIES_PER_PROCESS = 300


def _all_scraped_values(
    candidates: Sequence[_Candidate], taxonomy: Taxonomy
) -> list[tuple[dict[str, Any], Classification]]:
    """Return `_scraped_values` of every candidate, classified on every core."""
    count = min(cpu_count(), len(candidates) // MIN_ENTRIES_PER_PROCESS)
    if count < 2:
        return [_scraped_values(candidate.entry, taxonomy) for candidate in candidates]
    shards = [list(range(start, len(candidates), count)) for start in range(count)]
    found: dict[int, tuple[dict[str, Any], Classification]] = {}
    for done in map_shards(
        shards,
        lambda shard: [(i, _scraped_values(candidates[i].entry, taxonomy)) for i in shard],
    ):
        found.update(done)
    return [found[index] for index in range(len(candidates))]


def _plan(
    candidates: Sequence[_Candidate],
    existing: Sequence[Paper],
    taxonomy: Taxonomy,
    content_dir: Path,
    on_entry: Callable[[], None] = lambda: None,
    scraped_values: Sequence[tuple[dict[str, Any], Classification]] | None = None,
) -> _Plan:
    plan = _Plan()
    by_key: dict[str, Paper] = {}
    for paper in existing:
        for key in _paper_keys(paper):
            by_key.setdefault(key, paper)
    taken = {paper.slug for paper in existing}
    claimed: dict[str, _Candidate] = {}
    papers_dir = content_dir / PAPERS_DIR
    for number, candidate in enumerate(candidates):
        on_entry()
        entry = candidate.entry
        current = next((by_key[k] for k in _entry_keys(entry) if k in by_key), None)
        if current is not None and current.slug in claimed:
            first = claimed[current.slug]
            plan.merged.append(
                f"{entry.location} and {first.entry.location} both match {current.path}"
            )
            continue
        scraped, classification = (
            scraped_values[number] if scraped_values else _scraped_values(entry, taxonomy)
        )
        source = _source_name(Path(candidate.scrape.path), content_dir)
        if current is None:
            slug = _unique_slug(entry, taken)
            taken.add(slug)
            path = papers_dir / f"{slug}.yaml"
            paper, problems = _new_paper(
                slug, display_path(path), scraped, candidate.scrape, source
            )
            action, refreshed, kept, old_bytes = "added", [], [], None
        else:
            claimed[current.slug] = candidate
            path = Path(current.path)
            paper, problems, refreshed, kept = _refresh(current, scraped, candidate.scrape, source)
            action = "unchanged" if paper == current else "updated"
            old_bytes = path.read_bytes()
        if paper is None:
            plan.errors.extend(
                replace(
                    p,
                    location=entry.location,
                    message=f"{p.message} (in the paper for {display_path(path)})",
                )
                for p in problems
            )
            continue
        if action != "unchanged":
            plan.writes.append((path, paper, old_bytes))
        if paper.theme is None:
            plan.warnings.append(
                Problem(
                    Location(display_path(path), paper.line_of("title")),
                    f"imported without a theme ({classification.verdict})",
                    hint="set 'theme:' by hand (see `papershelf classify` for the evidence)",
                    severity=Severity.WARNING,
                )
            )
        plan.outcomes.append(
            PaperOutcome(
                slug=paper.slug,
                path=display_path(path),
                action=action,
                theme=paper.theme,
                classification=classification,
                refreshed=tuple(refreshed),
                kept=tuple(kept),
            )
        )
    return plan


def _paper_keys(paper: Paper) -> Iterable[str]:
    yield from _identity_keys(paper.title, paper.arxiv)
    if paper.provenance and paper.provenance.fingerprint("title"):
        # A curator may fix a title; the fingerprint of the title as scraped still finds it.
        yield f"imported-title:{paper.provenance.fingerprint('title')}"


def _entry_keys(entry: ScrapedEntry) -> list[str]:
    return [*_identity_keys(entry.title, entry.arxiv), f"imported-title:{fingerprint(entry.title)}"]


def _scraped_values(
    entry: ScrapedEntry, taxonomy: Taxonomy
) -> tuple[dict[str, Any], Classification]:
    """Return the values import would write for an entry, and how its theme was chosen."""
    classification = classify(
        taxonomy, title=entry.title, abstract=entry.abstract, links=entry.links
    )
    draft = Paper(
        slug="draft",
        title=entry.title,
        abstract=entry.abstract,
        published=entry.published,
        arxiv=entry.arxiv,
        theme=classification.theme,
        tags=classification.tags,
        authors=entry.authors,
        organization=entry.organization,
        upvotes=entry.upvotes,
        comments=entry.comments,
        links=entry.links,
    )
    values = paper_values(draft)
    return {name: values.get(name) for name in IMPORTED_FIELDS}, classification


def _new_paper(
    slug: str, path: str, scraped: dict[str, Any], scrape: Scrape, source: str
) -> tuple[Paper | None, list[Problem]]:
    fingerprints = tuple(sorted((name, fingerprint(scraped[name])) for name in IMPORTED_FIELDS))
    provenance = Provenance(source=source, scraped_on=scrape.scraped_on, imported=fingerprints)
    return _paper_from_values(
        slug, path, scraped, added=scrape.scraped_on, provenance=provenance, notes=None
    )


def _refresh(
    current: Paper, scraped: dict[str, Any], scrape: Scrape, source: str
) -> tuple[Paper | None, list[Problem], list[str], list[str]]:
    """Return the paper with import-owned fields refreshed and curated ones kept."""
    values = paper_values(current)
    old = current.provenance
    merged: dict[str, Any] = {}
    fingerprints: dict[str, str] = {}
    refreshed: list[str] = []
    kept: list[str] = []
    for name in IMPORTED_FIELDS:
        mine = values.get(name)
        recorded = old.fingerprint(name) if old else None
        owned_by_import = recorded == fingerprint(mine) if recorded else mine is None
        if owned_by_import or mine == scraped[name]:
            merged[name] = scraped[name]
            fingerprints[name] = fingerprint(scraped[name])
            if mine != scraped[name]:
                refreshed.append(name)
        else:
            merged[name] = mine
            # Keep the old fingerprint: the value stays the curator's until it matches again.
            fingerprints[name] = recorded or fingerprint(None)
            kept.append(name)
    if not refreshed:
        return current, [], refreshed, kept
    provenance = Provenance(
        source=source,
        scraped_on=scrape.scraped_on or (old.scraped_on if old else None),
        imported=tuple(sorted(fingerprints.items())),
    )
    paper, problems = _paper_from_values(
        current.slug,
        current.path,
        merged,
        added=current.added or scrape.scraped_on,
        notes=current.notes,
        provenance=provenance,
    )
    return paper, problems, refreshed, kept


def _paper_from_values(
    slug: str,
    path: str,
    values: dict[str, Any],
    *,
    added: dt.date | None,
    provenance: Provenance | None,
    notes: str | None,
) -> tuple[Paper | None, list[Problem]]:
    """Build a Paper from document values through the same validator a later load uses, so a
    paper import writes is exactly the paper the build reads back."""
    document = {k: v for k, v in values.items() if v not in (None, [], "", {})}
    if added:
        document["added"] = added
    if notes:
        document["notes"] = notes
    if provenance is not None:
        document["provenance"] = {
            "source": provenance.source,
            "scraped_on": provenance.scraped_on,
            "imported": dict(provenance.imported),
        }
    paper, problems = paper_from_document(YamlDocument(path, document))
    return paper, [p for p in problems if p.is_error]


def _unique_slug(entry: ScrapedEntry, taken: set[str]) -> str:
    base = make_slug(entry.title)
    options = [base]
    if entry.arxiv:
        options.append(f"{base}-{entry.arxiv.replace('.', '-').replace('/', '-')}")
    options.append(f"{base}-{entry.published.year}")
    # Numbered ones only when needed: making a thousand per paper cost more than the import.
    numbered = (f"{base}-{n}" for n in range(2, 1000))
    return next(slug for slug in itertools.chain(options, numbered) if slug not in taken)


def _source_name(source: Path, content_dir: Path) -> str:
    try:
        return source.resolve().relative_to(content_dir.resolve()).as_posix()
    except ValueError:
        return source.name


def _write_all(
    writes: Sequence[tuple[Path, Paper, bytes | None]], on_write: Callable[[], None] = lambda: None
) -> None:
    """Write each paper's file atomically, in canonical form (made and written on every core),
    refusing to replace a file that changed since it was read."""
    conflicts = [
        Problem(
            Location(display_path(path)),
            "file changed on disk during the import; nothing was written",
            hint="run the import again",
        )
        for path, _, old in writes
        if (path.exists() and (old is None or path.read_bytes() != old))
    ]
    if conflicts:
        raise ProblemsError(conflicts)
    count = max(1, min(cpu_count(), len(writes) // MIN_ENTRIES_PER_PROCESS))
    shards = [list(writes[start::count]) for start in range(count)]

    def write(shard: Sequence[tuple[Path, Paper, bytes | None]]) -> int:
        for path, paper, _ in shard:
            write_text_atomic(path, dump_paper(paper))
            if shard is shards[0]:
                on_write()  # progress is shown by this process only
        return len(shard)

    for number, done in enumerate(map_shards(shards, write)):
        for _ in range(done if number else 0):
            on_write()


def explain_papers(content_dir: Path, paths: Sequence[Path]) -> list[str]:
    """Return, for each paper, the theme and tags the rules suggest and the evidence."""
    taxonomy, problems = load_taxonomy(content_dir / THEMES_FILE)
    if paths:
        papers: list[Paper] = []
        for path in paths:
            paper, found = load_paper(path)
            problems.extend(found)
            if paper is not None:
                papers.append(paper)
    else:
        loaded, found = load_papers(content_dir)
        papers = list(loaded)
        problems.extend(found)
    if has_errors(problems) or taxonomy is None:
        raise ProblemsError(p for p in problems if p.is_error)
    lines: list[str] = []
    for paper in papers:
        result = classify(taxonomy, title=paper.title, abstract=paper.abstract, links=paper.links)
        lines.extend(explain(result, label=paper.path))
        if paper.theme != result.theme:
            lines.append(
                f"  note: the file says theme {paper.theme or 'none'}; the rules "
                f"suggest {result.theme or 'none'}"
            )
        lines.append("")
    return lines
