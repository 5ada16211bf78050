"""The benchmark's measurements are the command's own: its peak memory is not the benchmark's."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.benchmarks.bench import run_measured

MB = 1024 * 1024
# Allocates this many MB, writes to every page of it, so that it is resident, and holds it long
# enough for the benchmark's sampling to see it.
_ALLOCATE = (
    "import time\nx = bytearray({mb} * 1024 * 1024)\n"
    "for i in range(0, len(x), 4096): x[i] = 1\ntime.sleep(0.3)"
)


def test_a_commands_peak_memory_is_its_own_not_the_benchmarks(tmp_path: Path) -> None:
    """Linux counts a process's peak resident set size from the memory of the process that
    forked it: started by the benchmark, every command reported at least the benchmark's own
    peak (447 MB for each 50,000-paper stage after the import)."""
    ballast = bytearray(300 * MB)  # the benchmark, after it generated a large listing
    ballast[::4096] = b"\1" * len(ballast[::4096])
    measured = run_measured(["-c", _ALLOCATE.format(mb=40)], tmp_path, program=[sys.executable])
    assert 40 < measured.max_rss_mb < 100
    assert 30 < measured.tree_pss_mb < 100
    assert measured.peak_mb < 100
    assert len(ballast) == 300 * MB
