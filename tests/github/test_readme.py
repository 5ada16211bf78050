"""Every papershelf command is documented in the README with an example that really parses."""

from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from tests.github.docs import (
    PROGRAM,
    cli_commands,
    cli_error,
    code_blocks,
    headings,
    invocations,
    is_synopsis,
    paragraphs,
)

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli_commands())


def _readme_calls() -> list[list[str]]:
    return [call for block in code_blocks(README) for call in invocations(block.text)]


def test_the_cli_has_the_documented_commands() -> None:
    # Discovered from the parser; this only guards against discovering nothing.
    assert len(COMMANDS) >= 8, COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_a_readme_section(command: str) -> None:
    title = f"{PROGRAM} {command}"
    lines = {line.strip().strip("`") for text in paragraphs(README) for line in text.splitlines()}
    assert title in headings(README) or title in lines, f"README has no '{title}' heading"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_a_readme_example(command: str) -> None:
    examples = [c for c in _readme_calls() if c[:1] == [command] and not is_synopsis(c)]
    assert examples, f"README has no example `{PROGRAM} {command} ...` in a code block"


def test_readme_examples_are_accepted_by_the_cli() -> None:
    examples = [call for call in _readme_calls() if not is_synopsis(call)]
    problems = {" ".join(call): cli_error(call) for call in examples}
    assert {call: error for call, error in problems.items() if error} == {}
