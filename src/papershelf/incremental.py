"""What a build's output depends on, as digests: to skip a build that has nothing to do, and to
tell the cache which derived values and pages are still good.

A build reads the paper files, `site.yaml`, `themes.yaml` and everything under the templates
directory; its output also depends on `--base-url`, on the working directory (the paths that
messages show) and on papershelf's code and libraries (`cache.code_digest`). Nothing else: the
build never reads the clock or the environment (see STYLE.md).
"""

from __future__ import annotations

from pathlib import Path

from papershelf.cache import BuildCache, digest_text
from papershelf.content import SITE_FILE, THEMES_FILE, paper_files_shown


def site_inputs_digest(
    content_dir: Path, templates_dir: Path, base_url: str | None, code: str
) -> str:
    """Return a digest of every input except the paper files."""
    parts: list[str | bytes] = [code, base_url or ""]
    for name in (SITE_FILE, THEMES_FILE):
        parts += [name, _read(content_dir / name)]
    if templates_dir.is_dir():
        for path in sorted(templates_dir.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(templates_dir).as_posix(), _read(path)]
    return digest_text(*parts)


def paper_files_digest(content_dir: Path, cache: BuildCache) -> str:
    """Return a digest of the paper files: their names (as messages show them) and bytes."""
    listed = paper_files_shown(content_dir, cache)
    digests = cache.file_digests([name for name, _ in listed])
    parts: list[str] = []
    for (_, shown), digest in zip(listed, digests, strict=True):
        parts += [shown, digest or "unreadable"]  # unreadable: the build will say so
    return digest_text(*parts)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # missing or unreadable: loading it will report why
        return b"\0missing"
