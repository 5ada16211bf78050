"""LaTeX in titles and abstracts becomes the Unicode it stands for, on every page and feed.

Most markup is converted without pylatexenc (text.py reads the commonest shapes itself, and
only the runs of words that hold markup are converted): these tests hold both shortcuts to
what pylatexenc's converter makes of the same text.
"""

from __future__ import annotations

import random
import re

import pytest

from papershelf.text import _converted, _simple_latex, latex_to_plain

# What readers see of markup common in arXiv abstracts.
SHOWN = [
    (r"Our model is 9$\times$ faster", "Our model is 9× faster"),
    (r"We set $k=267$ in all runs", "We set k=267 in all runs"),
    (r"$3 \times 3$ kernels", "3 ×3 kernels"),
    (r"Our best model, \textsc{Babakalo}, wins", "Our best model, Babakalo, wins"),
    (
        r"scores {Ru-En (45.1) and Ja-En (25.6)}, in all",
        "scores Ru-En (45.1) and Ja-En (25.6), in all",
    ),
    (r"accuracy rises by 18\% on average", "accuracy rises by 18% on average"),
    (r"from 10\%--20\% of the data", "from 10%–20% of the data"),
    (r"an error $\leq$5\% and $\approx$3 points", "an error ≤5% and ≈3 points"),
    (r"\emph{very} large $n$-gram models", "very large n-gram models"),
    (r"$\alpha$ and $\Delta$ are tuned", "α and Δ are tuned"),
    (r"a $\max$日本 macro", "a max日本 macro"),
    (r"math $x^2$ stays", "math x^2 stays"),
]


@pytest.mark.parametrize(("latex", "plain"), SHOWN)
def test_markup_becomes_unicode(latex: str, plain: str) -> None:
    assert latex_to_plain(latex) == plain


_WORDS = [
    *("k", "n", "A", "Ofa", "3", "267", "1.5", "En-De", "a--b", "a---b", "----", "-", "(45.1)"),
    *("é", "Zürich", "日本", "%", "&", "#", "3.6%", "R&D", "=", "<", ">", "+", "|", "/", ",", "!"),
]
_MACROS = [
    *(r"\times", r"\sim", r"\alpha", r"\leq", r"\to", r"\pm", r"\cdot", r"\ldots", r"\infty"),
    *(r"\mathrm", r"\left", r"\big", r"\foo", r"\%", r"\&", r"\log", r"\prime", r"\quad", r"\,"),
]


def _piece(rng: random.Random) -> str:
    """A run of markup of the kinds the shortcut reads, and of kinds close to them it must not."""

    def word() -> str:
        return rng.choice(_WORDS)

    def blank() -> str:
        return rng.choice(["", " ", "  "])

    def token() -> str:
        kind = rng.random()
        if kind < 0.3:
            return word()
        if kind < 0.5:
            inside = [rng.choice([word(), rng.choice(_MACROS), rng.choice(_MACROS) + " ", " "])]
            inside += [
                rng.choice([word(), rng.choice(_MACROS), " "]) for _ in range(rng.randint(0, 3))
            ]
            return "$" + "".join(inside) + "$"
        if kind < 0.65:
            command = rng.choice(["textsc", "emph", "textbf", "textit", "texttt", "textrm"])
            return f"\\{command}{{{blank()}{word()}{blank()}{word()}{blank()}}}"
        if kind < 0.8:
            return "{" + blank() + word() + blank() + "}"
        return rng.choice([r"\%", r"\&", r"\#", " ", "-", "--", "''"])

    return "".join(token() for _ in range(rng.randint(1, 4)))


def test_shortcut_reads_markup_as_pylatexenc_does() -> None:
    rng = random.Random(5)
    pieces = sorted({_piece(rng) for _ in range(4000)})
    read = [(piece, _simple_latex(piece)) for piece in pieces]
    shortcut = [(piece, plain) for piece, plain in read if plain is not None]
    # It must read most of them (else the build pays pylatexenc's 70 us for each), and decline
    # the rest: math with blanks at an end, macros with arguments, unknown macros, quotes.
    assert len(shortcut) > len(pieces) // 3
    assert len(shortcut) < len(pieces)
    differing = [(piece, plain, _converted(piece)) for piece, plain in shortcut]
    assert [found for found in differing if found[1] != found[2]] == []


def test_converting_runs_alone_gives_what_converting_the_whole_text_gives() -> None:
    rng = random.Random(11)
    sentences = ["Multilingual models transfer well.", "Results hold across 12 languages."]
    for _ in range(25):
        parts = [rng.choice(sentences) for _ in range(3)] + [_piece(rng) for _ in range(3)]
        rng.shuffle(parts)
        text = " ".join(parts)
        whole = re.sub(r"[ \t]+", " ", _converted(text)).strip()
        assert latex_to_plain(text) == whole, text
