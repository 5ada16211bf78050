"""The cache never makes a build differ from a cold one: every input it depends on invalidates
what it should, a damaged or foreign cache is ignored, and an output directory changed by hand
is repaired."""

from __future__ import annotations

import dataclasses
import errno
import os
import pickle
import shutil
import struct
import time
from pathlib import Path

import pytest

from papershelf import cache as cache_module
from papershelf import templates
from papershelf.cache import (
    CACHE_DIR,
    PART_ENTRIES,
    SHARDS,
    BuildCache,
    _library_version,
    _shard_of,
    _Shards,
    cache_beside,
    cache_dir_for,
    decode_paper,
    digest_text,
    encode_paper,
)
from papershelf.content import load_paper
from papershelf.contexts import PaperLink, PaperPage
from papershelf.digests import PAPER_PAGE_FIELDS
from papershelf.errors import ProblemsError
from papershelf.model import Authors, Link
from papershelf.workers import WorkerError, can_fork, map_shards
from tests.perf.conftest import Workspace, file_times, read_tree

OFA = "ofa-a-framework-of-initializing-unseen-subword-embeddings.yaml"


def _shard_file(path: Path) -> tuple[str, list[list[str]], list[tuple[int, int]]]:
    """Return a shard file's stamp, and each part's keys and place (offset, length), read as
    its format says: a line, the header's length, the header, then the parts."""
    data = path.read_bytes()
    magic = b"papershelf cache shard\n"
    assert data.startswith(magic), path.name
    (length,) = struct.unpack_from("<Q", data, len(magic))
    start = len(magic) + 8
    _, stamp, keys, lengths = pickle.loads(data[start : start + length])
    offset, places = start + length, []
    for size in lengths:
        places.append((offset, size))
        offset += size
    assert offset == len(data), path.name
    return stamp, keys, places


def _shard_parts(path: Path) -> list[bytes]:
    """Return the pickled parts of a shard file, in order."""
    data = path.read_bytes()
    return [data[offset : offset + size] for offset, size in _shard_file(path)[2]]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "paper template": lambda ws: _replace(ws.templates / "paper.html", "<h1>", "<h1 class=t>"),
    "card template": lambda ws: _replace(ws.templates / "card.html", "<article", "<article id=c"),
    "layout": lambda ws: _replace(ws.templates / "base.html", "<body>", "<body class=x>"),
    "stylesheet": lambda ws: _replace(ws.templates / "static" / "style.css", "{", "{ color: red;"),
    "themes.yaml": lambda ws: _replace(ws.content / "themes.yaml", "title: Speech", "title: Talk"),
    "site title": lambda ws: _replace(ws.content / "site.yaml", "title: ", "title: New "),
    "excerpt length": lambda ws: _replace(
        ws.content / "site.yaml", "excerpt_length: 280", "excerpt_length: 120"
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_to_templates_themes_or_settings_reaches_every_page(shipped: Workspace, change):
    shipped.build()
    CHANGES[change](shipped)
    shipped.build()
    shipped.assert_same_as_cold()


def test_another_base_url_into_the_same_directory(shipped: Workspace) -> None:
    shipped.build()
    shipped.build(base_url="https://example.org/list/")
    shipped.assert_same_as_cold(base_url="https://example.org/list/")
    shipped.build()
    shipped.assert_same_as_cold()


def test_a_damaged_cache_is_ignored(shipped: Workspace) -> None:
    shipped.build()
    cache = shipped.root / CACHE_DIR
    files = sorted(path for path in cache.iterdir() if path.is_file())
    assert files
    for number, path in enumerate(files):  # garbage, cut short, or empty
        data = path.read_bytes()
        path.write_bytes([b"not a pickle", data[: len(data) // 2], b""][number % 3])
    _replace(shipped.papers / OFA, "abstract: >-\n  ", "abstract: >-\n  Revised. ")
    shipped.build()
    shipped.assert_same_as_cold()


def test_parsed_papers_lost_from_the_cache_are_parsed_again(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The files' digests are known and trusted, so that the papers are looked up, and not found.
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    shipped.build()
    time.sleep(0.02)  # past the clock tick of the files' last change
    shards = sorted((shipped.root / CACHE_DIR).glob("papers-*.pickle"))
    assert shards
    for path in shards:
        path.write_bytes(b"not a pickle")
    _replace(shipped.papers / OFA, "abstract: >-\n  ", "abstract: >-\n  Revised. ")
    shipped.build()
    shipped.assert_same_as_cold()


def test_a_damaged_part_of_a_shard_is_ignored(synthetic: Workspace) -> None:
    # Values made by worker processes are stored as the pickled parts they sent.
    synthetic.build(jobs=2)
    damaged = 0
    for path in sorted((synthetic.root / CACHE_DIR).glob("derived-*-[0-9][0-9].pickle")):
        places = _shard_file(path)[2]
        if places:  # its first part made unreadable, the others as they were
            offset, size = places[0]
            data = bytearray(path.read_bytes())
            data[offset : offset + size] = b"\xff" * size
            path.write_bytes(bytes(data))
            damaged += 1
    assert damaged
    papers = sorted(synthetic.papers.glob("*.yaml"))
    _replace(papers[5], "abstract: >-\n  ", "abstract: >-\n  Revised. ")
    synthetic.build(jobs=2)
    synthetic.assert_same_as_cold()


def _cache_of_papers(root: Path, slugs: list[str]) -> BuildCache:
    """Return a build's cache in `root` that knows a paper file for each slug."""
    cache = BuildCache(root / CACHE_DIR)
    cache.start_build()
    cache.paper_keys = {slug: digest_text(slug) for slug in slugs}
    cache.begin("inputs")
    return cache


def _views_read_back(root: Path, slugs: list[str]) -> list:
    """Return each paper's view as a later build finds it in the cache in `root`."""
    cache = _cache_of_papers(root, slugs)
    return [cache.cached("view", slug) for slug in slugs]


def _derive_on_two_cores(cache: BuildCache, slugs: list[str]) -> None:
    """Derive a value of each paper in two processes, as a build's paper pages are; take the
    worker's values in as the build does."""
    marks = cache.journal_marks()

    def work(shard: list[str]) -> dict:
        for slug in shard:
            cache.derived("view", slug, lambda slug=slug: f"view of {slug} " * 50)
        return cache.export_derived(marks)

    for exported in map_shards([slugs[::2], slugs[1::2]], work):
        cache.absorb_derived(exported)


@pytest.mark.skipif(not can_fork(), reason="workers fork")
def test_values_made_by_workers_wait_on_disk_and_all_reach_the_cache(tmp_path: Path) -> None:
    # A 10,000-paper cold build made 37 MB of such values; held in memory until the cache was
    # written, they were a fifth of its peak.
    slugs = [f"paper-{number}" for number in range(200)]
    cache = _cache_of_papers(tmp_path, slugs)
    _derive_on_two_cores(cache, slugs)

    waiting = [part for parts in cache._derived["view"].raw.values() for _, part in parts]
    assert waiting, "the values made were not handed on"
    assert not [part for part in waiting if isinstance(part, bytes)], "held in memory"
    assert cache.cached("view", slugs[7]) == "view of paper-7 " * 50
    cache.save()
    assert [path.name for path in (tmp_path / CACHE_DIR).iterdir() if "spill" in path.name] == []
    assert _views_read_back(tmp_path, slugs) == [f"view of {slug} " * 50 for slug in slugs]


@pytest.mark.skipif(not can_fork(), reason="workers fork")
def test_values_that_cannot_wait_on_disk_stay_in_memory(tmp_path: Path, monkeypatch) -> None:
    slugs = [f"paper-{number}" for number in range(20)]
    cache = _cache_of_papers(tmp_path, slugs)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", disk_full)
    _derive_on_two_cores(cache, slugs)
    monkeypatch.undo()
    cache.save()
    assert _views_read_back(tmp_path, slugs) == [f"view of {slug} " * 50 for slug in slugs]


@pytest.mark.skipif(not can_fork(), reason="workers fork")
def test_values_from_workers_are_looked_up_and_saved_without_pickling_them_again(
    tmp_path: Path,
) -> None:
    # A cold build asks whether every paper's brief is there, then reads each for the listings:
    # the question unpickled them all (22 MB at 10k), and the save pickled them all again.
    slugs = [f"paper-{number}" for number in range(200)]
    cache = _cache_of_papers(tmp_path, slugs)
    _derive_on_two_cores(cache, slugs)
    store = cache._derived["view"]
    sent = {
        index: [cache._spill.read(data) for _, data in parts] for index, parts in store.raw.items()
    }

    assert cache.lacking("view", slugs) == []
    assert not any(store.shards), "values unpickled to answer whether they are there"
    assert [cache.cached("view", slug) for slug in slugs] == [
        f"view of {slug} " * 50 for slug in slugs
    ]
    cache.save()

    for index, pickled in sent.items():
        assert sorted(_shard_parts(store._path(index))) == sorted(pickled)
    assert _views_read_back(tmp_path, slugs) == [f"view of {slug} " * 50 for slug in slugs]


@pytest.mark.skipif(not can_fork(), reason="workers fork")
def test_values_read_back_from_disk_are_let_go_and_are_still_there(tmp_path: Path) -> None:
    # The listings read every paper's brief back from the spill file; held until the build's
    # end, they were 16 MB of its peak at 10k.
    slugs = [f"paper-{number}" for number in range(200)]
    cache = _cache_of_papers(tmp_path, slugs)
    _derive_on_two_cores(cache, slugs)
    store = cache._derived["view"]
    views = [f"view of {slug} " * 50 for slug in slugs]
    assert [cache.cached("view", slug) for slug in slugs] == views
    assert sum(len(shard) for shard in store.shards if shard) == len(slugs)

    cache.release_derived()
    assert not any(store.shards), "values read back are still held"
    assert cache.cached("view", slugs[7]) == views[7]  # read from the spill file again
    cache.save()
    assert _views_read_back(tmp_path, slugs) == views


def _briefs_saved(directory: Path, count: int) -> list[str]:
    """Save a store of `count` briefs in `directory`; return their keys."""
    keys = [digest_text(str(number)) for number in range(count)]
    store = _Shards(directory, "derived-brief", "stamp", indexed=True)
    for number, key in enumerate(keys):
        store.put(key, f"brief {number}")
    store.save(set(keys))
    return keys


def test_a_shard_rewritten_copies_the_parts_nobody_changed_and_drops_what_is_gone(
    tmp_path: Path,
) -> None:
    # A daily import adds a brief or two to nearly every shard: unpickling and pickling again
    # every other brief of the shard, to write them, held them all in memory at the build's end.
    keys = _briefs_saved(tmp_path, 2000)
    index = _shard_of(keys[0])
    before = _shard_parts(tmp_path / f"derived-brief-{index:02d}.pickle")
    gone = next(key for key in keys if _shard_of(key) == index and key != keys[0])
    added = next(key for n in range(2000, 4000) if _shard_of(key := digest_text(str(n))) == index)

    store = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    store.put(added, "a new brief")
    store.save((set(keys) - {gone}) | {added})

    after = _shard_parts(tmp_path / f"derived-brief-{index:02d}.pickle")
    spent = [part for part in before if gone.encode() in part]
    assert len(spent) == 1
    assert [part for part in before if part not in spent] == after[: len(before) - 1]
    assert set(store.shards[index]) <= {added, *pickle.loads(spent[0])}, "others unpickled"
    again = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    assert again.get(gone) is None
    assert again.get(added) == "a new brief"
    assert again.get(keys[0]) == "brief 0"
    assert again._keys() == (set(keys) - {gone}) | {added}


def test_small_parts_from_many_saves_are_gathered(tmp_path: Path) -> None:
    keys = _briefs_saved(tmp_path, 64)
    index = _shard_of(keys[0])
    path = tmp_path / f"derived-brief-{index:02d}.pickle"
    live = set(keys)
    for number in range(64, 2000):  # one brief more in this shard at each save, as a day's
        key = digest_text(str(number))
        if _shard_of(key) != index:
            continue
        store = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
        store.put(key, f"brief {number}")
        live.add(key)
        store.save(live)
    entries = [key for key in live if _shard_of(key) == index]
    parts = _shard_file(path)[1]
    assert sorted(key for part in parts for key in part) == sorted(entries)
    assert len(parts) <= 2 * -(-len(entries) // PART_ENTRIES) + 1


def test_a_shard_replaced_by_another_build_is_still_read_as_it_was(tmp_path: Path) -> None:
    # A build reads a shard's header, then its parts when wanted: another build may have
    # written the shard meanwhile (a new file renamed over it).
    keys = _briefs_saved(tmp_path, 2000)
    index = _shard_of(keys[0])
    in_shard = [key for key in keys if _shard_of(key) == index]
    reading = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    assert reading.get(in_shard[0]) == f"brief {keys.index(in_shard[0])}"
    assert not any(isinstance(part, bytes) for _, part in reading.raw[index]), "held in memory"

    other = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    newer = [key for n in range(2000, 4000) if _shard_of(key := digest_text(str(n))) == index]
    for key in newer:
        other.put(key, "newer")
    other.save(set(newer))  # the shard now holds those alone
    fresh = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    assert (fresh.get(in_shard[-1]), fresh.get(newer[0])) == (None, "newer")
    assert [reading.get(key) for key in in_shard] == [f"brief {keys.index(k)}" for k in in_shard]


def test_a_cache_kept_across_builds_keeps_what_it_read_from_its_files(tmp_path: Path) -> None:
    # serve's next rebuild wants the same briefs and views again: it keeps them unpickled,
    # where a build whose process ends lets them go once its listings are made.
    slugs = [f"paper-{number}" for number in range(200)]
    made = _cache_of_papers(tmp_path, slugs)
    for slug in slugs:
        made.derived("view", slug, lambda slug=slug: f"view of {slug}")
    made.save()
    for kept_across_builds in (False, True):
        cache = _cache_of_papers(tmp_path, slugs)
        if kept_across_builds:
            cache.keep_across_builds()
        assert [cache.cached("view", slug) for slug in slugs] == [f"view of {s}" for s in slugs]
        cache.release_derived()
        held = sum(len(shard) for shard in cache._derived["view"].shards if shard)
        assert held == (len(slugs) if kept_across_builds else 0)
        assert cache.cached("view", slugs[7]) == "view of paper-7"


def test_an_entry_is_read_back_without_unpickling_its_whole_shard(tmp_path: Path) -> None:
    # An edit build re-renders a few listing pages: it wants about a hundred of 10,000 briefs.
    keys = [digest_text(str(number)) for number in range(2000)]
    store = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    for number, key in enumerate(keys):
        store.put(key, f"brief {number}")
    store.save()

    again = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    assert again.get(keys[7]) == "brief 7"
    unpickled = again.shards[_shard_of(keys[7])]
    assert unpickled is not None
    assert 0 < len(unpickled) <= PART_ENTRIES  # of about 62 in that shard
    assert [again.get(key) for key in keys] == [f"brief {number}" for number in range(2000)]


def test_looking_up_entries_a_store_lacks_unpickles_none_of_it(tmp_path: Path) -> None:
    # After every paper file changed (a `fmt`, a checkout), none of a build's papers is in the
    # store: unpickling every part to find that out held 32 MB of old papers (10k).
    keys = [digest_text(str(number)) for number in range(2000)]
    store = _Shards(tmp_path, "papers", "stamp")
    for number, key in enumerate(keys):
        store.put(key, f"paper {number}")
    store.save()

    again = _Shards(tmp_path, "papers", "stamp")
    absent = [digest_text(f"absent {number}") for number in range(500)]
    assert again.get_many(absent) == [None] * 500
    assert [len(shard or ()) for shard in again.shards] == [0] * SHARDS
    wanted = keys[::100]
    assert again.get_many(wanted) == [f"paper {number}" for number in range(0, 2000, 100)]
    assert 0 < sum(len(shard or ()) for shard in again.shards) <= len(wanted) * PART_ENTRIES
    assert again.get_many(keys) == [f"paper {number}" for number in range(2000)]


@pytest.mark.parametrize("earlier", [None, "other code"])
def test_values_received_from_workers_are_written_as_they_came(
    tmp_path: Path, earlier: str | None
) -> None:
    # A cold build's first save, with no index yet: unpickling 37 MB of values (at 10k) only to
    # list their keys, then pickling them again, took 45 MB more memory at the build's end. So
    # it did over files that other code wrote (after an upgrade, every file of the cache),
    # which no build can read: 25 MB more at 10k.
    keys = [digest_text(str(number)) for number in range(200)]
    if earlier is not None:
        old = _Shards(tmp_path, "derived-brief", earlier, indexed=True)
        for key in keys:
            old.put(key, "an older brief")
        old.save()
    made = _Shards(None, "derived-brief", "stamp", indexed=True)
    store = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    sent = []
    for half in (keys[:100], keys[100:]):  # two exports, as a worker sends every 500 papers
        for key in half:
            made.put(key, f"brief {keys.index(key)}")
        sent.append(made.export(0))
        store.absorb(sent[-1])
    store.save()

    for index in range(SHARDS):
        parts = [part for exported in sent if (part := exported.get(index))]
        if parts:
            path = store._path(index)
            assert _shard_file(path)[1] == [keys for keys, _ in parts]
            assert _shard_parts(path) == [data for _, data in parts]
    again = _Shards(tmp_path, "derived-brief", "stamp", indexed=True)
    assert [again.get(key) for key in keys] == [f"brief {number}" for number in range(200)]
    assert again._keys() == set(keys)


def test_a_cache_made_for_other_content_is_not_used(shipped: Workspace, tmp_path: Path) -> None:
    shipped.build()
    other = Workspace(tmp_path / "other", shipped.content, search=False)
    # Same file names, other values.
    for path in other.papers.glob("*.yaml"):
        _replace(path, "abstract: >-\n  ", "abstract: >-\n  Other. ")
    shutil.copytree(shipped.root / CACHE_DIR, other.root / CACHE_DIR)
    other.build()
    other.assert_same_as_cold()


def test_an_edit_that_keeps_size_and_modification_time_is_seen(shipped: Workspace) -> None:
    shipped.build()
    path = shipped.papers / OFA
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Pretraining", "Pre-trainin", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    shipped.build()
    shipped.assert_same_as_cold()


@pytest.mark.parametrize("paper_edited", [False, True], ids=["alone", "with-a-paper-edited"])
def test_an_output_directory_changed_by_hand_is_repaired(
    shipped: Workspace, paper_edited: bool
) -> None:
    """Whether the output is as the last build left it is checked alongside reading the
    inputs; a build with inputs changed as well must not trust it either."""
    shipped.build()
    page = shipped.out / "papers" / OFA.removesuffix(".yaml") / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<h1>", b"<h1>Edited "))
    (shipped.out / "feed.xml").unlink()
    (shipped.out / "extra.html").write_text("left over")
    (shipped.out / "papers" / "stray").mkdir()
    if paper_edited:
        path = shipped.papers / OFA
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("abstract: >-\n  ", "abstract: >-\n  New. "), encoding="utf-8")
    shipped.build()
    shipped.assert_same_as_cold()


def test_the_manifest_knows_every_directory_of_a_new_site(shipped: Workspace) -> None:
    """A new site's directories are recorded from those the build made, without walking the
    tree: every one of them must be there, or a directory changed by hand would go unnoticed."""
    for _ in range(2):  # a new directory, then a site replaced by a new one
        shipped.build(jobs=2)
        record = BuildCache(shipped.root / CACHE_DIR).site(shipped.out)
        assert record is not None
        walked = {
            Path(directory).relative_to(shipped.out).as_posix()
            for directory, _, _ in os.walk(shipped.out)
        }
        assert set(record.manifest.directories) == walked
        shutil.rmtree(shipped.root / CACHE_DIR)  # so that the next build makes a new site


def test_a_failed_build_leaves_the_site_and_no_temporary_files(shipped: Workspace) -> None:
    shipped.build()
    before = read_tree(shipped.out)
    _replace(shipped.papers / OFA, "abstract: >-\n  ", "abstract: >-\n  Revised. ")
    _replace(shipped.templates / "paper.html", "{{ paper.title }}", "{{ paper.title.nope() }}")
    with pytest.raises(ProblemsError, match="template error"):
        shipped.build(jobs=2)
    assert read_tree(shipped.out) == before
    names = [path.name for path in shipped.root.rglob("*") if ".new-" in path.name]
    assert names == []


@pytest.mark.skipif(not can_fork(), reason="workers fork")
def test_a_worker_that_dies_leaves_the_site_and_no_temporary_files(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Killed, or out of memory: what it had written in place, it never reported.
    shipped.build()
    before = read_tree(shipped.out)
    directories = {path for path in shipped.out.rglob("*") if path.is_dir()}
    for path in shipped.papers.glob("*.yaml"):  # every page to re-render, on both cores
        _replace(path, "abstract: >-\n  ", "abstract: >-\n  Revised. ")
        (shipped.papers / f"copy-of-{path.name}").write_text(path.read_text(encoding="utf-8"))
    here = os.getpid()
    rendered = templates.render_template
    pages_in_worker: list[str] = []

    def dies_in_a_worker(env, name: str, context):
        if os.getpid() != here and name == "paper.html":
            pages_in_worker.append(name)
            if len(pages_in_worker) == 5:  # some of its files and directories made already
                os._exit(9)
        return rendered(env, name, context)

    monkeypatch.setattr(templates, "render_template", dies_in_a_worker)
    with pytest.raises(WorkerError):
        shipped.build(jobs=2)
    monkeypatch.undo()
    assert read_tree(shipped.out) == before
    assert {path for path in shipped.out.rglob("*") if path.is_dir()} == directories
    names = [path.name for path in shipped.root.rglob("*") if ".new-" in path.name]
    assert names == []


def test_no_cache_builds_neither_read_nor_write_one(shipped: Workspace) -> None:
    shipped.cold()
    assert not (shipped.root / CACHE_DIR).exists()


def test_every_input_of_a_paper_page_is_in_its_digest() -> None:
    # digests.paper_inputs digests what a paper page shows; a new field of PaperPage must be
    # added there (and to PAPER_PAGE_FIELDS), or pages would be reused when it changes.
    assert PaperPage._fields == PAPER_PAGE_FIELDS


def test_short_lists_show_only_what_their_digest_holds() -> None:
    # Related papers and the archive are re-rendered when a listed paper's slug, title or date
    # changes (digests.link_identity): a PaperLink showing more would go stale.
    assert PaperLink._fields == ("href", "title", "published")


def test_values_made_from_every_paper_outlive_a_build_that_did_not_need_them(
    tmp_path: Path,
) -> None:
    # serve keeps one cache across rebuilds; a rebuild that finds nothing changed does not make
    # the catalog, and must not forget the related papers the next edit's build will want.
    made: list[str] = []

    def compute() -> str:
        made.append("computed")
        return "related papers"

    first = BuildCache(tmp_path / CACHE_DIR)
    first.start_build()
    assert first.remember("key", compute) == "related papers"
    first.save()
    first.start_build()  # a rebuild with nothing changed: nothing asked for
    first.save()
    later = BuildCache(tmp_path / CACHE_DIR)
    later.start_build()
    assert later.remember("key", compute) == "related papers"
    assert made == ["computed"]


def test_libraries_count_by_their_installed_version(tmp_path: Path, monkeypatch) -> None:
    """CI installs the libraries afresh on every run: their files' times change, their version
    does not, and a restored cache must hold. A new version (or a library installed without
    dist-info, by its file's size and time) makes another digest."""
    library = tmp_path / "shapelib"
    library.mkdir()
    (library / "__init__.py").write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "shapelib-1.0.dist-info").mkdir()
    (tmp_path / "shapelib_other-2.0.dist-info").mkdir()  # a prefix of it is not it
    monkeypatch.syspath_prepend(str(tmp_path))

    def version() -> str:
        return _library_version("shapelib", "shapelib", {})

    first = version()
    assert first == "shapelib-1.0.dist-info"
    os.utime(library / "__init__.py", ns=(1, 1))
    assert version() == first
    (tmp_path / "shapelib-1.0.dist-info").rename(tmp_path / "shapelib-1.1.dist-info")
    assert version() == "shapelib-1.1.dist-info"
    shutil.rmtree(tmp_path / "shapelib-1.1.dist-info")
    unversioned = version()
    assert unversioned.endswith(":10:1")  # size and modification time
    os.utime(library / "__init__.py", ns=(2, 2))
    assert version() != unversioned


def test_papers_with_a_fingerprint_in_common_hold_it_once(shipped: Workspace) -> None:
    # Import fingerprints an empty value, a theme or a date alike for every paper: held once per
    # paper, the pairs were 15% of the memory of 10,000 parsed papers.
    papers = [load_paper(path)[0] for path in sorted(shipped.papers.glob("*.yaml"))]
    pairs = [
        pair for paper in papers if paper and paper.provenance for pair in paper.provenance.imported
    ]
    distinct = set(pairs)
    assert len(distinct) < len(pairs)
    assert len({id(pair) for pair in pairs}) == len(distinct)


def test_papers_read_back_from_the_cache_are_the_papers_parsed(shipped: Workspace) -> None:
    """The cache's decoder makes papers without their __init__ (for speed): what it makes must
    be equal, hash alike and stay frozen, with every kind of field the content has."""
    papers = [load_paper(path)[0] for path in sorted(shipped.papers.glob("*.yaml"))]
    assert all(papers) and any(p.provenance for p in papers) and any(p.organization for p in papers)
    full = dataclasses.replace(
        papers[0],
        authors=Authors(3, ("Ada Lovelace", "Alan Turing")),
        notes="A curator's *note*.",
        links=(Link("https://arxiv.org/abs/2401.00001", "paper"), Link("https://x.org/c", "code")),
    )
    papers.append(full)
    for paper in papers:
        back = decode_paper(encode_paper(paper))
        assert back == paper
        assert hash(back) == hash(paper)
        assert dataclasses.asdict(back) == dataclasses.asdict(paper)
        assert [type(link) for link in back.links] == [type(link) for link in paper.links]
        with pytest.raises(dataclasses.FrozenInstanceError):
            back.title = "changed"  # type: ignore[misc]


def test_a_build_from_another_directory_reuses_the_last_ones_work(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Messages show paths from the working directory, but what a build keeps must not depend
    on it: run from elsewhere, a build parses and renders no more than it would have, and shows
    each file's path from where it runs."""
    from papershelf import content
    from papershelf.build import BuildOptions, build_site

    parsed: list[str] = []
    real_parse = content._parse_raw
    monkeypatch.setattr(
        content, "_parse_raw", lambda raw, shown: parsed.append(shown) or real_parse(raw, shown)
    )
    path = shipped.papers / OFA
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("published: 2023-11-15", "published: someday"), encoding="utf-8")

    def build(cwd: Path, content_dir: str) -> None:
        monkeypatch.chdir(cwd)
        options = BuildOptions(Path(content_dir), shipped.templates, shipped.out, jobs=1)
        build_site(options)

    with pytest.raises(ProblemsError) as failed:
        build(shipped.root, "content")
    assert failed.value.problems[0].location.path == f"content/papers/{OFA}"
    parsed.clear()
    with pytest.raises(ProblemsError) as failed:
        build(shipped.content, ".")
    assert parsed == []  # every file's parse was kept, the failing one's too
    assert failed.value.problems[0].location.path == f"papers/{OFA}"

    path.write_text(text, encoding="utf-8")
    build(shipped.root, "content")
    before = file_times(shipped.out)
    path.write_text(text.replace("abstract: >-\n  ", "abstract: >-\n  New. "), encoding="utf-8")
    parsed.clear()
    build(shipped.content, ".")
    assert parsed == [f"papers/{OFA}"]
    after = file_times(shipped.out)
    rewritten = [name for name in after if after[name] != before.get(name)]
    assert 0 < len(rewritten) < len(after) / 5
    shipped.assert_same_as_cold()


def test_a_build_that_ends_the_process_leaves_what_it_made_for_the_exit(
    shipped: Workspace,
) -> None:
    # The command line ends the process once the build returns: freed an object at a time
    # as the build returned, its records took 64 ms of a 10,000-paper edit build.
    from papershelf.build import BuildOptions, RenderedSite, build_site
    from papershelf.cache import SiteRecord
    from papershelf.sitewriter import SiteWriter

    options = BuildOptions(shipped.content, shipped.templates, shipped.out)
    first: list[object] = []
    build_site(options, keep=first)
    paper = sorted(shipped.papers.glob("*.yaml"))[0]
    text = paper.read_text(encoding="utf-8")
    assert "abstract: >-\n  " in text
    paper.write_text(text.replace("abstract: >-\n  ", "abstract: >-\n  Revised. "), "utf-8")
    second: list[object] = []
    build_site(options, keep=second)

    kinds = {type(kept) for kept in first}
    assert {RenderedSite, SiteWriter} <= kinds
    assert {RenderedSite, SiteWriter} <= {type(kept) for kept in second}
    # All but the last build's record, let go of once this build's was made (_cached_build).
    assert SiteRecord not in {type(kept) for kept in second}
    shipped.assert_same_as_cold()


@pytest.mark.skipif(not can_fork(), reason="papers are parsed on two processes")
def test_papers_parsed_on_two_processes_are_saved_as_they_exported_them(
    synthetic_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process's records go to the cache pickled as it exported them, not unpickled and
    pickled again by the building process: pickling them was 60 ms of the end of a 10,000-paper
    build, and holding them 8 MB of its peak. A later build reads the same papers from them."""
    from papershelf import content
    from papershelf.content import load_papers

    directory = tmp_path / CACHE_DIR

    def read() -> tuple:
        cache = BuildCache(directory)
        cache.start_build()
        cache.begin("inputs")
        papers, problems = load_papers(synthetic_content, cache, processes=2)
        cache.save()
        return papers, problems

    papers, problems = read()
    assert len(papers) == 160 and not problems
    shards = sorted(directory.glob("papers-*.pickle"))
    assert len(shards) == SHARDS
    for path in shards:  # one part from each process, or one in all
        assert 1 <= len(_shard_parts(path)) <= 2, path.name

    def not_parsed(raw: bytes, shown: str) -> tuple:
        raise AssertionError(f"{shown} parsed again")

    monkeypatch.setattr(content, "_parse_raw", not_parsed)
    assert read() == (papers, problems)


@pytest.mark.skipif(not can_fork(), reason="papers are parsed on other processes by forking")
def test_a_build_reads_papers_without_provenance_and_the_cache_keeps_it_for_import(
    synthetic_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build renders no paper's provenance, so the papers it reads, parsed by any process or
    read back from the cache, are made without it (its fingerprints are 7 MB of a 10,000-paper
    build). The cache stores each paper as parsed: an import reads it back whole."""
    from papershelf import content as content_module
    from papershelf.content import load_papers

    content = tmp_path / "content"
    shutil.copytree(synthetic_content, content)
    parsed = {}
    for path in sorted((content / "papers").glob("*.yaml")):
        paper = load_paper(path)[0]
        assert paper is not None and paper.provenance is not None
        parsed[paper.slug] = paper

    def as_built(paper):
        return dataclasses.replace(paper, provenance=None, path=Path(paper.path).name)

    for _ in range(2):  # parsed, on two processes; then read back from the cache
        cache = BuildCache(cache_dir_for(content))
        cache.start_build()
        cache.begin("inputs")
        papers, problems = load_papers(content, cache, processes=2)
        cache.save()
        assert not problems
        assert [paper.slug for paper in papers if paper.provenance] == []
        built = {paper.slug: as_built(paper) for paper in papers}
        assert built == {slug: as_built(paper) for slug, paper in parsed.items()}

    def not_parsed(raw: bytes, shown: str) -> tuple:
        raise AssertionError(f"{shown} parsed again")

    monkeypatch.setattr(content_module, "_parse_raw", not_parsed)
    papers, _ = load_papers(content, cache_beside(content))
    assert {paper.slug: paper.provenance for paper in papers} == {
        slug: paper.provenance for slug, paper in parsed.items()
    }


def test_files_written_just_before_a_build_are_found_in_the_cache_by_the_next(
    synthetic: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import, then a build at once: that build cannot trust the files' times yet, so the next
    one digests every file again. It finds their papers in the cache by their digests, and
    neither parses nor stores them again. (Every core used to read its share again and send
    back papers the cache had, to be stored again: the store was rewritten, and a 10,000-paper
    build after a daily import peaked 30 MB higher.)"""
    from papershelf import content

    for path in synthetic.papers.glob("*.yaml"):
        os.utime(path)  # as an import leaves them: changed just now
    synthetic.build(jobs=2)
    store = sorted((synthetic.root / CACHE_DIR).glob("papers-*.pickle"))
    assert store

    def signature(path: Path) -> tuple[int, int]:
        stat = path.stat()
        return stat.st_ino, stat.st_mtime_ns

    before = {path: signature(path) for path in store}
    edited = synthetic.papers / sorted(p.name for p in synthetic.papers.glob("*.yaml"))[7]
    _replace(edited, "abstract: >-\n  ", "abstract: >-\n  Revised. ")
    parsed: list[str] = []
    parse = content._parse_raw

    def counted(raw: bytes, shown: str) -> tuple:
        parsed.append(Path(shown).name)
        return parse(raw, shown)

    monkeypatch.setattr(content, "_parse_raw", counted)
    synthetic.build(jobs=2)
    rewritten = [path.name for path in store if signature(path) != before[path]]
    assert len(rewritten) <= 1, rewritten  # the shard that holds the edited paper, if any
    assert parsed == [edited.name]  # here: one file is not worth another process
    synthetic.assert_same_as_cold()


@pytest.mark.skipif(not can_fork(), reason="papers are parsed on other processes by forking")
def test_a_build_after_every_paper_file_changed_parses_them_on_every_core(
    synthetic: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A `fmt` of every file, or a checkout, changes every paper file: the build parses them all
    again, on every core, as a cold build does (it parsed them one after another, slower than
    a cold build at 10k), and keeps the bytes of a few files read to digest them, not all."""
    from papershelf import content

    synthetic.build(jobs=2)
    changed = sorted(synthetic.papers.glob("*.yaml"))
    for path in changed:
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    log = tmp_path / "parsed-by"
    parse = content._parse_raw

    def logged(raw: bytes, shown: str) -> tuple:
        with log.open("a", encoding="utf-8") as out:  # one short line: appended whole
            out.write(f"{os.getpid()} {Path(shown).name}\n")
        return parse(raw, shown)

    monkeypatch.setattr(content, "_parse_raw", logged)
    # Two files' bytes kept from their digest: the others are read again to be parsed.
    monkeypatch.setattr(cache_module, "KEPT_READ_BYTES", 2 * changed[0].stat().st_size)
    synthetic.build(jobs=2)
    parsed = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(name for _, name in parsed) == [path.name for path in changed]
    assert len({pid for pid, _ in parsed}) == 2
    synthetic.assert_same_as_cold()


def test_the_record_of_a_build_reads_back_as_it_was_written(tmp_path: Path) -> None:
    """Digests and inputs of any width (none, as for files rendered from nothing in
    particular), paths outside ASCII, and numbers past 32 bits come back as they were, however
    the record is looked into; a record whose columns do not agree is not used."""
    from papershelf.cache import SiteRecord, _decode_site, _encode_site
    from papershelf.sitewriter import FileRecord, InputsBasis, Manifest

    files = {
        "index.html": FileRecord("a" * 32, 1200, 1_733_000_000_123_456_789, "b" * 32),
        "papers/café/index.html": FileRecord("c" * 32, 0, 5, ""),
        "feed.xml": FileRecord("d" * 31, 2**40, 7, "e"),
        "robots.txt": FileRecord("", 3, 9, ""),
    }
    basis = InputsBasis("shared", {"x.yaml": "k1", "y.yaml": "k2"}, "listed")
    record = SiteRecord("inputs", Manifest(files, {"": 1, "papers": 2}, basis), {"n": 1}, "site")
    cache = BuildCache(tmp_path / CACHE_DIR)
    cache.remember_site(tmp_path / "site", record)
    cache.save()
    read = BuildCache(tmp_path / CACHE_DIR).site(tmp_path / "site")
    assert read is not None
    assert (read.inputs, read.summary, read.site_inputs) == ("inputs", {"n": 1}, "site")
    assert read.manifest.directories == {"": 1, "papers": 2}
    assert read.manifest.basis == basis
    recorded = read.manifest.files
    assert dict(recorded.items()) == files
    assert list(recorded) == list(files) and len(recorded) == len(files)
    assert recorded.keys() == files.keys()
    assert [recorded.get(path) for path in files] == list(files.values())
    assert recorded.get("missing.html") is None and "missing.html" not in recorded
    assert recorded.get("index.htm") is None and "feed.xml\0robots.txt" not in recorded
    many = {f"papers/p{n}/index.html": FileRecord(f"{n:032x}", n, n, "") for n in range(3000)}
    cache.remember_site(tmp_path / "many", SiteRecord("i", Manifest(many, {}), {}, "s"))
    cache.save()
    looked_up = BuildCache(tmp_path / CACHE_DIR).site(tmp_path / "many")
    assert looked_up is not None
    assert [looked_up.manifest.files[path] for path in many] == list(many.values())
    assert recorded.as_dict() == files and list(recorded.as_dict()) == list(files)
    assert list(recorded.values()) == list(files.values())
    with pytest.raises(KeyError):
        recorded["missing.html"]
    # Written again from what was read back: the same record.
    assert _decode_site(_encode_site(read)).manifest.files.items() == files.items()

    inputs, columns, *rest = _encode_site(record)
    paths, (digests, width), sizes, mtimes, made_from = columns
    with pytest.raises(ValueError):  # one digest short
        _decode_site((inputs, (paths, (digests[:-1], width), sizes, mtimes, made_from), *rest))
    with pytest.raises(ValueError):  # one size short
        _decode_site((inputs, (paths, (digests, width), sizes[:-1], mtimes, made_from), *rest))
    with pytest.raises(ValueError):  # the last path cut short
        _decode_site((inputs, (paths[:-1], (digests, width), sizes, mtimes, made_from), *rest))


@pytest.mark.parametrize(
    ("site_inputs", "papers_changed", "made_at_once"),
    [
        ("site", 1, True),
        ("site", None, True),
        ("site", 10, True),
        ("site", 11, False),
        ("other templates", 1, False),
    ],
)
def test_the_last_records_are_made_at_once_only_when_most_files_will_be_kept(
    tmp_path: Path, site_inputs: str, papers_changed: int | None, made_at_once: bool
) -> None:
    """With the same templates and settings and at most one paper file in ten changed, a build
    keeps most files with their records, which it makes at once; else it makes most files again,
    and looks each record up in the columns it was read back as (see `previous_manifest`)."""
    from papershelf.build import previous_manifest
    from papershelf.cache import SiteRecord
    from papershelf.sitewriter import FileRecord, Manifest, RecordedFiles

    files = {f"papers/p{n}/index.html": FileRecord(f"{n:032x}", n, n, "i" * 32) for n in range(9)}
    record = SiteRecord("inputs", Manifest(files, {"": 1}), {"paper_count": 100}, "site")
    cache = BuildCache(tmp_path / CACHE_DIR)
    cache.remember_site(tmp_path / "site", record)
    cache.save()
    read = BuildCache(tmp_path / CACHE_DIR).site(tmp_path / "site")
    manifest = previous_manifest(read, site_inputs, papers_changed)
    assert manifest is not None and dict(manifest.files.items()) == files
    assert isinstance(manifest.files, dict) is made_at_once
    assert isinstance(manifest.files, RecordedFiles) is not made_at_once
