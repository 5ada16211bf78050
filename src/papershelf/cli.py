"""The `papershelf` command line: parse arguments, call one function, map problems to exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from papershelf import __version__
from papershelf.errors import Problem, ProblemsError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


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
        "  papershelf import page.html --scraped-on 2026-05-30 --dry-run --explain",
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
        "  papershelf build --check      # fail when site/ is not what a fresh build gives",
    )
    _site_arguments(build)
    build.add_argument(
        "--check",
        action="store_true",
        help="build in memory and fail if the output directory differs",
    )

    serve = commands.add_parser(
        "serve",
        help="serve the site on 127.0.0.1 and rebuild on changes",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  papershelf serve\n  papershelf serve --port 8001",
    )
    _site_arguments(serve)
    serve.add_argument("--port", type=int, default=8000, help="default: 8000 (0 picks a free one)")
    return parser


def _site_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), help="default: ./content")
    parser.add_argument(
        "--templates", type=Path, default=Path("templates"), help="default: ./templates"
    )
    parser.add_argument("--out", type=Path, default=Path("site"), help="default: ./site")
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

    report = run_import(
        ImportOptions(
            sources=tuple(args.sources),
            content_dir=args.content,
            scraped_on=args.scraped_on,
            format=args.format,
            dry_run=args.dry_run,
        )
    )
    _print_problems(report.warnings)
    for line in report.summary_lines(explain=args.explain):
        print(line)
    return EXIT_OK


def _cmd_classify(args: argparse.Namespace) -> int:
    from papershelf.ingest import explain_papers

    for line in explain_papers(args.content, tuple(args.papers)):
        print(line)
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from papershelf.build import BuildOptions, build_site

    result = build_site(
        BuildOptions(
            content_dir=args.content,
            templates_dir=args.templates,
            out_dir=args.out,
            base_url=args.base_url,
            check=args.check,
        )
    )
    print(result.summary())
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _cmd_serve(args: argparse.Namespace) -> int:
    from papershelf.build import BuildOptions
    from papershelf.serve import serve

    serve(
        BuildOptions(
            content_dir=args.content,
            templates_dir=args.templates,
            out_dir=args.out,
            base_url=args.base_url,
            check=False,
        ),
        port=args.port,
    )
    return EXIT_OK


_COMMANDS = {
    "import": _cmd_import,
    "classify": _cmd_classify,
    "build": _cmd_build,
    "serve": _cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
