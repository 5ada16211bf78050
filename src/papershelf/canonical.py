"""The canonical YAML form of a paper file: what `import` writes and `fmt` restores."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from typing import Any

import yaml

from papershelf.model import Paper

# Short, reviewable fields first; the long abstract and notes last, provenance at the very end.
PAPER_KEYS = (
    "title",
    "published",
    "added",
    "arxiv",
    "theme",
    "tags",
    "authors",
    "organization",
    "upvotes",
    "comments",
    "links",
    "abstract",
    "notes",
    "provenance",
)
# The fields import fills from a scrape. Any of them a curator changes is left alone afterwards.
CURATOR_ONLY_KEYS = ("added", "notes", "provenance")
IMPORTED_FIELDS = tuple(key for key in PAPER_KEYS if key not in CURATOR_ONLY_KEYS)
LINE_WIDTH = 88

try:
    _BaseDumper: type = yaml.CSafeDumper
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseDumper, _BaseLoader = yaml.SafeDumper, yaml.SafeLoader


class _FlowList(list):
    """A list written inline (`[asr, translation]`): tags read best on one line."""


class _Folded(str):
    """A long one-line string written as a folded block so that diffs stay reviewable."""


class _Literal(str):
    """A multi-line string (Markdown notes) written as a literal block."""


class _Dumper(_BaseDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # `added` and `scraped_on` are often the same date object; anchors would obscure the file.
        return True


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_Dumper.add_representer(
    _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">")
)
_Dumper.add_representer(
    _Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|")
)


def paper_values(paper: Paper) -> dict[str, Any]:
    """Return the paper's fields as plain YAML values (no provenance), empty ones left out."""
    values: dict[str, Any] = {
        "title": paper.title,
        "published": paper.published,
        "added": paper.added,
        "arxiv": paper.arxiv,
        "theme": paper.theme,
        "tags": list(paper.tags),
        "authors": _authors_value(paper),
        "organization": _organization_value(paper),
        "upvotes": paper.upvotes,
        "comments": paper.comments,
        "links": [{"url": link.url, "kind": link.kind} for link in paper.links],
        "abstract": paper.abstract,
        "notes": paper.notes,
    }
    return {key: value for key, value in values.items() if value not in (None, [], "", {})}


def _authors_value(paper: Paper) -> dict[str, Any] | None:
    if paper.authors is None:
        return None
    value: dict[str, Any] = {"count": paper.authors.count}
    if paper.authors.names:
        value["names"] = list(paper.authors.names)
    return value


def _organization_value(paper: Paper) -> dict[str, Any] | None:
    org = paper.organization
    if org is None:
        return None
    return {"handle": org.handle, "name": org.name} if org.handle else {"name": org.name}


def fingerprint(value: Any) -> str:
    """Return a short stable hash of a field's value (None for an absent field hashes too)."""
    kind = type(value)
    # What json.dumps gives for text, whole numbers and None, without its encoder's set-up.
    if kind is str:
        encoded = _json_string(value)
    elif kind is int:
        encoded = int.__repr__(value)
    elif value is None:
        encoded = "null"
    elif kind is dt.date:
        encoded = f'"{value.isoformat()}"'  # _json_default's text: digits and dashes
    else:
        encoded = _json_encoder.encode(value)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:12]


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


# What json.dumps(value, sort_keys=True, ensure_ascii=False, default=_json_default) uses, made
# once: json.dumps makes an encoder for every call with options.
_json_encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=_json_default)
_json_string = json.encoder.encode_basestring


def paper_document(paper: Paper) -> dict[str, Any]:
    """Return the paper as the ordered mapping its file holds."""
    values = paper_values(paper)
    if paper.provenance is not None:
        prov: dict[str, Any] = {"source": paper.provenance.source}
        if paper.provenance.scraped_on:
            prov["scraped_on"] = paper.provenance.scraped_on
        if paper.provenance.imported:
            prov["imported"] = dict(paper.provenance.imported)
        values["provenance"] = prov
    return {key: values[key] for key in PAPER_KEYS if key in values}


def dump_paper(paper: Paper) -> str:
    """Return the canonical YAML text of a paper file."""
    return dump_document(paper_document(paper))


def dump_document(document: dict[str, Any]) -> str:
    """Return canonical YAML for a paper mapping, falling back to plain styles where a block style
    would not read back to the same value (seen in the text where the values allow, else by
    reading the text back)."""
    styled = {key: _styled(key, value) for key, value in document.items()}
    text = _emit(styled)
    if text is not None:
        plain_values = True  # `_emit` writes no other values than `_reads_as_dumped` accepts
    else:
        text = _dump_with_representer(styled)
        plain_values = _reads_as_dumped(document)
    if (plain_values and _styles_read_back(styled, text)) or _read_back(text) == document:
        return text
    return _dump(document)


def _read_back(text: str) -> Any:
    # The fast reader reads what PyYAML reads (or declines): checking every file an import writes
    # with PyYAML itself took a third of the import.
    from papershelf.fastyaml import parse_block_yaml

    fast = parse_block_yaml(text)
    return fast[0] if fast is not None else yaml.load(text, Loader=_BaseLoader)


def _styled(key: str, value: Any) -> Any:
    if key == "tags" and isinstance(value, list):
        return _FlowList(value)
    if isinstance(value, str):
        if "\n" in value.strip("\n"):
            return _Literal(value)
        if len(value) > LINE_WIDTH and value == value.strip() and "  " not in value:
            return _Folded(value)
    return value


def _dump(document: dict[str, Any]) -> str:
    text = _emit(document)
    return text if text is not None else _dump_with_representer(document)


def _dump_with_representer(document: dict[str, Any]) -> str:
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=LINE_WIDTH,
        indent=2,
        default_flow_style=False,
    )


def _styles_read_back(styled: dict[str, Any], text: str) -> bool:
    """Tell, cheaply, that the styled values of `text` (the styled dump of a document whose
    values all pass `_reads_as_dumped`) read back as they were; False if unsure.

    A folded block whose lines each start at the block's indent with no space or tab, and are
    not empty, reads back as its lines joined by single spaces; a flow list of plain words that
    the resolver reads as text reads back as those words.
    """
    for key, value in styled.items():
        kind = type(value)
        if kind is _Folded:
            if not _folded_reads_back(key, value, text):
                return False
        elif kind is _FlowList:
            if not _flow_list_reads_back(key, value, text):
                return False
        elif kind is _Literal:
            return False
    return True


def _reads_as_dumped(value: Any) -> bool:
    """Tell whether a value reads back as it was dumped, whatever libyaml's style for it: ints,
    dates, and text of printable characters, which libyaml quotes where a plain scalar would
    read as another type or break the syntax, and which no reader takes for a line break."""
    kind = type(value)
    if kind is str:
        return value.isprintable()
    if kind is dict:
        return all(
            type(k) is str and k.isprintable() and _reads_as_dumped(v) for k, v in value.items()
        )
    if kind is list:
        return all(_reads_as_dumped(item) for item in value)
    return kind is int or kind is dt.date


def _folded_reads_back(key: str, value: str, text: str) -> bool:
    header = f"{key}: >-\n"
    if text.startswith(header):
        start = len(header)
    else:
        # Only top-level keys start a line with a key: nested values are indented or under "- ".
        at = text.find(f"\n{header}")
        if at < 0:
            return False
        start = at + 1 + len(header)
    lines = []
    for line in text[start:].split("\n"):
        if not line.startswith("  "):
            break
        lines.append(line[2:])
    return all(line and line[0] not in " \t" for line in lines) and " ".join(lines) == value


def _flow_list_reads_back(key: str, value: list, text: str) -> bool:
    if not all(
        type(item) is str and _PLAIN_WORD.fullmatch(item) and _resolves_as_text(item)
        for item in value
    ):
        return False
    line = f"\n{key}: [{', '.join(value)}]\n"
    return line in text or text.startswith(line[1:])


_PLAIN_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


# libyaml spends most of a dump handling the text one character at a time, several times over.
# `_emit` writes what libyaml writes for the documents paper files hold, whole strings at a time:
# block mappings with identifier keys, block sequences, one-line flow lists, ints, dates and
# text of printable characters of the Basic Multilingual Plane (libyaml escapes others), plain
# or single-quoted by libyaml's rules (yaml_emitter_analyze_scalar and select_scalar_style in
# libyaml 0.2.5's emitter.c), wrapped where libyaml wraps (write_plain_scalar,
# write_single_quoted_scalar, write_folded_scalar: at the first single space past the width).
# Anything else (empty text, literal blocks, null, floats...) is left to libyaml, and the tests
# compare both on generated documents.


class _Beyond(Exception):
    """The document holds something `_emit` leaves to libyaml."""


def _emit(document: dict[str, Any]) -> str | None:
    """Return what libyaml emits for `document`, or None if `_emit` does not know."""
    if _Dumper.yaml_path_resolvers:
        return None  # tags would depend on where a value is, which `_emit` does not follow
    lines: list[str] = []
    try:
        _emit_mapping(document, 0, "", lines)
    except _Beyond:
        return None
    lines.append("")
    return "\n".join(lines)


def _emit_mapping(mapping: dict, indent: int, first_head: str, lines: list[str]) -> None:
    """Emit a block mapping at `indent`; its first key follows `first_head` (as "- ")."""
    if not mapping:
        raise _Beyond  # libyaml writes {}
    head = first_head or " " * indent
    for key, value in mapping.items():
        if type(key) is not str or not _plain_key(key):
            raise _Beyond
        _emit_value(f"{head}{key}:", value, indent, lines)
        head = " " * indent


def _emit_value(head: str, value: Any, indent: int, lines: list[str]) -> None:
    """Emit a mapping's value after `head` ("key:"), the mapping being at `indent`."""
    kind = type(value)
    if kind is dict:
        lines.append(head)
        _emit_mapping(value, indent + 2, "", lines)
    elif kind is list:
        if not value:
            raise _Beyond  # libyaml writes []
        lines.append(head)
        # A sequence in a mapping is not indented ("indentless").
        for item in value:
            if type(item) is dict:
                _emit_mapping(item, indent + 2, " " * indent + "- ", lines)
            else:
                _emit_scalar(" " * indent + "- ", item, indent + 2, lines)
    elif kind is _FlowList:
        items = ", ".join(_scalar_text(item, flow=True)[0] for item in value)
        line = f"{head} [{items}]"
        if not value or len(line) > LINE_WIDTH:  # libyaml would wrap, or write []
            raise _Beyond
        lines.append(line)
    elif kind is _Folded:
        text = str(value)
        if not text or not _printable(text) or text[0] == " " or text[-1] == " ":
            raise _Beyond  # libyaml adds hints, or writes another style
        lines.append(f"{head} >-")
        _wrap(" " * (indent + 2), text, indent + 2, _FOLDED, lines)
    else:
        _emit_scalar(f"{head} ", value, indent + 2, lines)


def _emit_scalar(head: str, value: Any, indent: int, lines: list[str]) -> None:
    """Emit a scalar after `head`, continued at `indent` where it wraps."""
    text, quoted = _scalar_text(value, flow=False)
    if len(head) + len(text) <= LINE_WIDTH + 1:
        lines.append(head + text)  # no space past the width
    else:
        _wrap(head, text, indent, _SINGLE if quoted else _PLAIN, lines)


_PLAIN, _SINGLE, _FOLDED = "plain", "single", "folded"


def _wrap(head: str, text: str, indent: int, style: str, lines: list[str]) -> None:
    """Append `head` + `text`, broken at the spaces where libyaml breaks lines in `style`:
    the first space whose column (before it) is past the width and that is not followed by a
    space; in plain and single-quoted style not preceded by one either; in single-quoted style
    neither the first nor the last character of the value."""
    start, column = 0, len(head)
    last = len(text) - 2  # the value's last character, inside the quotes
    at = text.find(" ", max(start, start + LINE_WIDTH + 1 - column))
    while at != -1:
        after = text[at + 1 : at + 2]
        if (
            after != " "
            and (style == _FOLDED or text[at - 1] != " ")
            and (style != _SINGLE or (at != 1 and at != last))
        ):
            lines.append(head + text[start:at])
            head, start, column = " " * indent, at + 1, indent
            at = text.find(" ", start + LINE_WIDTH + 1 - column)
        else:
            at = text.find(" ", at + 1)
    lines.append(head + text[start:])


def _scalar_text(value: Any, *, flow: bool) -> tuple[str, bool]:
    """Return a scalar as libyaml writes it on one line, and whether in single quotes."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value), False
    if kind is dt.date:
        return value.isoformat(), False
    if kind is not str:
        raise _Beyond
    if _SIMPLE.fullmatch(value):  # no space or indicator: plain unless read as another type
        return (value, False) if _resolves_as_text(value) else (f"'{value}'", True)
    if not value or not _printable(value):
        raise _Beyond
    plain = not (value[0] == " " or value[-1] == " ")
    if plain:
        first, followed_by_space = value[0], value[1:2] in ("", " ")
        if value.startswith(("---", "...")) or first in _INDICATORS:
            plain = False
        elif flow:
            plain = not (
                first in "?:"
                or (first == "-" and followed_by_space)
                or _FLOW_INDICATOR.search(value, 1)
                or " #" in value
            )
        else:
            plain = not (
                (first in "?:-" and followed_by_space)
                or ": " in value
                or value[-1] == ":"
                or " #" in value
            )
    if plain and _resolves_as_text(value):
        return value, False
    return "'" + value.replace("'", "''") + "'", True


_SIMPLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
# What may not start a plain scalar, and what may not appear in one in a flow collection.
_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_FLOW_INDICATOR = re.compile(r"[,?\[\]{}:]")


def _printable(text: str) -> bool:
    """Tell whether libyaml writes every character of `text` as it is (no escapes, no breaks)."""
    return text.isprintable() and (text.isascii() or max(text) < "\U00010000")


def _resolves_as_text(text: str) -> bool:
    """Tell whether the dumper's resolver takes `text`, written plain, for a string (as
    BaseResolver.resolve does for a plain scalar: paper files use no path resolvers)."""
    implicit = _Dumper.yaml_implicit_resolvers
    resolvers = implicit.get(text[:1])
    if resolvers is None and None not in implicit:
        return True
    resolvers = (resolvers or []) + implicit.get(None, [])
    return not any(regexp.match(text) for _, regexp in resolvers)


@functools.lru_cache(maxsize=256)
def _plain_key(key: str) -> bool:
    """Tell whether libyaml writes a mapping key plain, as `_emit` writes keys."""
    return _KEY.fullmatch(key) is not None and _resolves_as_text(key)


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
