"""Digests of what each page and file is made from, so that a build reuses, as it is, what the
last build made from the same inputs ("" or a missing entry: not known, made again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from papershelf.cache import BuildCache, digest_text
from papershelf.catalog import Catalog
from papershelf.citations import CITATIONS_SOURCE
from papershelf.model import Paper

# What a paper's page is rendered from, besides the paper and its related papers: changing any
# of these fields means changing `paper_inputs` (tests/perf checks that they are known).
PAPER_PAGE_FIELDS = ("site", "page", "paper", "related", "citation", "copy_script_href")


def paper_inputs(
    cache: BuildCache | None, catalog: Catalog, unchanging: str
) -> dict[str, tuple[str, str]]:
    """Return, by slug, a digest of everything each paper's page shows and one of what its
    citation files are made from; a paper missing is one whose inputs are not known."""
    if cache is None or not cache.inputs_digest:
        return {}
    keys, related = cache.paper_keys, catalog.related_slugs
    identities = {paper.slug: link_identity(paper) for paper in catalog.papers}
    # What digest_text would hash, with the parts every paper shares joined once: this runs
    # for every paper of every build.
    page = "\0".join((cache.inputs_digest, unchanging, "paper.html", ""))
    files = "\0".join((cache.inputs_digest, CITATIONS_SOURCE, ""))
    blake2b = hashlib.blake2b
    found = {}
    for slug in identities:
        key = keys.get(slug)
        if key:
            shown = "".join([identities[other] + "\0" for other in related[slug]])
            page_data = f"{page}{key}\0{shown}".encode("utf-8", "surrogatepass")
            files_data = f"{files}{key}\0".encode("utf-8", "surrogatepass")
            found[slug] = (
                blake2b(page_data, digest_size=16).hexdigest(),
                blake2b(files_data, digest_size=16).hexdigest(),
            )
    return found


def link_identity(paper: Paper) -> str:
    """Return what a link to a paper in a short list shows (see PaperLink: its page, title and
    date), so that editing a paper's abstract does not re-render the pages that only link it."""
    return f"{paper.slug}\0{paper.title}\0{paper.published.isoformat()}"


def listing_inputs(
    cache: BuildCache | None, unchanging: str, route: str, parts: Sequence[str | Sequence[Paper]]
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
        known = cache.paper_keys
        keys = [known.get(paper.slug, "") for paper in part]
        if not all(keys):
            return ""
        values += [str(len(keys)), *keys]
    return digest_text(*values)
