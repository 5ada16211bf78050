"""Build the shipped content once, serve it under a sub-path, and locate the external checkers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .served import (
    SUB_PATH,
    BuildFailedError,
    ServedSite,
    build_site,
    copy_site,
    free_port,
    http_server,
)

if TYPE_CHECKING:
    pass

REPO_ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = REPO_ROOT / "tests" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_tool(present: bool, missing: str) -> None:
    """Skip a test whose external tool is absent locally; in CI the tool is required, so fail."""
    if present:
        return
    message = f"{missing}; .ci/run installs it"
    if running_in_ci():
        pytest.fail(f"CI is set and {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def java() -> str:
    found = shutil.which("java")
    require_tool(found is not None, "`java` is not on PATH (Debian: default-jre-headless)")
    require_tool(VNU_JAR.is_file(), f"{VNU_JAR} is missing (run `npm ci --ignore-scripts`)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def chromium() -> Path:
    require_tool(CHROMIUM.is_file(), f"{CHROMIUM} is missing (Debian package: chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The shipped content and templates, built by `papershelf build`, served under a sub-path."""
    root = tmp_path_factory.mktemp("served")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
    out_dir = root / SUB_PATH.strip("/")
    try:
        build_site(REPO_ROOT / "content", REPO_ROOT / "templates", out_dir, base_url)
    except BuildFailedError as exc:
        pytest.fail(str(exc), pytrace=False)
    with http_server(root, port):
        yield ServedSite(out_dir=out_dir, base_url=base_url)


@pytest.fixture(scope="session")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """A small hand-written site with known defects, served like the real one: the checks must
    report each defect, or they could pass a broken site unnoticed."""
    root = tmp_path_factory.mktemp("broken")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
    served = copy_site(FIXTURES / "broken-site", root / SUB_PATH.strip("/"), base_url)
    with http_server(root, port):
        yield served
