"""Per-paper views: what the templates show of each paper (its PaperView: links, byline, terms,
BibTeX entry), its brief (the card card.html renders once, reused on every listing), and the lazy
mappings that derive both by slug, or read them from the cache, when first asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jinja2

from papershelf import templates, urls
from papershelf.cache import BuildCache
from papershelf.catalog import Catalog, added_on
from papershelf.contexts import CardContext, LinkView, PaperBrief, PaperView, TermView
from papershelf.model import Paper, Taxonomy
from papershelf.papertext import PaperText
from papershelf.text import arxiv_url
from papershelf.urls import SiteUrls, external_href

LINK_LABELS = {
    "paper": "Paper",
    "code": "Code",
    "data": "Data",
    "model": "Model",
    "project": "Project page",
    "other": "Link",
}
_BARE_LATEX_SPECIAL = re.compile(r"(?<!\\)([%&#])")


# ---------------------------------------------------------------- BibTeX


def _balanced_braces(text: str) -> bool:
    if "{" not in text and "}" not in text:  # most titles and names: asked of each character
        return True
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _bibtex_text(text: str) -> str:
    return text if _balanced_braces(text) else text.replace("{", "").replace("}", "")


def bibtex(paper: Paper, plain_title: str, page_url: str) -> str:
    """Return a BibTeX entry for the paper (an arXiv e-print when it has an arXiv id)."""
    # The LaTeX source keeps \textsc{} and accents for BibTeX; unbalanced braces would break the
    # entry, so such a title falls back to its plain text without braces.
    source = paper.title if _balanced_braces(paper.title) else _bibtex_text(plain_title)
    fields: list[tuple[str, str]] = [
        ("title", "{" + _BARE_LATEX_SPECIAL.sub(r"\\\1", source) + "}")
    ]
    if paper.authors and paper.authors.names:
        names = [_bibtex_text(name) for name in paper.authors.names]
        if paper.authors.count > len(names):
            names.append("others")
        fields.append(("author", " and ".join(names)))
    elif paper.organization:
        # Braces keep BibTeX from splitting an organisation's name into first and last names.
        fields.append(("author", "{" + _bibtex_text(paper.organization.name) + "}"))
    fields.append(("year", str(paper.published.year)))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv), ("archivePrefix", "arXiv")]
        fields.append(("url", arxiv_url(paper.arxiv)))
    else:
        first = next((link.url for link in paper.links if link.kind == "paper"), page_url)
        fields.append(("url", first))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@misc{{{paper.slug},\n{body}\n}}"


# ---------------------------------------------------------------- views


def _link_text(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return (host + parts.path.rstrip("/")) or url


def _paper_links(paper: Paper) -> tuple[LinkView, ...]:
    links: list[LinkView] = []
    if paper.arxiv:
        url = arxiv_url(paper.arxiv)
        links.append(LinkView("paper", "arXiv", url, _link_text(url)))
    seen = {link.href for link in links}
    for link in paper.links:
        if link.url not in seen:
            seen.add(link.url)
            links.append(
                LinkView(
                    link.kind, LINK_LABELS[link.kind], external_href(link.url), _link_text(link.url)
                )
            )
    return tuple(links)


def _byline(paper: Paper) -> tuple[str, str]:
    """Return the short credit a card shows and the full one the paper's page shows."""
    authors = paper.authors
    count = ""
    if authors:
        count = f"{authors.count} author{'s' if authors.count != 1 else ''}"
    full = count
    if authors and authors.names:
        full = ", ".join(authors.names)
        if authors.count > len(authors.names):
            others = authors.count - len(authors.names)
            full += f" and {others} other{'s' if others != 1 else ''}"
    short = paper.organization.name if paper.organization else count
    return short, full


def term_views(
    taxonomy: Taxonomy, site: SiteUrls
) -> tuple[dict[str, TermView], dict[str, TermView]]:
    """Return every theme's and every tag's link, by id."""
    themes = {t.id: TermView(t.id, t.title, site.href(urls.theme(t.id))) for t in taxonomy.themes}
    tags = {t.id: TermView(t.id, t.title, site.href(urls.tag(t.id))) for t in taxonomy.tags}
    return themes, tags


def _paper_view(
    paper: Paper,
    text: PaperText,
    themes: Mapping[str, TermView],
    tags: Mapping[str, TermView],
    site: SiteUrls,
) -> PaperView:
    links = _paper_links(paper)
    short, full = _byline(paper)
    return PaperView(
        slug=paper.slug,
        href=site.href(urls.paper(paper.slug)),
        title=text.title,
        published=paper.published,
        added=added_on(paper),
        byline=short,
        authors=full,
        organization=paper.organization.name if paper.organization else None,
        theme=themes.get(paper.theme) if paper.theme else None,
        tags=tuple(tags[t] for t in paper.tags if t in tags),
        excerpt=text.excerpt,
        abstract_html=text.abstract_html,
        notes_html=text.notes_html,
        links=links,
        paper_link=next((link for link in links if link.kind == "paper"), None),
        code_link=next((link for link in links if link.kind == "code"), None),
        arxiv=paper.arxiv,
        upvotes=paper.upvotes,
        comments=paper.comments,
        bibtex=bibtex(paper, text.title, site.absolute(urls.paper(paper.slug))),
    )


# ---------------------------------------------------------------- lazy mappings by slug


def _derived(cache: BuildCache | None, kind: str, slug: str, compute: Callable[[], Any]) -> Any:
    return compute() if cache is None else cache.derived(kind, slug, compute)


@dataclass(frozen=True)
class Terms:
    """Everything a paper's view and card are made from, besides the paper and its text."""

    env: jinja2.Environment
    themes: Mapping[str, TermView]
    tags: Mapping[str, TermView]
    site: SiteUrls


def _brief_record(terms: Terms, view: PaperView) -> tuple[str, str, int, bytes]:
    """Return a paper's brief as the cache keeps it: plain values, which unpickle several times
    faster than the brief (an edit build reads back the briefs of every re-rendered listing)."""
    card = templates.render_template(terms.env, "card.html", CardContext(view))
    return (view.href, view.title, view.published.toordinal(), card.encode("utf-8"))


def _brief(record: tuple[str, str, int, bytes]) -> PaperBrief:
    href, title, published, card = record
    return PaperBrief(href, title, dt.date.fromordinal(published), card)


class PaperViews(Mapping[str, PaperView]):
    """Every paper's view by slug, derived (or read from the cache) when first asked for."""

    def __init__(
        self,
        catalog: Catalog,
        texts: Mapping[str, PaperText],
        terms: Terms,
        cache: BuildCache | None,
    ) -> None:
        self.papers = {paper.slug: paper for paper in catalog.papers}
        self.texts, self.terms, self.cache = texts, terms, cache
        self.found: dict[str, PaperView] = {}
        # BibTeX entries asked for so far: each is in several bibliographies (all, its theme's).
        self.bibtex: dict[str, str] = {}

    def __getitem__(self, slug: str) -> PaperView:
        view = self.found.get(slug)
        if view is None:
            paper, terms = self.papers[slug], self.terms

            def make() -> PaperView:
                return _paper_view(paper, self.texts[slug], terms.themes, terms.tags, terms.site)

            view = _derived(self.cache, "view", slug, make)
            if self.cache is None:  # else the cache keeps it (and may hand it on pickled)
                self.found[slug] = view
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)


def _view(views: PaperViews, slug: str, view: PaperView | None) -> PaperView:
    return view if view is not None else views[slug]


def bibtex_entry(views: PaperViews, slug: str) -> str:
    """Return the paper's BibTeX entry, kept by itself: the bibliographies list every paper's,
    and a build that remakes them after an edit reads the entries alone, not every brief."""
    entry = views.bibtex.get(slug)
    if entry is None:
        entry = _derived(views.cache, "bibtex", slug, lambda: views[slug].bibtex)
        views.bibtex[slug] = entry
    return entry


def derive_bibtex_entry(views: PaperViews, slug: str, view: PaperView | None = None) -> None:
    """Make the paper's BibTeX entry for the cache, which the bibliographies read it from,
    without keeping it here as well: each process rendering papers kept half of them until
    its share was done (1.5 MB each at 10,000 papers). `view`: the paper's, if at hand."""
    if views.cache is not None:
        views.cache.derived("bibtex", slug, lambda: _view(views, slug, view).bibtex)


def bibtex_entries(views: PaperViews, slugs: Sequence[str]) -> list[str]:
    """Return the BibTeX entries of many papers (a bibliography's), read in one loop."""
    known = views.bibtex
    missing = [slug for slug in slugs if slug not in known]
    if missing:
        cache = views.cache
        if cache is None:
            made = [views[slug].bibtex for slug in missing]
        else:
            made = cache.derived_many("bibtex", missing, lambda slug: views[slug].bibtex)
        known.update(zip(missing, made, strict=True))
    return list(map(known.__getitem__, slugs))


class PaperBriefs(Mapping[str, PaperBrief]):
    """Every paper's brief by slug, likewise; a template error in card.html propagates."""

    def __init__(self, views: PaperViews, cache: BuildCache | None) -> None:
        self.views, self.cache = views, cache
        self.found: dict[str, PaperBrief] = {}

    def __getitem__(self, slug: str) -> PaperBrief:
        brief = self.found.get(slug)
        if brief is None:  # decoded once a build: a paper is on several listing pages
            brief = self.found[slug] = _brief(self._record(slug))
        return brief

    def derive(self, slug: str, view: PaperView | None = None) -> None:
        """Make the paper's brief for the cache (and for the listings that will show it),
        without keeping it decoded here. `view`: the paper's, if at hand."""
        self._record(slug, view)

    def _record(self, slug: str, view: PaperView | None = None) -> tuple[str, str, int, bytes]:
        def make() -> tuple[str, str, int, bytes]:
            return _brief_record(self.views.terms, _view(self.views, slug, view))

        return _derived(self.cache, "brief", slug, make)

    def __iter__(self) -> Iterator[str]:
        return iter(self.views)

    def __len__(self) -> int:
        return len(self.views)
