"""Group the papers by theme, tag and year, sort them with explicit tie-breaks, find related
papers, and check that every theme and tag a paper names is declared."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import Any

from papershelf.errors import Problem
from papershelf.model import Paper, Taxonomy
from papershelf.validate import did_you_mean

# A shared theme says more about two papers than one shared tag.
THEME_WEIGHT = 2
TAG_WEIGHT = 1


def added_on(paper: Paper) -> dt.date:
    """Return when the paper joined the list; a paper without `added` counts from publication."""
    return paper.added or paper.published


def updated_on(paper: Paper) -> dt.date:
    """Return the last date the paper's entry changed as far as the content says."""
    return max(paper.published, added_on(paper))


def newest_published_key(paper: Paper) -> tuple:
    # Sorted ascending, this puts the newest publication first; the slug breaks ties so that the
    # order never depends on file-system or dict order.
    return (-paper.published.toordinal(), paper.slug)


def newest_added_key(paper: Paper) -> tuple:
    return (-added_on(paper).toordinal(), -paper.published.toordinal(), paper.slug)


@dataclass(frozen=True)
class Catalog:
    """The papers in every order and grouping the pages and feeds need."""

    taxonomy: Taxonomy
    # Newest publication first (the order of listing pages).
    papers: tuple[Paper, ...]
    # Newest addition to the list first (the order of feeds and "newest additions").
    recently_added: tuple[Paper, ...]
    by_theme: Mapping[str, tuple[Paper, ...]]
    by_tag: Mapping[str, tuple[Paper, ...]]
    # Years, newest first, each with its papers newest first.
    by_year: tuple[tuple[int, tuple[Paper, ...]], ...]
    related: Mapping[str, tuple[Paper, ...]]
    # The same, by slug (what digests of the pages need, without looking each paper up).
    related_slugs: Mapping[str, tuple[str, ...]]
    # A digest of what related papers were found from ("" when not worked out): two catalogs
    # with the same one have the same related papers.
    related_key: str = ""

    @functools.cached_property  # asked for by several pages; a frozen dataclass allows it
    def unthemed(self) -> tuple[Paper, ...]:
        return tuple(p for p in self.papers if p.theme is None)

    @functools.cached_property
    def updated(self) -> Mapping[str, dt.date]:
        """Return each paper's last change (`updated_on`) by slug, worked out once a build."""
        return MappingProxyType({p.slug: updated_on(p) for p in self.papers})

    def newest_date(self, papers: Iterable[Paper] | None = None) -> dt.date | None:
        """Return the latest date any of the papers (default: all) changed, if there are any."""
        if papers is None:
            return max(self.updated.values(), default=None)
        return max((updated_on(p) for p in papers), default=None)


# Returns the value stored under a key, computing (and storing) it when there is none.
Remember = Callable[[str, Callable[[], Any]], Any]


def build_catalog(
    papers: Iterable[Paper],
    taxonomy: Taxonomy,
    related_count: int,
    remember: Remember | None = None,
) -> tuple[Catalog, list[Problem]]:
    """Group and sort the papers; report themes and tags that `themes.yaml` does not declare.

    With `remember` (a build cache), related papers are found again only when what they are
    found from (each paper's theme and tags, and the order of the papers) changed.
    """
    papers = tuple(papers)
    problems = _reference_problems(papers, taxonomy)
    # newest_published_key's order, in two stable sorts on C-level keys (the sort is stable
    # reversed too): a Python key per paper cost more than the sorting.
    by_slug = sorted(papers, key=attrgetter("slug"))
    newest = tuple(sorted(by_slug, key=attrgetter("published"), reverse=True))
    by_theme: dict[str, list[Paper]] = {theme.id: [] for theme in taxonomy.themes}
    by_tag: dict[str, list[Paper]] = {tag.id: [] for tag in taxonomy.tags}
    for paper in newest:
        if paper.theme in by_theme:
            by_theme[paper.theme].append(paper)
        for tag_id in paper.tags:
            if tag_id in by_tag:
                by_tag[tag_id].append(paper)
    by_year = tuple(
        (year, tuple(group))
        for year, group in itertools.groupby(newest, key=lambda p: p.published.year)
    )
    related_slugs, related_key = _remembered_related(newest, taxonomy, related_count, remember)
    found = {paper.slug: paper for paper in newest}.__getitem__
    related_papers = {slug: tuple(map(found, others)) for slug, others in related_slugs.items()}
    catalog = Catalog(
        taxonomy=taxonomy,
        papers=newest,
        recently_added=tuple(sorted(newest, key=added_on, reverse=True)),  # newest_added_key
        by_theme=MappingProxyType({k: tuple(v) for k, v in by_theme.items()}),
        by_tag=MappingProxyType({k: tuple(v) for k, v in by_tag.items()}),
        by_year=by_year,
        related=MappingProxyType(related_papers),
        related_slugs=MappingProxyType(related_slugs),
        related_key=related_key,
    )
    return catalog, problems


def _remembered_related(
    newest: tuple[Paper, ...], taxonomy: Taxonomy, count: int, remember: Remember | None
) -> tuple[dict[str, tuple[str, ...]], str]:
    """Return the slugs of each paper's related papers (see `_related`), and with `remember` a
    digest of what they were found from (taxonomy aside: papers are checked against it)."""

    def related_slugs() -> dict[str, tuple[str, ...]]:
        found = _related(newest, taxonomy, count)
        return {slug: tuple(paper.slug for paper in papers) for slug, papers in found.items()}

    if remember is None:
        return related_slugs(), ""
    # Each column joined at C speed and all hashed at once (a string per paper cost more). Tags
    # as written: a paper whose tags are only reordered has the same related papers, found again.
    slugs = "\0".join(map(attrgetter("slug"), newest))
    themes = "\0".join(theme or "" for theme in map(attrgetter("theme"), newest))
    tags = "\0".join(map(",".join, map(attrgetter("tags"), newest)))
    data = f"related\0{count}\0{slugs}\n{themes}\n{tags}".encode()
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    return remember(digest, related_slugs), digest


def _reference_problems(papers: tuple[Paper, ...], taxonomy: Taxonomy) -> list[Problem]:
    theme_ids = [theme.id for theme in taxonomy.themes]
    tag_ids = [tag.id for tag in taxonomy.tags]
    known_themes, known_tags = set(theme_ids), set(tag_ids)
    problems: list[Problem] = []
    # Every build checks every paper; sets of what they use answer at C speed when all is known.
    used_themes = set(map(attrgetter("theme"), papers))
    used_tags = set(itertools.chain.from_iterable(map(attrgetter("tags"), papers)))
    if used_themes - {None} <= known_themes and used_tags <= known_tags:
        return problems
    for paper in papers:
        if paper.theme is not None and paper.theme not in known_themes:
            problems.append(
                Problem(
                    paper.location_of("theme"),
                    f"unknown theme '{paper.theme}' (themes: {', '.join(theme_ids)})",
                    did_you_mean(paper.theme, theme_ids) or "declare it in themes.yaml",
                )
            )
        for tag_id in paper.tags:
            if tag_id not in known_tags:
                problems.append(
                    Problem(
                        paper.location_of("tags"),
                        f"unknown tag '{tag_id}'",
                        did_you_mean(tag_id, tag_ids) or "declare it in themes.yaml",
                    )
                )
    return problems


Signature = tuple[str | None, frozenset[str]]


def _related(
    newest: tuple[Paper, ...], taxonomy: Taxonomy, count: int
) -> dict[str, tuple[Paper, ...]]:
    """Return each paper's most related papers: most shared theme and tags, then newest, then slug.

    Papers with the same theme and tags have the same neighbours, so scores are computed between
    these groups ("signatures"), found through a theme/tag index; this stays far from comparing
    every pair of papers when a theme holds thousands.
    """
    if count == 0:
        return {paper.slug: () for paper in newest}
    known_tags = {tag.id for tag in taxonomy.tags}
    groups: dict[Signature, list[Paper]] = defaultdict(list)
    for paper in newest:  # newest first within every group
        groups[(paper.theme, frozenset(t for t in paper.tags if t in known_tags))].append(paper)
    index: dict[tuple[str, str], list[Signature]] = defaultdict(list)
    for signature in groups:
        theme, tags = signature
        if theme is not None:
            index[("theme", theme)].append(signature)
        for tag_id in tags:
            index[("tag", tag_id)].append(signature)
    # No signature shares more with a signature than the signature itself: its theme and all its
    # tags. So those that do (its own, with its theme and more tags) rank first, together; when
    # they hold papers enough, nothing else need be scored. They are found by set intersection.
    holding = {key: set(signatures) for key, signatures in index.items()}
    every = set(groups)
    related: dict[str, tuple[Paper, ...]] = {}
    for signature, members in groups.items():
        theme, tags = signature
        ranked = []
        if theme is not None or tags:
            first = holding[("theme", theme)] if theme is not None else every
            first = first.intersection(*(holding[("tag", tag_id)] for tag_id in tags))
            # One more than needed, since a paper's own group holds the paper itself.
            if sum(len(groups[other]) for other in first) >= count + 1:
                merged = heapq.merge(*(groups[other] for other in first), key=newest_published_key)
                ranked = list(itertools.islice(merged, count + 1))
            else:
                ranked = _top_papers(groups, _scores(index, signature), count + 1)
        # One tuple for every member the ranking does not list (most of a large group).
        others = tuple(ranked[:count])
        listed = {p.slug for p in ranked}
        for paper in members:
            slug = paper.slug
            if slug in listed:
                related[slug] = tuple(p for p in ranked if p.slug != slug)[:count]
            else:
                related[slug] = others
    return related


def _scores(
    index: Mapping[tuple[str, str], list[Signature]], signature: Signature
) -> Counter[Signature]:
    """Return what every signature sharing a theme or a tag with `signature` shares with it."""
    theme, tags = signature
    # Counted at C speed, once per unit of weight: a loop in Python over every signature that
    # shares a theme (hundreds) was most of a cold build's time spent on the catalog.
    scores: Counter[Signature] = Counter()
    if theme is not None:
        for _ in range(THEME_WEIGHT):
            scores.update(index[("theme", theme)])
    for tag_id in tags:
        for _ in range(TAG_WEIGHT):
            scores.update(index[("tag", tag_id)])
    return scores


def _top_papers(
    groups: Mapping[Signature, list[Paper]], scores: Mapping[Signature, int], limit: int
) -> list[Paper]:
    chosen: list[Paper] = []
    # Highest score first; within a score, the groups' papers merged newest first (each paper
    # is in one group, so the groups' order does not matter).
    ranked = sorted(scores.items(), key=itemgetter(1), reverse=True)
    for _, level in itertools.groupby(ranked, key=itemgetter(1)):
        merged = heapq.merge(
            *(groups[signature] for signature, _ in level), key=newest_published_key
        )
        chosen.extend(itertools.islice(merged, limit - len(chosen)))
        if len(chosen) >= limit:
            break
    return chosen
