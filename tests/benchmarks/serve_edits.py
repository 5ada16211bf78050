"""Time `serve`'s rebuilds after edits: the build cache stays in memory between them, as in
`papershelf serve` (this drives `papershelf.serve.rebuild`, the function its watcher calls, with
the path the watcher would report, but without its wait for the change to settle:
`serve.SETTLE_SECONDS`, 50 ms). As in serve, the cache is written after each rebuild, outside
its time (serve writes it once the watcher is idle).

    python tests/benchmarks/serve_edits.py WORKDIR TEMPLATES RUNS

WORKDIR holds content/ and a built site/; prints the rebuilds' seconds, the seconds until each
rebuild's pages were live (serve makes the pages first and the search index right after; see
`serve.rebuild`) and this process's peak resident memory (MB) as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from papershelf.build import BuildOptions  # noqa: E402
from papershelf.cache import BuildCache, cache_dir_for  # noqa: E402
from papershelf.serve import rebuild  # noqa: E402
from tests.benchmarks.bench import edit_one_paper  # noqa: E402


class _PagesLive(logging.Handler):
    """Notes when a rebuild says its pages are built (its first "built ..." line)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.at: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.at is None and record.getMessage().startswith("built "):
            self.at = time.perf_counter()


def main(argv: list[str]) -> int:
    work, templates, runs = Path(argv[0]).resolve(), Path(argv[1]).resolve(), int(argv[2])
    logging.basicConfig(level=logging.WARNING)
    pages_live = _PagesLive()
    serve_log = logging.getLogger("papershelf.serve")
    serve_log.setLevel(logging.INFO)
    serve_log.propagate = False  # its info lines are for the handler, not the terminal
    serve_log.addHandler(pages_live)
    # From the project directory, with the default paths, as `papershelf serve` is run (and the
    # benchmark's builds: the cache knows the paper files by the paths they are given as).
    os.chdir(work)
    options = BuildOptions(Path("content"), templates, Path("site"))
    cache = BuildCache(cache_dir_for(options.out_dir))
    cache.keep_across_builds()  # as serve has it
    if not rebuild(options, cache):  # as serve starts: nothing changed since the last build
        return 1
    cache.write_pending()
    seconds, pages_seconds = [], []
    for run in range(runs):
        edited = edit_one_paper(options.content_dir / "papers", 1000 + run)
        pages_live.at = None
        started = time.perf_counter()
        # With the path the watcher would report (absolute, as watchfiles gives them).
        if not rebuild(options, cache, {str(edited.resolve())}) or pages_live.at is None:
            return 1
        seconds.append(time.perf_counter() - started)
        pages_seconds.append(pages_live.at - started)
        cache.write_pending()  # as serve does once its watcher is idle, after the rebuild
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "pages_seconds": pages_seconds, "max_rss_mb": peak_mb}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
