"""The fast reader of paper files reads what PyYAML reads, or declines.

Whenever `parse_block_yaml` returns a document, PyYAML (load.py) must read the same text to the
same values, of the same types, with the same key lines and no problem; the fast reader must
decline everything PyYAML refuses or reports.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.canonical import dump_document
from papershelf.fastyaml import parse_block_yaml
from papershelf.load import parse_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
# Characters that matter to YAML, text, and some that only look like whitespace or breaks.
TRICKY = [*list(":#'\"-?[]{},&*!|>%@`\\ \t\n"), "\xa0", "\x85", "\u2028", "\ufeff", "é", "ß"]


def slow(text: str):
    doc, problems = parse_yaml(text, "x.yaml")
    return doc, problems


def assert_agrees(text: str) -> bool:
    """Check the fast reader against PyYAML on `text`; return whether the fast one read it."""
    fast = parse_block_yaml(text)
    doc, problems = slow(text)
    if fast is None:
        return False
    data, key_lines = fast
    assert doc is not None, f"PyYAML refuses what the fast reader read:\n{text}"
    assert not problems, f"PyYAML reports {problems} for:\n{text}"
    assert data == doc.data, text
    assert _types(data) == _types(doc.data), text
    assert key_lines == {key: doc.positions[(key,)][0] for key in doc.data}, text
    return True


def _types(value):
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value)


def yaml_files() -> list[Path]:
    found = sorted((REPO_ROOT / "content").rglob("*.yaml"))
    found += sorted((REPO_ROOT / "tests").glob("*/fixtures/**/*.yaml"))
    return found


def test_the_repository_files_read_the_same() -> None:
    read = [path for path in yaml_files() if assert_agrees(path.read_text(encoding="utf-8"))]
    papers = sorted((REPO_ROOT / "content" / "papers").glob("*.yaml"))
    # The shipped papers are canonical, so all of them take the fast path.
    assert set(papers) <= set(read)


def test_what_the_fast_reader_declines() -> None:
    canonical = "title: A title\npublished: 2024-01-02\nabstract: >-\n  Some\n  text\n"
    assert assert_agrees(canonical)
    for text in (
        canonical.replace("title: A title", "title: A title # comment"),
        canonical.replace("  text", "\ttext"),
        canonical + "title: again\n",  # a duplicate key: PyYAML reports it
        canonical.replace("A title", '"A title"'),
        canonical.replace("A title", "&anchor A title"),
        canonical.replace("  text", "    text"),  # more indented: folds differently
        canonical.replace("  Some\n", "  Some \n"),
        canonical.replace("title: A title\n", "title: A\n  title\n"),  # a multi-line plain scalar
        canonical.rstrip("\n"),
        "- a list\n",
        "",
    ):
        assert parse_block_yaml(text) is None, text


def test_values_resolve_as_pyyaml_resolves_them() -> None:
    text = (
        "a: yes\nb: 'yes'\nc: 012\nd: 1_000\ne: 0x1f\nf: 1:30\ng: .inf\nh: ~\ni: null\n"
        "j: 2024-13-01\nk: 2024-02-29\nl: 2023-02-29\nm: 2024-01-02 10:00:00\nn: -3\n"
        "o: [a, 'b c', 3, no]\np: []\nq:\nr: 'it''s'\ns: a:b\nt: http://x.org/#y\n"
        "u: 576792b402c5\nv: e5f0\nw: 1e5\nx: Off\ny: 1.5e+3\nz: [c0ffee, 0o17, On]\n"
    )
    assert assert_agrees(text)
    data, _ = parse_block_yaml(text)
    assert data["a"] is True and data["b"] == "yes" and data["f"] == 90 and data["q"] is None
    assert data["j"] == "2024-13-01" and data["k"] == dt.date(2024, 2, 29)
    assert data["u"] == "576792b402c5" and data["v"] == "e5f0" and data["x"] is False


# Mostly prose with YAML's special characters in it, sometimes any character at all.
_text = st.one_of(
    st.text(alphabet=st.sampled_from([*"abcdefgh  ABC 0123.,;()", *TRICKY]), max_size=120),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
)
_word = st.text(alphabet=st.sampled_from(list("abcxyz-_:'#[] ")), min_size=1, max_size=12)


@st.composite
def paper_documents(draw) -> dict:
    document = {
        "title": draw(_text.filter(str.strip)),
        "published": draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))),
        "theme": draw(st.one_of(st.none(), _word)),
        "tags": draw(st.lists(_word, max_size=4)),
        "authors": {
            "count": draw(st.integers(0, 99)),
            "names": draw(st.lists(_text.filter(str.strip), max_size=3)),
        },
        "links": [
            {"url": f"https://x.org/{draw(_word)}", "kind": draw(_word)}
            for _ in range(draw(st.integers(0, 2)))
        ],
        "abstract": draw(st.one_of(_text, st.text(min_size=90, max_size=400))),
        "notes": draw(st.one_of(st.none(), _text)),
        "provenance": {"source": draw(_word), "imported": {"title": draw(_word)}},
    }
    return {key: value for key, value in document.items() if value not in (None, [], "")}


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(paper_documents())
def test_canonical_dumps_read_the_same(document: dict) -> None:
    assert_agrees(dump_document(document))


@pytest.mark.parametrize("seed", range(4))
def test_mutated_files_read_the_same_or_are_declined(seed: int) -> None:
    rng = random.Random(seed)
    texts = [path.read_text(encoding="utf-8") for path in yaml_files()[:40]]
    read = 0
    for _ in range(600):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            action = rng.random()
            if action < 0.4:
                text = text[:at] + rng.choice(TRICKY) + text[at:]
            elif action < 0.7:
                text = text[:at] + text[at + 1 :]
            else:
                start = text.rfind("\n", 0, at) + 1
                text = text[:start] + rng.choice(["", " ", "  ", "- "]) + text[start:]
        read += assert_agrees(text)
    assert read > 50  # mutations that keep the file canonical are still read fast
