"""`papershelf check`: everything `build` would find, without writing, plus curation rules."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from papershelf.build import BuildOptions, previous_manifest, render_site
from papershelf.cache import BuildCache, cache_dir_for
from papershelf.errors import Location, Problem, ProblemsError, Severity
from papershelf.exclusions import Excluded, Exclusion, identity_keys, load_exclusions
from papershelf.incremental import site_inputs_digest
from papershelf.model import Paper
from papershelf.scaffold import ABSTRACT_PLACEHOLDER
from papershelf.sitewriter import DryRunWriter
from papershelf.text import identifies_paper, normalize_title

# Titles this similar (difflib ratio over normalised titles) are reported as likely duplicates.
NEAR_DUPLICATE_RATIO = 0.92
# rapidfuzz's ratio is a percentage, in floating point: a hair under, so that rounding keeps a
# pair exactly at the threshold.
_PREFILTER_CUTOFF = NEAR_DUPLICATE_RATIO * 100 - 1e-6


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def summary(self) -> str:
        files = len({p.location.path for p in self.problems})
        if not self.problems:
            return "no problems found"
        return (
            f"{_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')} "
            f"in {_plural(files, 'file')}"
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def check_content(
    content_dir: Path,
    templates_dir: Path,
    *,
    today: dt.date,
    strict: bool = False,
    out_dir: Path = Path("site"),
    base_url: str | None = None,
    cache: bool = True,
) -> CheckResult:
    """Render the site without keeping it and apply the curation rules; collect every problem.

    The build cache beside `out_dir`, when there is one, is read and never written: papers
    parsed by a build are not parsed again, and a page that the last build of `out_dir` (with
    `base_url`) rendered from the same inputs is not rendered again, as it rendered without a
    problem then. So a check after a build renders what changed since, as the next build would.
    Without `cache`, everything is parsed and rendered.
    """
    problems: list[Problem] = []
    reading, writer = _check_cache(content_dir, templates_dir, out_dir, base_url, cache)
    read: list[tuple[Paper, ...]] = []
    try:
        rendered = render_site(
            BuildOptions(
                content_dir=content_dir,
                templates_dir=templates_dir,
                out_dir=out_dir,
                base_url=base_url,
                check=True,
                index_search=False,
            ),
            cache=reading,
            writer=writer,
            on_papers=read.append,
        )
        problems.extend(rendered.warnings)
    except ProblemsError as exc:
        problems.extend(exc.problems)
    # The papers render_site read, once (their problems are among its own): it reads them
    # before any problem can stop it.
    (papers,) = read
    problems.extend(curation_problems(papers, today=today))
    exclusions, found = load_exclusions(content_dir)
    problems.extend(found)
    problems.extend(excluded_problems(papers, exclusions))
    if strict:
        problems = [replace(p, severity=Severity.ERROR) for p in problems]
    unique = sorted(set(problems), key=Problem.sort_key)
    return CheckResult(tuple(unique))


def _check_cache(
    content_dir: Path, templates_dir: Path, out_dir: Path, base_url: str | None, use: bool
) -> tuple[BuildCache, DryRunWriter]:
    """Return the cache the check reads from (one in memory when no build left any, or
    without `use`), and a writer that keeps none of the pages but knows which the last build
    of `out_dir` made."""
    directory = cache_dir_for(out_dir)
    if not use or not directory.is_dir():
        # In memory, for both readings of the paper files: the curation rules get the papers
        # the build parsed (parsing 10,000 files again took 2 s), as the build saw them.
        return BuildCache.for_one_build(), DryRunWriter(out_dir)
    cache = BuildCache.reading_only(directory)
    cache.start_build()
    site_inputs = site_inputs_digest(content_dir, templates_dir, base_url, cache.code)
    cache.begin(site_inputs)
    return cache, DryRunWriter(out_dir, previous_manifest(cache.site(out_dir), site_inputs))


def curation_problems(papers: Sequence[Paper], *, today: dt.date) -> list[Problem]:
    """Return what a reviewer would flag that the build itself accepts."""
    problems: list[Problem] = []
    for paper in papers:
        for key, value in (("published", paper.published), ("added", paper.added)):
            if value is not None and value > today:
                problems.append(
                    Problem(
                        paper.location_of(key),
                        f"'{key}' is in the future: {value.isoformat()}",
                        hint="dates are YYYY-MM-DD; check the year and month",
                    )
                )
        if paper.abstract.strip().startswith(ABSTRACT_PLACEHOLDER.split(":")[0] + ":"):
            problems.append(
                Problem(
                    paper.location_of("abstract"),
                    "the abstract is still the placeholder from `papershelf new`",
                    hint="paste the paper's abstract",
                )
            )
        if paper.theme is None:
            problems.append(
                Problem(
                    Location(paper.path, 1, 1),
                    "paper has no theme",
                    hint="add 'theme:'; `papershelf classify " + paper.path + "` suggests one",
                    severity=Severity.WARNING,
                )
            )
    problems.extend(duplicate_problems(papers))
    return problems


def excluded_problems(papers: Sequence[Paper], exclusions: Sequence[Exclusion]) -> list[Problem]:
    """Report paper files of papers that excluded.yaml leaves out (import no longer updates
    them, and the build still publishes them)."""
    excluded_by = Excluded(exclusions)
    problems = []
    for paper in papers:
        exclusion = excluded_by.of(identity_keys(paper.title, paper.arxiv))
        if exclusion is not None:
            problems.append(
                Problem(
                    paper.location_of("title"),
                    f"this paper is excluded ({exclusion.location}), but its file is still here",
                    hint="delete the file, or take the paper out of excluded.yaml",
                    severity=Severity.WARNING,
                )
            )
    return problems


def _spacing_aside(text: str) -> str:
    # Most abstracts have single spaces already (YAML folds lines): split and joined, every
    # abstract of a 10,000-paper list cost `check` 140 ms.
    if "  " in text or "\n" in text or "\t" in text or text[:1].isspace() or text[-1:].isspace():
        return " ".join(text.split())
    return text


def duplicate_problems(papers: Sequence[Paper]) -> list[Problem]:
    """Report papers that are likely the same: same arXiv id, same abstract, or (nearly) the
    same title."""
    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()

    def report(first: Paper, second: Paper, why: str, key: str) -> None:
        pair = tuple(sorted((first.path, second.path)))
        if pair in reported:
            return
        reported.add(pair)
        later, earlier = (second, first) if second.path == pair[1] else (first, second)
        problems.append(
            Problem(
                later.location_of(key),
                f"likely duplicate of {earlier.path}: {why}",
                hint="merge the two files into one",
            )
        )

    by_arxiv: dict[str, Paper] = {}
    for paper in papers:
        if paper.arxiv:
            if paper.arxiv in by_arxiv:
                report(by_arxiv[paper.arxiv], paper, f"same arXiv id {paper.arxiv}", "arxiv")
            by_arxiv.setdefault(paper.arxiv, paper)

    # The same abstract, spacing aside, however different the titles (a retitled revision).
    by_abstract: dict[str, Paper] = {}
    for paper in papers:
        if identifies_paper(paper.abstract):
            abstract = _spacing_aside(paper.abstract)
            if abstract in by_abstract:
                report(by_abstract[abstract], paper, "same abstract", "abstract")
            by_abstract.setdefault(abstract, paper)

    titles = {paper.path: normalize_title(paper.title) for paper in papers}
    # Comparing every pair is quadratic; near-duplicate titles share their first or last words,
    # so only papers in the same bucket are compared.
    buckets: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        words = titles[paper.path].split()
        for key in {" ".join(words[:3]), " ".join(words[-3:])}:
            buckets[key].append(paper)
    matcher = difflib.SequenceMatcher(None)
    for bucket in buckets.values():
        bucket_titles = [titles[paper.path] for paper in bucket]
        for i, second in enumerate(bucket):
            b = bucket_titles[i]
            # Pairs are compared in C first: rapidfuzz's ratio (matched characters over both
            # lengths, with the longest common subsequence matched) is at least difflib's, whose
            # matching blocks are a common subsequence. So no pair difflib would pass is left
            # out, and difflib, run on the few left, decides as before. Python comparing every
            # pair of a bucket took 48 s for the 50,000 titles of the benchmark. `extract`, not
            # `extract_iter`: each of its generators left a reference cycle of ten objects, 35 MB
            # at 10,000 papers for a `check` that runs with the cyclic collector paused.
            close = process.extract(
                b, bucket_titles[:i], scorer=fuzz.ratio, score_cutoff=_PREFILTER_CUTOFF, limit=None
            )
            candidates = sorted(index for _, _, index in close)
            if candidates:
                matcher.set_seq2(b)  # what difflib works out of the second title, once for all
            for index in candidates:
                first, a = bucket[index], bucket_titles[index]
                if a == b:
                    report(first, second, "same title", "title")
                    continue
                matcher.set_seq1(a)
                if matcher.ratio() >= NEAR_DUPLICATE_RATIO:
                    report(first, second, "nearly the same title", "title")
    return problems
