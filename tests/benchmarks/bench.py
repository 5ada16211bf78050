"""Time papershelf on synthetic reading lists of N papers: import, cold, warm and edit builds.

    python tests/benchmarks/bench.py                      # N = 1,000, 10,000 and 50,000
    python tests/benchmarks/bench.py --papers 1000 --runs 5
    python tests/benchmarks/bench.py --papers 10000 --hugo   # and Hugo's cold build, for comparison
    python tests/benchmarks/bench.py --papers 10000 --naive  # and a naive Python renderer's

For each N, in a temporary directory: write a scraped listing of N papers (tests/benchmarks/
synthetic.py), then time, each in a fresh `python -m papershelf` process (so that interpreter
start-up counts, as it does in Hugo's wall time), `--runs` times:

- import: the listing into an empty content/papers/;
- cold build: no output directory and no build cache;
- warm build: again, with nothing changed;
- check: `papershelf check` after changing one paper's abstract, as a pull request's CI runs it
  (with the last build's cache, before building);
- edit build: the build after that edit;
- daily import: a listing of 30 new papers into the list, as a daily import adds them (the
  build cache the builds left is there to read);
- daily build: the build after it, which makes 30 paper pages and renders again the listing
  pages the new papers join or push cards onto; the papers are then removed and the site built
  again, untimed, for the next run;
- serve rebuild: the same edit, rebuilt by `serve` (its build cache kept in memory between
  rebuilds; tests/benchmarks/serve_edits.py), timed inside that process: `serve` until the
  edit's pages are live, `serve+index` until the search index is up to date as well (serve
  makes it right after the pages; the same time with `search: false`);
- template build: after a line added to base.html, which every page shows: every page is
  rendered again (and written), every paper read from the cache.

Each measurement records wall time and peak memory: the peak resident set size of the largest
process (exact, from wait4, in measured.py: started from the benchmark itself, a command
reported at least the benchmark's own peak), and the proportional set size of all the
command's processes together (sampled from /proc every 20 ms, or less often for large
processes, whose sampling costs more; a page shared by forked processes counts once in total,
not once per process).
Peak memory is the larger of the two. The tables show medians,
the second one CPU seconds (user and system, worker processes included): on a virtual machine
whose disk is throttled, making tens of thousands of files can take many seconds of system
time, which `--dir /dev/shm` (a RAM disk) leaves out. tests/benchmarks/out/bench.json has every
run. Not part of the test suite.

With `--hugo`, Hugo (0.111, Debian's `hugo` package) is timed on the same list, in the same
run: once the list is imported, tests/benchmarks/hugo_reference.py writes the equivalent Hugo
site (themes and tags as taxonomies, a page per paper, RSS feeds, paginated listings of paper
cards, a sitemap; related papers only with `--hugo-related`, as Hugo's are slow: see there)
into the scratch directory, and `hugo --quiet` builds it cold (without public/ and
resources/) `--runs` times, measured as papershelf's builds are: the "hugo" stage.
The cold builds are interleaved (papershelf, then Hugo, then papershelf again...) so that both
see the same machine load, and each N's line "papershelf cold / hugo cold" gives the ratio of
their median times: the machine's speed varies from hour to hour, the ratio less.

With `--naive`, tests/benchmarks/naive_reference.py (one process: PyYAML's C loader, Jinja2,
markdown-it-py, no cache) builds the same list into the same pages as Hugo's, timed in the same
way and interleaved with the cold builds too: the "naive" stage. The issue gives its second
reference as such a renderer's time, 4.8 s at 10,000 papers where Hugo took 2.9 s; this one
runs on the interpreter and libraries papershelf runs on here, so it calibrates them too.

When N = 10,000 is run, a last table sets the medians against issue 5's targets: the limits as
the issue sets them, on a machine where Hugo built the list in 2.9 s and a naive renderer in
4.8 s, and, with `--hugo` or `--naive`, the time limits scaled by that reference's median here
(the issue's cold-build target is Hugo's time on the same machine). The pages the system
swapped out while each N ran are printed too (/proc/vmstat).

The synthetic site has `search: false` unless `--search` is given: the Pagefind index is a
separate program's work, timed separately.

The timed processes keep Python's bytecode cache (in the scratch directory, compiled before
timing), as an installed papershelf does: with PYTHONDONTWRITEBYTECODE set, as it is on some
machines, every run would otherwise compile papershelf's modules afresh (about 0.07 s a run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.benchmarks.hugo_reference import output_shape, write_hugo_site  # noqa: E402
from tests.benchmarks.synthetic import SCRAPED_ON, synthetic_listing  # noqa: E402

OUT_DIR = HERE / "out"
DEFAULT_SIZES = (1_000, 10_000, 50_000)
STAGES = (
    *("import", "cold", "warm", "check", "edit", "daily-import", "daily-build", "serve"),
    *("serve+index", "template"),
)
DAILY_PAPERS = 30  # what the daily import adds to the list
HUGO = "hugo"  # the stage of Hugo's cold builds (--hugo), shown after papershelf's
NAIVE = "naive"  # the naive renderer's builds (--naive), shown after Hugo's
NAIVE_SCRIPT = str(HERE / "naive_reference.py")
PAPERSHELF = (sys.executable, "-m", "papershelf")
CACHE_DIR = ".papershelf-cache"
SAMPLE_SECONDS = 0.02
SAMPLE_SHARE = 20  # wait at least this many times as long as a sample took


@dataclass(frozen=True)
class Measurement:
    seconds: float
    max_rss_mb: float  # the largest single process
    tree_pss_mb: float  # all processes of the command together, sampled
    # CPU time of the command and its worker processes: user (Python), system (the kernel:
    # mostly making files, which a throttled virtual disk can make slow).
    user_s: float = 0.0
    system_s: float = 0.0

    @property
    def peak_mb(self) -> float:
        return max(self.max_rss_mb, self.tree_pss_mb)


def _tree_pss_kb(root: int) -> int:
    """Return the summed Pss of the descendants of `root` (measured.py, which started them: 0
    once it has exited, or when a process started or ended while they were read)."""
    before = _tree(root)
    total = 0
    for pid in before[1:]:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:  # exited meanwhile
            return 0
        pss = (int(line.split()[1]) for line in rollup.splitlines() if line[:4] == "Pss:")
        total += next(pss, 0)
    # A fork between reading the parent and listing its children counted the pages they share
    # once whole and once again by half (a 10,000-paper cold build "peaked" at 260 MB, not 196).
    return total if set(_tree(root)) == set(before) else 0


def _tree(root: int) -> list[int]:
    """Return `root` and its descendants, parents first."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # exited between listing and reading
    return found


def bytecode_cached(scratch: Path) -> dict[str, str]:
    """Return an environment in which Python keeps compiled bytecode under `scratch`, with
    papershelf's modules compiled there already."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The papershelf `python -m papershelf` runs: the installed one, wherever that is.
    find = "import papershelf; print(*papershelf.__path__)"
    found = subprocess.run(
        [sys.executable, "-c", find], env=env, cwd=scratch, capture_output=True, check=True
    )
    package = found.stdout.decode().strip()
    compile_all = [sys.executable, "-m", "compileall", "-q", package]
    subprocess.run(compile_all, env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def stages(hugo: bool, naive: bool = False) -> tuple[str, ...]:
    """Return the stages measured, in the tables' order: the references' after papershelf's
    cold build."""
    cold = STAGES.index("cold") + 1
    references = (HUGO,) * hugo + (NAIVE,) * naive
    return (*STAGES[:cold], *references, *STAGES[cold:])


def run_measured(
    args: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    program: Sequence[str] = PAPERSHELF,
) -> Measurement:
    """Run `PROGRAM ARGS` (by default `python -m papershelf ARGS`) in a fresh process, started
    by measured.py (see there: not by this process, whose own peak it would report); return its
    time and peak memory."""
    log = cwd / "bench-command.log"
    report = cwd / "bench-measured.json"
    command = [*program, *args]
    launcher = [sys.executable, str(HERE / "measured.py"), str(report), *command]
    with log.open("wb") as output:
        process = subprocess.Popen(
            launcher,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=output,
        )
        peak_kb = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_kb
            interval = SAMPLE_SECONDS
            while not done.wait(interval):
                began = time.perf_counter()
                peak_kb = max(peak_kb, _tree_pss_kb(process.pid))
                # Reading smaps walks the processes' page tables: every 20 ms, it took a
                # quarter of a core (of two) from a 50,000-paper build and slowed it by 25%.
                # Sampling is kept to about a twentieth of one core.
                interval = max(SAMPLE_SECONDS, SAMPLE_SHARE * (time.perf_counter() - began))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        launched = process.wait()
        done.set()
        sampler.join()
    measured = json.loads(report.read_text(encoding="utf-8")) if launched == 0 else {}
    report.unlink(missing_ok=True)
    if measured.get("exit") != 0:
        raise SystemExit(f"{' '.join(command)} failed ({measured}):\n{log.read_text()}")
    kb_per_mb = 1024  # Linux reports ru_maxrss in KiB
    # wait4's usage covers the process and the workers it waited for (the largest of them).
    return Measurement(
        measured["seconds"],
        measured["max_rss_kb"] / kb_per_mb,
        peak_kb / kb_per_mb,
        measured["user_s"],
        measured["system_s"],
    )


def edit_one_paper(papers: Path, run: int) -> Path:
    """Change the first words of one paper's abstract (so its excerpt, cards and feeds change);
    return the file changed."""
    path = sorted(papers.glob("*.yaml"))[len(list(papers.glob("*.yaml"))) // 2]
    text = path.read_text(encoding="utf-8")
    marker = "abstract: >-\n  "
    if marker not in text:
        raise SystemExit(f"{path}: expected a folded abstract to edit")
    head, tail = text.split(marker, 1)
    tail = tail.split(" ", 1)[1] if tail.startswith("Edit") else tail
    path.write_text(f"{head}{marker}Edit{run} {tail}", encoding="utf-8")
    return path


def bench_size(
    count: int,
    runs: int,
    templates: Path,
    search: bool = False,
    where: Path | None = None,
    hugo: dict[str, int] | None = None,
    hugo_related: bool = False,
    naive: dict[str, int] | None = None,
) -> dict[str, list[Measurement]]:
    """Measure every stage `runs` times on a list of `count` papers; Hugo's cold builds too
    when `hugo` is given, a dictionary that gets the counts of what Hugo makes (output_shape),
    with related papers on its paper pages if `hugo_related`; the naive renderer's builds when
    `naive` is given, which gets the counts of what it makes."""
    shown = stages(hugo is not None, naive is not None)
    results: dict[str, list[Measurement]] = {stage: [] for stage in shown}
    with tempfile.TemporaryDirectory(prefix=f"papershelf-bench-{count}-", dir=where) as scratch:
        work = Path(scratch)
        listing = work / "listing.txt"
        listing.write_text(synthetic_listing(count), encoding="utf-8")
        content = work / "content"
        for name in ("site.yaml", "themes.yaml"):
            (content / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO_ROOT / "content" / name, content / name)
        if not search:
            with (content / "site.yaml").open("a", encoding="utf-8") as settings:
                settings.write("search: false\n")
        papers = content / "papers"
        # A copy, which the template stage edits.
        templates = Path(shutil.copytree(templates, work / "templates"))
        build = ["build", "--content", "content", "--templates", str(templates), "--out", "site"]
        check = ["check", *build[1:]]
        env = bytecode_cached(work)

        def note(stage: str, measurement: Measurement) -> None:
            results[stage].append(measurement)
            print(
                f"  N={count:>6} {stage:<6} {measurement.seconds:7.2f} s "
                f"{measurement.peak_mb:7.1f} MB  (cpu {measurement.user_s:.2f} user "
                f"{measurement.system_s:.2f} sys)",
                file=sys.stderr,
                flush=True,
            )

        imported = ["import", "listing.txt", "--content", "content"]
        for _ in range(runs):
            shutil.rmtree(papers, ignore_errors=True)
            papers.mkdir()
            note("import", run_measured([*imported, "--scraped-on", str(SCRAPED_ON)], work, env))
        hugo_site = work / "hugo"
        if hugo is not None:
            write_hugo_site(content, hugo_site, hugo_related)
        for _ in range(runs):
            shutil.rmtree(work / "site", ignore_errors=True)
            shutil.rmtree(work / CACHE_DIR, ignore_errors=True)
            note("cold", run_measured(build, work, env))
            if hugo is not None:  # interleaved: each papershelf cold build, then Hugo's
                for made in ("public", "resources"):
                    shutil.rmtree(hugo_site / made, ignore_errors=True)
                note(HUGO, run_measured(["--quiet"], hugo_site, env, program=["hugo"]))
            if naive is not None:  # the same, for the naive renderer
                made = ["content", "naive-site"]
                note(NAIVE, run_measured(made, work, env, program=[sys.executable, NAIVE_SCRIPT]))
        if naive is not None:
            naive.update(output_shape(work / "naive-site"))
            shutil.rmtree(work / "naive-site")
        if hugo is not None:
            hugo.update(output_shape(hugo_site / "public"))
            shutil.rmtree(hugo_site / "public")  # not needed any more: memory, on /dev/shm
        for _ in range(runs):
            note("warm", run_measured(build, work, env))
        for run in range(runs):
            edit_one_paper(papers, run)
            note("check", run_measured(check, work, env))
            note("edit", run_measured(build, work, env))
        (work / "daily.txt").write_text(synthetic_listing(DAILY_PAPERS, count), encoding="utf-8")
        daily = ["import", "daily.txt", "--content", "content", "--scraped-on", str(SCRAPED_ON)]
        for _ in range(runs):
            listed = set(papers.iterdir())
            note("daily-import", run_measured(daily, work, env))
            note("daily-build", run_measured(build, work, env))
            for added in set(papers.iterdir()) - listed:
                added.unlink()
            run_measured(build, work, env)
        for pages, whole in serve_rebuilds(work, templates, runs):
            note("serve", pages)
            note("serve+index", whole)
        base = templates / "base.html"
        for run in range(runs):
            base.write_text(f"{base.read_text(encoding='utf-8')}<!-- {run} -->\n", encoding="utf-8")
            note("template", run_measured(build, work, env))
    return results


def serve_rebuilds(work: Path, templates: Path, runs: int) -> list[tuple[Measurement, Measurement]]:
    """Time `runs` rebuilds after an edit in one serving process (see serve_edits.py): until
    the pages are live, and until the search index is too."""
    driver = [sys.executable, str(HERE / "serve_edits.py"), str(work), str(templates), str(runs)]
    # Started by measured.py, as the other commands are, so that its peak is its own.
    measured = [sys.executable, str(HERE / "measured.py"), str(work / "bench-serve.json")]
    process = subprocess.run([*measured, *driver], capture_output=True, text=True, check=False)
    if process.returncode != 0 or '"exit": 0' not in (work / "bench-serve.json").read_text():
        raise SystemExit(f"serve_edits.py failed:\n{process.stdout}{process.stderr}")
    report = json.loads(process.stdout)
    # The process's peak covers its first build as well: a bound on each rebuild's.
    peak = report["max_rss_mb"]
    return [
        (Measurement(pages, peak, 0.0), Measurement(whole, peak, 0.0))
        for pages, whole in zip(report["pages_seconds"], report["seconds"], strict=True)
    ]


def machine_speed() -> float:
    """Return microseconds for `sum(range(1000))`: how busy or slow the machine is (about 8 on
    an idle modern core), to read the other numbers by."""
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def python_start_ms(runs: int = 7) -> float:
    """Return the median milliseconds `python -c pass` takes with the interpreter the timed
    runs use: part of every one of them. An interpreter whose site-packages hold `.pth` files
    that import modules starts slower than a virtual environment's (the machine these figures
    come from had one that imports certifi: 60-70 ms against 10-20)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# Columns of the tables: (heading after the stage's name, value of a measurement, format).
Column = tuple[str, Callable[[Measurement], float], str]
TIME_AND_MEMORY: tuple[Column, ...] = (
    ("s", lambda m: m.seconds, ".2f"),
    ("MB", lambda m: m.peak_mb, ".0f"),
)
CPU: tuple[Column, ...] = (
    ("user", lambda m: m.user_s, ".2f"),
    ("sys", lambda m: m.system_s, ".2f"),
)


def format_table(
    results: dict[int, dict[str, list[Measurement]]],
    columns: tuple[Column, ...] = TIME_AND_MEMORY,
    shown: tuple[str, ...] = STAGES,
) -> str:
    """Return a Markdown table of the medians of `columns` per N and stage (of `shown`)."""
    headings = [f"{stage} {heading}" for stage in shown for heading, _, _ in columns]
    rows = ["| papers | " + " | ".join(headings) + " |", "|---:|" + "---:|" * len(headings)]
    for count, found in results.items():
        cells = [
            f"{_median([value(m) for m in found[stage]]):{spec}}"
            for stage in shown
            for _, value, spec in columns
        ]
        rows.append(f"| {count:,} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def cold_ratios(
    results: dict[int, dict[str, list[Measurement]]], reference: str = HUGO
) -> dict[int, float]:
    """Return per N the median papershelf cold build's time over the median of the `reference`
    stage's builds (Hugo's, or the naive renderer's)."""
    return {
        count: _median([m.seconds for m in found["cold"]])
        / _median([m.seconds for m in found[reference]])
        for count, found in results.items()
    }


# Issue 5's targets for a 10,000-paper list, set on a machine where Hugo 0.111 built it in 2.9 s
# and a naive single-process Python renderer in 4.8 s: (stage, what is measured, limit there).
# Time limits are also shown scaled by either reference's time on this machine ("on the same
# machine", as the issue measures the cold build); memory is not.
TARGET_PAPERS = 10_000
REFERENCE_HUGO_SECONDS = 2.9
REFERENCE_NAIVE_SECONDS = 4.8
REFERENCES = ((HUGO, REFERENCE_HUGO_SECONDS), (NAIVE, REFERENCE_NAIVE_SECONDS))
TARGETS = (
    ("cold", "s", REFERENCE_HUGO_SECONDS),
    ("warm", "s", 0.7),
    ("edit", "s", 0.7),
    ("import", "s", 5.0),
    *((stage, "MB", 150.0) for stage in ("cold", "warm", "edit", "daily-build", "template")),
)


def target_rows(found: dict[str, list[Measurement]]) -> list[dict[str, Any]]:
    """Return, for each of issue 5's targets, its limit (as set, and scaled by each reference's
    time here when it was timed: `limit_scaled` by Hugo's, `limit_scaled_naive` by the naive
    renderer's), the median measured and whether it is under each."""
    factors = {
        stage: _median([m.seconds for m in found[stage]]) / seconds
        for stage, seconds in REFERENCES
        if stage in found
    }
    rows = []
    for stage, unit, limit in TARGETS:
        seconds = unit == "s"
        measured = _median([m.seconds if seconds else m.peak_mb for m in found[stage]])
        row: dict[str, Any] = {"stage": stage, "unit": unit, "limit": limit, "measured": measured}
        row["met"] = measured <= limit
        for reference, suffix in ((HUGO, ""), (NAIVE, "_naive")):
            scaled = limit * factors[reference] if seconds and reference in factors else None
            row[f"limit_scaled{suffix}"] = scaled
            row[f"met_scaled{suffix}"] = None if scaled is None else measured <= scaled
        rows.append(row)
    return rows


def format_targets(rows: list[dict[str, Any]]) -> str:
    """Return the target rows as a Markdown table: "scaled only" when a limit is met only as
    scaled by a reference's time here (by every reference timed)."""
    lines = [
        "| target | limit | scaled by Hugo's time here | scaled by the naive renderer's "
        "| median | met |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        unit = row["unit"]
        scaled = [row["limit_scaled"], row["limit_scaled_naive"]]
        verdicts = [row["met_scaled"], row["met_scaled_naive"]]
        if row["met"]:
            verdict = "yes"
        elif any(v is not None for v in verdicts) and all(v is not False for v in verdicts):
            verdict = "scaled only"
        else:
            verdict = "no"
        what = "time" if unit == "s" else "peak memory"
        limits = " | ".join("-" if s is None else f"{s:.2f} {unit}" for s in scaled)
        lines.append(
            f"| {row['stage']} {what} | {row['limit']:g} {unit} | {limits} | "
            f"{row['measured']:.2f} {unit} | {verdict} |"
        )
    return "\n".join(lines)


def swapped_out_pages() -> int | None:
    """Return how many pages the system has swapped out since it started (None: unknown)."""
    try:
        for line in Path("/proc/vmstat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == "pswpout":
                return int(value)
    except (OSError, ValueError):
        pass
    return None


def hugo_version() -> str:
    """Return `hugo version`'s line, or exit saying how to install Hugo when it is missing."""
    if shutil.which("hugo") is None:
        raise SystemExit("bench.py: --hugo needs Hugo 0.111 on PATH: apt-get install hugo")
    found = subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True)
    return found.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--papers",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated list sizes (default: 1000,10000,50000)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default: 3)")
    parser.add_argument(
        "--templates", type=Path, default=REPO_ROOT / "templates", help="default: ./templates"
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="default: tests/benchmarks/out")
    parser.add_argument(
        "--search", action="store_true", help="build the Pagefind search index as well"
    )
    parser.add_argument(
        "--dir", type=Path, help="where to make the scratch directories (default: the system's)"
    )
    parser.add_argument(
        "--hugo",
        action="store_true",
        help="time Hugo's cold build of the same list too (tests/benchmarks/hugo_reference.py)",
    )
    parser.add_argument(
        "--hugo-related",
        action="store_true",
        help="with --hugo: Hugo's paper pages list related papers (about 10x Hugo's time at 10k)",
    )
    parser.add_argument(
        "--naive",
        action="store_true",
        help="time a naive Python renderer's build of the same list too "
        "(tests/benchmarks/naive_reference.py)",
    )
    args = parser.parse_args(argv)
    if args.hugo_related and not args.hugo:
        parser.error("--hugo-related goes with --hugo")
    sizes = [int(n.replace("_", "")) for n in args.papers.split(",") if n.strip()]
    version = hugo_version() if args.hugo else None
    shapes: dict[int, dict[str, int]] = {count: {} for count in sizes}
    naive_shapes: dict[int, dict[str, int]] = {count: {} for count in sizes}
    speed_before = machine_speed()
    start_ms = python_start_ms()
    results: dict[int, dict[str, list[Measurement]]] = {}
    swapped: dict[int, int | None] = {}  # pages swapped out while each size ran
    for count in sizes:
        before = swapped_out_pages()
        results[count] = bench_size(
            count,
            args.runs,
            args.templates.resolve(),
            args.search,
            args.dir,
            shapes[count] if args.hugo else None,
            args.hugo_related,
            naive_shapes[count] if args.naive else None,
        )
        after = swapped_out_pages()
        swapped[count] = None if before is None or after is None else after - before
    speed = (speed_before, machine_speed())
    shown = stages(args.hugo, args.naive)
    table = format_table(results, shown=shown)
    cpu_table = format_table(results, CPU, shown)
    print(table)
    print()
    print("CPU seconds (the serve stages' are not measured):")
    print(cpu_table)
    ratios = cold_ratios(results) if args.hugo else {}
    naive_ratios = cold_ratios(results, NAIVE) if args.naive else {}
    for reference, found, made in (
        ("hugo", ratios, shapes),
        ("naive", naive_ratios, naive_shapes),
    ):
        for count, ratio in found.items():
            cold, other = (
                _median([m.seconds for m in results[count][s]]) for s in ("cold", reference)
            )
            print(
                f"N={count:,}: papershelf cold / {reference} cold = {cold:.2f} s / {other:.2f} s "
                f"= {ratio:.2f} (medians; {reference} made {made[count]['html_files']} HTML "
                f"pages and {made[count]['rss_feeds']} RSS feeds)"
            )
    targets = target_rows(results[TARGET_PAPERS]) if TARGET_PAPERS in results else []
    if targets:
        print()
        print(
            f"Issue 5's targets at {TARGET_PAPERS:,} papers, set where Hugo took "
            f"{REFERENCE_HUGO_SECONDS} s and a naive renderer {REFERENCE_NAIVE_SECONDS} s "
            "(medians):"
        )
        print(format_targets(targets))
    for count, pages in swapped.items():
        if pages is not None:
            print(f"N={count:,}: {pages} pages swapped out while it ran")
    if version:
        print(version)
    print(f"machine speed: sum(range(1000)) took {speed[0]:.1f} us before, {speed[1]:.1f} us after")
    print(f"python starts in {start_ms:.0f} ms ({sys.executable} -c pass, in every timed run)")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sum_range_1000_us": speed,
            "python_start_ms": start_ms,
        },
        "runs": args.runs,
        "search": args.search,
        **(
            {
                "hugo": {
                    "version": version,
                    "related": args.hugo_related,
                    "cold_ratio": {str(count): ratio for count, ratio in ratios.items()},
                    "output": {str(count): shape for count, shape in shapes.items()},
                }
            }
            if args.hugo
            else {}
        ),
        **(
            {
                "naive": {
                    "cold_ratio": {str(count): ratio for count, ratio in naive_ratios.items()},
                    "output": {str(count): shape for count, shape in naive_shapes.items()},
                }
            }
            if args.naive
            else {}
        ),
        "results": {
            str(count): {
                stage: {
                    "median_seconds": _median([m.seconds for m in found]),
                    "median_peak_mb": _median([m.peak_mb for m in found]),
                    "runs": [{**asdict(m), "peak_mb": m.peak_mb} for m in found],
                }
                for stage, found in stages.items()
            }
            for count, stages in results.items()
        },
        "table": table,
        "cpu_table": cpu_table,
        "targets": targets,
        "swapped_out_pages": {str(count): pages for count, pages in swapped.items()},
    }
    path = args.out / "bench.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
