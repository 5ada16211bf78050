"""Write a Hugo site equivalent to a papershelf content directory, to time Hugo on the same list.

    python tests/benchmarks/hugo_reference.py CONTENT HUGO_SITE   # then: cd HUGO_SITE && hugo

Issue 5's speed target is "a 10,000-paper list builds faster than Hugo", measured on a list
"with themes, tags, a page per paper and RSS". bench.py --hugo times Hugo on the list it has
just imported: the papers' themes and tags are those import gave them (the synthetic listing
has none), so the site is written from content/papers/*.yaml, not from synthetic.py.

The Hugo site (for Hugo 0.111, Debian's `hugo` package) has what papershelf makes of the list,
as a Hugo site would have it, with Hugo's defaults where they match:

- hugo.toml: the base URL, title and language of content/site.yaml; taxonomies `theme`
  (`themes: [id]` in front matter) and `tag`; RSS for the home page, the `papers` section, the
  taxonomies and each term (Hugo's default outputs, and its built-in RSS template), each of
  `feed_size` items; listings paginated at `papers_per_page` (`page/2/`, as papershelf does);
  Hugo's sitemap, and robots.txt (papershelf makes both); a main menu of the themes; the
  configuration of related pages, by shared theme and tags.
- content/: one Markdown file per paper (`papers/<slug>.md`, so the same URLs), front matter
  (title, date = published, added, themes, tags, authors, organization, arxiv, links, notes)
  and the abstract as its body; `_index.md` for the home page (the intro), the papers section,
  the taxonomies and each theme and tag (its title and description from themes.yaml).
- layouts/: a base template with the header (menu) and footer as cached partials; a paper's
  page (theme, title, byline, dates, tags and links, abstract, notes; related papers with
  `related`); listing pages of paper cards (date, byline, theme, excerpt, tags, paper and code
  links) with Hugo's numbered pagination; the taxonomies' lists of terms with their counts; a
  home page (intro, the themes with their newest papers, the newest papers' cards); a 404
  page; a small stylesheet. A card is the same on every listing: a cached partial per paper.

Related papers are left out unless asked for (`related=True`, `--related`, bench.py
`--hugo-related`): papershelf lists `related_papers` of them on each paper's page, but Hugo
0.111's `.Site.RegularPages.Related` ranks every paper sharing a theme or tag with the page
(a theme holds a quarter of the list, the code-available tag a third), so its CPU time grows
with the square of the list: about 12 ms a page at 10,000 papers, 0.7 ms at 1,000. On 2
cores, a 10,000-paper build took about 70 s with them and 7 s without (about 40 s with
Hugo's default threshold of 80, or without newer pages). With the configuration written here
they are papershelf's (the same five in the same order on all pages of a 1,000-paper list). The
issue's reference ("themes, tags, a page per paper and RSS", 2.9 s) names none. Without
`related` the layouts and configuration are the same but for `related_papers = 0` in
hugo.toml's params, which turns them off.

Not reproduced (papershelf makes them; the issue's reference names none of them): Atom and
JSON feeds, OPML, the archive by year, statistics, BibTeX and CSL-JSON files, search.

The output depends on the content directory alone (files written in sorted order).
Reads the settings and themes through papershelf (its defaults for what site.yaml leaves out);
the papers with PyYAML.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from papershelf.config import load_config
from papershelf.content import SITE_FILE, THEMES_FILE
from papershelf.model import Theme
from papershelf.taxonomy import load_taxonomy

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Front matter keys copied from a paper file as they are (besides title, dates, theme and tags).
COPIED = ("arxiv", "authors", "organization", "upvotes", "comments", "links", "notes")


def _load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def _toml(value: Any) -> str:
    """Return `value` (a string, number, boolean or list of them) as a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def _front_matter(fields: dict[str, Any], body: str) -> str:
    matter = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{matter}---\n{body.strip()}\n" if body.strip() else f"---\n{matter}---\n"


def config(site: dict[str, Any], themes: tuple[Theme, ...], related: bool = False) -> str:
    """Return hugo.toml for the site settings `site` (as papershelf reads them) and themes; with
    `related`, paper pages list `related_papers` related papers."""
    per_page = site["papers_per_page"] or 1_000_000_000  # 0: every paper on one page
    top = {
        "baseURL": site["base_url"],
        "languageCode": site["language"],
        "title": site["title"],
        "paginate": per_page,
        "rssLimit": site["feed_size"],
        "enableRobotsTXT": True,
    }
    params = {
        "description": site["description"],
        "author": site["author"] or site["title"],
        "home_newest": site["home_newest"],
        "home_theme_papers": site["home_theme_papers"],
        "related_papers": site["related_papers"] if related else 0,
        "excerpt_length": site["excerpt_length"],
        "theme_order": [theme.id for theme in themes],
    }
    lines = [f"{key} = {_toml(value)}" for key, value in top.items()]
    lines += ["", "[taxonomies]", 'theme = "themes"', 'tag = "tags"', "", "[outputs]"]
    lines += [f'{kind} = ["HTML", "RSS"]' for kind in ("home", "section", "taxonomy", "term")]
    # Related papers: those sharing the theme rank first, then those sharing most tags, newer
    # or older (papershelf ranks by shared theme and tags alike).
    lines += ["", "[related]", "includeNewer = true", "threshold = 0", "toLower = false"]
    for name, weight in (("themes", 2), ("tags", 1)):
        lines += ["[[related.indices]]", f'name = "{name}"', f"weight = {weight}"]
    lines += ["", "[params]"]
    lines += [f"{key} = {_toml(value)}" for key, value in params.items()]
    entries = [(theme.title, f"/themes/{theme.id}/") for theme in themes]
    entries += [("Tags", "/tags/"), ("All papers", "/papers/")]
    for weight, (name, url) in enumerate(entries, 1):
        lines += ["", "[[menu.main]]", f"name = {_toml(name)}"]
        lines += [f"pageRef = {_toml(url)}", f"weight = {weight}"]
    return "\n".join(lines) + "\n"


def paper_markdown(paper: dict[str, Any]) -> str:
    """Return the Markdown file of a paper file's data: front matter, then the abstract."""
    fields: dict[str, Any] = {"title": paper["title"], "date": paper["published"]}
    if paper.get("added"):
        fields["added"] = str(paper["added"])
    if paper.get("theme"):
        fields["themes"] = [paper["theme"]]
    if paper.get("tags"):
        fields["tags"] = list(paper["tags"])
    fields.update((key, paper[key]) for key in COPIED if paper.get(key) not in (None, [], ""))
    return _front_matter(fields, paper["abstract"])


LAYOUTS = {
    "_default/baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ if .IsPage }}{{ .Summary | plainify | truncate 160 }}\
{{ else }}{{ with .Description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AlternativeOutputFormats -}}
<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}" \
title="{{ $.Title }} · {{ site.Title }}">
{{ end -}}
<link rel="stylesheet" href="{{ "css/style.css" | relURL }}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
{{ partialCached "header.html" . }}
<main id="main" class="wrap">
{{ block "main" . }}{{ end }}
</main>
{{ partialCached "footer.html" . }}
</body>
</html>
""",
    "partials/header.html": """\
<header class="site-header">
<div class="wrap">
<a class="site-title" href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav aria-label="Main">
<ul>
{{ range site.Menus.main }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>
{{ end -}}
</ul>
</nav>
</div>
</header>
""",
    "partials/footer.html": """\
<footer class="site-footer">
<div class="wrap">
{{ with site.Home.OutputFormats.Get "rss" -}}
<p>Follow the whole list: <a href="{{ .RelPermalink }}" type="application/rss+xml">RSS</a></p>
{{ end -}}
<p>Curated by {{ site.Params.author }}</p>
</div>
</footer>
""",
    "partials/byline.html": """\
{{- with .Params.authors -}}
  {{- with .names }}{{ delimit . ", " }}{{ else }}{{ $.Params.authors.count }} \
author{{ if ne $.Params.authors.count 1 }}s{{ end }}{{ end -}}
{{- else }}{{ with .Params.organization }}{{ .name }}{{ end }}{{- end -}}
""",
    "partials/date.html": """\
<time datetime="{{ .Format "2006-01-02" }}">{{ .Format "2 Jan 2006" }}</time>""",
    "partials/item.html": """\
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> \
<span class="muted">· {{ partial "date.html" .Date }}</span></li>
""",
    "partials/card.html": """\
<article class="card">
<h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p class="meta">{{ partial "date.html" .Date }}\
{{ with partial "byline.html" . }} · {{ . }}{{ end }}\
{{ range .GetTerms "themes" }} · <a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<p class="excerpt">{{ .Plain | truncate site.Params.excerpt_length }}</p>
{{ $tags := .GetTerms "tags" -}}
{{ $code := slice }}{{ with .Params.links }}{{ $code = where . "kind" "code" }}{{ end -}}
{{ if or $tags .Params.arxiv $code -}}
<div class="card-foot">
{{ with $tags -}}
<ul class="tags">
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end -}}
</ul>
{{ end -}}
{{ if or .Params.arxiv $code -}}
<p class="card-links">
{{ with .Params.arxiv }}<a href="https://arxiv.org/abs/{{ . }}">arXiv\
<span class="vh">: {{ $.Title }}</span></a>{{ end }}
{{ range first 1 $code }}<a href="{{ .url }}">Code<span class="vh">: {{ $.Title }}</span></a>\
{{ end }}
</p>
{{ end -}}
</div>
{{ end -}}
</article>
""",
    "_default/single.html": """\
{{ define "main" }}
<article class="paper">
{{ range .GetTerms "themes" -}}
<p class="kicker"><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></p>
{{ end -}}
<h1>{{ .Title }}</h1>
{{ with partial "byline.html" . }}<p class="byline">{{ . }}</p>{{ end }}
<dl class="facts">
<dt>Published</dt>
<dd>{{ partial "date.html" .Date }}</dd>
{{ with .Params.added -}}
<dt>Added to the list</dt>
<dd>{{ partial "date.html" (time .) }}</dd>
{{ end -}}
{{ with .GetTerms "tags" -}}
<dt>Tags</dt>
<dd>
<ul class="tags">
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>
{{ end -}}
</ul>
</dd>
{{ end -}}
{{ if or .Params.arxiv .Params.links -}}
<dt>Links</dt>
<dd>
<ul class="links">
{{ with .Params.arxiv }}<li><a href="https://arxiv.org/abs/{{ . }}">arXiv {{ . }}</a></li>
{{ end -}}
{{ range .Params.links }}<li><a href="{{ .url }}">{{ .kind | humanize }}</a></li>
{{ end -}}
</ul>
</dd>
{{ end -}}
</dl>
<section aria-labelledby="abstract">
<h2 id="abstract">Abstract</h2>
<div class="prose">
{{ .Content }}
</div>
</section>
{{ with .Params.notes -}}
<section aria-labelledby="notes">
<h2 id="notes">Notes</h2>
<div class="prose">{{ . | markdownify }}</div>
</section>
{{ end -}}
{{ with site.Params.related_papers }}{{ with first . (site.RegularPages.Related $) -}}
<section aria-labelledby="related">
<h2 id="related">Related papers</h2>
<ul class="compact">
{{ range . }}{{ partial "item.html" . }}{{ end -}}
</ul>
</section>
{{ end }}{{ end -}}
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "main" }}
{{ with .Data.Singular }}<p class="kicker">{{ . | humanize }}</p>{{ end }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ with .OutputFormats.Get "rss" -}}
<p class="follow">Follow: <a href="{{ .RelPermalink }}" type="application/rss+xml">RSS\
<span class="vh"> feed: {{ $.Title }}</span></a></p>
{{ end -}}
{{ $paginator := .Paginate .Pages -}}
{{ $from := add (mul (sub $paginator.PageNumber 1) $paginator.PageSize) 1 -}}
<section aria-labelledby="papers">
<h2 id="papers">{{ len .Pages }} papers, newest first <span class="count">· showing \
{{ $from }}–{{ add $from (sub (len $paginator.Pages) 1) }}</span></h2>
{{ range $paginator.Pages }}{{ partialCached "card.html" . .RelPermalink }}{{ end -}}
</section>
{{ template "_internal/pagination.html" . }}
{{ end }}
""",
    "_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="terms">
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">\
{{ .Page.LinkTitle }}</a> <span class="muted">({{ .Count }})</span></li>
{{ end -}}
</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<div class="intro">{{ .Content }}</div>
<p class="muted">{{ len site.RegularPages }} papers in {{ len site.Taxonomies.themes }} themes.</p>
<section aria-labelledby="themes">
<h2 id="themes">Themes</h2>
<div class="themes">
{{ range site.Params.theme_order -}}
{{ $term := site.GetPage (printf "/themes/%s" .) -}}
{{ with index site.Taxonomies.themes . -}}
<section class="theme">
<h3><a href="{{ $term.RelPermalink }}">{{ $term.Title }}</a></h3>
<p class="muted">{{ .Count }} papers</p>
{{ $term.Content }}
<ul class="compact">
{{ range first site.Params.home_theme_papers .Pages }}{{ partial "item.html" . }}{{ end -}}
</ul>
</section>
{{ end -}}
{{ end -}}
</div>
</section>
<section aria-labelledby="newest">
<h2 id="newest">Newest papers</h2>
{{ range first site.Params.home_newest site.RegularPages }}\
{{ partialCached "card.html" . .RelPermalink }}{{ end -}}
</section>
{{ end }}
""",
    "404.html": """\
{{ define "main" }}
<h1>Page not found</h1>
<p>Start again from <a href="{{ site.Home.RelPermalink }}">the home page</a>.</p>
{{ end }}
""",
}

STYLESHEET = """\
body { margin: 0; font: 1rem/1.5 system-ui, sans-serif; color: #1d1d1f; background: #fff; }
.wrap { max-width: 48rem; margin: 0 auto; padding: 0 1rem; }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 1rem; }
.site-header nav ul, .tags { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0;
  list-style: none; }
.card { border-bottom: 1px solid #ddd; padding: 1rem 0; }
.muted, .meta, .kicker { color: #555; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
@media (prefers-color-scheme: dark) { body { color: #eee; background: #111; } }
"""


def write_hugo_site(content: Path, target: Path, related: bool = False) -> dict[str, int]:
    """Write into `target` the Hugo site of the papershelf content directory `content`
    (replacing the hugo.toml, content/, layouts/ and static/ it may have), with related papers
    on the paper pages if `related`; return the counts of papers, themes and tags written."""
    # Read as papershelf reads them: its defaults for what site.yaml leaves out.
    settings, problems = load_config(content / SITE_FILE)
    taxonomy, more = load_taxonomy(content / THEMES_FILE)
    if settings is None or taxonomy is None:
        raise SystemExit("\n".join(problem.format_text() for problem in problems + more))
    site = dataclasses.asdict(settings)
    themes, tags = taxonomy.themes, taxonomy.tags
    for name in ("content", "layouts", "static"):
        shutil.rmtree(target / name, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    (target / "hugo.toml").write_text(config(site, themes, related), encoding="utf-8")

    pages = target / "content"
    sections = {
        "_index.md": ({"title": site["title"]}, site["intro"]),
        "papers/_index.md": ({"title": "All papers"}, ""),
        "themes/_index.md": ({"title": "Themes"}, ""),
        "tags/_index.md": ({"title": "Tags"}, ""),
    }
    for kind, terms in (("themes", themes), ("tags", tags)):
        for term in terms:
            matter = {"title": term.title, "description": term.description}
            sections[f"{kind}/{term.id}/_index.md"] = (matter, term.description)
    for name, (matter, body) in sections.items():
        path = pages / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front_matter(matter, body), encoding="utf-8")

    papers = sorted((content / "papers").glob("*.yaml"))
    for source in papers:
        markdown = paper_markdown(_load(source))
        (pages / "papers" / f"{source.stem}.md").write_text(markdown, encoding="utf-8")

    for name, text in LAYOUTS.items():
        path = target / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (target / "static" / "css").mkdir(parents=True)
    (target / "static" / "css" / "style.css").write_text(STYLESHEET, encoding="utf-8")
    return {"papers": len(papers), "themes": len(themes), "tags": len(tags)}


def output_shape(public: Path) -> dict[str, int]:
    """Count what Hugo made in `public`: HTML pages (paper pages among them), RSS feeds and
    sitemaps, and theme and tag pages (the first page of each listing; `page/N/` counted
    apart)."""
    html = [p.relative_to(public).parts for p in public.rglob("*.html")]
    # Hugo writes page/1/ as an alias (a redirect page) of each listing's first page.
    aliases = [parts for parts in html if parts[-3:-1] == ("page", "1")]
    listing = [parts for parts in html if "page" in parts[:-1] and parts not in aliases]
    return {
        "html_files": len(html),
        "paper_pages": sum(1 for parts in html if len(parts) == 3 and parts[0] == "papers"),
        "theme_pages": sum(1 for parts in html if len(parts) == 3 and parts[0] == "themes"),
        "tag_pages": sum(1 for parts in html if len(parts) == 3 and parts[0] == "tags"),
        "further_listing_pages": len(listing),
        "page_1_aliases": len(aliases),
        "rss_feeds": sum(1 for _ in public.rglob("index.xml")),
        "sitemaps": sum(1 for _ in public.rglob("sitemap.xml")),
        "files": sum(1 for p in public.rglob("*") if p.is_file()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path, help="a papershelf content directory")
    parser.add_argument("target", type=Path, help="where to write the Hugo site")
    parser.add_argument(
        "--related", action="store_true", help="list related papers on paper pages (slow)"
    )
    args = parser.parse_args(argv)
    counts = write_hugo_site(args.content, args.target, args.related)
    print(
        f"wrote {args.target}: {counts['papers']} papers, {counts['themes']} themes, "
        f"{counts['tags']} tags; build it with `hugo` there",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
