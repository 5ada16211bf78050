"""Read YAML content files, keeping the line and column of every key for error messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from papershelf.errors import Location, Problem

try:  # libyaml's C parser is several times faster; fall back where PyYAML was built without it
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):
    """The safe loader, except that a date-shaped value that is no date (`2024-13-01`) stays
    text, so the validator can say which key holds it instead of the loader crashing."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data and where each key path (`("links", 0, "url")`) starts."""

    path: str
    data: Any
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict, compare=False)

    def location(self, *key_path: str | int) -> Location:
        """Return where the deepest known prefix of `key_path` starts (else the file's start)."""
        for end in range(len(key_path), 0, -1):
            position = self.positions.get(tuple(key_path[:end]))
            if position:
                return Location(self.path, *position)
        return Location(self.path, 1, 1)


def read_text(path: Path, display_path: str) -> tuple[str | None, Problem | None]:
    """Read a UTF-8 file, or say in one line why it cannot be read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, Problem(Location(display_path), f"cannot read file: {exc.strerror}")
    return decode_text(raw, display_path)


def decode_text(raw: bytes, display_path: str) -> tuple[str | None, Problem | None]:
    """Decode a file's bytes as UTF-8, or say where they are not."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Problem(
            Location(display_path, line, column),
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            hint="save the file as UTF-8",
        )


def parse_yaml(text: str, display_path: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML document; syntax errors and duplicate keys become problems with a line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError:
        # Its position is a byte offset from libyaml and a character offset from PyYAML's own
        # reader, and it has no line: the character is looked for here.
        return None, [_unprintable_problem(text, display_path)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            Location(display_path, mark.line + 1, mark.column + 1)
            if mark
            else Location(display_path)
        )
        message = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(where, f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(Location(display_path), f"invalid YAML: {exc}")]
    if node is None:
        return YamlDocument(display_path, None), []
    positions: dict[KeyPath, tuple[int, int]] = {}
    problems: list[Problem] = []
    _index_positions(node, (), positions, problems, display_path)
    try:
        data = _Loader(text).construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        where = (
            Location(display_path, mark.line + 1, mark.column + 1)
            if mark
            else Location(display_path)
        )
        return None, [Problem(where, f"invalid YAML value: {exc.problem}")]
    return YamlDocument(display_path, data, positions), problems


# The controls HTML forbids in a page: C0 and C1 controls and DEL, less the whitespace it allows
# (tab, line feed, form feed, carriage return). Written in YAML as escapes ("\e"), they would
# reach the pages, the feeds and the BibTeX file.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTER_HINT = "delete the character (a terminal's colour codes start with U+001B)"

# What a YAML document may not hold: the characters outside YAML 1.1's printable set, which
# PyYAML's reader and libyaml refuse.
_NOT_PRINTABLE = re.compile(r"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _unprintable_problem(text: str, display_path: str) -> Problem:
    found = _NOT_PRINTABLE.search(text)
    if found is None:  # refused for a reason of the reader's own: say it without a line
        return Problem(Location(display_path), "invalid YAML: a character YAML does not allow")
    offset = found.start()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = ord(found.group())
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return Problem(
        Location(display_path, line, column),
        f"invalid YAML: {kind} U+{code:04X} is not allowed",
        hint=CONTROL_CHARACTER_HINT,
    )


def load_yaml(path: Path, display_path: str) -> tuple[YamlDocument | None, list[Problem]]:
    """Read and parse a YAML file."""
    text, problem = read_text(path, display_path)
    if problem:
        return None, [problem]
    return parse_yaml(text, display_path)


def _index_positions(node, key_path, positions, problems, display_path) -> None:
    positions[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        Location(display_path, line, key_node.start_mark.column + 1),
                        f"duplicate key '{key}' (first set on line {seen[key]})",
                        hint="keep one of the two",
                    )
                )
                continue
            seen[key] = line
            child = (*key_path, key)
            _index_positions(value_node, child, positions, problems, display_path)
            # A key's own position is more useful than its value's for "unknown key" messages.
            positions[child] = (line, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_positions(item, (*key_path, index), positions, problems, display_path)
