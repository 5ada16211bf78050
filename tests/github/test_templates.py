"""The issue form and the pull-request template offer the themes content/themes.yaml declares."""

from __future__ import annotations

import re
from typing import Any

import yaml

from papershelf.taxonomy import load_taxonomy
from tests.conftest import REPO_ROOT

GITHUB = REPO_ROOT / ".github"
FORM = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "suggest-paper.yml").read_text("utf-8"))
FIELD_TYPES = {"markdown", "input", "textarea", "dropdown", "checkboxes"}


def _theme_ids() -> list[str]:
    taxonomy, problems = load_taxonomy(REPO_ROOT / "content" / "themes.yaml")
    assert taxonomy is not None, problems
    return [theme.id for theme in taxonomy.themes]


def _fields() -> dict[str, dict[str, Any]]:
    return {field["id"]: field for field in FORM["body"] if "id" in field}


def test_issue_form_has_the_keys_github_requires() -> None:
    assert FORM["name"] and FORM["description"] and FORM["body"]
    assert {field["type"] for field in FORM["body"]} <= FIELD_TYPES
    ids = [field["id"] for field in FORM["body"] if "id" in field]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    labels = [f["attributes"]["label"] for f in FORM["body"] if f["type"] != "markdown"]
    assert len(labels) == len(set(labels))


def test_issue_form_asks_for_title_link_and_reason() -> None:
    fields = _fields()
    for field_id in ("paper-title", "link", "why"):
        assert fields[field_id]["validations"]["required"] is True, field_id


def test_issue_form_offers_the_declared_themes_and_not_sure() -> None:
    theme = _fields()["theme"]
    assert theme["type"] == "dropdown"
    options = theme["attributes"]["options"]
    assert options == [*_theme_ids(), "not sure"]
    assert options[theme["attributes"]["default"]] == "not sure"


def test_issue_template_config_parses() -> None:
    config = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "config.yml").read_text("utf-8"))
    assert isinstance(config["blank_issues_enabled"], bool)


def test_pull_request_template_names_the_themes_and_the_check() -> None:
    template = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    assert all(f"`{theme}`" in template for theme in _theme_ids())
    assert "`papershelf check`" in template
    assert "- [ ] One file per paper" in template
