"""`serve` rebuilds incrementally: after an edit it rewrites only the files the edit changes, and
the site it serves is what a cold build gives."""

from __future__ import annotations

import time

from papershelf.build import BuildOptions
from papershelf.serve import start_server
from tests.perf.conftest import Workspace, file_times, read_tree

OFA = "ofa-a-framework-of-initializing-unseen-subword-embeddings.yaml"
POLL = 0.05


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL)
    return False


def test_serve_rebuilds_only_what_an_edit_changes(shipped: Workspace) -> None:
    ws = shipped
    options = BuildOptions(ws.content, ws.templates, ws.out)
    running = start_server(options, port=0, settle_seconds=POLL)
    try:
        before_bytes, before_times = read_tree(ws.out), file_times(ws.out)
        page = ws.out / "papers" / OFA.removesuffix(".yaml") / "index.html"
        path = ws.papers / OFA
        path.write_text(
            path.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  New. "),
            encoding="utf-8",
        )
        assert wait_for(lambda: b"New. " in page.read_bytes())
        # The rebuild is committed file by file at the end; wait until the feeds have it too.
        assert wait_for(lambda: b"New. " in (ws.out / "feed.xml").read_bytes())
        time.sleep(10 * POLL)
    finally:
        running.stop()
    after_times = file_times(ws.out)
    after_bytes = read_tree(ws.out)
    rewritten = {path for path in after_times if after_times[path] != before_times.get(path)}
    changed = {path for path in after_bytes if after_bytes[path] != before_bytes.get(path)}
    assert rewritten == changed
    assert len(rewritten) < len(after_bytes) / 3
    ws.assert_same_as_cold()
