"""Progress bars for long `import` and `build` runs, drawn only where a person is watching.

A bar appears on a terminal (stderr is a TTY) once a stage has at least `LARGE_WORK` items; it
stays silent with `--quiet`, when stderr is piped or redirected, when `CI` is set, and on a
`TERM=dumb` terminal. Work is reported through the `Progress` protocol, so stages never know
whether anything is drawn.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TextIO

# Below this many items a stage finishes before a bar would be worth reading.
LARGE_WORK = 100
BAR_WIDTH = 28
# Redrawing on every item would make printing slower than the work on a fast machine.
REDRAW_SECONDS = 0.05
_FALSE = ("", "0", "false", "no")


class Progress(Protocol):
    def stage(self, label: str, total: int | None = None) -> None:
        """Start a stage of `total` items (None: a count unknown in advance)."""

    def advance(self, count: int = 1) -> None:
        """Count `count` more items of the current stage as done."""

    def close(self) -> None:
        """Clear the bar, so that the next line prints on a clean line."""


class SilentProgress:
    """Reports nothing: for --quiet, CI, pipes and the library API."""

    def stage(self, label: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class TerminalProgress:
    """Draws `label [#####.....] done/total` on one line of a terminal, rewritten in place.

    A stage without a known total shows its label alone, and only once an earlier stage has
    shown that the run is large.
    """

    stream: TextIO
    min_total: int = LARGE_WORK
    clock: Callable[[], float] = time.monotonic
    _label: str = ""
    _total: int | None = None
    _done: int = 0
    _shown: bool = False
    _large: bool = False
    _drawn_at: float = field(default=float("-inf"))

    def stage(self, label: str, total: int | None = None) -> None:
        self._label, self._total, self._done = label, total, 0
        if total is not None and total >= self.min_total:
            self._large = True
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self._done += count
        self._draw(force=self._total is not None and self._done >= self._total)

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False

    def _visible(self) -> bool:
        if self._total is None:
            return self._large
        return self._total >= self.min_total

    def _draw(self, *, force: bool) -> None:
        if not self._visible():
            self.close()
            return
        now = self.clock()
        if not force and now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        self.stream.write("\r\x1b[K" + self.line())
        self.stream.flush()
        self._shown = True

    def line(self) -> str:
        """Return the text of the bar as it stands."""
        if self._total is None:
            return f"{self._label}…"
        done = min(self._done, self._total)
        filled = BAR_WIDTH * done // self._total if self._total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        return f"{self._label} [{bar}] {done}/{self._total}"


def is_ci(environ: Mapping[str, str]) -> bool:
    """Return whether `CI` is set to something other than a false value (GitHub sets `true`)."""
    return environ.get("CI", "").strip().lower() not in _FALSE


def progress_for(
    stream: TextIO, *, quiet: bool = False, environ: Mapping[str, str] | None = None
) -> Progress:
    """Return a bar on `stream` if a person is likely watching it, else a silent reporter."""
    environ = os.environ if environ is None else environ
    interactive = hasattr(stream, "isatty") and stream.isatty()
    if quiet or not interactive or is_ci(environ) or environ.get("TERM") == "dumb":
        return SilentProgress()
    return TerminalProgress(stream)
