"""Merge scraped listings into `content/papers/` without ever losing what a curator edited.

Each paper file records, under `provenance.imported`, a fingerprint of every value import
wrote. On re-import a field whose value still matches its fingerprint is import's to refresh;
any other value was set by a curator and is kept. Files whose values do not change are not
touched, papers missing from a newer scrape are never deleted, and nothing is written unless
the whole import is valid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from papershelf.atomic import discard_staged, put_in_place, stage_text
from papershelf.cache import cache_beside
from papershelf.canonical import IMPORTED_FIELDS, dump_paper, fingerprint, paper_values
from papershelf.classify import Classification, classify, compile_rules, explain
from papershelf.comments import comment_not_kept, keep_comments
from papershelf.content import PAPERS_DIR, THEMES_FILE, display_path, load_paper, load_papers
from papershelf.errors import Location, Problem, ProblemsError, Severity, has_errors
from papershelf.exclusions import Excluded, Exclusion, identity_keys, load_exclusions
from papershelf.load import YamlDocument
from papershelf.model import Paper, Provenance, Scrape, ScrapedEntry, Taxonomy
from papershelf.progress import Progress, SilentProgress
from papershelf.sources import read_scrape
from papershelf.sources.common import dedupe_links
from papershelf.taxonomy import load_taxonomy
from papershelf.text import identifies_paper, make_slug
from papershelf.validate import paper_from_document
from papershelf.workers import collector_paused, cpu_count, map_claimed

# Fields import suggests from its rules rather than copies from the scrape: a curator's value
# there is a decision, never handed back to import (see `_refresh`).
CURATOR_DECISIONS = frozenset({"theme", "tags"})
_NO_VALUE = fingerprint(None)


@dataclass(frozen=True)
class ImportOptions:
    sources: tuple[Path, ...]
    content_dir: Path = Path("content")
    scraped_on: dt.date | None = None
    format: str | None = None
    dry_run: bool = False
    # Keep the evidence of each paper's classification in the report, for `--explain` to
    # print; without it the report has each verdict and score, made a fifth faster.
    explain: bool = False


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
    excluded: tuple[str, ...] = ()  # one line per entry excluded.yaml left out

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
        lines.extend(f" excluded  {line}" for line in self.excluded)
        entries = sum(len(scrape.entries) for scrape in self.scrapes)
        verb = "would import" if self.dry_run else "imported"
        lines.append(
            f"{verb} {entries} entries from {len(self.scrapes)} "
            f"source{'s' if len(self.scrapes) != 1 else ''}: {self.count('added')} added, "
            f"{self.count('updated')} updated, {self.count('unchanged')} unchanged, "
            f"{len(self.merged)} duplicate{'s' if len(self.merged) != 1 else ''} merged, "
            f"{sum(o.theme is None for o in self.outcomes)} without a theme"
            + (f", {len(self.excluded)} excluded" if self.excluded else "")
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
    keys: list[str] = field(default_factory=list)  # `identity_keys` of `entry`


def run_import(options: ImportOptions, progress: Progress | None = None) -> ImportReport:
    """Read every source, merge into the content directory, and write changed files."""
    progress = progress or SilentProgress()
    # An import makes millions of objects and leaves few cycles: the cyclic collector, run every
    # 700 allocations, scanned the growing heap again and again (a tenth of the import's time).
    # Reference counting still frees everything that is not in a cycle.
    try:
        with collector_paused():
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
    existing, found = load_papers(options.content_dir, cache_beside(options.content_dir))
    problems.extend(found)
    exclusions, found = load_exclusions(options.content_dir)
    problems.extend(found)
    if has_errors(problems) or taxonomy is None:
        raise ProblemsError(p for p in problems if p.is_error)

    candidates, merged = _merge_duplicates(scrapes)
    candidates, excluded = _leave_out(candidates, exclusions)
    progress.stage("importing papers", len(candidates))
    # Each file to write is written beside its paper's file as it is made, under a name of
    # this import's own, and renamed over it once the whole import is known to be valid:
    # held in memory until then, 10,000 papers' files were 25 MB of the import's peak, and
    # writing them took another pass on every core.
    tag = None if options.dry_run else f"import-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        planning = _Planning(taxonomy, tag, evidence=options.explain)
        plan = _plan(candidates, existing, planning, options.content_dir, progress.advance)
        if plan.errors:
            raise ProblemsError(plan.errors)
        if tag is not None:
            progress.stage("writing files", len(plan.writes))
            _write_all(plan.writes, progress.advance)
    except BaseException:
        if tag is not None:  # nothing of this import stays, from any of its processes
            discard_staged(options.content_dir / PAPERS_DIR, tag)
        raise
    warnings = [p for p in problems if not p.is_error]
    warnings.extend(plan.warnings)
    return ImportReport(
        outcomes=tuple(plan.outcomes),
        merged=tuple(merged + plan.merged),
        warnings=tuple(warnings),
        scrapes=tuple(scrapes),
        dry_run=options.dry_run,
        excluded=tuple(excluded),
    )


def _leave_out(
    candidates: list[_Candidate], exclusions: Sequence[Exclusion]
) -> tuple[list[_Candidate], list[str]]:
    """Drop the candidates that excluded.yaml names; return the rest, and a line for each."""
    excluded_by = Excluded(exclusions)
    kept: list[_Candidate] = []
    excluded: list[str] = []
    for candidate in candidates:
        exclusion = excluded_by.of(candidate.keys)
        if exclusion is None:
            kept.append(candidate)
        else:
            excluded.append(f"{candidate.entry.location} (by {exclusion.location})")
    return kept, excluded


def _merge_duplicates(scrapes: Sequence[Scrape]) -> tuple[list[_Candidate], list[str]]:
    """Fold entries that name the same paper (same arXiv id, normalised title, or abstract of
    20 words or more) into one."""
    candidates: list[_Candidate] = []
    by_key: dict[str, _Candidate] = {}
    # By the abstract itself, last (a paper listed under two titles; see `_match`): a key made
    # of it would copy every abstract.
    by_abstract: dict[str, _Candidate] = {}
    merged: list[str] = []
    for scrape in scrapes:
        for entry in scrape.entries:
            keys = identity_keys(entry.title, entry.arxiv)
            match = next((by_key[k] for k in keys if k in by_key), None)
            identifying = identifies_paper(entry.abstract)
            if match is None and identifying:
                match = by_abstract.get(entry.abstract)
            if match is None:
                match = _Candidate(entry=entry, scrape=scrape, sources=[entry], keys=keys)
                candidates.append(match)
            else:
                merged.append(f"{entry.location} is the same paper as {match.sources[0].location}")
                match.entry = _combine(match.entry, entry)
                match.scrape = scrape
                match.sources.append(entry)
                match.keys = identity_keys(match.entry.title, match.entry.arxiv)
            for key in match.keys:
                by_key.setdefault(key, match)
            if identifying:
                by_abstract.setdefault(entry.abstract, match)
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
    # The same link written loosely twice (http://, a trailing slash) is one link.
    links = dedupe_links([*later.links, *earlier.links])
    return replace(later, links=links, **values)


def _fill_unshown(entry: ScrapedEntry, current: Paper) -> ScrapedEntry:
    """Fill what a scrape does not show from the values an earlier import wrote, as `_combine`
    does for one import: a text copy (no arXiv id, author names, upvotes or GitHub button)
    imported after the page's HTML must not erase what the HTML gave."""
    provenance = current.provenance
    if provenance is None:
        return entry
    lacking = [
        name
        for name, mine, theirs in (
            ("arxiv", current.arxiv, entry.arxiv),
            ("organization", current.organization, entry.organization),
            ("comments", current.comments, entry.comments),
            ("upvotes", current.upvotes, entry.upvotes),
        )
        if theirs is None and mine is not None
    ]
    if current.authors and current.authors.names and not (entry.authors and entry.authors.names):
        lacking.append("authors")
    if not set(current.links) <= set(entry.links):
        lacking.append("links")
    if not lacking:  # the usual case, and the paper's values are not worth computing for it
        return entry
    values = paper_values(current)
    # A value a curator changed is not filled in: `_refresh` keeps it as the curator's.
    filled = {
        name: getattr(current, name)
        for name in lacking
        if provenance.fingerprint(name) == fingerprint(values.get(name))
    }
    if not filled:
        return entry
    earlier = ScrapedEntry(
        title=entry.title,
        abstract=entry.abstract,
        published=entry.published,
        location=entry.location,
        **filled,
    )
    return _combine(earlier, entry)


@dataclass
class _Plan:
    outcomes: list[PaperOutcome] = field(default_factory=list)
    # Each file to write, with the temporary file its canonical text is staged in, and the
    # digest of its bytes when read (None: a new file).
    writes: list[tuple[Path, str, bytes | None]] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


# Below this many entries per process, classifying them in forked processes costs more.
MIN_ENTRIES_PER_PROCESS = 300
# A process planning papers sends its results this many at a time (see workers.Streamed).
SENT_EVERY = 500


@dataclass(frozen=True)
class _Task:
    """A candidate matched to its file: the existing paper, or the slug of a new one."""

    candidate: _Candidate
    current: Paper | None
    path: Path
    shown: str | None  # display_path(path), when already known
    source: str  # the provenance source name of the candidate's scrape


@dataclass(frozen=True)
class _Planning:
    """What planning each task takes besides the task itself."""

    taxonomy: Taxonomy
    tag: str | None  # what files to write are staged with (see `atomic.stage_text`); None: none
    evidence: bool  # keep the evidence of each classification (see `ImportOptions.explain`)


@dataclass(frozen=True)
class _Result:
    """What planning one task found: its outcome and file, or its errors."""

    outcome: PaperOutcome | None
    write: tuple[Path, str, bytes | None] | None  # as `_Plan.writes`; None: nothing to write
    warnings: list[Problem]
    errors: list[Problem]


def _plan(
    candidates: Sequence[_Candidate],
    existing: Sequence[Paper],
    planning: _Planning,
    content_dir: Path,
    on_entry: Callable[[], None] = lambda: None,
) -> _Plan:
    """Match candidates to files here, then classify, merge and dump them on every core, each
    file to write staged (unless a dry run)."""
    plan = _Plan()
    tasks = _match(candidates, existing, content_dir, plan.merged, on_entry)
    for result in _run_tasks(tasks, planning, on_entry):
        plan.errors.extend(result.errors)
        if result.outcome is None:
            continue
        if result.write is not None:
            plan.writes.append(result.write)
        plan.warnings += result.warnings
        plan.outcomes.append(result.outcome)
    return plan


def _match(
    candidates: Sequence[_Candidate],
    existing: Sequence[Paper],
    content_dir: Path,
    merged: list[str],
    on_entry: Callable[[], None],
) -> list[_Task]:
    """Find each candidate's paper file, or give it a new slug, in candidate order."""
    by_key: dict[str, Paper] = {}
    # By the fingerprint of the abstract import last wrote: asked last, and only of entries
    # no other key finds (fingerprinting every abstract of a first import cost 70 ms at 10k).
    by_abstract: dict[str, Paper] = {}
    for paper in existing:
        for key in _paper_keys(paper):
            by_key.setdefault(key, paper)
        imported_abstract = paper.provenance and paper.provenance.fingerprint("abstract")
        if imported_abstract and imported_abstract != _NO_VALUE:
            by_abstract.setdefault(imported_abstract, paper)
    taken = {paper.slug for paper in existing}
    claimed: dict[str, _Candidate] = {}
    papers_dir = content_dir / PAPERS_DIR
    shown_prefix = _shown_prefix(display_path(papers_dir))
    sources: dict[str, str] = {}
    tasks: list[_Task] = []
    for candidate in candidates:
        entry = candidate.entry
        keys = [*candidate.keys, f"imported-title:{fingerprint(entry.title)}"]
        current = next((by_key[k] for k in keys if k in by_key), None)
        if current is None and by_abstract and identifies_paper(entry.abstract):
            # A paper the source retitled (an arXiv revision) keeps its file and URL.
            current = by_abstract.get(fingerprint(entry.abstract))
        if current is not None and current.slug in claimed:
            first = claimed[current.slug]
            merged.append(f"{entry.location} and {first.entry.location} both match {current.path}")
            on_entry()
            continue
        scrape_path = candidate.scrape.path
        if scrape_path not in sources:
            sources[scrape_path] = _source_name(Path(scrape_path), content_dir)
        if current is None:
            slug = _unique_slug(entry, taken)
            taken.add(slug)
            path = papers_dir / f"{slug}.yaml"
            shown = None if shown_prefix is None else f"{shown_prefix}{slug}.yaml"
            tasks.append(_Task(candidate, None, path, shown, sources[scrape_path]))
        else:
            claimed[current.slug] = candidate
            tasks.append(_Task(candidate, current, Path(current.path), None, sources[scrape_path]))
    return tasks


def _shown_prefix(shown_dir: str) -> str | None:
    """Return what `display_path` puts before the name of a file in a directory shown as
    `shown_dir`, or None when it works each file's path out (shown resolved, which a link at
    the file's path would change)."""
    if Path(shown_dir).is_absolute():
        return None
    return "" if shown_dir == "." else shown_dir + os.sep


def _run_tasks(
    tasks: Sequence[_Task], planning: _Planning, on_task: Callable[[], None]
) -> list[_Result]:
    """Return `_run_task` of every task, in order, run on every core."""
    count = min(cpu_count(), len(tasks) // MIN_ENTRIES_PER_PROCESS)
    if count < 2:
        return [_run_one(task, planning, on_task) for task in tasks]
    compile_rules(planning.taxonomy)
    importing = os.getpid()

    def work(claimed: Iterator[int]) -> Iterator[list[tuple[int, _Result]]]:
        # Progress is shown by this process only; the others' is counted when they are done.
        report = on_task if os.getpid() == importing else lambda: None
        done: list[tuple[int, _Result]] = []
        for index in claimed:
            done.append((index, _run_one(tasks[index], planning, report)))
            # Sent a few hundred at a time: pickled all at once at the end, a process's results
            # took 19 MB more of its memory (the peak of a 10,000-paper import).
            if len(done) == SENT_EVERY:
                yield done
                done = []
        yield done

    # Claimed a few at a time, not dealt out in advance: a forked process plans more slowly
    # (it copies the pages it writes to, and pickles what it sends), and with equal shares this
    # one waited 0.65 s of a 10,000-paper import for it.
    results: list[_Result | None] = [None] * len(tasks)
    for number, done in enumerate(map_claimed(len(tasks), count, work)):
        for index, result in done:
            results[index] = result
            if number:
                on_task()
    return [result for result in results if result is not None]


def _run_one(task: _Task, planning: _Planning, on_task: Callable[[], None]) -> _Result:
    result = _run_task(task, planning)
    on_task()
    return result


def _run_task(task: _Task, planning: _Planning) -> _Result:
    """Classify a candidate, merge it into its paper, and stage the paper's file if it
    changed."""
    entry, scrape = task.candidate.entry, task.candidate.scrape
    if task.current is not None:
        entry = _fill_unshown(entry, task.current)
    scraped, classification = _scraped_values(entry, planning.taxonomy, planning.evidence)
    shown = task.shown or display_path(task.path)
    current = task.current
    if current is None:
        slug = task.path.name.removesuffix(".yaml")
        paper, problems = _new_paper(slug, shown, scraped, scrape, task.source)
        action, refreshed, kept = "added", [], []
    else:
        paper, problems, refreshed, kept = _refresh(current, scraped, scrape, task.source)
        action = "unchanged" if paper == current else "updated"
    if paper is None:
        errors = [
            replace(p, location=entry.location, message=f"{p.message} (in the paper for {shown})")
            for p in problems
        ]
        return _Result(None, None, [], errors)
    write = None
    warnings = []
    if action != "unchanged":
        # The bytes the paper was read from: a file changed since is not overwritten.
        old_bytes = task.path.read_bytes() if current is not None else None
        text: str | None = dump_paper(paper)
        line = 0
        if old_bytes is not None:  # a curator's comments stay, or the file does as it is
            text, line = keep_comments(old_bytes.decode("utf-8"), text)
        if text is None:
            warnings.append(comment_not_kept(shown, line, "not updated", Severity.WARNING))
            action = "unchanged"
        elif planning.tag is not None:
            old = None if old_bytes is None else hashlib.blake2b(old_bytes).digest()
            write = (task.path, stage_text(task.path, text, planning.tag), old)
    if paper.theme is None:
        warnings.append(
            Problem(
                Location(shown, paper.line_of("title")),
                f"imported without a theme ({classification.verdict})",
                hint="set 'theme:' by hand (see `papershelf classify` for the evidence)",
                severity=Severity.WARNING,
            )
        )
    outcome = PaperOutcome(
        slug=paper.slug,
        path=shown,
        action=action,
        theme=paper.theme,
        classification=classification,
        refreshed=tuple(refreshed),
        kept=tuple(kept),
    )
    return _Result(outcome, write, warnings, [])


def _paper_keys(paper: Paper) -> Iterable[str]:
    yield from identity_keys(paper.title, paper.arxiv)
    if paper.provenance and paper.provenance.fingerprint("title"):
        # A curator may fix a title; the fingerprint of the title as scraped still finds it.
        yield f"imported-title:{paper.provenance.fingerprint('title')}"


def _scraped_values(
    entry: ScrapedEntry, taxonomy: Taxonomy, evidence: bool
) -> tuple[dict[str, Any], Classification]:
    """Return the values import would write for an entry, and how its theme was chosen (with
    the evidence, if `evidence`)."""
    classification = classify(
        taxonomy, title=entry.title, abstract=entry.abstract, links=entry.links, evidence=evidence
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
    recorded_fingerprints = dict(old.imported) if old else {}
    merged: dict[str, Any] = {}
    refreshed: list[str] = []
    kept: list[str] = []
    for name in IMPORTED_FIELDS:
        mine, theirs = values.get(name), scraped[name]
        recorded = recorded_fingerprints.get(name)
        # Import owns a value that is still what it wrote, and takes back a fact a curator
        # corrected once the scrape says the same (so that later corrections reach the paper).
        # A theme or tags a curator chose stay theirs when the rules come to agree: else the
        # rules' next change of mind (a revised abstract) would undo the curator's choice.
        owned = recorded == fingerprint(mine) if recorded else mine is None
        if owned or (mine == theirs and name not in CURATOR_DECISIONS):
            merged[name] = theirs
            if mine != theirs:
                refreshed.append(name)
        else:
            merged[name] = mine
            kept.append(name)
    if not refreshed:
        return current, [], refreshed, kept
    # A kept value keeps its old fingerprint: it stays the curator's (a fact: until it matches).
    fingerprints = {
        name: (recorded_fingerprints.get(name) or _NO_VALUE)
        if name in kept
        else fingerprint(merged[name])
        for name in IMPORTED_FIELDS
    }
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
    writes: Sequence[tuple[Path, str, bytes | None]], on_write: Callable[[], None] = lambda: None
) -> None:
    """Put each staged file in place of its paper's file (see `_Plan.writes`), refusing to
    replace any file that changed since it was read, or appeared since."""
    conflicts = [
        Problem(
            Location(display_path(path)),
            "file changed on disk during the import; nothing was written",
            hint="run the import again",
        )
        for path, _, old in writes
        if (path.exists() and (old is None or hashlib.blake2b(path.read_bytes()).digest() != old))
    ]
    if conflicts:
        raise ProblemsError(conflicts)
    for path, staged, _ in writes:
        put_in_place(staged, path)
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
