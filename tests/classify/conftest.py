"""Fixtures for the classifier tests: the shipped taxonomy and the hand-labelled papers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from papershelf.classify import Classification, classify
from papershelf.model import Rule, Taxonomy, Theme
from papershelf.taxonomy import load_taxonomy
from papershelf.text import extract_links
from tests.conftest import REPO_ROOT

LABELLED = Path(__file__).parent / "fixtures" / "labelled.yaml"
SEED = REPO_ROOT / "content" / "sources" / "hf-daily-papers-multilingual.txt"


@dataclass(frozen=True)
class LabelledPaper:
    """A paper and the theme a curator gave it (None: no theme fits)."""

    title: str
    abstract: str
    theme: str | None
    clear: bool
    source: str
    heldout: bool = False
    note: str = ""

    def classify(self, taxonomy: Taxonomy) -> Classification:
        """Classify the paper as import does: links come from the abstract's URLs."""
        return classify(
            taxonomy, title=self.title, abstract=self.abstract, links=extract_links(self.abstract)
        )


def load_labelled() -> tuple[LabelledPaper, ...]:
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    return tuple(LabelledPaper(**entry) for entry in data["papers"])


@pytest.fixture(scope="session")
def shipped_taxonomy() -> Taxonomy:
    taxonomy, problems = load_taxonomy(REPO_ROOT / "content" / "themes.yaml")
    assert problems == [], [p.format_text() for p in problems]
    assert taxonomy is not None
    return taxonomy


@pytest.fixture(scope="session")
def labelled() -> tuple[LabelledPaper, ...]:
    return load_labelled()


@pytest.fixture(scope="session")
def by_title(labelled) -> dict[str, LabelledPaper]:
    return {paper.title: paper for paper in labelled}


def paper_starting(labelled, prefix: str) -> LabelledPaper:
    (paper,) = [p for p in labelled if p.title.startswith(prefix)]
    return paper


def two_themes(**settings) -> Taxonomy:
    """A small taxonomy: `a` scores 3 per match of 'alpha', `b` 3 per match of 'beta'."""
    return Taxonomy(
        themes=(
            Theme("a", "A", "", rules=(Rule(r"\balpha\b", 3.0),)),
            Theme("b", "B", "", rules=(Rule(r"\bbeta\b", 3.0),)),
        ),
        tags=(),
        **{"min_theme_score": 3.0, "min_margin": 2.0, "title_weight": 2.0, **settings},
    )
