"""The shipped content builds, and the committed site/ is exactly what a fresh build gives."""

from __future__ import annotations

from pathlib import Path

from papershelf.build import BuildOptions, build_site, render_site


def test_shipped_content_builds_without_problems(repo_root: Path) -> None:
    rendered = render_site(BuildOptions(repo_root / "content", repo_root / "templates"))
    assert rendered.paper_count > 0
    assert rendered.warnings == ()


def test_committed_site_is_what_a_fresh_build_gives(repo_root: Path) -> None:
    result = build_site(
        BuildOptions(repo_root / "content", repo_root / "templates", repo_root / "site", check=True)
    )
    assert result.ok, result.summary() + "\n(run `papershelf build` and commit site/)"
