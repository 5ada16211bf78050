"""Small helpers the scrape parsers share: message-sized titles, rendered text, link lists."""

from __future__ import annotations

import re

from papershelf.model import Link

# `33 authors`, `1 authors`; a big collaboration's count may have thousands separators.
AUTHOR_COUNT = r"(?P<count>\d{1,3}(?:[,\u00a0\u202f]\d{3})+|\d+)\s+authors?"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)


def rendered_text(text: str) -> str:
    """Return `text` as a browser shows it: whitespace runs as one space, paragraphs kept."""
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_BREAK.split(text.strip()))
    return "\n\n".join(p for p in paragraphs if p)


def author_count(match: re.Match[str]) -> int:
    """Return the number an `AUTHOR_COUNT` match holds, separators left out."""
    return int(re.sub(r"\D", "", match.group("count")))


def dedupe_links(links: list[Link]) -> tuple[Link, ...]:
    """Drop links already listed, keeping the first place and the https form of each.

    `http://github.com/x/y`, `https://github.com/x/y/` and `https://github.com/X/y` are one
    link: abstracts write repositories loosely, while the page's own GitHub field is exact.
    """
    kept: dict[str, Link] = {}
    for link in links:
        key = _SCHEME.sub("", link.url).rstrip("/").lower()
        known = kept.get(key)
        if known is None or (known.url.startswith("http://") and link.url.startswith("https://")):
            kept[key] = link
    return tuple(kept.values())


def shorten(text: str, limit: int = 60) -> str:
    """Return `text` cut to `limit` characters for a message, marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
