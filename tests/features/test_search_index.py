"""The Pagefind index: built with the site, byte-identical across builds and base URLs, atomic
with the rest of the site, in parts for a long list, and switched off by `search: false`."""

from __future__ import annotations

import gzip
import stat
from pathlib import Path

import pytest

from papershelf.build import BuildOptions, build_site
from papershelf.errors import ProblemsError
from papershelf.search import (
    ENTRY_FILE,
    SIGNATURE,
    CborMap,
    _decode,
    _encode,
    _read_cbor,
    canonical_bundle,
    search_bundles,
)
from papershelf.write import OutputFile
from tests.features.conftest import TEMPLATES, copy_content
from tests.site.conftest import read_tree


def _bundle(site: Path) -> dict[str, bytes]:
    return {path: data for path, data in read_tree(site).items() if path.startswith("pagefind/")}


def test_two_builds_at_different_base_urls_give_the_same_index(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    first = build_site(BuildOptions(content, TEMPLATES, tmp_path / "a"))
    build_site(BuildOptions(content, TEMPLATES, tmp_path / "b", base_url="http://127.0.0.1:9/x/y/"))
    build_site(BuildOptions(content, TEMPLATES, tmp_path / "c"))
    bundles = [_bundle(tmp_path / name) for name in "abc"]
    assert bundles[0] and bundles[0] == bundles[1] == bundles[2]
    assert any(path.startswith("pagefind/filter/") for path in bundles[0])
    # A fresh build in memory compares equal, index included.
    checked = build_site(BuildOptions(content, TEMPLATES, tmp_path / "a", check=True))
    assert checked.ok and checked.file_count == first.file_count


def _shuffled_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """Return the bundle with each filter's values reversed, as another Pagefind run may order
    them, under a new file name that the metadata file points to."""
    shuffled = dict(files)
    for name in [n for n in files if n.startswith("filter/")]:
        filter_name, values = _read_cbor(shuffled.pop(name), name)
        data = gzip.compress(SIGNATURE + _encode([filter_name, values[::-1]]), mtime=0)
        renamed = name.replace(".pf_filter", "x.pf_filter")
        shuffled[renamed] = data
        for meta in [n for n in shuffled if n.endswith(".pf_meta")]:
            raw = gzip.decompress(shuffled[meta])
            old, new = Path(name).stem.encode(), Path(renamed).stem.encode()
            # The name grows by one character, and so does its CBOR length prefix.
            patched = raw.replace(bytes([0x60 + len(old)]) + old, bytes([0x60 + len(new)]) + new)
            assert patched != raw
            shuffled[meta] = gzip.compress(patched, mtime=0)
    return shuffled


def test_filter_values_in_any_order_give_the_same_bundle(fixture_build: Path) -> None:
    bundle = {path.removeprefix("pagefind/"): data for path, data in _bundle(fixture_build).items()}
    (filter_file,) = [n for n in bundle if n.startswith("filter/")]
    _, values = _read_cbor(bundle[filter_file], filter_file)
    assert [value[0] for value in values] == sorted(value[0] for value in values)
    assert len(values) > 1
    shuffled = _shuffled_filters(bundle)
    assert shuffled != bundle
    assert canonical_bundle(shuffled) == bundle
    assert canonical_bundle(bundle) == bundle


def test_cbor_round_trips_in_shortest_form() -> None:
    for number, size in ((0, 1), (23, 1), (24, 2), (255, 2), (256, 3), (65536, 5), (2**32, 9)):
        encoded = _encode(number)
        assert len(encoded) == size and _decode(encoded, 0) == (number, size)
    value = ["theme", [["speech", [0, 24, 1000]], ["é", []]], CborMap([("k", -5)]), b"\x00"]
    encoded = _encode(value)
    assert _decode(encoded, 0) == (value, len(encoded))
    with pytest.raises(ValueError, match="unsupported"):
        _decode(b"\xf9\x3c\x00", 0)  # a half-precision float: Pagefind writes none


def test_an_unexpected_index_format_is_refused_not_guessed() -> None:
    meta = gzip.compress(SIGNATURE + b"\x18\x05", mtime=0)  # 5 written in a needless 2 bytes
    files = {
        ENTRY_FILE: b'{"version":"1","languages":{"en":{"hash":"en_1","page_count":1}}}',
        "pagefind.en_1.pf_meta": meta,
    }
    with pytest.raises(ValueError, match="does not read back to the same bytes"):
        canonical_bundle(files)


def test_a_missing_indexer_fails_the_build_and_keeps_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = copy_content(tmp_path / "content")
    out = tmp_path / "site"
    build_site(BuildOptions(content, TEMPLATES, out))
    before = read_tree(out)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(ProblemsError) as raised:
        build_site(BuildOptions(content, TEMPLATES, out))
    (problem,) = raised.value.problems
    assert problem.format_text().startswith(
        f"pagefind: error: cannot run {tmp_path / 'no-such-pagefind'}: No such file or directory"
    )
    assert read_tree(out) == before


def test_a_failing_indexer_is_reported_with_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: out of disk space' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    files, problems = search_bundles([OutputFile("papers/x/index.html", b"<html></html>")], 1)
    assert files == []
    assert [p.message for p in problems] == [
        "search indexing failed (exit 3): Error: out of disk space"
    ]


def test_search_false_builds_no_index_page_or_search_box(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    settings = content / "site.yaml"
    settings.write_text(settings.read_text() + "search: false\n")
    out = tmp_path / "site"
    build_site(BuildOptions(content, TEMPLATES, out))
    built = read_tree(out)
    assert not any(path.startswith(("pagefind/", "search/")) for path in built)
    assert b'role="search"' not in built["index.html"]
    assert b"/search/" not in built["sitemap.xml"]
    assert b"/stats/" in built["sitemap.xml"]


def test_a_list_without_papers_builds_without_an_index(tmp_path: Path) -> None:
    content = copy_content(tmp_path / "content")
    for paper in (content / "papers").glob("*.yaml"):
        paper.unlink()
    out = tmp_path / "site"
    build_site(BuildOptions(content, TEMPLATES, out))
    built = read_tree(out)
    assert not any(path.startswith("pagefind/") for path in built)
    assert b"No papers to search yet." in built["search/index.html"]
    assert b"<script" not in built["search/index.html"]
    assert b"No papers yet" in built["stats/index.html"]


def _in_parts(content: Path, papers_per_part: int) -> Path:
    settings = content / "site.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"search_part_papers: {papers_per_part}\n",
        encoding="utf-8",
    )
    return content


def _times(site: Path, prefix: str) -> dict[str, int]:
    return {
        path.relative_to(site).as_posix(): path.stat().st_mtime_ns
        for path in sorted((site / prefix).rglob("*"))
        if path.is_file()
    }


def test_a_long_list_is_indexed_in_parts_and_an_edit_indexes_only_its_part_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf import search

    content = _in_parts(copy_content(tmp_path / "content"), 2)
    out = tmp_path / "site"
    built = build_site(BuildOptions(content, TEMPLATES, out))
    papers = built.paper_count
    # A part no paper falls in has no bundle, and is not merged.
    parts = sorted((p.name for p in (out / "pagefind").iterdir()), key=int)
    assert len(parts) > 1
    # Every paper is in exactly one part, and the search page merges every part.
    fragments = [len(list((out / "pagefind" / part / "fragment").iterdir())) for part in parts]
    assert sum(fragments) == papers and min(fragments) > 0
    # Pagefind's script, worker and WebAssembly come from the first part only.
    scripts = [sorted(p.name for p in (out / "pagefind").glob(f"{part}/*.js")) for part in parts]
    assert scripts == [["pagefind-worker.js", "pagefind.js"]] + [[]] * (len(parts) - 1)
    form = (out / "search/index.html").read_text(encoding="utf-8")
    assert f'data-pagefind="/reading-list/pagefind/{parts[0]}/pagefind.js"' in form
    others = " ".join(f"/reading-list/pagefind/{part}/" for part in parts[1:])
    assert f'data-pagefind-parts="{others}"' in form

    indexed: list[list[str]] = []
    real_index = search._index

    def counted(pages, *rest):
        indexed.append([page.path for page in pages])
        return real_index(pages, *rest)

    monkeypatch.setattr(search, "_index", counted)
    edited = next((content / "papers").glob("*.yaml"))
    before = {part: _times(out, f"pagefind/{part}") for part in parts}
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("abstract: >-\n  ", "abstract: >-\n  Zebrafish. ", 1))
    build_site(BuildOptions(content, TEMPLATES, out))
    page = f"papers/{edited.stem}/index.html"
    (again,) = indexed
    assert page in again
    changed = [part for part in parts if _times(out, f"pagefind/{part}") != before[part]]
    assert len(changed) == 1
    # And the site is what a build without any earlier one makes.
    build_site(BuildOptions(content, TEMPLATES, tmp_path / "cold", cache=False))
    assert read_tree(out) == read_tree(tmp_path / "cold")


def test_a_build_may_leave_the_index_for_the_next_one_which_brings_it_up_to_date(
    tmp_path: Path,
) -> None:
    """What `serve` does after an edit: the pages first, with the last index, then the index."""
    content = copy_content(tmp_path / "content")
    out = tmp_path / "site"
    build_site(BuildOptions(content, TEMPLATES, out))
    index = _bundle(out)
    edited = next((content / "papers").glob("*.yaml"))
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("abstract: >-\n  ", "abstract: >-\n  Zebrafish. ", 1))
    page = out / "papers" / edited.stem / "index.html"

    first = build_site(BuildOptions(content, TEMPLATES, out, search_later=True))
    assert first.search_stale
    assert b"Zebrafish" in page.read_bytes()
    assert _bundle(out) == index
    second = build_site(BuildOptions(content, TEMPLATES, out))
    assert not second.search_stale
    assert _bundle(out) != index
    build_site(BuildOptions(content, TEMPLATES, tmp_path / "cold", cache=False))
    assert read_tree(out) == read_tree(tmp_path / "cold")
    # Nothing left to do.
    assert not build_site(BuildOptions(content, TEMPLATES, out, search_later=True)).search_stale
