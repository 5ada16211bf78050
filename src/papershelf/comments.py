"""Carry a paper file's YAML comments over to its rewritten text.

`fmt` and `import` rewrite paper files in the canonical form (canonical.py), which PyYAML writes
without comments; a curator's comments are theirs to keep. `keep_comments` puts each one back by
the same top-level key: a comment line above a key goes above it again (those before the first
key stay at the start, those after the last at the end), and a comment after a key's value
stays at the end of that key's line. A
comment it cannot place so (indented, inside a nested value, or by a key the new text no longer
has) is reported by its line, and the file is then left as it is.

Comments are found where PyYAML's scanner finds no token: a `#` inside a quoted or block scalar
is text, not a comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from papershelf.errors import Location, Problem, Severity


@dataclass(frozen=True)
class _Comment:
    line: int  # 0-based
    column: int
    text: str  # from the `#` to the end of the line


@dataclass
class _Placement:
    above: dict[str, list[str]] = field(default_factory=dict)
    beside: dict[str, str] = field(default_factory=dict)
    at_start: list[str] = field(default_factory=list)
    at_end: list[str] = field(default_factory=list)


def keep_comments(old: str, new: str) -> tuple[str | None, int]:
    """Return `new` with the comments of `old` by the same top-level keys, and 0; or None and
    the line (1-based) in `old` of a comment that cannot be kept."""
    comments = list(_comments(old))
    if not comments:
        return new, 0
    old_keys = _top_level_keys(old)
    key_at_line = {line: key for key, line in old_keys.items()}
    placement = _Placement()
    old_lines = old.split("\n")
    for comment in comments:
        before = old_lines[comment.line][: comment.column]
        if before.strip():  # after a value: it must be a top-level key's line
            key = key_at_line.get(comment.line)
            if key is None:
                return None, comment.line + 1
            placement.beside[key] = comment.text
        elif comment.column:  # an indented comment line: inside a value
            return None, comment.line + 1
        elif comment.line < min(key_at_line, default=0):  # the file's own, before any key
            placement.at_start.append(comment.text)
        else:
            following = [line for line in key_at_line if line > comment.line]
            if following:
                placement.above.setdefault(key_at_line[min(following)], []).append(comment.text)
            else:
                placement.at_end.append(comment.text)
    new_keys = _top_level_keys(new)
    for key in (*placement.above, *placement.beside):
        if key not in new_keys:
            return None, _first_line_of(comments, old_keys, key, placement) + 1
    lines = new.removesuffix("\n").split("\n")
    key_of_new_line = {line: key for key, line in new_keys.items()}
    out = list(placement.at_start)
    for number, text in enumerate(lines):
        key = key_of_new_line.get(number)
        if key is not None:
            out += placement.above.get(key, [])
            if key in placement.beside:
                text = f"{text}  {placement.beside[key]}"
        out.append(text)
    out += placement.at_end
    kept = "\n".join(out) + "\n"
    # The comments change nothing a reader of the YAML sees.
    if yaml.load(kept, Loader=yaml.CSafeLoader) != yaml.load(new, Loader=yaml.CSafeLoader):
        return None, comments[0].line + 1
    return kept, 0


def comment_not_kept(
    shown: str, line: int, outcome: str, severity: Severity = Severity.ERROR
) -> Problem:
    """Return the problem of a file left as it is because of its comment at `line`."""
    return Problem(
        Location(shown, line),
        f"{outcome}: the comment on this line is inside a value, where a rewritten file cannot "
        "keep it",
        hint="move the comment to its own line above the key it is about, or beside that key",
        severity=severity,
    )


def _comments(text: str) -> Iterator[_Comment]:
    """Yield the comments of a YAML text, in order."""
    if "#" not in text:
        return
    starts = _line_starts(text)
    end = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        start = token.start_mark.index
        yield from _comments_between(text, end, start, starts)
        if isinstance(token, yaml.ScalarToken) and token.style in (">", "|"):
            # A block scalar's header line may end with a comment, inside the token.
            header_end = text.find("\n", start)
            header_end = len(text) if header_end < 0 else header_end
            yield from _comments_between(text, start + 1, header_end, starts)
        end = max(end, token.end_mark.index)
    yield from _comments_between(text, end, len(text), starts)


def _comments_between(text: str, start: int, end: int, starts: list[int]) -> Iterator[_Comment]:
    """Yield the comments in text[start:end], where there are only spaces and comments."""
    position = text.find("#", start, end)
    while position >= 0:
        if position == 0 or text[position - 1] in " \t\n":
            line_end = text.find("\n", position)
            line_end = len(text) if line_end < 0 else line_end
            line = _line_of(position, starts)
            yield _Comment(line, position - starts[line], text[position:line_end].rstrip())
            position = text.find("#", line_end, end)
        else:
            position = text.find("#", position + 1, end)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def _line_of(position: int, starts: list[int]) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


_OPENING = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _top_level_keys(text: str) -> dict[str, int]:
    """Return the line (0-based) of each key of the top-level mapping."""
    # Lines as "\n" ends them: PyYAML's own count also breaks at U+2028, which an abstract
    # pasted from a PDF may hold.
    starts = _line_starts(text)
    keys: dict[str, int] = {}
    depth = 0
    after_key = False
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPENING):
            depth += 1
        elif isinstance(token, _CLOSING):
            depth -= 1
        elif isinstance(token, yaml.KeyToken):
            after_key = depth == 1
            continue
        elif isinstance(token, yaml.ScalarToken) and after_key:
            keys.setdefault(token.value, _line_of(token.start_mark.index, starts))
        after_key = False
    return keys


def _first_line_of(
    comments: list[_Comment], keys: dict[str, int], key: str, placement: _Placement
) -> int:
    """Return the line of the first comment kept by `key` (for the message)."""
    texts = {*placement.above.get(key, []), placement.beside.get(key)}
    return next((comment.line for comment in comments if comment.text in texts), keys.get(key, 0))
