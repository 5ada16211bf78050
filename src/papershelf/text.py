"""Text helpers shared by import and build: LaTeX to plain text, slugs, titles, links."""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from slugify import slugify

from papershelf.model import Link

SLUG_MAX_LENGTH = 60

# Characters that are special to LaTeX but plain text in arXiv metadata ("3.6%", "R&D", "~200"):
# escape the unescaped ones so the converter keeps them instead of reading a comment or a tab stop.
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&#])")
_BARE_TILDE = re.compile(r"(?<!\\)~")
_URL = re.compile(r"""https?://[^\s<>"'{}\\^`|]+""", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\"*"


@functools.cache
def _latex_converter() -> LatexNodes2Text:
    context = get_default_latex_context_db().filter_context(keep_categories=None)
    context.add_context_category(
        "papershelf-urls",
        prepend=True,
        macros=[MacroTextSpec("url", "%s"), MacroTextSpec("href", "%(2)s")],
    )
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True)


def latex_to_plain(text: str) -> str:
    """Return `text` with LaTeX markup turned into the Unicode it stands for."""
    if "\\" not in text and "{" not in text and "$" not in text and "--" not in text:
        return text
    escaped = _BARE_TILDE.sub(r"\\textasciitilde{}", _BARE_SPECIAL.sub(r"\\\1", text))
    try:
        plain = _latex_converter().latex_to_text(escaped)
    except Exception:
        return text
    return re.sub(r"[ \t]+", " ", plain).strip()


def normalize_title(title: str) -> str:
    """Return a title's duplicate-spotting form: no LaTeX, case, accents or punctuation."""
    plain = unicodedata.normalize("NFKD", latex_to_plain(title)).casefold()
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def make_slug(title: str) -> str:
    """Return a lowercase ASCII slug for a title, cut at a word boundary to stay URL-friendly."""
    words = slugify(latex_to_plain(title)).split("-")
    # slugify's own max_length skips a long word and keeps later short ones ("for-low-of"),
    # so cut at the first word that does not fit.
    slug = words[0][:SLUG_MAX_LENGTH]
    for word in words[1:]:
        if len(slug) + 1 + len(word) > SLUG_MAX_LENGTH:
            break
        slug += f"-{word}"
    return slug or "paper"


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def extract_links(text: str) -> tuple[Link, ...]:
    """Return every http(s) URL in `text`, in order and without repeats, each with its kind."""
    links: list[Link] = []
    seen: set[str] = set()
    for match in _URL.finditer(text):
        url = _strip_trailing(match.group(0))
        if not url or url in seen or not urlsplit(url).hostname:
            continue
        seen.add(url)
        links.append(Link(url=url, kind=link_kind(url)))
    return tuple(links)


def _strip_trailing(url: str) -> str:
    while url:
        last = url[-1]
        opener = "(" if last == ")" else "["
        unbalanced = last in ")]" and url.count(opener) < url.count(last)
        if last in _TRAILING_PUNCTUATION or unbalanced:
            url = url[:-1]
        else:
            break
    return url


_CODE_HOSTS = {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sourceforge.net"}


def link_kind(url: str) -> str:
    """Classify a URL as code, data, model, paper, project or other from its host and path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.strip("/").split("/")
    if host in _CODE_HOSTS:
        return "code"
    if host == "huggingface.co":
        if path and path[0] == "datasets":
            return "data"
        if path and path[0] == "spaces":
            return "project"
        if path and path[0] == "papers":
            return "paper"
        return "model" if len(path) >= 2 else "project"
    if host in {"arxiv.org", "aclanthology.org", "openreview.net", "doi.org"}:
        return "paper"
    if host in {"zenodo.org", "kaggle.com"}:
        return "data"
    return "project" if host.endswith(".github.io") else "other"


_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$")


def is_arxiv_id(value: str) -> bool:
    """Tell whether `value` is a bare arXiv id (new `2511.09690` or old `cs/0112017` form)."""
    return bool(_ARXIV_ID.match(value))


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"
