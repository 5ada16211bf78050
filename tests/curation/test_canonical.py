"""The fast paths of the canonical form give what PyYAML and libyaml give, byte for byte.

`_emit` writes what libyaml writes for the documents paper files hold (and declines the rest);
`dump_document` skips reading a dump back when the document's values provably read back; and
`fingerprint` encodes values as json.dumps does. Each is compared with the plain way on
generated documents full of what matters to YAML: indicators, quotes, spaces, long lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf import canonical
from papershelf.canonical import (
    PAPER_KEYS,
    dump_document,
    dump_paper,
    fingerprint,
    paper_document,
)
from papershelf.content import load_paper
from tests.curation.test_fmt import papers

# Characters that matter to YAML or to libyaml's choice of style, and some that it escapes.
_TRICKY = [*":#'\"-?[]{},&*!|>%@`\\ .=~<+_/", "é", "ß", "中"]
_ESCAPED = ["\xa0", "\t", "\n", "\x85", "\u2028", "\ufeff", "😀"]
_WORDS = st.one_of(
    st.sampled_from(
        ["yes", "No", "null", "~", "true", "1.5", "0b101", "017", "089", "1e5", "2024-01-02"]
    ),
    st.sampled_from(["---", "...", "- a", "? x", ": y", "#c", "a: b", "a #b", "a#b", "'", "-"]),
    st.text("abcdefghijklmnop", min_size=1, max_size=12),
    st.text(st.sampled_from([*_TRICKY, "a", "b", "c"]), min_size=1, max_size=6),
)
_RARE_WORDS = st.text(st.sampled_from([*_ESCAPED, "a"]), min_size=1, max_size=3)
_TEXT = st.builds(
    lambda words, sep, lead, trail: lead + sep.join(words) + trail,
    st.lists(_WORDS, min_size=1, max_size=40) | st.lists(_WORDS | _RARE_WORDS, max_size=8),
    st.sampled_from([" ", " ", "  "]),
    st.sampled_from(["", "", "", " "]),
    st.sampled_from(["", "", "", " "]),
)
_SCALARS = st.one_of(
    _TEXT,
    _TEXT,
    _TEXT,
    st.integers(-(10**6), 10**12),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from([None, True, 1.5, ""]),
)
# Mostly identifiers (paper files have no other keys), and one that libyaml quotes.
_KEYS = st.one_of(
    st.sampled_from([*PAPER_KEYS, "url", "kind", "names", "count", "a_b", "yes"]),
    st.from_regex(r"\A[a-z_][a-z0-9_]{0,8}\Z"),
)


def _values(children):
    return st.one_of(
        st.lists(children, min_size=1, max_size=4),
        st.dictionaries(_KEYS, children, min_size=1, max_size=4),
    )


_VALUES = st.recursive(_SCALARS, _values, max_leaves=12)
_STYLED = st.one_of(
    _VALUES,
    _TEXT.map(canonical._Folded),
    st.lists(st.one_of(_WORDS, st.integers(0, 99)), min_size=1, max_size=4).map(
        canonical._FlowList
    ),
)
_DOCUMENTS = st.dictionaries(_KEYS, _STYLED, min_size=1, max_size=8)


def _plain(value):
    """Return a styled value as the plain value it stands for."""
    if isinstance(value, canonical._FlowList):
        return list(value)
    if isinstance(value, str):
        return str(value)
    return value


def _reference_dump_document(document: dict) -> str:
    """The canonical form the slow way: PyYAML's representer, and every dump read back."""
    styled = {key: canonical._styled(key, value) for key, value in document.items()}
    text = canonical._dump_with_representer(styled)
    if canonical._read_back(text) != document:
        text = canonical._dump_with_representer(document)
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_emit_writes_what_libyaml_writes_or_declines(document):
    text = canonical._emit(document)
    if text is not None:
        assert text == canonical._dump_with_representer(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_dump_document_gives_what_the_slow_way_gives(document):
    document = {key: _plain(value) for key, value in document.items()}
    try:
        expected = _reference_dump_document(document)
    except (yaml.YAMLError, ValueError):
        return  # not a document PyYAML reads back at all
    assert dump_document(document) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers())
def test_generated_papers_dump_as_the_slow_way_dumps_them(paper):
    document = paper_document(paper)
    assert dump_document(document) == _reference_dump_document(document)
    styled = {key: canonical._styled(key, value) for key, value in document.items()}
    text = canonical._emit(styled)
    if text is not None:
        assert text == canonical._dump_with_representer(styled)


def test_emit_writes_the_shipped_papers(repo_root: Path):
    files = sorted((repo_root / "content" / "papers").glob("*.yaml"))
    emitted = 0
    for path in files:
        paper, problems = load_paper(path)
        assert paper is not None, problems
        document = paper_document(paper)
        styled = {key: canonical._styled(key, value) for key, value in document.items()}
        text = canonical._emit(styled)
        if text is not None:
            emitted += 1
            assert text == canonical._dump_with_representer(styled) == dump_paper(paper)
        else:  # a literal block (notes), left to libyaml
            assert any(type(value) is canonical._Literal for value in styled.values())
    assert emitted >= len(files) - 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("speech", "title: speech\n"),
        ("2401.12345", "title: '2401.12345'\n"),
        ("Kakalo: Scaling TTS", "title: 'Kakalo: Scaling TTS'\n"),
        ("it's", "title: it's\n"),
        ("'quoted'", "title: '''quoted'''\n"),
        ("a #b", "title: 'a #b'\n"),
        ("a#b", "title: a#b\n"),
        ("- item", "title: '- item'\n"),
        ("-item", "title: -item\n"),
        ("yes", "title: 'yes'\n"),
        (" lead", "title: ' lead'\n"),
        ("word " * 20 + "end", "title: " + "word " * 16 + "word\n  " + "word " * 3 + "end\n"),
    ],
)
def test_emit_chooses_libyamls_style(value, expected):
    assert canonical._emit({"title": value}) == expected
    assert canonical._dump_with_representer({"title": value}) == expected


@pytest.mark.parametrize(
    "value",
    ["", None, True, 1.5, "tab\there", "line\nbreak", "emoji 😀", "nbsp\xa0", []],
)
def test_emit_leaves_what_it_does_not_know_to_libyaml(value):
    assert canonical._emit({"title": value}) is None


@given(
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(), st.dates()),
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(st.text(), children, max_size=3)
        ),
        max_leaves=8,
    )
)
def test_fingerprint_hashes_what_json_dumps_gives(value):
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=canonical._json_default)
    try:
        expected = hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:12]
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            fingerprint(value)
        return
    assert fingerprint(value) == expected
