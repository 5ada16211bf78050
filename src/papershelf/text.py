"""Text helpers shared by import and build: LaTeX to plain text, slugs, titles, links."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from papershelf.model import Link

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

# pylatexenc and slugify are imported where first used: most texts need neither, and a build
# that finds nothing changed should not wait for them to load.

SLUG_MAX_LENGTH = 60

# Characters that are special to LaTeX but plain text in arXiv metadata ("3.6%", "R&D", "~200"):
# escape the unescaped ones so the converter keeps them instead of reading a comment or a tab stop.
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&#])")
_BARE_TILDE = re.compile(r"(?<!\\)~")
_URL = re.compile(r"""https?://[^\s<>"'{}\\^`|]+""", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\"*"


@functools.cache
def _latex_converter() -> LatexNodes2Text:
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db().filter_context(keep_categories=None)
    context.add_context_category(
        "papershelf-urls",
        prepend=True,
        macros=[MacroTextSpec("url", "%s"), MacroTextSpec("href", "%(2)s")],
    )
    return LatexNodes2Text(latex_context=context, math_mode="text", strict_latex_spaces=True)


def may_hold_latex(text: str) -> bool:
    """Tell whether `text` may hold LaTeX markup (else `latex_to_plain` returns it as it is)."""
    return "\\" in text or "{" in text or "$" in text or "--" in text


def load_latex_converter() -> None:
    """Load the LaTeX converter now, before processes fork that would each load their own
    (2.5 MB, a process's memory apart from the pages it shares)."""
    _latex_converter()
    _walker_context()


def latex_to_plain(text: str) -> str:
    """Return `text` with LaTeX markup turned into the Unicode it stands for."""
    if not may_hold_latex(text):
        return text
    try:
        plain = "".join(
            _convert(piece) if is_latex else piece for is_latex, piece in _latex_pieces(text)
        )
    except Exception:
        return text
    if "  " in plain or "\t" in plain:  # else every run of blanks is one space already
        plain = re.sub(r"[ \t]+", " ", plain)
    return plain.strip()


# Pieces repeat from paper to paper (`$\times$`, `18\%`, `\emph{...}`): at 10,000 papers, 3,700
# pieces were 1,100 different ones, and the converter takes 70 us a piece.
@functools.lru_cache(maxsize=4096)
def _convert(latex: str) -> str:
    if _SIMPLE_MARKUP.fullmatch(latex) and "''" not in latex:
        # The commonest markup by far (`most--all`, `3.6\\%`): the converter would only join the
        # dashes and drop the backslashes.
        plain = latex.replace("\\%", "%").replace("\\&", "&").replace("\\#", "#")
        return _joined_dashes(plain)
    plain = _simple_latex(latex)
    return plain if plain is not None else _converted(latex)


def _converted(latex: str) -> str:
    """Return what pylatexenc's converter makes of `latex` (bare `%&#~` are text)."""
    escaped = _BARE_TILDE.sub(r"\\textasciitilde{}", _BARE_SPECIAL.sub(r"\\\1", latex))
    # As `latex_to_text` does, except that the parser's (default) macro table is built once
    # instead of for every call, which took most of a short text's time.
    from pylatexenc.latexwalker import LatexWalker

    nodes = LatexWalker(escaped, latex_context=_walker_context()).get_latex_nodes()[0]
    return _latex_converter().nodelist_to_text(nodes)


def _joined_dashes(text: str) -> str:
    return text.replace("---", "—").replace("--", "–")


# The next commonest shapes (`9$\times$`, `$k=267$`, `\textsc{Ofa},`, `{En-De}`), read here as
# the converter reads them: plain words and operators, escaped `%&#`, a font command or a group
# around plain words, and inline math of plain words and symbols (a macro without arguments,
# which swallows the spaces after it). Anything else goes to the converter; the tests compare
# both on every shape this takes.
_PLAIN = r"(?:[^\W_]|[ .,;:()/+=<>*@|!?%&#-])+"
_SIMPLE_LATEX = re.compile(
    rf"(?P<plain>{_PLAIN})"
    r"|\\(?P<escaped>[%&#])"
    rf"|\\(?:textsc|emph|textbf|textit)\{{(?P<styled>{_PLAIN})\}}"
    rf"|\{{(?P<grouped>{_PLAIN})\}}"
    rf"|\$(?P<math>(?:{_PLAIN}|\\[%&#]|\\[^\W\d_]+ *)+)\$"
)
# A macro's name is every letter after the backslash, in any script (the converter's reading).
_MATH_PART = re.compile(r"\\(?P<escaped>[%&#])|\\(?P<symbol>[^\W\d_]+) *|(?P<plain>[^\\]+)")


def _simple_latex(latex: str) -> str | None:
    """Return what the converter makes of `latex` if it is one of the shapes above, else None."""
    out: list[str] = []
    at = 0
    while at < len(latex):
        token = _SIMPLE_LATEX.match(latex, at)
        if token is None:
            return None
        at = token.end()
        kind = token.lastgroup
        if kind == "escaped":
            out.append(token[kind])
        elif kind != "math":
            out.append(_joined_dashes(token[kind]))
        elif token[kind] != token[kind].strip(" ") or "  " in token[kind]:
            return None  # the converter drops blanks at either end of math, and may join others
        else:
            for part in _MATH_PART.finditer(token[kind]):
                if part.lastgroup != "symbol":
                    out.append(
                        part[part.lastgroup]
                        if part.lastgroup == "escaped"
                        else _joined_dashes(part["plain"])
                    )
                    continue
                symbol = _math_symbol(part["symbol"])
                if symbol is None:
                    return None
                out.append(symbol)
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _math_symbol(macro: str) -> str | None:
    """Return the text the converter makes of `macro` alone in math (`\\times`: ×), if it takes
    no arguments and stands for some text; else None."""
    if _takes_arguments(macro):
        return None
    try:
        symbol = _converted(f"$\\{macro}$")
    except Exception:  # then the converter reads the whole piece (see latex_to_plain)
        return None
    return symbol if symbol and symbol == symbol.strip() and "\\" not in symbol else None


@functools.cache
def _walker_context() -> Any:
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


# The converter takes ~30 ms for a whole abstract, nearly all of it spent on plain words that
# come out unchanged. So only the runs of words that hold markup are converted. A word is markup
# if it holds a character the converter treats specially or a ligature (`--`, `''`, `?``); a run
# goes on while a group, math or an environment is open, after a word ending in a macro (which
# may take the next word as its argument, or swallow the space after it), and into a word
# starting with a bracket (an argument). Between runs the converter's state is what it is at the
# start of a text, so converting runs alone gives what converting the whole text gives. Where
# that is unsure (math delimiters inside math, a comment) the run goes on, up to the whole text.
_SIMPLE_MARKUP = re.compile(r"(?:[\w.,;:()/+=<>*@\"|^' -]|\\[%&#])+")
# Each alternative starts with a literal character, so that the regex engine skips to the next
# of those characters at C speed: as `[\\{}$]|...`, a search took 25 us an abstract, 5 so.
_MARKUP = re.compile(r"\\|\{|\}|\$|--|''|``|!`|\?`")
_WORD_END = re.compile(r"\S*")
_NEXT_WORD = re.compile(r"\s+(\S+)")
_ENDS_WITH_MACRO = re.compile(r"\\(?:[^\W\d_]+\*?|.)?$", re.DOTALL)
_LATEX_TOKEN = re.compile(
    r"\\(?P<env>begin|end)(?![^\W\d_])(?:\{(?P<name>[^{}]*)\})?"
    r"|(?P<math>\\[][()]|\$\$?)"
    r"|\\(?P<macro>[^\W\d_]+|.)\*?"
    r"|[][{}%]",
    re.DOTALL,
)
_MATH_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}
_UNSURE = "?"  # a state whose end is unsure: the run goes on to the end of the text


@functools.cache
def _takes_arguments(macro: str | None) -> bool:
    """Tell whether the converter's parser reads arguments after `\\macro`."""
    if macro is None:
        return False
    spec = _walker_context().get_macro_spec(macro)
    return spec is not None and bool(getattr(spec.args_parser, "argspec", "x"))


def _latex_pieces(text: str) -> list[tuple[bool, str]]:
    """Split `text` into plain runs and runs that need converting, in order."""
    pieces: list[tuple[bool, str]] = []
    done = 0  # where the text not yet in a piece starts
    while found := _MARKUP.search(text, done):
        start = found.start()
        while start > done and not text[start - 1].isspace():
            start -= 1
        if start > done:
            pieces.append((False, text[done:start]))
        end = _WORD_END.match(text, found.start()).end()
        word = text[start:end]
        depth = 0
        environments: list[str] = []
        math_closer = ""
        brackets = 0  # open optional arguments: `\\[2pt]`, `\cite[p. 3]{x}`
        argument_at = -1  # where a macro's argument may start, in this word
        while True:
            for token in _LATEX_TOKEN.finditer(word):
                lexeme = token[0]
                if token["math"] and token.start() == argument_at:
                    # A macro taking `$` as its argument leaves math out of step with `$`s.
                    math_closer = _UNSURE
                elif token["env"] == "begin":
                    environments.append(token["name"] or _UNSURE)
                elif token["env"] == "end":
                    if environments and environments[-1] == token["name"]:
                        environments.pop()
                    else:
                        environments.append(_UNSURE)
                elif lexeme == "{":
                    depth += 1
                elif lexeme == "}":
                    depth = max(depth - 1, 0)
                elif lexeme == "[" and token.start() == argument_at:
                    brackets += 1
                elif lexeme == "]" and brackets:
                    brackets -= 1
                elif lexeme == "%":
                    if token.start() and word[token.start() - 1] == "\\":
                        # `\\%` is a line break, then a comment running to the end of the line.
                        return [(True, text)]
                elif token["math"] and not math_closer:
                    math_closer = _MATH_CLOSERS.get(lexeme, _UNSURE)
                elif token["math"] and lexeme == math_closer:
                    math_closer = ""
                elif token["math"]:
                    math_closer = _UNSURE
                argument_at = token.end() if _takes_arguments(token["macro"]) else -1
            following = _NEXT_WORD.match(text, end)
            if following is None:  # only whitespace is left, which a macro may still swallow
                end = len(text)
                break
            open_ = depth > 0 or math_closer or environments or brackets
            if open_ or _ENDS_WITH_MACRO.search(word) or following[1][0] in "{[":
                argument_at = 0 if argument_at == len(word) else -1
                word = following[1]
                end = following.end()
                continue
            break
        pieces.append((True, text[start:end]))
        done = end
    if done < len(text):
        pieces.append((False, text[done:]))
    return pieces


def normalize_title(title: str) -> str:
    """Return a title's duplicate-spotting form: no LaTeX, case, accents or punctuation."""
    plain = unicodedata.normalize("NFKD", latex_to_plain(title)).casefold()
    if not plain.isascii():  # ASCII has no combining marks to drop
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


# Words an abstract needs for two papers with the same one to be the same paper: a short or
# placeholder abstract ("TBD", "Abstract not available.") is no evidence.
IDENTIFYING_ABSTRACT_WORDS = 20


# Its first words only: splitting every abstract of a 10,000-paper import took 90 ms.
_IDENTIFYING_ABSTRACT = re.compile(rf"\s*(?:\S+\s+){{{IDENTIFYING_ABSTRACT_WORDS - 1}}}\S")


def identifies_paper(abstract: str | None) -> bool:
    """Tell whether an abstract is long enough that another paper with it is the same paper."""
    return abstract is not None and _IDENTIFYING_ABSTRACT.match(abstract) is not None


def make_slug(title: str) -> str:
    """Return a lowercase ASCII slug for a title, cut at a word boundary to stay URL-friendly."""
    from slugify import slugify

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
