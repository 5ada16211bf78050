"""Fixtures for the site tests: private copies of the fixture content and the real templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from papershelf.build import BuildOptions, BuildResult, build_site

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
FIXTURES = HERE / "fixtures"
FIXTURE_CONTENT = FIXTURES / "content"
HOSTILE_CONTENT = FIXTURES / "hostile"
GOLDEN = HERE / "golden"
SCHEMAS = HERE / "schemas"
TEMPLATES = REPO_ROOT / "templates"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the fixture content that a test may break."""
    return Path(shutil.copytree(FIXTURE_CONTENT, tmp_path / "content"))


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A copy of the real templates that a test may break."""
    return Path(shutil.copytree(TEMPLATES, tmp_path / "templates"))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "site"


def build(
    content: Path, templates: Path, out: Path, *, base_url: str | None = None, check=False
) -> BuildResult:
    return build_site(BuildOptions(content, templates, out, base_url, check))


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content built once with the real templates; tests only read it."""
    out = tmp_path_factory.mktemp("fixture") / "site"
    build(FIXTURE_CONTENT, TEMPLATES, out)
    return out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile fixture built once; tests only read it."""
    out = tmp_path_factory.mktemp("hostile") / "site"
    build(HOSTILE_CONTENT, TEMPLATES, out)
    return out


def read_tree(directory: Path) -> dict[str, bytes]:
    """Return every file under `directory` by its POSIX path relative to it."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
