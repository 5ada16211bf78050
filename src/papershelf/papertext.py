"""A paper's displayed text: its title with LaTeX resolved, its abstract and notes as HTML from
curator Markdown (raw HTML off), and the excerpt cards and feeds show. Derived once per paper and
shared by the pages and the feeds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from markupsafe import Markup

from papershelf.cache import BuildCache
from papershelf.model import Paper
from papershelf.text import latex_to_plain

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


class PaperText(NamedTuple):
    """A paper's text as readers see it: LaTeX resolved, Markdown rendered with raw HTML off."""

    title: str
    abstract_html: Markup
    excerpt: str
    notes_html: Markup | None


def _markdown() -> MarkdownIt:
    # Imported here: most abstracts are plain paragraphs, which need no parser (see
    # `_is_plain_paragraph`), and an edit build that renders none of the others is faster
    # without markdown-it's imports.
    from markdown_it import MarkdownIt

    # Raw HTML is escaped, images would load from other hosts, and javascript: links are refused
    # by markdown-it's own link validation.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def _render_markdown(
    parser: Callable[[], MarkdownIt], source: str, top_heading: int
) -> tuple[Markup, str]:
    """Return the HTML of `source` and its plain text (for excerpts), from one parse
    (`parser` makes the parser, if one is needed).

    Headings are renumbered so that the highest becomes `top_heading`: Markdown in an abstract
    or notes sits under the page's own h1 and h2, and heading levels must not skip.
    """
    if _is_plain_paragraph(source):
        # What markdown-it makes of one line of prose, without its tokens: most abstracts.
        html = "<p>" + source.replace('"', "&quot;") + "</p>"
        # Its words one space apart already unless it holds a run of spaces or other blanks
        # (which isprintable rejects): splitting 200 words to join them again took 13 us.
        if source.isprintable() and "  " not in source:
            return Markup(html), source
        return Markup(html), " ".join(source.split())
    paragraphs = _plain_paragraphs(source)
    if paragraphs is not None:
        # Lines of prose in paragraphs (a site's intro, most notes): each line is kept, as
        # markdown-it keeps a soft line break. Without its import, 30 ms of a build.
        html = "\n".join("<p>" + text.replace('"', "&quot;") + "</p>" for text in paragraphs)
        return Markup(html), " ".join(source.split())
    return _parsed_markdown(parser(), source, top_heading)


def _parsed_markdown(md: MarkdownIt, source: str, top_heading: int) -> tuple[Markup, str]:
    """Return what `_render_markdown` returns, from markdown-it's tokens."""
    env: dict = {}
    tokens = md.parse(source, env)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = top_heading - min(levels, default=top_heading)
    words: list[str] = []
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
        elif token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
    html = md.renderer.render(tokens, md.options, env)
    return Markup(html.rstrip("\n")), " ".join("".join(words).split())


# Characters that start Markdown syntax anywhere in a line (escapes, code, emphasis, links,
# autolinks and HTML, entities), or end the line. A line starting with a letter that holds none
# of them is a paragraph of text, whatever else it holds.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<>&\n\r\t\x00]")


def _is_plain_paragraph(source: str) -> bool:
    return source[:1].isalpha() and source == source.strip() and not _MARKDOWN_SYNTAX.search(source)


def _plain_paragraphs(source: str) -> list[str] | None:
    """Return the paragraphs of `source` if it is paragraphs of plain lines (each as
    `_is_plain_paragraph` asks, one empty line between paragraphs), else None. Line breaks at
    either end of the text change nothing."""
    text = source.strip("\n")
    if not text:
        return None
    paragraphs = text.split("\n\n")
    for paragraph in paragraphs:
        if not all(map(_is_plain_paragraph, paragraph.split("\n"))):
            return None
    return paragraphs


def render_markdown(source: str, top_heading: int = 2) -> Markup:
    """Return curator Markdown (raw HTML off) as HTML."""
    return _render_markdown(_markdown, source, top_heading)[0]


def excerpt(text: str, limit: int) -> str:
    """Return the start of `text`, cut at a word boundary to at most `limit` characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut[: limit - 1].rstrip(" ,;:.-–—(") + "…"


def paper_texts(
    papers: Iterable[Paper], excerpt_length: int, cache: BuildCache | None = None
) -> Mapping[str, PaperText]:
    """Derive every paper's displayed text once, for pages and feeds alike (with a `cache`, on
    first use, and only for papers whose text no earlier build derived)."""
    md = functools.cache(_markdown)  # made once, when a text first needs it
    if cache is not None:
        return CachedTexts({paper.slug: paper for paper in papers}, excerpt_length, cache, md)
    return {paper.slug: _paper_text(md, paper, excerpt_length) for paper in papers}


def _paper_text(md: Callable[[], MarkdownIt], paper: Paper, excerpt_length: int) -> PaperText:
    abstract_html, plain = _render_markdown(md, latex_to_plain(paper.abstract), 3)
    notes_html = _render_markdown(md, paper.notes, 3)[0] if paper.notes else None
    return PaperText(
        title=latex_to_plain(paper.title),
        abstract_html=abstract_html,
        excerpt=excerpt(plain, excerpt_length),
        notes_html=notes_html,
    )


class CachedTexts(Mapping[str, PaperText]):
    """Papers' texts by slug, each taken from the cache or derived when first asked for."""

    def __init__(
        self,
        papers: dict[str, Paper],
        excerpt_length: int,
        cache: BuildCache,
        md: Callable[[], MarkdownIt],
    ) -> None:
        self.papers, self.excerpt_length, self.cache, self.md = papers, excerpt_length, cache, md

    def __getitem__(self, slug: str) -> PaperText:
        paper = self.papers[slug]
        # A view holds the text as it is (see `views._paper_view`): not kept twice in the cache.
        view = self.cache.cached("view", slug) if self.cache.has_derived("view", slug) else None
        if view is not None:
            return PaperText(view.title, view.abstract_html, view.excerpt, view.notes_html)
        return _paper_text(self.md, paper, self.excerpt_length)

    def __iter__(self) -> Iterator[str]:
        return iter(self.papers)

    def __len__(self) -> int:
        return len(self.papers)
