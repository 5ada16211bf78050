"""Feeds, OPML, sitemap and robots.txt: valid, absolute, stable, dated from the content."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import jsonschema
from lxml import etree

from papershelf.feeds import paper_id
from tests.site.conftest import SCHEMAS, build

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.org/reading-list/"
SCOPES = (
    "",
    "themes/speech/",
    "themes/vision-language/",
    "themes/adaptation/",
    "tags/asr/",
    "tags/low-resource/",
    "tags/tokenizer/",
    "tags/code-available/",
    "tags/benchmark/",
)


def test_every_feed_parses_without_errors(fixture_site: Path) -> None:
    for scope in SCOPES:
        for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
            parsed = feedparser.parse((fixture_site / scope / name).read_bytes())
            assert not parsed.bozo, f"{scope}{name}: {parsed.get('bozo_exception')}"
            assert parsed.version == version


def test_rss_follows_the_rss_2_rules(fixture_site: Path) -> None:
    channel = ET.parse(fixture_site / "themes/speech/feed.xml").getroot().find("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    assert channel.findtext("link") == BASE + "themes/speech/"
    self_link = channel.find(f"{ATOM}link")
    assert self_link.attrib == {
        "href": BASE + "themes/speech/feed.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        assert item.findtext("link").startswith(BASE + "papers/")
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false" and guid.text.startswith("urn:uuid:")
        assert email.utils.parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None


def test_atom_follows_rfc_4287(fixture_site: Path) -> None:
    feed = ET.parse(fixture_site / "atom.xml").getroot()
    for element in [feed, *feed.findall(f"{ATOM}entry")]:
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{required}")) == 1, required
        dt.datetime.fromisoformat(element.findtext(f"{ATOM}updated"))
        assert element.findtext(f"{ATOM}id").startswith("urn:uuid:")
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Fixture Curators"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"self": BASE + "atom.xml", "alternate": BASE}


def test_json_feeds_validate_against_the_json_feed_1_1_schema(fixture_site: Path) -> None:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    for scope in SCOPES:
        document = json.loads((fixture_site / scope / "feed.json").read_text())
        jsonschema.validate(document, schema)
        assert document["feed_url"] == BASE + scope + "feed.json"


def test_json_feeds_are_laid_out_as_json_dumps_lays_them_out(fixture_site: Path) -> None:
    # Items are written once for every feed they are in, and put in each: the file is still
    # what the json module writes of it (an empty feed's included).
    for scope in SCOPES:
        text = (fixture_site / scope / "feed.json").read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n", scope


def test_feeds_hold_the_newest_additions_up_to_feed_size(fixture_site: Path) -> None:
    items = json.loads((fixture_site / "feed.json").read_text())["items"]
    assert [item["url"].removeprefix(BASE + "papers/") for item in items] == [
        # added 2026-02-01, newest publication first
        "langsamp-language-script-aware-multilingual-pretraining/",
        "adapting-speech-model-ainu/",
        # added 2026-01-05
        "omnilingual-asr-open-source-multilingual/",
        "multilingual-vision-language-pre-training-remote-sensing/",
        "ofa-initializing-unseen-subword-embeddings/",
    ]  # feed_size is 5 in the fixture's site.yaml


def test_feed_dates_come_from_the_content(fixture_site: Path) -> None:
    # The newest `added` date in the fixture is 2026-02-01; the build clock never appears.
    atom = ET.parse(fixture_site / "atom.xml").getroot()
    assert atom.findtext(f"{ATOM}updated") == "2026-02-01T00:00:00Z"
    rss = ET.parse(fixture_site / "feed.xml").getroot()
    assert rss.findtext("channel/lastBuildDate") == "Sun, 01 Feb 2026 00:00:00 +0000"
    empty = ET.parse(fixture_site / "tags/benchmark/atom.xml").getroot()
    assert empty.findtext(f"{ATOM}updated") == "2026-02-01T00:00:00Z"
    assert empty.findall(f"{ATOM}entry") == []


def test_ids_survive_a_new_base_url_and_a_corrected_title(content, templates, tmp_path) -> None:
    build(content, templates, tmp_path / "before")
    paper = content / "papers/omnilingual-asr-open-source-multilingual.yaml"
    paper.write_text(paper.read_text().replace("Omnilingual ASR:", "Omnilingual ASR -"))
    build(content, templates, tmp_path / "after", base_url="https://lists.example.net/ml/")

    def ids(site: Path) -> list[str]:
        atom = ET.parse(site / "atom.xml").getroot()
        return [atom.findtext(f"{ATOM}id")] + [
            e.findtext(f"{ATOM}id") for e in atom.findall(f"{ATOM}entry")
        ]

    assert ids(tmp_path / "before") == ids(tmp_path / "after")
    assert paper_id("omnilingual-asr-open-source-multilingual") in ids(tmp_path / "after")
    after = (tmp_path / "after/atom.xml").read_text()
    assert "Omnilingual ASR -" in after and "https://lists.example.net/ml/papers/" in after


def test_opml_lists_every_feed_once(fixture_site: Path) -> None:
    root = ET.parse(fixture_site / "feeds.opml").getroot()
    assert root.get("version") == "2.0"
    outlines = [o for o in root.iter("outline") if o.get("xmlUrl")]
    assert [o.get("xmlUrl") for o in outlines] == [BASE + scope + "feed.xml" for scope in SCOPES]
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("text")
        assert (fixture_site / outline.get("xmlUrl").removeprefix(BASE)).is_file()
    folders = [o.get("text") for o in root.find("body") if not o.get("xmlUrl")]
    assert folders == ["Themes", "Tags"]


def test_sitemap_validates_and_every_location_is_a_built_page(fixture_site: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-0.9.xsd")))
    document = etree.parse(str(fixture_site / "sitemap.xml"))
    assert schema.validate(document), schema.error_log
    locations = [loc.text for loc in document.iter("{*}loc")]
    # home, themes, tags index, tags, archive and its years, papers, statistics, search
    assert len(locations) == 1 + 3 + 1 + 5 + 1 + 4 + 7 + 1 + 1
    for location in locations:
        assert location.startswith(BASE)
        assert (fixture_site / location.removeprefix(BASE) / "index.html").is_file()


def test_robots_txt_points_at_the_sitemap(fixture_site: Path) -> None:
    assert (fixture_site / "robots.txt").read_text().splitlines()[-1] == (
        f"Sitemap: {BASE}sitemap.xml"
    )


def test_pages_announce_their_feeds(fixture_site: Path) -> None:
    page = (fixture_site / "tags/asr/index.html").read_text()
    for kind, name in (
        ("application/rss+xml", "feed.xml"),
        ("application/atom+xml", "atom.xml"),
        ("application/feed+json", "feed.json"),
    ):
        assert (
            f'<link rel="alternate" type="{kind}" title="Fixture Reading List: Speech recognition'
        ) in page
        assert f'href="/reading-list/tags/asr/{name}">' in page


def test_a_list_without_papers_still_builds_valid_feeds(content, templates, tmp_path) -> None:
    for paper in (content / "papers").iterdir():
        paper.unlink()
    site = tmp_path / "empty"
    build(content, templates, site)
    atom = ET.parse(site / "atom.xml").getroot()
    # No content date exists, and the clock is never used: the epoch stands in.
    assert atom.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    assert not feedparser.parse((site / "feed.xml").read_bytes()).bozo
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    jsonschema.validate(json.loads((site / "feed.json").read_text()), schema)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-0.9.xsd")))
    assert xsd.validate(etree.parse(str(site / "sitemap.xml")))
