"""`serve` rebuilds incrementally: after an edit it rewrites only the files the edit changes, and
the site it serves is what a cold build gives."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest

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


def _listings_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Return a list that grows by one each time a build lists the papers directory; the
    directory's times are trusted at once (a real build waits until they are RACY_NS old)."""
    from papershelf import cache as cache_module
    from papershelf import content

    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    listed: list[int] = []
    real_entries = content._paper_entries
    monkeypatch.setattr(
        content, "_paper_entries", lambda directory: listed.append(1) or real_entries(directory)
    )
    return listed


def test_a_cache_kept_in_memory_sees_paper_files_added_and_removed(
    shipped: Workspace, monkeypatch
) -> None:
    """`serve` lists the papers directory again only when its times changed; a file added or
    removed changes them, even when the directory's modification time is set back."""
    import os

    from papershelf.build import build_site
    from papershelf.cache import BuildCache, cache_dir_for

    listed = _listings_counted(monkeypatch)
    ws = shipped
    options = BuildOptions(ws.content, ws.templates, ws.out)
    cache = BuildCache(cache_dir_for(ws.out))

    def rebuild() -> set[str]:
        time.sleep(0.02)  # past the clock tick of the last change
        build_site(options, cache=cache)
        return {path.parent.name for path in (ws.out / "papers").glob("*/index.html")}

    first = rebuild()
    assert rebuild() == first
    assert len(listed) == 1, "the unchanged directory was listed again"
    source = ws.papers / OFA
    copy = ws.papers / "a-copy-of-ofa.yaml"
    text = source.read_text(encoding="utf-8")
    before = ws.papers.stat()
    copy.write_text(text.replace("title: >-\n  ", "title: >-\n  A copy of ", 1), encoding="utf-8")
    os.utime(ws.papers, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a sync tool may
    added = rebuild()
    assert len(added) == len(first) + 1
    copy.unlink()
    assert rebuild() == first
    ws.assert_same_as_cold()


def test_a_build_reuses_the_last_builds_listing_until_the_directory_changes(
    shipped: Workspace, monkeypatch
) -> None:
    """A build in a new process (the CLI) lists the papers directory again only when its times
    changed since the last build listed it; a file added or removed changes them."""
    import os

    from papershelf.build import build_site

    listed = _listings_counted(monkeypatch)
    ws = shipped
    options = BuildOptions(ws.content, ws.templates, ws.out)

    def rebuild() -> set[str]:
        time.sleep(0.02)  # past the clock tick of the last change
        build_site(options)  # with the cache on disk, as a new process has it
        return {path.parent.name for path in (ws.out / "papers").glob("*/index.html")}

    first = rebuild()
    edited = ws.papers / OFA
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  New. ", 1),
        encoding="utf-8",
    )
    assert rebuild() == first
    assert len(listed) == 1, "the unchanged directory was listed again"
    copy = ws.papers / "a-copy-of-ofa.yaml"
    before = ws.papers.stat()
    copy.write_text(
        edited.read_text(encoding="utf-8").replace("title: >-\n  ", "title: >-\n  A copy of ", 1),
        encoding="utf-8",
    )
    os.utime(ws.papers, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a sync tool may
    assert len(rebuild()) == len(first) + 1
    copy.unlink()
    assert rebuild() == first
    ws.assert_same_as_cold()


def test_paper_files_the_watcher_did_not_report_are_not_stated_again(
    shipped: Workspace, tmp_path, monkeypatch
) -> None:
    """Given the paths its watcher saw change, a `serve` rebuild stats only those paper files
    (and symbolic links, whose targets no watcher sees) and still builds what a cold build
    does."""
    import os

    from papershelf import cache as cache_module
    from papershelf.build import build_site
    from papershelf.cache import BuildCache, cache_dir_for

    # Trust file times at once (a real build waits until they are RACY_NS old).
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    ws = shipped
    outside = tmp_path / "elsewhere.yaml"
    linked = sorted(ws.papers.glob("*.yaml"))[0]
    outside.write_text(linked.read_text(encoding="utf-8"), encoding="utf-8")
    linked.unlink()
    linked.symlink_to(outside)
    options = BuildOptions(ws.content, ws.templates, ws.out)
    cache = BuildCache(cache_dir_for(ws.out))
    time.sleep(0.02)
    build_site(options, cache=cache)

    stated: list[str] = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        if str(path).startswith(str(ws.papers)) and str(path).endswith(".yaml"):
            stated.append(Path(path).name)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(cache_module.os, "stat", counting_stat)
    edited = ws.papers / OFA
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  New. "),
        encoding="utf-8",
    )
    # The link's target changes too, unreported: no watcher sees outside the content.
    outside.write_text(
        outside.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  Too. "),
        encoding="utf-8",
    )
    time.sleep(0.02)
    # An unrelated path and one elsewhere in the content are reported as well.
    reported = {str(edited.resolve()), str((ws.content / "site.yaml").resolve()), "/elsewhere"}
    build_site(options, cache=cache, changed=reported)
    monkeypatch.undo()
    assert sorted(set(stated)) == sorted({OFA, linked.name})
    page = ws.out / "papers" / OFA.removesuffix(".yaml") / "index.html"
    assert b"New. " in page.read_bytes()
    ws.assert_same_as_cold()


def test_serve_writes_its_cache_once_idle_and_a_build_after_it_has_nothing_to_do(
    shipped: Workspace, monkeypatch
) -> None:
    """`serve` writes the build cache outside its rebuilds' time (when its watcher is idle, and
    as it stops), so the cache on disk knows the site it left: a `build` after it does nothing."""
    from papershelf import build as build_module
    from papershelf.build import build_site

    ws = shipped
    options = BuildOptions(ws.content, ws.templates, ws.out)
    running = start_server(options, port=0, settle_seconds=POLL)
    try:
        path = ws.papers / OFA
        path.write_text(
            path.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  New. "),
            encoding="utf-8",
        )
        assert wait_for(lambda: b"New. " in (ws.out / "feed.xml").read_bytes())
        # Written once the watcher has been idle for its timeout (0.1 s), without a stop.
        assert wait_for(lambda: _cache_on_disk_knows(ws.out), seconds=5)
    finally:
        running.stop()
    before = file_times(ws.out)

    def not_expected(*args, **kwargs):
        raise AssertionError("the build after serve rendered the site again")

    monkeypatch.setattr(build_module, "render_site", not_expected)
    build_site(options)
    monkeypatch.undo()
    assert file_times(ws.out) == before
    ws.assert_same_as_cold()


def _cache_on_disk_knows(out_dir) -> bool:
    """Tell whether the build cache on disk records the output directory as it is."""
    from papershelf.cache import BuildCache, cache_dir_for
    from papershelf.sitewriter import matches_manifest

    record = BuildCache(cache_dir_for(out_dir)).site(out_dir)
    return record is not None and matches_manifest(out_dir.resolve(), record.manifest)


def test_the_themes_file_is_parsed_again_only_when_its_bytes_change(
    shipped: Workspace, monkeypatch
) -> None:
    from papershelf import taxonomy
    from papershelf.build import build_site
    from papershelf.cache import BuildCache, cache_dir_for

    parsed: list[str] = []
    real_parse = taxonomy.parse_yaml
    monkeypatch.setattr(
        taxonomy, "parse_yaml", lambda text, shown: parsed.append(shown) or real_parse(text, shown)
    )
    ws = shipped
    options = BuildOptions(ws.content, ws.templates, ws.out)
    cache = BuildCache(cache_dir_for(ws.out))
    build_site(options, cache=cache)
    path = ws.papers / OFA
    path.write_text(
        path.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  New. "),
        encoding="utf-8",
    )
    build_site(options, cache=cache)
    assert len(parsed) == 1, "the unchanged themes file was parsed again"

    themes = ws.content / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8").replace("title: Speech", "title: Talk", 1),
        encoding="utf-8",
    )
    build_site(options, cache=cache)
    assert len(parsed) == 2
    assert b"Talk" in (ws.out / "themes" / "speech" / "index.html").read_bytes()
    ws.assert_same_as_cold()


def _defunct_children() -> list[int]:
    """Return this process's children that ended and were never waited for (Linux)."""
    children = []
    for task in Path("/proc/self/task").iterdir():
        children += (task / "children").read_text().split()
    defunct = []
    for pid in children:
        with contextlib.suppress(OSError):  # it may be reaped meanwhile
            stat = Path(f"/proc/{pid}/stat").read_text()
            if stat.rpartition(")")[2].split()[0] == "Z":
                defunct.append(int(pid))
    return defunct


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_rebuild_that_fails_early_leaves_no_defunct_process(
    shipped: Workspace, monkeypatch
) -> None:
    """The check of the output directory runs in a forked process; a rebuild that fails before
    asking for its answer still reaps it (a `serve` session would gather one per failure)."""
    from papershelf import build as build_module
    from papershelf.build import build_site
    from papershelf.cache import BuildCache, cache_dir_for

    options = BuildOptions(shipped.content, shipped.templates, shipped.out)
    cache = BuildCache(cache_dir_for(shipped.out))
    build_site(options, cache=cache)
    assert _defunct_children() == []

    def unreadable(*_args) -> str:
        time.sleep(0.5)  # the check has ended by now, waiting to be reaped
        raise PermissionError("content/papers: permission denied")

    monkeypatch.setattr(build_module, "paper_files_digest", unreadable)
    with pytest.raises(PermissionError):
        build_site(options, cache=cache)
    assert _defunct_children() == []


def test_papers_a_serve_session_took_from_memory_stay_in_the_cache(
    synthetic: Workspace, monkeypatch
) -> None:
    """Between edits, `serve` takes the papers that did not change from those it decoded before,
    without asking the cache's store. Written once idle, each shard holding an edited paper kept
    only that paper: the next build parsed the others again (a tenth of 10,000 papers after three
    edits, and 10 MB more at its peak)."""
    from papershelf import cache as cache_module
    from papershelf import content
    from papershelf.build import build_site
    from papershelf.cache import BuildCache, cache_dir_for

    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # file times trusted at once
    ws = synthetic
    options = BuildOptions(ws.content, ws.templates, ws.out)
    cache = BuildCache(cache_dir_for(ws.out))
    cache.keep_across_builds()  # as serve has it
    build_site(options, cache=cache)
    cache.write_pending()  # as serve does once its watcher is idle
    for edited in sorted(ws.papers.glob("*.yaml"))[:3]:
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("abstract: >-\n  ", "abstract: >-\n  New. "),
            encoding="utf-8",
        )
        time.sleep(0.02)
        build_site(options, cache=cache, changed={str(edited.resolve())})
        cache.write_pending()

    parsed: list[str] = []
    parse = content._parse_raw
    monkeypatch.setattr(
        content, "_parse_raw", lambda raw, shown: parsed.append(shown) or parse(raw, shown)
    )
    # Another output directory beside the first, so the same cache: no page of it is kept.
    build_site(BuildOptions(ws.content, ws.templates, ws.root / "other-site"))
    assert parsed == []
