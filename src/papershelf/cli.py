"""The `papershelf` command line: parse arguments, call one function, map problems to exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from papershelf import __version__
from papershelf.errors import Problem, ProblemsError

if TYPE_CHECKING:
    from papershelf.progress import Progress

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _date(value: str) -> dt.date:
    """A day that has come (the day a page was saved, a paper's publication): a later one is a
    typo, which `check` would flag in every paper it reached."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None
    # The later of the local and the UTC day: east of UTC, today's page is saved before UTC's
    # day turns.
    today = max(dt.datetime.now(dt.UTC).astimezone().date(), dt.datetime.now(dt.UTC).date())
    if day > today:
        raise argparse.ArgumentTypeError(f"{value} is after today ({today.isoformat()})")
    return day


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="papershelf",
        description="Import scraped paper listings and build a static reading-list site.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"papershelf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser(
        "import",
        help="import scraped listings into content/papers/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  papershelf import content/sources/hf-daily-papers-multilingual.txt\n"
        "  papershelf import page.html --scraped-on 2026-05-30 --dry-run --explain\n"
        "\n"
        "Papers listed in content/excluded.yaml (by title, and optionally arXiv id) are\n"
        "skipped: list a paper there when you delete its file, or the next import adds it\n"
        "again. Comments in paper files are kept by their keys.",
    )
    imp.add_argument("sources", nargs="+", type=Path, metavar="SOURCE", help="scraped listing")
    imp.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")
    imp.add_argument(
        "--scraped-on",
        type=_date,
        metavar="YYYY-MM-DD",
        help="the day the listing was scraped (gives year-less dates their year)",
    )
    imp.add_argument(
        "--format",
        choices=("hf-text", "hf-html", "hf-json"),
        help="the listing's format (default: detected from the file)",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    imp.add_argument("--explain", action="store_true", help="show why each paper got its theme")
    _quiet_argument(imp)

    cls = commands.add_parser(
        "classify",
        help="show which theme and tags the rules give papers, and why",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  papershelf classify                       # every paper in content/papers\n"
        "  papershelf classify content/papers/omnilingual-asr-open-source-multilingual.yaml",
    )
    cls.add_argument("papers", nargs="*", type=Path, metavar="PAPER", help="paper files")
    cls.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")

    build = commands.add_parser(
        "build",
        help="build the static site into site/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  papershelf build\n"
        "  papershelf build --base-url https://owner.github.io/reading-list/\n"
        "  papershelf build --check      # fail when site/ is not what a fresh build gives\n"
        "  papershelf build --quiet      # print only problems",
    )
    _site_arguments(build)
    build.add_argument(
        "--check",
        action="store_true",
        help="build in memory and fail if the output directory differs",
    )
    _quiet_argument(build)

    serve = commands.add_parser(
        "serve",
        help="serve the site on 127.0.0.1 and rebuild on changes",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  papershelf serve\n  papershelf serve --port 8001",
    )
    _site_arguments(serve)
    serve.add_argument("--port", type=int, default=8000, help="default: 8000 (0 picks a free one)")

    fmt = commands.add_parser(
        "fmt",
        help="rewrite paper files in canonical form",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  papershelf fmt                 # every file in content/papers\n"
        "  papershelf fmt --check content/papers/glot500-scaling-multilingual-corpora.yaml",
    )
    fmt.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories")
    fmt.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")
    fmt.add_argument(
        "--check",
        action="store_true",
        help="list files that would change and exit 1; write nothing",
    )

    new = commands.add_parser(
        "new",
        help="start a new paper file with a suggested theme",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        '  papershelf new --title "Glot500: Scaling Multilingual Corpora" --arxiv 2305.12182\n'
        '  papershelf new --title "..." --theme adaptation --tags low-resource,tokenizer',
    )
    new.add_argument("--title", required=True, help="the paper's title")
    new.add_argument("--arxiv", metavar="ID", help="arXiv id such as 2305.12182")
    new.add_argument("--theme", help="theme id (default: the classifier's suggestion)")
    new.add_argument(
        "--tags",
        type=_tag_list,
        default=(),
        metavar="A,B",
        help="comma-separated tag ids (default: the classifier's suggestion)",
    )
    new.add_argument("--abstract", help="the abstract (default: a placeholder to replace)")
    new.add_argument(
        "--published", type=_date, metavar="YYYY-MM-DD", help="publication date (default: today)"
    )
    new.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")

    check = commands.add_parser(
        "check",
        help="check the content as a reviewer would, writing nothing",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  papershelf check\n"
        "  papershelf check --format github --strict   # in a pull-request workflow\n"
        "  papershelf check --out site-preview --base-url http://localhost:8000/\n"
        "\n"
        "After a build, only the pages that changed since are rendered again: give the --out\n"
        "and --base-url that build was given. The build cache is read, never written.",
    )
    check.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")
    check.add_argument(
        "--templates", type=Path, default=Path("templates"), help="default: ./templates"
    )
    check.add_argument(
        "--out",
        type=Path,
        default=Path("site"),
        help="the output directory of the build whose pages need not be rendered again "
        "(default: ./site); nothing is written to it",
    )
    check.add_argument(
        "--base-url",
        metavar="URL",
        help="as given to that build (default: site.yaml base_url)",
    )
    check.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="do not read the build cache: parse and render everything",
    )
    check.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text (default) or GitHub Actions annotations",
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")

    diff = commands.add_parser(
        "diff",
        help="describe what a change does to the list, as Markdown",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  papershelf diff                       # against the merge base with main\n"
        '  papershelf diff --base origin/main >> "$GITHUB_STEP_SUMMARY"',
    )
    diff.add_argument(
        "--base", metavar="REF", help="git revision to compare with (default: merge base with main)"
    )
    diff.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")
    return parser


def _quiet_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only problems: no progress bar (shown on a terminal for large runs, "
        "never when CI is set) and no summary",
    )


def _progress(args: argparse.Namespace) -> Progress:
    from papershelf.progress import progress_for

    return progress_for(sys.stderr, quiet=args.quiet)


def _tag_list(value: str) -> tuple[str, ...]:
    return tuple(tag.strip() for tag in value.split(",") if tag.strip())


def _site_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")
    parser.add_argument(
        "--templates", type=Path, default=Path("templates"), help="default: ./templates"
    )
    parser.add_argument("--out", type=Path, default=Path("site"), help="default: ./site")
    parser.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="do not read or update the build cache (.papershelf-cache/ beside the output "
        "directory): render and write everything",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="render with N processes (default: one per core)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="absolute URL the site is published at (default: site.yaml base_url)",
    )


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in sorted(problems, key=Problem.sort_key):
        print(problem.format_text(), file=sys.stderr)


def _cmd_import(args: argparse.Namespace) -> int:
    from papershelf.ingest import ImportOptions, run_import
    from papershelf.workers import collector_paused

    # Paused until the process ends with the import (see _cmd_build): once run_import returned,
    # the collector ran again over every object it made, twice (0.3 s of a 10,000-paper import).
    with collector_paused():
        report = run_import(
            ImportOptions(
                sources=tuple(args.sources),
                content_dir=args.content,
                scraped_on=args.scraped_on,
                format=args.format,
                dry_run=args.dry_run,
                explain=args.explain,
            ),
            _progress(args),
        )
        _print_problems(report.warnings)
        if not args.quiet:
            for line in report.summary_lines(explain=args.explain):
                print(line)
        if args.exit_at_once:
            exit_now(EXIT_OK)
    return EXIT_OK


def _cmd_classify(args: argparse.Namespace) -> int:
    from papershelf.ingest import explain_papers

    for line in explain_papers(args.content, tuple(args.papers)):
        print(line)
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from papershelf.build import BuildOptions, build_site
    from papershelf.cache import BuildCache, cache_dir_for
    from papershelf.workers import collector_paused

    options = BuildOptions(
        content_dir=args.content,
        templates_dir=args.templates,
        out_dir=args.out,
        base_url=args.base_url,
        check=args.check,
        cache=args.cache,
        jobs=args.jobs,
    )
    # When the process ends with this build, its cache is made here rather than by the build:
    # what the cache holds (every paper, the manifest of every file) is then still alive at the
    # exit, which hands the memory back at once instead of freeing a million objects one by
    # one; and the collector stays paused, which would otherwise scan them all first. Together
    # a twentieth of an edit build at 10,000 papers.
    with collector_paused():
        cache = None
        if args.exit_at_once and options.cache and not options.check:
            cache = BuildCache(cache_dir_for(options.out_dir))
        kept: list[object] | None = [] if args.exit_at_once else None
        result = build_site(options, _progress(args), cache, keep=kept)
        _print_problems(result.warnings)
        # A failed --check lists the files that differ even when quiet: that is the problem.
        if not args.quiet or not result.ok:
            print(result.summary())
        code = EXIT_OK if result.ok else EXIT_PROBLEMS
        if args.exit_at_once:
            exit_now(code)
    return code


def _cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from papershelf.build import BuildOptions
    from papershelf.serve import serve

    # serve reports rebuilds and their problems through logging while it runs.
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    serve(
        BuildOptions(
            content_dir=args.content,
            templates_dir=args.templates,
            out_dir=args.out,
            base_url=args.base_url,
            check=False,
            cache=args.cache,
            jobs=args.jobs,
        ),
        port=args.port,
    )
    return EXIT_OK


def _cmd_fmt(args: argparse.Namespace) -> int:
    from papershelf.cache import CanonicalFiles, cache_dir_for
    from papershelf.fmt import expand_paths, format_files

    # Which files the last runs found in canonical form, kept with the build cache.
    record = CanonicalFiles(cache_dir_for(args.content))
    paths = expand_paths(args.paths, args.content)
    result = format_files(paths, check=args.check, record=record)
    _print_problems(result.problems)
    for path in result.changed:
        print(f"would reformat {path}" if args.check else f"reformatted {path}")
    verb = "would be reformatted" if args.check else "reformatted"
    print(
        f"{len(result.changed)} file{'s' if len(result.changed) != 1 else ''} {verb}, "
        f"{result.unchanged} unchanged",
        file=sys.stderr,
    )
    if result.problems or (args.check and result.changed):
        return EXIT_PROBLEMS
    return EXIT_OK


def _cmd_new(args: argparse.Namespace) -> int:
    from papershelf.scaffold import NewPaper, create_paper

    path, _ = create_paper(
        NewPaper(
            title=args.title,
            content_dir=args.content,
            # A new entry is dated today by default.
            today=dt.datetime.now(dt.UTC).date(),
            arxiv=args.arxiv,
            theme=args.theme,
            tags=args.tags,
            abstract=args.abstract,
            published=args.published,
        )
    )
    print(path)
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from papershelf.cache import cache_beside
    from papershelf.config import load_config
    from papershelf.content import SITE_FILE, THEMES_FILE, load_papers
    from papershelf.listdiff import compare, default_base, format_markdown, git, papers_at
    from papershelf.taxonomy import load_taxonomy

    content = args.content
    repo = Path(git(content, "rev-parse", "--show-toplevel").strip())
    base = args.base or default_base(repo)
    # The papers a build parsed are read from its cache, as `import` reads them.
    new, problems = load_papers(content, cache_beside(content))
    config, more = load_config(content / SITE_FILE)
    taxonomy, _ = load_taxonomy(content / THEMES_FILE)
    problems = [p for p in problems + more if p.is_error]
    if problems:
        raise ProblemsError(problems)
    current = {paper.slug: paper for paper in new}
    old = papers_at(repo, base, content, current)
    print(format_markdown(compare(old, current), taxonomy, config.base_url, base), end="")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from papershelf.check import check_content
    from papershelf.workers import collector_paused

    # As for a build (see _cmd_build): the collector took 0.23 s of a 1.5 s check at 10,000
    # papers, in 750 collections.
    with collector_paused():
        result = check_content(
            args.content,
            args.templates,
            today=dt.datetime.now(dt.UTC).date(),
            strict=args.strict,
            out_dir=args.out,
            base_url=args.base_url,
            cache=args.cache,
        )
        for problem in result.problems:
            print(problem.format_github() if args.format == "github" else problem.format_text())
        print(result.summary(), file=sys.stderr if args.format == "github" else sys.stdout)
        code = EXIT_PROBLEMS if result.errors else EXIT_OK
        if args.exit_at_once:
            exit_now(code)
    return code


_COMMANDS = {
    "check": _cmd_check,
    "fmt": _cmd_fmt,
    "new": _cmd_new,
    "diff": _cmd_diff,
    "import": _cmd_import,
    "classify": _cmd_classify,
    "build": _cmd_build,
    "serve": _cmd_serve,
}


def main(argv: Sequence[str] | None = None, *, exit_at_once: bool = False) -> int:
    """Run one command; return its exit code. `exit_at_once`: the process ends with the
    command, which may then end it itself (see `run`)."""
    args = _parser().parse_args(argv)
    args.exit_at_once = exit_at_once
    try:
        return _COMMANDS[args.command](args)
    except ProblemsError as exc:
        _print_problems(exc.problems)
        errors = sum(p.is_error for p in exc.problems)
        print(
            f"papershelf {args.command}: {errors} error{'s' if errors != 1 else ''}; "
            "nothing was written",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130


def run() -> NoReturn:
    """The `papershelf` program: run the command, then end the process at once.

    Without freeing each object or running the interpreter's shutdown, as mypy does: the
    objects a command made are many, and the operating system takes the memory back whole.
    Every file a command writes is closed before it returns (nothing registers an exit
    handler); what it printed is flushed here."""
    exit_now(main(exit_at_once=True))


def exit_now(code: int) -> NoReturn:
    """End the process with `code`, once what it printed is flushed."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started without it (`>&-`): nothing was printed there
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, or a closed stream
            # What Python's own exit does when it cannot flush what was printed.
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    run()
