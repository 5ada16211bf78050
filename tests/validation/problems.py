"""Report every problem a check found at once, instead of stopping at the first."""

from __future__ import annotations

from collections.abc import Sequence

import pytest


def assert_no_problems(problems: Sequence[str], what: str) -> None:
    if problems:
        listing = "\n".join(f"  {p}" for p in problems)
        pytest.fail(f"{len(problems)} {what}:\n{listing}", pytrace=False)
