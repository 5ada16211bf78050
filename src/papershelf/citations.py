"""How a paper is cited and imported: BibTeX and CSL-JSON files, the `citation_*` meta tags that
Google Scholar and Zotero read, and schema.org `ScholarlyArticle` JSON-LD.

The BibTeX entry of a paper is the one its page shows (`views.bibtex`); this module only adds
the other formats and the files. Nothing here invents data: a paper listed with an author count
but no names gets no author in any format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup

from papershelf import urls
from papershelf.catalog import Catalog
from papershelf.config import SiteConfig
from papershelf.model import Paper
from papershelf.text import arxiv_url
from papershelf.urls import SiteUrls
from papershelf.write import OutputFile

if TYPE_CHECKING:
    from papershelf.contexts import PaperView

BIBTEX_MEDIA_TYPE = "application/x-bibtex"
CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
# arXiv registers a DataCite DOI for every paper: 10.48550/arXiv.<id>.
ARXIV_DOI_PREFIX = "10.48550/arXiv."
# Characters that could end a <script> element or confuse an HTML parser, as JSON escapes.
# (Replaced one by one: str.translate with a dict is far slower on non-ASCII text.)
_SCRIPT_SAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
# One encoder for every JSON-LD block; the data is built here, never circular.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
# A tag as Markup.striptags removes it: from a "<" to the first ">" after it.
_TAG = re.compile(r"<[^>]*>")


class MetaTag(NamedTuple):
    name: str
    content: str


class Citation(NamedTuple):
    """One paper's citation in every form the paper page offers."""

    bibtex: str
    bibtex_href: str
    csl_href: str
    # `citation_*` tags in the order Google Scholar documents them.
    meta: tuple[MetaTag, ...]
    # Safe to place inside <script type="application/ld+json"> as it is.
    json_ld: Markup
    csl: Mapping[str, Any]


def _doi(arxiv_id: str) -> str:
    return ARXIV_DOI_PREFIX + arxiv_id


def author_names(paper: Paper) -> tuple[tuple[str, ...], bool]:
    """Return the names to credit and whether they are people (False: one organisation)."""
    if paper.authors and paper.authors.names:
        return tuple(paper.authors.names), True
    if paper.organization:
        return (paper.organization.name,), False
    return (), True


def _csl_name(name: str) -> dict[str, str]:
    # "First Last" is how listings write names, and what BibTeX assumes as well.
    given, _, family = name.strip().rpartition(" ")
    return {"given": given, "family": family} if given else {"literal": name.strip()}


def paper_url(paper: Paper, page_url: str) -> str:
    """Return where the paper itself is read: arXiv, else its first paper link, else its page."""
    if paper.arxiv:
        return arxiv_url(paper.arxiv)
    return next((link.url for link in paper.links if link.kind == "paper"), page_url)


def csl_item(
    paper: Paper, view: PaperView, page_url: str, abstract: str | None = None
) -> dict[str, Any]:
    """Return the paper as a CSL-JSON item (CSL 1.0.2; `article` is its type for preprints).

    `abstract` is `plain_abstract(view)`, when the caller has it already.
    """
    item: dict[str, Any] = {
        "id": paper.slug,
        "type": "article",
        "title": view.title,
    }
    names, people = author_names(paper)
    if names:
        item["author"] = [_csl_name(n) if people else {"literal": n} for n in names]
    day = paper.published
    item["issued"] = {"date-parts": [[day.year, day.month, day.day]]}
    if abstract is None:
        abstract = plain_abstract(view)
    if abstract:
        item["abstract"] = abstract
    if paper.arxiv:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{paper.arxiv}"
        item["DOI"] = _doi(paper.arxiv)
    item["URL"] = paper_url(paper, page_url)
    keywords = [tag.title for tag in view.tags]
    if keywords:
        item["keyword"] = ", ".join(keywords)
    return item


def plain_abstract(view: PaperView) -> str:
    return strip_tags(view.abstract_html)


def strip_tags(html: str) -> str:
    """Return `Markup(html).striptags()`: tags removed, whitespace collapsed, entities decoded.

    The same text, faster: striptags cuts one tag at a time out of the whole string, and splits
    and joins every word even when there is no whitespace to collapse. HTML comments (which
    Markdown with raw HTML off never writes) are left to striptags itself.
    """
    if "<!--" in html:
        return Markup(html).striptags()
    # striptags cuts the first "<" through the first ">" after it, then looks again from the
    # start; what is before the cut holds no "<", so that is one left-to-right pass.
    text = _TAG.sub("", str(html))  # a str: Markup would not be escaped where it is shown
    # str.split() splits at the whitespace isprintable() rejects, and at spaces.
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        text = " ".join(text.split())
    if "&" not in text:
        return text
    # Imported here: html's module of entities takes longer to import than most texts take to
    # cut, and an edit build whose texts hold no entity needs none of it.
    from html import unescape

    return unescape(text)


def scholarly_article(
    paper: Paper,
    view: PaperView,
    page_url: str,
    config: SiteConfig,
    site: SiteUrls,
    abstract: str | None = None,
) -> dict[str, Any]:
    """Return the schema.org ScholarlyArticle that describes the paper (for JSON-LD).

    `abstract` is `plain_abstract(view)`, when the caller has it already.
    """
    names, people = author_names(paper)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": page_url + "#paper",
        "name": view.title,
        "headline": view.title,
        "datePublished": paper.published.isoformat(),
        "url": page_url,
        "mainEntityOfPage": page_url,
    }
    if names:
        data["author"] = [
            {"@type": "Person" if people else "Organization", "name": name} for name in names
        ]
    if abstract is None:
        abstract = plain_abstract(view)
    if abstract:
        data["abstract"] = abstract
    same_as = paper_url(paper, page_url)
    if same_as != page_url:
        data["sameAs"] = same_as
    if paper.arxiv:
        data["identifier"] = [
            {"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.arxiv},
            {"@type": "PropertyValue", "propertyID": "DOI", "value": _doi(paper.arxiv)},
        ]
    if view.theme:
        data["about"] = {
            "@type": "Thing",
            "name": view.theme.title,
            "url": site.absolute(urls.theme(view.theme.id)),
        }
    if view.tags:
        data["keywords"] = [tag.title for tag in view.tags]
    data["isPartOf"] = {
        "@type": "WebSite",
        "name": config.title,
        "url": site.absolute(urls.HOME),
    }
    return data


def json_ld(data: Mapping[str, Any]) -> Markup:
    """Return JSON that can sit inside a <script> element: no `</script>` can appear in it."""
    text = _COMPACT_JSON.encode(data)
    for char, escaped in _SCRIPT_SAFE:
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)


def citation_meta(
    paper: Paper, view: PaperView, page_url: str, abstract: str | None = None
) -> tuple[MetaTag, ...]:
    """Return the Highwire Press `citation_*` tags that Google Scholar and Zotero read.

    `abstract` is `plain_abstract(view)`, when the caller has it already.
    """
    tags = [MetaTag("citation_title", view.title)]
    names, _ = author_names(paper)
    tags += [MetaTag("citation_author", name) for name in names]
    tags.append(MetaTag("citation_publication_date", _slashed_date(paper.published)))
    if paper.arxiv:
        tags += [
            MetaTag("citation_arxiv_id", paper.arxiv),
            MetaTag("citation_doi", _doi(paper.arxiv)),
            MetaTag("citation_pdf_url", f"https://arxiv.org/pdf/{paper.arxiv}"),
        ]
    tags.append(MetaTag("citation_abstract_html_url", page_url))
    if abstract is None:
        abstract = plain_abstract(view)
    if abstract:
        tags.append(MetaTag("citation_abstract", abstract))
    if view.tags:
        tags.append(MetaTag("citation_keywords", "; ".join(tag.title for tag in view.tags)))
    return tuple(tags)


def _slashed_date(day: dt.date) -> str:
    """Return `day.strftime("%Y/%m/%d")`, without strftime's cost in the common case."""
    if day.year < 1000:  # how the C library writes such a %Y varies
        return day.strftime("%Y/%m/%d")
    return f"{day.year}/{day.month:02d}/{day.day:02d}"


def paper_citation(paper: Paper, view: PaperView, config: SiteConfig, site: SiteUrls) -> Citation:
    """Return everything the paper's page offers for citing it."""
    page_url = site.absolute(urls.paper(paper.slug))
    abstract = plain_abstract(view)  # every format has it: derived once
    return Citation(
        bibtex=view.bibtex,
        bibtex_href=site.href(urls.paper_bibtex(paper.slug)),
        csl_href=site.href(urls.paper_csl(paper.slug)),
        meta=citation_meta(paper, view, page_url, abstract),
        json_ld=json_ld(scholarly_article(paper, view, page_url, config, site, abstract)),
        csl=csl_item(paper, view, page_url, abstract),
    )


def bibliography(title: str, url: str, entries: Iterable[str]) -> bytes:
    """Return a .bib file: a comment saying what it holds, then the entries, one blank line apart.

    Text outside an entry is a comment to BibTeX; `%` keeps it one for biber and editors too.
    """
    entries = list(entries)
    count = f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}"
    head = f"% {' '.join(title.split())} ({count})\n% {url}\n"
    return ("\n\n".join([head.rstrip("\n"), *entries]) + "\n").encode("utf-8")


def csl_json(items: Sequence[Mapping[str, Any]]) -> bytes:
    """Return CSL-JSON: always an array of items, as Zotero and pandoc expect."""
    return (indented_json(list(items)) + "\n").encode("utf-8")


def indented_json(value: Any, indent: str = "") -> str:
    """Return `json.dumps(value, ensure_ascii=False, indent=2)`, nested `indent` deep.

    The same text, faster: with `indent`, the json module encodes in pure Python; this walks the
    lists and dicts itself and leaves the strings to json's C encoder.
    """
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)  # what json writes for an int
    inner = indent + "  "
    if kind is dict and value and all(type(key) is str for key in value):
        members = [
            f"{inner}{encode_basestring(key)}: "
            + (encode_basestring(item) if type(item) is str else indented_json(item, inner))
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    if (kind is list or kind is tuple) and value:
        elements = [
            inner + (encode_basestring(item) if type(item) is str else indented_json(item, inner))
            for item in value
        ]
        return "[\n" + ",\n".join(elements) + "\n" + indent + "]"
    # Anything else (other numbers, booleans, null, empty or unusual containers) as json writes
    # it; a JSON string holds no newline, so every line break in it is indentation.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


# What made the citation files, for messages about them.
CITATIONS_SOURCE = "citations"


def paper_citation_files(
    paper: Paper, citation: Citation, site: SiteUrls, inputs: str = ""
) -> list[OutputFile]:
    """Return a paper's BibTeX and CSL-JSON files (`inputs`: a digest of what they are made
    from, if known)."""
    page = site.absolute(urls.paper(paper.slug))
    bib = bibliography(citation.csl["title"], page, [citation.bibtex])
    return [
        OutputFile(urls.paper_bibtex(paper.slug), bib, CITATIONS_SOURCE, inputs),
        OutputFile(urls.paper_csl(paper.slug), csl_json([citation.csl]), CITATIONS_SOURCE, inputs),
    ]


def bibliographies(
    catalog: Catalog, config: SiteConfig, site: SiteUrls
) -> list[tuple[str, str, str, list[Paper]]]:
    """Return each theme's .bib file and the whole list's, as (path, title, page URL, papers):
    the papers sorted by citation key, so that adding one adds lines to a file rather than
    shifting it. `bibliography` makes the file from the papers' entries."""

    def by_key(papers: Iterable[Paper]) -> list[Paper]:
        return sorted(papers, key=lambda paper: paper.slug)

    found = [
        (
            urls.theme_bibtex(theme.id),
            f"{config.title}: {theme.title}",
            site.absolute(urls.theme(theme.id)),
            by_key(catalog.by_theme[theme.id]),
        )
        for theme in catalog.taxonomy.themes
    ]
    found.append(
        (urls.BIBLIOGRAPHY, config.title, site.absolute(urls.HOME), by_key(catalog.papers))
    )
    return found
