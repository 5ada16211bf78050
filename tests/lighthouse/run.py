"""Measure the built site with Lighthouse 12: performance, accessibility, best practices and SEO.

Builds the shipped content with `papershelf build`, serves it on 127.0.0.1 under a sub-path (as
GitHub Pages serves a project site), and runs the Lighthouse CLI from
tests/lighthouse/node_modules against the home page and a paper page, with Debian's Chromium
and Lighthouse's default mobile settings
(simulated slow 4G and CPU throttling). Prints the four scores of each page; exits 1 when a score
is below --minimum. Slow (about 15 s a page), so it is not part of `pytest`.

    npm ci --ignore-scripts --prefix tests/lighthouse   # once: installs lighthouse
    python -m tests.lighthouse.run              # or: --paper SLUG --minimum 0.95 --keep DIR
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.validation.served import SUB_PATH, build_site, free_port, http_server

REPO_ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = REPO_ROOT / "tests" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The validation suite's flags, so that Chromium reaches nothing but the local server.
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def largest_paper(site: Path) -> str:
    """Return the slug of the heaviest paper page: the hardest one to score well."""
    pages = sorted(site.glob("papers/*/index.html"), key=lambda p: (-p.stat().st_size, p))
    return pages[0].parent.name


def run_lighthouse(url: str, report: Path) -> dict[str, float]:
    """Run Lighthouse on url, keep its JSON report, return each category's score (0 to 1)."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--no-enable-error-reporting",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, env=env, check=True, timeout=300)
    result = json.loads(report.read_text())
    return {name: result["categories"][name]["score"] for name in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paper", help="slug of the paper page (default: the heaviest)")
    parser.add_argument("--minimum", type=float, default=0.95, help="default: 0.95")
    parser.add_argument("--keep", type=Path, help="directory to keep the JSON reports in")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print(f"{LIGHTHOUSE} is missing: run `npm ci --ignore-scripts --prefix tests/lighthouse`")
        return 2
    with tempfile.TemporaryDirectory(prefix="papershelf-lighthouse-") as scratch:
        root = Path(scratch)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
        out_dir = root / SUB_PATH.strip("/")
        build_site(REPO_ROOT / "content", REPO_ROOT / "templates", out_dir, base_url)
        reports = args.keep or root / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        paper = args.paper or largest_paper(out_dir)
        pages = {"home": base_url, "paper": f"{base_url}papers/{paper}/"}
        scores = {}
        with http_server(root, port):
            for name, url in pages.items():
                scores[name] = run_lighthouse(url, reports / f"{name}.json")
    print(f"{'page':<8}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, found in scores.items():
        print(f"{name:<8}" + "".join(f"{found[c]:>16.2f}" for c in CATEGORIES))
    for name, url in pages.items():
        print(f"{name}: {url.removeprefix(base_url) or '/'}")
    low = [(n, c) for n, found in scores.items() for c in CATEGORIES if found[c] < args.minimum]
    for name, category in low:
        print(f"below {args.minimum}: {name} {category} {scores[name][category]:.2f}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
