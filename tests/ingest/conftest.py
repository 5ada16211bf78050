"""Helpers for import tests: write scrapes in the Hugging Face text format, snapshot a tree."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n{page_date}\n\n"
)


def hf_text(entries: list[dict], page_date: str = "Jan 5") -> str:
    """Return a listing in the plain-text form of a Hugging Face papers page."""
    blocks = []
    for entry in entries:
        credit = entry.get("org") or f"  • {entry.get('authors', 3)} authors"
        date = entry["date"] + (f" {entry['comments']}" if entry.get("comments") else "")
        blocks.append(f"{entry['title']}\n\n{entry['abstract']}\n\n{credit}\n·\n{date}\n")
    return HEADER.format(page_date=page_date) + "\n".join(blocks)


def snapshot(root: Path) -> dict[str, str]:
    """Return every file under `root` with a hash of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "papershelf", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def workspace(tmp_path: Path, repo_root: Path) -> Path:
    """A directory with content/themes.yaml from the repository and no papers yet."""
    content = tmp_path / "content"
    (content / "papers").mkdir(parents=True)
    (content / "themes.yaml").write_bytes((repo_root / "content" / "themes.yaml").read_bytes())
    return tmp_path
