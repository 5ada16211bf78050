"""Write a site as it is rendered, touching only the files that changed since the last build.

Without a record of the last build (a `Manifest`), or when the output directory is not what
that record says (a file edited, added or removed by hand), the site is written into a fresh
directory beside the output and swapped in at the end (`write._swap`). Otherwise it is
updated in place: a changed file is written beside its old self under a temporary name, and
only when every file of the build is written are the temporary files renamed over the old ones
and the files the build no longer makes removed. A failed build removes its temporary
files and leaves the site as it was either way.

Files can be written by forked worker processes: `store` returns a `StoredFile` that says all
the parent needs to know (`adopt` takes them back), and nothing else is shared.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import itertools
import operator
import os
import shutil
import tempfile
from array import array
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    ValuesView,
)
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

from papershelf.write import OutputFile, _check_path, _refuse_foreign_directory, _swap

_INPUTS = operator.attrgetter("inputs")
# Directories a writer remembers as existing; forgetting one costs a failed mkdir.
_KNOWN_DIRECTORIES = 256
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


class FileRecord(NamedTuple):
    """What a build remembers of one file it wrote (a tuple: manifests hold tens of thousands,
    and are read back by every build)."""

    digest: str  # of the bytes
    size: int
    mtime_ns: int
    # A digest of everything the file was rendered from, for files a build may skip rendering.
    inputs: str = ""


class RecordedFiles(Mapping[str, FileRecord]):
    """The files the last build recorded, as a build reads them back: each file's record made
    when it is asked for, from columns of fixed-width text and arrays of numbers, rather than a
    tuple of four values per file held all along. A build that forks renders in processes that
    touch what they look up; 30,000 tuples of a 10,000-paper site, touched that way, were
    copied into each process (a template edit's build peaked 34 MB higher than without them).

    Paths are one string too, each followed by NUL. A file's row is found by bisecting the
    sorted hashes of the paths, an array, and comparing the path where it is in that string: no
    object of the record is touched. A dict from path to row held 2.7 MB more at 10k, and its
    rows' ints were touched, so copied, by each rendering process (a template edit's build:
    154 MB against 149). The index is made when first needed (hashes are those of the process
    and of the processes it forks): a build that makes every record at once (`as_dict`) needs
    none.
    """

    __slots__ = ("_digests", "_hashes", "_inputs", "_joined", "_mtimes", "_rows", "_sizes")

    def __init__(
        self,
        joined: str,
        digests: FixedWidth,
        sizes: Sequence[int],
        mtimes: Sequence[int],
        inputs: FixedWidth,
    ) -> None:
        """`joined`: the paths, each followed by NUL."""
        self._joined = joined
        self._digests, self._sizes, self._mtimes, self._inputs = digests, sizes, mtimes, inputs
        self._hashes: array | None = None  # the paths' hashes in ascending order
        self._rows: array | None = None  # for each of those, its row and where its path starts

    def _index(self) -> tuple[array, array]:
        if self._hashes is None or self._rows is None:
            paths = self._joined.split("\0")[:-1]
            starts = itertools.accumulate((len(path) + 1 for path in paths), initial=0)
            hashed = sorted(zip(map(hash, paths), itertools.count(), starts))
            self._hashes = array("q", map(operator.itemgetter(0), hashed))
            self._rows = array("q", itertools.chain.from_iterable(row[1:] for row in hashed))
        return self._hashes, self._rows

    def _row(self, path: object) -> int | None:
        if not isinstance(path, str):
            return None
        hashes, rows = self._index()
        wanted = hash(path)
        at = bisect.bisect_left(hashes, wanted)
        joined = self._joined
        while at < len(hashes) and hashes[at] == wanted:
            row, start = rows[2 * at], rows[2 * at + 1]
            if joined.startswith(path, start) and joined[start + len(path)] == "\0":
                return row
            at += 1
        return None

    def _record(self, row: int) -> FileRecord:
        return FileRecord(
            self._digests[row], self._sizes[row], self._mtimes[row], self._inputs[row]
        )

    def get(self, path: str, default: FileRecord | None = None) -> FileRecord | None:
        row = self._row(path)
        return default if row is None else self._record(row)

    def __getitem__(self, path: str) -> FileRecord:
        row = self._row(path)
        if row is None:
            raise KeyError(path)
        return self._record(row)

    def __contains__(self, path: object) -> bool:
        return self._row(path) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined.split("\0")[:-1])

    def __len__(self) -> int:
        return len(self._sizes)

    def items(self) -> ItemsView[str, FileRecord]:
        return _RecordedItems(self)

    def values(self) -> ValuesView[FileRecord]:
        return _RecordedValues(self)

    def _records(self) -> Iterator[FileRecord]:
        return map(self._record, range(len(self._sizes)))  # row by row, not path by path

    def as_dict(self) -> dict[str, FileRecord]:
        """Return every record at once, for a build that keeps most files as they are: made
        one at a time as it asks for them, they were held twice, as records and in columns."""
        count = len(self._sizes)
        rows = zip(
            self._digests.all(count),
            self._sizes,
            self._mtimes,
            self._inputs.all(count),
            strict=True,
        )
        return dict(zip(self, map(FileRecord._make, rows), strict=True))


class _RecordedItems(ItemsView[str, FileRecord]):
    _mapping: RecordedFiles

    def __iter__(self) -> Iterator[tuple[str, FileRecord]]:
        return zip(self._mapping, self._mapping._records(), strict=True)


class _RecordedValues(ValuesView[FileRecord]):
    _mapping: RecordedFiles

    def __iter__(self) -> Iterator[FileRecord]:
        return self._mapping._records()


class FixedWidth:
    """Strings of at most `width` characters, none of them NUL, each padded with NULs to
    `width` and all joined: the `index`-th is sliced out when asked for (one string in all,
    where a list holds one object per string)."""

    __slots__ = ("text", "width")

    def __init__(self, text: str, width: int) -> None:
        self.text, self.width = text, width

    @classmethod
    def of(cls, strings: Iterable[str]) -> FixedWidth:
        strings = list(strings)
        width = max(map(len, strings), default=0)
        return cls("".join(string.ljust(width, "\0") for string in strings), width)

    def __getitem__(self, index: int) -> str:
        start = index * self.width
        return self.text[start : start + self.width].rstrip("\0")

    def all(self, count: int) -> list[str]:
        """Return the `count` strings, in order."""
        text, width = self.text, self.width
        if not width:
            return [""] * count
        return [text[start : start + width].rstrip("\0") for start in range(0, len(text), width)]


class InputsBasis(NamedTuple):
    """What the `inputs` digests of a group of files (the papers' pages) were worked out from:
    a digest of the parts every file of the group shares, and each item's own key (a paper
    file's) by name. A build with the same shared parts needs to work out again only the
    digests of items whose key changed, and of the items that show them."""

    shared: str
    keys: Mapping[str, str]
    # The same for the listings: `shared`, and how the papers are grouped and ordered.
    listings: str = ""


@dataclass(frozen=True)
class Manifest:
    """The files a build left in an output directory, and its directories' modification times
    (a directory's time changes whenever a file is added to or removed from it)."""

    files: Mapping[str, FileRecord] = field(default_factory=dict)
    directories: dict[str, int] = field(default_factory=dict)
    # How the digests of the papers' pages in `files` were worked out (None: not known).
    basis: InputsBasis | None = None


class StoredFile(NamedTuple):
    """An output of this build that is on disk: where its bytes are until the build is
    committed, and what the manifest will record of it. Reads like an `OutputFile` (a tuple:
    an edit build keeps one for each of tens of thousands of files it did not remake)."""

    path: str
    source: str
    record: FileRecord
    # The directory the site is written into until the build is committed, ending in "/":
    # one string that every file shares, rather than a path of its own each (30,000 paths of a
    # 10,000-paper site held until the commit: 4.5 MB).
    root: str
    # The temporary file to rename into place at commit (None: nothing to rename).
    pending: str | None = None

    @property
    def location(self) -> str:
        """Where the file's bytes are until the build is committed."""
        return self.pending or self.root + self.path

    @property
    def data(self) -> bytes:
        return Path(self.location).read_bytes()


def digest_bytes(data: bytes) -> str:
    # SHA-256, cut to 128 bits: processors made since about 2017 compute it in hardware, at
    # twice BLAKE2b's speed here (2.0 against 1.1 GB/s); a 10,000-paper build hashes 200 MB.
    return hashlib.sha256(data).hexdigest()[:32]


def matches_manifest(out_dir: Path, manifest: Manifest) -> bool:
    """Tell whether `out_dir` holds exactly the files `manifest` records, unchanged (by size and
    modification time, and no directory's entries changed)."""
    # os.stat on strings: for tens of thousands of files, Path objects cost more than the calls.
    root = str(out_dir)
    try:
        for relative, mtime_ns in manifest.directories.items():
            if os.stat(f"{root}/{relative}").st_mtime_ns != mtime_ns:  # noqa: PTH116
                return False
        for relative, record in manifest.files.items():
            stat = os.lstat(f"{root}/{relative}")
            if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns:
                return False
    except OSError:
        return False
    return bool(manifest.directories)


class SiteWriter:
    """Writes one build's files; `commit` publishes them, `abort` leaves the old site."""

    def __init__(
        self,
        out_dir: Path,
        previous: Manifest | None = None,
        *,
        verified: bool | Callable[[], bool] = False,
    ) -> None:
        """Write into `out_dir`, in place if it matches `previous`. `verified`: known to match,
        or a function that says whether it does, asked only when the writer is first used
        (so that the check, tens of thousands of stat calls, can run meanwhile elsewhere)."""
        _refuse_foreign_directory(out_dir)
        self._start(out_dir, previous)
        self._check = verified if callable(verified) else None
        if previous is not None and verified is False:
            self._check = functools.partial(matches_manifest, self.out_dir, previous)
        if self._check is None or previous is None:
            self.settle()

    def _start(self, out_dir: Path, previous: Manifest | None) -> None:
        """Set up what a writer holds before it knows where it writes."""
        self.out_dir = out_dir.resolve()
        # Where files are, as strings: a build names tens of thousands (formatting a Path
        # costs a method call each).
        self._out_prefix = f"{self.out_dir}/"
        self.token = f"{os.getpid()}"
        # The temporary files written in place so far, by path (see `adopt`).
        self.pending: dict[str, str] = {}
        self.made: list[str] = []  # directories this build created, to remove on failure
        # Set when a worker process died without reporting what it wrote (see `abort`).
        self.workers_lost = False
        # Directories known to exist, the last few made or used: a paper's files are written
        # one after the other, into its own directory.
        self.known: set[str] = set()
        self._previous = previous
        # What `commit` records of how this build worked out its pages' inputs (see Manifest).
        self.basis: InputsBasis | None = None
        self._check: Callable[[], bool] | None = None
        self._root: Path | None = None

    def settle(self) -> None:
        """Decide, once, whether to write in place: only if the directory is as `previous` says."""
        if self._root is not None:
            return
        check, self._check = self._check, None
        if self._previous is not None and check is not None and not check():
            self._previous = None
        if self._previous is None:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            root = Path(
                tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-", dir=self.out_dir.parent)
            )
            # mkdtemp makes a private directory; a published site must be readable by a server.
            root.chmod(0o755)
        else:
            root = self.out_dir
        self._root_prefix = f"{root}/"
        self._root = root

    @property
    def previous(self) -> Manifest | None:
        self.settle()
        return self._previous

    @property
    def root(self) -> Path:
        self.settle()
        assert self._root is not None
        return self._root

    @property
    def in_place(self) -> bool:
        return self.previous is not None

    def reusable(self, path: str, source: str, inputs: str) -> StoredFile | None:
        """Return the file as the last build left it if it was rendered from the same inputs."""
        if self._root is None:
            self.settle()
        record = self._previous.files.get(path) if self._previous else None
        if record is None or not inputs or record.inputs != inputs:
            return None
        return StoredFile(path, source, record, self._out_prefix)

    def kept_under(
        self, directory: str, inputs: str | None, source: str
    ) -> list[StoredFile] | None:
        """Return every file the last build left under `directory` (ending in /) if it made
        each of them from `inputs` (None: from whatever it was), else None."""
        if self._root is None:
            self.settle()
        if self._previous is None or inputs == "":
            return None
        kept: list[StoredFile] = []
        for path, record in self._previous.files.items():
            if path.startswith(directory):
                if inputs is not None and record.inputs != inputs:
                    return None
                kept.append(StoredFile(path, source, record, self._out_prefix))
        return kept or None

    def kept_many(self, paths: Sequence[str], source: str) -> list[StoredFile | None]:
        """Return each file as the last build left it, for files whose inputs are known to be
        those the last build recorded for them (None: it recorded none), in one loop."""
        if self._root is None:
            self.settle()
        if self._previous is None:
            return [None] * len(paths)
        records = list(map(self._previous.files.get, paths))
        kept = False
        root = self._out_prefix
        with contextlib.suppress(AttributeError):  # a file not recorded (None): one by one
            kept = all(map(_INPUTS, records))
        if kept:
            # The common case, with C-level calls: an edit build keeps 30,000 files at 10k.
            # tuple.__new__ makes each StoredFile as StoredFile._make does, without the Python
            # call per file that StoredFile(...) costs.
            repeat = itertools.repeat
            fields = zip(paths, repeat(source), records, repeat(root), repeat(None), strict=False)
            return list(map(tuple.__new__, repeat(StoredFile), fields))
        return [
            StoredFile(path, source, record, root) if record and record.inputs else None
            for path, record in zip(paths, records, strict=True)
        ]

    def store(self, output: OutputFile, inputs: str = "") -> StoredFile:
        """Write one output (unless the last build left the same bytes there)."""
        path = output.path
        _check_path(path)
        digest = digest_bytes(output.data)
        if self._root is None:
            self.settle()
        record = self._previous.files.get(path) if self._previous else None
        if record is not None and record.digest == digest:
            kept = record._replace(inputs=inputs)
            return self.adopt(StoredFile(path, output.source, kept, self._out_prefix))
        # Strings, not Path objects: a build writes tens of thousands of files.
        parent, _, name = (self._root_prefix + path).rpartition("/")
        in_place = self._previous is not None
        target = f"{parent}/.{name}.new-{self.token}" if in_place else f"{parent}/{name}"
        self._make_parent(parent)
        handle = os.open(target, _WRITE_FLAGS, 0o666)
        try:
            _write_all(handle, output.data)
            stat = os.fstat(handle)
        finally:
            os.close(handle)
        new = FileRecord(digest, stat.st_size, stat.st_mtime_ns, inputs)
        pending = target if in_place else None
        return self.adopt(StoredFile(path, output.source, new, self._root_prefix, pending))

    def adopt(self, stored: StoredFile) -> StoredFile:
        """Take note of a file stored here or by a worker process: of its temporary file, which
        `abort` removes (a file written into a fresh directory goes with the directory)."""
        if stored.pending is not None:
            self.pending[stored.path] = stored.pending
        return stored

    def adopt_directories(self, made: Iterable[str]) -> None:
        self.made.extend(made)

    def _make_parent(self, directory: str) -> None:
        if directory in self.known:
            return
        # Made without asking first whether it exists: one system call for each of the 10,000
        # directories of a new 10,000-paper site, not three (2% of a cold build's time).
        try:
            self._make_directory(directory)
        except FileNotFoundError:  # its parent is missing too
            parent = directory.rpartition("/")[0]
            if not parent:
                raise
            self._make_parent(parent)
            self._make_directory(directory)
        if len(self.known) >= _KNOWN_DIRECTORIES:  # else a set of every paper's directory
            self.known.clear()
        self.known.add(directory)

    def _make_directory(self, directory: str) -> None:
        try:
            os.mkdir(directory)  # noqa: PTH102
            self.made.append(directory)
        except FileExistsError:  # there already, or made at the same moment by another worker
            if not os.path.isdir(directory):  # noqa: PTH112
                raise

    def commit(self, outputs: Iterable[StoredFile]) -> Manifest:
        """Publish this build's files; return what the next build should know of them."""
        # By column, with C-level maps: an edit build commits every file, kept or written.
        outputs = list(outputs)
        paths = list(map(_PATH, outputs))
        files = dict(zip(paths, map(_RECORD, outputs), strict=True))
        if not self.in_place:
            # Every directory of a new site was made by this build: stat those, not walk them.
            directories = _directory_times(self.root, self._made_relative(self.root))
            _swap(self.root, self.out_dir)
            return Manifest(files, directories, self.basis)
        assert self.previous is not None
        # An edit build keeps most files as they are: only the few it wrote are renamed.
        pending = list(map(_PENDING, outputs))
        written = map(operator.is_not, pending, itertools.repeat(None))
        renamed = sorted(itertools.compress(zip(paths, pending, strict=True), written))
        touched = {Path(path).parent.as_posix() for path, _ in renamed}
        for path, temporary in renamed:
            os.replace(temporary, self._out_prefix + path)  # noqa: PTH105
        before = self.previous.files.keys()
        stale = [] if before == files.keys() else sorted(before - files.keys(), reverse=True)
        for path in stale:
            (self.out_dir / path).unlink(missing_ok=True)
            touched.add(Path(path).parent.as_posix())
        for directory in sorted(touched, key=len, reverse=True):
            _remove_if_empty(self.out_dir, directory)
        # Directories whose entries changed, and their parents (one left empty is gone).
        changed = _with_parents({*touched, *self._made_relative(self.out_dir)})
        directories = dict(self.previous.directories)
        for relative in changed:
            directories.pop(relative, None)
        directories.update(_directory_times(self.out_dir, changed))
        return Manifest(files, directories, self.basis)

    def forget_previous(self) -> None:
        """Let go of the last build's manifest, once this build is committed."""
        self._previous = None

    def _made_relative(self, root: Path) -> set[str]:
        """Return the directories this build made, relative to `root` (where they all are)."""
        prefix = f"{root}/"
        return {made.removeprefix(prefix) for made in self.made}

    def abort(self) -> None:
        """Remove everything this build wrote; the site stays as the last build left it."""
        if self._root is None:  # nothing written; the check (another process, maybe) is ended
            check, self._check = self._check, None
            if check is not None:
                with contextlib.suppress(Exception):  # the error that aborts the build counts
                    check()
            return
        if not self.in_place:
            shutil.rmtree(self.root, ignore_errors=True)
            return
        for pending in self.pending.values():
            Path(pending).unlink(missing_ok=True)
        for directory in sorted(self.made, key=len, reverse=True):
            with contextlib.suppress(OSError):  # not empty: someone else's file is in it
                Path(directory).rmdir()
        if self.workers_lost:
            self._sweep()

    def _sweep(self) -> None:
        """Remove what a worker process that died had written in place: its files, which it
        never reported, have this build's name for temporary files, and the directories it
        made are not in the last build's manifest (nor, empty, in this one's site)."""
        assert self._previous is not None
        suffix, known = f".new-{self.token}", self._previous.directories
        for directory, _, names in os.walk(self.out_dir, topdown=False):
            for name in names:
                if name.startswith(".") and name.endswith(suffix):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(directory, name))  # noqa: PTH108, PTH118
            relative = Path(directory).relative_to(self.out_dir).as_posix()
            if relative not in known:
                with contextlib.suppress(OSError):  # not empty: it holds someone's file
                    os.rmdir(directory)  # noqa: PTH106


class DryRunWriter(SiteWriter):
    """Takes a build's files as a SiteWriter does and writes none of them (`papershelf check`,
    which renders pages for the problems rendering finds, not for their bytes).

    With `previous`, the record of a build that succeeded, a file that build made from the same
    inputs is not made again: it rendered without a problem then. The output directory is
    neither read nor checked against the record, since nothing of it is used.
    """

    def __init__(self, out_dir: Path, previous: Manifest | None = None) -> None:
        # Not SiteWriter's: it refuses a directory that is not a built site, and chooses where
        # to write, neither of which applies to a writer that writes nothing.
        self._start(out_dir, previous)
        self._root = self.out_dir
        self._root_prefix = self._out_prefix

    def store(self, output: OutputFile, inputs: str = "") -> StoredFile:
        """Take note of one output and let go of its bytes."""
        _check_path(output.path)
        # No digest: no file is compared or written, and nothing records this one.
        record = FileRecord("", len(output.data), 0, inputs)
        return StoredFile(output.path, output.source, record, self._root_prefix)

    def commit(self, outputs: Iterable[StoredFile]) -> Manifest:
        raise TypeError("a dry run publishes nothing")

    def abort(self) -> None:
        # Nothing written, nothing to remove (SiteWriter's would remove its root: `out_dir`).
        return


_PATH, _RECORD, _PENDING = itemgetter(0), itemgetter(2), itemgetter(4)  # StoredFile's fields


def _write_all(handle: int, data: bytes) -> None:
    written = os.write(handle, data)
    if written == len(data):  # as nearly always: a view of what is left only when it is not
        return
    view = memoryview(data)[written:]
    while view:  # os.write may write less than it is given
        view = view[os.write(handle, view) :]


def _remove_if_empty(root: Path, relative: str) -> None:
    # Walk up from a directory that lost files, removing each that is left empty (never the root).
    parts = [part for part in relative.split("/") if part and part != "."]
    while parts:
        try:
            root.joinpath(*parts).rmdir()
        except OSError:
            return
        parts.pop()


def _with_parents(relatives: set[str]) -> set[str]:
    """Return the directories and every directory above them, up to the root (".")."""
    found = set()
    for relative in relatives:
        parts = [part for part in relative.split("/") if part and part != "."]
        for end in range(len(parts) + 1):
            found.add("/".join(parts[:end]) or ".")
    return found


def _directory_times(root: Path, only: set[str] | None = None) -> dict[str, int]:
    """Return the modification time of every directory under `root` (or of `only` those that
    exist, with their parents), by path relative to it ("." for the root itself)."""
    times: dict[str, int] = {}
    if only is None:
        for directory, _, _ in os.walk(root):
            relative = Path(directory).relative_to(root).as_posix()
            times[relative] = Path(directory).stat().st_mtime_ns
        return times
    # os.stat on strings: a new 10,000-paper site has 10,000 directories, and Path objects
    # took three times as long as the calls themselves.
    prefix = f"{root}/"
    for relative in _with_parents(only):
        try:
            times[relative] = os.stat(prefix + relative).st_mtime_ns  # noqa: PTH116
        except FileNotFoundError:  # removed for being empty
            continue
    return times
