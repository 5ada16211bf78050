"""`papershelf fmt`: the canonical form is idempotent and loses no value."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papershelf.canonical import dump_paper, paper_values
from papershelf.load import parse_yaml
from papershelf.model import Authors, Link, Organization, Paper, Provenance
from papershelf.validate import paper_from_document
from tests.ingest.conftest import run_cli


def reload(text: str, name: str = "content/papers/x.yaml") -> Paper:
    doc, problems = parse_yaml(text, name)
    assert doc is not None, problems
    paper, problems = paper_from_document(doc)
    assert paper is not None, problems
    return paper


def test_every_shipped_paper_is_canonical_and_round_trips(repo_root: Path):
    files = sorted((repo_root / "content" / "papers").glob("*.yaml"))
    assert files, "the repository ships content/papers"
    for path in files:
        text = path.read_text(encoding="utf-8")
        paper = reload(text, str(path))
        assert dump_paper(paper) == text, f"{path.name} is not in canonical form"
        assert yaml.safe_load(dump_paper(paper)) == yaml.safe_load(text)


def test_fmt_rewrites_a_hand_edited_file_without_changing_values(tmp_path: Path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    messy = (
        'abstract: "We study   spacing.\\nAnd lines."\n'
        "tags:\n  - asr\n  - low-resource\n"
        "published: '2024-02-03'\n"
        'title: "A Title: With Colon"\n'
        "links: ['https://github.com/a/b']\n"
    )
    path = papers / "a-title.yaml"
    path.write_text(messy, encoding="utf-8")
    check = run_cli("fmt", "--check", cwd=tmp_path)
    assert check.returncode == 1
    assert "would reformat content/papers/a-title.yaml" in check.stdout
    assert path.read_text(encoding="utf-8") == messy, "--check writes nothing"

    assert run_cli("fmt", cwd=tmp_path).returncode == 0
    formatted = path.read_text(encoding="utf-8")
    assert formatted.startswith("title: 'A Title: With Colon'\npublished: 2024-02-03\n")
    before, after = yaml.safe_load(messy), yaml.safe_load(formatted)
    assert after["abstract"] == before["abstract"]
    assert after["tags"] == before["tags"]
    assert after["links"] == [{"url": "https://github.com/a/b", "kind": "other"}]
    again = run_cli("fmt", "--check", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    assert "0 files would be reformatted, 1 unchanged" in again.stderr


def test_fmt_keeps_a_curators_comments_by_their_keys(tmp_path: Path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    commented = (
        "# Checked against the PDF.\n"
        "tags: [asr]  # asr only\n"
        "published: '2024-02-03'\n"
        "# The published title, not the preprint's.\n"
        'title: "A Title: With Colon"\n'
        "abstract: >-  # as on arXiv\n"
        "  A #1 result, # not a comment.\n"
        "# The end.\n"
    )
    path = papers / "a-title.yaml"
    path.write_text(commented, encoding="utf-8")
    assert run_cli("fmt", cwd=tmp_path).returncode == 0
    formatted = path.read_text(encoding="utf-8")
    assert formatted == (
        "# Checked against the PDF.\n"
        "# The published title, not the preprint's.\n"
        "title: 'A Title: With Colon'\n"
        "published: 2024-02-03\n"
        "tags: [asr]  # asr only\n"
        "abstract: 'A #1 result, # not a comment.'  # as on arXiv\n"
        "# The end.\n"
    )
    assert yaml.safe_load(formatted) == yaml.safe_load(commented) | {
        "published": dt.date(2024, 2, 3)
    }
    again = run_cli("fmt", "--check", cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def test_a_line_separator_inside_a_value_does_not_move_the_comments(tmp_path: Path):
    """PyYAML counts U+2028 as a line break, which text pasted from a PDF may hold."""
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    path = papers / "t.yaml"
    path.write_text(
        "published: '2024-02-03'\n"
        'abstract: "One\\u2028two."  # beside the abstract\n'
        "title: T  # beside the title\n",
        encoding="utf-8",
    )
    assert run_cli("fmt", cwd=tmp_path).returncode == 0
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "title: T  # beside the title"
    assert lines[2].startswith("abstract: ") and lines[2].endswith("  # beside the abstract")


def test_fmt_leaves_a_file_alone_rather_than_lose_a_comment_it_cannot_place(tmp_path: Path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    commented = (
        "published: '2024-02-03'\n"
        "title: A Title\n"
        "abstract: Text.\n"
        "authors:\n"
        "  count: 3  # says the PDF\n"
    )
    path = papers / "a-title.yaml"
    path.write_text(commented, encoding="utf-8")
    result = run_cli("fmt", cwd=tmp_path)
    assert result.returncode == 1
    assert path.read_text(encoding="utf-8") == commented
    assert (
        "content/papers/a-title.yaml:5: error: not reformatted: the comment on this line is "
        "inside a value, where a rewritten file cannot keep it"
    ) in result.stderr


def test_fmt_leaves_an_invalid_file_alone_and_says_why(tmp_path: Path):
    papers = tmp_path / "content" / "papers"
    papers.mkdir(parents=True)
    path = papers / "broken.yaml"
    path.write_text("title: x\npublished: 2024-13-01\nabstract: y\n", encoding="utf-8")
    result = run_cli("fmt", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "content/papers/broken.yaml:2:1: error: 'published' must be a date YYYY-MM-DD, "
        "got '2024-13-01'"
    )
    assert path.read_text(encoding="utf-8") == "title: x\npublished: 2024-13-01\nabstract: y\n"


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
    min_size=1,
    max_size=300,
).filter(lambda s: s.strip() != "")
_word = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10)
_slugs = st.lists(_word, min_size=1, max_size=4).map("-".join)
_dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))
_urls = st.builds(
    lambda host, path: f"https://{host}.org/{path}",
    _word,
    st.text(string.ascii_letters + "-_/.", max_size=30),
)


@st.composite
def papers(draw) -> Paper:
    return Paper(
        slug="x",
        title=draw(_text),
        abstract=draw(st.one_of(_text, st.lists(_text, min_size=2, max_size=4).map("\n\n".join))),
        published=draw(_dates),
        path="content/papers/x.yaml",
        added=draw(st.none() | _dates),
        arxiv=draw(st.none() | st.from_regex(r"\A\d{4}\.\d{4,5}\Z")),
        theme=draw(st.none() | _slugs),
        tags=tuple(draw(st.lists(_slugs, max_size=4, unique=True))),
        authors=draw(
            st.none()
            | st.builds(
                Authors, st.integers(1, 500), st.lists(_text, max_size=3).map(tuple)
            ).filter(lambda a: a.count >= len(a.names))
        ),
        organization=draw(st.none() | st.builds(Organization, _text, st.none() | _word)),
        upvotes=draw(st.none() | st.integers(0, 10_000)),
        comments=draw(st.none() | st.integers(0, 10_000)),
        links=tuple(
            draw(
                st.lists(
                    st.builds(Link, _urls, st.sampled_from(["code", "paper", "other"])),
                    max_size=3,
                    unique_by=lambda link: link.url,
                )
            )
        ),
        notes=draw(st.none() | _text),
        provenance=draw(
            st.none()
            | st.builds(
                Provenance,
                _text,
                st.none() | _dates,
                st.dictionaries(
                    st.sampled_from(["title", "abstract", "theme"]),
                    st.from_regex(r"\A[0-9a-f]{12}\Z"),
                    max_size=3,
                ).map(lambda d: tuple(sorted(d.items()))),
            )
        ),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(papers())
def test_canonical_form_round_trips_generated_papers(paper: Paper):
    text = dump_paper(paper)
    back = reload(text)
    assert paper_values(back) == paper_values(paper)
    assert back.provenance == paper.provenance
    assert dump_paper(back) == text, "formatting is idempotent"


def _mixed_papers(root: Path, repo_root: Path) -> tuple[list[Path], list[str]]:
    """Write the shipped papers, a third of them out of canonical form, and two files that are
    not valid papers; return them in the order fmt is given them, and those out of form."""
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    moved = []
    for number, shipped in enumerate(sorted((repo_root / "content" / "papers").glob("*.yaml"))):
        text = shipped.read_text(encoding="utf-8")
        if number % 3 == 0:  # the date first: the same values, out of order
            (published,) = (line for line in text.splitlines() if line.startswith("published:"))
            text = f"{published}\n" + text.replace(f"{published}\n", "", 1)
            moved.append(f"content/papers/{shipped.name}")
        (papers / shipped.name).write_text(text, encoding="utf-8")
    (papers / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (papers / "untitled.yaml").write_text("published: 2024-01-01\n", encoding="utf-8")
    return sorted(papers.glob("*.yaml")), moved


def test_fmt_on_two_processes_matches_one(tmp_path: Path, repo_root: Path, monkeypatch):
    from papershelf import fmt

    monkeypatch.setattr(fmt, "MIN_FILES_PER_PROCESS", 1)
    seen = []
    for cores in (1, 2):
        monkeypatch.setattr(fmt, "cpu_count", lambda cores=cores: cores)
        root = tmp_path / f"cores{cores}"
        paths, moved = _mixed_papers(root, repo_root)
        monkeypatch.chdir(root)
        checked = fmt.format_files([p.relative_to(root) for p in paths], check=True)
        written = fmt.format_files([p.relative_to(root) for p in paths], check=False)
        after = {p.name: p.read_text(encoding="utf-8") for p in paths}
        seen.append((checked, written, after))
    assert seen[0] == seen[1]
    checked = seen[0][0]
    assert list(checked.changed) == moved
    assert checked.unchanged == len(paths) - len(moved) - 2
    # Each file written back as the repository ships it: in canonical form.
    shipped = {
        p.name: p.read_text(encoding="utf-8")
        for p in (repo_root / "content" / "papers").glob("*.yaml")
    }
    assert {name: text for name, text in seen[0][2].items() if name in shipped} == shipped
    assert {p.location.path for p in checked.problems} == {
        "content/papers/broken.yaml",
        "content/papers/untitled.yaml",
    }


def test_a_record_of_canonical_files_spares_work_and_never_changes_the_answer(
    tmp_path: Path, repo_root: Path, monkeypatch
):
    from papershelf import fmt
    from papershelf.cache import CanonicalFiles

    paths, moved = _mixed_papers(tmp_path, repo_root)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(fmt, "cpu_count", lambda: 1)  # in this process, where the spy is
    worked_out: list[str] = []
    original = fmt.canonical_text

    def spied(path: Path, raw: bytes | None = None):
        worked_out.append(path.name)
        return original(path, raw)

    monkeypatch.setattr(fmt, "canonical_text", spied)
    relative = [p.relative_to(tmp_path) for p in paths]
    cache = tmp_path / ".papershelf-cache"
    without = fmt.format_files(relative, check=True)
    assert fmt.format_files(relative, check=True, record=CanonicalFiles(cache)) == without
    worked_out.clear()
    assert fmt.format_files(relative, check=True, record=CanonicalFiles(cache)) == without
    # Only the files out of form, and the two that are not valid papers, are worked out again.
    invalid = ["broken.yaml", "untitled.yaml"]
    assert sorted(worked_out) == sorted([Path(path).name for path in moved] + invalid)

    # A known file edited out of form, and a known file's bytes under a name that is not a
    # slug, are found as without a record.
    known = [p for p in paths if f"content/papers/{p.name}" not in moved + invalid]
    edited, copied = known[0], known[1]
    text = edited.read_text(encoding="utf-8")
    (published,) = (line for line in text.splitlines() if line.startswith("published:"))
    edited.write_text(f"{published}\n" + text.replace(f"{published}\n", "", 1), encoding="utf-8")
    renamed = tmp_path / "content" / "papers" / "Not A Slug.yaml"
    renamed.write_bytes(copied.read_bytes())
    relative.append(renamed.relative_to(tmp_path))
    with_record = fmt.format_files(relative, check=True, record=CanonicalFiles(cache))
    assert with_record == fmt.format_files(relative, check=True)
    assert f"content/papers/{edited.name}" in with_record.changed
    assert any("'Not A Slug' is not a slug" in p.message for p in with_record.problems)


def test_a_damaged_record_is_no_record(tmp_path: Path, repo_root: Path):
    _, moved = _mixed_papers(tmp_path, repo_root)
    first = run_cli("fmt", "--check", cwd=tmp_path)
    record = tmp_path / ".papershelf-cache" / "canonical.pickle"
    assert record.is_file()
    # Garbage, or cut short (a full disk): every file is worked out, as in the first run.
    for damaged in (b"garbage", record.read_bytes()[:-20]):
        record.write_bytes(damaged)
        result = run_cli("fmt", "--check", cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (
            1,
            first.stdout,
            first.stderr,
        )
        assert result.stdout.splitlines() == [f"would reformat {path}" for path in moved]
