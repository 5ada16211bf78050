"""Helpers for the cache tests: private copies of content and templates, builds with and without
the cache, and whole output trees to compare."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from papershelf.build import BuildOptions, BuildResult, build_site
from papershelf.ingest import ImportOptions, run_import
from tests.benchmarks.synthetic import SCRAPED_ON, synthetic_listing

REPO_ROOT = Path(__file__).resolve().parents[2]


def read_tree(directory: Path) -> dict[str, bytes]:
    """Return every file under `directory` by its POSIX path relative to it."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def file_times(directory: Path) -> dict[str, int]:
    return {
        path.relative_to(directory).as_posix(): path.stat().st_mtime_ns
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


class Workspace:
    """Content and templates that a test may change, an output directory built with the cache,
    and cold builds (no cache, fresh directory) to compare it with."""

    def __init__(self, root: Path, content: Path, search: bool) -> None:
        self.root = root
        self.content = root / "content"
        shutil.copytree(content, self.content)
        self.templates = root / "templates"
        shutil.copytree(REPO_ROOT / "templates", self.templates)
        settings = self.content / "site.yaml"
        if not search and "\nsearch:" not in settings.read_text(encoding="utf-8"):
            with settings.open("a", encoding="utf-8") as out:
                out.write("search: false\n")
        self.out = root / "site"
        self.colds = 0

    @property
    def papers(self) -> Path:
        return self.content / "papers"

    def build(self, *, jobs: int | None = None, base_url: str | None = None) -> BuildResult:
        options = BuildOptions(self.content, self.templates, self.out, base_url, jobs=jobs)
        return build_site(options)

    def cold(self, *, base_url: str | None = None) -> dict[str, bytes]:
        self.colds += 1
        out = self.root / f"cold-{self.colds}"
        build_site(BuildOptions(self.content, self.templates, out, base_url, cache=False))
        tree = read_tree(out)
        shutil.rmtree(out)
        return tree

    def assert_same_as_cold(self, *, base_url: str | None = None) -> None:
        built, cold = read_tree(self.out), self.cold(base_url=base_url)
        assert sorted(built) == sorted(cold), "the cached build has other files than a cold one"
        different = [path for path in cold if built[path] != cold[path]]
        assert different == [], f"the cached build differs from a cold one in {different[:5]}"


@pytest.fixture
def shipped(tmp_path: Path) -> Workspace:
    """The repository's content (search off: Pagefind has tests of its own)."""
    return Workspace(tmp_path, REPO_ROOT / "content", search=False)


@pytest.fixture
def shipped_with_search(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path, REPO_ROOT / "content", search=True)


@pytest.fixture(scope="session")
def synthetic_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic list of 160 papers, imported from a scraped listing as the benchmark does."""
    root = tmp_path_factory.mktemp("synthetic")
    content = root / "content"
    (content / "papers").mkdir(parents=True)
    for name in ("site.yaml", "themes.yaml"):
        shutil.copyfile(REPO_ROOT / "content" / name, content / name)
    listing = root / "listing.txt"
    listing.write_text(synthetic_listing(160), encoding="utf-8")
    run_import(ImportOptions((listing,), content, scraped_on=SCRAPED_ON))
    return content


@pytest.fixture
def synthetic(tmp_path: Path, synthetic_content: Path) -> Workspace:
    return Workspace(tmp_path, synthetic_content, search=False)


@pytest.fixture
def paginated(tmp_path: Path) -> Workspace:
    """The repository's content, three papers a listing page: adaptation's 10 papers take four
    pages, the last holding one."""
    ws = Workspace(tmp_path, REPO_ROOT / "content", search=False)
    with (ws.content / "site.yaml").open("a", encoding="utf-8") as out:
        out.write("papers_per_page: 3\n")
    return ws
