"""Every feed of the built site reads cleanly in feedparser and follows its format's rules."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.feeds import _Element, _element, _xml_bytes, _xml_text

from .feedcheck import atom_problems, feed_kind, json_feed_problems, opml_problems, rss_problems
from .problems import assert_no_problems
from .served import ServedSite

CHECKS = {"rss": rss_problems, "atom": atom_problems, "json": json_feed_problems}


def _feeds(site: ServedSite) -> dict[str, list]:
    feeds: dict[str, list] = {kind: [] for kind in CHECKS}
    for path in site.files("*.xml") + site.files("*.json"):
        if (kind := feed_kind(path)) is not None:
            feeds[kind].append(path)
    return feeds


def test_every_xml_file_but_the_sitemap_is_a_feed(site: ServedSite) -> None:
    unknown = [
        path.relative_to(site.out_dir).as_posix()
        for path in site.files("*.xml")
        if path.name != "sitemap.xml" and feed_kind(path) is None
    ]
    assert_no_problems(unknown, "XML files that are neither RSS 2.0 nor Atom feeds")


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_feeds_follow_their_format(site: ServedSite, kind: str) -> None:
    feeds = _feeds(site)[kind]
    assert feeds, f"the built site has no {kind} feed"
    problems = [problem for path in feeds for problem in CHECKS[kind](path, site)]
    assert_no_problems(problems, f"problems in {len(feeds)} {kind} feeds")


def test_site_and_every_theme_and_tag_offer_all_three_formats(site: ServedSite) -> None:
    channels = [site.out_dir] + [
        page.parent
        for section in ("themes", "tags")
        for page in site.files(f"{section}/*/index.html")
    ]
    formats = {"feed.xml": "rss", "atom.xml": "atom", "feed.json": "json"}
    missing = [
        f"{site.url_for(channel / name)}: missing or not {kind}"
        for channel in channels
        for name, kind in formats.items()
        if not (channel / name).is_file() or feed_kind(channel / name) != kind
    ]
    assert_no_problems(missing, "feeds missing")


def test_opml_lists_every_feed_channel(site: ServedSite) -> None:
    opml = site.out_dir / "feeds.opml"
    assert opml.is_file(), "feeds.opml was not built"
    feeds = [path for paths in _feeds(site).values() for path in paths]
    assert_no_problems(opml_problems(opml, site, feeds), "problems in feeds.opml")


# Each defect of the fixture's feeds, as the start of the problem line that must report it.
BROKEN_FIXTURE_PROBLEMS = [
    "feed.xml:3: <channel> needs one non-empty <description>, has 0",
    "feed.xml:6: <lastBuildDate>: 'Mon, 06 Jan 2026 00:00:00 +0000': 2026-01-06 is a Tuesday",
    "feed.xml:3: needs exactly one atom:link rel='self', has 0",
    "feed.xml:9: item 1 <link>: '/reading-list/papers/ok/' is not absolute",
    "feed.xml:10: item 1 permalink <guid>: 'ok-paper' is not absolute",
    "feed.xml:11: item 1 <pubDate>: '2026-01-05' is not an RFC 822 date-time",
    "feed.xml:12: item 1 <description> content links to relative URL '../papers/ok/'",
    "feed.xml:16: item 2 <link>: '@BASE@papers/missing/' names no built file",
    "feed.xml: guid 'ok-paper' is used by 2 items",
    "atom.xml:2: feed needs exactly one <title>, has 2",
    "atom.xml:7: feed <updated>: '2026-01-05' is not an RFC 3339 date-time",
    "atom.xml:8: rel='self' href '@BASE@feed.xml' is not the feed's own URL '@BASE@atom.xml'",
    "atom.xml:9: entry 1 needs exactly one <updated>, has 0",
    "atom.xml:10: entry 1 <id> 'papers/ok/' is not an absolute IRI",
    "atom.xml:9: entry 1 has no <author><name>, and neither has the feed",
    "atom.xml:5: '@BASE@assets/icon.png' names no built file",
    "themes/unlisted/feed.xml: not well-formed XML: Entity 'nbsp' not defined",
    "themes/unlisted/feed.xml: feedparser: ",
    "feed.json: /: 'colour' does not match any of the regexes",
    "feed.json: /items/0/date_published: '2026-01-05' does not match",
    "feed.json: /items/0/url: '/reading-list/papers/ok/' does not match",
    "feed.json: /items/1: ",
    "feed.json: feed_url '@BASE@feed.xml' is not its own URL",
    "feed.json: item id '1' is used by 2 items",
    "feed.json: /items/0/url: '/reading-list/papers/ok/' is not absolute",
    "feed.json: '@BASE@assets/icon.png' names no built file",
    "feeds.opml:5: xmlUrl: '@BASE@themes/gone/feed.xml' names no built file",
    "feeds.opml:6: <outline> needs a text attribute",
    "feeds.opml: no outline offers the feeds of @BASE@themes/unlisted/",
]


def test_feed_checks_report_each_defect_of_the_broken_fixture(broken_site: ServedSite) -> None:
    feeds = _feeds(broken_site)
    all_feeds = [path for paths in feeds.values() for path in paths]
    found = [
        problem for path in all_feeds for problem in CHECKS[feed_kind(path)](path, broken_site)
    ]
    found += opml_problems(broken_site.out_dir / "feeds.opml", broken_site, all_feeds)
    # The copy of atom.xml under themes/unlisted/ repeats atom.xml's defects.
    found = [p for p in found if not p.startswith("themes/unlisted/atom.xml")]
    expected = [line.replace("@BASE@", broken_site.base_url) for line in BROKEN_FIXTURE_PROBLEMS]
    unreported = [e for e in expected if not any(p.startswith(e) for p in found)]
    unexpected = [p for p in found if not any(p.startswith(e) for e in expected)]
    assert (unreported, unexpected) == ([], [])


# ---------------------------------------------------------------- the XML writer

TAGS = st.sampled_from(["rss", "channel", "item", "atom:link", "entry", "outline"])
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["href", "rel", "type", "xml:lang", "text_"]), st.text(), max_size=3
)
TEXTS = st.one_of(st.none(), st.text(), st.sampled_from(["", " ", "\n  ", "a & <b> \"c\" 'd'"]))
# (tag, attributes, text) is an element with text; (tag, attributes, [children]) a parent.
ELEMENTS = st.recursive(
    st.tuples(TAGS, ATTRIBUTES, TEXTS),
    lambda inner: st.tuples(TAGS, ATTRIBUTES, st.lists(inner, min_size=1, max_size=4)),
    max_leaves=10,
)


def _elementtree_bytes(tag: str, attributes: dict, children: list) -> bytes:
    """Write a document as feeds.py did with ElementTree (SubElement, indent, tostring)."""

    def add(parent: ET.Element, tag: str, attributes: dict, content: str | list | None) -> None:
        attrib = {name.rstrip("_"): _xml_text(value) for name, value in attributes.items()}
        child = ET.SubElement(parent, tag, attrib)
        if isinstance(content, list):
            for grandchild in content:
                add(child, *grandchild)
        elif content is not None:
            child.text = _xml_text(content)

    root = ET.Element(tag, attributes)
    for child in children:
        add(root, *child)
    ET.indent(root, space="  ")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{ET.tostring(root, "unicode")}\n'.encode()


def _written_bytes(tag: str, attributes: dict, children: list) -> bytes:
    def add(parent: _Element, tag: str, attributes: dict, content: str | list | None) -> None:
        if isinstance(content, list):
            child = _element(parent, tag, **attributes)
            for grandchild in content:
                add(child, *grandchild)
        else:
            _element(parent, tag, content, **attributes)

    root = _Element(tag, dict(attributes))
    for child in children:
        add(root, *child)
    return _xml_bytes(root)


@settings(max_examples=300, deadline=None)
@given(TAGS, ATTRIBUTES, st.lists(ELEMENTS, max_size=4))
def test_feeds_are_written_as_elementtree_wrote_them(
    tag: str, attributes: dict, children: list
) -> None:
    expected = _elementtree_bytes(tag, attributes, children)
    assert _written_bytes(tag, attributes, children) == expected
