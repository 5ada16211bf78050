"""`papershelf serve`: serve the built site on 127.0.0.1 under its base path, as GitHub Pages
would, and rebuild it whenever a content or template file changes.

Changes are reported by the operating system (inotify, FSEvents, ReadDirectoryChangesW, through
watchfiles), not found by polling: a list of ten thousand papers costs nothing to watch, and a
rebuild starts as soon as an editor has finished saving. Rebuilds are incremental: the build
cache stays in memory between them (and is saved beside the output directory as for `build`),
so an edit re-renders and rewrites only what it changes.
"""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

from papershelf import urls
from papershelf.build import BuildOptions, build_site
from papershelf.cache import BuildCache, cache_dir_for
from papershelf.config import load_config
from papershelf.content import SITE_FILE
from papershelf.errors import Location, Problem, ProblemsError
from papershelf.urls import SiteUrls

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
# How long the files must stay unchanged before a rebuild starts: an editor's save, or a `git
# checkout` of many files, is then one rebuild.
SETTLE_SECONDS = 0.05


class SiteRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` at `base_path`; the site's 404 page answers for anything missing."""

    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".opml": "text/x-opml",
        ".xml": "application/xml",
        ".json": "application/json",
        ".svg": "image/svg+xml",
    }

    def __init__(self, *args, base_path: str, directory: str, **kwargs) -> None:
        self.base_path = base_path
        super().__init__(*args, directory=directory, **kwargs)

    def send_head(self):
        path = urlsplit(self.path).path
        if not path.startswith(self.base_path):
            if path == "/" or path + "/" == self.base_path:
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", self.base_path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        site_path = urlsplit(path).path.removeprefix(self.base_path)
        return super().translate_path("/" + site_path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory, urls.NOT_FOUND)
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def rebuild(
    options: BuildOptions, cache: BuildCache | None = None, changed: Collection[str] | None = None
) -> bool:
    """Build the site, logging the outcome; on problems the last good site stays in place.
    `changed`: the paths the watcher saw change since `cache`'s last build (None: any).

    The pages come first, with the last build's search index, and the index right after: an
    edit shows in its pages without waiting for Pagefind (seconds for a long list)."""
    try:
        result = build_site(replace(options, search_later=True), cache=cache, changed=changed)
        log.info("%s", result.summary())
        if result.search_stale:
            # Nothing changed since, as far as the watcher has told: no file is stat'ed again.
            result = build_site(options, cache=cache, changed=() if changed is not None else None)
            log.info("search index updated in %.1fs", result.seconds)
    except ProblemsError as exc:
        for problem in exc.problems:
            log.error("%s", problem.format_text())
        log.error("build failed; still serving the last good site")
        return False
    return True


@dataclass
class RunningServer:
    """A server started by `start_server`; `stop()` shuts it and its watcher down."""

    url: str
    server: http.server.ThreadingHTTPServer
    threads: tuple[threading.Thread, ...]
    stopping: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join()


def start_server(
    options: BuildOptions, port: int = 0, settle_seconds: float = SETTLE_SECONDS
) -> RunningServer:
    """Build once, then serve in background threads; port 0 picks a free port."""
    config, problems = load_config(options.content_dir / SITE_FILE, options.base_url)
    if config is None:
        raise ProblemsError(problems)
    base_path = SiteUrls(config.base_url).base_path
    cache = BuildCache(cache_dir_for(options.out_dir)) if options.cache else None
    if cache is not None:  # written while the watcher is idle, not within a rebuild's time
        cache.keep_across_builds()
    stopping = threading.Event()
    # Watching starts before the first build, so that an edit made while it runs is not missed.
    watcher = _Watcher(options, cache, stopping)
    watching = threading.Thread(
        target=watcher.run, args=(settle_seconds,), name="papershelf-watch", daemon=True
    )
    watching.start()
    if not watcher.ready.wait(timeout=10):
        log.warning("the file watcher is slow to start; edits may be missed until it runs")
    with watcher.building:
        rebuild(options, cache)

    def handler(*args, **kwargs):
        return SiteRequestHandler(
            *args, base_path=base_path, directory=str(options.out_dir.resolve()), **kwargs
        )

    try:
        server = http.server.ThreadingHTTPServer((HOST, port), handler)
    except OSError as exc:
        stopping.set()
        watching.join()
        raise ProblemsError(
            [Problem(Location("--port"), f"cannot listen on {HOST}:{port}: {exc.strerror}")]
        ) from None
    server.daemon_threads = True
    serving = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="papershelf-serve"
    )
    serving.start()
    url = f"http://{HOST}:{server.server_address[1]}{base_path}"
    return RunningServer(url, server, (serving, watching), stopping)


def _watched(options: BuildOptions) -> tuple[Path, ...]:
    return (options.content_dir, options.templates_dir)


@dataclass
class _Watcher:
    """Rebuilds the site after each batch of changes to its content or templates."""

    options: BuildOptions
    cache: BuildCache | None
    stopping: threading.Event
    # Set once changes are being watched.
    ready: threading.Event = field(default_factory=threading.Event)
    # Held by whoever builds: one build at a time.
    building: threading.Lock = field(default_factory=threading.Lock)

    def run(self, settle_seconds: float) -> None:
        import watchfiles  # imported here: only serve watches

        # It logs every batch ("3 changes detected"); serve says what it does with them.
        logging.getLogger("watchfiles").setLevel(logging.WARNING)

        batches = watchfiles.watch(
            *_watched(self.options),
            step=max(1, round(settle_seconds * 1000)),
            stop_event=self.stopping,
            rust_timeout=100,  # how often `stopping` is looked at
            yield_on_timeout=True,  # an empty batch once watching has started: ready
            raise_interrupt=False,
        )
        # What changed since the cache's last build, forgotten once a rebuild returns: the
        # cache then holds what that build read (it does when the build finds problems too).
        changed: set[str] = set()
        try:
            for batch in batches:
                self.ready.set()
                if batch:
                    log.info("change detected; rebuilding")
                    changed.update(path for _, path in batch)
                    with self.building:
                        rebuild(self.options, self.cache, frozenset(changed))
                    changed.clear()
                else:  # nothing changed for a while (the watcher's timeout)
                    self.write_cache()
        finally:
            self.write_cache()

    def write_cache(self) -> None:
        """Write what the builds so far left to write of the cache (see `writes_deferred`)."""
        if self.cache is not None and self.cache.has_pending:
            with self.building:
                self.cache.write_pending()


def serve(options: BuildOptions, port: int = 8000) -> None:
    """Serve the site until interrupted (Ctrl+C)."""
    running = start_server(options, port)
    log.info("serving %s on %s (Ctrl+C to stop)", options.out_dir, running.url)
    try:
        running.stopping.wait()
    finally:
        running.stop()
