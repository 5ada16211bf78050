"""Replace single files atomically, so a crash never leaves a half-written content file."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_ATTEMPTS = 100


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    put_in_place(stage_text(path, text), path)


def stage_text(path: Path, text: str, tag: str | None = None) -> str:
    """Write `text` to a temporary file beside `path` and return its name, for `put_in_place`
    (or `discard_staged`). `tag` names the files of one operation (see `discard_staged`); by
    default, this process's id."""
    data = text.encode("utf-8")
    folder, name = os.path.split(os.fspath(path))
    tag = tag or f"{os.getpid()}"
    # A name of this operation's own, so no other writer can have it; O_EXCL refuses one left
    # behind by a crash (a process of the same id long ago), and the next number is tried.
    # Mode 0666 less the umask, as any editor creates a file (mkstemp's 0600 needed a chmod).
    for number in itertools.count():
        temp = os.path.join(folder, f".{name}.{tag}-{number}.tmp")  # noqa: PTH118
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
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return temp


def put_in_place(staged: str, path: Path) -> None:
    """Rename a file `stage_text` wrote over `path` (removing it if that fails)."""
    try:
        os.replace(staged, path)  # noqa: PTH105
    except BaseException:
        Path(staged).unlink(missing_ok=True)
        raise


def discard_staged(directory: Path, tag: str) -> None:
    """Remove every file `stage_text` wrote with `tag` under `directory`, however deep: those
    of processes that failed before they could say which they wrote too."""
    suffix = f".{tag}-"
    for folder, _, names in os.walk(directory):
        for name in names:
            if name.startswith(".") and name.endswith(".tmp") and suffix in name:
                Path(folder, name).unlink(missing_ok=True)
