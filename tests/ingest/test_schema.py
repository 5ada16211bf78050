"""The published JSON Schema describes the paper files the tools read and write."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

SCHEMA = (
    Path(__file__).resolve().parents[2] / "src" / "papershelf" / "schemas" / "paper.schema.json"
)


def as_json(value):
    """Return YAML data as an editor's schema validator sees it: dates as strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_shipped_paper_matches_the_schema(validator, repo_root: Path):
    files = sorted((repo_root / "content" / "papers").glob("*.yaml"))
    assert len(files) >= 31
    for path in files:
        errors = list(validator.iter_errors(as_json(yaml.safe_load(path.read_text("utf-8")))))
        assert not errors, f"{path.name}: {errors[0].message}"


@pytest.mark.parametrize(
    "broken",
    [
        {"title": "T", "published": "2024-01-01"},  # no abstract
        {"title": "T", "published": "2024-01-01", "abstract": "A", "abstrct": "typo"},
        {"title": "T", "published": "2024-01-01", "abstract": "A", "arxiv": "arXiv:2401.1"},
        {"title": "T", "published": "2024-01-01", "abstract": "A", "links": ["ftp://x"]},
        {"title": "T", "published": "2024-01-01", "abstract": "A", "comments": -1},
        {"title": "T", "published": "Jan 1", "abstract": "A"},
    ],
)
def test_the_schema_rejects_what_check_rejects(validator, broken):
    assert list(validator.iter_errors(broken))
