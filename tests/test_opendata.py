"""Open data (data/*.json): valid against their hand-written schemas, exactly the published records,
nothing of a person beyond their consent, byte-identical builds, and a page that explains it all."""
from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import REGISTRY, REPO, TODAY, build, news, tree
from naerpoliti.build import gather
from naerpoliti.errors import Diagnostics
from naerpoliti.render.opendata import NAMES, schema_source
from test_consent import PEOPLE, _published, assert_absent, phone_forms, png

BASE = "https://naerpoliti.example.dk/"
AMBASSADOR_FIELDS = ("name", "role", "phone", "email", "photo")


def data(site: Path, name: str) -> dict:
    return json.loads((site / "data" / f"{name}.json").read_text(encoding="utf-8"))


def validator(name: str) -> Draft202012Validator:
    schema = json.loads(schema_source(name))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def model():
    diags = Diagnostics()
    site = gather(REPO, TODAY, diags)
    assert site is not None and not diags.errors
    return site


def demo_people() -> list[tuple[str, dict]]:
    """(locality id, person) for every ambassador in the demo's content."""
    people = []
    for path in sorted((REPO / "content" / "ambassadors").glob("*.yaml")):
        people += [(path.stem, p) for p in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return people


# --- shape ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_every_file_is_valid_against_its_schema(demo_site: Path, name: str):
    doc = data(demo_site, name)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(doc)]
    assert not errors, "\n".join(errors)
    assert doc["$schema"] == f"{BASE}data/schemas/{name}.schema.json"
    assert doc["generated"] == TODAY.isoformat()
    assert doc["license"].startswith("Frit til genbrug") and BASE in doc["license"]
    # the schema is published as written, beside the data
    assert (demo_site / "data" / "schemas" / f"{name}.schema.json").read_bytes() == schema_source(name)


@pytest.mark.parametrize("name", NAMES)
def test_every_property_of_every_schema_is_described_and_items_are_closed(name: str):
    schema = json.loads(schema_source(name))

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node:
                assert node.get("additionalProperties") is False, f"{name}: {where} is open"
                for key, prop in node["properties"].items():
                    assert prop.get("description"), f"{name}: {where}/{key} has no description"
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")
    walk(schema, "#")


def test_files_are_utf8_one_item_a_line_and_sorted(demo_site: Path):
    for name in NAMES:
        raw = (demo_site / "data" / f"{name}.json").read_bytes()
        text = raw.decode("utf-8")
        assert "\\u00" not in text  # ensure_ascii=False: æ, ø, å as themselves
        lines = text.splitlines()
        items = json.loads(text)["items"]
        assert len(lines) == len(items) + 2 if items else len(lines) == 1
        key = "slug" if name in ("events", "news") else "locality" if name == "ambassadors" else "id"
        ids = [item[key] for item in items]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        for line, item in zip(lines[1:], items):
            assert json.loads(line.rstrip(",")) == item
            assert list(item) == sorted(item)


# --- exactly what is published --------------------------------------------------------------------

def test_files_list_exactly_the_published_records(demo_site: Path, model):
    ids = lambda name, key="id": [item[key] for item in data(demo_site, name)["items"]]  # noqa: E731
    assert ids("districts") == sorted(d.id for d in model.districts)
    assert ids("municipalities") == sorted(m.id for m in model.municipalities)
    assert ids("localities") == sorted(loc.id for loc in model.localities)
    assert ids("stations") == sorted(model.stations)
    assert ids("events", "slug") == sorted(e.slug for e in model.events)
    assert ids("news", "slug") == sorted(n.slug for n in model.news)
    shown = {loc.officer for loc in model.localities} | {n.author for n in model.news if n.author}
    assert ids("officers") == sorted(shown)
    # no draft or future news, no draft event
    assert not any(n["date"] > TODAY.isoformat() for n in data(demo_site, "news")["items"])

    # ambassadors: exactly the names the consent rule publishes, written again as the oracle
    expected: dict[str, list[str]] = {}
    for locality, person in demo_people():
        if _published(person.get("consent"))[0]:
            expected.setdefault(locality, []).append(person["name"])
    groups = data(demo_site, "ambassadors")["items"]
    assert {g["locality"]: sorted(a["name"] for a in g["ambassadors"]) for g in groups} == \
        {k: sorted(v) for k, v in expected.items()}
    assert sum(map(len, expected.values())) == sum(len(v) for v in model.ambassadors_of.values())


def test_localities_carry_their_references_and_links(demo_site: Path, model):
    for item in data(demo_site, "localities")["items"]:
        loc = model.locality_by_id[item["id"]]
        assert item["postcodes"] == list(loc.postcodes) and item["officer"] == loc.officer
        assert item["district"] == model.municipality_by_id[loc.municipality].district
        assert item["url"] == f"{BASE}lokalsamfund/{loc.id}/"
        assert item["feeds"]["rss"] == f"{BASE}lokalsamfund/{loc.id}/rss.xml"
        assert item["calendar"] == f"{BASE}lokalsamfund/{loc.id}/kalender.ics"
        for url in (item["url"], item["calendar"], *item["feeds"].values()):
            path = url[len(BASE):]
            assert (demo_site / (path + "index.html" if path.endswith("/") else path)).is_file(), url
    officer = data(demo_site, "officers")["items"][0]
    assert officer["phone"]["e164"].startswith("+45") and " " not in officer["phone"]["e164"]


def test_no_unpublished_ambassador_appears_in_any_data_file(demo_site: Path):
    files = {p.relative_to(demo_site).as_posix(): p.read_bytes() for p in (demo_site / "data").rglob("*")
             if p.is_file()}
    checked = 0
    for _, person in demo_people():
        published, fields = _published(person.get("consent"))
        values = [] if published else [person["name"], person["id"]]
        if person.get("phone") and not (published and "phone" in fields):
            values += phone_forms(str(person["phone"]))
        if person.get("email") and not (published and "email" in fields):
            values.append(person["email"])
        assert_absent(files, values)
        assert_absent(files, [person["id"]])  # never an id, not even of a published person
        checked += not published
    assert checked >= 4


def test_each_ambassador_has_exactly_the_consented_keys(demo_site: Path):
    items = {(g["locality"], a["name"]): a for g in data(demo_site, "ambassadors")["items"]
             for a in g["ambassadors"]}
    partial = 0
    for locality, person in demo_people():
        published, fields = _published(person.get("consent"))
        if not published:
            continue
        expected = {f for f in AMBASSADOR_FIELDS if f in fields and person.get(f)}
        assert set(items[(locality, person["name"])]) == expected, person["name"]
        partial += expected != {f for f in AMBASSADOR_FIELDS if person.get(f)}
    assert partial >= 1  # the demo has a person who consented to some fields only
    gunnar = items[("skibby", "Gunnar Kvistgaard Olufsen")]
    assert gunnar == {"name": "Gunnar Kvistgaard Olufsen", "role": "Formand for en grundejerforening i Skibby"}


def test_consent_decides_what_the_data_holds_on_a_small_site(site_root, tmp_path):
    # keep the extra officer under officers: (the default registry ends with localities)
    registry = REGISTRY.replace("localities:\n", """\
  - id: ubrugt-betjent
    name: Ubrugt Betjentsen
    title: Lokalbetjent
    phone: "+45 72 58 99 99"
localities:
""")
    root = site_root({
        "content/ambassadors/skibby.yaml": PEOPLE,
        "content/media/ambassadors/fuld.png": png(rgb=(1, 2, 3)),
        "content/media/ambassadors/delvis.png": png(rgb=(4, 5, 6)),
        "content/media/ambassadors/traekket.png": png(rgb=(7, 8, 9)),
        "content/news/a.md": news(),
        "content/news/kladde.md": news(title="Kladde Hemmelig", extra="draft: true\n"),
        "content/news/senere.md": news(title="Senere Hemmelig", date="2026-12-01"),
    }, registry=registry)
    out = tmp_path / "site"
    assert not build(root, out).failed
    site = tree(out)
    files = {p: b for p, b in site.items() if p.startswith("data/")}
    for name in NAMES:
        validator(name).validate(json.loads(files[f"data/{name}.json"]))
    groups = json.loads(files["data/ambassadors.json"])["items"]
    assert [g["locality"] for g in groups] == ["skibby"]
    people = {a["name"]: a for a in groups[0]["ambassadors"]}
    assert sorted(people) == ["Delvis Samtykkesen", "Publiceret Fuldtud"]
    assert people["Delvis Samtykkesen"] == {"name": "Delvis Samtykkesen"}
    full = people["Publiceret Fuldtud"]
    assert set(full) == set(AMBASSADOR_FIELDS)
    assert full["phone"] == {"e164": "+4530111111", "display": full["phone"]["display"]}
    assert full["photo"]["url"] == "https://test.example.dk/media/ambassadors/fuld.png"
    assert full["photo"]["alt"] == "Portræt af Publiceret Fuldtud"
    assert_absent(files, ["Halinspektørrolle Hemmelig", *phone_forms("+45 30 22 22 22"), "delvis@example.dk",
                          "delvis.png", "Portræt af Delvis"])
    for name, phone, email in [("Ingen Samtykkesen", "+45 30 33 33 33", "ingen@example.dk"),
                               ("Fremtid Samtykkesen", "+45 30 44 44 44", "fremtid@example.dk"),
                               ("Udloebet Samtykkesen", "+45 30 55 55 55", "udloebet@example.dk"),
                               ("Traekket Samtykkesen", "+45 30 66 66 66", "traekket@example.dk"),
                               ("Navnloes Samtykkesen", "+45 30 77 77 77", "navnloes@example.dk")]:
        assert_absent(files, [name, *phone_forms(phone), email])
    assert_absent(files, ["traekket.png", "p1", "p2", '"id":"p'])
    # only the officers the site shows; only published news
    assert [o["id"] for o in json.loads(files["data/officers.json"])["items"]] == ["skibby-betjent"]
    assert_absent(files, ["Ubrugt Betjentsen", *phone_forms("+45 72 58 99 99"), "Kladde Hemmelig", "Senere Hemmelig"])
    assert [n["slug"] for n in json.loads(files["data/news.json"])["items"]] == ["a"]


# --- the schemas say no ---------------------------------------------------------------------------

AMBASSADORS_DOC = {
    "$schema": f"{BASE}data/schemas/ambassadors.schema.json", "generated": "2026-11-22", "license": "x",
    "items": [{"locality": "skibby", "locality_url": f"{BASE}lokalsamfund/skibby/",
               "ambassadors": [{"name": "Anna", "role": "Formand"}]}],
}


def with_ambassador(**changes) -> dict:
    doc = json.loads(json.dumps(AMBASSADORS_DOC))
    doc["items"][0]["ambassadors"][0].update(changes)
    return doc


def test_the_ambassador_schema_accepts_a_consented_item():
    validator("ambassadors").validate(AMBASSADORS_DOC)
    validator("ambassadors").validate(with_ambassador(phone={"e164": "+4520000000", "display": "20 00 00 00"}))


@pytest.mark.parametrize("changes", [
    {"id": "anna-jensen"},  # never an id
    {"consent": {"given": "2026-01-01"}},  # nothing from the coordinator's file
    {"address": "Eksempelvej 1"},  # a personal field the schema does not know
    {"phone": "+45 20 00 00 00"},  # a phone must be the {e164, display} object
    {"phone": None},  # a field without consent is absent, never null
    {"phone": {"e164": "+4520000000", "display": "20 00 00 00", "private": "x"}},
    {"email": None},
])
def test_the_ambassador_schema_rejects_what_must_not_be_there(changes):
    with pytest.raises(jsonschema.ValidationError):
        validator("ambassadors").validate(with_ambassador(**changes))


def test_the_schemas_reject_unknown_keys_on_every_item(demo_site: Path):
    for name in NAMES:
        doc = data(demo_site, name)
        assert doc["items"], name
        doc["items"][0]["home_address"] = "Privatvej 1"
        with pytest.raises(jsonschema.ValidationError):
            validator(name).validate(doc)
    officers = data(demo_site, "officers")
    officers["items"][0]["photo"] = {"url": f"{BASE}media/x.jpg", "alt": "x"}
    with pytest.raises(jsonschema.ValidationError):
        validator("officers").validate(officers)


# --- reproducible ---------------------------------------------------------------------------------

def test_two_builds_are_byte_identical_and_dated_by_the_build_date(demo_site: Path, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert not build(REPO, first).failed and not build(REPO, second).failed
    files = {p: b for p, b in tree(first).items() if p.startswith("data/")}
    assert len(files) == 2 * len(NAMES) + 1 + ("data/soegeindeks.json" in files)
    assert files == {p: b for p, b in tree(second).items() if p.startswith("data/")}
    later = tmp_path / "later"
    assert not build(REPO, later, today=dt.date(2026, 11, 30)).failed
    assert data(later, "stations")["generated"] == "2026-11-30"
    assert data(later, "stations")["items"] == data(demo_site, "stations")["items"]


def test_a_site_in_a_sub_path(site_root, tmp_path):
    root = site_root(registry=REGISTRY.replace("https://test.example.dk/", "https://example.dk/sub/"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    doc = json.loads((out / "data" / "localities.json").read_text(encoding="utf-8"))
    assert doc["$schema"] == "https://example.dk/sub/data/schemas/localities.schema.json"
    assert doc["items"][0]["url"] == "https://example.dk/sub/lokalsamfund/skibby/"
    assert (out / "data" / "schemas" / "localities.schema.json").is_file()
    assert 'href="/sub/data/localities.json"' in (out / "data" / "index.html").read_text(encoding="utf-8")


# --- the page -------------------------------------------------------------------------------------

class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.h1 += tag == "h1"
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))

    def handle_data(self, data):
        self.text.append(data)


def test_the_open_data_page_explains_and_links_every_file(demo_site: Path):
    html = (demo_site / "data" / "index.html").read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    text = " ".join("".join(page.text).split())
    assert page.h1 == 1 and "<h1>Åbne data</h1>" in html
    assert 'class="breadcrumbs' in html
    for name in NAMES:
        assert f"/data/{name}.json" in page.links and f"/data/schemas/{name}.schema.json" in page.links
    assert data(demo_site, "localities")["license"] in text  # the same licence as in the files
    assert f"curl -O {BASE}data/localities.json" in text
    assert "/rss.xml" in page.links and "/kalender.ics" in page.links
    assert "samtykke" in text
    assert f"<loc>{BASE}data/</loc>" in (demo_site / "sitemap.xml").read_text(encoding="utf-8")
