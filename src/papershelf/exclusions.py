"""Papers the curators left out on purpose: `content/excluded.yaml`, which `import` obeys.

Deleting a paper's file is not enough to leave it out: the next import of a scrape that lists
it would add it again. A paper listed here, by title and (when it has one) arXiv id, is skipped
by every import, and `check` warns about a paper file that is still there:

    - title: A Paper the List Does Not Want
      arxiv: '2401.00001'
      reason: off-topic (for reviewers; optional)

Titles match as duplicates do: case, punctuation and LaTeX are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from papershelf.content import display_path
from papershelf.errors import Location, Problem
from papershelf.load import YamlDocument, load_yaml
from papershelf.text import normalize_title
from papershelf.validate import did_you_mean

EXCLUDED_FILE = "excluded.yaml"
_KEYS = ("title", "arxiv", "reason")


@dataclass(frozen=True)
class Exclusion:
    title: str
    arxiv: str | None
    reason: str
    location: Location


def identity_keys(title: str, arxiv: str | None) -> list[str]:
    """Return the keys two descriptions of one paper share: its arXiv id, its normalised title."""
    keys = [f"title:{normalize_title(title)}"]
    if arxiv:
        keys.insert(0, f"arxiv:{arxiv}")
    return keys


class Excluded:
    """The exclusions by the keys a paper they name matches by (see `identity_keys`)."""

    def __init__(self, exclusions: Iterable[Exclusion]) -> None:
        self._by_key = {
            key: exclusion
            for exclusion in exclusions
            for key in identity_keys(exclusion.title, exclusion.arxiv)
        }

    def of(self, keys: Iterable[str]) -> Exclusion | None:
        """Return the exclusion that names a paper with these identity keys, if any."""
        return next((self._by_key[key] for key in keys if key in self._by_key), None)


def load_exclusions(content_dir: Path) -> tuple[tuple[Exclusion, ...], list[Problem]]:
    """Read `excluded.yaml` in `content_dir` (none: nothing is excluded)."""
    path = content_dir / EXCLUDED_FILE
    if not path.exists():
        return (), []
    doc, problems = load_yaml(path, display_path(path))
    if doc is None or doc.data is None:
        return (), problems
    if not isinstance(doc.data, list):
        return (), [
            *problems,
            Problem(
                doc.location(),
                "excluded papers must be a list, each with a 'title'",
                hint="start each paper with '- title: ...'",
            ),
        ]
    exclusions: list[Exclusion] = []
    for index, item in enumerate(doc.data):
        exclusion, found = _exclusion(doc, index, item)
        problems += found
        if exclusion is not None:
            exclusions.append(exclusion)
    return tuple(exclusions), problems


def _exclusion(
    doc: YamlDocument, index: int, item: object
) -> tuple[Exclusion | None, list[Problem]]:
    where = doc.location(index)
    if not isinstance(item, dict):
        return None, [Problem(where, "an excluded paper must be a mapping with a 'title'")]
    problems = [
        Problem(doc.location(index, key), f"unknown key '{key}'", did_you_mean(str(key), _KEYS))
        for key in item
        if key not in _KEYS
    ]
    values: dict[str, str] = {}
    for key in _KEYS:
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            hint = "quote it: '2401.00001'" if key == "arxiv" else None
            problems.append(Problem(doc.location(index, key), f"'{key}' must be text", hint))
            continue
        values[key] = value.strip()
    if "title" not in values and not any(p.message.startswith("'title'") for p in problems):
        problems.append(Problem(where, "an excluded paper needs a 'title'"))
    if problems:
        return None, problems
    return Exclusion(values["title"], values.get("arxiv"), values.get("reason", ""), where), []
