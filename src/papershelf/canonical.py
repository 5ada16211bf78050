"""The canonical YAML form of a paper file: what `import` writes and `fmt` restores."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=_json_default)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:12]


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


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
    would not read back to the same value."""
    styled = {key: _styled(key, value) for key, value in document.items()}
    text = _dump(styled)
    if _read_back(text) != document:
        text = _dump(document)
    return text


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
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=LINE_WIDTH,
        indent=2,
        default_flow_style=False,
    )
