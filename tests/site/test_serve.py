"""`papershelf serve`: the site under its base path on 127.0.0.1, rebuilt when content changes."""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from papershelf.build import BuildOptions
from papershelf.serve import RunningServer, start_server

POLL = 0.05


@pytest.fixture
def server(content: Path, templates: Path, out_dir: Path) -> Iterator[RunningServer]:
    running = start_server(BuildOptions(content, templates, out_dir), port=0, settle_seconds=POLL)
    yield running
    running.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL)
    return False


def test_serves_the_site_under_its_base_path(server: RunningServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert server.url.endswith("/reading-list/")
    status, body, _ = fetch(server.url)
    assert status == 200 and "<h1>Fixture Reading List</h1>" in body
    status, _, headers = fetch(server.url.removesuffix("reading-list/"))
    assert status == 302 and headers["Location"] == "/reading-list/"
    status, _, headers = fetch(server.url + "tags")
    assert status == 301 and headers["Location"] == "/reading-list/tags/"
    status, _, headers = fetch(server.url + "feeds.opml")
    assert status == 200


def test_missing_pages_get_the_404_page(server: RunningServer) -> None:
    status, body, _ = fetch(server.url + "papers/no-such-paper/")
    assert status == 404 and "<h1>Page not found</h1>" in body
    status, body, _ = fetch(server.url.removesuffix("reading-list/") + "elsewhere/")
    assert status == 404 and "<h1>Page not found</h1>" in body


def test_rebuilds_when_content_changes(server: RunningServer, content: Path) -> None:
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("Fixture Reading List", "Renamed List"))
    assert wait_for(lambda: "<h1>Renamed List</h1>" in fetch(server.url)[1])


def test_keeps_serving_the_last_good_site_when_a_rebuild_fails(
    server: RunningServer, templates: Path, content: Path, caplog
) -> None:
    (templates / "home.html").write_text("{% if %}")
    assert wait_for(lambda: "build failed" in caplog.text)
    assert "templates/home.html:1: error: template error" in caplog.text
    status, body, _ = fetch(server.url)
    assert status == 200 and "<h1>Fixture Reading List</h1>" in body


def test_a_rebuild_is_logged_in_serve_s_own_words(
    server: RunningServer, content: Path, caplog
) -> None:
    caplog.set_level(logging.INFO)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("Fixture Reading List", "Logged List"))
    assert wait_for(lambda: "<h1>Logged List</h1>" in fetch(server.url)[1])
    assert "change detected; rebuilding" in caplog.text
    # The file watcher's own report of each batch ("1 change detected") is not repeated.
    assert [r.message for r in caplog.records if r.name.startswith("watchfiles")] == []
