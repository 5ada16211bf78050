"""Fixtures shared by every test area. Area-specific fixtures live in each area's conftest.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def shipped_content(tmp_path: Path) -> Path:
    """A private copy of the repository's content/ that a test may change freely."""
    target = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", target)
    return target
