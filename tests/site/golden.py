"""The golden copy of the fixture site: what building tests/site/fixtures/content with the real
templates must give, byte for byte.

Regenerate it after an intended change to templates or rendering, then review the diff:

    python -m tests.site.golden
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from papershelf.build import BuildOptions, build_site

HERE = Path(__file__).resolve().parent
FIXTURE_CONTENT = HERE / "fixtures" / "content"
TEMPLATES = HERE.parents[1] / "templates"
GOLDEN = HERE / "golden"


def build_fixture(out: Path) -> None:
    build_site(BuildOptions(FIXTURE_CONTENT, TEMPLATES, out))


def regenerate() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "site"
        build_fixture(out)
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    count = sum(1 for path in GOLDEN.rglob("*") if path.is_file())
    print(f"wrote {count} files to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(regenerate())
