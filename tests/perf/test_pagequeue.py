"""What the building process holds of the files it made while its workers run."""

from __future__ import annotations

import pytest

from papershelf.errors import Location, Problem
from papershelf.pagequeue import (
    _CARRIED,
    _DIRECTORIES,
    _PACKED,
    PageQueue,
    QueuedFiles,
    _packed,
    _unpacked,
)
from papershelf.sitewriter import FileRecord, StoredFile
from papershelf.workers import WorkerError
from papershelf.write import OutputFile


def _stored(number: int, pending: str | None = None) -> StoredFile:
    record = FileRecord(f"{number:032x}", 100 + number, 1_764_000_000_000_000_000 + number, "i")
    path = f"papers/p{number}/index.html"
    return StoredFile(path, "templates/paper.html", record, "/out/", pending)


def test_files_held_packed_come_back_as_they_were_made() -> None:
    # At 10,000 papers the building process held 16,000 records of files it wrote (9 MB) while
    # its worker ran, when the two processes peak together.
    problem = Problem(Location("templates/paper.html", 3), "undefined name")
    found = [
        (0, _stored(0)),
        (1, [_stored(1, "/out/papers/p1/.index.html.new-7"), _stored(2)]),
        (2, problem),
        (3, []),  # a paper whose files were all kept
        (_CARRIED, {"view": {}}),
        (_DIRECTORIES, ["/out/papers/p0"]),
    ]

    packed = _packed(found)

    assert [index for index, _ in packed] == [2, _CARRIED, _DIRECTORIES, _PACKED]
    assert isinstance(packed[-1][1], bytes)
    back = dict(_unpacked(packed))
    assert back == dict(found)
    assert type(back[0]) is StoredFile and type(back[0].record) is FileRecord
    assert [type(stored) for stored in back[1]] == [StoredFile, StoredFile]
    assert back[1][0].location == "/out/papers/p1/.index.html.new-7"
    assert back[1][1].location == "/out/papers/p2/index.html"


def _broken(_: object) -> list[OutputFile]:
    raise KeyError("a bug")


def _template_bug(_: object) -> list[OutputFile]:
    raise TypeError("'undefined' is not callable")


def _page(number: object) -> list[OutputFile]:
    return [OutputFile(f"p{number}.html", b"<p>", "templates/paper.html")]


def _explain(exc: Exception, template: str) -> Problem:
    return Problem(Location(f"templates/{template}"), f"template error: {exc}")


@pytest.mark.parametrize("processes", [1, 2])
def test_a_failure_outside_any_template_is_raised_not_blamed_on_one(processes: int) -> None:
    """Files made without a template (the feeds) fail the build as the bug they are; a file
    made from a template that fails is that template's problem."""
    queue = PageQueue(None, processes)
    items = [queue.add(QueuedFiles(_page, number, "paper.html")) for number in range(4)]
    items.append(queue.add(QueuedFiles(_template_bug, None, "paper.html")))
    made, problems = queue.finish(items, lambda name, context: "", _explain)
    assert [file.path for file in made] == ["p0.html", "p1.html", "p2.html", "p3.html"]
    assert problems == [_explain(TypeError("'undefined' is not callable"), "paper.html")]

    queue = PageQueue(None, processes)
    items = [queue.add(QueuedFiles(_page, number, "paper.html")) for number in range(4)]
    items.insert(0, queue.add(QueuedFiles(_broken, None)))
    with pytest.raises((KeyError, WorkerError), match="a bug"):  # wherever it was made
        queue.finish(items, lambda name, context: "", _explain)
