"""The fixture site, built with the real templates, must equal tests/site/golden/ byte for byte.

After an intended change, regenerate with `python -m tests.site.golden` and review the diff.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.site.conftest import GOLDEN, read_tree

REGENERATE = "python -m tests.site.golden"


def test_fixture_site_matches_golden_files(fixture_site: Path) -> None:
    built, golden = read_tree(fixture_site), read_tree(GOLDEN)
    assert golden, f"no golden files; run `{REGENERATE}`"
    assert sorted(built) == sorted(golden), f"file lists differ; run `{REGENERATE}` and review"
    for path in sorted(golden):
        if built[path] != golden[path]:
            diff = difflib.unified_diff(
                golden[path].decode().splitlines(),
                built[path].decode().splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
                n=1,
            )
            raise AssertionError(
                f"{path} differs from its golden copy (run `{REGENERATE}` if intended):\n"
                + "\n".join(list(diff)[:40])
            )


def test_golden_files_cover_every_kind_of_output() -> None:
    # A golden set that lost a page kind would silently stop testing it.
    paths = set(read_tree(GOLDEN))
    for expected in (
        "index.html",
        "404.html",
        "archive/index.html",
        "tags/index.html",
        "tags/benchmark/index.html",
        "themes/speech/index.html",
        "themes/speech/feed.xml",
        "themes/speech/atom.xml",
        "themes/speech/feed.json",
        "tags/asr/feed.json",
        "papers/ofa-initializing-unseen-subword-embeddings/index.html",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "feeds.opml",
        "sitemap.xml",
        "robots.txt",
        ".nojekyll",
        "assets/style.css",
        "assets/favicon.svg",
    ):
        assert expected in paths
