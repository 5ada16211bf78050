"""`papershelf build`: the pipeline as a table of contents, one call per stage.

Everything is read, checked and rendered in memory first; only a build without problems is
written (or, with `--check`, compared with the output directory).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from papershelf import urls
from papershelf.catalog import build_catalog
from papershelf.config import load_config
from papershelf.content import SITE_FILE, THEMES_FILE, display_path, load_papers
from papershelf.errors import Problem, ProblemsError, has_errors
from papershelf.feeds import render_feeds, robots, sitemap
from papershelf.render import load_templates, paper_texts, render_pages, static_files
from papershelf.taxonomy import load_taxonomy
from papershelf.write import OutputFile, SiteDiff, compare_site, find_collisions, write_site


@dataclass(frozen=True)
class BuildOptions:
    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    out_dir: Path = Path("site")
    # Replaces site.yaml's base_url (the Pages workflow passes the real one).
    base_url: str | None = None
    # Compare with out_dir instead of writing it.
    check: bool = False


@dataclass(frozen=True)
class RenderedSite:
    files: tuple[OutputFile, ...]
    paper_count: int
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    file_count: int
    paper_count: int
    checked: bool
    diff: SiteDiff | None = None
    warnings: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.diff is None or self.diff.is_empty

    def summary(self) -> str:
        """Return what the build did, or with --check every file that differs, one per line."""
        out = _shown(self.out_dir)
        papers = f"{self.paper_count} paper{'s' if self.paper_count != 1 else ''}"
        if not self.checked:
            return f"built {self.file_count} files ({papers}) into {out}/"
        if self.ok:
            return f"{out}/ is up to date ({self.file_count} files, {papers})"
        assert self.diff is not None
        lines = [f"{out}/ is not what a fresh build gives:"]
        lines += [f"  changed: {out}/{path}" for path in self.diff.changed]
        lines += [f"  missing: {out}/{path}" for path in self.diff.missing]
        lines += [f"  extra:   {out}/{path}" for path in self.diff.extra]
        lines.append("run `papershelf build` and commit the result")
        return "\n".join(lines)


def _shown(path: Path) -> str:
    # A path outside the working directory reads better absolute than as ../../tmp/site.
    shown = display_path(path)
    return str(path.resolve()) if shown.startswith("..") else shown


def render_site(options: BuildOptions) -> RenderedSite:
    """Read, check and render the whole site in memory; raise ProblemsError with every problem."""
    problems: list[Problem] = []
    config, found = load_config(options.content_dir / SITE_FILE, options.base_url)
    problems += found
    taxonomy, found = load_taxonomy(options.content_dir / THEMES_FILE)
    problems += found
    papers, found = load_papers(options.content_dir)
    problems += found
    env, found = load_templates(options.templates_dir)
    problems += found
    if taxonomy is not None:
        catalog, found = build_catalog(papers, taxonomy, config.related_papers if config else 0)
        problems += found
    if has_errors(problems) or config is None or taxonomy is None or env is None:
        raise ProblemsError(problems)

    texts = paper_texts(catalog.papers, config.excerpt_length)
    pages, found = render_pages(env, options.templates_dir, config, catalog, texts)
    problems += found
    files = [
        *pages,
        *render_feeds(config, catalog, texts),
        OutputFile(urls.SITEMAP, sitemap(config, catalog), "sitemap"),
        OutputFile(urls.ROBOTS, robots(config), "robots"),
        OutputFile(urls.NOJEKYLL, b"", "GitHub Pages"),
        *static_files(options.templates_dir),
    ]
    problems += find_collisions(files)
    if has_errors(problems):
        raise ProblemsError(problems)
    files.sort(key=lambda output: output.path)
    return RenderedSite(
        tuple(files), len(catalog.papers), tuple(p for p in problems if not p.is_error)
    )


def build_site(options: BuildOptions) -> BuildResult:
    """Build the site into `options.out_dir`, or with `check` compare it without writing."""
    rendered = render_site(options)
    diff = None
    if options.check:
        diff = compare_site(options.out_dir, rendered.files)
    else:
        write_site(options.out_dir, rendered.files)
    return BuildResult(
        out_dir=options.out_dir,
        file_count=len(rendered.files),
        paper_count=rendered.paper_count,
        checked=options.check,
        diff=diff,
        warnings=rendered.warnings,
    )
