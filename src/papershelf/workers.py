"""Run work on every core: split it into shards, do the first here and the others in forked
copies of this process, which see everything already in memory and send back only results.

Forking needs no pickling of the work's inputs (the catalog, the templates), only of results,
which is what makes it pay for a build of a few seconds. Where fork is missing (Windows), or for
one shard, everything runs here.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import pickle
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the block runs.

    A build or an import makes millions of objects that live until it ends, and next to no
    reference cycles (reference counting frees the rest at once): the collector would scan the
    same objects over and over, a fifth of a 10,000-paper build's time. It runs as before once
    the block ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork")


class WorkerError(RuntimeError):
    """A forked worker failed; the message carries its traceback."""


class Streamed(NamedTuple):
    """A result made a part at a time: a forked process sends each part as it is made, and holds
    none of them after (at 10,000 papers, a worker held 10 MB of records of the files it wrote
    until it ended). The process that forked it receives the list of the parts."""

    parts: Iterator[Any]


def map_shards(
    shards: Sequence[Sequence[Item]],
    work: Callable[[Sequence[Item]], Result],
    meanwhile: Callable[[], None] | None = None,
) -> list[Result]:
    """Return `work(shard)` for every shard, in order, running the first here and the others in
    forked processes. `work` must not write to the terminal in those, and its result must
    pickle (a `Streamed` result comes back as the list of its parts).

    `meanwhile` is called here once the other processes are at work, before this one's shard:
    work this process will need next, which then costs no time of its own when the shards are
    claimed (see `map_claimed`: the others take more of them)."""
    if len(shards) <= 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        return [work(shard) for shard in shards]
    # Objects made so far move to a generation the collector leaves alone, so that a child's
    # collections do not touch (and so copy) every page of the parent's memory.
    gc.freeze()
    children: list[tuple[int, int, bool]] = []
    try:
        for shard in shards[1:]:
            read_end, write_end, in_file = _result_channel()
            pid = os.fork()
            if pid == 0:  # the child: do the work, send the result, and leave at once
                if not in_file:
                    os.close(read_end)
                _child(shard, work, write_end, in_file)
            if not in_file:
                os.close(write_end)
            children.append((pid, read_end, in_file))
        if meanwhile is not None:
            meanwhile()
        first = work(shards[0])
        results = [list(first.parts) if isinstance(first, Streamed) else first]
        failures = []
        while children:
            pid, read_end, in_file = children.pop(0)
            if in_file:  # read once the worker has ended, and freed all it held
                os.waitpid(pid, 0)
                status, payload = _receive(read_end, rewind=True)
            else:
                status, payload = _receive(read_end)
                os.waitpid(pid, 0)
            if status == "ok":
                results.append(payload)
            else:
                failures.append(payload)
        if failures:
            raise WorkerError("\n".join(failures))
        return results
    finally:
        # Only after a failure here: reap what was started. Every pipe is closed before any
        # worker is waited for: a worker forked later holds the earlier pipes' read ends too,
        # so a worker still writing would otherwise wait on a reader that waits on it.
        for _, read_end, _ in children:
            os.close(read_end)
        for pid, _, _ in children:
            os.waitpid(pid, 0)
        gc.unfreeze()


# At most this many batches for `map_claimed`: written into a pipe before any process reads
# them, they must fit in the smallest buffer a pipe has (one page, 4 KiB).
MAX_BATCHES = 1024
_TOKEN = 4  # bytes per batch: where it starts


def map_claimed(
    count: int,
    processes: int,
    work: Callable[[Iterator[int]], Iterator[list[Item]]],
    meanwhile: Callable[[], None] | None = None,
) -> list[list[Item]]:
    """Return what `work(claimed)` yields (lists, joined) in this process, then in each of
    `processes - 1` forked copies (see `map_shards`; what they yield is `Streamed`), where each
    `claimed` yields some of the numbers 0 to `count - 1`, every one to a single process: a
    process claims the next batch once it is done with its last.

    So a process that is slower (its items longer, or its core busier) takes fewer. With shares
    fixed in advance, the building process of a 10,000-paper cold build waited for its worker
    from 0.05 s to 0.9 s. Batches are handed out through a pipe filled before the fork and
    closed for writing, so that it ends when they are all claimed. `meanwhile`: as for
    `map_shards`.
    """
    if processes <= 1 or count <= 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        return [list(itertools.chain.from_iterable(work(iter(range(count)))))]
    size = -(-count // MAX_BATCHES)
    starts = b"".join(start.to_bytes(_TOKEN, "little") for start in range(0, count, size))
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, starts)  # all of it: it fits in the pipe
    finally:
        os.close(write_end)

    def claimed() -> Iterator[int]:
        # A pipe is read by one process at a time, and every batch is one token.
        while token := os.read(read_end, _TOKEN):
            start = int.from_bytes(token, "little")
            yield from range(start, min(start + size, count))

    try:
        found = map_shards([()] * processes, lambda _: Streamed(work(claimed())), meanwhile)
    finally:
        os.close(read_end)
    return [list(itertools.chain.from_iterable(parts)) for parts in found]


def _result_channel() -> tuple[int, int, bool]:
    """Return where a worker sends its result: (read end, write end, whether it is a file).

    An unnamed temporary file, read once the worker has ended. Through a pipe, a worker that
    finished first held everything it made until this process, done with its own share, had
    read it all, and both then held a copy at once: the peak of a 10,000-paper cold build's
    memory. A pipe where no temporary file can be made.
    """
    try:
        handle, name = tempfile.mkstemp(prefix="papershelf-worker-")
    except OSError:
        read_end, write_end = os.pipe()
        return read_end, write_end, False
    os.unlink(name)  # noqa: PTH108 (gone once both processes have closed it)
    return handle, handle, True


def _child(shard: Sequence, work: Callable, write_end: int, in_file: bool = True) -> None:
    code = 0
    try:
        # Pickled a frame (64 KiB) at a time into the pipe or file: the worker does not hold
        # the whole result as bytes as well (tens of MB for a large site's pages).
        with os.fdopen(write_end, "wb") as channel:
            try:
                try:
                    result = work(shard)
                    if isinstance(result, Streamed) and in_file:
                        for part in result.parts:
                            pickle.dump(("part", part), channel, protocol=pickle.HIGHEST_PROTOCOL)
                            del part  # not held while the next one is made
                        message: tuple[str, Any] = ("streamed", None)
                    else:  # into a pipe, which nobody reads until this worker is done
                        parts = result.parts if isinstance(result, Streamed) else None
                        message = ("ok", result if parts is None else list(parts))
                except BaseException:
                    message = ("error", traceback.format_exc())
                    code = 1
                pickle.dump(message, channel, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:  # the parent stopped reading (it failed, or was interrupted); disk full
                code = 1
            except Exception:
                # Part of it may be in the pipe already, so the parent sees it incomplete and
                # reports a failed worker: the cause goes to this worker's standard error.
                traceback.print_exc()
                code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _receive(read_end: int, *, rewind: bool = False) -> tuple[str, object]:
    parts = []
    with os.fdopen(read_end, "rb") as channel:
        try:
            if rewind:  # a file the worker wrote from its start
                channel.seek(0)
            received = pickle.load(channel)
            while isinstance(received, tuple) and len(received) == 2 and received[0] == "part":
                parts.append(received[1])
                received = pickle.load(channel)
        except Exception as exc:  # nothing sent, or cut short: the worker failed while sending
            return "error", f"a worker process ended without a complete result ({exc!r})"
    if not (isinstance(received, tuple) and len(received) == 2):
        return "error", "a worker process sent something other than a result"
    if received[0] == "streamed":
        return "ok", parts
    return received


def in_background(work: Callable[[], Result]) -> Callable[[], Result]:
    """Start `work` in a forked process (here, where fork is missing); return a function that
    waits for its result, or raises WorkerError. For work that reads much and makes nothing
    (its result must pickle): a thread would hold the interpreter's lock between its calls."""
    if not can_fork():
        value = work()
        return lambda: value
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child((), lambda _: work(), write_end, in_file=False)
    os.close(write_end)
    received: list = []

    def result() -> Result:
        if not received:
            received.append(_receive(read_end))
            os.waitpid(pid, 0)
        status, payload = received[0]
        if status != "ok":
            raise WorkerError(str(payload))
        return payload  # type: ignore[return-value]

    return result
