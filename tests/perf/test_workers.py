"""Work split over forked processes: results come back whole and in order, failures say why."""

from __future__ import annotations

import errno
import os
import tempfile
import time
import weakref
from pathlib import Path

import pytest

from papershelf.workers import WorkerError, can_fork, map_claimed, map_shards

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers fork")


def test_results_larger_than_a_pipe_come_back_whole_and_in_order() -> None:
    # About 3 MB per shard: many times a pipe's buffer, so it is sent while the parent reads.
    shards = [range(start, 300_000, 3) for start in range(3)]

    def work(shard):
        return os.getpid(), [f"item {n}" for n in shard]

    found = map_shards(shards, work)

    assert [items for _, items in found] == [[f"item {n}" for n in shard] for shard in shards]
    pids = [pid for pid, _ in found]
    assert pids[0] == os.getpid()  # the first shard is done here, the others elsewhere
    assert len(set(pids)) == 3


def test_a_worker_that_fails_reports_its_traceback() -> None:
    def work(shard):
        if shard == ["bad"]:
            raise ValueError("this shard cannot be done")
        return shard

    with pytest.raises(WorkerError, match="ValueError: this shard cannot be done"):
        map_shards([["good"], ["bad"]], work)


def test_a_result_that_does_not_pickle_is_a_failure_not_a_partial_result() -> None:
    def work(shard):
        # The first part pickles (and may be sent already), the last does not.
        return ["x" * 200_000 for _ in range(5)] + [lambda: None] if shard == [2] else shard

    with pytest.raises(WorkerError, match="without a complete result"):
        map_shards([[1], [2]], work)


def test_when_this_process_fails_its_workers_leave_quietly(capfd: pytest.CaptureFixture) -> None:
    here = os.getpid()

    def work(shard):
        if os.getpid() == here:
            raise KeyError("this process's own share failed")
        return ["y" * 100_000 for _ in range(20)]  # more than a pipe holds: sent while read

    with pytest.raises(KeyError, match="own share failed"):
        map_shards([[1], [2], [3]], work)
    # The workers found nobody reading their results: no tracebacks of theirs on the terminal.
    assert capfd.readouterr().err == ""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states")
def test_a_worker_done_first_ends_without_waiting_for_this_process(tmp_path: Path) -> None:
    # A worker whose result waited in a pipe for this process to finish its own share kept
    # everything it made in memory meanwhile: in a cold build, the peak of the memory used.
    told = tmp_path / "worker-pid"

    def work(shard):
        if shard == ["worker"]:
            (tmp_path / "pid.tmp").write_text(str(os.getpid()))
            (tmp_path / "pid.tmp").replace(told)
            return [f"item {n}" for n in range(100_000)]  # far more than a pipe holds
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if told.exists() and _state(int(told.read_text())) == "Z":  # ended, not yet reaped
                return "ended"
            time.sleep(0.01)
        return "still there"

    here, sent = map_shards([["here"], ["worker"]], work)

    assert here == "ended"
    assert sent == [f"item {n}" for n in range(100_000)]


def _state(pid: int) -> str:
    """Return a process's state letter (R, S, Z...) as /proc tells it."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


@pytest.mark.parametrize("count", [400, 5_000])  # one number per batch, and several
def test_every_number_is_claimed_once_and_a_slower_process_claims_fewer(count: int) -> None:
    # A fixed half each made the building process wait for a worker slowed by a busy core.
    here = os.getpid()

    def work(claimed):
        for number in claimed:
            if os.getpid() != here:
                time.sleep(0.002)
            yield [(os.getpid(), number)]

    mine, theirs = map_claimed(count, 2, work)

    assert {pid for pid, _ in mine} == {here}
    assert here not in {pid for pid, _ in theirs}
    assert sorted(number for _, number in mine + theirs) == list(range(count))
    assert len(theirs) < len(mine)


def test_claimed_numbers_in_one_process_are_all_of_them_in_order() -> None:
    assert map_claimed(5, 1, lambda claimed: iter([list(claimed)])) == [[0, 1, 2, 3, 4]]
    assert map_claimed(0, 2, lambda claimed: iter([list(claimed)])) == [[]]


class _Part(list):
    """A list that can be referred to weakly."""


def test_a_worker_holds_none_of_the_parts_it_has_sent() -> None:
    # At 10,000 papers a worker held 10 MB of records of the files it wrote until it ended.
    here = os.getpid()

    def work(claimed):
        sent = None
        for number in claimed:
            if os.getpid() != here and sent is not None and sent() is not None:
                raise AssertionError("a part sent is still held")
            part = _Part([number])
            sent = weakref.ref(part)
            yield part
            del part

    mine, theirs = map_claimed(300, 2, lambda claimed: work(_slowly(claimed, here)))

    assert sorted(mine + theirs) == list(range(300))
    assert len(theirs) > 10


def test_a_worker_that_fails_after_sending_parts_reports_its_traceback() -> None:
    here = os.getpid()

    def work(claimed):
        for made, number in enumerate(claimed):
            if os.getpid() != here:
                if made == 2:
                    raise ValueError("this part cannot be made")
                time.sleep(0.01)  # so that the parent leaves it some
            yield [number]

    with pytest.raises(WorkerError, match="ValueError: this part cannot be made"):
        map_claimed(1000, 2, lambda claimed: work(_slowly(claimed, here)))


def _slowly(claimed, here):
    """Claim at the pace of a process that makes each item in a millisecond."""
    for number in claimed:
        if os.getpid() == here:
            time.sleep(0.001)
        yield number


def test_without_a_temporary_file_results_come_back_through_a_pipe(monkeypatch) -> None:
    # Where no temporary file can be made (a full or read-only TMPDIR), a worker sends its whole
    # result through a pipe once done, streamed or not.
    def no_temporary_file(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", no_temporary_file)
    here = os.getpid()

    def work(claimed):
        for number in claimed:
            yield [(os.getpid(), f"item {number}" * 100)]

    found = map_claimed(2_000, 2, lambda claimed: work(_slowly(claimed, here)))

    assert sorted(item for made in found for _, item in made) == sorted(
        f"item {number}" * 100 for number in range(2_000)
    )
    assert len({pid for made in found for pid, _ in made}) == 2
    assert map_shards([[1], [2]], lambda shard: shard * 50_000) == [[1] * 50_000, [2] * 50_000]


def test_work_meanwhile_runs_here_once_while_the_others_work(tmp_path: Path) -> None:
    """What the building process does `meanwhile` overlaps its workers' share: it runs in this
    process, once, after they have started (here, while a worker is still at its item)."""
    started = tmp_path / "started"
    here = os.getpid()
    calls: list[tuple[int, bool]] = []

    def work(claimed):
        for item in claimed:
            if os.getpid() != here:
                started.touch()
                time.sleep(0.5)
            yield [item]

    def meanwhile() -> None:
        deadline = time.monotonic() + 10
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        calls.append((os.getpid(), started.exists()))

    found = map_claimed(2, 2, work, meanwhile)

    assert sorted(item for part in found for item in part) == [0, 1]
    assert calls == [(here, True)]


def test_work_meanwhile_runs_when_there_is_nothing_to_share() -> None:
    calls: list[int] = []
    found = map_claimed(1, 2, lambda claimed: iter([list(claimed)]), lambda: calls.append(1))
    assert found == [[0]]
    assert calls == [1]
