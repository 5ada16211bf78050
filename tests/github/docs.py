"""Read the repository's Markdown, workflows and CLI the way the tests in this area need them."""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from papershelf import cli

PROGRAM = "papershelf"
# `${{ ... }}` is replaced by the runner before the shell reads a script.
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")
_PROMPT = "$ "


@dataclass(frozen=True)
class CodeBlock:
    text: str
    info: str  # the fence's info string ("yaml"); empty for an indented block
    line: int  # 1-based line of the block in its file
    before: str  # the Markdown source before the block, for the words that introduce it


def _tokens(markdown: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(markdown)


def code_blocks(markdown: str) -> list[CodeBlock]:
    """Return the fenced and indented code blocks of a Markdown document, in order."""
    lines = markdown.splitlines(keepends=True)
    blocks = []
    for token in _tokens(markdown):
        if token.type in ("fence", "code_block") and token.map:
            start = token.map[0]
            blocks.append(
                CodeBlock(token.content, token.info.strip(), start + 1, "".join(lines[:start]))
            )
    return blocks


def headings(markdown: str) -> list[str]:
    tokens = _tokens(markdown)
    return [
        tokens[i + 1].content.strip()
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def paragraphs(markdown: str) -> list[str]:
    tokens = _tokens(markdown)
    return [
        tokens[i + 1].content for i, token in enumerate(tokens) if token.type == "paragraph_open"
    ]


def block_after_paragraph(markdown: str, opening: str) -> CodeBlock | None:
    """Return the first code block after the paragraph that starts with `opening`."""
    tokens = _tokens(markdown)
    lines = markdown.splitlines(keepends=True)
    found = False
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and tokens[i + 1].content.startswith(opening):
            found = True
        elif found and token.type in ("fence", "code_block") and token.map:
            start = token.map[0]
            return CodeBlock(token.content, token.info.strip(), start + 1, "".join(lines[:start]))
    return None


def link_targets(markdown: str) -> list[str]:
    """Return the href of every Markdown link, in order."""
    targets = []
    for token in _tokens(markdown):
        for child in token.children or ():
            if child.type == "link_open":
                targets.append(str(child.attrs.get("href", "")))
    return targets


def invocations(script: str, program: str = PROGRAM) -> list[list[str]]:
    """Return the arguments of every call of `program` in shell text or a Markdown code block.

    A `$ ` prompt is dropped, `${{ }}` expressions become a placeholder word, and a command ends
    at a shell operator (`&&`, `|`, `>>`, ...) or a comment.
    """
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        line = line.strip().removeprefix(_PROMPT)
        if program not in line:
            continue
        lexer = shlex.shlex(_EXPRESSION.sub("EXPR", line), posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command: list[str] = []
        for word in [*lexer, ";"]:
            if word and set(word) <= set("();<>|&"):
                if command and command[0] == program:
                    calls.append(command[1:])
                command = []
            else:
                command.append(word)
    return calls


def is_synopsis(arguments: list[str]) -> bool:
    """Tell a usage line (`[--content DIR]`, `SOURCE...`) from an example to run."""
    return any(w.startswith("[") or w.endswith(("]", "...")) for w in arguments)


def cli_commands(
    parser: argparse.ArgumentParser | None = None,
) -> dict[str, argparse.ArgumentParser]:
    """Return the CLI's subcommands with their parsers, as `papershelf --help` lists them."""
    parser = parser or cli._parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("papershelf's parser has no subcommands")


def cli_error(arguments: list[str]) -> str | None:
    """Return what the CLI's parser says about `arguments`, or None when it accepts them."""
    parser = cli._parser()
    # Documentation spells options out: `--base` must not pass as an abbreviation of `--base-url`.
    for each in (parser, *cli_commands(parser).values()):
        each.allow_abbrev = False
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            parser.parse_args(arguments)
    except SystemExit as exc:
        if exc.code:
            return stderr.getvalue().strip() or f"exit status {exc.code}"
    return None
