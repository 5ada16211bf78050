"""Run work on every core: split it into shards, do the first here and the others in forked
copies of this process, which see everything already in memory and send back only results.

Forking needs no pickling of the work's inputs (the catalog, the templates), only of results,
which is what makes it pay for a build of a few seconds. Where fork is missing (Windows), or for
one shard, everything runs here.
"""

from __future__ import annotations

import gc
import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork")


class WorkerError(RuntimeError):
    """A forked worker failed; the message carries its traceback."""


def map_shards(
    shards: Sequence[Sequence[Item]], work: Callable[[Sequence[Item]], Result]
) -> list[Result]:
    """Return `work(shard)` for every shard, in order, running the first here and the others in
    forked processes. `work` must not write to the terminal in those, and its result must
    pickle."""
    if len(shards) <= 1 or not can_fork():
        return [work(shard) for shard in shards]
    # Objects made so far move to a generation the collector leaves alone, so that a child's
    # collections do not touch (and so copy) every page of the parent's memory.
    gc.freeze()
    children: list[tuple[int, int]] = []
    try:
        for shard in shards[1:]:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: do the work, send the result, and leave at once
                os.close(read_end)
                _child(shard, work, write_end)
            os.close(write_end)
            children.append((pid, read_end))
        results = [work(shards[0])]
        failures = []
        while children:
            pid, read_end = children.pop(0)
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
        for _, read_end in children:
            os.close(read_end)
        for pid, _ in children:
            os.waitpid(pid, 0)
        gc.unfreeze()


def _child(shard: Sequence, work: Callable, write_end: int) -> None:
    code = 0
    try:
        try:
            result = ("ok", work(shard))
        except BaseException:
            result = ("error", traceback.format_exc())
            code = 1
        # Pickled into the pipe a frame (64 KiB) at a time, as the parent unpickles it: neither
        # process holds the whole result as bytes as well (tens of MB for a large site's pages).
        with os.fdopen(write_end, "wb") as pipe:
            try:
                pickle.dump(result, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            except OSError:  # the parent stopped reading (it failed, or was interrupted)
                code = 1
            except Exception:
                # Part of it may be in the pipe already, so the parent sees it incomplete and
                # reports a failed worker: the cause goes to this worker's standard error.
                traceback.print_exc()
                code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _receive(read_end: int) -> tuple[str, object]:
    with os.fdopen(read_end, "rb") as pipe:
        try:
            received = pickle.load(pipe)
        except Exception as exc:  # nothing sent, or cut short: the worker failed while sending
            return "error", f"a worker process ended without a complete result ({exc!r})"
    if not (isinstance(received, tuple) and len(received) == 2):
        return "error", "a worker process sent something other than a result"
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
        _child((), lambda _: work(), write_end)
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
