"""Run the W3C Nu HTML Checker (vnu.jar) once over many files and read its JSON report."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Given a directory, vnu checks only what these flags let through; given files, it reads them all
# as HTML unless told otherwise. --also-check-css shifts the line numbers it reports for HTML, so
# HTML gets a run of its own and stylesheets and SVG images share another.
RUNS = {
    "html": ("--skip-non-html",),
    "css+svg": ("--also-check-css", "--also-check-svg"),
}


@dataclass(frozen=True)
class VnuMessage:
    path: Path | None
    kind: str  # "error", "info" (with sub_kind "warning"), or "non-document-error"
    sub_kind: str
    line: int | None
    column: int | None
    text: str
    extract: str

    @property
    def is_error(self) -> bool:
        # non-document-error means vnu could not read a file: that must not pass silently.
        return self.kind in ("error", "non-document-error")

    def is_about(self, directory: Path) -> bool:
        return self.path is None or self.path.is_relative_to(directory)

    def format(self, relative_to: Path) -> str:
        where = "?"
        if self.path is not None:
            where = (
                self.path.relative_to(relative_to).as_posix()
                if self.path.is_relative_to(relative_to)
                else str(self.path)
            )
        position = f":{self.line}:{self.column}" if self.line is not None else ""
        extract = " ".join(self.extract.split())
        return f"{where}{position}: {self.kind}: {self.text}" + (
            f"\n    near: {extract}" if extract else ""
        )


def run_vnu(java: str, jar: Path, run: str, targets: Sequence[Path]) -> list[VnuMessage]:
    """Check files or directories in one JVM and return every message, errors and warnings."""
    command = [
        java,
        "-jar",
        str(jar),
        *RUNS[run],
        "--format",
        "json",
        "--stdout",
        "--exit-zero-always",
        *(str(t) for t in targets),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise RuntimeError(
            f"vnu exited {result.returncode} without a JSON report:\n{result.stdout}{result.stderr}"
        ) from None
    return [_message(raw) for raw in report["messages"]]


def _message(raw: dict) -> VnuMessage:
    url = raw.get("url", "")
    path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else None
    return VnuMessage(
        path=path,
        kind=raw.get("type", ""),
        sub_kind=raw.get("subType", ""),
        line=raw.get("firstLine", raw.get("lastLine")),
        column=raw.get("firstColumn"),
        text=raw.get("message", ""),
        extract=raw.get("extract", ""),
    )
