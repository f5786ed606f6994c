"""Feeds and OPML lists, checked with real validators: Atom against RFC 4287's RELAX NG schema with
jing, RSS 2.0's required elements with lxml and every feed with feedparser, JSON Feed against a
JSON Schema of version 1.1, and what each feed contains against an oracle written from the
content files, independently of naerpoliti's scoping."""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import feedgen.entry
import feedgen.feed
import feedparser
import jsonschema
import pytest
import yaml
from lxml import etree

from conftest import REPO, TODAY, build, news, tree
from naerpoliti.build import gather
from naerpoliti.errors import Diagnostics
from naerpoliti.render.calendars import render_calendars
from naerpoliti.render.feeds import FEED_ITEMS, render_feeds

ATOM_RNC = Path(__file__).resolve().parent / "schemas" / "atom.rnc"  # RFC 4287: schemas/README.md
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://naerpoliti.example.dk/"

# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) as a JSON Schema. Strict: only the
# members the spec defines, and extensions, which start with an underscore.
_URL = {"type": "string", "pattern": r"^https?://\S+$"}
_RFC3339 = {"type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
_AUTHOR = {"type": "object", "minProperties": 1, "additionalProperties": False,
           "patternProperties": {"^_": {}},
           "properties": {"name": {"type": "string"}, "url": _URL, "avatar": _URL}}
JSON_FEED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "additionalProperties": False,
    "patternProperties": {"^_": {}},
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": _URL, "feed_url": _URL, "next_url": _URL, "icon": _URL, "favicon": _URL,
        "description": {"type": "string"}, "user_comment": {"type": "string"},
        "authors": {"type": "array", "items": _AUTHOR},
        "language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$"},
        "expired": {"type": "boolean"},
        "hubs": {"type": "array", "items": {"type": "object", "required": ["type", "url"],
                                            "properties": {"type": {"type": "string"}, "url": _URL}}},
        "items": {"type": "array", "items": {
            "type": "object",
            "required": ["id"],
            "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
            "additionalProperties": False,
            "patternProperties": {"^_": {}},
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "url": _URL, "external_url": _URL, "image": _URL, "banner_image": _URL,
                "title": {"type": "string"}, "content_html": {"type": "string"},
                "content_text": {"type": "string"}, "summary": {"type": "string"},
                "date_published": _RFC3339, "date_modified": _RFC3339,
                "authors": {"type": "array", "items": _AUTHOR},
                "tags": {"type": "array", "items": {"type": "string"}},
                "language": {"type": "string"},
                "attachments": {"type": "array", "items": {
                    "type": "object", "required": ["url", "mime_type"],
                    "properties": {"url": _URL, "mime_type": {"type": "string"}, "title": {"type": "string"},
                                   "size_in_bytes": {"type": "number"},
                                   "duration_in_seconds": {"type": "number"}}}},
            },
        }},
    },
}


# --- an oracle: what each area's feeds must contain, from the content files ------------------------

def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def areas_of_demo() -> dict[tuple[str, str], dict[str, set]]:
    """Per area: the ids of the areas an item may name for it to belong there."""
    reg = yaml.safe_load((REPO / "localities.yaml").read_text(encoding="utf-8"))
    district_of = {m["id"]: m["district"] for m in reg["municipalities"]}
    out: dict = {}
    for d in reg["districts"]:
        muns = {m for m, dd in district_of.items() if dd == d["id"]}
        locs = {loc["id"] for loc in reg["localities"] if loc["municipality"] in muns}
        out[("district", d["id"])] = {"districts": {d["id"]}, "municipalities": muns, "localities": locs}
    for m, d in district_of.items():
        locs = {loc["id"] for loc in reg["localities"] if loc["municipality"] == m}
        out[("municipality", m)] = {"districts": {d}, "municipalities": {m}, "localities": locs}
    for loc in reg["localities"]:
        out[("locality", loc["id"])] = {"districts": {district_of[loc["municipality"]]},
                                        "municipalities": {loc["municipality"]}, "localities": {loc["id"]}}
    return out


def expected_items(folder: str, today: dt.date = TODAY) -> dict[tuple[str, str] | None, set[str]]:
    """Slugs of the published news items or events, by area (None: the whole site)."""
    items = {}
    for path in sorted((REPO / "content" / folder).glob("*.md")):
        fm = front_matter(path)
        if fm.get("draft"):
            continue
        if folder == "news" and dt.date.fromisoformat(str(fm["date"])[:10]) > today:
            continue
        items[path.stem] = fm
    out: dict = {None: set(items)}
    for area, names in areas_of_demo().items():
        out[area] = {slug for slug, fm in items.items()
                     if fm.get("national") or any(set(fm.get(k) or ()) & names[k] for k in names)}
    return out


def area_dir(area) -> str:
    if area is None:
        return ""
    kind, id = area
    return {"district": "politikreds", "municipality": "kommune", "locality": "lokalsamfund"}[kind] + f"/{id}/"


# --- the demo site's feeds ----------------------------------------------------------------------------

def test_every_area_has_its_feeds_and_the_larger_areas_an_opml_list(demo_site: Path):
    for area in [None, *areas_of_demo()]:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert (demo_site / area_dir(area) / name).is_file(), (area, name)
        if area and area[0] in ("district", "municipality"):
            assert (demo_site / area_dir(area) / "feeds.opml").is_file()
        elif area:
            assert not (demo_site / area_dir(area) / "feeds.opml").exists()


# jing runs on the JVM, which keeps /tmp/hsperfdata_USER whatever TMPDIR says unless told not to
JING_ENV = {**os.environ, "JAVA_TOOL_OPTIONS": "-XX:-UsePerfData"}


def test_atom_feeds_are_valid_against_the_rfc_4287_relax_ng_schema(demo_site: Path):
    jing = shutil.which("jing")
    if jing is None:
        pytest.skip("jing is not installed: run scripts/setup-tests")
    files = sorted(demo_site.rglob("atom.xml"))
    assert len(files) == 1 + len(areas_of_demo())
    # jing ignores the schema's Schematron annotations (the feed author rule), checked below
    run = subprocess.run([jing, "-c", str(ATOM_RNC), *map(str, files)], capture_output=True, text=True, env=JING_ENV)
    assert run.returncode == 0, run.stdout + run.stderr
    for f in files:
        feed = etree.parse(str(f)).getroot()
        entries = feed.findall(f"{ATOM}entry")
        assert feed.find(f"{ATOM}author/{ATOM}name") is not None or all(e.find(f"{ATOM}author") is not None
                                                                       for e in entries)
        assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + f.relative_to(demo_site).as_posix()
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert len(ids) == len(set(ids)), f
        assert all(re.fullmatch(r"tag:naerpoliti\.example\.dk,\d{4}-\d{2}-\d{2}:((news|event)/[a-z0-9-]+"
                                r"|priority/[a-z0-9-]+/[a-z0-9-]+/\d{4}-\d{2}-\d{2}(-\d+)?)", i)
                   for i in ids), ids
        # newest first
        updated = [dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated")) for e in entries]
        assert updated == sorted(updated, reverse=True), f
        if updated:
            assert dt.datetime.fromisoformat(feed.findtext(f"{ATOM}updated")) == updated[0]


def test_jing_rejects_an_invalid_atom_feed(tmp_path):
    jing = shutil.which("jing")
    if jing is None:
        pytest.skip("jing is not installed: run scripts/setup-tests")
    bad = tmp_path / "bad.xml"
    bad.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    run = subprocess.run([jing, "-c", str(ATOM_RNC), str(bad)], capture_output=True, text=True, env=JING_ENV)
    assert run.returncode != 0 and "error" in run.stdout and '"id"' in run.stdout


def test_rss_feeds_have_what_rss_2_requires(demo_site: Path):
    files = sorted(demo_site.rglob("rss.xml"))
    assert len(files) == 1 + len(areas_of_demo())
    for f in files:
        root = etree.parse(str(f)).getroot()
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        for name in ("title", "link", "description"):
            assert (channel.findtext(name) or "").strip(), (f, name)
        rel = f.parent.relative_to(demo_site).as_posix()
        assert channel.findtext("link") == (BASE if rel == "." else BASE + rel + "/")
        assert channel.findtext("language") == "da"
        email.utils.parsedate_to_datetime(channel.findtext("lastBuildDate"))
        for item in channel.findall("item"):
            assert item.findtext("title") or item.findtext("description")
            guid = item.find("guid")
            assert guid is not None and guid.get("isPermaLink") == "false" and guid.text.startswith("tag:")
            when = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
            assert when.tzinfo is not None
            assert item.findtext("link").startswith(BASE)


def test_every_feed_parses_without_problems_in_feedparser(demo_site: Path):
    # (feedparser 6 reads no JSON Feed: feed.json is checked against the schema below)
    for name, version in (("rss.xml", "rss20"), ("atom.xml", "atom10")):
        for f in sorted(demo_site.rglob(name)):
            parsed = feedparser.parse(f.read_bytes())
            assert parsed.bozo == 0, (f, parsed.get("bozo_exception"))
            assert parsed.version == version, f
            for entry in parsed.entries:
                assert entry.id and entry.title and entry.link.startswith(BASE)


def test_json_feeds_are_valid_json_feed_1_1(demo_site: Path):
    jsonschema.Draft202012Validator.check_schema(JSON_FEED_SCHEMA)
    validator = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA)
    files = sorted(demo_site.rglob("feed.json"))
    assert len(files) == 1 + len(areas_of_demo())
    for f in files:
        data = f.read_bytes()
        feed = json.loads(data)
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(feed)]
        assert not errors, (f, errors)
        assert feed["feed_url"] == BASE + f.relative_to(demo_site).as_posix()
        # the same entries, with the same ids, as the Atom feed beside it
        atom = etree.parse(str(f.with_name("atom.xml"))).getroot()
        assert [i["id"] for i in feed["items"]] == [e.findtext(f"{ATOM}id") for e in atom.findall(f"{ATOM}entry")]
        assert data.decode("utf-8") == json.dumps(feed, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def test_the_schema_rejects_what_json_feed_forbids():
    validator = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA)
    good = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
            "items": [{"id": "1", "content_text": "x"}]}
    assert validator.is_valid(good)
    for bad in ({**good, "version": "https://jsonfeed.org/version/1"}, {**good, "title": None},
                {**good, "items": [{"id": "1"}]}, {**good, "items": [{"content_html": "x"}]},
                {**good, "items": [{"id": "1", "content_text": "x", "date_published": "22/11/2026"}]},
                {**good, "author_name": "typo"}):
        assert not validator.is_valid(bad), bad


def test_each_feed_holds_exactly_the_news_and_events_of_its_scope(demo_site: Path):
    news = expected_items("news")
    events = expected_items("events")
    assert len(news) == 1 + len(areas_of_demo())
    for area in news:
        feed = json.loads((demo_site / area_dir(area) / "feed.json").read_text(encoding="utf-8"))
        got = {i["id"].rsplit(":", 1)[1] for i in feed["items"]} - priority_ids(feed)
        want = {f"news/{s}" for s in news[area]} | {f"event/{s}" for s in events[area]}
        # every item in scope, unless the feed is full: then only items in scope, the newest
        assert got == want or (got < want and len(feed["items"]) == FEED_ITEMS), area


def test_scope_reaches_up_and_down(demo_site: Path):
    # an item about a locality is in its municipality's feed ...
    mun = (demo_site / "kommune/frederikssund/atom.xml").read_text(encoding="utf-8")
    assert "news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud</id>" in mun
    # ... and an item about a district in the feed of a locality in it
    reg = yaml.safe_load((REPO / "localities.yaml").read_text(encoding="utf-8"))
    district_of = {m["id"]: m["district"] for m in reg["municipalities"]}
    fm = front_matter(REPO / "content/news/2026-10-06-aabne-lokalraadsmoeder-paa-vestegnen.md")
    loc = next(loc["id"] for loc in reg["localities"] if district_of[loc["municipality"]] in fm["districts"])
    for name in ("rss.xml", "atom.xml", "feed.json"):
        text = (demo_site / "lokalsamfund" / loc / name).read_text(encoding="utf-8")
        assert "2026-10-06-aabne-lokalraadsmoeder-paa-vestegnen" in text, name
    # news dated after the build date is not in any feed
    for f in demo_site.rglob("*.xml"):
        assert b"2026-12-15-lad-lyset-blive-taendt-i-julen" not in f.read_bytes()


def test_feed_content_has_absolute_urls(demo_site: Path):
    feed = json.loads((demo_site / "lokalsamfund/skibby/feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if i["id"].endswith("news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud"))
    assert item["image"] == BASE + "media/news/laas.png"
    assert f'src="{BASE}media/news/laas.png"' in item["content_html"]
    for f in demo_site.rglob("feed.json"):
        for i in json.loads(f.read_text(encoding="utf-8"))["items"]:
            assert not re.search(r'(href|src)="/(?!/)', i["content_html"]), (f, i["id"])


def test_opml_lists_every_feed_of_the_area(demo_site: Path):
    areas = areas_of_demo()
    for (kind, id), names in areas.items():
        if kind == "locality":
            continue
        root = etree.parse(str(demo_site / area_dir((kind, id)) / "feeds.opml")).getroot()
        assert root.tag == "opml" and root.get("version") == "2.0"
        assert root.findtext("head/title")
        for field in ("dateCreated", "dateModified"):
            email.utils.parsedate_to_datetime(root.findtext(f"head/{field}"))
        outlines = root.findall("body/outline")
        for o in outlines:
            assert o.get("type") == "rss" and o.get("text") and o.get("xmlUrl").endswith("/rss.xml")
            assert (demo_site / o.get("xmlUrl").removeprefix(BASE)).is_file()
            assert (demo_site / o.get("htmlUrl").removeprefix(BASE) / "index.html").is_file()
        listed = {o.get("xmlUrl") for o in outlines}
        want = {BASE + area_dir((kind, id)) + "rss.xml"}
        want |= {BASE + area_dir(("municipality", m)) + "rss.xml" for m in names["municipalities"] if kind == "district"}
        want |= {BASE + area_dir(("locality", loc)) + "rss.xml" for loc in names["localities"]}
        assert listed == want and len(outlines) == len(want), (kind, id)


def test_feeds_and_calendars_publish_no_one_without_consent(demo_site: Path):
    from test_consent import _published, assert_absent, phone_forms
    files = {p: b for p, b in tree(demo_site).items() if p.endswith((".xml", ".json", ".opml", ".ics"))}
    checked = 0
    for path in sorted((REPO / "content" / "ambassadors").glob("*.yaml")):
        for person in yaml.safe_load(path.read_text(encoding="utf-8")):
            published, fields = _published(person.get("consent"))
            if not published:
                assert_absent(files, [person["name"], person["id"], *phone_forms(str(person.get("phone") or "x"))])
                checked += 1
    assert checked >= 4


# --- the files are a pure function of the content ----------------------------------------------------

def render(root: Path, today: dt.date) -> dict[str, bytes]:
    site = gather(root, today, Diagnostics())
    assert site is not None
    return {o.path: o.data for o in [*render_feeds(site), *render_calendars(site)]}


def copy_demo(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy(REPO / "localities.yaml", dest / "localities.yaml")
    shutil.copytree(REPO / "content", dest / "content")
    return dest


def atom_ids(files: dict[str, bytes]) -> dict[str, set[str]]:
    return {p: set(re.findall(r"<id>(tag:[^<]+)</id>", b.decode())) for p, b in files.items() if p.endswith("atom.xml")}


def test_entry_ids_survive_edits_and_rebuilds_and_bytes_repeat(tmp_path, monkeypatch):
    root = copy_demo(tmp_path / "root")
    before = render(root, TODAY)
    item = root / "content/news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
    item.write_text(item.read_text(encoding="utf-8").replace("tre vigtigste råd", "fire vigtigste råd")
                    + "\nEt råd mere: lås cyklen.\n", encoding="utf-8")

    # feedgen's defaults read the clock: a clock years off must change nothing
    class Any(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, dt.datetime)

    class Later(dt.datetime, metaclass=Any):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 5, 17, 3, 4, 5, tzinfo=tz)
    monkeypatch.setattr(feedgen.feed, "datetime", Later)
    monkeypatch.setattr(feedgen.entry, "datetime", Later)
    edited = render(root, TODAY)
    later = render(root, dt.date(2026, 12, 20))
    assert edited == render(root, TODAY)  # byte for byte
    assert edited != before and "fire vigtigste råd" in edited["lokalsamfund/skibby/feed.json"].decode()
    assert atom_ids(edited) == atom_ids(before)
    for path, ids in atom_ids(edited).items():
        # a later build only adds the newly published (which may push the oldest out of a full feed)
        if len(ids) < FEED_ITEMS:
            assert ids <= atom_ids(later)[path], path
        else:
            assert len(ids & atom_ids(later)[path]) >= FEED_ITEMS // 2, path
    assert any(b"lad-lyset-blive-taendt-i-julen" in b for b in later.values())
    assert b"2031" not in b"".join(edited.values())


# --- small sites ---------------------------------------------------------------------------------------

def test_a_site_without_news_or_events_still_has_valid_feeds(site_root, tmp_path):
    out = tmp_path / "site"
    result = build(site_root(), out)
    assert not result.failed
    for name in ("rss.xml", "atom.xml", "lokalsamfund/skibby/atom.xml", "kommune/frederikssund/rss.xml"):
        parsed = feedparser.parse((out / name).read_bytes())
        assert parsed.bozo == 0 and parsed.entries == [], name
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert jsonschema.Draft202012Validator(JSON_FEED_SCHEMA).is_valid(feed) and feed["items"] == []
    atom = etree.parse(str(out / "atom.xml")).getroot()
    assert atom.findtext(f"{ATOM}updated") == "2000-01-01T00:00:00+00:00"


def test_links_in_a_sub_path_site_become_absolute(site_root, tmp_path):
    from conftest import REGISTRY
    root = site_root({"content/news/2026-11-01-a.md": news(body="Se [Skibby](/lokalsamfund/skibby/) og [mere](https://example.dk/x).",
                                                           scope="national: true")},
                     registry=REGISTRY.replace("https://test.example.dk/", "https://test.example.dk/sub/"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    feed = json.loads((out / "lokalsamfund/slangerup/feed.json").read_text(encoding="utf-8"))
    assert feed["feed_url"] == "https://test.example.dk/sub/lokalsamfund/slangerup/feed.json"
    (item,) = feed["items"]
    assert item["id"] == "tag:test.example.dk,2026-11-01:news/2026-11-01-a"
    assert item["url"] == "https://test.example.dk/sub/nyheder/2026-11-01-a/"
    assert 'href="https://test.example.dk/sub/lokalsamfund/skibby/"' in item["content_html"]
    assert 'href="https://example.dk/x"' in item["content_html"]


# --- following an area (issue 15) --------------------------------------------------------------------

def priority_ids(feed: dict) -> set[str]:
    return {i["id"].rsplit(":", 1)[1] for i in feed["items"] if ":priority/" in i["id"]}


def expected_updates(today: dt.date = TODAY) -> dict[str, set[tuple[str, str]]]:
    """locality id -> (issue, date) of its published priority updates, from localities.yaml."""
    reg = yaml.safe_load((REPO / "localities.yaml").read_text(encoding="utf-8"))
    return {loc["id"]: {(p["issue"], str(u["date"])) for p in loc.get("priorities") or ()
                        for u in p.get("updates") or () if u["date"] <= today}
            for loc in reg["localities"]}


def test_priority_updates_are_entries_of_the_feeds_of_their_locality_and_above(demo_site: Path):
    updates = expected_updates()
    assert sum(map(len, updates.values())) >= 3  # the demo has updates
    for area, names in [(None, None), *areas_of_demo().items()]:
        feed = json.loads((demo_site / area_dir(area) / "feed.json").read_text(encoding="utf-8"))
        locs = set(updates) if area is None else names["localities"]
        want = {d for loc in locs for _, d in updates[loc]}
        got = {pid.rsplit("/", 1)[1][:10] for pid in priority_ids(feed)}
        # all of them, unless the feed is full: then the newest of them
        assert got == want or (got < want and len(feed["items"]) == FEED_ITEMS
                               and min(got, default="9") >= max(want - got)), area
    feed = json.loads((demo_site / "lokalsamfund/skibby/feed.json").read_text(encoding="utf-8"))
    item = next(i for i in feed["items"] if ":priority/" in i["id"])
    assert item["url"] == BASE + "lokalsamfund/skibby/#priorities" and "det har vi gjort" in item["title"]


def _dates(path: Path) -> list[dt.date]:
    """Every date a feed gives, in the site's time zone."""
    text = path.read_text(encoding="utf-8")
    if path.name == "rss.xml":
        found = re.findall(r"<(?:pubDate|lastBuildDate)>([^<]+)<", text)
        return [email.utils.parsedate_to_datetime(d).date() for d in found]
    if path.name == "atom.xml":
        return [dt.date.fromisoformat(d[:10]) for d in re.findall(r"<(?:updated|published)>([^<]+)<", text)]
    return [dt.date.fromisoformat(i["date_published"][:10]) for i in json.loads(text)["items"]]


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 9, 1)])
def test_no_feed_date_is_after_the_build_date(tmp_path, today):
    root = copy_demo(tmp_path / "root")
    out = tmp_path / "site"
    assert not build(root, out, today=today).failed
    files = [f for name in ("rss.xml", "atom.xml", "feed.json") for f in out.rglob(name)]
    assert len(files) > 30
    for f in files:
        dates = _dates(f)
        assert dates or f.name == "feed.json", f  # an empty JSON Feed has no date at all
        assert max(dates, default=today) <= today, f


def test_an_event_is_dated_when_published_not_when_it_happens(demo_site: Path):
    feed = feedparser.parse((demo_site / "lokalsamfund/skibby/atom.xml").read_bytes())
    event = next(e for e in feed.entries if ":event/2026-12-09-" in e.id)
    assert dt.date(*event.published_parsed[:3]) <= TODAY < dt.date(2026, 12, 9)


@pytest.mark.parametrize("base", ["https://test.example.dk/", "https://test.example.dk/naerpoliti/"])
def test_rss_and_atom_name_the_sites_xslt(site_root, tmp_path, base):
    from conftest import REGISTRY
    root = site_root({"content/news/2026-11-01-a.md": news(scope="national: true")},
                     registry=REGISTRY.replace("https://test.example.dk/", base))
    out = tmp_path / "site"
    assert not build(root, out).failed
    path = base.removeprefix("https://test.example.dk")
    for name in ("rss.xml", "atom.xml", "lokalsamfund/skibby/rss.xml", "kommune/frederikssund/atom.xml"):
        data = (out / name).read_bytes()
        assert data.split(b"\n")[1] == f'<?xml-stylesheet type="text/xsl" href="{path}assets/feed.xsl"?>'.encode()
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0 and len(parsed.entries) == 1, name
    xsl = etree.parse(str(out / "assets/feed.xsl"))  # served from the site, and well-formed XSLT
    etree.XSLT(xsl)
    assert b"xml-stylesheet" not in (out / "feed.json").read_bytes()


TWO_LOCALITIES = {
    "content/news/2026-11-01-skibby.md": news("Kun Skibby", "2026-11-01"),
    "content/news/2026-11-02-slangerup.md": news("Kun Slangerup", "2026-11-02", scope="localities: [slangerup]"),
    "content/news/2026-11-03-national.md": news("Hele landet", "2026-11-03", scope="national: true"),
}


def _links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


@pytest.mark.parametrize("base", ["https://test.example.dk/", "https://test.example.dk/naerpoliti/"])
def test_a_localitys_news_link_lists_only_its_scope(site_root, tmp_path, base):
    from conftest import REGISTRY
    root = site_root(TWO_LOCALITIES, registry=REGISTRY.replace("https://test.example.dk/", base))
    out = tmp_path / "site"
    assert not build(root, out).failed
    prefix = base.removeprefix("https://test.example.dk")
    page = (out / "lokalsamfund/skibby/index.html").read_text()
    links = _links(page)
    assert f"{prefix}lokalsamfund/skibby/nyheder/" in links and f"{prefix}lokalsamfund/skibby/arrangementer/" in links
    assert f"{prefix}nyheder/" in links  # the main menu still has the whole site's news
    archive = (out / "lokalsamfund/skibby/nyheder/index.html").read_text()
    # the area's own news; the news of the whole country is in scope (on its page and in its feeds)
    # but lives in the archive it links, not repeated in every area's archive (issue 16)
    assert "Kun Skibby" in archive and "Hele landet" not in archive and "Kun Slangerup" not in archive
    assert "Hele landet" in page and "Hele landet" in (out / "lokalsamfund/skibby/rss.xml").read_text()
    assert f"{prefix}nyheder/" in _links(archive) and f"{prefix}kommune/frederikssund/nyheder/" in _links(archive)
    assert "Nyheder fra Skibby" in archive
    # each item names its areas
    assert re.search(r"</time> · <span class=\"sr-only\">Gælder: </span>Skibby<", archive)
    # and the list links its feeds and calendar
    assert f"{prefix}lokalsamfund/skibby/rss.xml" in _links(archive)
    assert f"webcal://test.example.dk{prefix}lokalsamfund/skibby/kalender.ics" in _links(archive)
    municipality = (out / "kommune/frederikssund/nyheder/index.html").read_text()
    assert all(t in municipality for t in ("Kun Skibby", "Kun Slangerup"))
    events = (out / "lokalsamfund/slangerup/arrangementer/index.html").read_text()
    assert "Arrangementer i Slangerup" in events
    every = set()
    for html in out.rglob("*.html"):
        every.update(h for h in _links(html.read_text()) if h.startswith(prefix))
    for href in every:  # every link within the site resolves
        target = out / href[len(prefix):].split("#")[0]
        assert target.is_file() or (target / "index.html").is_file(), href


def test_area_archives_paginate(site_root, tmp_path):
    files = {f"content/news/2026-10-{d:02d}-n{d}.md": news(f"Nyhed {d}", f"2026-10-{d:02d}") for d in range(1, 26)}
    files["content/news/2026-10-30-other.md"] = news("Anden", "2026-10-30", scope="localities: [slangerup]")
    out = tmp_path / "site"
    assert not build(site_root(files), out).failed
    first = (out / "lokalsamfund/skibby/nyheder/index.html").read_text()
    second = (out / "lokalsamfund/skibby/nyheder/side/2/index.html").read_text()
    assert first.count('<h2 class="h4">') == 20 and second.count('<h2 class="h4">') == 5
    assert 'href="/lokalsamfund/skibby/nyheder/side/2/" rel="next"' in first
    assert 'href="/lokalsamfund/skibby/nyheder/" rel="prev"' in second
    assert not (out / "lokalsamfund/skibby/nyheder/side/3").exists()
    assert not (out / "lokalsamfund/slangerup/nyheder/side/2").exists()  # 1 item
    assert "Anden" not in first + second


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_parts_sharing_a_store_make_the_same_files_and_each_entry_once(monkeypatch, parts):
    """A build renders feeds and calendars in parts that keep what they make in one store per
    process (render_tasks' `fragments`): the parts make exactly the files one call makes, and an
    item in the feeds or calendars of several parts becomes an entry or a VEVENT only once."""
    from naerpoliti.render import calendars, feeds
    from naerpoliti.render.keys import Keys

    site = gather(REPO, TODAY, Diagnostics())
    assert site is not None
    whole = {o.path: (o.data, o.key) for o in [*render_feeds(site, keys=Keys(site, b"k" * 16)),
                                               *render_calendars(site, keys=Keys(site, b"k" * 16))]}
    made: dict[str, list[int]] = {"entry": [], "vevent": []}
    news_entry, event_entry, vevent = feeds.news_entry, feeds.event_entry, calendars.vevent
    monkeypatch.setattr(feeds, "news_entry",
                        lambda s, item, tz: made["entry"].append(id(item)) or news_entry(s, item, tz))
    monkeypatch.setattr(feeds, "event_entry",
                        lambda s, item, tz, g: made["entry"].append(id(item)) or event_entry(s, item, tz, g))
    monkeypatch.setattr(calendars, "vevent", lambda s, e, tz, g: made["vevent"].append(id(e)) or vevent(s, e, tz, g))
    store: dict = {}
    keys = Keys(site, b"k" * 16)
    split = {o.path: (o.data, o.key) for k in range(parts)
             for o in [*render_feeds(site, part=(k, parts), keys=keys, fragments=store),
                       *render_calendars(site, part=(k, parts), keys=keys, fragments=store)]}
    assert split == whole
    assert made["entry"] and len(made["entry"]) == len(set(made["entry"]))
    assert len(made["vevent"]) == len(set(made["vevent"])) == len(site.events)
    # without a store each part makes its own: the store is what made them once
    made["entry"].clear()
    made["vevent"].clear()
    for k in range(parts):
        render_feeds(site, part=(k, parts), keys=keys)
        render_calendars(site, part=(k, parts), keys=keys)
    assert len(made["entry"]) > len(set(made["entry"]))
    assert len(made["vevent"]) > len(set(made["vevent"]))
