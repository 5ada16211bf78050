"""The benchmark's synthetic list is one a curator could have: `check` passes on it."""

from __future__ import annotations

import datetime as dt

from papershelf.check import duplicate_problems
from papershelf.model import Paper
from tests.benchmarks.synthetic import TITLE_COMBINATIONS, synthetic_title

# The largest list the benchmark makes: 50,000 papers and a daily import of 30.
LARGEST = 50_030


def test_no_two_titles_of_the_largest_list_are_likely_duplicates() -> None:
    assert LARGEST <= TITLE_COMBINATIONS
    papers = [
        Paper(
            slug=f"p{index}",
            title=synthetic_title(index),
            abstract="-",
            published=dt.date(2024, 1, 1),
            path=f"p{index}.yaml",
        )
        for index in range(LARGEST)
    ]
    assert duplicate_problems(papers) == []
