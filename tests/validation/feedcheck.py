"""Check feeds the way a reader sees them (feedparser) and against their formats' own rules.

feedparser only flags broken XML, so the structure each specification requires is checked here:
RSS 2.0 (https://www.rssboard.org/rss-specification), Atom (RFC 4287), JSON Feed 1.1 (schema),
OPML 2.0. Every function returns problems as "file:line: message" strings; none means valid.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import jsonschema
from bs4 import BeautifulSoup
from lxml import etree

from .served import ServedSite

ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

# RFC 822 section 5 as RSS 2.0 uses it, with the four-digit years RSS recommends.
_RFC822 = re.compile(
    r"^(?:(?P<weekday>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?(?P<day>\d{1,2}) "
    r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<year>\d{4}) "
    r"\d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[A-IK-Z])$"
)
# RFC 3339 section 5.6 date-time: a full date, a time, and an explicit offset.
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")


def feed_kind(path: Path) -> str | None:
    """Name a built file's feed format from its content: "rss", "atom", "json", or None."""
    if path.suffix == ".json":
        try:
            feed = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            return "json" if path.name == "feed.json" else None
        version = str(feed.get("version", "")) if isinstance(feed, dict) else ""
        is_json_feed = version.startswith("https://jsonfeed.org/version/")
        return "json" if is_json_feed or path.name == "feed.json" else None
    try:
        root = etree.parse(str(path)).getroot()
    except etree.XMLSyntaxError:
        # Still a feed by its name, so its checks report why it does not parse.
        return {"feed.xml": "rss", "atom.xml": "atom"}.get(path.name)
    return {"rss": "rss", f"{ATOM}feed": "atom"}.get(root.tag)


def rfc822_problem(text: str) -> str | None:
    match = _RFC822.match(text.strip())
    if match is None:
        return f"{text!r} is not an RFC 822 date-time (like 'Mon, 05 Jan 2026 00:00:00 +0000')"
    parsed = email.utils.parsedate_to_datetime(text)
    if match["weekday"] and parsed.strftime("%a") != match["weekday"]:
        return f"{text!r}: {parsed.date()} is a {parsed.strftime('%A')}"
    return None


def rfc3339_problem(text: str) -> str | None:
    if _RFC3339.match(text.strip()) is None:
        return f"{text!r} is not an RFC 3339 date-time (like '2026-01-05T00:00:00Z')"
    try:
        dt.datetime.fromisoformat(text.strip().replace("z", "Z"))
    except ValueError as exc:
        return f"{text!r}: {exc}"
    return None


def internal_url_problem(url: str, site: ServedSite) -> str | None:
    """Say what is wrong with a URL that must name a file of this site, or None."""
    if not urlsplit(url).scheme:
        return f"{url!r} is not absolute"
    if not site.is_under_base(url):
        return f"{url!r} is not under the site's base URL {site.base_url}"
    if site.file_for(url) is None:
        return f"{url!r} names no built file"
    return None


def content_link_problems(html: str, site: ServedSite) -> list[str]:
    """Links inside feed content: readers resolve relative ones inconsistently, so all absolute."""
    problems = []
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(["a", "img"]):
        url = element.get("href") or element.get("src")
        if not url:
            continue
        if not urlsplit(url).scheme:
            problems.append(f"content links to relative URL {url!r}")
        elif urlsplit(url).netloc == urlsplit(site.base_url).netloc:
            problem = internal_url_problem(url, site)
            if problem:
                problems.append(f"content: {problem}")
    return problems


class Findings:
    """Problems of one file, each at the line of the element it is about when there is one."""

    def __init__(self, path: Path, site: ServedSite) -> None:
        self.name = path.relative_to(site.out_dir).as_posix()
        self._found: list[tuple[int | None, str]] = []

    def add(self, element: etree._Element | None, message: str) -> None:
        self._found.append((element.sourceline if element is not None else None, message))

    def mentions(self, text: str) -> bool:
        return any(text in message for _, message in self._found)

    def lines(self) -> list[str]:
        return [
            f"{self.name}:{line}: {message}" if line else f"{self.name}: {message}"
            for line, message in self._found
        ]


def _own_urls_resolve(
    values: Iterable[tuple[etree._Element | None, str]], site: ServedSite, findings: Findings
) -> None:
    """Any URL on the site's own host, wherever it sits in the feed, names a built file."""
    for element, value in values:
        url = value.strip()
        if not url.startswith(site.origin + "/") or findings.mentions(repr(url)):
            continue
        if bad := internal_url_problem(url, site):
            findings.add(element, bad)


def _xml_values(root: etree._Element) -> Iterable[tuple[etree._Element, str]]:
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element, element.text or ""
            yield from ((element, value) for value in element.attrib.values())


def _json_values(value: object) -> Iterable[tuple[None, str]]:
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_values(item)


def _parse_xml(path: Path, findings: Findings) -> etree._Element | None:
    try:
        return etree.parse(str(path)).getroot()
    except etree.XMLSyntaxError as exc:
        findings.add(None, f"not well-formed XML: {exc}")
        return None


def _reader_findings(path: Path, expected_version: str, entries: int, findings: Findings) -> None:
    """What a feed reader makes of the file: feedparser must read it as the format it claims."""
    parsed = feedparser.parse(path.read_bytes())
    if parsed.bozo:
        findings.add(None, f"feedparser: {parsed.bozo_exception}")
    if parsed.version != expected_version:
        findings.add(None, f"feedparser reads it as {parsed.version!r}, not {expected_version!r}")
    if len(parsed.entries) != entries:
        findings.add(None, f"feedparser sees {len(parsed.entries)} entries, the file has {entries}")


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def rss_problems(path: Path, site: ServedSite) -> list[str]:
    findings = Findings(path, site)
    root = _parse_xml(path, findings)
    if root is None:
        _reader_findings(path, "rss20", 0, findings)
        return findings.lines()
    channels = root.findall("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or len(channels) != 1:
        findings.add(root, "the root must be <rss version='2.0'> with exactly one <channel>")
        return findings.lines()
    channel = channels[0]
    for name in ("title", "link", "description"):
        found = channel.findall(name)
        if len(found) != 1 or not _text(found[0]):
            findings.add(channel, f"<channel> needs one non-empty <{name}>, has {len(found)}")
    if (link := channel.find("link")) is not None and (
        bad := internal_url_problem(_text(link), site)
    ):
        findings.add(link, f"channel <link>: {bad}")
    for name in ("pubDate", "lastBuildDate"):
        for date in channel.findall(name):
            if bad := rfc822_problem(_text(date)):
                findings.add(date, f"<{name}>: {bad}")
    _self_link_findings(channel, path, site, "application/rss+xml", findings)

    items = channel.findall("item")
    guids: Counter[str] = Counter()
    for number, item in enumerate(items, 1):
        label = f"item {number}"
        if not _text(item.find("title")) and not _text(item.find("description")):
            findings.add(item, f"{label} has neither <title> nor <description>")
        for link in item.findall("link"):
            if bad := internal_url_problem(_text(link), site):
                findings.add(link, f"{label} <link>: {bad}")
        guid = item.find("guid")
        if guid is None or not _text(guid):
            findings.add(item, f"{label} has no <guid>")
        else:
            guids[_text(guid)] += 1
            # isPermaLink defaults to true, and then the guid is the item's URL.
            if guid.get("isPermaLink", "true") == "true" and (
                bad := internal_url_problem(_text(guid), site)
            ):
                findings.add(guid, f"{label} permalink <guid>: {bad}")
        for date in item.findall("pubDate"):
            if bad := rfc822_problem(_text(date)):
                findings.add(date, f"{label} <pubDate>: {bad}")
        for description in item.findall("description"):
            for bad in content_link_problems(description.text or "", site):
                findings.add(description, f"{label} <description> {bad}")
    for guid_text, count in guids.items():
        if count > 1:
            findings.add(None, f"guid {guid_text!r} is used by {count} items")
    _own_urls_resolve(_xml_values(root), site, findings)
    _reader_findings(path, "rss20", len(items), findings)
    return findings.lines()


def _self_link_findings(
    parent: etree._Element, path: Path, site: ServedSite, media_type: str, findings: Findings
) -> None:
    selves = [link for link in parent.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if len(selves) != 1:
        findings.add(parent, f"needs exactly one atom:link rel='self', has {len(selves)}")
        return
    href, own_url = selves[0].get("href", ""), site.url_for(path)
    if href != own_url:
        findings.add(selves[0], f"rel='self' href {href!r} is not the feed's own URL {own_url!r}")
    if selves[0].get("type") not in (None, media_type):
        findings.add(selves[0], f"rel='self' type {selves[0].get('type')!r} is not {media_type!r}")


def atom_problems(path: Path, site: ServedSite) -> list[str]:
    findings = Findings(path, site)
    root = _parse_xml(path, findings)
    if root is None:
        _reader_findings(path, "atom10", 0, findings)
        return findings.lines()
    if root.tag != f"{ATOM}feed":
        findings.add(root, "the root must be an Atom <feed>")
        return findings.lines()
    _atom_shared_rules(root, "feed", site, findings)
    _self_link_findings(root, path, site, "application/atom+xml", findings)
    feed_has_author = _has_atom_author(root)
    entries = root.findall(f"{ATOM}entry")
    ids: Counter[str] = Counter()
    for number, entry in enumerate(entries, 1):
        label = f"entry {number}"
        _atom_shared_rules(entry, label, site, findings)
        ids[_text(entry.find(f"{ATOM}id"))] += 1
        if not feed_has_author and not _has_atom_author(entry):
            findings.add(entry, f"{label} has no <author><name>, and neither has the feed")
        content = entry.find(f"{ATOM}content")
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if content is None and not alternates:
            findings.add(entry, f"{label} has no <content>, so it needs a rel='alternate' link")
        for text_construct in (content, entry.find(f"{ATOM}summary")):
            if text_construct is not None and text_construct.get("type") == "html":
                for bad in content_link_problems(text_construct.text or "", site):
                    findings.add(text_construct, f"{label} {bad}")
        for published in entry.findall(f"{ATOM}published"):
            if bad := rfc3339_problem(_text(published)):
                findings.add(published, f"{label} <published>: {bad}")
    for entry_id, count in ids.items():
        if count > 1:
            findings.add(None, f"id {entry_id!r} is used by {count} entries")
    _own_urls_resolve(_xml_values(root), site, findings)
    _reader_findings(path, "atom10", len(entries), findings)
    return findings.lines()


def _atom_shared_rules(
    element: etree._Element, label: str, site: ServedSite, findings: Findings
) -> None:
    """The rules RFC 4287 gives both atom:feed and atom:entry."""
    for name in ("id", "title", "updated"):
        found = element.findall(f"{ATOM}{name}")
        if len(found) != 1:
            findings.add(element, f"{label} needs exactly one <{name}>, has {len(found)}")
    if (atom_id := element.find(f"{ATOM}id")) is not None and not urlsplit(_text(atom_id)).scheme:
        findings.add(atom_id, f"{label} <id> {_text(atom_id)!r} is not an absolute IRI")
    if (updated := element.find(f"{ATOM}updated")) is not None and (
        bad := rfc3339_problem(_text(updated))
    ):
        findings.add(updated, f"{label} <updated>: {bad}")
    alternates: Counter[tuple[str, str]] = Counter()
    for link in element.findall(f"{ATOM}link"):
        rel = link.get("rel", "alternate")
        if rel == "alternate":
            alternates[(link.get("type", ""), link.get("hreflang", ""))] += 1
        if rel in ("alternate", "self") and (
            bad := internal_url_problem(link.get("href", ""), site)
        ):
            findings.add(link, f"{label} link rel={rel!r}: {bad}")
    if any(count > 1 for count in alternates.values()):
        findings.add(element, f"{label} has two rel='alternate' links of one type and hreflang")


def _has_atom_author(element: etree._Element) -> bool:
    return any(_text(a.find(f"{ATOM}name")) for a in element.findall(f"{ATOM}author"))


@cache
def _json_feed_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def json_feed_problems(path: Path, site: ServedSite) -> list[str]:
    findings = Findings(path, site)
    try:
        feed = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        findings.add(None, f"not JSON: {exc}")
        return findings.lines()
    for error in sorted(_json_feed_validator().iter_errors(feed), key=lambda e: list(e.path)):
        findings.add(None, f"/{'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
    if not isinstance(feed, dict):
        return findings.lines()
    if feed.get("feed_url") != site.url_for(path):
        findings.add(None, f"feed_url {feed.get('feed_url')!r} is not its own URL")
    if bad := internal_url_problem(str(feed.get("home_page_url", "")), site):
        findings.add(None, f"home_page_url: {bad}")
    raw_items = feed.get("items")
    items = [i for i in raw_items if isinstance(i, dict)] if isinstance(raw_items, list) else []
    ids = Counter(str(item.get("id")) for item in items)
    for item_id, count in ids.items():
        if count > 1:
            findings.add(None, f"item id {item_id!r} is used by {count} items")
    for number, item in enumerate(items):
        if "url" in item and (bad := internal_url_problem(str(item["url"]), site)):
            findings.add(None, f"/items/{number}/url: {bad}")
        for bad in content_link_problems(str(item.get("content_html", "")), site):
            findings.add(None, f"/items/{number}/content_html {bad}")
    _own_urls_resolve(_json_values(feed), site, findings)
    return findings.lines()


def opml_problems(path: Path, site: ServedSite, feeds: list[Path]) -> list[str]:
    """The OPML subscription list parses and offers every feed channel of the site."""
    findings = Findings(path, site)
    root = _parse_xml(path, findings)
    if root is None:
        return findings.lines()
    if root.tag != "opml" or root.get("version") not in ("1.0", "2.0"):
        findings.add(root, "the root must be <opml version='2.0'>")
    if not _text(root.find("head/title")):
        findings.add(root, "<head> needs a non-empty <title>")
    listed: set[Path] = set()
    for outline in root.iter("outline"):
        if not outline.get("text"):
            findings.add(outline, "<outline> needs a text attribute")
        if outline.get("type") == "rss" and not outline.get("xmlUrl"):
            findings.add(outline, "an rss <outline> needs an xmlUrl")
        for attribute in ("xmlUrl", "htmlUrl"):
            url = outline.get(attribute)
            if url is None:
                continue
            if bad := internal_url_problem(url, site):
                findings.add(outline, f"{attribute}: {bad}")
            elif attribute == "xmlUrl" and (listed_file := site.file_for(url)) is not None:
                listed.add(listed_file.parent)
    # A channel (the whole list, a theme, a tag) is offered when one of its formats is listed.
    for channel in sorted({feed.parent for feed in feeds} - listed):
        findings.add(None, f"no outline offers the feeds of {site.url_for(channel / 'index.html')}")
    return findings.lines()
