"""`papershelf build`: the pipeline as a table of contents, one call per stage.

Everything is read, checked and rendered first; only a build without problems is published
(or, with `--check`, compared with the output directory). A build with its cache (see cache.py)
reads and renders again only what changed since the last one, on every core, and writes only
the files that changed; its output is byte for byte that of a build without it.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from papershelf import urls
from papershelf.cache import (
    BuildCache,
    SiteRecord,
    cache_dir_for,
    decode_problems,
    digest_text,
    encode_problems,
)
from papershelf.content import PAPERS_DIR, SITE_FILE, THEMES_FILE, display_path, load_papers
from papershelf.errors import Problem, ProblemsError, has_errors
from papershelf.incremental import paper_files_digest, site_inputs_digest
from papershelf.progress import Progress, SilentProgress
from papershelf.sitewriter import (
    Manifest,
    RecordedFiles,
    SiteWriter,
    StoredFile,
    matches_manifest,
)
from papershelf.workers import collector_paused, in_background
from papershelf.write import OutputFile, SiteDiff, compare_site, find_collisions

if TYPE_CHECKING:  # imported where used: a build that finds nothing changed needs none of it
    import jinja2

    from papershelf.catalog import Catalog
    from papershelf.model import Paper


@dataclass(frozen=True)
class BuildOptions:
    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    out_dir: Path = Path("site")
    # Replaces site.yaml's base_url (the Pages workflow passes the real one).
    base_url: str | None = None
    # Compare with out_dir instead of writing it.
    check: bool = False
    # Use and update the build cache beside out_dir (never with `check`).
    cache: bool = True
    # Processes to render with (None: one per core).
    jobs: int | None = None
    # Keep the search index the last build left, stale, when it has the same parts; a build
    # without this brings it up to date (serve: the pages first, the index right after).
    search_later: bool = False
    # Make the search index (Pagefind). `check`, which renders pages for their problems and
    # keeps none, does not: the index is made from the pages, and a build says what it finds.
    index_search: bool = True


@dataclass(frozen=True)
class RenderedSite:
    # With a SiteWriter, pages are already written (StoredFile); the other files are not yet.
    files: tuple[OutputFile | StoredFile, ...]
    paper_count: int
    warnings: tuple[Problem, ...] = ()
    # The search index is the last build's, kept as it was (`BuildOptions.search_later`).
    search_stale: bool = False

    # page_count and feed_count count in one string of every path, NUL-separated (no path can
    # hold a NUL): a Python step per file cost about 10 ms each at 10k, C-level calls per file
    # about 15 ms for the two.
    @functools.cached_property
    def _paths(self) -> str:
        return "\0" + "\0".join(map(attrgetter("path"), self.files)) + "\0"

    @property
    def page_count(self) -> int:
        return self._paths.count(".html\0")

    @property
    def feed_count(self) -> int:
        # A feed file in a directory (themes/x/feed.xml), or at the top (feed.xml).
        names = urls.FEED_FILES.values()
        return sum(
            self._paths.count(f"/{name}\0") + self._paths.count(f"\0{name}\0") for name in names
        )


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    file_count: int
    paper_count: int
    checked: bool
    diff: SiteDiff | None = None
    warnings: tuple[Problem, ...] = ()
    page_count: int = 0
    feed_count: int = 0
    seconds: float = 0.0
    search_stale: bool = False

    @property
    def ok(self) -> bool:
        return self.diff is None or self.diff.is_empty

    def summary(self) -> str:
        """Return what the build did, or with --check every file that differs, one per line."""
        out = display_path(self.out_dir)
        papers = f"{self.paper_count} paper{'s' if self.paper_count != 1 else ''}"
        if not self.checked:
            return (
                f"built {out}/: {self.page_count} pages, {self.feed_count} feeds, "
                f"{self.file_count} files ({papers}) in {self.seconds:.1f}s"
            )
        if self.ok:
            return f"{out}/ is up to date ({self.file_count} files, {papers})"
        assert self.diff is not None
        lines = [f"{out}/ is not what a fresh build gives:"]
        lines += [f"  changed: {out}/{path}" for path in self.diff.changed]
        lines += [f"  missing: {out}/{path}" for path in self.diff.missing]
        lines += [f"  extra:   {out}/{path}" for path in self.diff.extra]
        lines.append("run `papershelf build` and commit the result")
        return "\n".join(lines)


def render_site(
    options: BuildOptions,
    progress: Progress | None = None,
    cache: BuildCache | None = None,
    writer: SiteWriter | None = None,
    on_papers: Callable[[tuple[Paper, ...]], None] | None = None,
) -> RenderedSite:
    """Read, check and render the whole site; raise ProblemsError with every problem.

    Without a `writer` every file is kept in memory; with one, pages are written as they are
    rendered. A `cache` (started with `BuildCache.begin`) spares work earlier builds did.
    `on_papers` is given the valid papers as soon as they are read (`check` applies its own
    rules to them, whatever rendering finds).
    """
    # Imported here: a build that finds nothing changed needs none of them.
    from papershelf.config import load_config
    from papershelf.taxonomy import load_taxonomy

    progress = progress or SilentProgress()
    if cache is None:  # one for this build alone, in memory: it is how work is shared by cores
        cache = BuildCache.for_one_build()
    problems: list[Problem] = []
    config, found = load_config(options.content_dir / SITE_FILE, options.base_url)
    problems += found
    taxonomy, found = load_taxonomy(options.content_dir / THEMES_FILE, cache.remember)
    problems += found
    prepared: list[tuple[jinja2.Environment | None, list[Problem]]] = []
    papers, found = load_papers(
        options.content_dir,
        cache,
        options.jobs,
        meanwhile=lambda: prepared.append(
            _prepare_rendering(options.templates_dir, cache.compiled_dir(), cache.writable)
        ),
    )
    problems += found
    if on_papers is not None:
        on_papers(papers)
    env, found = prepared[0]
    problems += found

    # Loaded by _prepare_rendering already.
    from papershelf.catalog import build_catalog
    from papershelf.feeds import make_feeds, plan_feeds, robots, site_feeds, sitemaps
    from papershelf.pagequeue import PageQueue, QueuedFiles
    from papershelf.papertext import paper_texts
    from papershelf.render import finish_pages, render_pages
    from papershelf.search import index_parts, search_bundles
    from papershelf.sharing import web_manifest
    from papershelf.templates import static_files

    if taxonomy is not None:
        related_count = config.related_papers if config else 0
        catalog, found = build_catalog(papers, taxonomy, related_count, cache.remember)
        problems += found
    if has_errors(problems) or config is None or taxonomy is None or env is None:
        raise ProblemsError(problems)

    texts = paper_texts(catalog.papers, config.excerpt_length, cache)
    feeds = site_feeds(config, catalog)
    feed_files, feed_jobs = plan_feeds(config, catalog, feeds, cache, writer)
    # The feeds to write are made with the papers' pages, by the process that takes them first
    # (the others take more papers): they need papers and texts, not the cards listings wait for.
    feeds_made = functools.partial(make_feeds, config, catalog, texts)
    alongside = [QueuedFiles(feeds_made, feed_jobs)] if feed_jobs else []
    progress.stage("rendering papers", len(catalog.papers))
    # Without a bar to move (CI, --quiet, piped output), nothing needs telling page by page.
    on_page = None if isinstance(progress, SilentProgress) else progress.advance
    queue = PageQueue(writer, options.jobs, on_page=on_page)
    pages, found = render_pages(
        env,
        options.templates_dir,
        config,
        catalog,
        texts,
        on_paper=progress.advance,
        cache=cache,
        queue=queue,
        alongside=alongside,
    )
    problems += found
    pages, found = finish_pages(queue, env, options.templates_dir, pages)
    problems += found
    cache.release_derived()  # the listings are made: what remains wants few of them
    more_pages = [(urls.STATS, catalog.newest_date())]
    if config.search:
        more_pages.append((urls.SEARCH, None))
    listed = sitemaps(config, catalog, more_pages, remember=cache.remember)
    files = [
        *pages,
        *feed_files,
        *(OutputFile(path, xml, "sitemap") for path, xml in listed),
        OutputFile(urls.ROBOTS, robots(config), "robots"),
        OutputFile(urls.NOJEKYLL, b"", "GitHub Pages"),
        OutputFile(urls.MANIFEST, web_manifest(config), "web app manifest"),
        *static_files(options.templates_dir),
    ]
    # Pagefind indexes the pages as rendered; an empty list has nothing to index.
    search_stale = False
    if config.search and options.index_search and catalog.papers and not has_errors(problems):
        parts = index_parts(len(catalog.papers), config.search_part_papers)
        stale = _stale_index(writer, catalog, parts) if options.search_later else None
        if stale is not None:
            files += stale
            search_stale = True
        else:
            progress.stage("indexing search")
            kept = (
                None if writer is None else functools.partial(writer.kept_under, source="pagefind")
            )
            bundle, found = search_bundles(
                [page for page in pages if page.path.endswith(".html")], parts, kept
            )
            problems += found
            files += bundle
    problems += find_collisions(files)
    if has_errors(problems):
        raise ProblemsError(problems)
    files.sort(key=attrgetter("path"))
    return RenderedSite(
        tuple(files),
        len(catalog.papers),
        tuple(p for p in problems if not p.is_error),
        search_stale,
    )


def _prepare_rendering(
    templates_dir: Path, compiled_dir: Path | None, keep_compiled: bool
) -> tuple[jinja2.Environment | None, list[Problem]]:
    """Load what rendering needs and reading paper files does not: its modules and the
    templates. Done while other processes parse paper files: time the building process would
    otherwise spend alone once they are done.

    Not the Markdown parser, which the home page's intro may need: made before the processes
    that render papers fork, it added 2 MB to a 10,000-paper build's peak (their copies of it).
    """
    from papershelf import feeds, render, search  # noqa: F401 (loaded now, used once papers are read)
    from papershelf.templates import load_templates

    return load_templates(templates_dir, compiled_dir, keep_compiled=keep_compiled)


def _stale_index(
    writer: SiteWriter | None, catalog: Catalog, parts: int
) -> list[StoredFile] | None:
    """Return the search index the last build left, if it has the parts this build's search
    page names (else the index must be made now)."""
    from papershelf.search import part_directories

    if writer is None or writer.previous is None:
        return None
    directories = part_directories((paper.slug for paper in catalog.papers), parts)
    kept = writer.kept_under(urls.SEARCH_BUNDLE, None, "pagefind")
    # Each part there, and nothing else (no part of an index with another number of parts).
    found = {next((d for d in directories if f.path.startswith(d)), None) for f in kept or ()}
    return kept if found == set(directories) else None


def build_site(
    options: BuildOptions,
    progress: Progress | None = None,
    cache: BuildCache | None = None,
    changed: Collection[str] | None = None,
    keep: list[object] | None = None,
) -> BuildResult:
    """Build the site into `options.out_dir`, or with `check` compare it without writing.

    Builds use the cache beside the output directory unless `options.cache` is off; `serve`
    passes its own `cache`, kept in memory from one rebuild to the next, and the paths its
    watcher saw change since that cache's last build (`changed`: the other paper files are
    not stat'ed again; see `BuildCache.expect_changes`).

    `keep`: the caller ends the process once the build returns (see `cli.exit_now`), so what
    the build made goes there rather than being freed an object at a time (the records of
    every file written and of the last build's: 64 ms of a 10,000-paper edit build).
    """
    kept = keep if keep is not None else []
    with collector_paused():
        return _build_site(options, progress or SilentProgress(), cache, changed, kept)


def _build_site(
    options: BuildOptions,
    progress: Progress,
    cache: BuildCache | None,
    changed: Collection[str] | None,
    kept: list[object],
) -> BuildResult:
    started = time.perf_counter()
    if not options.check and (options.cache or cache is not None):
        try:
            return _cached_build(options, progress, cache, started, changed, kept)
        finally:
            progress.close()
    diff = None
    try:
        if options.check:
            # Kept in memory: written to a scratch directory instead, a check took three
            # times as long where creating files is slow (30,000 of them at 10k papers).
            rendered = render_site(options, progress)
            kept.append(rendered)
            progress.stage("comparing")
            diff = compare_site(options.out_dir, rendered.files)
        else:
            # Written as rendered, into a fresh directory swapped in at the end: a build that
            # held every page until then took twice the memory (450 MB against 270 at 10k).
            writer = SiteWriter(options.out_dir, None, verified=True)
            rendered, _ = _write_through(options, progress, None, writer)
            kept += (writer, rendered)
    finally:
        progress.close()
    return BuildResult(
        out_dir=options.out_dir,
        file_count=len(rendered.files),
        paper_count=rendered.paper_count,
        checked=options.check,
        diff=diff,
        warnings=rendered.warnings,
        page_count=rendered.page_count,
        feed_count=rendered.feed_count,
        seconds=time.perf_counter() - started,
    )


def _cached_build(
    options: BuildOptions,
    progress: Progress,
    cache: BuildCache | None,
    started: float,
    changed: Collection[str] | None,
    kept: list[object],
) -> BuildResult:
    """Build with a cache: nothing at all if no input changed and the output is as the last build
    left it; else render what changed and update the output in place."""
    if cache is None:
        cache = BuildCache(cache_dir_for(options.out_dir))
    cache.start_build()
    if changed is not None:
        cache.expect_changes(options.content_dir / PAPERS_DIR, changed)
    record = cache.site(options.out_dir)
    site_inputs = site_inputs_digest(
        options.content_dir, options.templates_dir, options.base_url, cache.code
    )
    verified: Callable[[], bool] | None = None
    inputs = ""
    if record is not None:
        # Tens of thousands of stat calls, made by another process while this one reads inputs.
        verified = in_background(
            lambda: matches_manifest(options.out_dir.resolve(), record.manifest)
        )
        try:
            inputs = digest_text(site_inputs, paper_files_digest(options.content_dir, cache))
        except BaseException:
            # Its process is reaped only once its answer is asked for: else a `serve` session
            # would keep one defunct process for each rebuild that failed here.
            with contextlib.suppress(Exception):
                verified()
            raise
        if record.inputs == inputs and verified():
            cache.save()
            return _result(options, record.summary, time.perf_counter() - started)
    # Without a last build to compare with, the paper files are digested as the build reads
    # them, on every core, rather than all here first.
    cache.begin(site_inputs)
    # Whether the output is as the last build left it is asked when the writer is first used,
    # after the papers are read: the check has had that long to finish.
    previous = previous_manifest(record, site_inputs, cache.files_changed() if inputs else None)
    writer = SiteWriter(options.out_dir, previous, verified=verified or True)
    kept.append(writer)
    try:
        rendered, manifest = _write_through(options, progress, cache, writer)
        kept.append(rendered)
    except ProblemsError:
        cache.save()  # what was parsed is still good
        raise
    # The last build's record goes before this build's is stored: the two side by side were
    # the peak of a 10,000-paper build after a daily import (17 MB the old one).
    record = previous = None
    writer.forget_previous()
    if not inputs:  # the files as the build read them: nothing is read again
        inputs = digest_text(site_inputs, paper_files_digest(options.content_dir, cache))
    if rendered.search_stale:  # not yet what these inputs give: the next build finishes it
        inputs = digest_text(inputs, "with the last build's search index")
    summary = {
        "file_count": len(rendered.files),
        "paper_count": rendered.paper_count,
        "page_count": rendered.page_count,
        "feed_count": rendered.feed_count,
        "warnings": encode_problems(rendered.warnings),
    }
    cache.remember_site(options.out_dir, SiteRecord(inputs, manifest, summary, site_inputs))
    cache.save()
    result = _result(options, summary, time.perf_counter() - started)
    return replace(result, search_stale=rendered.search_stale)


def previous_manifest(
    record: SiteRecord | None, site_inputs: str, papers_changed: int | None = None
) -> Manifest | None:
    """Return the manifest of the last build's record, for a build from `site_inputs` in which
    `papers_changed` paper files differ from what the last build read (None: not known yet).

    With the same templates and settings, and nine paper files in ten as they were, most files
    are kept as they are, each with its record: those are made at once (see RecordedFiles), in
    the record the cache holds too. Otherwise most files are made again, and records made at
    once would be touched, so copied, by every process that renders (after a `fmt` of all
    10,000 paper files, that build peaked 15 MB higher).
    """
    if record is None:
        return None
    files = record.manifest.files
    paper_count = record.summary.get("paper_count", 0)
    few_changed = papers_changed is None or papers_changed * 10 <= paper_count
    if record.site_inputs == site_inputs and few_changed and isinstance(files, RecordedFiles):
        record.manifest = replace(record.manifest, files=files.as_dict())
    return record.manifest


def _write_through(
    options: BuildOptions, progress: Progress, cache: BuildCache | None, writer: SiteWriter
) -> tuple[RenderedSite, Manifest]:
    """Render the site through `writer` and publish it; on any failure, leave the output
    directory as it was."""
    try:
        rendered = render_site(options, progress, cache, writer)
        progress.stage("writing")
        stored = [
            output if isinstance(output, StoredFile) else writer.store(output, output.inputs)
            for output in rendered.files
        ]
        return rendered, writer.commit(stored)
    except BaseException:
        writer.abort()
        raise


def _result(options: BuildOptions, summary: dict, seconds: float) -> BuildResult:
    return BuildResult(
        out_dir=options.out_dir,
        file_count=summary["file_count"],
        paper_count=summary["paper_count"],
        checked=False,
        warnings=tuple(decode_problems(summary["warnings"])),
        page_count=summary["page_count"],
        feed_count=summary["feed_count"],
        seconds=seconds,
    )
