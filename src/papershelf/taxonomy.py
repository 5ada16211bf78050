"""Read `content/themes.yaml`: the declared themes and tags and the rules that assign them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from papershelf.content import display_path
from papershelf.errors import Problem
from papershelf.load import YamlDocument, load_yaml
from papershelf.model import Rule, Tag, Taxonomy, Theme
from papershelf.text import SLUG_PATTERN
from papershelf.validate import did_you_mean

RULE_FIELDS = ("title", "abstract", "links")
_TOP_KEYS = ("min_theme_score", "min_tag_score", "themes", "tags")
_THEME_KEYS = ("id", "title", "description", "outranks", "rules")
_TAG_KEYS = ("id", "title", "description", "rules")
_RULE_KEYS = ("pattern", "weight", "fields")


def load_taxonomy(path: Path) -> tuple[Taxonomy | None, list[Problem]]:
    """Read and check the themes file; every problem is reported, not just the first."""
    doc, problems = load_yaml(path, display_path(path))
    if doc is None:
        return None, problems
    taxonomy, more = taxonomy_from_document(doc)
    return taxonomy, problems + more


def taxonomy_from_document(doc: YamlDocument) -> tuple[Taxonomy | None, list[Problem]]:
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
    themes = tuple(
        Theme(
            id=e["id"],
            title=e["title"],
            description=e["description"],
            rules=e["rules"],
            outranks=tuple(e.get("outranks") or ()),
        )
        for e in _entries(doc, "themes", _THEME_KEYS, error)
    )
    tags = tuple(
        Tag(id=e["id"], title=e["title"], description=e["description"], rules=e["rules"])
        for e in _entries(doc, "tags", _TAG_KEYS, error)
    )
    theme_ids = [theme.id for theme in themes]
    for index, theme in enumerate(themes):
        for other in theme.outranks:
            if other not in theme_ids:
                error(
                    ("themes", index, "outranks"),
                    f"theme '{theme.id}' outranks unknown theme '{other}'",
                    did_you_mean(other, theme_ids),
                )
    scores = {}
    for key, default in (("min_theme_score", 3.0), ("min_tag_score", 1.0)):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            error((key,), f"'{key}' must be a positive number, got {value!r}")
            value = default
        scores[key] = float(value)
    if problems:
        return None, problems
    return Taxonomy(themes=themes, tags=tags, **scores), problems


def _entries(doc: YamlDocument, section: str, allowed: tuple[str, ...], error) -> list[dict]:
    items = doc.data.get(section)
    if not isinstance(items, list) or not items:
        error((section,), f"'{section}' must be a non-empty list")
        return []
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
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
            error((*where, "id"), f"'{entry_id}' is declared twice in '{section}'")
            continue
        seen.add(entry_id)
        title = item.get("title")
        if not isinstance(title, str) or not title.strip():
            error((*where, "title"), f"'{entry_id}' needs a 'title'")
            continue
        description = item.get("description", "")
        if not isinstance(description, str):
            error((*where, "description"), "'description' must be text")
            continue
        rules = _rules(doc, (*where, "rules"), item.get("rules"), error)
        entries.append({**item, "description": description.strip(), "rules": rules})
    return entries


def _rules(doc: YamlDocument, where: tuple, items: Any, error) -> tuple[Rule, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        error(where, "'rules' must be a list")
        return ()
    rules: list[Rule] = []
    for index, item in enumerate(items):
        at = (*where, index)
        if isinstance(item, str):
            item = {"pattern": item}
        if not isinstance(item, dict) or not isinstance(item.get("pattern"), str):
            error(at, "a rule needs a 'pattern' (a regular expression)")
            continue
        for key in item:
            if key not in _RULE_KEYS:
                error((*at, key), f"unknown key '{key}'", did_you_mean(str(key), _RULE_KEYS))
        try:
            re.compile(item["pattern"])
        except re.error as exc:
            error((*at, "pattern"), f"invalid regular expression {item['pattern']!r}: {exc}")
            continue
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            error((*at, "weight"), f"'weight' must be a number, got {weight!r}")
            continue
        fields = item.get("fields", ["title", "abstract"])
        if isinstance(fields, str):
            fields = [fields]
        bad = [f for f in fields if f not in RULE_FIELDS] if isinstance(fields, list) else [fields]
        if bad:
            error(
                (*at, "fields"),
                f"rule fields must be among {', '.join(RULE_FIELDS)}, got {bad[0]!r}",
            )
            continue
        rules.append(Rule(pattern=item["pattern"], weight=float(weight), fields=tuple(fields)))
    return tuple(rules)
