"""Grouping, ordering with explicit tie-breaks, and related papers."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest

from papershelf.catalog import build_catalog
from papershelf.model import Paper, Tag, Taxonomy, Theme

TAXONOMY = Taxonomy(
    themes=(Theme("speech", "Speech", ""), Theme("vision", "Vision", "")),
    tags=tuple(Tag(t, t.title()) for t in ("asr", "tts", "data", "code")),
)


def paper(slug, published, theme=None, tags=(), added=None) -> Paper:
    return Paper(
        slug=slug,
        title=slug,
        abstract="",
        published=dt.date.fromisoformat(published),
        added=dt.date.fromisoformat(added) if added else None,
        theme=theme,
        tags=tuple(tags),
        path=f"papers/{slug}.yaml",
    )


def test_newest_first_with_slug_breaking_ties() -> None:
    papers = [paper("b", "2024-01-01"), paper("a", "2024-01-01"), paper("c", "2025-01-01")]
    catalog, _ = build_catalog(papers, TAXONOMY, 3)
    assert [p.slug for p in catalog.papers] == ["c", "a", "b"]
    assert [(year, [p.slug for p in group]) for year, group in catalog.by_year] == [
        (2025, ["c"]),
        (2024, ["a", "b"]),
    ]


def test_recently_added_orders_by_added_then_published_then_slug() -> None:
    papers = [
        paper("old-new", "2020-01-01", added="2026-02-01"),
        paper("new-new", "2025-01-01", added="2026-02-01"),
        paper("new-old", "2025-06-01", added="2026-01-01"),
        paper("never-added", "2026-03-01"),
    ]
    catalog, _ = build_catalog(papers, TAXONOMY, 3)
    assert [p.slug for p in catalog.recently_added] == [
        "never-added",  # counts from its publication date
        "new-new",
        "old-new",
        "new-old",
    ]


def test_groups_by_declared_theme_and_tag_and_reports_undeclared_ones() -> None:
    papers = [
        paper("a", "2024-01-01", "speech", ["asr"]),
        paper("b", "2024-01-02", "music", ["asr", "song"]),
    ]
    catalog, problems = build_catalog(papers, TAXONOMY, 3)
    assert [p.slug for p in catalog.by_theme["speech"]] == ["a"]
    assert catalog.by_theme["vision"] == ()
    assert [p.slug for p in catalog.by_tag["asr"]] == ["b", "a"]
    assert [p.message for p in problems] == [
        "unknown theme 'music' (themes: speech, vision)",
        "unknown tag 'song'",
    ]


def test_related_papers_rank_shared_theme_and_tags_then_newest() -> None:
    papers = [
        paper("me", "2024-01-01", "speech", ["asr", "data"]),
        paper("same-theme-two-tags", "2020-01-01", "speech", ["asr", "data"]),
        paper("same-theme-one-tag", "2023-01-01", "speech", ["asr"]),
        paper("other-theme-two-tags", "2025-01-01", "vision", ["asr", "data"]),
        paper("same-theme-only-new", "2025-06-01", "speech"),
        paper("same-theme-only-old", "2019-06-01", "speech"),
        paper("unrelated", "2025-01-01", "vision", ["code"]),
    ]
    catalog, _ = build_catalog(papers, TAXONOMY, 5)
    assert [p.slug for p in catalog.related["me"]] == [
        "same-theme-two-tags",  # 2 + 1 + 1
        "same-theme-one-tag",  # 2 + 1
        "same-theme-only-new",  # 2, and the newest of the papers scoring 2
        "other-theme-two-tags",  # 1 + 1
        "same-theme-only-old",  # 2
    ]
    assert catalog.related["unrelated"][0].slug == "other-theme-two-tags"


def test_related_papers_stay_fast_for_a_large_list() -> None:
    # 10,000 papers in a few themes: comparing every pair would take minutes.
    tags = ("asr", "tts", "data", "code")
    papers = [
        paper(
            f"p{i:05d}",
            f"{2000 + i % 25}-01-01",
            ("speech", "vision", None)[i % 3],
            [t for bit, t in enumerate(tags) if i >> bit & 1],
        )
        for i in range(10_000)
    ]
    started = time.perf_counter()
    catalog, _ = build_catalog(papers, TAXONOMY, 5)
    assert time.perf_counter() - started < 2.0
    assert all(len(catalog.related[p.slug]) == 5 for p in papers if p.theme)


def _plain_related(papers: list[Paper], count: int) -> dict[str, list[str]]:
    """Each paper's related papers found the plain way: every other paper scored (2 for the
    theme, 1 a declared tag), highest first, then newest, then by slug."""
    declared = {tag.id for tag in TAXONOMY.tags}
    found = {}
    for one in papers:
        tags = set(one.tags) & declared
        scored = []
        for other in papers:
            shared = len(tags & set(other.tags))
            score = (2 if one.theme is not None and other.theme == one.theme else 0) + shared
            if other is not one and score:
                scored.append((-score, -other.published.toordinal(), other.slug))
        found[one.slug] = [slug for *_, slug in sorted(scored)[:count]]
    return found


@pytest.mark.parametrize("seed", range(6))
def test_related_papers_are_those_found_the_plain_way(seed: int) -> None:
    chance = random.Random(seed)
    size = chance.choice((3, 12, 40, 150))
    papers = [
        paper(
            f"p{n:03d}",
            f"{chance.randint(2020, 2022)}-0{chance.randint(1, 3)}-01",  # many on the same day
            chance.choice(("speech", "vision", None)),
            chance.sample(("asr", "tts", "data", "code", "undeclared"), chance.randint(0, 3)),
        )
        for n in range(size)
    ]
    for count in (1, 3, 5, 8):
        catalog, _ = build_catalog(papers, TAXONOMY, count)
        related = {slug: [p.slug for p in found] for slug, found in catalog.related.items()}
        assert related == _plain_related(papers, count), (size, count)
