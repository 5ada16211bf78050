"""A build with the cache gives byte for byte what a cold build (no cache, empty output) gives:
the first one, a warm one with nothing changed, and an incremental one after each kind of edit.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
import yaml

from papershelf import digests, render, templates
from papershelf.errors import ProblemsError
from tests.perf.conftest import Workspace, file_times, read_tree

OFA = "ofa-a-framework-of-initializing-unseen-subword-embeddings.yaml"
WHISTLE = "whistle-data-efficient-multilingual-and-crosslingual-speech.yaml"


def _replace(path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def edit_abstract(ws: Workspace) -> None:
    # The start of the abstract is the excerpt: cards, listings and feeds change too.
    _replace(ws.papers / OFA, "abstract: >-\n  ", "abstract: >-\n  Revised. ")


def edit_title(ws: Workspace) -> None:
    # The title shows on the related papers' pages as well.
    _replace(ws.papers / WHISTLE, "title: >-\n  Whistle", "title: >-\n  Revised Whistle")


def add_paper(ws: Workspace) -> None:
    text = (ws.papers / OFA).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*\n(  .*\n)*", "title: 'A New Paper: Added by Hand'\n", text)
    text = re.sub(r"(?m)^published: .*$", "published: 2025-12-30", text)
    (ws.papers / "a-new-paper-added-by-hand.yaml").write_text(text, encoding="utf-8")


def redate(ws: Workspace) -> None:
    # From 2023 to 2021, a year with no papers yet: the archive gets a page between 2022's
    # and 2020's, which now link it.
    _replace(ws.papers / OFA, "published: 2023-11-15", "published: 2021-03-01")


def change_added_date(ws: Workspace) -> None:
    # Nothing moves on the listings; the paper's last change does (sitemap, feeds), and the
    # list's newest change does not.
    _replace(ws.papers / OFA, "added: 2026-01-05", "added: 2025-12-01")


def _papers_newest_first(ws: Workspace) -> list[tuple[str, dict]]:
    """Return (file name, fields) of every paper, newest publication first (the listings')."""
    found = [
        (path.name, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in ws.papers.glob("*.yaml")
    ]
    return sorted(found, key=lambda item: (-item[1]["published"].toordinal(), item[0]))


def cross_into_the_year_before(ws: Workspace) -> None:
    # The oldest paper of a year moves to the last day of the year before, still newer than the
    # next paper: the years' counts change, and nothing else of the order.
    papers = _papers_newest_first(ws)
    for (name, fields), (_, older) in itertools.pairwise(papers):
        year = fields["published"].year
        new_date = fields["published"].replace(year=year - 1, month=12, day=31)
        if older["published"].year < year and older["published"] < new_date:
            old = f"published: {fields['published'].isoformat()}"
            _replace(ws.papers / name, old, f"published: {new_date.isoformat()}")
            return
    raise AssertionError("no paper to move into the year before")


def retheme(ws: Workspace) -> None:
    _replace(ws.papers / OFA, "theme: adaptation", "theme: pretraining-data")


def retag(ws: Workspace) -> None:
    _replace(ws.papers / OFA, "tags: [", "tags: [benchmark, ")


def delete_paper(ws: Workspace) -> None:
    (ws.papers / WHISTLE).unlink()


def add_notes(ws: Workspace) -> None:
    with (ws.papers / OFA).open("a", encoding="utf-8") as out:
        out.write("notes: |\n  Compare with *FOCUS*.\n\n  - and [WECHSEL](https://x.org/w)\n")


def add_code_link(ws: Workspace) -> None:
    # Nothing moves on the listings; the statistics page's count of papers with code does.
    _replace(
        ws.papers / OFA,
        "comments: 4\n",
        "comments: 4\nlinks:\n- url: https://github.com/cisnlp/ofa\n  kind: code\n",
    )


def hand_formatted(ws: Workspace) -> None:
    # Not the canonical form: a comment and double quotes (the fast reader declines, PyYAML reads).
    _replace(ws.papers / OFA, "theme: adaptation", 'theme: "adaptation"  # by hand')


EDITS: dict[str, Callable[[Workspace], None]] = {
    "edit": edit_abstract,
    "edit-title": edit_title,
    "add": add_paper,
    "redate": redate,
    "added-date": change_added_date,
    "year-boundary": cross_into_the_year_before,
    "retheme": retheme,
    "retag": retag,
    "delete": delete_paper,
    "notes": add_notes,
    "code-link": add_code_link,
    "hand-formatted": hand_formatted,
}


@pytest.mark.parametrize("edit", EDITS)
def test_cold_warm_and_incremental_builds_are_byte_identical(shipped: Workspace, edit: str):
    ws = shipped
    ws.build()
    ws.assert_same_as_cold()
    EDITS[edit](ws)
    ws.build()
    ws.assert_same_as_cold()
    before = file_times(ws.out)
    result = ws.build()
    ws.assert_same_as_cold()
    assert file_times(ws.out) == before, "a build with nothing changed rewrote files"
    assert result.paper_count == len(list(ws.papers.glob("*.yaml")))


def test_an_edit_rewrites_only_the_files_it_changes(shipped: Workspace) -> None:
    ws = shipped
    ws.build()
    before = read_tree(ws.out), file_times(ws.out)
    edit_abstract(ws)
    ws.build()
    after = read_tree(ws.out), file_times(ws.out)
    changed = {path for path in after[0] if after[0][path] != before[0].get(path)}
    touched = {path for path in after[1] if after[1][path] != before[1].get(path)}
    assert "papers/ofa-a-framework-of-initializing-unseen-subword-embeddings/index.html" in changed
    assert touched == changed  # no file rewritten with the same bytes
    assert len(touched) < len(after[0]) / 3


def test_an_abstract_edit_renders_only_the_pages_that_show_the_paper(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages that only link the paper (the archive's, related papers) show its title and date,
    # not its abstract: they are kept as they are, and so is every other paper's page.
    ws = shipped
    ws.build()
    rendered = _rendered_by_rebuild(ws, monkeypatch, edit_abstract)
    ws.assert_same_as_cold()
    routes = {route for name, route in rendered if name != "card.html"}
    slug = OFA.removesuffix(".yaml")
    assert [name for name, _ in rendered].count("card.html") == 1
    assert f"papers/{slug}/" in routes
    assert "themes/adaptation/" in routes
    assert {"tags/cross-lingual-transfer/", "tags/tokenizer/"} <= routes
    assert not {route for route in routes if route.startswith("archive/")}
    assert not {route for route in routes if route.startswith("papers/")} - {f"papers/{slug}/"}
    assert not {route for route in routes if route.startswith("themes/")} - {"themes/adaptation/"}


@pytest.mark.parametrize(
    ("edit", "archive"),
    [
        # A title shows on its year's page only: the index shows the years' counts.
        (edit_title, {"archive/2024/"}),
        # A new year: the index (its counts), the years the paper left and joined, and the
        # pages of the years beside the new one (their links to it).
        (redate, {"archive/", "archive/2023/", "archive/2022/", "archive/2021/", "archive/2020/"}),
        (add_paper, {"archive/", "archive/2025/"}),
    ],
)
def test_an_edit_renders_only_the_archive_pages_that_show_it(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch, edit, archive: set[str]
) -> None:
    ws = shipped
    ws.build()
    rendered = _rendered_by_rebuild(ws, monkeypatch, edit)
    ws.assert_same_as_cold()
    assert {route for _, route in rendered if route.startswith("archive/")} == archive
    assert {name for name, route in rendered if route.startswith("archive/")} <= {
        "archive.html",
        "year.html",
    }


def test_every_edit_in_turn_with_search(shipped_with_search: Workspace) -> None:
    # Pagefind indexes the pages a cached build wrote or kept: the index is the same as well.
    ws = shipped_with_search
    ws.build()
    ws.assert_same_as_cold()
    for edit in (edit_abstract, add_paper, retheme, delete_paper):
        edit(ws)
        ws.build()
        ws.assert_same_as_cold()


def test_edits_on_a_larger_list_rendered_by_two_processes(synthetic: Workspace) -> None:
    ws = synthetic
    ws.build(jobs=2)
    ws.assert_same_as_cold()
    papers = sorted(ws.papers.glob("*.yaml"))
    before = read_tree(ws.out)
    _replace(papers[3], "abstract: >-\n  ", "abstract: >-\n  Revised. ")
    _replace(papers[7], "theme: ", "theme: x-")  # an unknown theme: the build fails...
    with pytest.raises(ProblemsError, match="unknown theme"):
        ws.build(jobs=2)
    assert read_tree(ws.out) == before
    _replace(papers[7], "theme: x-", "theme: ")  # ...and once fixed, succeeds
    papers[10].unlink()
    ws.build(jobs=2)
    ws.assert_same_as_cold()


# ---------------------------------------------------------------- paginated listings

OFA_PAGE = "/reading-list/papers/" + OFA.removesuffix(".yaml") + "/"


def listing_pages(ws: Workspace, route: str) -> dict[str, bytes]:
    """Return the built pages of a theme's or tag's listing by route, page 1 first."""
    tree = read_tree(ws.out)
    first = route + "index.html"
    later = sorted(
        (path for path in tree if re.fullmatch(re.escape(route) + r"page/\d+/index\.html", path)),
        key=lambda path: int(path.split("/")[-2]),
    )
    return {path.removesuffix("index.html"): tree[path] for path in [first, *later]}


def delete_ofa(ws: Workspace) -> None:
    (ws.papers / OFA).unlink()


@pytest.mark.parametrize("edit", ["edit", "add", "delete", "retheme"])
def test_paginated_builds_are_byte_identical(paginated: Workspace, edit: str) -> None:
    ws = paginated
    ws.build()
    ws.assert_same_as_cold()
    before = listing_pages(ws, "themes/adaptation/")
    assert list(before) == [
        "themes/adaptation/",
        *(f"themes/adaptation/page/{n}/" for n in (2, 3, 4)),
    ]
    {"edit": edit_abstract, "add": add_paper, "delete": delete_ofa, "retheme": retheme}[edit](ws)
    ws.build()
    ws.assert_same_as_cold()
    after = listing_pages(ws, "themes/adaptation/")
    if edit == "add":
        # The newest paper goes first: every page shows other papers than before.
        assert list(after) == list(before)
        assert all(after[route] != before[route] for route in before)
    elif edit in ("delete", "retheme"):
        # Nine papers left: the fourth page goes, and nothing links it any longer.
        assert list(after) == list(before)[:3]
        assert not (ws.out / "themes/adaptation/page/4").exists()
        assert all(b"page/4/" not in page for page in after.values())
    before_times = file_times(ws.out)
    ws.build()
    ws.assert_same_as_cold()
    assert file_times(ws.out) == before_times, "a build with nothing changed rewrote files"


def test_a_paginated_edit_renders_only_the_pages_that_hold_the_paper(
    paginated: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = paginated
    ws.build()
    holding = {
        route
        for listing in ("themes/adaptation/", "tags/cross-lingual-transfer/", "tags/tokenizer/")
        for route, html in listing_pages(ws, listing).items()
        if f'href="{OFA_PAGE}"'.encode() in html
    }
    assert len(holding) == 3
    assert sum("/page/" in path for path in read_tree(ws.out)) > 5
    rendered = _rendered_by_rebuild(ws, monkeypatch, edit_abstract)
    ws.assert_same_as_cold()
    listings = [route for name, route in rendered if name in ("theme.html", "tag.html")]
    assert sorted(listings) == sorted(holding)


def _rendered_by_rebuild(ws: Workspace, monkeypatch, change) -> list[tuple[str, str]]:
    """Make `change`, rebuild in this process, and return each template the rebuild rendered
    with the route of the page it rendered ("" for a template without one, such as a card)."""

    def rendered(env, name: str, context: object) -> tuple[str, str]:
        page = getattr(context, "page", None)
        return name, page.route if page is not None else ""

    return _calls_in_rebuild(ws, monkeypatch, change, templates, "render_template", rendered)


def _calls_in_rebuild(ws: Workspace, monkeypatch, change, module, name: str, note) -> list:
    """Make `change`, rebuild in this process, and return `note(*arguments)` of each call the
    rebuild made to `module.name`."""
    calls: list = []
    original = getattr(module, name)

    def spy(*arguments):
        calls.append(note(*arguments))
        return original(*arguments)

    monkeypatch.setattr(module, name, spy)
    change(ws)
    ws.build(jobs=1)
    monkeypatch.undo()
    return calls


def test_an_abstract_edit_keeps_the_bibliographies_and_a_title_edit_remakes_them(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bibliography lists every paper's BibTeX entry, which shows no abstract: remade after an
    # abstract's edit, it read 10,000 entries at 10k papers, to write what was there.
    ws = shipped
    ws.build()

    def address(title: str, url: str, entries) -> str:
        return url

    def bibliographies_made_by_rebuild(change) -> list[str]:
        return _calls_in_rebuild(ws, monkeypatch, change, render, "bibliography", address)

    assert bibliographies_made_by_rebuild(edit_abstract) == []
    ws.assert_same_as_cold()
    # Every paper's, and that of the theme of the paper retitled.
    assert len(bibliographies_made_by_rebuild(edit_title)) == 2
    ws.assert_same_as_cold()


def test_digests_kept_from_the_last_build_are_the_ones_worked_out_afresh(
    shipped: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After an edit, a paper page's digest is worked out only for the papers that changed and
    # the papers that show them as related, and a listing's only if it shows a changed paper;
    # the others keep the last build's. Those must be what working them all out gives: a build
    # that works out every digest reuses every page the edit did not touch.
    ws = shipped
    ws.build()
    worked_out: list[str] = []
    original = digests.PaperInputs._work_out

    def counting(self: digests.PaperInputs, slug: str) -> tuple[str, str]:
        worked_out.append(slug)
        return original(self, slug)

    monkeypatch.setattr(digests.PaperInputs, "_work_out", counting)
    edit_title(ws)  # WHISTLE's title shows on its related papers' pages
    ws.build(jobs=1)
    paper_count = len(list(ws.papers.glob("*.yaml")))
    whistle = WHISTLE.removesuffix(".yaml")
    assert whistle in worked_out
    assert 1 < len(set(worked_out)) < paper_count / 2
    monkeypatch.undo()

    never = lambda self, slugs: [False] * len(slugs)  # noqa: E731
    monkeypatch.setattr(digests.PaperInputs, "as_before_many", never)
    monkeypatch.setattr(digests.PaperInputs, "listing_as_before", lambda self, shown: False)
    rendered = _rendered_by_rebuild(ws, monkeypatch, edit_abstract)
    routes = {route for _, route in rendered}
    slug = OFA.removesuffix(".yaml")
    assert {route for route in routes if route.startswith("papers/")} == {f"papers/{slug}/"}
    listings = {route for route in routes if route.startswith(("themes/", "tags/", "archive/"))}
    assert listings - {"tags/"} == {  # the index of tags is made by every build
        "themes/adaptation/",
        "tags/cross-lingual-transfer/",
        "tags/tokenizer/",
    }
    ws.assert_same_as_cold()


def test_a_listing_that_loses_its_second_page_is_then_updated_in_place(
    paginated: Workspace,
) -> None:
    # The second page goes, and with it its parent directory (`page/`, left empty). The build's
    # record of the output must not list that directory: the next build would find the output
    # changed by hand and write the whole site afresh.
    ws = paginated
    ws.build()
    tree = read_tree(ws.out)
    two_pages = sorted(
        path.removesuffix("page/2/index.html")
        for path in tree
        if path.startswith("tags/")
        and path.endswith("/page/2/index.html")
        and path.replace("/page/2/", "/page/3/") not in tree
    )
    assert two_pages
    tag = two_pages[0].split("/")[1]
    tagged = [
        path
        for path in sorted(ws.papers.glob("*.yaml"))
        if re.search(rf"(?m)^tags: \[.*\b{tag}\b.*, |^tags: \[.*, {tag}\]", path.read_text())
    ]
    for path in tagged[: len(tagged) - 3]:  # three papers left: one page
        text = path.read_text(encoding="utf-8")
        text = re.sub(rf"(?m)^(tags: \[.*?)(\b{tag}, |, {tag}\])", _untag, text, count=1)
        path.write_text(text, encoding="utf-8")
    ws.build()
    ws.assert_same_as_cold()
    assert not (ws.out / "tags" / tag / "page").exists()
    before = file_times(ws.out)
    edit_abstract(ws)
    ws.build()
    ws.assert_same_as_cold()
    after = file_times(ws.out)
    assert sum(after[path] != before.get(path) for path in after) < len(after) / 3


def _untag(match: re.Match) -> str:
    return match.group(1) + ("]" if match.group(2).endswith("]") else "")


def test_a_paper_that_leaves_the_newest_additions(shipped: Workspace) -> None:
    # The newest addition counts as added when it was published, long before: it leaves the
    # home page's newest additions and the next paper comes in. No theme, tag, year or
    # publication order changes, and (themes' newest off) the home page lists no changed paper.
    ws = shipped
    _replace(ws.content / "site.yaml", "home_theme_papers: 3", "home_theme_papers: 0")
    ws.build()
    papers = _papers_newest_first(ws)
    assert len({fields["added"] for _, fields in papers}) == 1  # additions in publication order
    name, fields = papers[0]
    added, published = fields["added"].isoformat(), fields["published"].isoformat()
    home_before = (ws.out / "index.html").read_bytes()
    _replace(ws.papers / name, f"added: {added}", f"added: {published}")
    ws.build()
    ws.assert_same_as_cold()
    assert (ws.out / "index.html").read_bytes() != home_before
