"""Digests of what each page and file is made from, so that a build reuses, as it is, what the
last build made from the same inputs ("" or a missing entry: not known, made again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from operator import attrgetter
from typing import NamedTuple

from papershelf.cache import BuildCache, digest_text
from papershelf.catalog import Catalog
from papershelf.citations import CITATIONS_SOURCE
from papershelf.model import Paper
from papershelf.sitewriter import InputsBasis

# What a paper's page is rendered from, besides the paper and its related papers: changing any
# of these fields means changing `paper_inputs` (tests/perf checks that they are known).
PAPER_PAGE_FIELDS = ("site", "page", "paper", "related", "citation", "copy_script_href")


class PaperInputs:
    """By slug, a digest of everything each paper's page shows and one of what its citation
    files are made from (`of`), worked out when first asked for; `as_before_many(slugs)` tells
    that both are what the last build recorded, so that its files can be kept without either.

    After an edit, only the papers whose file changed and the papers that show them as related
    have digests to work out: a paper with the same key, shown with papers of the same keys,
    under the same settings, templates and related papers, has the same inputs as before.

    Likewise for listings (`listing_as_before`): with the papers grouped and ordered as before
    (themes, tags, years, additions), a listing that shows none of the changed papers has the
    inputs the last build recorded.
    """

    def __init__(
        self,
        cache: BuildCache | None,
        catalog: Catalog,
        unchanging: str,
        earlier: InputsBasis | None = None,
    ) -> None:
        self._digests: dict[str, tuple[str, str]] = {}
        self._identities: dict[str, str] = {}
        self._catalog = catalog
        self._unchanged: frozenset[str] = frozenset()
        # The papers whose file changed, when the listings are grouped and ordered as before.
        self._listings_changed: frozenset[str] | None = None
        self._earlier_keys: Mapping[str, str] = {}  # by slug, as the last build recorded them
        # What the next build compares with (None: this build's digests cannot be compared).
        self.basis: InputsBasis | None = None
        if cache is None or not cache.inputs_digest:
            self._keys: Mapping[str, str] = {}
            return
        self._keys = keys = cache.paper_keys
        # The parts every paper shares, joined once: this runs for every paper of every build.
        self._page = "\0".join((cache.inputs_digest, unchanging, "paper.html", ""))
        self._files = "\0".join((cache.inputs_digest, CITATIONS_SOURCE, ""))
        if not catalog.related_key:
            return
        shared = digest_text(self._page, self._files, catalog.related_key)
        # related_key holds the papers in publication order with their themes and tags; the
        # years and the order of additions (the home page's newest) are the rest of it.
        years = ",".join(f"{year}:{len(papers)}" for year, papers in catalog.by_year)
        added = "\0".join(map(_SLUG, catalog.recently_added))
        listings = digest_text(shared, years, added)
        self.basis = InputsBasis(shared, dict(keys), listings)
        if earlier is None or earlier.shared != shared:
            return
        known = earlier.keys
        changed = {slug for slug, key in keys.items() if known.get(slug) != key}
        showing = [
            slug for slug, others in catalog.related_slugs.items() if not changed.isdisjoint(others)
        ]
        self._unchanged = frozenset(keys.keys() - changed - set(showing))
        if earlier.listings == listings:
            self._listings_changed = frozenset(changed)
            self._earlier_keys = known

    def as_before_many(self, slugs: Iterable[str]) -> list[bool]:
        """Tell for each paper whether its page and citation files have the inputs the last
        build recorded (in one C-level pass over every paper)."""
        return list(map(self._unchanged.__contains__, slugs))

    def listing_as_before(self, shown: Iterable[Sequence[Paper]]) -> bool:
        """Tell whether a listing showing these papers has the inputs the last build recorded."""
        changed = self._listings_changed
        return changed is not None and all(
            changed.isdisjoint(map(_SLUG, papers)) for papers in shown
        )

    def changed_among(self, papers: Sequence[Paper]) -> list[tuple[str, str]] | None:
        """Return the listed papers whose file changed since the last build, with the key the
        last build recorded for each, when the papers are grouped and ordered as before (None:
        they are not, or it is not known)."""
        changed = self._listings_changed
        if changed is None:
            return None
        earlier = self._earlier_keys
        return [(p.slug, earlier.get(p.slug, "")) for p in papers if p.slug in changed]

    def of(self, slug: str, *, keep: bool = True) -> tuple[str, str]:
        """Return the paper's page and citation files digests ("" when not known); `keep`:
        remember them for the next time they are asked for."""
        found = self._digests.get(slug)
        if found is None:
            found = self._work_out(slug)
            if keep:
                self._digests[slug] = found
        return found

    def _work_out(self, slug: str) -> tuple[str, str]:
        key = self._keys.get(slug)
        if not key:
            return "", ""
        identities = self._identities
        parts = []
        for other in self._catalog.related.get(slug, ()):
            identity = identities.get(other.slug)
            if identity is None:  # each paper is shown as related to several
                identity = identities[other.slug] = link_identity(other)
            parts.append(identity + "\0")
        shown = "".join(parts)
        page_data = f"{self._page}{key}\0{shown}".encode("utf-8", "surrogatepass")
        files_data = f"{self._files}{key}\0".encode("utf-8", "surrogatepass")
        return (
            hashlib.blake2b(page_data, digest_size=16).hexdigest(),
            hashlib.blake2b(files_data, digest_size=16).hexdigest(),
        )


def link_identity(paper: Paper) -> str:
    """Return what a link to a paper in a short list shows (see PaperLink: its page, title and
    date), so that editing a paper's abstract does not re-render the pages that only link it."""
    return f"{paper.slug}\0{paper.title}\0{paper.published.isoformat()}"


class Links(NamedTuple):
    """Papers a listing shows as links only (see `link_identity`), a part of its inputs."""

    papers: Sequence[Paper]


def listing_inputs(
    cache: BuildCache | None,
    unchanging: str,
    route: str,
    parts: Sequence[str | Sequence[Paper] | Links],
) -> str:
    """Return a digest of everything a listing page shows: the settings, themes, templates and
    code, the page's own numbers and the papers it lists, in order ("" when not known)."""
    if cache is None or not cache.inputs_digest:
        return ""
    values = [cache.inputs_digest, unchanging, route]
    for part in parts:
        if isinstance(part, str):
            values.append(part)
            continue
        if isinstance(part, Links):
            values += [str(len(part.papers)), *map(link_identity, part.papers)]
            continue
        # C-level maps: every listing page of every build looks up each paper it shows.
        keys = list(map(cache.paper_keys.get, map(_SLUG, part)))
        if not all(keys):  # None: a paper this build did not read from a file
            return ""
        values += [str(len(keys)), *keys]
    return digest_text(*values)


_SLUG = attrgetter("slug")
