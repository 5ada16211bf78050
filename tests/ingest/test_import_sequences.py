"""Random sequences of curator edits and newer scrapes, each imported in turn: import never
undoes what a curator set, refreshes what nobody touched, and a second import of the same
listing changes nothing.

test_import.py checks each rule on one edit; here the edits pile up: a theme chosen, then the
abstract rewritten, then a scrape that changed that abstract and the comment count, papers
leaving the listing and coming back. The sequences are drawn from fixed seeds, so a failure
names a sequence that can be replayed.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
import yaml

from papershelf.ingest import ImportOptions, run_import
from tests.benchmarks.synthetic import synthetic_entry
from tests.ingest.conftest import hf_text

STEPS = 12
POOL = 40  # papers that may be listed
LISTED = 25  # listed in the first scrape


def scraped_entry(index: int) -> dict:
    """Return a synthetic paper as `hf_text` takes it (its date line split into the date and
    the comment count)."""
    entry = synthetic_entry(index)
    date = re.fullmatch(r"(\w+ \d+, \d{4})(?: (\d+))?", entry["date"])
    assert date is not None, entry["date"]
    credit = entry["credit"].strip()
    authors = re.fullmatch(r"• (\d+) authors", credit)
    return {
        "title": entry["title"],
        "abstract": entry["abstract"],
        "date": date[1],
        "comments": int(date[2]) if date[2] else None,
        **({"authors": int(authors[1])} if authors else {"org": entry["credit"]}),
    }


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def before_abstract(text: str, line: str) -> str:
    return re.sub(r"(?m)^abstract:", lambda _: f"{line}\nabstract:", text, count=1)


def replace_key(text: str, key: str, value: str) -> str:
    """Replace a top-level key and the lines indented under it (a folded scalar)."""
    dumped = yaml.safe_dump({key: value}, allow_unicode=True, width=1000)
    return re.sub(rf"(?m)^{key}:.*\n(?:  .*\n)*", lambda _: dumped, text, count=1)


class Curator:
    """Edits paper files as a curator would, and remembers what it set."""

    def __init__(self, rng: random.Random, papers: Path, vocabulary: dict) -> None:
        self.rng = rng
        self.papers = papers
        self.themes = [theme["id"] for theme in vocabulary["themes"]]
        self.tags = [tag["id"] for tag in vocabulary["tags"]]
        self.values: dict[str, dict[str, object]] = {}  # file name: {field: value set}
        self.comments: dict[str, list[str]] = {}  # file name: comment lines added

    def edit(self) -> str:
        path = self.rng.choice(sorted(self.papers.glob("*.yaml")))
        text = path.read_text(encoding="utf-8")
        kind = self.rng.choice(("theme", "tags", "title", "abstract", "notes", "arxiv", "comment"))
        values = self.values.setdefault(path.name, {})
        if kind == "theme":
            values["theme"] = theme = self.rng.choice(self.themes)
            text = re.sub(r"(?m)^theme:.*\n", "", text)
            text = before_abstract(text, f"theme: {theme}")
        elif kind == "tags":
            values["tags"] = tags = sorted(self.rng.sample(self.tags, self.rng.randint(1, 3)))
            text = re.sub(r"(?m)^tags:.*\n", "", text)
            text = before_abstract(text, f"tags: [{', '.join(tags)}]")
        elif kind in ("title", "abstract"):
            word = self.rng.choice(("Revised", "Über", "Curated:"))
            values[kind] = value = f"{word} {read(path)[kind]}"
            text = replace_key(text, kind, value)
        elif kind == "notes":
            values["notes"] = notes = f"Read section {self.rng.randint(1, 9)} **first**."
            text = re.sub(r"(?m)^notes:.*\n", "", text)
            text = before_abstract(text, f"notes: {notes}")
        elif kind == "arxiv":
            values["arxiv"] = arxiv = (
                f"24{self.rng.randint(1, 12):02d}.{self.rng.randint(10000, 99999)}"
            )
            text = re.sub(r"(?m)^arxiv:.*\n", "", text)
            text = before_abstract(text, f"arxiv: '{arxiv}'")
        else:
            comment = f"# checked against the PDF, {self.rng.randint(1, 99)}"
            self.comments.setdefault(path.name, []).append(comment)
            text += f"{comment}\n"
        path.write_text(text, encoding="utf-8")
        return f"curator set {kind} of {path.name}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_imports_keep_curators_values_and_refresh_the_rest(workspace: Path, seed: int) -> None:
    rng = random.Random(seed)
    content = workspace / "content"
    papers = content / "papers"
    curator = Curator(rng, papers, read(content / "themes.yaml"))
    pool = {index: scraped_entry(index) for index in range(POOL)}
    listed = set(rng.sample(sorted(pool), LISTED))
    day = dt.date(2026, 2, 1)
    done: list[str] = []

    def import_listing() -> None:
        listing = workspace / "listing.txt"
        listing.write_text(hf_text([pool[index] for index in sorted(listed)]), encoding="utf-8")
        run_import(ImportOptions((listing,), content, scraped_on=day))  # raises on an error

    import_listing()
    for _ in range(STEPS):
        done += [curator.edit() for _ in range(rng.randint(0, 3))]
        for index in rng.sample(sorted(listed), rng.randint(0, 4)):
            entry, change = pool[index], rng.choice(("comments", "authors", "abstract"))
            if change == "comments":
                entry["comments"] = rng.randint(1, 40)
            elif change == "authors" and "authors" in entry:
                entry["authors"] = rng.randint(1, 40)
            else:
                entry["abstract"] += f" We add {rng.randint(1, 99)} results."
            done.append(f"scrape changed {change} of paper {index}")
        if rng.random() < 0.4:
            listed ^= set(rng.sample(sorted(pool), 3))
            done.append("papers left the listing or joined it")
        day += dt.timedelta(days=1)
        import_listing()
        done.append("import")

        for name, values in curator.values.items():
            paper = read(papers / name)
            for key, value in values.items():
                found = sorted(paper.get(key) or []) if key == "tags" else paper.get(key)
                assert found == value, f"after {done}: {name} has {key} {found!r}, set {value!r}"
        for name, comments in curator.comments.items():
            text = (papers / name).read_text(encoding="utf-8")
            assert all(comment in text for comment in comments), f"after {done}: {name}"
        by_title = {read(path)["title"]: path for path in papers.glob("*.yaml")}
        for index in listed:
            entry = pool[index]
            path = by_title.get(entry["title"])
            if path is None:  # its title was edited: the curator's
                continue
            paper, kept = read(path), curator.values.get(path.name, {})
            if "abstract" not in kept:
                assert paper["abstract"].split() == entry["abstract"].split(), (
                    f"after {done}: {path.name}'s abstract is not the newer scrape's"
                )
            if entry["comments"]:
                assert paper.get("comments") == entry["comments"], f"after {done}: {path.name}"

        imported = {path.name: path.read_bytes() for path in papers.glob("*.yaml")}
        import_listing()
        again = {path.name: path.read_bytes() for path in papers.glob("*.yaml")}
        changed = sorted(name for name in again if again[name] != imported.get(name))
        assert again == imported, f"after {done}: the same listing again changed {changed}"
