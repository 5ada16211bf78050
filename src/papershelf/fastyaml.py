"""Read the plain block-style YAML that papershelf writes, twenty times faster than PyYAML.

PyYAML builds and resolves every value in Python even with libyaml's C parser, about 0.8 ms for
a paper file; a list of tens of thousands of papers spent most of its build there. Paper files
are almost always in the canonical form `import` and `fmt` write (canonical.py), which uses a
small part of YAML: block mappings and sequences indented by spaces, plain and single-quoted
one-line scalars, flow sequences of plain words, and `>-`, `|` and `|-` block scalars.

`parse_block_yaml` reads exactly that part and returns None for anything else (comments, tabs,
double quotes, anchors, multi-line flow or quoted scalars, duplicate keys, odd indentation,
trailing spaces...), and the caller then uses PyYAML. Plain scalars are resolved and
constructed by PyYAML's own resolver and constructors, so a value means what it means to PyYAML
(`yes` is true, `2024-13-01` stays text through load.py's loader). The tests compare both
readers on canonical dumps of generated papers and on mutated files.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")
# What may start a plain scalar in block context (indicators are handled before).
_PLAIN_START = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s]|[-?:][^\s,\[\]{}]")
_BLOCK_HEADERS = {">-": ("folded", "strip"), "|": ("literal", "clip"), "|-": ("literal", "strip")}


class _Unsupported(Exception):
    """The text uses YAML this reader leaves to PyYAML."""


@functools.cache
def _loader() -> Any:
    # The same resolver and constructors PyYAML uses for paper files (load.py's loader).
    from papershelf.load import _Loader

    return _Loader("")


@functools.cache
def _resolved_starts() -> frozenset[str] | None:
    """Return the first characters of the plain scalars PyYAML's resolver may tag other than as
    strings (the others, most values no earlier file had, such as digests, are strings); None
    when it may tag any scalar."""
    loader = _loader()
    resolvers = loader.yaml_implicit_resolvers
    if None in resolvers or loader.yaml_path_resolvers:
        return None
    return frozenset(resolvers)


@functools.lru_cache(maxsize=4096)
def _plain_value(text: str, in_flow: bool) -> Any:
    """Return a plain scalar's value, as PyYAML resolves and constructs it."""
    if (
        not _PLAIN_START.match(text)
        or ": " in text
        or " #" in text
        or text.endswith((":", " "))
        or (in_flow and (text[0] in "-?" or any(ch in text for ch in ",[]{}:")))
    ):
        raise _Unsupported
    starts = _resolved_starts()
    if starts is not None and text[0] not in starts:
        return text  # what the resolver makes of it: the default tag, a string
    loader = _loader()
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    if tag == "tag:yaml.org,2002:str":
        return text
    if tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
        raise _Unsupported
    node = yaml.ScalarNode(tag, text)
    return loader.yaml_constructors[tag](loader, node)


def _quoted_value(text: str) -> str:
    inner = text[1:-1]
    if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
        raise _Unsupported
    return inner.replace("''", "'")


def _inline_value(text: str, in_flow: bool = False) -> Any:
    first = text[:1]
    if first == "'":
        return _quoted_value(text)
    if first == "[" and not in_flow:
        if not text.endswith("]"):
            raise _Unsupported
        inner = text[1:-1]
        if not inner:
            return []
        items = inner.split(", ")
        if any(not item or item != item.strip() for item in items):
            raise _Unsupported
        return [_inline_value(item, in_flow=True) for item in items]
    if in_flow and "'" in text:
        raise _Unsupported
    return _plain_value(text, in_flow)


@functools.cache
def _entry(indent: int) -> re.Pattern[str]:
    """Match one key of a block mapping at `indent`, its inline value and the lines below it
    (deeper lines, an indentless sequence's items, empty lines)."""
    pad = " " * indent
    return re.compile(
        rf"{pad}([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?\n((?:{pad} .*\n|{pad}- .*\n|\n)*)"
    )


@functools.cache
def _flat_mapping(indent: int) -> re.Pattern[str]:
    """Match a mapping of one-line values only (`provenance.imported`), in one go."""
    return re.compile(rf"(?: {{{indent}}}[A-Za-z_][A-Za-z0-9_]*: [^\n]*\n)+")


@functools.cache
def _flat_pairs(indent: int) -> re.Pattern[str]:
    return re.compile(rf"^ {{{indent}}}([A-Za-z_][A-Za-z0-9_]*): ([^\n]*)$", re.MULTILINE)


@functools.cache
def _item(indent: int) -> re.Pattern[str]:
    """Match one item of a block sequence at `indent` and the lines below it."""
    pad = " " * indent
    return re.compile(rf"{pad}- (.*)\n((?:{pad} .*\n|\n)*)")


@functools.cache
def _folded_lines(indent: int) -> re.Pattern[str]:
    return re.compile(rf"(?: {{{indent}}}[^ \n].*\n)+")


def _indentation(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _mapping(text: str, indent: int, key_lines: dict[str, int] | None = None) -> dict:
    """Read a block mapping whose keys are at `indent`; it must take up all of `text`."""
    if key_lines is None and _flat_mapping(indent).fullmatch(text):
        pairs = _flat_pairs(indent).findall(text)
        flat = {key: _inline_value(value) for key, value in pairs}
        if len(flat) != len(pairs) or not all(
            isinstance(_plain_value(k, False), str) for k in flat
        ):
            raise _Unsupported
        return flat
    result: dict = {}
    entry = _entry(indent)
    at = 0
    line = 1
    while at < len(text):
        match = entry.match(text, at)
        if match is None:
            raise _Unsupported
        key, rest, block = match[1], match[2], match[3]
        if key in result or not isinstance(_plain_value(key, False), str):
            raise _Unsupported
        if key_lines is not None:
            key_lines[key] = line
            line += match[0].count("\n")
        at = match.end()
        if rest is None:
            result[key] = _nested(block, indent)
        elif rest in _BLOCK_HEADERS:
            result[key] = _block_scalar(block, indent, rest)
        elif block.strip("\n") or rest[0] in "|>":
            raise _Unsupported  # a multi-line scalar, or another block scalar header
        else:
            result[key] = _inline_value(rest)
    return result


def _nested(block: str, indent: int) -> Any:
    """Read what follows `key:` on the lines below it: nothing, a sequence or a mapping."""
    if not block.strip("\n"):
        return None
    if block[0] == "\n":
        raise _Unsupported  # empty lines before a nested block: leave them to PyYAML
    found = _indentation(block)
    if block.startswith("- ", found):
        if found not in (indent, indent + 2):
            raise _Unsupported
        return _sequence(block, found)
    if found <= indent:
        raise _Unsupported
    return _mapping(block, found)


def _sequence(text: str, indent: int) -> list:
    items: list = []
    item = _item(indent)
    at = 0
    while at < len(text):
        match = item.match(text, at)
        if match is None:
            raise _Unsupported
        rest, block = match[1], match[2]
        at = match.end()
        if _KEY.match(rest):
            # A mapping item: its keys line up after "- ".
            items.append(_mapping(" " * (indent + 2) + rest + "\n" + block, indent + 2))
        elif block.strip("\n") or not rest or rest[0] in "|>" or rest.startswith("- "):
            raise _Unsupported
        else:
            items.append(_inline_value(rest))
    return items


def _block_scalar(block: str, indent: int, header: str) -> str:
    style, chomping = _BLOCK_HEADERS[header]
    body = block.rstrip("\n")  # every chomping here drops trailing empty lines
    if not body or body[0] == "\n":
        raise _Unsupported  # no content, or leading empty lines: leave them to PyYAML
    found = _indentation(body)
    if found <= indent:
        raise _Unsupported
    pad = " " * found
    if style == "folded":
        if not _folded_lines(found).fullmatch(body + "\n"):
            raise _Unsupported  # empty or more-indented lines fold differently
        return body[found:].replace("\n" + pad, " ")
    lines = body.split("\n")
    if any(line and not line.startswith(pad) for line in lines):
        raise _Unsupported
    text = "\n".join([line[found:] for line in lines])
    return text if chomping == "strip" else text + "\n"


def parse_block_yaml(text: str) -> tuple[dict, dict[str, int]] | None:
    """Return a document's mapping and the line of each top-level key, or None if the text uses
    YAML beyond what papershelf writes (then PyYAML must read it)."""
    if not text.endswith("\n") or " \n" in text:
        return None
    # Python's printable characters are all printable to YAML, and none of them breaks a line.
    if not text.replace("\n", "").isprintable():
        return None
    key_lines: dict[str, int] = {}
    try:
        data = _mapping(text, 0, key_lines)
    except (_Unsupported, yaml.YAMLError, ValueError, TypeError):
        return None
    if not data:
        return None
    return data, key_lines
