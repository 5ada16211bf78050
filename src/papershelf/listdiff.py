"""`papershelf diff`: what a change does to the reading list, as Markdown for a pull request."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from papershelf.canonical import paper_values
from papershelf.content import PAPER_SUFFIXES, PAPERS_DIR, paper_from_text
from papershelf.errors import Location, Problem, ProblemsError
from papershelf.load import decode_text
from papershelf.model import Paper, Taxonomy
from papershelf.text import latex_to_plain

NO_THEME = "(no theme)"


@dataclass(frozen=True)
class PaperChange:
    kind: str  # "added", "removed", "rethemed" or "edited"
    slug: str
    title: str
    theme: str | None
    old_theme: str | None = None
    fields: tuple[str, ...] = ()


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        message = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed"
        raise ProblemsError([Problem(Location(str(repo)), f"git {args[0]}: {message}")])
    return result.stdout


def default_base(repo: Path) -> str:
    """Return the merge base with the main branch, the natural base of a pull request."""
    for candidate in ("origin/HEAD", "origin/main", "main", "origin/master", "master"):
        probe = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            return git(repo, "merge-base", "HEAD", candidate).strip()
    return "HEAD"


def papers_at(
    repo: Path, ref: str, content_dir: Path, current: Mapping[str, Paper] | None = None
) -> dict[str, Paper]:
    """Read the paper files as they were at a git revision. `current`: the papers as the
    working tree has them, by slug; a file whose bytes at `ref` are the working tree's is
    taken from there rather than read from git and parsed again."""
    prefix = (content_dir.resolve().relative_to(repo.resolve()) / PAPERS_DIR).as_posix()
    # One line per file, NUL-ended (names as they are): "<mode> blob <object id>\t<name>".
    listed = git(repo, "ls-tree", "-r", "-z", ref, "--", prefix).split("\0")
    papers: dict[str, Paper] = {}
    wanted: list[tuple[str, str]] = []  # (object id, name) of the files to read from git
    for line in filter(None, listed):
        info, name = line.split("\t", 1)
        object_id = info.split()[2]
        if PurePosixPath(name).suffix not in PAPER_SUFFIXES:
            continue
        paper = (current or {}).get(PurePosixPath(name).stem)
        if paper is not None and _object_id(repo / name, object_id) == object_id:
            papers[paper.slug] = paper
        else:
            wanted.append((object_id, name))
    for (_, name), raw in zip(wanted, _blobs(repo, [oid for oid, _ in wanted]), strict=True):
        text, problem = decode_text(raw, f"{ref}:{name}")
        paper = paper_from_text(text, f"{ref}:{name}")[0] if problem is None else None
        if paper is not None:
            papers[paper.slug] = paper
    return papers


def _object_id(path: Path, like: str) -> str:
    """Return the id git gives a file's bytes as a blob (of the length of `like`: SHA-1 or
    SHA-256), or "" if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    digest = hashlib.sha1 if len(like) == 40 else hashlib.sha256  # git's two kinds of id
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


def _blobs(repo: Path, object_ids: Sequence[str]) -> list[bytes]:
    """Return the bytes of git objects, read by one `git cat-file` (a process per file took
    80 s for 10,000 papers)."""
    if not object_ids:
        return []
    result = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{oid}\n" for oid in object_ids).encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip() or "failed"
        raise ProblemsError([Problem(Location(str(repo)), f"git cat-file: {message}")])
    out, at, blobs = result.stdout, 0, []
    for _ in object_ids:  # each: "<id> <type> <size>\n", the bytes, "\n"
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        blobs.append(out[header_end + 1 : header_end + 1 + size])
        at = header_end + 1 + size + 1
    return blobs


def compare(old: Mapping[str, Paper], new: Mapping[str, Paper]) -> list[PaperChange]:
    """Return the changes from `old` to `new`, ordered by kind then slug."""
    changes: list[PaperChange] = []
    for slug in sorted(old.keys() | new.keys()):
        before, after = old.get(slug), new.get(slug)
        if before is None:
            changes.append(PaperChange("added", slug, after.title, after.theme))
        elif after is None:
            changes.append(PaperChange("removed", slug, before.title, before.theme))
        elif before.theme != after.theme:
            changes.append(PaperChange("rethemed", slug, after.title, after.theme, before.theme))
        else:
            old_values, new_values = paper_values(before), paper_values(after)
            fields = tuple(
                k
                for k in sorted(old_values.keys() | new_values.keys())
                if old_values.get(k) != new_values.get(k)
            )
            if fields:
                changes.append(PaperChange("edited", slug, after.title, after.theme, fields=fields))
    return changes


def format_markdown(
    changes: Sequence[PaperChange], taxonomy: Taxonomy | None, site_url: str, base: str
) -> str:
    """Return the changes as Markdown: a count line, then one section per theme."""
    if not changes:
        return f"### Reading list\n\nNo paper changes against `{base}`.\n"
    counts = {
        kind: sum(c.kind == kind for c in changes)
        for kind in ("added", "removed", "rethemed", "edited")
    }
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    lines = [f"### Reading list: {summary}", "", f"Compared with `{base}`."]
    titles = {t.id: t.title for t in taxonomy.themes} if taxonomy else {}
    order = [*titles, NO_THEME]
    by_theme: dict[str, list[PaperChange]] = {}
    for change in changes:
        by_theme.setdefault(change.theme or NO_THEME, []).append(change)
    for theme in sorted(by_theme, key=lambda t: (order.index(t) if t in order else len(order), t)):
        lines += ["", f"#### {titles.get(theme, theme)}", ""]
        lines += [_line(change, site_url, titles) for change in by_theme[theme]]
    return "\n".join(lines) + "\n"


def _line(change: PaperChange, site_url: str, titles: Mapping[str, str]) -> str:
    title = _escape(latex_to_plain(change.title))
    link = f"[{title}]({site_url.rstrip('/')}/papers/{change.slug}/)"
    if change.kind == "added":
        return f"- **added** {link}"
    if change.kind == "removed":
        return f"- **removed** {title} (`{change.slug}`)"
    if change.kind == "rethemed":
        old = titles.get(change.old_theme or "", change.old_theme or NO_THEME)
        return f"- **re-themed** {link}: from {old}"
    return f"- **edited** {link}: {', '.join(change.fields)}"


def _escape(text: str) -> str:
    # Titles are data: keep Markdown from reading brackets, emphasis or HTML in them.
    for char in "\\[]*_`<>":
        text = text.replace(char, "\\" + char)
    return text
