"""Full-text search: index the rendered paper pages with Pagefind at build time.

Pagefind (PyPI `pagefind[extended]`, whose binary ships in the wheel) reads the pages in a
private scratch directory and writes its bundle there; the bundle comes back as ordinary output
files under `pagefind/`, so it is written, swapped in and `--check`ed with the rest of the site,
and a failed index leaves the published site untouched.

What is indexed is decided in paper.html: `data-pagefind-body` marks the text, and
`data-pagefind-filter="theme:<id>"` the filter the search page offers. Results carry no base
path; the search page's script gives Pagefind the site's base URL.

A long list is indexed in parts (`index_parts`), each a Pagefind bundle of its own under
`pagefind/<n>/`, which the search page merges (Pagefind's `mergeIndex`). Each paper page belongs
to the part its path hashes to, and a part whose pages are byte for byte those the last build
indexed keeps its files (see `search_bundles`): an edit re-indexes one part, not the whole list
(Pagefind takes about a second per thousand pages on two cores).

Pagefind writes each filter's values in hash-map order, which changes from run to run (its
source says so: "TODO: Change filter indexes to BTree to give them a stable hash"), and the
names of the filter and metadata files are hashes of their content. `canonical_bundle` sorts
the values and renames what depends on them, so that two builds give the same bytes. It reads
Pagefind's CBOR files with the small codec below and refuses (rather than guesses) when a file
does not decode and re-encode to exactly its own bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from papershelf import urls
from papershelf.cache import digest_text
from papershelf.errors import Location, Problem
from papershelf.sitewriter import StoredFile, digest_bytes
from papershelf.workers import cpu_count
from papershelf.write import OutputFile

# Pagefind's ready-made interfaces; the search page has its own small, labelled one.
UNUSED_FILES = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-highlight.js",
    }
)
# Nor, in a part merged into the first, what Pagefind loads from the first part only: its
# script, its worker and its WebAssembly (`wasm.<language>.pagefind`).
_FIRST_PART_ONLY = frozenset({"pagefind.js", "pagefind-worker.js"})
TIMEOUT_SECONDS = 600
ENTRY_FILE = "pagefind-entry.json"
BODY_MARK = b"data-pagefind-body"
# Pagefind's gzipped files start, once unpacked, with this signature.
SIGNATURE = b"pagefind_dcd"
FILTER_FILE = "filter/{}.pf_filter"
_INSTALL_HINT = "install it with `pip install 'pagefind[extended]'`, or set `search: false`"


def pagefind_executable() -> Path | None:
    """Return the Pagefind binary: $PAGEFIND_BINARY_PATH, else the one the wheel ships."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    try:
        return get_executable()
    except FileNotFoundError:
        return None


def _problem(message: str, hint: str | None = None) -> Problem:
    return Problem(Location("pagefind"), message, hint)


def index_parts(pages: int, part_pages: int) -> int:
    """Return how many parts the index of `pages` pages has: a power of two, so that a growing
    list moves its pages to other parts (and is indexed afresh) only when it doubles."""
    parts = 1
    while parts * part_pages < pages:
        parts *= 2
    return parts


def _part_of(path: str, parts: int) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") % parts


def part_directories(slugs: Iterable[str], parts: int) -> list[str]:
    """Return the directories of the parts that index some of these papers' pages, in order
    (the search page merges them; a part no page falls in has no bundle)."""
    paths = (urls.output_path(urls.paper(slug)) for slug in slugs)
    used = sorted({_part_of(path, parts) for path in paths})
    return [urls.search_part(part, parts) for part in used]


# What the last build left under a part's directory, if it made all of it from these inputs.
KeptPart = Callable[[str, str], Sequence[OutputFile | StoredFile] | None]


def search_bundles(
    pages: Sequence[OutputFile | StoredFile], parts: int, kept: KeptPart | None = None
) -> tuple[list[OutputFile | StoredFile], list[Problem]]:
    """Index `pages` (rendered HTML) in `parts` parts; return the bundles as files under
    `pagefind/`. `kept(directory, inputs)` gives a part the last build made from the same
    pages, which is then not indexed again."""
    # Once any page has `data-pagefind-body`, Pagefind leaves out every page without it: those
    # need not be indexed (the listings are most of a large site's HTML), nor decide what a part
    # is made from. Read one page at a time: a large site's pages are a hundred MB and more.
    members: list[list[tuple[str, str, OutputFile | StoredFile]]] = [[] for _ in range(parts)]
    unmarked: list[list[tuple[str, str, OutputFile | StoredFile]]] = [[] for _ in range(parts)]
    for page in pages:
        data = page.data
        digest = page.record.digest if isinstance(page, StoredFile) else digest_bytes(data)
        group = members if BODY_MARK in data else unmarked
        group[_part_of(page.path, parts)].append((page.path, digest, page))
    if not any(members):
        members = unmarked
    results: list[tuple[list, list[Problem]] | None] = []
    todo: list[tuple[int, list[OutputFile | StoredFile], str, str, bool]] = []
    for part, listed in enumerate(members):
        if not listed:  # Pagefind makes no index of nothing; the search page leaves it out
            continue
        directory = urls.search_part(part, parts)
        # The first part is the one the search page loads Pagefind's script from.
        first = not results
        inputs = digest_text(
            str(parts), str(first), *(f"{path}\0{digest}" for path, digest, _ in listed)
        )
        found = kept(directory, inputs) if kept is not None else None
        if found is None:
            pages_here = [page for _, _, page in listed]
            todo.append((len(results), pages_here, directory, inputs, first))
        results.append(None if found is None else (list(found), []))
    # Parts are indexed side by side: Pagefind uses the cores for part of its run only, and
    # copying a part's pages out for it is mostly waiting on the disk.
    with ThreadPoolExecutor(max_workers=max(1, min(cpu_count(), len(todo)))) as pool:
        made = pool.map(lambda job: _index(*job[1:]), todo)
        for (index, *_), result in zip(todo, made, strict=True):
            results[index] = result
    files: list[OutputFile | StoredFile] = []
    for result in results:
        assert result is not None
        found, problems = result
        if problems:
            return [], problems
        files += found
    return files, []


def _index(
    pages: Sequence[OutputFile | StoredFile], directory: str, inputs: str, first: bool = True
) -> tuple[list[OutputFile], list[Problem]]:
    """Index `pages` with Pagefind into a bundle under `directory`, made from `inputs`; only
    the `first` part of an index has Pagefind's script, worker and WebAssembly (the others are
    merged into it, and use its own)."""
    executable = pagefind_executable()
    if executable is None:
        return [], [_problem("the Pagefind search indexer is not installed", _INSTALL_HINT)]
    with tempfile.TemporaryDirectory(prefix="papershelf-search-") as scratch:
        site = Path(scratch, "site")
        bundle = Path(scratch, "bundle")
        for page in pages:
            target = site / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.data)
        command = [str(executable), "--site", str(site), "--output-path", str(bundle), "--quiet"]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except OSError as exc:
            return [], [_problem(f"cannot run {executable}: {exc.strerror}", _INSTALL_HINT)]
        except subprocess.TimeoutExpired:
            return [], [_problem(f"search indexing took longer than {TIMEOUT_SECONDS}s")]
        if result.returncode != 0 or not (bundle / "pagefind.js").is_file():
            output = (result.stdout + result.stderr).strip().splitlines()[-5:]
            return [], [
                _problem(
                    f"search indexing failed (exit {result.returncode}): " + " / ".join(output)
                )
            ]
        found = {
            path.relative_to(bundle).as_posix(): path.read_bytes()
            for path in sorted(bundle.rglob("*"))
            if path.is_file() and _published(path.name, first)
        }
    try:
        canonical = canonical_bundle(found)
    except (ValueError, KeyError, TypeError, OSError) as exc:  # OSError: a file is not gzip
        return [], [
            _problem(
                f"cannot make Pagefind's index reproducible: {exc}",
                "papershelf reads the index of the Pagefind version pinned in pyproject.toml",
            )
        ]
    return [
        OutputFile(directory + name, data, "pagefind", inputs)
        for name, data in sorted(canonical.items())
    ], []


def _published(name: str, first: bool) -> bool:
    """Whether a file of Pagefind's bundle is published (see UNUSED_FILES)."""
    if name in UNUSED_FILES:
        return False
    return first or not (name in _FIRST_PART_ONLY or name.startswith("wasm."))


# ---------------------------------------------------------------- reproducible bundle


def canonical_bundle(files: dict[str, bytes]) -> dict[str, bytes]:
    """Return the bundle with filter values sorted and the files that name them renamed."""
    files = dict(files)
    entry = json.loads(files[ENTRY_FILE])
    languages = entry["languages"]
    for language in sorted(languages):
        old_meta = f"pagefind.{languages[language]['hash']}.pf_meta"
        meta = _read_cbor(files.pop(old_meta), old_meta)
        for item in meta:
            if _is_name_list(item, files, FILTER_FILE):
                for pair in item:
                    old_filter = FILTER_FILE.format(pair[1])
                    name, values = _read_cbor(files.pop(old_filter), old_filter)
                    data = _pack([name, sorted(values, key=lambda value: value[0])])
                    pair[1] = f"{language}_{_digest(data, 7)}"
                    files[FILTER_FILE.format(pair[1])] = data
                item.sort(key=lambda pair: pair[0])
            elif _is_sort_list(item):
                item.sort(key=lambda pair: pair[0])
        data = _pack(meta)
        languages[language]["hash"] = f"{language}_{_digest(data, 10)}"
        files[f"pagefind.{languages[language]['hash']}.pf_meta"] = data
    entry["languages"] = dict(sorted(languages.items()))
    files[ENTRY_FILE] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return files


def _is_name_list(item: object, files: dict[str, bytes], pattern: str) -> bool:
    """Whether `item` is a list of [name, file hash] pairs naming files of the bundle."""
    return (
        isinstance(item, list)
        and bool(item)
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], str)
            and pattern.format(pair[1]) in files
            for pair in item
        )
    )


def _is_sort_list(item: object) -> bool:
    # Sort orders are [key, [page numbers]]; the page list itself is [hash, word count].
    return isinstance(item, list) and all(
        isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], list) for pair in item
    )


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def _read_cbor(data: bytes, name: str) -> object:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{name} does not start with Pagefind's signature")
    body = raw[len(SIGNATURE) :]
    value, end = _decode(body, 0)
    if end != len(body) or _encode(value) != body:
        raise ValueError(f"{name} does not read back to the same bytes")
    return value


def _pack(value: object) -> bytes:
    # mtime=0: gzip would otherwise stamp the current time into every file.
    return gzip.compress(SIGNATURE + _encode(value), compresslevel=9, mtime=0)


@dataclass
class CborMap:
    """A CBOR map, kept in its order (Pagefind's files only need lists, text and numbers)."""

    pairs: list[tuple[object, object]]


def _decode(data: bytes, pos: int) -> tuple[object, int]:
    """Decode one CBOR item of the kinds Pagefind writes: numbers, text, bytes, lists, maps."""
    major, info = data[pos] >> 5, data[pos] & 31
    pos += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise ValueError(f"unsupported CBOR item {data[pos - 1]:#x}")
    if major == 0:
        return argument, pos
    if major == 1:
        return -1 - argument, pos
    if major in (2, 3):
        chunk = data[pos : pos + argument]
        return (chunk if major == 2 else chunk.decode("utf-8")), pos + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        pairs = []
        for _ in range(argument):
            key, pos = _decode(data, pos)
            value, pos = _decode(data, pos)
            pairs.append((key, value))
        return CborMap(pairs), pos
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError(f"number too large for CBOR: {argument}")


def _encode(value: object) -> bytes:
    """Encode in CBOR's shortest form, as Pagefind (minicbor) does."""
    if isinstance(value, bool):
        raise ValueError("booleans do not occur in Pagefind's files")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(map(_encode, value))
    if isinstance(value, CborMap):
        return _head(5, len(value.pairs)) + b"".join(
            _encode(key) + _encode(item) for key, item in value.pairs
        )
    raise ValueError(f"cannot encode {type(value).__name__} as CBOR")
