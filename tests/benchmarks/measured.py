"""Run one command and write its wall time and resource use, as JSON, to a file.

    python tests/benchmarks/measured.py REPORT COMMAND [ARG...]

The benchmark starts each timed command through this small process rather than directly:
Linux counts a process's peak resident set size from the memory of the process that forked
it, so every command the benchmark started reported at least the benchmark's own peak (at
50,000 papers, 447 MB for a warm build that holds far less). Forked from here, a command
starts from this process's few megabytes. The report has `seconds` (from the fork to the
end), `exit` (the command's exit status), `max_rss_kb` (the largest of the command and of the
processes it waited for), `user_s` and `system_s` (CPU time, its waited-for children's too).
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    report, command = argv[0], argv[1:]
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)  # not found, or not runnable
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    measured = {
        "seconds": seconds,
        "exit": os.waitstatus_to_exitcode(status),
        "max_rss_kb": usage.ru_maxrss,
        "user_s": usage.ru_utime,
        "system_s": usage.ru_stime,
    }
    with open(report, "w", encoding="utf-8") as out:  # noqa: PTH123
        json.dump(measured, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
