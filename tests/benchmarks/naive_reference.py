"""Build a papershelf content directory the naive way, to calibrate this machine's speed.

    python tests/benchmarks/naive_reference.py CONTENT OUT   # writes the site into OUT

Issue 5 gives two reference times for a 10,000-paper list, both "on this kind of machine":
Hugo 0.111 in about 2.9 s, and "a naive single-process Python renderer (PyYAML with libyaml,
Jinja2, markdown-it-py)" in about 4.8 s. bench.py --naive times this script, which is such a
renderer: the ratio of its time here to 4.8 s says how much slower this machine (and this
Python) is than the issue's, as Hugo's time here does with 2.9 s, but measured with the same
interpreter and libraries papershelf runs on.

It makes the site hugo_reference.py has Hugo make, at the same paths (so `output_shape`
counts both alike): a page per paper (theme, title, byline, dates, tags, links, the abstract
as Markdown, notes); paginated listings of paper cards for all papers and for each theme and
tag (`page/N/`); the lists of themes and tags; a home page (intro, the themes with their
newest papers, the newest papers' cards); a 404 page; an RSS feed (`index.xml`) of the home
page, the papers, the two lists and every theme and tag; a sitemap; robots.txt; a stylesheet.

Naive as the issue means it: one process, every file parsed with PyYAML's C loader, every page
rendered in full on every run (no cache, no parallelism, nothing kept between builds), each
card rendered every time it is listed. Related papers are left out, as Hugo's are by default
in bench.py. The settings and themes are read through papershelf (its defaults for what
site.yaml leaves out), as hugo_reference.py reads them.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import html
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markdown_it import MarkdownIt

from papershelf.config import load_config
from papershelf.content import SITE_FILE, THEMES_FILE
from papershelf.taxonomy import load_taxonomy

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = re.compile(r"<[^>]+>")

TEMPLATES = {
    "base.html": """\
<!DOCTYPE html>
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% if title %}{{ title }} · {% endif %}{{ site.title }}</title>
<meta name="description" content="{{ description }}">
<link rel="canonical" href="{{ site.base_url }}{{ path }}">
{% if feed %}<link rel="alternate" type="application/rss+xml" href="{{ feed }}" \
title="{{ title or site.title }}">{% endif %}
<link rel="stylesheet" href="{{ root }}css/style.css">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="wrap">
<a class="site-title" href="{{ root }}">{{ site.title }}</a>
<nav aria-label="Main">
<ul>
{% for name, url in menu %}<li><a href="{{ root }}{{ url }}">{{ name }}</a></li>
{% endfor %}</ul>
</nav>
</div>
</header>
<main id="main" class="wrap">
{% block main %}{% endblock %}
</main>
<footer class="site-footer">
<div class="wrap">
<p>Follow the whole list: <a href="{{ root }}index.xml" type="application/rss+xml">RSS</a></p>
<p>Curated by {{ site.author or site.title }}</p>
</div>
</footer>
</body>
</html>
""",
    "macros.html": """\
{% macro date(day) %}<time datetime="{{ day.isoformat() }}">\
{{ day.day }} {{ day.strftime("%b %Y") }}</time>{% endmacro %}
{% macro byline(paper) -%}
{% if paper.authors %}{% if paper.authors.names %}{{ paper.authors.names | join(", ") }}\
{% else %}{{ paper.authors.count }} author{% if paper.authors.count != 1 %}s{% endif %}\
{% endif %}{% elif paper.organization %}{{ paper.organization.name }}{% endif %}
{%- endmacro %}
{% macro item(paper) %}<li><a href="{{ root }}{{ paper.url }}">{{ paper.title }}</a> \
<span class="muted">· {{ date(paper.published) }}</span></li>
{% endmacro %}
{% macro card(paper) %}<article class="card">
<h3><a href="{{ root }}{{ paper.url }}">{{ paper.title }}</a></h3>
<p class="meta">{{ date(paper.published) }}{% set by = byline(paper) %}\
{% if by %} · {{ by }}{% endif %}{% if paper.theme %} · <a href="{{ root }}themes/\
{{ paper.theme }}/">{{ themes[paper.theme].title }}</a>{% endif %}</p>
<p class="excerpt">{{ paper.excerpt }}</p>
{% set code = paper.links | selectattr("kind", "equalto", "code") | list %}\
{% if paper.tags or paper.arxiv or code %}<div class="card-foot">
{% if paper.tags %}<ul class="tags">
{% for tag in paper.tags %}<li><a href="{{ root }}tags/{{ tag }}/">{{ tags[tag].title }}</a></li>
{% endfor %}</ul>
{% endif %}{% if paper.arxiv or code %}<p class="card-links">
{% if paper.arxiv %}<a href="https://arxiv.org/abs/{{ paper.arxiv }}">arXiv\
<span class="vh">: {{ paper.title }}</span></a>{% endif %}
{% for link in code[:1] %}<a href="{{ link.url }}">Code<span class="vh">: {{ paper.title }}\
</span></a>{% endfor %}
</p>
{% endif %}</div>
{% endif %}</article>
{% endmacro %}
""",
    "paper.html": """\
{% extends "base.html" %}{% from "macros.html" import date, byline with context %}
{% block main %}
<article class="paper">
{% if paper.theme %}<p class="kicker"><a href="{{ root }}themes/{{ paper.theme }}/">\
{{ themes[paper.theme].title }}</a></p>{% endif %}
<h1>{{ paper.title }}</h1>
{% set by = byline(paper) %}{% if by %}<p class="byline">{{ by }}</p>{% endif %}
<dl class="facts">
<dt>Published</dt>
<dd>{{ date(paper.published) }}</dd>
{% if paper.added %}<dt>Added to the list</dt>
<dd>{{ date(paper.added) }}</dd>
{% endif %}{% if paper.tags %}<dt>Tags</dt>
<dd>
<ul class="tags">
{% for tag in paper.tags %}<li><a href="{{ root }}tags/{{ tag }}/">{{ tags[tag].title }}</a></li>
{% endfor %}</ul>
</dd>
{% endif %}{% if paper.arxiv or paper.links %}<dt>Links</dt>
<dd>
<ul class="links">
{% if paper.arxiv %}<li><a href="https://arxiv.org/abs/{{ paper.arxiv }}">arXiv \
{{ paper.arxiv }}</a></li>
{% endif %}{% for link in paper.links %}<li><a href="{{ link.url }}">\
{{ link.kind | capitalize }}</a></li>
{% endfor %}</ul>
</dd>
{% endif %}</dl>
<section aria-labelledby="abstract">
<h2 id="abstract">Abstract</h2>
<div class="prose">
{{ paper.html | safe }}
</div>
</section>
{% if paper.notes %}<section aria-labelledby="notes">
<h2 id="notes">Notes</h2>
<div class="prose">{{ paper.notes_html | safe }}</div>
</section>
{% endif %}</article>
{% endblock %}
""",
    "list.html": """\
{% extends "base.html" %}{% from "macros.html" import card with context %}
{% block main %}
{% if kind %}<p class="kicker">{{ kind }}</p>{% endif %}
<h1>{{ title }}</h1>
{% if description %}<p>{{ description }}</p>{% endif %}
<p class="follow">Follow: <a href="{{ feed }}" type="application/rss+xml">RSS\
<span class="vh"> feed: {{ title }}</span></a></p>
<section aria-labelledby="papers">
<h2 id="papers">{{ total }} papers, newest first <span class="count">· showing \
{{ first }}–{{ first + shown | length - 1 }}</span></h2>
{% for paper in shown %}{{ card(paper) }}{% endfor %}
</section>
{% if pages > 1 %}<nav class="pagination" aria-label="Pages"><ul>
{% for number in range(1, pages + 1) %}<li>{% if number == page %}<span aria-current="page">\
{{ number }}</span>{% else %}<a href="{{ root }}{{ base }}{% if number > 1 %}page/{{ number }}/\
{% endif %}">{{ number }}</a>{% endif %}</li>
{% endfor %}</ul></nav>
{% endif %}{% endblock %}
""",
    "terms.html": """\
{% extends "base.html" %}
{% block main %}
<h1>{{ title }}</h1>
<ul class="terms">
{% for term, count in terms %}<li><a href="{{ root }}{{ base }}{{ term.id }}/">{{ term.title }}\
</a> <span class="muted">({{ count }})</span></li>
{% endfor %}</ul>
{% endblock %}
""",
    "home.html": """\
{% extends "base.html" %}{% from "macros.html" import card, item with context %}
{% block main %}
<h1>{{ site.title }}</h1>
<div class="intro">{{ intro | safe }}</div>
<p class="muted">{{ count }} papers in {{ by_theme | length }} themes.</p>
<section aria-labelledby="themes">
<h2 id="themes">Themes</h2>
<div class="themes">
{% for theme, listed in by_theme %}<section class="theme">
<h3><a href="{{ root }}themes/{{ theme.id }}/">{{ theme.title }}</a></h3>
<p class="muted">{{ listed | length }} papers</p>
<p>{{ theme.description }}</p>
<ul class="compact">
{% for paper in listed[:site.home_theme_papers] %}{{ item(paper) }}{% endfor %}</ul>
</section>
{% endfor %}</div>
</section>
<section aria-labelledby="newest">
<h2 id="newest">Newest papers</h2>
{% for paper in newest %}{{ card(paper) }}{% endfor %}
</section>
{% endblock %}
""",
    "404.html": """\
{% extends "base.html" %}
{% block main %}
<h1>Page not found</h1>
<p>Start again from <a href="{{ root }}">the home page</a>.</p>
{% endblock %}
""",
    "rss.xml": """\
<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ title }}</title>
<link>{{ site.base_url }}{{ channel }}</link>
<description>{{ site.description }}</description>
<language>{{ site.language }}</language>
<atom:link href="{{ site.base_url }}{{ channel }}index.xml" rel="self" type="application/rss+xml"/>
{% for paper in papers %}<item>
<title>{{ paper.title }}</title>
<link>{{ site.base_url }}{{ paper.url }}</link>
<pubDate>{{ paper.rfc822 }}</pubDate>
<guid>{{ site.base_url }}{{ paper.url }}</guid>
<description>{{ paper.html }}</description>
</item>
{% endfor %}</channel>
</rss>
""",
    "sitemap.xml": """\
<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{% for path, day in urls %}<url><loc>{{ site.base_url }}{{ path }}</loc>\
{% if day %}<lastmod>{{ day.isoformat() }}</lastmod>{% endif %}</url>
{% endfor %}</urlset>
""",
}

STYLESHEET = """\
body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; color: #1d1d1f; background: #fff; }
.wrap { max-width: 48rem; margin: 0 auto; padding: 0 1rem; }
.card { border-bottom: 1px solid #ddd; padding: 1rem 0; }
.muted, .meta, .kicker { color: #555; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
"""


def _paper(source: Path, markdown: MarkdownIt, excerpt_length: int) -> dict[str, Any]:
    paper = yaml.load(source.read_text(encoding="utf-8"), Loader=Loader)
    paper["slug"] = source.stem
    paper["url"] = f"papers/{source.stem}/"
    paper.setdefault("tags", [])
    paper.setdefault("links", [])
    paper["html"] = markdown.render(paper["abstract"])
    if paper.get("notes"):
        paper["notes_html"] = markdown.render(paper["notes"])
    plain = html.unescape(_TAG.sub("", paper["html"])).strip()
    if len(plain) > excerpt_length:
        plain = plain[:excerpt_length].rsplit(" ", 1)[0] + "…"
    paper["excerpt"] = plain
    published = paper["published"]
    paper["rfc822"] = dt.datetime.combine(published, dt.time()).strftime(
        "%a, %d %b %Y %H:%M:%S +0000"
    )
    return paper


def _pages(listed: list[dict[str, Any]], per_page: int) -> Iterator[list[dict[str, Any]]]:
    per_page = per_page or max(len(listed), 1)
    for start in range(0, max(len(listed), 1), per_page):
        yield listed[start : start + per_page]


def build(content: Path, out: Path) -> int:
    """Write the site of the content directory `content` into `out`; return the pages made."""
    settings, problems = load_config(content / SITE_FILE)
    taxonomy, more = load_taxonomy(content / THEMES_FILE)
    if settings is None or taxonomy is None:
        raise SystemExit("\n".join(problem.format_text() for problem in problems + more))
    site = dataclasses.asdict(settings)
    markdown = MarkdownIt("commonmark")
    sources = sorted((content / "papers").glob("*.yaml"))
    papers = [_paper(source, markdown, site["excerpt_length"]) for source in sources]
    papers.sort(key=lambda p: (p["published"], p["title"]), reverse=True)  # newest first
    themes = {theme.id: theme for theme in taxonomy.themes}
    tags = {tag.id: tag for tag in taxonomy.tags}
    by_theme = {theme_id: [p for p in papers if p.get("theme") == theme_id] for theme_id in themes}
    by_tag = {tag_id: [p for p in papers if tag_id in p["tags"]] for tag_id in tags}

    env = jinja2.Environment(
        loader=jinja2.DictLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(("html", "xml")),
    )
    menu = [(theme.title, f"themes/{theme.id}/") for theme in taxonomy.themes]
    menu += [("Tags", "tags/"), ("All papers", "papers/")]
    common = {"site": site, "themes": themes, "tags": tags, "menu": menu, "root": "/"}
    if out.exists():
        shutil.rmtree(out)
    written = 0
    sitemap: list[tuple[str, dt.date | None]] = []

    def write(path: str, template: str, **values: Any) -> None:
        nonlocal written
        text = env.get_template(template).render(**common, path=path, **values)
        target = out / path / "index.html" if not path.endswith((".xml", ".html")) else out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1

    def listing(base: str, listed: list, title: str, kind: str = "", description: str = "") -> None:
        pages = list(_pages(listed, site["papers_per_page"]))
        for number, shown in enumerate(pages, 1):
            path = base if number == 1 else f"{base}page/{number}/"
            first = (number - 1) * (site["papers_per_page"] or 0) + 1
            write(
                path,
                "list.html",
                title=title,
                kind=kind,
                description=description,
                feed=f"/{base}index.xml",
                shown=shown,
                total=len(listed),
                first=first,
                page=number,
                pages=len(pages),
                base=base,
            )
        feed = listed[: site["feed_size"]]
        write(f"{base}index.xml", "rss.xml", title=title, channel=base, papers=feed)
        sitemap.append((base, listed[0]["published"] if listed else None))

    for paper in papers:
        write(
            paper["url"],
            "paper.html",
            paper=paper,
            title=paper["title"],
            description=paper["excerpt"],
        )
        sitemap.append((paper["url"], paper["published"]))
    listing("papers/", papers, "All papers")
    for theme_id, theme in themes.items():
        listing(f"themes/{theme_id}/", by_theme[theme_id], theme.title, "Theme", theme.description)
    for tag_id, tag in tags.items():
        listing(f"tags/{tag_id}/", by_tag[tag_id], tag.title, "Tag", tag.description)
    for base, title, terms, members in (
        ("themes/", "Themes", taxonomy.themes, by_theme),
        ("tags/", "Tags", taxonomy.tags, by_tag),
    ):
        counted = [(term, len(members[term.id])) for term in terms if members[term.id]]
        write(base, "terms.html", title=title, terms=counted, base=base)
        newest = papers[: site["feed_size"]]
        write(f"{base}index.xml", "rss.xml", title=title, channel=base, papers=newest)
    write(
        "",
        "home.html",
        title="",
        description=site["description"],
        feed="/index.xml",
        intro=markdown.render(site["intro"]),
        count=len(papers),
        by_theme=[(theme, by_theme[theme.id]) for theme in taxonomy.themes if by_theme[theme.id]],
        newest=papers[: site["home_newest"]],
    )
    write(
        "index.xml", "rss.xml", title=site["title"], channel="", papers=papers[: site["feed_size"]]
    )
    write("404.html", "404.html", title="Page not found")
    write("sitemap.xml", "sitemap.xml", urls=sorted(sitemap, key=lambda item: item[0]))
    (out / "robots.txt").write_text(f"User-agent: *\nSitemap: {site['base_url']}sitemap.xml\n")
    (out / "css").mkdir()
    (out / "css" / "style.css").write_text(STYLESHEET, encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path, help="a papershelf content directory")
    parser.add_argument("out", type=Path, help="where to write the site (replaced)")
    args = parser.parse_args(argv)
    written = build(args.content, args.out)
    print(f"{written} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
