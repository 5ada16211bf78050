"""The shortcut that accepts a link's URL without parsing it agrees with the parse.

`validate._is_web_url` accepts a URL of a plain shape at once and asks urlsplit about the rest;
whatever the shape, its answer must be the one urlsplit's gives.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from papershelf.validate import _PLAIN_WEB_URL, _is_web_url


def by_urlsplit(url: str) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not any(ch.isspace() for ch in url)
    )


# Pieces that matter to a URL's parse, and some that only look harmless.
PIECES = [
    ":", "/", "?", "#", "@", "[", "]", "::1", ".", "-", "a", "Z", "0", "example.org", "80",
    "%20", " ", "\t", "\n", "\x7f", "\\", "é", "\u3002", "user",
]  # fmt: skip
SCHEMES = ["http://", "https://", "HTTP://", "ftp://", "http:/", "http:", "", " http://"]


def pieces(most: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(PIECES), max_size=most).map("".join)


@settings(max_examples=3000, deadline=None)
@example(("http://", "a", "/", " b"))  # whitespace after the host
@example(("http://", "user@", "/", ""))  # a user and no host
@example(("http://", "", "/", "a"))  # no host
@example(("http://", "[::1]", "/", ""))
@example(("HTTP://", "a", "", ""))
@example(("http://", "a\tb", "", ""))  # urlsplit drops the tab, whitespace all the same
@given(
    st.tuples(st.sampled_from(SCHEMES), pieces(4), st.sampled_from(["", "/", "?", "#"]), pieces(4))
)
def test_the_shortcut_answers_as_urlsplit_does(parts: tuple[str, str, str, str]) -> None:
    url = "".join(parts)  # a scheme, a host and port, and what follows them
    try:
        expected = by_urlsplit(url)
    except ValueError:  # urlsplit refuses it (a bad IPv6 address): the validator would too
        assert not _PLAIN_WEB_URL.fullmatch(url)
        return
    assert _is_web_url(url) == expected, url


def test_the_shortcut_takes_the_usual_links() -> None:
    for url in (
        "https://arxiv.org/abs/2511.09690",
        "https://github.com/owner/repo",
        "https://huggingface.co/datasets/owner/name?x=1#top",
        "http://example.org:8080/",
    ):
        assert _PLAIN_WEB_URL.fullmatch(url), url
