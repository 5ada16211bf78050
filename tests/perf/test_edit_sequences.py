"""Random sequences of edits, built one after another with the cache as `build` and `serve` build
them: after every step the site is byte for byte what a cold build of the same content gives.

test_equality.py checks each kind of edit alone; here they follow one another, several at once
at times, mixed with changes to the settings, the themes, the templates and the static files,
another base URL, files touched without a change, broken files that fail a build and are then
mended, files renamed and old versions restored. Every field a paper page shows is edited:
notes, authors, organization, links, counts and the arXiv id as well as the title, abstract,
dates, theme and tags. The sequences are drawn from fixed seeds, so a failure names a sequence
that can be replayed.

In the `serve` sequence the cache stays in memory between builds and is told the files changed,
as the watcher tells it; every file here changed within `RACY_NS` of its build, so each is read
again all the same (test_serve_incremental.py checks what a build trusts the watcher with).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from papershelf.build import BuildOptions, build_site
from papershelf.cache import BuildCache, cache_dir_for
from papershelf.errors import ProblemsError
from papershelf.model import LINK_KINDS
from tests.perf.conftest import Workspace, read_tree

STEPS = 20
# Text that must survive Markdown, HTML and XML escaping alike.
WORDS = ("alpha", "*beta*", "`gamma`", "[delta](https://example.org/d)", "é", "中文", "<b>", "&")
BROKEN = "\n: : not yaml [\n"
# Markdown a paper's notes may hold, and names that need escaping.
NOTES = ("**bold**", "_em_", "[link](https://example.org/n)", "<i>", "&", "é", "`code`")
NAMES = ("Ada Lovelace", "Émile Zola", "Li Wei", "O'Neil", "A & B")
TEMPLATES = ("card.html", "paper.html", "theme.html", "tag.html", "home.html", "archive.html")
BASE_URLS = (None, "https://example.org/list/", "https://owner.github.io/")


class Editor:
    """Makes random edits to a workspace; each returns what it did and the paths it changed."""

    def __init__(self, ws: Workspace, seed: int) -> None:
        self.ws = ws
        self.rng = random.Random(seed)
        self.earlier: dict[str, list[str]] = {}  # file name: texts it had
        vocabulary = yaml.safe_load((ws.content / "themes.yaml").read_text(encoding="utf-8"))
        self.themes = [theme["id"] for theme in vocabulary["themes"]]
        self.tags = [tag["id"] for tag in vocabulary["tags"]]
        self.base_url: str | None = None  # the build's --base-url

    def any_edit(self) -> tuple[str, set[Path]]:
        edits: list[tuple[Callable[[], tuple[str, set[Path]]], int]] = [
            (self.abstract, 6),
            (self.title, 3),
            (self.published, 3),
            (self.added, 2),
            (self.theme, 4),
            (self.tags_, 4),
            (self.delete, 2),
            (self.restore, 3),
            (self.add, 2),
            (self.rename, 1),
            (self.setting, 2),
            (self.theme_title, 1),
            (self.tag_title, 1),
            (self.site_text, 1),
            (self.notes, 2),
            (self.authors, 1),
            (self.organization, 1),
            (self.links, 1),
            (self.counts, 1),
            (self.arxiv, 1),
            (self.touch, 1),
            (self.base, 1),
            (self.template, 1),
            (self.other_template, 1),
            (self.static, 1),
            (self.breakage, 2),
            (self.several, 3),
        ]
        edit = self.rng.choices([e for e, _ in edits], [w for _, w in edits])[0]
        return edit()

    def _paper(self) -> Path:
        return self.rng.choice(sorted(self.ws.papers.glob("*.yaml")))

    def _write(self, path: Path, text: str) -> set[Path]:
        if path.exists():
            self.earlier.setdefault(path.name, []).append(path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
        return {path}

    def _replace(self, pattern: str, new: str) -> tuple[Path, set[Path]]:
        path = self._paper()
        text = path.read_text(encoding="utf-8")
        return path, self._write(path, re.sub(pattern, new, text, count=1, flags=re.M))

    def _set_key(self, key: str, block: str | None) -> tuple[Path, set[Path]]:
        """Replace a top-level key of a paper (its line and the lines indented under it) with
        `block`, or remove it (None)."""
        path = self._paper()
        text = re.sub(rf"(?m)^{key}:.*\n(?:(?:  |- ).*\n)*", "", path.read_text(encoding="utf-8"))
        if block is not None:
            text = text.replace("abstract: >-", f"{block}abstract: >-", 1)
        return path, self._write(path, text)

    def abstract(self) -> tuple[str, set[Path]]:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 5)))
        path, changed = self._replace(r"^abstract: >-\n  ", f"abstract: >-\n  {words} ")
        return f"abstract of {path.name} begins {words!r}", changed

    def title(self) -> tuple[str, set[Path]]:
        word = self.rng.choice(("Revised", "Zeta", "Über"))
        path = self._paper()
        text = path.read_text(encoding="utf-8")
        if "title: >-\n" in text:
            text = text.replace("title: >-\n  ", f"title: >-\n  {word} ", 1)
        else:
            # Inside the quotes of a quoted title ('A: B', which a colon makes quoted).
            text = re.sub(r"^title: (['\"]?)", rf"title: \g<1>{word} ", text, count=1, flags=re.M)
        return f"title of {path.name}", self._write(path, text)

    def notes(self) -> tuple[str, set[Path]]:
        words = " ".join(self.rng.choice(NOTES) for _ in range(3))
        block = (
            None
            if self.rng.random() < 0.2
            else yaml.safe_dump({"notes": words}, allow_unicode=True)
        )
        path, changed = self._set_key("notes", block)
        return f"notes of {path.name}: {block!r}", changed

    def authors(self) -> tuple[str, set[Path]]:
        names = self.rng.sample(NAMES, self.rng.randint(1, 3))
        count = len(names) + self.rng.randint(0, 3)
        listed = ", ".join(f'"{name}"' for name in names)
        path, changed = self._set_key(
            "authors", f"authors:\n  count: {count}\n  names: [{listed}]\n"
        )
        return f"{path.name} by {names} of {count}", changed

    def organization(self) -> tuple[str, set[Path]]:
        number = self.rng.randint(0, 3)
        block = f"organization: {{name: Lab {number}, handle: lab{number}}}\n" if number else None
        path, changed = self._set_key("organization", block)
        return f"{path.name} organization {block!r}", changed

    def links(self) -> tuple[str, set[Path]]:
        kinds = self.rng.sample(LINK_KINDS, self.rng.randint(0, 2))
        lines = [
            f"- url: https://example.org/{kind}/{self.rng.randint(0, 9)}\n  kind: {kind}\n"
            for kind in kinds
        ]
        path, changed = self._set_key("links", "links:\n" + "".join(lines) if lines else None)
        return f"{path.name} links {kinds}", changed

    def counts(self) -> tuple[str, set[Path]]:
        key = self.rng.choice(("upvotes", "comments"))
        block = None if self.rng.random() < 0.2 else f"{key}: {self.rng.randint(0, 500)}\n"
        path, changed = self._set_key(key, block)
        return f"{path.name} {block!r}", changed

    def arxiv(self) -> tuple[str, set[Path]]:
        number = f"25{self.rng.randint(1, 12):02d}.{self.rng.randint(10000, 99999)}"
        block = None if self.rng.random() < 0.3 else f"arxiv: '{number}'\n"
        path, changed = self._set_key("arxiv", block)
        return f"{path.name} {block!r}", changed

    def touch(self) -> tuple[str, set[Path]]:
        """A new modification time, the same bytes (a checkout, an editor saving unchanged)."""
        path = self._paper()
        os.utime(path)
        return f"{path.name} touched", {path}

    def base(self) -> tuple[str, set[Path]]:
        self.base_url = self.rng.choice(BASE_URLS)
        return f"--base-url {self.base_url}", set()

    def published(self) -> tuple[str, set[Path]]:
        year = self.rng.choice((2019, 2021, 2023, 2025))
        day = dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        path, changed = self._replace(r"^published: .*$", f"published: {day}")
        return f"{path.name} published {day}", changed

    def added(self) -> tuple[str, set[Path]]:
        day = dt.date(2026, 1, self.rng.randint(1, 28))
        path, changed = self._replace(r"^added: .*$", f"added: {day}")
        return f"{path.name} added {day}", changed

    def theme(self) -> tuple[str, set[Path]]:
        theme = self.rng.choice(self.themes)
        path, changed = self._replace(r"^theme: .*$", f"theme: {theme}")
        return f"{path.name} in {theme}", changed

    def tags_(self) -> tuple[str, set[Path]]:
        tags = self.rng.sample(self.tags, self.rng.randint(1, 4))
        path, changed = self._replace(r"^tags: .*$", f"tags: [{', '.join(tags)}]")
        return f"{path.name} tagged {tags}", changed

    def delete(self) -> tuple[str, set[Path]]:
        path = self._paper()
        self.earlier.setdefault(path.name, []).append(path.read_text(encoding="utf-8"))
        path.unlink()
        return f"{path.name} deleted", {path}

    def restore(self) -> tuple[str, set[Path]]:
        names = sorted(name for name, texts in self.earlier.items() if texts)
        if not names:
            return self.abstract()
        name = self.rng.choice(names)
        path = self.ws.papers / name
        path.write_text(self.rng.choice(self.earlier[name]), encoding="utf-8")
        return f"{name} as it was before", {path}

    def add(self) -> tuple[str, set[Path]]:
        number = self.rng.randint(0, 10**6)
        text = self._paper().read_text(encoding="utf-8")
        title = f"title: Added Paper Number {number}\n"
        text = re.sub(r"^title: >-\n(  .*\n)+", title, text, count=1, flags=re.M)
        text = re.sub(r"^title: .*\n", title, text, count=1, flags=re.M)
        path = self.ws.papers / f"added-paper-{number}.yaml"
        return f"{path.name} added", self._write(path, text)

    def rename(self) -> tuple[str, set[Path]]:
        path = self._paper()
        renamed = path.with_name(f"renamed-{self.rng.randint(0, 10**6)}.yaml")
        path.rename(renamed)
        return f"{path.name} renamed {renamed.name}", {path, renamed}

    def setting(self) -> tuple[str, set[Path]]:
        key, value = self.rng.choice(
            [
                ("papers_per_page", self.rng.choice((0, 3, 7, 50))),
                ("feed_size", self.rng.choice((5, 12, 50))),
                ("related_papers", self.rng.choice((0, 2, 5))),
                ("excerpt_length", self.rng.choice((60, 280))),
                ("home_newest", self.rng.choice((0, 4, 10))),
            ]
        )
        return f"{key}: {value}", set_setting(self.ws, key, value)

    def theme_title(self) -> tuple[str, set[Path]]:
        path = self.ws.content / "themes.yaml"
        number = self.rng.randint(0, 99)
        text = re.sub(
            r"^(\s+title: )(.*)$",
            rf"\1\2 {number}",
            path.read_text(encoding="utf-8"),
            count=1,
            flags=re.M,
        )
        path.write_text(text, encoding="utf-8")
        return f"first title of themes.yaml ends {number}", {path}

    def tag_title(self) -> tuple[str, set[Path]]:
        path = self.ws.content / "themes.yaml"
        text = path.read_text(encoding="utf-8")
        ends = [match.end() for match in re.finditer(r"(?m)^\s+title: .*$", text)]
        end = self.rng.choice(ends)
        number = self.rng.randint(0, 99)
        path.write_text(f"{text[:end]} {number}{text[end:]}", encoding="utf-8")
        return f"a title in themes.yaml ends {number}", {path}

    def site_text(self) -> tuple[str, set[Path]]:
        key, value = self.rng.choice(
            [
                ("title", f"Reading List {self.rng.randint(0, 9)}"),
                ("author", f"Curator {self.rng.randint(0, 9)} & co"),
                ("language", self.rng.choice(("en", "fr", "en-GB"))),
                ("home_theme_papers", self.rng.randint(0, 5)),
                ("repository_url", f"https://github.com/owner/list{self.rng.randint(0, 3)}"),
            ]
        )
        return f"{key}: {value}", set_setting(self.ws, key, value)

    def template(self) -> tuple[str, set[Path]]:
        path = self.ws.templates / "base.html"
        text = path.read_text(encoding="utf-8")
        path.write_text(f"{text}<!-- {self.rng.randint(0, 99)} -->\n", encoding="utf-8")
        return "base.html changed", {path}

    def other_template(self) -> tuple[str, set[Path]]:
        path = self.ws.templates / self.rng.choice(TEMPLATES)
        text = path.read_text(encoding="utf-8")
        path.write_text(f"{text}<!-- {self.rng.randint(0, 99)} -->\n", encoding="utf-8")
        return f"{path.name} changed", {path}

    def static(self) -> tuple[str, set[Path]]:
        path = self.ws.templates / "static" / "style.css"
        text = path.read_text(encoding="utf-8")
        path.write_text(f"{text}/* {self.rng.randint(0, 99)} */\n", encoding="utf-8")
        return "style.css changed", {path}

    def breakage(self) -> tuple[str, set[Path]]:
        path = self._paper()
        return f"{path.name} broken", self._write(path, path.read_text(encoding="utf-8") + BROKEN)

    def several(self) -> tuple[str, set[Path]]:
        done = [self.any_edit() for _ in range(self.rng.randint(2, 3))]
        return "; ".join(what for what, _ in done), set().union(*(paths for _, paths in done))

    def mend(self) -> set[Path]:
        """Take every breakage out again; return the files mended."""
        mended = set()
        for path in self.ws.papers.glob("*.yaml"):
            text = path.read_text(encoding="utf-8")
            if BROKEN in text:
                path.write_text(text.replace(BROKEN, ""), encoding="utf-8")
                mended.add(path)
        return mended


def set_setting(ws: Workspace, key: str, value: object) -> set[Path]:
    path = ws.content / "site.yaml"
    text = re.sub(rf"(?m)^{key}: .*\n", "", path.read_text(encoding="utf-8"))
    path.write_text(f"{text}{key}: {value}\n", encoding="utf-8")
    return {path}


@pytest.mark.parametrize(("seed", "serving"), [(1, False), (2, True)], ids=["build", "serve"])
def test_random_edit_sequences_build_as_cold_builds_do(
    shipped: Workspace, seed: int, serving: bool
) -> None:
    ws = shipped
    set_setting(ws, "papers_per_page", 3)  # listings of several pages, which edits reshuffle
    editor = Editor(ws, seed)
    # As `serve` keeps it: in memory between builds, told which files the watcher saw change.
    kept = BuildCache(cache_dir_for(ws.out)) if serving else None
    if kept is not None:
        kept.keep_across_builds()

    def build(changed: set[Path] | None, jobs: int | None) -> None:
        options = BuildOptions(ws.content, ws.templates, ws.out, editor.base_url, jobs=jobs)
        if kept is None:
            build_site(options)
        else:
            seen = None if changed is None else {str(path.resolve()) for path in changed}
            build_site(options, cache=kept, changed=seen)

    build(None, None)
    done: list[str] = []
    for _ in range(STEPS):
        what, changed = editor.any_edit()
        done.append(what)
        # One process or two; the watcher's list of changes, or none (a rebuild checks all).
        jobs = editor.rng.choice((1, 2))
        told = changed if editor.rng.random() < 0.7 else None
        try:
            build(told, jobs)
        except ProblemsError as failed:
            broken = any(BROKEN in path.read_text(encoding="utf-8") for path in ws.papers.iterdir())
            assert broken, f"after {done}: {failed.problems[0].format_text()}"
            with pytest.raises(ProblemsError):  # a cold build fails as well
                ws.cold(base_url=editor.base_url)
            build(editor.mend(), jobs)
        built, cold = read_tree(ws.out), ws.cold(base_url=editor.base_url)
        assert sorted(built) == sorted(cold), f"after {done}: other files than a cold build's"
        different = [path for path in cold if built[path] != cold[path]]
        assert different == [], f"after {done}: {different[:5]} differ from a cold build's"
