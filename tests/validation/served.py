"""A built site served over HTTP on 127.0.0.1 under a sub-path, as GitHub project pages serve it."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# GitHub project pages live under /<repository>/: serving there catches links that forgot it.
SUB_PATH = "/reading-list/"
# The site is on 127.0.0.1: a proxy from the environment must not sit in between.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class ServedSite:
    """Where a built site lies on disk and the URL it answers at."""

    out_dir: Path
    base_url: str

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def is_under_base(self, url: str) -> bool:
        return url.split("#", 1)[0].startswith(self.base_url)

    def file_for(self, url: str) -> Path | None:
        """Return the built file a URL under the base serves, or None when nothing would answer."""
        if not self.is_under_base(url):
            return None
        relative = unquote(urlsplit(url).path)[len(self.base_path) :]
        target = self.out_dir / relative
        if relative in ("", ".") or relative.endswith("/"):
            target = target / "index.html"
        # A URL must not climb out of the site with ../ segments.
        if not target.resolve().is_relative_to(self.out_dir.resolve()):
            return None
        return target if target.is_file() else None

    def url_for(self, path: Path) -> str:
        """Return the canonical URL of a built file: directory URLs for index.html pages."""
        relative = path.relative_to(self.out_dir).as_posix()
        if relative == "index.html":
            relative = ""
        elif relative.endswith("/index.html"):
            relative = relative.removesuffix("index.html")
        return self.base_url + relative

    def files(self, pattern: str) -> list[Path]:
        return sorted(p for p in self.out_dir.rglob(pattern) if p.is_file())


def free_port() -> int:
    """Return a port nothing listens on now; the site is built for it before the server starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BuildFailedError(RuntimeError):
    """The site under test could not be built, so nothing about it can be validated."""


def build_site(content: Path, templates: Path, out_dir: Path, base_url: str) -> None:
    """Run the real `papershelf build` command; raise BuildFailedError with its output."""
    command = [
        sys.executable,
        "-m",
        "papershelf",
        "build",
        "--content",
        str(content),
        "--templates",
        str(templates),
        "--out",
        str(out_dir),
        "--base-url",
        base_url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise BuildFailedError(
            f"`{' '.join(command[2:])}` exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )


@contextlib.contextmanager
def http_server(root: Path, port: int) -> Iterator[None]:
    """Serve root on 127.0.0.1:port with the standard library server until the block ends."""
    # The real interpreter, not a `python3` shim that forks: terminate() must reach the server.
    command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(root)]
    server = subprocess.Popen(
        [*command, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_answering(f"http://127.0.0.1:{port}/", server)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def _wait_until_answering(url: str, server: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(
                f"http.server exited with {server.returncode} before answering {url}"
            )
        try:
            with LOCAL.open(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered, whatever the status
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"http.server did not answer {url} within {timeout}s") from None
            time.sleep(0.05)


def copy_site(
    source: Path, out_dir: Path, base_url: str, placeholder: str = "@BASE@"
) -> ServedSite:
    """Copy a hand-written site, putting the base URL it is served at in place of placeholder."""
    for path in sorted(source.rglob("*")):
        target = out_dir / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text(encoding="utf-8").replace(placeholder, base_url))
    return ServedSite(out_dir=out_dir, base_url=base_url)
