"""site.yaml: typed settings with defaults, unknown keys refused, documented for the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.config import SETTING_NAMES, SiteConfig, load_config, settings_reference


def load(tmp_path: Path, text: str, base_url: str | None = None):
    path = tmp_path / "site.yaml"
    path.write_text(text)
    return load_config(path, base_url)


def test_defaults_fill_what_the_file_leaves_out(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "title: T\nbase_url: https://example.org/list\n")
    assert problems == []
    assert config == SiteConfig(title="T", base_url="https://example.org/list/")
    assert (config.language, config.feed_size, config.feed_author) == ("en", 50, "T")
    assert config.papers_per_page == 50


def test_papers_per_page_zero_turns_pagination_off(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "title: T\nbase_url: https://e.org/\npapers_per_page: 0\n")
    assert problems == [] and config is not None and config.papers_per_page == 0


def test_base_url_option_replaces_the_file_value(tmp_path: Path) -> None:
    config, _ = load(tmp_path, "title: T\nbase_url: https://a.example/x/\n", "http://b.example")
    assert config.base_url == "http://b.example/"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("language: English", "'language' must be a language tag such as 'en' or 'pt-BR', got "
         "'English'"),
        ("feed_size: 0", "'feed_size' must be a whole number >= 1, got 0"),
        ("feed_size: true", "'feed_size' must be a whole number >= 1, got true (a boolean)"),
        ("author: 3", "'author' must be text, got 3"),
        ("papers_per_page: -1", "'papers_per_page' must be a whole number >= 0, got -1"),
        ("papers_per_page: 10.5", "'papers_per_page' must be a whole number >= 0, got 10.5"),
        ("repository_url: ftp://x", "'repository_url' must be an absolute http:// or https:// "
         "URL without query or fragment, got 'ftp://x'"),
        ("tittle: T", "unknown setting 'tittle'"),
    ],
)  # fmt: skip
def test_bad_values_are_reported_at_their_line(tmp_path: Path, line: str, message: str) -> None:
    config, problems = load(tmp_path, f"title: T\nbase_url: https://example.org/\n{line}\n")
    assert config is None
    assert [(p.location.line, p.message) for p in problems] == [(3, message)]


def test_an_empty_title_is_refused(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "title: ''\nbase_url: https://example.org/\n")
    assert [p.message for p in problems] == ["'title' must be non-empty text, got ''"]


def test_required_settings_are_named(tmp_path: Path) -> None:
    _, problems = load(tmp_path, "description: x\n")
    assert [p.message for p in problems] == [
        "missing setting 'title'",
        "missing setting 'base_url'",
    ]


def test_the_settings_reference_documents_every_setting() -> None:
    reference = settings_reference()
    for name in SETTING_NAMES:
        assert f"| `{name}` |" in reference


def test_the_shipped_site_settings_load(repo_root: Path) -> None:
    config, problems = load_config(repo_root / "content/site.yaml")
    assert problems == [] and config is not None


def test_the_readme_documents_every_setting_as_declared(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert settings_reference() in readme, "paste settings_reference() into the README"
