"""Problems found in input, carried as values with a file and line until the CLI prints them."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file; line and column are 1-based, 0 means unknown."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where, what, and how to fix it when that is obvious."""

    location: Location
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.severity.value, self.message)

    def format_text(self) -> str:
        """Return `path:line:col: error: message`, plus an indented hint line when there is one."""
        line = _one_line(f"{self.location}: {self.severity.value}: {self.message}")
        if self.hint:
            line += f"\n  hint: {_one_line(self.hint)}"
        return line

    def format_github(self) -> str:
        """Return a GitHub Actions workflow command that annotates the file in a pull request."""
        loc = self.location
        params = [f"file={_escape_property(loc.path)}"]
        if loc.line:
            params.append(f"line={loc.line}")
        if loc.column:
            params.append(f"col={loc.column}")
        text = self.message + (f" (hint: {self.hint})" if self.hint else "")
        return f"::{self.severity.value} {','.join(params)}::{_escape_data(text)}"


# What a terminal or a log breaks a line at, or acts on (a colour code), besides tab: a message
# that quotes hostile input (`'• 3 aut\u2028hors'`) shows such characters escaped, on one line.
_LINE_BREAKING = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def _escaped(found: re.Match[str]) -> str:
    return found.group().encode("unicode_escape").decode("ascii")


def _one_line(text: str) -> str:
    return _LINE_BREAKING.sub(_escaped, text)


class ProblemsError(Exception):
    """Raised to stop a command whose input has errors; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(p.format_text() for p in self.problems))


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping: these three characters would end or split the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
