"""A missing external checker skips its tests on a developer's machine but fails them in CI."""

from __future__ import annotations

import pytest

from .conftest import require_tool


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_missing_tool_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match="java is missing"):
        require_tool(False, "java is missing")


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI is set and java is missing"):
        require_tool(False, "java is missing")


def test_present_tool_neither_skips_nor_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    require_tool(True, "java is missing")
