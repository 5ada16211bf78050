"""The templates: the Jinja environment (autoescape and StrictUndefined on) and its filters,
rendering one context, template errors as problems naming the template's file and line, and the
static files beside the templates.
"""

from __future__ import annotations

import datetime as dt
import traceback
import types
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import markupsafe
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup

from papershelf import urls
from papershelf.content import display_path
from papershelf.errors import Location, Problem
from papershelf.write import OutputFile

# Templates a site needs; the layout and macros are checked with them.
PAGE_TEMPLATES = (
    "home.html",
    "theme.html",
    "tag.html",
    "tags.html",
    "paper.html",
    "archive.html",
    "year.html",
    "404.html",
    "card.html",
)
# The statistics page, and the search page when `search` is on.
FEATURE_TEMPLATES = ("stats.html", "search.html")
SUPPORT_TEMPLATES = ("base.html", "macros.html")
STATIC_DIR = "static"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _escape_with_markup(text: str) -> str:
    return str(markupsafe.escape(text))


# markupsafe's C escaping of a str, without the Markup around it: what `escape` makes of a str
# is this, wrapped. Taken when markupsafe has it (3.0 and later), else the same through escape.
_escape_text = getattr(markupsafe, "_escape_inner", _escape_with_markup)


def escape_output(value: object) -> str:
    """Return what `{{ value }}` writes with autoescape on: markupsafe's escaping of `value`.

    Unlike `markupsafe.escape` the result is not wrapped in Markup: a template's output pieces
    are only joined into the page (macros and captured blocks wrap what they join themselves).
    A page writes a hundred values or more; making a Markup of each was a third of its time.
    """
    kind = type(value)
    if kind is str:
        return _escape_text(value)
    if kind is Markup:
        return value
    return markupsafe.escape(value)


class _OutputCodeGenerator(CodeGenerator):
    """Jinja's code generator, with each autoescaped `{{ ... }}` written by `escape_output`.

    Only how an expression's value is escaped changes, not what is written: Jinja compiles the
    rest as ever. Should a later Jinja stop calling this hook, its own `escape` (the same text)
    is used.
    """

    def _output_child_pre(self, node: jinja2.nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            # Every function a template compiles to has `environment` among its names.
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)


# Callables that can carry no `jinja_pass_arg` (they take no attributes), nor can their
# `__call__`: what `date.isoformat()` and the like are in a template.
_PLAIN_CALLABLES = frozenset({types.BuiltinMethodType, types.MethodWrapperType})


class _Context(jinja2.runtime.Context):
    """Jinja's context, with calls of built-in methods and of macros made at once.

    Jinja routes every call in a template through `Context.call`, which asks the callable and
    its `__call__` whether they want the context passed (two failed attribute lookups, each an
    exception) before it calls: 1.4 us, a dozen times a paper page. A built-in method cannot
    want it, nor can a macro, whose `__call__` Jinja defines without; those are called as
    `Context.call` would call them, and everything else goes through it.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        kind = type(__obj)
        if kind not in _PLAIN_CALLABLES and kind is not jinja2.runtime.Macro:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class TemplateEnvironment(jinja2.Environment):
    code_generator_class = _OutputCodeGenerator
    context_class = _Context
    escape_output = staticmethod(escape_output)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """Return a template's globals as one dict: the environment's, then the template's own.

        Jinja's ChainMap follows later changes to the environment's globals, which this build
        never makes (Jinja's documentation says not to, once templates are loaded); but every
        render copied it into a dict a key at a time in Python, 6 us a page.
        """
        return {**self.globals, **(d or {})}


def load_templates(
    templates_dir: Path, compiled_dir: Path | None = None, *, keep_compiled: bool = True
) -> tuple[jinja2.Environment | None, list[Problem]]:
    """Create the Jinja environment and compile every template once, reporting syntax errors.

    With `compiled_dir`, compiled templates are kept there for the next build, by the digest of
    their source; the directory must be one for this code (the options below are not in the key).
    Without `keep_compiled`, those found there are used and none is added.
    """
    if not templates_dir.is_dir():
        return None, [
            Problem(Location(display_path(templates_dir)), "templates directory not found")
        ]
    env = TemplateEnvironment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # Every template kept, in a plain dict: a page looks up three or four (its own, the
        # layout it extends, the macros it imports), and Jinja's bounded cache takes a lock and
        # reorders a queue at each lookup.
        cache_size=-1,
        bytecode_cache=_bytecode_cache(compiled_dir, keep_compiled),
    )
    env.filters["date"] = format_date
    env.filters["plural"] = plural
    problems: list[Problem] = []
    for name in (*SUPPORT_TEMPLATES, *PAGE_TEMPLATES, *FEATURE_TEMPLATES):
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = display_path(Path(exc.filename)) if exc.filename else f"{templates_dir}/{name}"
            problems.append(
                Problem(Location(where, exc.lineno or 0), f"template error: {exc.message}")
            )
        except jinja2.TemplateNotFound as exc:
            problems.append(
                Problem(
                    Location(display_path(templates_dir / name)),
                    f"template '{exc.name}' not found",
                    hint=f"the statistics and search pages need {' and '.join(FEATURE_TEMPLATES)}"
                    if name in FEATURE_TEMPLATES
                    else f"every site needs {', '.join(PAGE_TEMPLATES)}",
                )
            )
    return (None if problems else env), problems


class _FoundBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Loads the compiled templates a build kept, and keeps none itself."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        return


def _bytecode_cache(directory: Path | None, keep: bool) -> jinja2.BytecodeCache | None:
    if directory is None:
        return None
    if not keep:
        return _FoundBytecodeCache(str(directory)) if directory.is_dir() else None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:  # a cache that cannot be written is no cache
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


def format_date(value: dt.date) -> str:
    """Return `15 Nov 2023`: fixed English month names, never the machine's locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def plural(count: int, noun: str) -> str:
    """Return `1 paper` or `3 papers`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def render_template(env: jinja2.Environment, name: str, context: Any) -> str:
    """Render template `name` with the fields of `context` (a named tuple of contexts.py) as its
    variables."""
    return env.get_template(name).render(context._asdict())


def template_problem(exc: Exception, name: str, templates_dir: Path) -> Problem:
    """Return the problem `exc`, raised rendering template `name`, as the template's own file
    and line when the traceback holds them."""
    # Jinja rewrites tracebacks so that template frames carry the template file and line.
    root = templates_dir.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename and Path(frame.filename).resolve().is_relative_to(root):
            return Problem(
                Location(display_path(Path(frame.filename)), frame.lineno or 0),
                f"template error: {exc}",
            )
    return Problem(Location(display_path(templates_dir / name)), f"template error: {exc}")


def static_files(templates_dir: Path) -> list[OutputFile]:
    """Return the files under templates/static/, to be copied to assets/."""
    static = templates_dir / STATIC_DIR
    if not static.is_dir():
        return []
    return [
        OutputFile(
            urls.asset(path.relative_to(static).as_posix()), path.read_bytes(), display_path(path)
        )
        for path in sorted(static.rglob("*"))
        if path.is_file()
    ]
