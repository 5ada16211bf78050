"""Hostile titles, abstracts, notes, names and settings render as harmless text everywhere."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import feedparser
import jinja2
import markupsafe
from bs4 import BeautifulSoup
from markupsafe import Markup

from papershelf.papertext import render_markdown
from papershelf.templates import TemplateEnvironment, escape_output

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


def assert_harmless(html: str, where: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for name in ("iframe", "img", "style", "object", "embed"):
        assert soup.find(name) is None, f"<{name}> element in {where}"
    # The only scripts are the site's own files and JSON-LD data, which no markup escapes from.
    for script in soup.find_all("script"):
        if script.get("type") == "application/ld+json":
            assert "<" not in script.get_text(), f"markup in the JSON-LD of {where}"
            json.loads(script.get_text())
        else:
            assert script.get("src", "").startswith("/evil/assets/"), f"{script} in {where}"
            assert not script.get_text(), f"inline script in {where}"
    # SVG only as the statistics page's own charts.
    for svg in soup.find_all("svg"):
        assert where == "stats/index.html" and "chart-svg" in svg["class"], f"<svg> in {where}"
    for element in soup.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), f"{attribute} attribute in {where}"
            if attribute in ("href", "src", "action"):
                target = "".join(str(value).split()).lower()
                assert not target.startswith(DANGEROUS_SCHEMES), f"{value!r} link in {where}"


def test_every_page_of_the_hostile_site_is_harmless(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) == 10  # its one paper's year has an archive page too
    for page in pages:
        assert_harmless(page.read_text(), str(page.relative_to(hostile_site)))


def test_hostile_text_is_shown_as_text(hostile_site: Path) -> None:
    soup = BeautifulSoup((hostile_site / "papers/hostile-paper/index.html").read_text(), "lxml")
    assert soup.h1.get_text() == (
        '<script>alert("title")</script> "><img src=x onerror=alert(1)> bold'
    )
    assert soup.title.get_text().startswith('<script>alert("title")</script>')
    abstract = soup.find(id="abstract").find_parent("section").get_text()
    assert '<script>alert("abstract")</script>' in abstract
    assert "[click me](javascript:alert(1))" in abstract
    assert "<iframe" in soup.find(class_="byline").get_text()


def test_hostile_feed_content_is_harmless(hostile_site: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((hostile_site / name).read_bytes())
        assert not feed.bozo
        for entry in feed.entries:
            # feedparser sanitizes too; check our own markup before it does.
            assert "<script>alert" in entry.title
    raw_atom = (hostile_site / "atom.xml").read_text()
    content = raw_atom.split('<content type="html">')[1].split("</content>")[0]
    assert_harmless(BeautifulSoup(content, "html.parser").get_text(), "atom content")
    for item in json.loads((hostile_site / "feed.json").read_text())["items"]:
        assert_harmless(item["content_html"], "feed.json content_html")
        assert item["title"].startswith('<script>alert("title")</script>')


def test_markdown_refuses_script_links_and_raw_html() -> None:
    html = render_markdown(
        "[a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](vbscript:x) [d](data:text/html,x) "
        "<javascript:alert(1)> <b onclick=x>bold</b> ![i](https://tracker.example/p.png)"
    )
    assert_harmless(str(html), "markdown")
    assert "&lt;b onclick=x&gt;" in html


def test_markdown_keeps_web_links() -> None:
    html = render_markdown("[paper](https://arxiv.org/abs/2311.08849) <https://example.org/x>")
    links = [a["href"] for a in BeautifulSoup(str(html), "html.parser").find_all("a")]
    assert links == ["https://arxiv.org/abs/2311.08849", "https://example.org/x"]


HOSTILE_VALUES = (
    '<script>alert("x")</script>',
    "Tom & Jerry's <b>",
    "plain text",
    "",
    "é – ✓ \u2028",
    Markup("<em>already HTML</em>"),
    42,
    3.5,
    None,
    ("a<", "b>"),
)


def test_written_values_are_escaped_as_markupsafe_escapes_them() -> None:
    for value in HOSTILE_VALUES:
        assert escape_output(value) == str(markupsafe.escape(value)), value


def test_templates_write_what_jinja_itself_writes() -> None:
    """The papershelf environment's templates give the bytes Jinja's own gives, in every place
    a value is written: the page, a macro, a captured block, a call block, a filter block, an
    include, a layout's block, and where autoescape is switched off; Jinja's globals (range,
    namespace) are there."""
    sources = {
        "macros.html": "{% macro item(v) %}<li>{{ v }}</li>{% endmacro %}",
        "part.html": "<p>{{ value }}</p>",
        "page.html": (
            '{% from "macros.html" import item %}'
            "{% macro wrap() %}<div>{{ caller() }}</div>{% endmacro %}"
            '<h1 title="{{ value }}">{{ value }}</h1>{{ item(value) }}'
            "{% set captured %}[{{ value }}]{% endset %}{{ captured }}"
            "{% call wrap() %}{{ value }}{% endcall %}"
            "{% filter upper %}{{ value }}{% endfilter %}"
            '{% include "part.html" %}{{ value|e }}{{ value|safe }}'
            "{% autoescape false %}{{ value }}{% endautoescape %}{{ number }}"
            "{% for i in range(2) %}{{ i }}{% endfor %}{% set ns = namespace(n=value) %}{{ ns.n }}"
        ),
        "layout.html": "<title>{{ value }}</title>{% block main %}{% endblock %}",
        "child.html": '{% extends "layout.html" %}{% block main %}{{ value }}{% endblock %}',
    }

    def render(environment_class: type[jinja2.Environment], value: object) -> str:
        env = environment_class(loader=jinja2.DictLoader(sources), autoescape=True)
        pages = ("page.html", "child.html", "page.html")  # the second time from its cache
        return "".join(env.get_template(name).render(value=value, number=7) for name in pages)

    for value in HOSTILE_VALUES:
        ours = render(TemplateEnvironment, value)
        assert ours == render(jinja2.Environment, value), value
    assert "&lt;script&gt;" in render(TemplateEnvironment, HOSTILE_VALUES[0])


def test_calls_in_templates_behave_as_in_jinja_itself() -> None:
    """Calls (which papershelf's environment makes at once for built-in methods and macros)
    give what Jinja's own environment gives: a method, a macro with and without a caller, a
    block's super() and self, a loop's cycle, a function that asks for the context, and a
    call that raises StopIteration (an undefined value: an error with StrictUndefined)."""

    @jinja2.pass_context
    def asks_for_context(context: jinja2.runtime.Context, name: str) -> str:
        return f"{name}={context.get(name)}"

    sources = {
        "layout.html": "{% block main %}<main>{{ day.isoformat() }}</main>{% endblock %}",
        "page.html": (
            '{% extends "layout.html" %}'
            "{% macro item(v) %}<li>{{ v }}</li>{% endmacro %}"
            "{% macro wrap() %}<div>{{ caller() }}</div>{% endmacro %}"
            "{% block main %}{{ super() }}{{ item(day.isoformat()) }}"
            "{% call wrap() %}{{ day.replace(year=2004).isoformat() }}{% endcall %}"
            "{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{{ item(i) }}{% endfor %}"
            "{{ asks('value') }}{{ value.upper() }}{{ '%s/%s'.format(1, 2) }}{% endblock %}"
        ),
        "self.html": "{% block one %}1{% endblock %}{{ self.one() }}",
        "stop.html": "{{ drained.__next__() }}",
    }

    def render(environment_class: type[jinja2.Environment], name: str) -> str:
        env = environment_class(
            loader=jinja2.DictLoader(sources), autoescape=True, undefined=jinja2.StrictUndefined
        )
        env.globals["asks"] = asks_for_context
        day = dt.date(2024, 2, 29)
        try:
            return env.get_template(name).render(day=day, value="<b>", drained=iter(()))
        except jinja2.UndefinedError as exc:
            return f"undefined: {exc}"

    for name in ("page.html", "self.html", "stop.html"):
        assert render(TemplateEnvironment, name) == render(jinja2.Environment, name), name
    assert render(TemplateEnvironment, "page.html").startswith("<main>2024-02-29</main><li>")
    assert render(TemplateEnvironment, "stop.html").startswith("undefined: ")
