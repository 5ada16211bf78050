"""Render the HTML pages: make each template's context from the catalog and render it, or queue
it to be rendered on every core, reusing a page the last build made from the same inputs.

Papers come first (each one's page and citation files), which derives the briefs the listings
are made of; then the home page, the theme and tag listings and the other pages.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup

from papershelf import digests, search, templates, urls
from papershelf.cache import BuildCache, digest_text
from papershelf.catalog import Catalog
from papershelf.citations import (
    CITATIONS_SOURCE,
    bibliographies,
    bibliography,
    paper_citation,
    paper_citation_files,
)
from papershelf.config import SiteConfig
from papershelf.contexts import (
    ArchivePage,
    FeedLink,
    FeedSet,
    HomePage,
    ListingPage,
    NavItem,
    NotFoundPage,
    PageMeta,
    PageNumber,
    Pagination,
    PaperBrief,
    PaperLink,
    PaperPage,
    SearchPage,
    SiteView,
    StatsPage,
    TagCount,
    TagsPage,
    TermView,
    ThemeSummary,
    YearCount,
    YearLink,
    YearPage,
)
from papershelf.digests import Links
from papershelf.errors import Problem
from papershelf.model import Paper, Tag, Taxonomy, Theme
from papershelf.pagequeue import Carry, PageQueue, QueuedFiles, QueuedPage
from papershelf.papertext import PaperText, render_markdown
from papershelf.sharing import SHARE_IMAGE
from papershelf.sitewriter import StoredFile
from papershelf.stats import build_charts, has_code, totals
from papershelf.text import latex_to_plain, load_latex_converter, may_hold_latex
from papershelf.urls import FEED_KINDS, FEED_LABELS, FEED_MEDIA_TYPES, SiteUrls
from papershelf.views import (
    PaperBriefs,
    PaperViews,
    Terms,
    bibtex_entries,
    bibtex_entry,
    derive_bibtex_entry,
    term_views,
)
from papershelf.write import OutputFile


def feed_set(site: SiteUrls, config: SiteConfig, scope: str, name: str) -> FeedSet:
    title = config.title if scope == urls.HOME else f"{config.title}: {name}"
    links = tuple(
        FeedLink(kind, FEED_LABELS[kind], FEED_MEDIA_TYPES[kind], site.href(urls.feed(scope, kind)))
        for kind in FEED_KINDS
    )
    return FeedSet(name=name, title=title, links=links)


@dataclass(frozen=True)
class _Renderer:
    env: jinja2.Environment
    templates_dir: Path
    config: SiteConfig
    site: SiteUrls
    catalog: Catalog
    briefs: Mapping[str, PaperBrief]
    problems: list[Problem]
    # With a queue, pages are rendered when the queue finishes (on every core), not here.
    queue: PageQueue | None = None

    def page(
        self, route: str, template: str, context: object, inputs: str = ""
    ) -> OutputFile | QueuedPage | None:
        path, source = urls.output_path(route), f"templates/{template}"
        if self.queue is not None:
            counted = template == "paper.html"  # progress counts paper pages
            return self.queue.add(QueuedPage(path, template, context, source, inputs, counted))
        try:
            html = templates.render_template(self.env, template, context)
        except Exception as exc:  # a template bug of any kind is the template's problem
            problem = templates.template_problem(exc, template, self.templates_dir)
            if problem not in self.problems:
                self.problems.append(problem)
            return None
        return OutputFile(path, html.encode("utf-8"), source)

    def listing(
        self, route: str, template: str, inputs: str, context: Callable[[], object]
    ) -> OutputFile | QueuedPage | StoredFile | None:
        """Return a page the last build made from the same `inputs` as it is, else render it
        (the context, which reads every listed paper's brief, is only made then)."""
        if self.queue is not None and inputs:
            path, source = urls.output_path(route), f"templates/{template}"
            reused = self.queue.reuse(path, source, inputs)
            if reused is not None:
                return reused
        return self.page(route, template, context(), inputs)

    def meta(self, route: str, title: str, description: str, feeds=()) -> PageMeta:
        full_title = self.config.title if route == urls.HOME else f"{title} · {self.config.title}"
        return PageMeta(
            title=full_title,
            description=description or self.config.description or self.config.title,
            route=route,
            canonical=self.site.absolute(route),
            feeds=tuple(feeds),
            name=title,
        )

    def listing_meta(
        self,
        route: str,
        first_route: str,
        title: str,
        description: str,
        feeds: Sequence[FeedSet],
        pagination: Pagination | None,
    ) -> PageMeta:
        """Return the head of one page of a theme's or tag's listing (`first_route`: its first
        page's): a later page says which it is in its title and description, and each links its
        neighbours."""
        if pagination is None:
            return self.meta(route, title, description, feeds)
        later = pagination.number > 1
        if later:
            # Each page its own title and description, as search engines expect of pages.
            where = f"page {pagination.number} of {pagination.count}"
            shown = description or self.config.description or self.config.title
            description = f"{title}, {where}: {shown}"
            title = f"{title}, {where}"
        return self.meta(route, title, description, feeds)._replace(
            section=first_route if later else None,
            previous_href=pagination.previous_href,
            next_href=pagination.next_href,
        )

    def papers(self, papers: Sequence[Paper]) -> tuple[PaperBrief, ...]:
        return tuple(self.briefs[p.slug] for p in papers)

    def links(self, papers: Sequence[Paper]) -> tuple[PaperLink, ...]:
        # What the papers' briefs would say, made from the papers alone (no brief is needed).
        return tuple(
            PaperLink(self.site.href(urls.paper(p.slug)), latex_to_plain(p.title), p.published)
            for p in papers
        )


def _pagination(
    site: SiteUrls, routes: Sequence[str], number: int, start: int, shown: int
) -> Pagination | None:
    """Return where page `number` of a listing whose pages are at `routes` sits among them
    (None for a listing on one page); the page shows `shown` papers from position `start` of
    the listing (counted from 0)."""
    if len(routes) < 2:
        return None
    pages = tuple(
        PageNumber(None)
        if n is None
        else PageNumber(n, site.href(routes[n - 1]), current=n == number)
        for n in _page_numbers(number, len(routes))
    )
    return Pagination(
        number=number,
        count=len(routes),
        first=start + 1,
        last=start + shown,
        previous_href=site.href(routes[number - 2]) if number > 1 else None,
        next_href=site.href(routes[number]) if number < len(routes) else None,
        pages=pages,
    )


def _page_numbers(number: int, count: int, around: int = 1) -> list[int | None]:
    """Return the page numbers a page navigation shows: the first and last pages and those
    `around` the current one, with None for each run of two or more pages left out (a single
    page left out is shown instead: a gap takes as much room as its number)."""
    kept = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    shown: list[int | None] = []
    previous = 0
    for n in kept:
        if n - previous == 2:
            shown.append(n - 1)
        elif n - previous > 2:
            shown.append(None)
        shown.append(n)
        previous = n
    return shown


def _card_problem(
    briefs: PaperBriefs, catalog: Catalog, cache: BuildCache | None, templates_dir: Path
) -> Problem | None:
    """Render the card of every paper no earlier build rendered under these templates; return
    the first card's template error (a card the cache holds rendered without one)."""
    slugs = [paper.slug for paper in catalog.papers]
    for slug in cache.lacking("brief", slugs) if cache is not None else slugs:
        try:
            briefs.derive(slug)
        except Exception as exc:
            return templates.template_problem(exc, "card.html", templates_dir)
    return None


_SLUG = operator.attrgetter("slug")


def _paper_page(slug: str) -> str:
    return urls.output_path(urls.paper(slug))


class _PaperJob(NamedTuple):
    """What a build makes of one paper: its page, its citation files, or both (a tuple: one
    per paper is made before the processes fork, and touched by the one that makes it)."""

    paper: Paper
    render_page: bool
    make_files: bool


def render_pages(
    env: jinja2.Environment,
    templates_dir: Path,
    config: SiteConfig,
    catalog: Catalog,
    texts: Mapping[str, PaperText],
    on_paper: Callable[[int], None] | None = None,
    cache: BuildCache | None = None,
    queue: PageQueue | None = None,
    alongside: Sequence[QueuedFiles] = (),
) -> tuple[list[OutputFile], list[Problem]]:
    """Render every HTML page, and each paper's citation files; template errors become problems
    naming the template and line. `on_paper(count)` is called as papers' pages are done or kept
    (for progress).

    With a `cache`, values derived from one paper come from earlier builds when they can; with a
    `queue`, papers' pages and citation files are made at once on every core (the values they
    are made from go to the cache still pickled), the other pages are queued for
    `PageQueue.finish`, and a page the last build made from the same inputs is reused as it is.
    `alongside`: other files to make with the papers' (the feeds), first, wherever they are made.
    """
    site = SiteUrls(config.base_url)
    problems: list[Problem] = []
    views = PaperViews(catalog, texts, Terms(env, *term_views(catalog.taxonomy, site), site), cache)
    briefs = PaperBriefs(views, cache)
    r = _Renderer(env, templates_dir, config, site, catalog, briefs, problems, queue)
    taxonomy: Taxonomy = catalog.taxonomy
    all_feeds = feed_set(site, config, urls.HOME, "All papers")
    sv = SiteView(
        title=config.title,
        description=config.description,
        language=config.language,
        author=config.author,
        home_href=site.href(urls.HOME),
        stylesheet_href=site.href(urls.STYLESHEET),
        favicon_href=site.href(urls.FAVICON),
        tags_href=site.href(urls.TAGS_INDEX),
        archive_href=site.href(urls.ARCHIVE),
        feeds_href=site.href(urls.HOME, "feeds"),
        opml_href=site.href(urls.OPML),
        nav=(
            *(
                NavItem(t.title, site.href(urls.theme(t.id)), urls.theme(t.id))
                for t in taxonomy.themes
            ),
            NavItem("Tags", site.href(urls.TAGS_INDEX), urls.TAGS_INDEX),
            NavItem("Archive", site.href(urls.ARCHIVE), urls.ARCHIVE),
            NavItem("Stats", site.href(urls.STATS), urls.STATS),
        ),
        feeds=all_feeds,
        repository_url=config.repository_url,
        manifest_href=site.href(urls.MANIFEST),
        touch_icon_href=site.href(urls.TOUCH_ICON),
        share_image=site.absolute(SHARE_IMAGE),
        search_href=site.href(urls.SEARCH) if config.search else None,
        bibliography_href=site.href(urls.BIBLIOGRAPHY),
    )
    theme_feeds = {t.id: feed_set(site, config, urls.theme(t.id), t.title) for t in taxonomy.themes}
    tag_feeds = {t.id: feed_set(site, config, urls.tag(t.id), t.title) for t in taxonomy.tags}
    outputs: list[OutputFile | None] = []

    unchanging = digest_text(repr(sv), repr(config), site.href(urls.COPY_SCRIPT))

    def listing_inputs(route: str, *parts: str | Sequence[Paper] | Links, path: str = "") -> str:
        """Return the digest of a listing page's inputs (or a file's, at `path`): as the last
        build recorded it when the page shows none of the papers this edit changed."""
        shown = [part.papers if isinstance(part, Links) else part for part in parts]
        papers = [part for part in shown if not isinstance(part, str)]
        if queue is not None and inputs.listing_as_before(papers):
            recorded = queue.recorded_inputs(path or urls.output_path(route))
            if recorded:
                return recorded
        return digests.listing_inputs(cache, unchanging, route, parts)

    # Papers first: each one's page and citation files, made on every core, which also derive
    # the briefs the listings below are made of. A paper whose inputs the last build saw keeps
    # its files (passes over every paper, kept tight: an edit build is mostly these).
    jobs: list[_PaperJob] = []

    def keep_or_make(
        paper: Paper, page: StoredFile | None, bibtex: StoredFile | None, csl: StoredFile | None
    ) -> None:
        """Keep what the last build left of a paper's files; queue the making of the rest."""
        if page is not None:
            outputs.append(page)
            if on_paper is not None:
                on_paper(1)
        kept_files = bibtex is not None and csl is not None
        if kept_files:
            outputs.extend((bibtex, csl))
        if page is None or not kept_files:
            jobs.append(_PaperJob(paper, page is None, not kept_files))

    earlier = queue.earlier_basis() if queue is not None else None
    inputs = digests.PaperInputs(cache, catalog, unchanging, earlier)
    if queue is not None:
        queue.record_basis(inputs.basis)
    # Papers whose inputs are what the last build recorded keep their files, found in one
    # pass per kind of file (an edit build keeps nearly every paper's).
    every_slug = list(map(_SLUG, catalog.papers))
    unchanged = inputs.as_before_many(every_slug) if queue else [False] * len(every_slug)
    as_before = list(itertools.compress(catalog.papers, unchanged))
    rest = list(itertools.compress(catalog.papers, map(operator.not_, unchanged)))
    if as_before:
        slugs = list(itertools.compress(every_slug, unchanged))
        pages = queue.kept_many(list(map(_paper_page, slugs)), "templates/paper.html")
        bibtex = queue.kept_many(list(map(urls.paper_bibtex, slugs)), CITATIONS_SOURCE)
        csl = queue.kept_many(list(map(urls.paper_csl, slugs)), CITATIONS_SOURCE)
        if all(pages) and all(bibtex) and all(csl):
            # All kept, as in nearly every edit build: in the order keep_or_make adds them.
            outputs.extend(itertools.chain.from_iterable(zip(pages, bibtex, csl, strict=True)))
            if on_paper is not None:
                on_paper(len(pages))
        else:
            for found in zip(as_before, pages, bibtex, csl, strict=True):
                keep_or_make(*found)  # a file the last build recorded no inputs for is made again
    # Without files of the last build to keep (a cold build), the inputs of each paper's files
    # are worked out where they are made, on every core, rather than here first.
    reuse = queue.reuse if queue is not None and queue.keeps_files() else None
    for paper in rest:
        slug = paper.slug
        reused = kept_bibtex = kept_csl = None
        if reuse is not None:
            page_inputs, file_inputs = inputs.of(slug)
            reused = reuse(_paper_page(slug), "templates/paper.html", page_inputs)
            kept_bibtex = reuse(urls.paper_bibtex(slug), CITATIONS_SOURCE, file_inputs)
            kept_csl = reuse(urls.paper_csl(slug), CITATIONS_SOURCE, file_inputs)
        keep_or_make(paper, reused, kept_bibtex, kept_csl)

    def paper_files(job: _PaperJob) -> list[OutputFile]:
        paper, route = job.paper, urls.paper(job.paper.slug)
        page_inputs, file_inputs = inputs.of(paper.slug, keep=False)
        view = views[paper.slug]
        briefs.derive(paper.slug, view)  # made here, for the listings and the bibliographies
        derive_bibtex_entry(views, paper.slug, view)
        # Not cached: made only with the page or files it goes into, which a paper that did
        # not change keeps; pickled, citations were the largest part of the cache.
        citation = paper_citation(paper, view, config, site)
        made = []
        if job.render_page:
            context = PaperPage(
                site=sv,
                page=r.meta(route, view.title, view.excerpt)._replace(kind="article"),
                paper=view,
                related=r.links(catalog.related[paper.slug]),
                citation=citation,
                copy_script_href=site.href(urls.COPY_SCRIPT),
            )
            html = templates.render_template(env, "paper.html", context).encode("utf-8")
            made.append(
                OutputFile(urls.output_path(route), html, "templates/paper.html", page_inputs)
            )
        if job.make_files:
            made += paper_citation_files(paper, citation, site, file_inputs)
        return made

    if queue is None:
        for item in alongside:
            outputs += item.make(item.argument)
        for job in jobs:
            try:
                outputs += paper_files(job)
            except Exception as exc:  # a template bug of any kind is the template's problem
                problem = templates.template_problem(exc, "paper.html", templates_dir)
                if problem not in problems:
                    problems.append(problem)
            if on_paper is not None and job.render_page:
                on_paper(1)
    elif jobs:
        # Loaded here, once, if any paper may want it: the processes rendering papers share it.
        if queue.forks_for(len(jobs)) and any(
            may_hold_latex(f"{job.paper.title}\0{job.paper.abstract}") for job in jobs
        ):
            load_latex_converter()
        items = [
            *alongside,
            *(QueuedFiles(paper_files, job, "paper.html", counted=job.render_page) for job in jobs),
        ]
        for item in items:
            queue.add(item)
        marks = cache.journal_marks() if cache is not None else {}

        def take() -> dict:
            return cache.export_derived(marks) if cache is not None else {}

        def give(carried: dict) -> None:
            if cache is not None:
                cache.absorb_derived(carried)

        made, found = queue.finish(
            items,
            lambda name, context: templates.render_template(env, name, context),
            lambda exc, name: templates.template_problem(exc, name, templates_dir),
            Carry(take, give),
        )
        outputs += made
        problems += [problem for problem in found if problem not in problems]
    else:  # no paper to make: made with the listings
        outputs += map(queue.add, alongside)
    problem = None if problems else _card_problem(briefs, catalog, cache, templates_dir)
    if problem is not None:
        problems.append(problem)
    if problems:
        return [], problems

    newest = catalog.recently_added[: config.home_newest]
    home_parts: list[str | Sequence[Paper]] = [str(len(catalog.papers)), str(len(catalog.unthemed))]
    for t in taxonomy.themes:
        home_parts += [t.id, str(len(catalog.by_theme[t.id]))]
        home_parts.append(catalog.by_theme[t.id][: config.home_theme_papers])
    home_parts.append(newest)

    def home() -> HomePage:
        themes = tuple(
            ThemeSummary(
                theme=TermView(t.id, t.title, site.href(urls.theme(t.id))),
                description=t.description,
                count=len(catalog.by_theme[t.id]),
                newest=r.papers(catalog.by_theme[t.id][: config.home_theme_papers]),
                feeds=theme_feeds[t.id],
            )
            for t in taxonomy.themes
        )
        return HomePage(
            site=sv,
            page=r.meta(urls.HOME, config.title, config.description, [all_feeds]),
            intro_html=render_markdown(config.intro, 2) if config.intro else Markup(""),
            paper_count=len(catalog.papers),
            themes=themes,
            unthemed_count=len(catalog.unthemed),
            newest=r.papers(newest),
            theme_feeds=tuple(theme_feeds.values()),
            tag_feeds=tuple(tag_feeds.values()),
        )

    outputs.append(r.listing(urls.HOME, "home.html", listing_inputs(urls.HOME, *home_parts), home))

    def listing_pages(
        route: str,
        template: str,
        papers: Sequence[Paper],
        make: Callable[[str, Sequence[Paper], Pagination | None], ListingPage],
    ) -> None:
        """Add each page of a theme's or tag's listing: reused when what it shows is unchanged
        (its papers, its number, the number of pages and of papers), else rendered."""
        pages = urls.listing_pages(route, len(papers), config.papers_per_page)
        routes = [page_route for page_route, _ in pages]
        for number, (page_route, part) in enumerate(pages, 1):
            shown = papers[part]
            where = (f"{number}/{len(pages)}", str(len(papers)))
            page_inputs = listing_inputs(page_route, *where, shown)

            def context(
                page_route: str = page_route, shown: Sequence[Paper] = shown, number: int = number
            ) -> ListingPage:
                start = pages[number - 1][1].start
                return make(page_route, shown, _pagination(site, routes, number, start, len(shown)))

            outputs.append(r.listing(page_route, template, page_inputs, context))

    for theme in taxonomy.themes:

        def theme_page(
            route: str, shown: Sequence[Paper], pagination: Pagination | None, theme: Theme = theme
        ) -> ListingPage:
            first_route = urls.theme(theme.id)
            feeds = [theme_feeds[theme.id]]
            return ListingPage(
                site=sv,
                page=r.listing_meta(
                    route, first_route, theme.title, theme.description, feeds, pagination
                ),
                term=TermView(theme.id, theme.title, site.href(first_route)),
                description=theme.description,
                papers=r.papers(shown),
                count=len(catalog.by_theme[theme.id]),
                feeds=theme_feeds[theme.id],
                bibtex_href=site.href(urls.theme_bibtex(theme.id)),
                pagination=pagination,
            )

        listing_pages(urls.theme(theme.id), "theme.html", catalog.by_theme[theme.id], theme_page)
    for tag in taxonomy.tags:

        def tag_page(
            route: str, shown: Sequence[Paper], pagination: Pagination | None, tag: Tag = tag
        ) -> ListingPage:
            first_route = urls.tag(tag.id)
            description = tag.description or f"Papers tagged “{tag.title}”."
            feeds = [tag_feeds[tag.id]]
            return ListingPage(
                site=sv,
                page=r.listing_meta(route, first_route, tag.title, description, feeds, pagination),
                term=TermView(tag.id, tag.title, site.href(first_route)),
                description=tag.description,
                papers=r.papers(shown),
                count=len(catalog.by_tag[tag.id]),
                feeds=tag_feeds[tag.id],
                pagination=pagination,
            )

        listing_pages(urls.tag(tag.id), "tag.html", catalog.by_tag[tag.id], tag_page)
    tag_counts = tuple(
        TagCount(
            TermView(t.id, t.title, site.href(urls.tag(t.id))),
            t.description,
            len(catalog.by_tag[t.id]),
        )
        for t in sorted(taxonomy.tags, key=lambda t: (t.title.casefold(), t.id))
    )
    outputs.append(
        r.page(
            urls.TAGS_INDEX,
            "tags.html",
            TagsPage(sv, r.meta(urls.TAGS_INDEX, "Tags", "Every tag and its papers."), tag_counts),
        )
    )

    # The archive: an index of the years, and a page for each year's papers. The index shows
    # each year's count only and a year's page its papers' links (digests.link_identity), so an
    # edit to a paper's abstract re-renders neither, and one to its title only its year's page.
    years = [(year, len(papers)) for year, papers in catalog.by_year]

    def archive() -> ArchivePage:
        counts = tuple(
            YearCount(year, site.href(urls.archive_year(year)), count) for year, count in years
        )
        meta = r.meta(urls.ARCHIVE, "Archive", "Every paper by year.")
        return ArchivePage(sv, meta, len(catalog.papers), counts)

    archive_inputs = listing_inputs(urls.ARCHIVE, *(f"{year}/{count}" for year, count in years))
    outputs.append(r.listing(urls.ARCHIVE, "archive.html", archive_inputs, archive))
    for index, (year, papers) in enumerate(catalog.by_year):
        # Newest year first, as the index lists them: the newer year is the previous page.
        newer = catalog.by_year[index - 1][0] if index > 0 else None
        older = catalog.by_year[index + 1][0] if index + 1 < len(catalog.by_year) else None
        year_route = urls.archive_year(year)

        def year_page(
            route: str = year_route,
            year: int = year,
            papers: Sequence[Paper] = papers,
            newer: int | None = newer,
            older: int | None = older,
        ) -> YearPage:
            before, after = (
                YearLink(y, site.href(urls.archive_year(y))) if y is not None else None
                for y in (newer, older)
            )
            description = f"Every paper published in {year}, newest first."
            meta = r.meta(route, f"Papers published in {year}", description)._replace(
                section=urls.ARCHIVE,
                previous_href=before.href if before is not None else None,
                next_href=after.href if after is not None else None,
            )
            return YearPage(sv, meta, year, r.links(papers), before, after)

        where = (str(year), str(newer), str(older), str(len(papers)))
        year_inputs = listing_inputs(year_route, *where, Links(papers))
        outputs.append(r.listing(year_route, "year.html", year_inputs, year_page))

    # The statistics page counts the papers by theme, year, tag and code link: its charts are
    # made again only when those change (what every paper's theme and tags are, in order, the
    # years' counts, and which papers link to code), not after every edit.
    stats_inputs = ""
    if catalog.related_key:
        code = "".join(["1" if has_code(paper) else "0" for paper in catalog.papers])
        years = ",".join(f"{year}:{len(papers)}" for year, papers in catalog.by_year)
        parts = (catalog.related_key, years, code)
        stats_inputs = digests.listing_inputs(cache, unchanging, urls.STATS, parts)

    def stats_page() -> StatsPage:
        description = "Charts of the papers by theme, year and tag."
        meta = r.meta(urls.STATS, "Statistics", description)
        return StatsPage(sv, meta, totals(catalog), build_charts(catalog))

    outputs.append(r.listing(urls.STATS, "stats.html", stats_inputs, stats_page))
    if config.search:
        parts = search.part_directories(
            (paper.slug for paper in catalog.papers),
            search.index_parts(len(catalog.papers), config.search_part_papers),
        )
        outputs.append(
            r.page(
                urls.SEARCH,
                "search.html",
                SearchPage(
                    sv,
                    r.meta(urls.SEARCH, "Search", "Search the papers by title, abstract or tag."),
                    themes=tuple(
                        TermView(t.id, t.title, site.href(urls.theme(t.id)))
                        for t in taxonomy.themes
                    ),
                    paper_count=len(catalog.papers),
                    bundle_href=site.href(parts[0] + "pagefind.js") if parts else "",
                    part_hrefs=tuple(site.href(directory) for directory in parts[1:]),
                    script_href=site.href(urls.SEARCH_SCRIPT),
                ),
            )
        )

    def citations_as_before(path: str, papers: Sequence[Paper]) -> str:
        """Return the inputs the last build recorded for a bibliography if the papers it lists
        changed only in what no BibTeX entry shows (an abstract, say), else ""."""
        changed = inputs.changed_among(papers) if queue is not None else None
        recorded = queue.recorded_inputs(path) if queue is not None and changed is not None else ""
        if not recorded or cache is None:
            return ""
        for slug, earlier_key in changed:
            before = cache.cached_under("bibtex", earlier_key) if earlier_key else None
            if before is None or before != bibtex_entry(views, slug):
                return ""
        return recorded

    for path, title, url, papers in bibliographies(catalog, config, site):
        parts = (title, url, papers)
        file_inputs = ""
        if queue:
            # It lists every paper's entry: an edit that leaves each entry as it was (one to an
            # abstract) keeps the file the last build made, without reading 10,000 entries.
            file_inputs = citations_as_before(path, papers) or listing_inputs(
                path, *parts, path=path
            )
        kept = queue.reuse(path, CITATIONS_SOURCE, file_inputs) if queue else None
        if kept is None:
            entries = bibtex_entries(views, [p.slug for p in papers])
            made = bibliography(title, url, entries)
            file = OutputFile(path, made, CITATIONS_SOURCE, file_inputs)
            kept = queue.write_now(file) if queue is not None else file
        outputs.append(kept)
    not_found_meta = PageMeta(
        title=f"Page not found · {config.title}",
        description=config.description or config.title,
        route=urls.NOT_FOUND,
        canonical=None,
        indexable=False,
    )
    outputs.append(r.page(urls.NOT_FOUND, "404.html", NotFoundPage(sv, not_found_meta)))
    return [o for o in outputs if o is not None], problems


def finish_pages(
    queue: PageQueue, env: jinja2.Environment, templates_dir: Path, outputs: Sequence[Any]
) -> tuple[list[Any], list[Problem]]:
    """Render the pages `render_pages` queued (the listings), in this process; see
    `PageQueue.finish`.

    Not on every core, as the papers' pages are: this process now holds every paper's brief, and
    a forked one copies each page of memory either of them touches. That copy was the peak of a
    cold build (about 200 MB against 185 at 10,000 papers, 847 MB against 770 at 50,000); the
    listings take about a twentieth of its time.
    """
    return queue.finish(
        outputs,
        lambda name, context: templates.render_template(env, name, context),
        lambda exc, name: templates.template_problem(exc, name, templates_dir),
        alone=True,
    )
