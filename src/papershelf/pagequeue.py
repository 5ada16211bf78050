"""Render the pages of a site on every core, and skip the ones a build already has.

`render.render_pages` builds every page's context and hands it to a `PageQueue` instead of
rendering it at once. `finish` then renders what is queued, split over the cores (see
workers.py); with a `SiteWriter`, each page is written as soon as it is rendered and only a small
record of it is kept, so a site of any size never sits in memory whole.

A page whose inputs have a digest (paper pages: the paper, its related papers, and the
settings, themes, templates and code) is not even queued when the last build rendered it from
the same inputs and left it untouched: `reuse` returns it as it is.
"""

from __future__ import annotations

import gc
import marshal
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from papershelf.errors import Problem
from papershelf.sitewriter import FileRecord, InputsBasis, SiteWriter, StoredFile
from papershelf.workers import WorkerError, cpu_count, map_claimed
from papershelf.write import OutputFile

# Results of a shard's work that are not files: what `Carry.take` returned, and the
# directories its writer made (for `SiteWriter.abort`); and files, packed (see `_packed`).
_PACKED = -3
_CARRIED = -2
_DIRECTORIES = -1

# Garbage cycles are collected after this many pages (see `_render`).
COLLECT_EVERY = 500

# Below this many pages, forking costs more than it saves.
MIN_PAGES_PER_PROCESS = 150

Render = Callable[[str, Any], str]  # (template name, context) -> HTML
Explain = Callable[[Exception, str], Problem]  # (error, template name) -> problem


class QueuedPage(NamedTuple):
    """A page to render: where it goes, from which template and context."""

    path: str
    template: str
    context: Any
    source: str
    inputs: str = ""
    # Whether progress counts it (the paper pages).
    counted: bool = False


class QueuedFiles(NamedTuple):
    """Files made by a function (a paper's page and citation files): `make(argument)` returns
    them, and runs wherever the queue's work runs. An error in it is a problem of `template`.

    The function and its argument apart, not bound together: one of these is queued per paper
    before the processes fork, and each process copies every page of that memory it touches.
    """

    make: Callable[[Any], Iterable[OutputFile]]
    argument: Any
    # The template `make` renders, whose problem an error in it is; none: the error is raised.
    template: str = ""
    counted: bool = False


class Carry(NamedTuple):
    """What work makes besides files (values for the build cache), handed back to the process
    that finishes the queue: `take` runs where the work ran, every `every` items and at the
    end, and returns what it made since it last ran (pickled, so that it travels, and holds
    little memory); `give` runs in the finishing process with each."""

    take: Callable[[], Any]
    give: Callable[[Any], None]
    every: int = 500


class PageQueue:
    """Pages waiting to be rendered, written through `writer` (or kept in memory without one)."""

    def __init__(
        self,
        writer: SiteWriter | None = None,
        processes: int | None = None,
        on_page: Callable[[], None] | None = None,
    ) -> None:
        self.writer = writer
        # Asked for explicitly, processes are used however few the pages (tests fork this way).
        self.processes = cpu_count() if processes is None else max(1, processes)
        self.minimum = MIN_PAGES_PER_PROCESS if processes is None else 1
        self.on_page = on_page
        self.queued: list[QueuedPage] = []

    def add(self, page: QueuedPage | QueuedFiles) -> QueuedPage | QueuedFiles:
        self.queued.append(page)
        return page

    def keeps_files(self) -> bool:
        """Tell whether the last build left files this one may keep (else `reuse` finds none)."""
        return self.writer is not None and self.writer.previous is not None

    def reuse(self, path: str, source: str, inputs: str) -> StoredFile | None:
        """Return the page as the last build left it, if made from the same `inputs`."""
        if self.writer is None or not inputs:
            return None
        return self.writer.reusable(path, source, inputs)

    def write_now(self, output: OutputFile) -> OutputFile | StoredFile:
        """Write a file at once rather than with the queue's pages (a large one: a bibliography
        of every paper would otherwise wait in memory), or return it as it is without a writer."""
        if self.writer is None:
            return output
        return self.writer.store(output, output.inputs)

    def kept_many(self, paths: Sequence[str], source: str) -> list[StoredFile | None]:
        """Return each file as the last build left it (see `SiteWriter.kept_many`)."""
        if self.writer is None:
            return [None] * len(paths)
        return self.writer.kept_many(paths, source)

    def recorded_inputs(self, path: str) -> str:
        """Return the inputs the last build recorded for the file ("" when none)."""
        previous = self.writer.previous if self.writer is not None else None
        record = previous.files.get(path) if previous is not None else None
        return record.inputs if record is not None else ""

    def earlier_basis(self) -> InputsBasis | None:
        """Return how the last build worked out its papers' pages' inputs (see Manifest)."""
        previous = self.writer.previous if self.writer is not None else None
        return previous.basis if previous is not None else None

    def record_basis(self, basis: InputsBasis | None) -> None:
        """Record how this build worked out its papers' pages' inputs, for the next one."""
        if self.writer is not None:
            self.writer.basis = basis

    def finish(
        self,
        outputs: Sequence[Any],
        render: Render,
        explain: Explain,
        carry: Carry | None = None,
        *,
        alone: bool = False,
    ) -> tuple[list[Any], list[Problem]]:
        """Render every queued page; return `outputs` with each queued page replaced by the file
        it became (a page that failed to render is left out), and the problems found.

        With a writer, the other files in `outputs` are written as well, on every core (in this
        process, with `alone`).
        """
        queued: list[Any] = self.queued
        self.queued = []
        # Forking pays for rendering; files that only need writing go along when it does.
        processes = 1 if alone else self._processes(len(queued))
        if self.writer is not None:  # where to write is decided once, before processes fork
            self.writer.settle()
        # This process does the first share itself. Leaving all of it to forked processes, so
        # that this one would hold only what they send, took one more copy of the memory every
        # process shares: a 10,000-paper cold build peaked at 350 MB instead of 300.
        here = os.getpid()
        if self.writer is not None:
            queued += [output for output in outputs if isinstance(output, OutputFile)]
        if processes == 1 and gc.get_freeze_count() == 0:
            # What exists now lasts until the build ends (the pages' contexts, every paper's
            # brief): to the oldest generation, unscanned, so that the collections while
            # rendering (see `_render`) look at what rendering made, not at all of it again
            # (33 ms of a 10,000-paper cold build's listings, with one process at work). As
            # `map_shards` does before it forks.
            gc.freeze()
            gc.unfreeze()
        results: list[tuple[int, Any]] = []
        try:
            done_by_shard = map_claimed(
                len(queued),
                processes,
                lambda claimed: self._render(
                    queued, claimed, render, explain, carry, here, packs=processes > 1
                ),
            )
        except WorkerError:
            if self.writer is not None:  # what the failed worker wrote, it never reported
                self.writer.workers_lost = True
            raise
        for number, found in enumerate(done_by_shard):
            results.extend(_unpacked(found))
            if number and self.on_page is not None:  # made elsewhere
                for index, _ in found:
                    if index >= 0 and getattr(queued[index], "counted", False):
                        self.on_page()
        done: dict[int, Any] = {}
        problems: list[Problem] = []
        # In the queue's order, whichever process made what: problems are told in that order.
        results.sort(key=itemgetter(0))
        for index, result in results:
            if index == _CARRIED:
                assert carry is not None
                carry.give(result)
                continue
            if isinstance(result, Problem):
                if result not in problems:
                    problems.append(result)
                continue
            if index == _DIRECTORIES:  # directories a worker made, for `abort`
                assert self.writer is not None
                self.writer.adopt_directories(result)
                continue
            if isinstance(result, StoredFile) and self.writer is not None:
                self.writer.adopt(result)
            elif isinstance(result, list) and self.writer is not None:  # what QueuedFiles made
                for stored in result:
                    self.writer.adopt(stored)
            done[index] = result
        position = {id(page): index for index, page in enumerate(queued)}
        files = []
        for output in outputs:
            if id(output) in position:
                output = done.get(position[id(output)])
                if output is None:
                    continue
            if isinstance(output, list):  # what one QueuedFiles made
                files.extend(output)
            else:
                files.append(output)
        return files, problems

    def _processes(self, count: int) -> int:
        return min(self.processes, max(1, count // self.minimum))

    def forks_for(self, count: int) -> bool:
        """Tell whether `finish` would render `count` queued items on more than one process."""
        return self._processes(count) > 1

    def _render(
        self,
        queued: Sequence[Any],
        shard: Iterable[int],
        render: Render,
        explain: Explain,
        carry: Carry | None = None,
        here: int = 0,
        packs: bool = False,
    ) -> Iterator[list[tuple[int, Any]]]:
        """Make the queued items of `shard`, yielding what they became every `COLLECT_EVERY`
        items; progress is shown only by process `here`, which packs the files it made when
        `packs` (other processes are at work)."""
        writer = self.writer
        made_before = len(writer.made) if writer is not None else 0
        # A worker's files are adopted by the process that commits them, as they are yielded.
        worker = os.getpid() != here
        # What the building process makes is held packed while other processes run (see
        # `_packed`); alone, it has nothing to wait for.
        pack = _packed if not worker and packs else _as_made
        found: list[tuple[int, Any]] = []
        for number, index in enumerate(shard, 1):
            page = queued[index]
            if carry is not None and number % carry.every == 0:
                found.append((_CARRIED, carry.take()))
            if number % COLLECT_EVERY == 0:
                if worker and writer is not None:  # sent with the rest, and held no more
                    found.append((_DIRECTORIES, writer.made[made_before:]))
                    del writer.made[made_before:]
                yield pack(found)
                found = []
                if worker and writer is not None:
                    writer.pending.clear()
                # The build runs with the collector off (workers.collector_paused), and rendering
                # leaves cycles behind (pylatexenc makes a class per call): about 5% of a
                # 10,000-paper cold build's peak memory. A young collection takes a few ms.
                gc.collect(1)
            if isinstance(page, OutputFile):  # rendered already: only to write
                assert writer is not None
                found.append((index, writer.store(page, page.inputs)))
                continue
            if isinstance(page, QueuedFiles):
                try:
                    made = page.make(page.argument)
                except Exception as exc:  # a template bug of any kind is the template's problem
                    if not page.template:  # made without one: a bug of papershelf's own
                        raise
                    found.append((index, explain(exc, page.template)))
                    continue
                if writer is not None:
                    made = [writer.store(output, output.inputs) for output in made]
                found.append((index, list(made)))
                if self.on_page is not None and page.counted and os.getpid() == here:
                    self.on_page()
                continue
            try:
                html = render(page.template, page.context)
            except Exception as exc:  # a template bug of any kind is the template's problem
                found.append((index, explain(exc, page.template)))
                continue
            output = OutputFile(page.path, html.encode("utf-8"), page.source)
            found.append((index, output if writer is None else writer.store(output, page.inputs)))
            # Progress is shown by this process only.
            if self.on_page is not None and page.counted and os.getpid() == here:
                self.on_page()
        if carry is not None:
            found.append((_CARRIED, carry.take()))
        if worker and writer is not None:  # this process's writer has them already
            found.append((_DIRECTORIES, writer.made[made_before:]))
        yield pack(found)


def _as_made(found: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    return found


def _packed(found: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
    """Return `found` with the records of the files in it packed into one string of bytes.

    The building process holds what it made until its workers are done, when the processes
    together peak: as tuples, a file's record took about 570 bytes (at 10,000 papers, 16,000
    files and 9 MB), packed about 160. Marshalled, which takes plain tuples of strings and
    numbers several times faster than pickle takes named tuples; it never leaves the process.
    """
    files, rest = [], []
    for index, result in found:
        if isinstance(result, StoredFile):
            files.append((index, False, [_plain(result)]))
        elif type(result) is list and all(isinstance(item, StoredFile) for item in result):
            files.append((index, True, list(map(_plain, result))))
        else:
            rest.append((index, result))
    rest.append((_PACKED, marshal.dumps(files)))
    return rest


def _plain(stored: StoredFile) -> tuple:
    path, source, record, root, pending = stored
    return (path, source, tuple(record), root, pending)


def _unpacked(found: Iterable[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    """Yield what `found` holds, with the files `_packed` packed as they were."""
    for index, result in found:
        if index != _PACKED:
            yield index, result
            continue
        for file_index, many, plain in marshal.loads(result):
            stored = [
                StoredFile(path, source, FileRecord._make(record), root, pending)
                for path, source, record, root, pending in plain
            ]
            yield file_index, (stored if many else stored[0])
