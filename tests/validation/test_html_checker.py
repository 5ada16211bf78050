"""The built site passes the W3C Nu HTML Checker: HTML, CSS and SVG, with no errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import FIXTURES, VNU_JAR
from .problems import assert_no_problems
from .served import ServedSite
from .vnu import VnuMessage, run_vnu

BROKEN_SITE = (FIXTURES / "broken-site").resolve()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def vnu_reports(java: str, site: ServedSite) -> dict[str, list[VnuMessage]]:
    """Every vnu message by file type, from two JVM runs over the site and the broken fixture."""
    roots = [site.out_dir.resolve(), BROKEN_SITE]
    html = run_vnu(java, VNU_JAR, "html", roots)
    assets = [
        path
        for root in roots
        for kind in ("css", "svg")
        for path in sorted(root.rglob(f"*.{kind}"))
    ]
    css_and_svg = run_vnu(java, VNU_JAR, "css+svg", assets)
    return {
        "html": html,
        "css": [m for m in css_and_svg if m.path is None or m.path.suffix == ".css"],
        "svg": [m for m in css_and_svg if m.path is None or m.path.suffix == ".svg"],
    }


def _errors(messages: list[VnuMessage], root: Path) -> list[str]:
    """Errors in files under root, and errors vnu could not tie to any file."""
    return [m.format(root) for m in messages if m.is_error and m.is_about(root)]


@pytest.mark.parametrize("mode", ["html", "css", "svg"])
def test_built_site_has_no_checker_errors(
    vnu_reports: dict[str, list[VnuMessage]], site: ServedSite, mode: str
) -> None:
    out_dir = site.out_dir.resolve()
    assert list(out_dir.rglob(f"*.{mode}")), f"the built site has no .{mode} file to check"
    assert_no_problems(_errors(vnu_reports[mode], out_dir), f"W3C checker {mode} errors")


def test_paginated_listing_pages_have_no_checker_errors(
    java: str, paginated_site: ServedSite
) -> None:
    # Only the theme and tag pages differ from the site checked above: one more JVM run.
    out_dir = paginated_site.out_dir.resolve()
    assert list(out_dir.glob("themes/*/page/*/index.html")), "nothing is paginated"
    messages = run_vnu(java, VNU_JAR, "html", [out_dir / "themes", out_dir / "tags"])
    errors = _errors(messages, out_dir)
    assert_no_problems(errors, "W3C checker errors on paginated listings")


def test_checker_reports_each_defect_of_the_broken_fixture(
    vnu_reports: dict[str, list[VnuMessage]],
) -> None:
    found = {
        mode: "\n".join(_errors(messages, BROKEN_SITE)) for mode, messages in vnu_reports.items()
    }
    assert "index.html:23:" in found["html"] and "Stray end tag" in found["html"]
    assert "papers/ok/index.html" not in found["html"]
    assert "style.css:2:" in found["css"] and "colr" in found["css"]
    assert "favicon.svg:" in found["svg"] and "rectangle" in found["svg"]
