"""What one build keeps for the next, in `.papershelf-cache/` beside the output directory.

- Parsed papers, by the digest of their file and its name (not its directory, which messages
  show relative to the working directory; see `paper_key`): a file whose size, times and inode
  are those recorded is not even read again, unless it changed so recently that a second
  change could have kept them (file times are coarse on some file systems).
- Values derived from one paper alone (its view, its brief for listings), a store for each
  kind, by the paper's key. They depend on the site settings, themes, templates and
  papershelf's own code as well, so they are only used while `inputs_digest` of those is what
  it was when they were made. Each store keeps an index of its keys, so that whether a value
  is there is known without reading it; values made by worker processes arrive pickled and
  stay so until a build reads them, waiting in a scratch file (`Spill`) rather than in memory
  until the cache is written.
- Values made from every paper (related papers), by a digest of what they were made from.
- For each output directory: what the last build wrote there (`Manifest`), from which inputs,
  and its summary, so that a build with nothing changed writes nothing, and one with one paper
  changed re-renders and rewrites only what that paper appears in.

Every entry is keyed by digests of everything it was made from, never by time alone, and the
store is sharded so that a small change rewrites little. A cache file that cannot be read, or
was written by other code, is ignored: the build is then a cold one, never a wrong one.
`--no-cache` builds without reading or writing any of it.
"""

from __future__ import annotations

import contextlib
import copyreg
import datetime as dt
import functools
import hashlib
import importlib.util
import io
import itertools
import os
import pickle
import shutil
import struct
import sys
import tempfile
import time
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from markupsafe import Markup

try:
    import fcntl
except ImportError:  # Windows, where builds do not fork: nothing is spilled
    fcntl = None  # type: ignore[assignment]

from papershelf.errors import Location, Problem, Severity
from papershelf.model import Authors, Link, Organization, Paper, Provenance
from papershelf.sitewriter import FixedWidth, InputsBasis, Manifest, RecordedFiles
from papershelf.workers import cpu_count, map_claimed

CACHE_DIR = ".papershelf-cache"
FORMAT = 1
SHARDS = 32
# Entries in each pickled part of a shard of derived values (see `_in_parts`): about what a
# worker process sends of each shard (see `Carry.every`).
PART_ENTRIES = 16
# A file changed less than this before a build read it may change again without its size or
# times changing (coarse clocks): it is read again next time rather than trusted.
RACY_NS = 3_000_000_000
# Below this many files to parse per process, forking costs more than it saves.
MIN_PARSES_PER_PROCESS = 300
# A worker parsing paper files sends its papers this many at a time (see workers.Streamed).
SENT_EVERY = 500
# Where `read_papers`' processes put the records they exported, among their results.
_PAPER_PARTS = -1
# Bytes of files read to digest them that a build keeps until they are parsed: those of an edit
# or two, so that they are not read twice, but not those of every file when all of them changed
# (a `fmt`, a checkout), which the processes that parse them would hold too (20 MB at 10k).
KEPT_READ_BYTES = 1 << 20
# Libraries whose version shapes the output: module, and distribution as its dist-info names it.
LIBRARIES = (
    *(("jinja2", "jinja2"), ("markupsafe", "markupsafe"), ("markdown_it", "markdown_it_py")),
    *(("yaml", "pyyaml"), ("pylatexenc", "pylatexenc"), ("slugify", "python_slugify")),
    *(("text_unidecode", "text_unidecode"), ("pagefind", "pagefind")),
    *(("pagefind_bin", "pagefind_bin"), ("pagefind_bin_extended", "pagefind_bin_extended")),
)


def cache_dir_for(out_dir: Path) -> Path:
    return out_dir.resolve().parent / CACHE_DIR


def cache_beside(content_dir: Path) -> BuildCache:
    """Return the cache that `papershelf build` keeps when its output sits beside the content
    directory (as `site/` does by default), for a command that reads every paper to read from
    only: the papers a build parsed are taken from it, keyed by their files' bytes, rather than
    parsed again (a daily import into a list of 10,000 papers spent most of its time parsing
    them). The others are parsed on every core. Nothing is written to it: the next build sees
    what the command changed."""
    directory = cache_dir_for(content_dir)
    cache = BuildCache.reading_only(directory) if directory.is_dir() else BuildCache(None)
    cache.provenance = True  # what import compares a paper with, to keep a curator's edits
    return cache


def digest_text(*parts: str | bytes) -> str:
    """Return a digest of the parts, each followed by a NUL byte."""
    if all(type(part) is str for part in parts):  # the common case, in one encode and update
        data = "\0".join((*parts, "")).encode("utf-8", "surrogatepass")
    else:
        data = b"".join(
            (part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part) + b"\0"
            for part in parts
        )
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def code_digest() -> str:
    """Return a digest of papershelf's code and of the libraries that shape its output."""
    package = Path(__file__).resolve().parent
    parts: list[str | bytes] = [sys.version]
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    installed: dict[Path, list[str]] = {}  # dist-info directories, by where they are
    for module, distribution in LIBRARIES:
        parts.append(f"{module}={_library_version(module, distribution, installed)}")
    parts.append(os.environ.get("PAGEFIND_BINARY_PATH", ""))
    return digest_text(*parts)


def _library_version(module: str, distribution: str, installed: dict[Path, list[str]]) -> str:
    """Return the installed version of a library as its dist-info directory names it, without
    importing it (a warm build needs none); else its file's size and time. A version, not file
    times, so that a cache restored in CI, where every run installs the libraries anew, holds."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None and spec.origin else ""
    if not origin:
        return ""
    path = Path(origin)
    where = path.parent.parent if path.name == "__init__.py" else path.parent
    if where not in installed:
        try:
            installed[where] = [p.name for p in where.iterdir() if p.name.endswith(".dist-info")]
        except OSError:
            installed[where] = []
    found = [
        name
        for name in installed[where]
        if name.removesuffix(".dist-info").rpartition("-")[0].lower().replace(".", "_")
        == distribution
    ]
    if len(found) == 1:
        return found[0]
    stat = path.stat()
    return f"{origin}:{stat.st_size}:{stat.st_mtime_ns}"


# ---------------------------------------------------------------- papers as plain tuples

# Papers are read back on every build, so they are stored as tuples of plain values (fast to
# load) rather than pickled objects. If the model gains a field this code does not know, the
# cache of papers is not used (see `_CODEC_OK`).
_PAPER_FIELDS = [
    *("slug", "title", "abstract", "published", "path", "added", "arxiv", "theme", "tags"),
    *("authors", "organization", "upvotes", "comments", "links", "notes", "provenance", "lines"),
]
_CODEC_OK = (
    [f.name for f in fields(Paper)] == _PAPER_FIELDS
    and [f.name for f in fields(Authors)] == ["count", "names"]
    and [f.name for f in fields(Organization)] == ["name", "handle"]
    and [f.name for f in fields(Link)] == ["url", "kind"]
    and [f.name for f in fields(Provenance)] == ["source", "scraped_on", "imported"]
    and [f.name for f in fields(Problem)] == ["location", "message", "hint", "severity"]
)


def _day(value: dt.date | None) -> int | None:
    return None if value is None else value.toordinal()


def _date(value: int | None) -> dt.date | None:
    return None if value is None else dt.date.fromordinal(value)


def encode_paper(paper: Paper | None) -> tuple | None:
    if paper is None:
        return None
    authors, org, prov = paper.authors, paper.organization, paper.provenance
    return (
        paper.slug,
        paper.title,
        paper.abstract,
        paper.published.toordinal(),
        paper.path,
        _day(paper.added),
        paper.arxiv,
        paper.theme,
        paper.tags,
        None if authors is None else (authors.count, authors.names),
        None if org is None else (org.name, org.handle),
        paper.upvotes,
        paper.comments,
        tuple((link.url, link.kind) for link in paper.links),
        paper.notes,
        None if prov is None else (prov.source, _day(prov.scraped_on), prov.imported),
        paper.lines,
    )


def decode_paper(
    record: tuple | None, shown: str | None = None, *, provenance: bool = True
) -> Paper | None:
    """`shown`: the path to show the paper's file as (by default, as it was when parsed).
    Without `provenance`, the paper is made without it (see `BuildCache.provenance`)."""
    if record is None:
        return None
    (slug, title, abstract, published, path, added, arxiv, theme, tags, authors, org) = record[:11]
    path = path if shown is None else shown
    upvotes, comments, links, notes, prov, lines = record[11:]
    if not provenance:
        prov = None
    # Positional, in the order of Paper's fields (checked by _CODEC_OK).
    return Paper(
        slug,
        title,
        abstract,
        dt.date.fromordinal(published),
        path,
        _date(added),
        arxiv,
        theme,
        tags,
        None if authors is None else Authors(*authors),
        None if org is None else Organization(*org),
        upvotes,
        comments,
        tuple(itertools.starmap(Link, links)),
        notes,
        None if prov is None else Provenance(prov[0], _date(prov[1]), prov[2]),
        lines,
    )


def encode_problems(problems: Iterable[Problem]) -> tuple:
    return tuple(
        (p.location.path, p.location.line, p.location.column, p.message, p.hint, p.severity.value)
        for p in problems
    )


def decode_problems(records: tuple, shown: tuple[str, str] | None = None) -> list[Problem]:
    """`shown`: (the path the file was shown as when parsed, the path to show it as now)."""
    was, now = shown or (None, None)
    return [
        Problem(Location(now if at == was else at, line, column), message, hint, Severity(level))
        for at, line, column, message, hint, level in records
    ]


# ---------------------------------------------------------------- the store


def paper_key(shown: str, digest: str) -> str:
    """Return the key of a paper file: a digest of its bytes' digest and its name (the slug
    comes from the name). Not of the directory it is shown in, which depends on the working
    directory: a build run from elsewhere finds what the last one made, and shows the file's
    path, in papers and their problems, as it is shown now."""
    # digest_text(name, digest), inline: every build works out the key of each paper file.
    data = f"{os.path.basename(shown)}\0{digest}\0".encode("utf-8", "surrogatepass")  # noqa: PTH119
    # Interned, as the keys read back from the stores' files are: one string for each key,
    # which every store's files and indexes name (8 copies of 10,000 keys: 6 MB at 10k).
    return sys.intern(hashlib.blake2b(data, digest_size=16).hexdigest())


class FileState(NamedTuple):
    """A paper file as a build found it: its stat signature and the digest of its bytes (a
    tuple: one per paper file is read back by every build)."""

    signature: tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
    digest: str
    trusted: bool  # False: changed too recently to be recognised by its signature next time


def _encode_files(files: Mapping[str, FileState]) -> tuple:
    # By column, as `_encode_site` does: read back by every build, written by every edit.
    states = files.values()
    return (
        "\0".join(files),
        [number for state in states for number in state.signature],
        "\0".join(state.digest for state in states),
        bytes(state.trusted for state in states),
    )


def _decode_files(found: Any) -> dict[str, FileState]:
    try:
        names, numbers, digests, trusted = found
        if not names:
            return {}
        signatures = zip(*[iter(numbers)] * 4, strict=True)
        rows = zip(signatures, digests.split("\0"), map(bool, trusted), strict=True)
        states = map(FileState._make, rows)
        return dict(zip(names.split("\0"), states, strict=True))
    except (TypeError, ValueError):  # none, or not a record this code wrote: read every file
        return {}


@dataclass
class SiteRecord:
    """What the last build into one output directory wrote, and from what."""

    inputs: str  # digest of every input, for a build with nothing changed
    manifest: Manifest
    summary: dict[str, Any] = field(default_factory=dict)
    site_inputs: str = ""  # digest of the inputs other than the paper files (`site_inputs_digest`)


def _encode_site(record: SiteRecord) -> tuple:
    # By column: every build reads the record back and an edit build writes it, and pickle
    # takes tens of thousands of small tuples one object at a time. Paths are joined by NUL, the
    # one character no path or digest can hold; digests are padded to one width (`FixedWidth`),
    # numbers are arrays: read back as `RecordedFiles`, which keeps them so.
    files = record.manifest.files
    records = list(files.values())
    digests = FixedWidth.of(r.digest for r in records)
    made_from = FixedWidth.of(r.inputs for r in records)
    columns = (
        "".join(f"{path}\0" for path in files),  # each path followed by NUL (see RecordedFiles)
        (digests.text, digests.width),
        array("q", [r.size for r in records]),
        array("q", [r.mtime_ns for r in records]),
        (made_from.text, made_from.width),
    )
    basis = record.manifest.basis
    if basis is not None:  # by column too: a key for every paper
        keys = basis.keys
        basis = (basis.shared, "\0".join(keys), "\0".join(keys.values()), basis.listings)
    directories = record.manifest.directories
    return (record.inputs, columns, directories, record.summary, basis, record.site_inputs)


def _decode_site(found: Any) -> SiteRecord:
    inputs, (paths, digests, sizes, mtimes, made_from), directories, summary, basis, site = found
    digests, made_from = FixedWidth(*digests), FixedWidth(*made_from)
    count = paths.count("\0") if isinstance(paths, str) else -1
    if not (
        (paths.endswith("\0") if count > 0 else paths == "")
        and isinstance(sizes, array)
        and isinstance(mtimes, array)
        and len(sizes) == len(mtimes) == count
        and len(digests.text) == digests.width * count
        and len(made_from.text) == made_from.width * count
    ):
        raise ValueError("not a record of files this code wrote")
    files = RecordedFiles(paths, digests, sizes, mtimes, made_from)
    if basis is not None:
        shared, names, keys, listings = basis
        # Interned, as the keys of the papers this build reads are (see paper_key): one string
        # for each, not two (0.8 MB at 10k).
        keys = map(sys.intern, keys.split("\0"))
        keyed = dict(zip(names.split("\0"), keys, strict=True)) if names else {}
        basis = InputsBasis(shared, keyed, listings)
    return SiteRecord(inputs, Manifest(files, directories, basis), summary, site)


class SpilledPart(NamedTuple):
    """Where a pickled part of a store is kept in a `Spill` file."""

    offset: int
    length: int


class Spill:
    """A scratch file, unnamed and in the cache directory, for the pickled values a build makes
    but does not read again before the cache is written: a 10,000-paper cold build made 37 MB
    of them (every paper's view, brief and BibTeX entry), which each process held in memory
    until the end, and the building process all of them.

    It is opened before worker processes fork, so that they write to it too: each part is
    appended under a lock held by one process at a time (a record lock, which forked processes
    do not share), and handed on as its place in the file. The file is gone once closed.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.handle, name = tempfile.mkstemp(dir=directory, prefix=".spill-")
        os.unlink(name)  # noqa: PTH108 (gone with the last process that has it open)
        weakref.finalize(self, os.close, self.handle)

    def keep(self, data: bytes) -> SpilledPart | bytes:
        """Append `data`; return its place (or `data` itself if it cannot be written)."""
        handle = self.handle
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX)
            try:
                offset = os.lseek(handle, 0, os.SEEK_END)
                written = 0
                while written < len(data):
                    written += os.pwrite(handle, data[written:], offset + written)
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN)
        except OSError:  # a full disk, say: the part stays in memory
            return data
        return SpilledPart(offset, len(data))

    def read(self, part: SpilledPart | bytes) -> bytes:
        if not isinstance(part, SpilledPart):
            return part
        data = os.pread(self.handle, part.length, part.offset)
        if len(data) != part.length:
            raise OSError("the build cache's scratch file was cut short")
        return data

    def clear(self) -> None:
        """Empty the file, once no part in it is wanted any more."""
        with contextlib.suppress(OSError):
            os.ftruncate(self.handle, 0)


class _ShardFile:
    """A shard's file, kept open from when its header is read until no part of it is wanted.

    A shard file is only ever replaced (a new file renamed over it), never changed where it is,
    so the parts read through this handle are the ones its header listed, whatever another
    build writes meanwhile.
    """

    def __init__(self, handle: int) -> None:
        self.handle = handle
        weakref.finalize(self, os.close, handle)

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self.handle, length, offset)
        if len(data) != length:
            raise OSError("a file of the build cache was cut short")
        return data


class StoredPart(NamedTuple):
    """Where a pickled part of a store is kept in the store's own file."""

    file: _ShardFile
    offset: int
    length: int


# A part of a store: pickled and held in memory, in the scratch file, or in the store's file.
Part = bytes | SpilledPart | StoredPart

# A shard file: this line, the length of its header (8 bytes, little-endian), its header (a
# pickle of FORMAT, stamp, each part's keys and each part's length), then the parts one after
# another. A build reads the header alone, then only the parts that hold what it wants: the
# feeds of an edit build want the views of 600 of 10,000 papers, and the whole files held
# 23 MB of them until the build's end.
_SHARD_MAGIC = b"papershelf cache shard\n"
_SHARD_LENGTH = struct.Struct("<Q")
_CAN_PREAD = hasattr(os, "pread")  # else (Windows) a shard's parts are read with its header


def _load_shard(path: Path, stamp: str) -> list[tuple[list[str], Part]] | None:
    """Return the parts of a shard file, each with its keys (None: missing, damaged, or written
    by other code: as if it were not there)."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    file = _ShardFile(handle)  # closes the handle once no part refers to it
    try:
        start = len(_SHARD_MAGIC) + _SHARD_LENGTH.size
        with os.fdopen(os.dup(handle), "rb") as reader:
            lead = reader.read(start)
            if len(lead) != start or not lead.startswith(_SHARD_MAGIC):
                return None
            (header_length,) = _SHARD_LENGTH.unpack_from(lead, len(_SHARD_MAGIC))
            found_format, found_stamp, keys, lengths = pickle.loads(reader.read(header_length))
            body = reader.read() if not _CAN_PREAD else b""
            keys = [list(map(sys.intern, part_keys)) for part_keys in keys]  # see paper_key
        offset = start + header_length
        # Cut short, or more than it says: damaged.
        whole = offset + sum(lengths) == os.fstat(handle).st_size
    except Exception:  # cut short, or not a header this code wrote
        return None
    if (found_format, found_stamp) != (FORMAT, stamp) or not (
        whole and isinstance(keys, list) and isinstance(lengths, list)
    ):
        return None
    if len(keys) != len(lengths):
        return None
    parts: list[tuple[list[str], Part]] = []
    for part_keys, length in zip(keys, lengths, strict=True):
        if _CAN_PREAD:
            parts.append((part_keys, StoredPart(file, offset, length)))
        else:
            at = offset - start - header_length
            parts.append((part_keys, body[at : at + length]))
        offset += length
    return parts


def _store_shard(
    path: Path, stamp: str, parts: Sequence[tuple[list[str], Part]], read: Callable[[Part], bytes]
) -> tuple[list[tuple[list[str], Part]], OSError | None]:
    """Write a shard file, whole or not at all, its parts read one at a time (those in the file
    it replaces too: through the handle of that file). Return the parts as they are in the new
    file (as they were given if it could not be written) and why it could not be."""
    lengths = [part.length if isinstance(part, tuple) else len(part) for _, part in parts]
    header = pickle.dumps(
        (FORMAT, stamp, [keys for keys, _ in parts], lengths), protocol=pickle.HIGHEST_PROTOCOL
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        return list(parts), exc
    file = _ShardFile(handle)
    try:
        with os.fdopen(os.dup(handle), "wb") as out:
            out.write(_SHARD_MAGIC + _SHARD_LENGTH.pack(len(header)) + header)
            for _, part in parts:
                out.write(read(part))
        Path(temp).replace(path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        return list(parts), exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    if not _CAN_PREAD:
        return [(keys, read(part)) for keys, part in parts], None
    offset = len(_SHARD_MAGIC) + _SHARD_LENGTH.size + len(header)
    stored: list[tuple[list[str], Part]] = []
    for (keys, _), length in zip(parts, lengths, strict=True):
        stored.append((keys, StoredPart(file, offset, length)))
        offset += length
    return stored, None


class _Shards:
    """A dict split into files by key, each rewritten only when one of its entries changed.

    Entries are kept pickled in parts of a few (see `_in_parts`), each with its keys: a part
    is unpickled only when one of its entries is wanted, and a shard is rewritten with the
    parts nobody changed copied as they are. With `indexed`, the keys of all shards are also
    kept in one small file, so that whether an entry exists is known without reading the shard
    that holds it. With a `spill`, what `export` takes out waits there rather than in memory. A
    store saved with the keys of what is `live` (see `save`) need not track which entries a
    build used (`tracks_use` off).
    """

    def __init__(
        self,
        directory: Path | None,
        name: str,
        stamp: str,
        indexed: bool = False,
        spill: Spill | None = None,
        tracks_use: bool = True,
    ) -> None:
        self.directory = directory
        self.name = name
        self.stamp = stamp
        self.indexed = indexed
        self.spill = spill
        # Each shard's entries unpickled or put (its file's header read when first needed: a
        # build that finds nothing changed needs none of them).
        self.shards: list[dict[str, Any] | None] = [None] * SHARDS
        self.dirty: set[int] = set()
        # The keys of a 10,000-paper build are sets of 0.5 MB each, in every process.
        self.used: set[str] | None = set() if tracks_use else None
        self.added: set[str] = set()  # held, put by this build: not yet in the index file
        self._index: set[str] | None = None
        # The index file: each shard's keys (so that rewriting a shard replaces its own).
        self._index_parts: list[list[str]] | None = None
        self._index_read = False
        # Keys in the order they were put, for `export`.
        self.journal: list[str] = []
        # Parts not unpickled, by shard, with their keys: the file's, then those other
        # processes made (pickled, or their place in the spill file), which are newer.
        self.raw: dict[int, list[tuple[list[str], Part]]] = {}
        # Parts since unpickled into their shard, from a file: still as good to write as they
        # are, so that a shard read from (a cold build lists every brief) is not pickled all
        # over again when saved.
        self.unpacked: dict[int, list[tuple[list[str], Part]]] = {}

    def _path(self, index: int) -> Path:
        assert self.directory is not None
        return self.directory / f"{self.name}-{index:02d}.pickle"

    def _index_path(self) -> Path:
        assert self.directory is not None
        return self.directory / f"{self.name}-index.pickle"

    def _shard(self, index: int) -> dict[str, Any]:
        """Return the shard's entries unpickled so far, reading its file's header (the list of
        its parts) if it was not read yet."""
        shard = self.shards[index]
        if shard is None:
            shard = self.shards[index] = {}
            stored = None
            if self.directory is not None:
                stored = _load_shard(self._path(index), self.stamp)
            if stored:
                self.raw[index] = stored + self.raw.get(index, [])
        return shard

    def _unpack(self, shard: dict[str, Any], index: int, keys: list[str], data: Part) -> None:
        """Add a part's entries to `shard`; a damaged part adds none, and is dropped."""
        try:
            pickled = self._bytes(data)
        except OSError:  # cut short: damaged
            return
        if _take_part(shard, pickled) and not isinstance(data, bytes):
            self.unpacked.setdefault(index, []).append((keys, data))

    def _holding(self, index: int, keys: set[str]) -> dict[str, Any]:
        """Return the shard's entries with those of `keys` it has unpickled, and no other raw
        part: after every paper file changed (a `fmt`, a checkout), none of a build's papers is
        stored, and unpickling every part to find that out held 32 MB of old papers (10k)."""
        shard = self._shard(index)
        wanted: list[tuple[list[str], Part]] = []
        untouched: list[tuple[list[str], Part]] = []
        for part in self.raw.pop(index, ()):
            (untouched if keys.isdisjoint(part[0]) else wanted).append(part)
        if untouched:
            self.raw[index] = untouched
        for part_keys, data in wanted:
            self._unpack(shard, index, part_keys, data)
        return shard

    def _looked_up(self, index: int, key: str) -> Any:
        """Return the key's value from the shard, unpickling only the raw part that holds it
        (an edit build re-renders a few listing pages: it wants a hundred of 10,000 briefs)."""
        shard = self._shard(index)
        found = shard.get(key)
        parts = self.raw.get(index)
        if found is not None or not parts:
            return found
        for position, (keys, data) in enumerate(parts):
            if key in keys:
                del parts[position]
                if not parts:
                    del self.raw[index]
                self._unpack(shard, index, keys, data)
                return shard.get(key)
        return None

    def _held_keys(self, index: int) -> list[str]:
        """Return the keys of every entry of the shard, unpickling none of them."""
        shard = self._shard(index)  # first: it may leave the file's parts in `raw`
        return [*shard, *(key for keys, _ in self.raw.get(index, ()) for key in keys)]

    def _keys(self) -> set[str] | None:
        """Return the keys of every shard from the index file (None: no usable index)."""
        if not self._index_read:
            self._index_read = True
            found = _load(self._index_path(), self.stamp) if self.directory is not None else None
            if isinstance(found, list) and len(found) == SHARDS:
                try:
                    found = [list(map(sys.intern, part)) for part in found]  # see paper_key
                except TypeError:  # not an index this code wrote
                    found = None
                if found is not None:
                    self._index_parts = found
                    self._index = set().union(*found)
            if self.directory is None:
                self._index = set()
        return self._index

    def contains(self, key: str) -> bool:
        keys = self._keys() if self.indexed else None
        if keys is not None:
            return key in keys or key in self.added
        # From the keys held with each part, unpickling none (a cold build asks for every
        # paper's brief, made by other processes).
        index = _shard_of(key)
        parts = self.raw.get(index, ())
        return key in self._shard(index) or any(key in part_keys for part_keys, _ in parts)

    def get(self, key: str) -> Any:
        found = self._looked_up(_shard_of(key), key)
        if found is not None and self.used is not None:
            self.used.add(key)
        return found

    def use(self, keys: Iterable[str]) -> None:
        """Count entries as used without looking them up (see `save`)."""
        if self.used is not None:
            self.used.update(keys)

    def get_many(self, keys: Sequence[str]) -> list[Any]:
        """Return each key's value as `get` does (None: not stored), in one loop."""
        indexes = [_shard_of(key) for key in keys]
        wanted: dict[int, set[str]] = {}
        for index, key in zip(indexes, keys, strict=True):
            wanted.setdefault(index, set()).add(key)
        shards = {index: self._holding(index, found) for index, found in wanted.items()}
        found = [shards[index].get(key) for index, key in zip(indexes, keys, strict=True)]
        if self.used is not None:
            self.used.update(itertools.compress(keys, found))
        return found

    def release(self, everything: bool = True) -> None:
        """Forget the values unpickled from parts kept in a file (the store's or the spill
        file): they are there still, to be read again if wanted, and written as they are.

        Not `everything`: only those of the spill file, in shards that hold nothing else (a
        cache kept from one build to the next keeps what the next is likely to want again).
        """
        for index, unpacked in list(self.unpacked.items()):
            shard = self.shards[index]
            held = {key for keys, _ in unpacked for key in keys}
            if not everything and (
                not all(isinstance(part, SpilledPart) for _, part in unpacked)
                or not set(shard or ()) <= held
            ):
                continue
            if shard is not None:
                for key in held:
                    shard.pop(key, None)
            self.raw[index] = unpacked + self.raw.get(index, [])
            del self.unpacked[index]

    def put(self, key: str, value: Any) -> None:
        index = _shard_of(key)
        self._shard(index)[key] = value
        self.dirty.add(index)
        if self.used is not None:
            self.used.add(key)
        self.added.add(key)
        self.journal.append(key)

    def export(self, since: int) -> dict[int, tuple[list[str], Part]]:
        """Take out the entries put since the journal was `since` long, pickled by shard (for
        `absorb` in another process, or in this one to hold them pickled until needed)."""
        by_shard: dict[int, dict[str, Any]] = {}
        for key in self.journal[since:]:
            index = _shard_of(key)
            shard = self._shard(index)
            if key in shard:
                by_shard.setdefault(index, {})[key] = shard.pop(key)
                # No longer held here until absorbed: a worker's keys were a set it kept to
                # the end, which the building process makes again as it absorbs them.
                self.added.discard(key)
        del self.journal[since:]
        keep = self.spill.keep if self.spill is not None else _as_is
        return {index: (list(found), keep(_dumps(found))) for index, found in by_shard.items()}

    def _bytes(self, part: Part) -> bytes:
        if isinstance(part, StoredPart):
            return part.file.read(part.offset, part.length)
        return self.spill.read(part) if self.spill is not None else part  # type: ignore[return-value]

    def entries_of(self, exported: dict[int, tuple[list[str], Part]]) -> dict[str, Any]:
        """Return the entries of what `export` took out, unpickled (it stays as it is)."""
        entries: dict[str, Any] = {}
        for _, data in exported.values():
            _take_part(entries, self._bytes(data))
        return entries

    def absorb(self, exported: dict[int, tuple[list[str], Part]]) -> None:
        """Take in what `export` took out (here or in another process)."""
        for index, (keys, data) in exported.items():
            self.raw.setdefault(index, []).append((keys, data))
            self.dirty.add(index)
            if self.used is not None:
                self.used.update(keys)
            self.added.update(keys)

    def save(self, live: set[str] | None = None) -> OSError | None:
        """Write the shards that changed, keeping the entries this build used (or, given
        `live`, the entries whose key is in it); return why a file could not be written, if one
        could not."""
        if self.directory is None:
            return None
        failures: list[OSError | None] = []
        index_parts: list[list[str]] = []
        if self.indexed and self.dirty:
            self._keys()
            if self._index_parts is None:  # no index to update: make it from every shard
                self._index_parts = [self._held_keys(index) for index in range(SHARDS)]
            index_parts = self._index_parts
        keep = live if live is not None else self.used
        assert keep is not None, "a store that does not track use is saved with what is live"
        for index in sorted(self.dirty):
            parts, failure = self._save_shard(index, keep)
            failures.append(failure)
            if self.indexed:
                index_parts[index] = [key for keys, _ in parts for key in keys]
        if self.indexed and self.dirty:
            for index, shard in enumerate(self.shards):
                if shard is not None and index not in self.dirty:
                    index_parts[index] = self._held_keys(index)
            failures.append(_store(self._index_path(), self.stamp, index_parts))
            self._index = set().union(*index_parts)
        self.dirty.clear()
        self.added.clear()
        self.journal.clear()
        return next(filter(None, failures), None)

    def _save_shard(
        self, index: int, keep: set[str]
    ) -> tuple[list[tuple[list[str], Part]], OSError | None]:
        """Write one shard: its parts whose every entry is kept, as they are (read from where
        they wait, not unpickled), then what else is kept, pickled in new parts. Return the parts
        written, and why the file could not be, if it could not."""
        shard = self._shard(index)
        parts = self.unpacked.pop(index, []) + self.raw.pop(index, [])
        kept, spent = _parts_kept(parts, keep)
        covered = {key for keys, _ in kept for key in keys}
        for keys, data in spent:  # their entries still kept go in new parts, with the shard's
            self._unpack(shard, index, keys, data)
        self.unpacked.pop(index, None)  # those entries are in the new parts
        rest = {key: value for key, value in shard.items() if key in keep and key not in covered}
        written, failure = _store_shard(
            self._path(index), self.stamp, kept + _in_parts(rest), self._bytes
        )
        # Entries no longer kept (papers since removed) go; the parts now in the new file
        # stand for the rest, unpickled or not (`serve` builds again from this store).
        held = {key: value for key, value in shard.items() if key in covered or key in rest}
        for keys, data in written:
            if all(key in held for key in keys):
                self.unpacked.setdefault(index, []).append((keys, data))
            else:  # not unpickled: none of its entries is held
                for key in keys:
                    held.pop(key, None)
                self.raw.setdefault(index, []).append((keys, data))
        self.shards[index] = held
        return written, failure


def _parts_kept(
    parts: list[tuple[list[str], Part]], keep: set[str]
) -> tuple[list[tuple[list[str], Part]], list[tuple[list[str], Part]]]:
    """Split a shard's parts into those to write as they are (every entry kept, none already in
    another part) and those spent (to unpickle for the entries they still hold).

    Parts with few entries accumulate (a daily import adds one or two to each shard): once a
    shard has more than twice the parts its entries would fill, the small ones are spent, to
    be written again together.
    """
    kept: list[tuple[list[str], Part]] = []
    spent: list[tuple[list[str], Part]] = []
    covered: set[str] = set()
    for keys, data in parts:
        if covered.isdisjoint(keys) and all(key in keep for key in keys):
            kept.append((keys, data))
            covered.update(keys)
        else:
            spent.append((keys, data))
    filled = -(-len(covered) // PART_ENTRIES)
    if len(kept) > 2 * filled + 1:
        small = [part for part in kept if len(part[0]) < PART_ENTRIES // 2]
        kept = [part for part in kept if len(part[0]) >= PART_ENTRIES // 2]
        spent += small
    return kept, spent


def _as_is(data: bytes) -> bytes:
    return data


def _read_bytes(name: str) -> bytes:
    with open(name, "rb") as handle:  # noqa: PTH123 (strings: cheaper than Path objects)
        return handle.read()


def _shard_of(key: str) -> int:
    return int(key[:4], 16) % SHARDS


def _in_parts(entries: dict[str, Any]) -> list[tuple[list[str], Part]]:
    """Return entries pickled in parts of `PART_ENTRIES`, each with its keys: a build that
    wants a few entries unpickles only the parts that hold them."""
    keys = list(entries)
    groups = [keys[start : start + PART_ENTRIES] for start in range(0, len(keys), PART_ENTRIES)]
    return [(group, _dumps({key: entries[key] for key in group})) for group in groups]


def _take_part(shard: dict[str, Any], data: bytes) -> bool:
    """Add the entries of a pickled part to `shard`; return False, adding none, if it is
    damaged. An entry the shard has already stays (a key's value is the same wherever it was
    made)."""
    try:
        part = pickle.loads(data)
    except Exception:  # damaged: as if it were not there
        return False
    if not isinstance(part, dict):
        return False
    for key, value in part.items():
        shard.setdefault(key, value)
    return True


def _markup(text: str) -> Markup:
    return Markup(text)


# Markup (a str subclass) pickles through copyreg, twenty times slower than a str; derived
# values hold tens of thousands of them.
_DISPATCH = {**copyreg.dispatch_table, Markup: lambda value: (_markup, (str(value),))}


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return out.getvalue()


def _load(path: Path, stamp: str) -> Any:
    try:
        with path.open("rb") as handle:
            found_format, found_stamp, payload = pickle.load(handle)
    except Exception:  # missing, cut short, or written by another version: a cold start
        return None
    return payload if (found_format, found_stamp) == (FORMAT, stamp) else None


def _warn_unwritable(directory: Path, exc: OSError) -> None:
    # logging is imported here, where it is needed: imported with this module, it took 3 ms
    # of every build's start.
    import logging

    logging.getLogger(__name__).warning(
        "cannot write the build cache %s: %s", directory, exc.strerror
    )


def _store(path: Path, stamp: str, payload: Any) -> OSError | None:
    """Write one file of the cache, whole or not at all; return why it could not be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # a cache that cannot be written makes the next build a cold one
        return exc
    try:
        with os.fdopen(handle, "wb") as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = _DISPATCH
            pickler.dump((FORMAT, stamp, payload))
        Path(temp).replace(path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        return exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return None


class CanonicalFiles:
    """The paper files `fmt` found in canonical form, by name (which a paper's validity
    depends on) with the digest of their bytes, for this code: a file known to be in that form
    need not be parsed and dumped again to see it, as Black's cache of the files it formatted
    spares it (`fmt --check` of 10,000 files took 2.9 s, and takes 0.6). Kept in the build
    cache's directory, written by `fmt` alone; a file with any other name or bytes is worked
    out again."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "canonical.pickle"
        self.stamp = code_digest()
        found = _load(self.path, self.stamp)
        self.known: dict[str, str] = found if _is_text_mapping(found) else {}

    def knows(self, name: str, digest: str) -> bool:
        return self.known.get(name) == digest

    def save(self, found: Mapping[str, str | None]) -> None:
        """Record what a run found, by file name: the digest of a file in canonical form, or
        None for one that is not. Files the run did not look at keep what was known of them."""
        known = dict(self.known)
        for name, digest in found.items():
            if digest is None:
                known.pop(name, None)
            else:
                known[name] = digest
        if known != self.known:
            failed = _store(self.path, self.stamp, known)
            if failed is not None:
                _warn_unwritable(self.path.parent, failed)
            self.known = known


def _is_text_mapping(found: Any) -> bool:
    return isinstance(found, dict) and all(
        type(name) is str and type(digest) is str for name, digest in found.items()
    )


class BuildCache:
    """The cache of one build; `directory=None` keeps it in memory only (`serve` keeps one
    across rebuilds, which then need not read it back)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.started_ns = time.time_ns()
        self.code = code_digest()
        self.paper_keys: dict[str, str] = {}  # slug -> key of the paper's file this build
        self.listings: dict[Path, list[tuple[str, str]]] = {}  # paper files, listed once
        # Listings of directories by an earlier build of this process (`serve`), kept with
        # the directory's stat signature and the working directory they were shown from.
        self._earlier_listings: dict[Path, tuple[tuple, list[tuple[str, str]]]] = {}
        self._listings_read = self._listings_due = False  # those the last process kept
        self.inputs_digest = ""
        usable = directory if _CODEC_OK else None
        self._files = _decode_files(_load(directory / "files.pickle", self.code)) if usable else {}
        self._files_seen: dict[str, FileState] = {}
        # Bytes of the files `file_digests` had to read this build, until they are parsed.
        self._read: dict[str, bytes] = {}
        # Set by `expect_changes`: the prefix of a directory's file names, and the names in it
        # that may have changed since the last build (the others are not stat'ed again).
        self._quiet: tuple[str, frozenset[str]] | None = None
        self._papers = _Shards(usable, "papers", self.code)
        # Papers decoded by the last build and this one, with their key, by the path shown and
        # the digest of the file: a cache kept in memory (`serve`, which sets
        # `kept_across_builds`) decodes, and works out the key of, only the files that changed.
        # A build whose process ends with it keeps none (2 MB of its peak at 10k).
        self.kept_across_builds = False
        self._decoded: dict[tuple[str, str], tuple[str, Paper | None, tuple[Problem, ...]]] = {}
        self._decoded_used: dict[
            tuple[str, str], tuple[str, Paper | None, tuple[Problem, ...]]
        ] = {}
        # Values derived from papers, a store for each kind, keyed by the paper's key.
        self._derived: dict[str, _Shards] = {}
        self._derived_stamp = ""
        self._spill: Spill | None = None  # opened by `begin`, before any process forks
        self._sites: dict[str, SiteRecord] = {}
        # Values computed from many papers, by a digest of what they were computed from.
        self._memo: dict[str, Any] | None = None
        self._memo_used: set[str] = set()
        self._memo_changed = False
        # Set by `serve`: what a build would write stays in memory until `write_pending`,
        # which serve calls once its watcher is idle, so a rebuild's time is not spent on it.
        self.writes_deferred = False
        self._memo_due = self._files_due = self._stores_due = False
        self._pending_sites: dict[Path, SiteRecord] = {}
        self._live: set[str] = set()
        # Whether this build was told the cache cannot be written: a build writes it twice.
        self._told_unwritable = False
        # False for a cache that only reads what builds left (`reading_only`).
        self.writable = True
        # Whether the papers read through this cache keep their provenance (what `import`
        # compares them with: see `cache_beside`). A build renders none of it, and papers
        # without it held 4 MB less at the peak of a 10,000-paper build after a template edit
        # (its fingerprints are 7 MB). The store keeps it: a record is stored as it was parsed.
        self.provenance = False

    @classmethod
    def for_one_build(cls) -> BuildCache:
        """Return a cache kept in memory, started for one build: how that build's processes
        share their work, and what a caller reads back afterwards (`check`)."""
        cache = cls(None)
        cache.start_build()
        cache.begin("")
        return cache

    @classmethod
    def reading_only(cls, directory: Path) -> BuildCache:
        """Return a cache that reads what builds left in `directory` and leaves it as it was
        (`check`, which writes nothing): what it works out is for its one run alone."""
        cache = cls(directory)
        cache.writable = False
        return cache

    # -- paper files

    def keep_across_builds(self) -> None:
        """Make this a cache that one process keeps from one build to the next (`serve`): what
        a build would write of it waits for `write_pending`, and the papers it decoded are kept
        for the next build."""
        self.writes_deferred = True
        self.kept_across_builds = True
        # Papers kept for the next build may be sent back by a process that parses as they
        # are, re-encoded for the store: they keep all they were parsed with.
        self.provenance = True

    def start_build(self) -> None:
        """Start a build (a cache kept in memory serves one build after another)."""
        self.started_ns = time.time_ns()
        self._told_unwritable = False
        self.paper_keys = {}
        self.listings = {}
        self._files_seen = {}
        self._read = {}
        self._quiet = None
        self.inputs_digest = ""

    def expect_changes(self, directory: Path, changed: Iterable[str]) -> None:
        """Tell this build which files of `directory` may have changed since the last build:
        the paths a file watcher reported (`serve`). The others are taken as the last build
        read them without a stat each, unless they had changed just before it (see `RACY_NS`).
        Paths outside `directory` say nothing about it; a symbolic link's target is not watched,
        so links are stat'ed as ever (the directory says which entries are links, stat-free)."""
        where = os.path.realpath(directory)
        names = {
            os.path.basename(path)  # noqa: PTH119
            for path in changed
            if os.path.realpath(os.path.dirname(path)) == where  # noqa: PTH120
        }
        try:
            with os.scandir(directory) as entries:
                names.update(entry.name for entry in entries if entry.is_symlink())
        except OSError:  # gone or unreadable: every file is stat'ed, and the build says why
            return
        self._quiet = (os.path.join(directory, ""), frozenset(names))  # noqa: PTH118 (as listed)

    def earlier_listing(self, directory: Path) -> tuple[tuple, list[tuple[str, str]] | None]:
        """Return the directory's stat signature, and its listing from an earlier build if the
        directory has not changed since (its entries are added, removed and renamed only by
        changing its times, trusted as for files once they are `RACY_NS` old)."""
        try:
            stat = os.stat(directory)  # noqa: PTH116
        except OSError:
            return (), None
        signature = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, os.getcwd())  # noqa: PTH109
        if max(stat.st_mtime_ns, stat.st_ctime_ns) >= self.started_ns - RACY_NS:
            return (), None
        if not self._listings_read:
            self._listings_read = True
            self._earlier_listings.update(self._stored_listings())
        known = self._earlier_listings.get(directory)
        return signature, (known[1] if known is not None and known[0] == signature else None)

    def keep_listing(
        self, directory: Path, signature: tuple, listed: list[tuple[str, str]]
    ) -> None:
        if signature:
            self._earlier_listings[directory] = (signature, listed)
            self._listings_due = True

    def _stored_listings(self) -> dict[Path, tuple[tuple, list[tuple[str, str]]]]:
        """Return the listings the last build kept (see `earlier_listing`): a build that finds
        the papers' directory as it was need not list its 10,000 files again."""
        found = _load(self.directory / "listings.pickle", self.code) if self.directory else None
        listings: dict[Path, tuple[tuple, list[tuple[str, str]]]] = {}
        with contextlib.suppress(TypeError, ValueError, AttributeError):  # not what we wrote
            for directory, (signature, names, shown) in found.items():
                paths = names.split("\0") if names else []
                # One string for a file shown as its path is (see content._shown_paths).
                shown_as = paths if shown == names else shown.split("\0") if shown else []
                listed = list(zip(paths, shown_as, strict=True))
                listings[Path(directory)] = (tuple(signature), listed)
        return listings

    def _encoded_listings(self) -> dict[str, tuple[tuple, str, str]]:
        # Strings joined by NUL, which no path holds: 10,000 names load as two strings.
        return {
            str(directory): (
                signature,
                "\0".join(n for n, _ in listed),
                "\0".join(s for _, s in listed),
            )
            for directory, (signature, listed) in self._earlier_listings.items()
        }

    def file_digests(self, names: Sequence[str]) -> list[str | None]:
        """Return the digest of each file's bytes (None: it cannot be read), reading only the
        files whose stat signature is not the one recorded (one loop: a build stats every
        paper file, and a call per file cost more than the stat itself)."""
        files, seen = self._files, self._files_seen
        trusted_before = self.started_ns - RACY_NS
        prefix, changed = self._quiet or ("\0", frozenset())  # no name starts with NUL
        found: list[str | None] = []
        kept_bytes = sum(map(len, self._read.values()))
        for name in names:
            state = seen.get(name)
            if state is None and name.startswith(prefix) and name[len(prefix) :] not in changed:
                state = files.get(name)  # unchanged, says the watcher: as the last build read it
                if state is None or not state.trusted:
                    state = None
                else:
                    seen[name] = state
            if state is None:
                try:
                    stat = os.stat(name)  # noqa: PTH116 (strings: cheaper than Path objects)
                except OSError:
                    found.append(None)
                    continue
                signature = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
                state = files.get(name)
                if state is None or not state.trusted or state.signature != signature:
                    try:
                        raw = _read_bytes(name)
                    except OSError:
                        found.append(None)
                        continue
                    if kept_bytes < KEPT_READ_BYTES:  # for `read_paper`, if it must be parsed
                        self._read[name] = raw
                        kept_bytes += len(raw)
                    state = FileState(
                        signature, digest_text(raw), stat.st_mtime_ns < trusted_before
                    )
                seen[name] = state
            found.append(state.digest)
        return found

    def files_changed(self) -> int:
        """Return how many of the files this build digested are new, or differ from what the
        last build read."""
        files = self._files
        return sum(
            1
            for name, state in self._files_seen.items()
            if (known := files.get(name)) is None or known.digest != state.digest
        )

    def read_paper(
        self, name: str, shown: str, parse: Callable[[bytes, str], tuple]
    ) -> tuple[str, Paper | None, list[Problem]]:
        """Return a paper file's key, paper and problems, parsing it (`parse(raw, shown)`) only
        when this file's content has not been parsed before."""
        state = self._files_seen.get(name)
        if state is None:
            self.file_digests([name])
            state = self._files_seen.get(name)
            if state is None:
                raise OSError(f"cannot read {name}")
        known = self._decoded.get((shown, state.digest))
        if known is not None:
            self._decoded_used[shown, state.digest] = known
            self._papers.use((known[0],))
            return known[0], known[1], list(known[2])
        key = paper_key(shown, state.digest)
        cached = self._papers.get(key)
        if cached is not None:
            record, problems, parsed_as = cached
            paper = decode_paper(record, shown)
            found = decode_problems(problems, (parsed_as, shown))
            if self.kept_across_builds:
                self._decoded_used[shown, state.digest] = (key, paper, tuple(found))
            return key, paper, found
        raw = self._read.pop(name, None)
        if raw is None:  # not read by `file_digests`: read it now, and see that it is the same
            raw = _read_bytes(name)
            digest = digest_text(raw)
            if digest != state.digest:  # changed since it was stat'ed: parse what is there
                self._files_seen[name] = FileState(state.signature, digest, False)
                key = paper_key(shown, digest)
        paper, problems = parse(raw, shown)
        self._papers.put(key, (encode_paper(paper), encode_problems(problems), shown))
        return key, paper, problems

    def _read_stored(self, stored: Sequence[tuple[int, str, str]], results: list[Any]) -> list[int]:
        """Do what `read_paper` does for files digested already (`stored`: index in `listed`,
        path shown, digest), their records looked up in one pass rather than a call each;
        return the indexes of those not in the cache after all, to be parsed."""
        keys = [paper_key(shown, digest) for _, shown, digest in stored]
        used = self._decoded_used if self.kept_across_builds else None
        missed: list[int] = []
        for (index, shown, digest), key, cached in zip(
            stored, keys, self._papers.get_many(keys), strict=True
        ):
            if cached is None:
                missed.append(index)
                continue
            record, problems, parsed_as = cached
            paper = decode_paper(record, shown, provenance=self.provenance)
            found = decode_problems(problems, (parsed_as, shown)) if problems else []
            if used is not None:
                used[shown, digest] = (key, paper, tuple(found))
            results[index] = (key, paper, found)
        return missed

    def read_papers(
        self,
        listed: Sequence[tuple[str, str]],
        parse: Callable[[bytes, str], tuple],
        processes: int | None = None,
        meanwhile: Callable[[], None] | None = None,
    ) -> list[tuple[str, Paper | None, list[Problem]] | OSError]:
        """Read many paper files as `read_paper` does, parsing those not in the cache on every
        core; an unreadable file gives its OSError. `meanwhile` is called once, while other
        processes parse (see `workers.map_shards`)."""
        results: list[Any] = [None] * len(listed)
        todo: list[int] = []
        files, seen, decoded, used = (
            self._files,
            self._files_seen,
            self._decoded,
            self._decoded_used,
        )
        stored: list[tuple[int, str, str]] = []  # (index, shown, digest): looked up at once
        # Files an earlier build read that this one has not digested yet (`import` and `check`
        # read the papers without a build's digest of them first), stat'ed in one loop and
        # looked up with the others: a `read_paper` call each took 8% longer (26 ms at 10k).
        unseen = [name for name, _ in listed if name not in seen and name in files]
        if unseen:
            self.file_digests(unseen)
        for index, (name, shown) in enumerate(listed):
            current = seen.get(name)
            if current is not None:
                # Digested by this build, so its digest says which paper it is, however recently
                # it changed: what `read_paper` does, inline. Every paper of a `serve` rebuild
                # takes this way. Files written just before the last build (an import, then a
                # build) were parsed again by every core, which sent back papers the cache had
                # already, for it to store again: 30 MB more at the peak of the next build (10k).
                known = decoded.get((shown, current.digest))
                if known is not None:
                    used[shown, current.digest] = known
                    results[index] = (known[0], known[1], list(known[2]))
                else:  # as every paper of a CLI build that read the file before
                    stored.append((index, shown, current.digest))
                continue
            if name in files:  # `file_digests` could not read it: `read_paper` says why
                try:
                    results[index] = self.read_paper(name, shown, parse)
                except OSError as exc:
                    results[index] = exc
                continue
            todo.append(index)
        if stored:
            # Those not in the cache after all are parsed with the new files, on every core when
            # there are many (a `fmt` of every file, a checkout): one after another here, a build
            # after all 10,000 files changed took longer than a cold one.
            todo = sorted(todo + self._read_stored(stored, results))
        # Asked for explicitly, processes are used however few the files (tests fork this way).
        minimum = MIN_PARSES_PER_PROCESS if processes is None else 1
        count = min(processes or cpu_count(), len(todo) // minimum) if _CODEC_OK else 1
        count = max(count, 1)

        made_here: dict[int, tuple[Paper | None, list[Problem]]] = {}
        building = os.getpid()
        papers = self._papers
        # Once a process has parsed its share, the records it made go to the scratch file,
        # pickled by shard (`_Shards.export`), and are saved as they are: pickling 10,000 of
        # them took 60 ms at the end of a cold build, when one process works. Another process
        # sends where they are rather than the records themselves.
        spilled = papers.directory is not None and papers.spill is not None

        def work(claimed: Iterator[int]) -> Iterator[list[tuple]]:
            here = os.getpid() == building  # else a worker, whose papers are sent as made
            mark = len(papers.journal)
            done: list[tuple] = []
            for index in map(todo.__getitem__, claimed):
                name, shown = listed[index]
                before = len(papers.journal)
                try:
                    key, paper, problems = self.read_paper(name, shown, parse)
                except OSError as exc:
                    done.append((index, exc))
                    continue
                state = self._files_seen[name]
                record = None  # parsed here and exported, or this process's own
                if here:
                    made_here[index] = (paper, problems)
                elif not spilled or len(papers.journal) == before:
                    record = (encode_paper(paper), encode_problems(problems), shown)
                done.append((index, key, state, record))
                if len(done) == SENT_EVERY:
                    yield done
                    done = []
            if spilled:
                done.append((_PAPER_PARTS, papers.export(mark)))
            yield done

        for number, done in enumerate(map_claimed(len(todo), count, work, meanwhile)):
            received: dict[str, Any] = {}  # the records another process exported
            if done and done[-1][0] == _PAPER_PARTS:
                parts = done.pop()[1]
                papers.absorb(parts)
                if number:
                    received = papers.entries_of(parts)
            for index, *found in done:
                if len(found) == 1:
                    results[index] = found[0]
                    continue
                key, state, record = found
                name, shown = listed[index]
                if number:  # parsed by another process: take note of it here
                    self._files_seen[name] = state
                    if record is None:
                        record = received[key]
                    else:
                        papers.put(key, record)
                    paper = decode_paper(record[0], provenance=self.provenance)
                    problems = decode_problems(record[1])
                else:
                    paper, problems = made_here[index]
                    if paper is not None and paper.provenance and not self.provenance:
                        # Parsed here: made with it (`read_paper` stores the paper as parsed,
                        # and a worker sends what it returns), so it goes now.
                        paper = replace(paper, provenance=None)
                if self.kept_across_builds:
                    self._decoded_used[shown, state.digest] = (key, paper, tuple(problems))
                results[index] = (key, paper, problems)
        # Papers decoded by an earlier build of this process were not asked of the store: they
        # are used all the same, and stay in it when a shard that holds them is written (else
        # `serve` dropped, with each paper edited, the others of its shard from the cache).
        if used:
            papers.use(known[0] for known in used.values())
        # The records the papers were decoded from are in their files still, and written from
        # there if a shard must be: held to the build's end, they were 6 MB of its peak (10k).
        papers.release()
        # The bytes of files read to digest them, whose papers were in the cache after all: held
        # to the build's end, the first build after 10,000 files were written (an import, then
        # a build within RACY_NS) peaked 30 MB higher. A later `read_paper` reads again.
        self._read.clear()
        return results

    # -- values derived from one paper

    def begin(self, inputs_digest: str) -> None:
        """Start using values derived under these inputs (settings, themes, templates, code)."""
        self.inputs_digest = inputs_digest
        stamp = f"{self.code}:{inputs_digest}"
        if self._derived_stamp != stamp:
            self._derived = {}
            self._derived_stamp = stamp
        # A cache that is only read has one too: the file is unnamed, gone when the build is.
        if self._spill is None and self.directory is not None and _CODEC_OK and fcntl:
            try:
                self._spill = Spill(self.directory)
            except OSError:  # a cache that cannot be written keeps what it makes in memory
                self._spill = None
        self._papers.spill = self._spill

    def _derived_store(self, kind: str) -> _Shards | None:
        if not self._derived_stamp:
            return None
        store = self._derived.get(kind)
        if store is None:
            usable = self.directory if _CODEC_OK else None
            name, stamp = f"derived-{kind}", self._derived_stamp
            # Saved with the keys of the papers this build has (`save`'s `live`).
            store = _Shards(usable, name, stamp, indexed=True, spill=self._spill, tracks_use=False)
            self._derived[kind] = store
        return store

    def derived(self, kind: str, slug: str, compute: Callable[[], Any]) -> Any:
        """Return a value derived from one paper alone, computing it if it is not cached."""
        key = self.paper_keys.get(slug)
        store = self._derived_store(kind)
        if key is None or store is None:
            return compute()
        found = store.get(key)
        if found is None:
            found = compute()
            store.put(key, found)
        return found

    def derived_many(
        self, kind: str, slugs: Sequence[str], compute: Callable[[str], Any]
    ) -> list[Any]:
        """Return the values of many papers as `derived` does (`compute(slug)` for those not
        cached), looking them up in one loop: a bibliography asks for every paper's."""
        keys = list(map(self.paper_keys.get, slugs))
        store = self._derived_store(kind)
        if store is None or None in keys:
            return [self.derived(kind, slug, functools.partial(compute, slug)) for slug in slugs]
        found = store.get_many(keys)
        for index, value in enumerate(found):
            if value is None:
                found[index] = value = compute(slugs[index])
                store.put(keys[index], value)
        return found

    def cached(self, kind: str, slug: str) -> Any:
        """Return the value if it is cached, else None (computing nothing)."""
        key = self.paper_keys.get(slug)
        store = self._derived_store(kind)
        return None if key is None or store is None else store.get(key)

    def cached_under(self, kind: str, key: str) -> Any:
        """Return the value cached for the paper file of key `key` (one an earlier build read),
        else None."""
        store = self._derived_store(kind)
        return None if store is None else store.get(key)

    def has_derived(self, kind: str, slug: str) -> bool:
        """Return whether a value is cached, without reading it (nor the store it is in): an
        answer from the index, which a damaged store may belie (`cached` then finds nothing)."""
        key = self.paper_keys.get(slug)
        store = self._derived_store(kind)
        return key is not None and store is not None and store.contains(key)

    def lacking(self, kind: str, slugs: Iterable[str]) -> list[str]:
        """Return the slugs whose value is not cached (as `has_derived` would answer each, in
        one loop over the store's index: a build asks for every paper's brief)."""
        store = self._derived_store(kind)
        if store is None:
            return list(slugs)
        keys = store._keys() if store.indexed else None
        if keys is None:  # no index file yet (a cold build): the keys each shard holds
            keys = set().union(*map(store._held_keys, range(SHARDS)))
        known = self.paper_keys.get
        added = store.added
        return [
            slug
            for slug in slugs
            if (key := known(slug)) is None or (key not in keys and key not in added)
        ]

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        """Return the value computed before from the inputs `key` is a digest of, else compute
        it (for values made from every paper, such as related papers)."""
        if self._memo is None:
            found = _load(self.directory / "memo.pickle", self.code) if self.directory else None
            self._memo = found if isinstance(found, dict) else {}
        self._memo_used.add(key)
        if key not in self._memo:
            self._memo[key] = compute()
            self._memo_changed = True
        return self._memo[key]

    def journal_marks(self) -> dict[str, int]:
        """Return where each store of derived values stands, for `export_derived`."""
        return {kind: len(store.journal) for kind, store in self._derived.items()}

    def export_derived(self, marks: Mapping[str, int]) -> dict[str, dict]:
        """Take out the derived values made since `marks`, pickled (see `_Shards.export`)."""
        return {kind: store.export(marks.get(kind, 0)) for kind, store in self._derived.items()}

    def release_derived(self) -> None:
        """Let go of the derived values this build read back from files, once the listings
        that show every paper's brief are made: 16 MB at 10,000 papers, which the building
        process held to its end, when it peaks. A cache kept across builds (`serve`) lets go
        only of those from the spill file, and keeps the others for its next build."""
        for store in self._derived.values():
            store.release(everything=not self.kept_across_builds)

    def absorb_derived(self, exported: Mapping[str, dict]) -> None:
        """Take in derived values another process (or this one) exported."""
        for kind, parts in exported.items():
            store = self._derived_store(kind)
            if store is not None:
                store.absorb(parts)

    def paper_key(self, slug: str) -> str:
        """Return a digest of the paper's file as this build read it ('' if unknown)."""
        return self.paper_keys.get(slug, "")

    def compiled_dir(self) -> Path | None:
        """Return where compiled templates are kept for this code (None: nowhere)."""
        return None if self.directory is None else self.directory / f"templates-{self.code}"

    # -- output directories

    def site(self, out_dir: Path) -> SiteRecord | None:
        key = str(out_dir.resolve())
        if key not in self._sites and self.directory is not None:
            found = _load(self._site_path(out_dir), self.code)
            with contextlib.suppress(TypeError, ValueError):  # not a record this code wrote
                self._sites[key] = _decode_site(found)
        return self._sites.get(key)

    def remember_site(self, out_dir: Path, record: SiteRecord) -> None:
        self._sites[str(out_dir.resolve())] = record
        if self.directory is not None:
            self._pending_sites[out_dir] = record
            if not self.writes_deferred:
                self.write_pending()

    def forget_site(self, out_dir: Path) -> None:
        self._sites.pop(str(out_dir.resolve()), None)
        self._pending_sites.pop(out_dir, None)
        if self.directory is not None and self.writable:
            self._site_path(out_dir).unlink(missing_ok=True)

    def _site_path(self, out_dir: Path) -> Path:
        assert self.directory is not None
        return self.directory / f"site-{digest_text(str(out_dir.resolve()))}.pickle"

    def save(self) -> None:
        """Write what changed; keep only files and papers this build read."""
        changed = self._files != self._files_seen
        self._files = self._files_seen
        self._files_seen = {}
        self._read = {}
        self._decoded, self._decoded_used = self._decoded_used, {}
        # What a build that made the catalog did not use goes (one that did not, kept it all).
        memo_changed = (
            bool(self._memo_used)
            and self._memo is not None
            and (self._memo_changed or set(self._memo) != self._memo_used)
        )
        if memo_changed and self._memo is not None:
            self._memo = {key: self._memo[key] for key in self._memo_used if key in self._memo}
        self._memo_used = set()
        self._memo_changed = False
        self._memo_due |= memo_changed
        self._files_due |= changed
        self._stores_due = True
        # Derived values are kept for every paper this build read, used or not: a build that
        # reuses a page never reads what the page was made from.
        self._live = set(self.paper_keys.values())
        if not self.writes_deferred:
            self.write_pending()

    @property
    def has_pending(self) -> bool:
        return self._stores_due or bool(self._pending_sites)

    def write_pending(self) -> None:
        """Write what the builds since the last write changed (see `writes_deferred`)."""
        memo, files, stores = self._memo_due, self._files_due, self._stores_due
        listings = self._listings_due
        self._memo_due = self._files_due = self._stores_due = self._listings_due = False
        sites, self._pending_sites = self._pending_sites, {}
        if self.directory is None or not _CODEC_OK or not self.writable:
            return
        failures: list[OSError | None] = []
        if memo:
            failures.append(_store(self.directory / "memo.pickle", self.code, self._memo))
        if files:
            encoded = _encode_files(self._files)
            failures.append(_store(self.directory / "files.pickle", self.code, encoded))
        if listings:
            encoded = self._encoded_listings()
            failures.append(_store(self.directory / "listings.pickle", self.code, encoded))
        for out_dir, record in sites.items():
            failures.append(_store(self._site_path(out_dir), self.code, _encode_site(record)))
        if stores:
            for compiled in self.directory.glob("templates-*"):
                if compiled != self.compiled_dir():  # compiled by other code
                    shutil.rmtree(compiled, ignore_errors=True)
            # Entries used by any build since the last write are kept (`used` is cleared here).
            failures.append(self._papers.save())
            failures += [store.save(self._live) for store in self._derived.values()]
            self._papers.used.clear()
            if self._spill is not None:  # every part in it is now in a store's file
                self._spill.clear()
        # One line for the whole cache: a directory that cannot be written fails every file.
        failed = next(filter(None, failures), None)
        if failed is not None and not self._told_unwritable:
            _warn_unwritable(self.directory, failed)
            self._told_unwritable = True
