"""`content/themes.yaml`: the shipped file, and exact messages for mistakes curators make."""

from __future__ import annotations

from pathlib import Path

import pytest

from papershelf.taxonomy import load_taxonomy

GOOD = """\
min_theme_score: 3
themes:
  - id: speech
    title: Speech
    description: Speech in many languages.
    outranks: [adaptation]
    rules:
      - {pattern: '\\bspeech\\b', weight: 3}
  - id: adaptation
    title: Adaptation
    description: New languages for old models.
    rules: ['adapt']
tags:
  - id: asr
    title: Speech recognition
    rules: ['\\basr\\b']
"""


def problems_for(tmp_path: Path, monkeypatch, text: str) -> list[str]:
    monkeypatch.chdir(tmp_path)
    Path("themes.yaml").write_text(text, encoding="utf-8")
    taxonomy, problems = load_taxonomy(Path("themes.yaml"))
    assert (taxonomy is None) == bool(problems)
    return [p.format_text() for p in sorted(problems, key=lambda p: p.sort_key())]


def test_the_good_example_loads(tmp_path, monkeypatch):
    assert problems_for(tmp_path, monkeypatch, GOOD) == []
    taxonomy, _ = load_taxonomy(Path("themes.yaml"))
    assert [t.id for t in taxonomy.themes] == ["speech", "adaptation"]
    assert taxonomy.themes[0].outranks == ("adaptation",)
    assert taxonomy.themes[0].rules[0].pattern == r"\bspeech\b"
    assert taxonomy.themes[1].rules[0].fields == ("title", "abstract")
    assert (taxonomy.min_theme_score, taxonomy.title_weight, taxonomy.min_margin) == (3, 2, 2)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "{pattern: '\\bspeech\\b', weight: 3}",
            "{pattern: '\\bspeech\\b', wieght: 3}",
            ["themes.yaml:8:33: error: unknown key 'wieght'\n  hint: did you mean 'weight'?"],
            id="unknown rule key",
        ),
        pytest.param(
            "min_theme_score: 3\n",
            "min_theme_score: 3\nmin_theme_scroe: 4\n",
            [
                "themes.yaml:2:1: error: unknown key 'min_theme_scroe'\n"
                "  hint: did you mean 'min_theme_score'?"
            ],
            id="unknown top-level key",
        ),
        pytest.param(
            "    outranks: [adaptation]\n",
            "    outrank: [adaptation]\n",
            ["themes.yaml:6:5: error: unknown key 'outrank'\n  hint: did you mean 'outranks'?"],
            id="unknown theme key",
        ),
        pytest.param(
            "'\\bspeech\\b'",
            "'(speech'",
            [
                "themes.yaml:8:10: error: invalid regular expression '(speech': "
                "missing ), unterminated subpattern at position 0"
            ],
            id="bad regex",
        ),
        pytest.param(
            "rules: ['adapt']",
            "rules: ['adapt|']",
            [
                "themes.yaml:12:13: error: pattern 'adapt|' matches empty text, so it would "
                "match every paper\n"
                "  hint: check for an empty alternative such as 'a|' or a '*' that should be '+'"
            ],
            id="regex matching everything",
        ),
        pytest.param(
            "    title: Speech recognition\n",
            "    title: Speech recognition\n  - id: asr\n    title: ASR again\n",
            [
                "themes.yaml:16:5: error: 'asr' is declared twice in 'tags'\n"
                "  hint: the first declaration is on line 14"
            ],
            id="duplicate id",
        ),
        pytest.param(
            "outranks: [adaptation]",
            "outranks: [adaptaton]",
            [
                "themes.yaml:6:16: error: theme 'speech' outranks unknown theme 'adaptaton'\n"
                "  hint: did you mean 'adaptation'?"
            ],
            id="outranks unknown theme",
        ),
        pytest.param(
            "    rules: ['adapt']\n",
            "    outranks: [speech]\n    rules: ['adapt']\n",
            [
                "themes.yaml:6:5: error: themes outrank each other in a circle: "
                "speech -> adaptation -> speech\n"
                "  hint: remove one of the 'outranks' entries"
            ],
            id="outranking circle",
        ),
        pytest.param(
            "weight: 3}",
            "weight: zero}",
            ["themes.yaml:8:33: error: 'weight' must be a number other than 0, got 'zero'"],
            id="bad weight",
        ),
        pytest.param(
            "min_theme_score: 3\n",
            "min_theme_score: 3\nmin_margin: -1\n",
            ["themes.yaml:2:1: error: 'min_margin' must be a number, 0 or more, got -1"],
            id="bad setting",
        ),
        pytest.param(
            "rules: ['\\basr\\b']",
            "rules: [{pattern: '\\basr\\b', fields: [body]}]",
            [
                "themes.yaml:16:34: error: rule fields must be among title, abstract, links, "
                "got 'body'"
            ],
            id="bad field",
        ),
    ],
)
def test_mistakes_are_reported_where_they_are(tmp_path, monkeypatch, old, new, expected):
    assert GOOD.count(old) == 1
    assert problems_for(tmp_path, monkeypatch, GOOD.replace(old, new)) == expected


def test_every_mistake_is_reported_not_just_the_first(tmp_path, monkeypatch):
    text = GOOD.replace("weight: 3}", "wieght: 3}").replace("[adaptation]", "[adaptaton]")
    assert len(problems_for(tmp_path, monkeypatch, text)) == 2


def test_the_shipped_taxonomy_is_complete_and_documented(shipped_taxonomy, repo_root):
    assert [t.id for t in shipped_taxonomy.themes] == [
        "speech",
        "vision-language",
        "pretraining-data",
        "adaptation",
    ]
    by_id = {t.id: t for t in shipped_taxonomy.themes}
    assert (
        set(by_id["speech"].outranks)
        == set(by_id["vision-language"].outranks)
        == {
            "adaptation",
            "pretraining-data",
        }
    )
    assert 15 <= len(shipped_taxonomy.tags) <= 25
    for entry in (*shipped_taxonomy.themes, *shipped_taxonomy.tags):
        assert entry.title and entry.description and entry.rules, entry.id
    assert "code-available" in {t.id for t in shipped_taxonomy.tags}
    # The scoring is explained to curators where they edit the rules.
    header = (repo_root / "content" / "themes.yaml").read_text(encoding="utf-8").split("\nmin_")[0]
    for word in ("title_weight", "min_theme_score", "min_margin", "outranks", "min_tag_score"):
        assert word in header
