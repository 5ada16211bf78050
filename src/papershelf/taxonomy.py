"""Read `content/themes.yaml`: the declared themes and tags and the rules that assign them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from papershelf.catalog import Remember
from papershelf.classify import rule_flags
from papershelf.content import display_path
from papershelf.errors import Problem
from papershelf.load import (
    CONTROL_CHARACTER,
    CONTROL_CHARACTER_HINT,
    YamlDocument,
    decode_text,
    load_yaml,
    parse_yaml,
)
from papershelf.model import Rule, Tag, Taxonomy, Theme
from papershelf.text import SLUG_PATTERN
from papershelf.validate import did_you_mean

RULE_FIELDS = ("title", "abstract", "links")
# Each top-level setting once: its default and whether zero is allowed.
_SETTINGS = {
    "min_theme_score": (3.0, False),
    "min_tag_score": (1.0, False),
    "title_weight": (2.0, False),
    "min_margin": (2.0, True),
}
_TOP_KEYS = (*_SETTINGS, "themes", "tags")
_THEME_KEYS = ("id", "title", "description", "outranks", "rules")
_TAG_KEYS = ("id", "title", "description", "rules")
_RULE_KEYS = ("pattern", "weight", "fields")


def load_taxonomy(
    path: Path, remember: Remember | None = None
) -> tuple[Taxonomy | None, list[Problem]]:
    """Read and check the themes file; every problem is reported, not just the first.

    With `remember` (a build cache's), a file with the same bytes, shown under the same path,
    is not parsed again: `serve` reads it on every rebuild, and it rarely changes.
    """
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError:  # load_yaml says why, as for any file
        return _from_document(*load_yaml(path, shown))
    if remember is None:
        return _from_bytes(raw, shown)
    key = hashlib.blake2b(b"\0".join((b"themes", shown.encode(), raw)), digest_size=16)
    taxonomy, problems = remember(key.hexdigest(), lambda: _from_bytes(raw, shown))
    return taxonomy, list(problems)


def _from_bytes(raw: bytes, shown: str) -> tuple[Taxonomy | None, list[Problem]]:
    text, problem = decode_text(raw, shown)
    if text is None:
        return None, [problem] if problem else []
    return _from_document(*parse_yaml(text, shown))


def _from_document(
    doc: YamlDocument | None, problems: list[Problem]
) -> tuple[Taxonomy | None, list[Problem]]:
    if doc is None:
        return None, problems
    taxonomy, more = taxonomy_from_document(doc)
    return taxonomy, problems + more


def taxonomy_from_document(doc: YamlDocument) -> tuple[Taxonomy | None, list[Problem]]:
    """Build a `Taxonomy` from a parsed themes file, or say everything that is wrong with it."""
    problems: list[Problem] = []

    def error(key_path: tuple, message: str, hint: str | None = None) -> None:
        problems.append(Problem(doc.location(*key_path), message, hint))

    data = doc.data
    if not isinstance(data, dict):
        error((), "the themes file must be a mapping with 'themes' and 'tags'")
        return None, problems
    for key in data:
        if key not in _TOP_KEYS:
            error((key,), f"unknown key '{key}'", did_you_mean(str(key), _TOP_KEYS))
    theme_entries = _entries(doc, "themes", _THEME_KEYS, error)
    themes = tuple(
        Theme(
            id=e["id"],
            title=e["title"],
            description=e["description"],
            rules=e["rules"],
            outranks=_outranks(e, error),
        )
        for e in theme_entries
    )
    tags = tuple(
        Tag(id=e["id"], title=e["title"], description=e["description"], rules=e["rules"])
        for e in _entries(doc, "tags", _TAG_KEYS, error)
    )
    _check_outranks(themes, [e["_index"] for e in theme_entries], error)
    settings = {}
    for key, (default, zero_allowed) in _SETTINGS.items():
        value = data.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value < 0
            or (value == 0 and not zero_allowed)
        ):
            kind = "a number, 0 or more" if zero_allowed else "a positive number"
            error((key,), f"'{key}' must be {kind}, got {value!r}")
            value = default
        settings[key] = float(value)
    if problems:
        return None, problems
    return Taxonomy(themes=themes, tags=tags, **settings), problems


def _outranks(entry: dict, error) -> tuple[str, ...]:
    value = entry.get("outranks")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        error(("themes", entry["_index"], "outranks"), "'outranks' must be a list of theme ids")
        return ()
    return tuple(value)


def _check_outranks(themes: tuple[Theme, ...], indexes: list[int], error) -> None:
    """Report references to unknown themes, and circles, which would leave no theme standing."""
    ids = [theme.id for theme in themes]
    for theme, index in zip(themes, indexes, strict=True):
        for position, other in enumerate(theme.outranks):
            where = ("themes", index, "outranks", position)
            if other == theme.id:
                error(where, f"theme '{theme.id}' cannot outrank itself")
            elif other not in ids:
                error(
                    where,
                    f"theme '{theme.id}' outranks unknown theme '{other}'",
                    did_you_mean(other, ids),
                )
    beaten = {t.id: [o for o in t.outranks if o in ids and o != t.id] for t in themes}
    for theme, index in zip(themes, indexes, strict=True):
        circle = _circle_from(theme.id, beaten)
        # Report each circle once, at its first-declared theme.
        if circle and circle[0] == min(circle[:-1], key=ids.index):
            error(
                ("themes", index, "outranks"),
                f"themes outrank each other in a circle: {' -> '.join(circle)}",
                hint="remove one of the 'outranks' entries",
            )


def _circle_from(start: str, beaten: dict[str, list[str]]) -> list[str] | None:
    path = [start]

    def walk(node: str) -> bool:
        for nxt in beaten[node]:
            if nxt == start:
                path.append(nxt)
                return True
            if nxt not in path:
                path.append(nxt)
                if walk(nxt):
                    return True
                path.pop()
        return False

    return path if walk(start) else None


def _entries(doc: YamlDocument, section: str, allowed: tuple[str, ...], error) -> list[dict]:
    items = doc.data.get(section)
    if not isinstance(items, list) or not items:
        error((section,), f"'{section}' must be a non-empty list")
        return []
    entries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = (section, index)
        if not isinstance(item, dict):
            error(where, f"each entry of '{section}' must be a mapping")
            continue
        for key in item:
            if key not in allowed:
                error((*where, key), f"unknown key '{key}'", did_you_mean(str(key), allowed))
        entry_id = item.get("id")
        if not isinstance(entry_id, str) or not SLUG_PATTERN.match(entry_id):
            error((*where, "id"), f"'id' must be a slug such as 'low-resource', got {entry_id!r}")
            continue
        if entry_id in seen:
            first_line = doc.location(section, seen[entry_id], "id").line
            error(
                (*where, "id"),
                f"'{entry_id}' is declared twice in '{section}'",
                hint=f"the first declaration is on line {first_line}",
            )
            continue
        seen[entry_id] = index
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            error((*where, "title"), f"'{entry_id}' needs a 'title'")
            continue
        description = item.get("description", "")
        if not isinstance(description, str):
            error((*where, "description"), "'description' must be text")
            continue
        # Shown on every page that names the theme or tag (see CONTROL_CHARACTER).
        controls = [
            (key, found)
            for key, text in (("title", title), ("description", description))
            if (found := CONTROL_CHARACTER.search(text))
        ]
        for key, found in controls:
            message = f"control character U+{ord(found.group()):04X} in the {key} of '{entry_id}'"
            error((*where, key), message, CONTROL_CHARACTER_HINT)
        if controls:
            continue
        rules = _rules((*where, "rules"), item.get("rules"), error)
        entries.append(
            {**item, "description": description.strip(), "rules": rules, "_index": index}
        )
    return entries


def _rules(where: tuple, items: Any, error) -> tuple[Rule, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        error(where, "'rules' must be a list")
        return ()
    rules: list[Rule] = []
    for index, item in enumerate(items):
        rule = _rule((*where, index), item, error)
        if rule:
            rules.append(rule)
    return tuple(rules)


def _rule(at: tuple, item: Any, error) -> Rule | None:
    if isinstance(item, str):
        item = {"pattern": item}
    if not isinstance(item, dict) or not isinstance(item.get("pattern"), str):
        error(at, "a rule needs a 'pattern' (a regular expression)")
        return None
    ok = True
    for key in item:
        if key not in _RULE_KEYS:
            error((*at, key), f"unknown key '{key}'", did_you_mean(str(key), _RULE_KEYS))
            ok = False
    pattern = item["pattern"]
    try:
        # A pattern's syntax and whether it matches empty text do not depend on its flags.
        compiled = re.compile(pattern, rule_flags(pattern))
    except re.error as exc:
        error((*at, "pattern"), f"invalid regular expression {pattern!r}: {exc}")
        return None
    if compiled.search(""):
        # Such a pattern matches every paper, so it would give its theme or tag to all of them.
        error(
            (*at, "pattern"),
            f"pattern {pattern!r} matches empty text, so it would match every paper",
            hint="check for an empty alternative such as 'a|' or a '*' that should be '+'",
        )
        ok = False
    weight = item.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight == 0:
        error((*at, "weight"), f"'weight' must be a number other than 0, got {weight!r}")
        ok = False
    fields = item.get("fields", ["title", "abstract"])
    if isinstance(fields, str):
        fields = [fields]
    bad = [f for f in fields if f not in RULE_FIELDS] if isinstance(fields, list) else [fields]
    if bad or not fields:
        got = repr(bad[0]) if bad else "an empty list"
        error((*at, "fields"), f"rule fields must be among {', '.join(RULE_FIELDS)}, got {got}")
        ok = False
    if not ok:
        return None
    return Rule(pattern=pattern, weight=float(weight), fields=tuple(dict.fromkeys(fields)))
