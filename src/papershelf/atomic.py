"""Replace single files atomically, so a crash never leaves a half-written content file."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_ATTEMPTS = 100


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    data = text.encode("utf-8")
    target = os.fspath(path)
    folder, name = os.path.split(target)
    # A name of this process's own, so no other writer can have it; O_EXCL refuses one left
    # behind by a crash (a process of the same id long ago), and the next number is tried.
    # Mode 0666 less the umask, as any editor creates a file (mkstemp's 0600 needed a chmod).
    for number in itertools.count():
        temp = os.path.join(folder, f".{name}.{os.getpid()}-{number}.tmp")  # noqa: PTH118
        try:
            fd = os.open(temp, _FLAGS, 0o666)
            break
        except FileExistsError:
            if number >= _ATTEMPTS:
                raise
        except FileNotFoundError:
            if number >= _ATTEMPTS or not folder:
                raise
            Path(folder).mkdir(parents=True, exist_ok=True)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(temp, target)  # noqa: PTH105 (no Path objects per file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
