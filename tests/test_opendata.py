"""Open data (data/*.json): valid against their schemas (generated from the declarations), exactly the
published records, nothing of a person beyond their consent, byte-identical builds, and a page that
explains it all."""
from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REGISTRY, REPO, TODAY, build, messages, news, sitemap_text, tree
from jsonschema import Draft202012Validator
from test_consent import PEOPLE, _published, assert_absent, phone_forms, png

from naerpoliti.build import gather
from naerpoliti.errors import Diagnostics
from naerpoliti.model import CONSENT_FIELDS, Ambassador
from naerpoliti.records import AMBASSADOR
from naerpoliti.render.opendata import NAMES, schema, schema_source

BASE = "https://naerpoliti.example.dk/"
AMBASSADOR_FIELDS = ("name", "role", "phone", "email", "photo")


def data(site: Path, name: str) -> dict:
    return json.loads((site / "data" / f"{name}.json").read_text(encoding="utf-8"))


def validator(name: str, source: dict | None = None) -> Draft202012Validator:
    """The published schema of a data file (or the given one), checked against the draft it declares."""
    doc = json.loads(schema_source(name)) if source is None else source
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)
    return Draft202012Validator(doc, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(name: str, doc: dict, source: dict | None = None) -> list[str]:
    return [f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(name, source).iter_errors(doc)]


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
        for line, item in zip(lines[1:-1], items, strict=True):
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


# --- the generated schemas ------------------------------------------------------------------------

def test_the_published_schema_is_the_generated_one_laid_out_as_before():
    for name in NAMES:
        text = schema_source(name).decode("utf-8")
        assert json.loads(text) == schema(name)
        assert text.startswith('{\n  "$schema": "https://json-schema.org/draft/2020-12/schema",\n')
        assert text.endswith("\n}\n") and "\\u00" not in text
        item = schema(name)["properties"]["items"]["items"]["$ref"].split("/")[-1]
        assert f'\n    "{item}": {{\n      "description": ' in text  # each shape opened, a property a line


def test_the_golden_site_validates_against_the_schemas_it_publishes():
    golden = REPO / "tests" / "golden" / "small" / "data"
    for name in NAMES:
        published = (golden / "schemas" / f"{name}.schema.json").read_bytes()
        assert published == schema_source(name), f"{name}: refresh the golden tree"
        doc = json.loads((golden / f"{name}.json").read_text(encoding="utf-8"))
        assert doc["$schema"].endswith(f"/data/schemas/{name}.schema.json")
        assert not problems(name, doc, json.loads(published))


def test_an_ambassador_can_hold_exactly_the_fields_a_consent_may_name():
    defs = schema("ambassadors")["$defs"]
    assert list(defs["ambassador"]["properties"]) == list(CONSENT_FIELDS)
    assert defs["ambassador"]["required"] == ["name"]
    exported = [f.name for f in AMBASSADOR.fields if f.export is not None]
    assert exported == list(CONSENT_FIELDS) and "id" not in exported and "consent" not in exported
    assert "id" in {f.name for f in AMBASSADOR.fields} and Ambassador.RECORD.export


def covered(node: dict, value, defs: dict, seen: set[tuple[str, str]], where: str = "") -> None:
    """Every (shape, property) of `node` that `value` uses, following $refs."""
    if "$ref" in node:
        where = node["$ref"].split("/")[-1]
        node = defs[where]
    if "properties" in node and isinstance(value, dict):
        for key, item in value.items():
            seen.add((where, key))
            covered(node["properties"][key], item, defs, seen, where)
    elif "items" in node and isinstance(value, list):
        for item in value:
            covered(node["items"], item, defs, seen, where)


def described(name: str) -> set[tuple[str, str]]:
    defs = schema(name)["$defs"]
    return {(where, key) for where, shape in defs.items() for key in shape.get("properties", {})}


FULL_REGISTRY = """\
site:
  title: Testpoliti
  base_url: https://test.example.dk/
districts:
  - id: nordsjaelland
    name: Nordsjællands Politi
    url: https://politi.dk/nordsjaelland
  - id: tom-kreds
    name: Tom Kreds
municipalities:
  - id: frederikssund
    name: Frederikssund Kommune
    district: nordsjaelland
stations:
  - id: frederikssund-politistation
    name: Frederikssund Politistation
    address: Eksempelvej 1, 3600 Frederikssund
    opening_hours: Man-tor 10-14
    phone: "+45 72 58 10 00"
    coordinates: [55.84, 12.07]
  - id: mobil
    name: Den mobile politistation
officers:
  - id: skibby-betjent
    name: Mette Testesen
    title: Områdebetjent
    phone: "+45 72 58 12 34"
    email: mette@example.dk
    station: frederikssund-politistation
    verified: 2026-11-01
    photo: media/betjent.png
    photo_alt: Portræt af Mette Testesen
  - id: skribent
    name: Skribent Betjentsen
    title: Lokalbetjent
localities:
  - id: skibby
    name: Skibby
    municipality: frederikssund
    postcodes: ["4050"]
    places: [Skibby, Ferslev]
    officer: skibby-betjent
    coordinates: [55.7506, 11.9617]
    description: Et **lokalsamfund** ved [Isefjorden](https://example.dk/).
    councils:
      - name: Skibby Lokalråd
        url: https://skibby.example.dk/
        email: lokalraad@example.dk
      - name: Borgerforeningen
    priorities:
      - issue: Indbrud i villakvarterer
        action: Nabohjælp
        since: 2026-01-01
        updates:
          - date: 2026-10-01
            text: Nabohjælp-møde med [40 deltagere](/lokalsamfund/skibby/).
          - date: 2027-01-01
            text: Endnu ikke gjort.
      - issue: Trafik ved skolen
        status: done
  - id: slangerup
    name: Slangerup
    municipality: frederikssund
    postcodes: ["3550", "3600"]
    officer: skibby-betjent
"""

FULL_FILES = {
    "content/media/betjent.png": png(rgb=(10, 20, 30)),
    "content/media/nyhed.png": png(width=4, height=3, rgb=(40, 50, 60)),
    "content/news/2026-11-01-fuld.md": news(title="Fuld nyhed", date="2026-11-01T09:30", scope="national: true",
                                            extra="author: skribent\nimage: media/nyhed.png\nimage_alt: Et foto\n"
                                                  "summary: Kort.\n"),
    "content/news/2026-11-02-tom.md": news(title="Nyhed uden tekst", date="2026-11-02",
                                           scope="municipalities: frederikssund\ndistricts: [nordsjaelland]",
                                           body=""),
    "content/events/2026-12-03-moede.md": "---\ntitle: Borgermøde\nkind: citizen-meeting\nstart: 2026-12-03T19:00\n"
                                          "end: 2026-12-03T21:00\nlocation: Skibby Hallen\nlocalities: [skibby]\n"
                                          "---\nKom og hør.\n",
    "content/events/2026-12-05-heldag.md": "---\ntitle: Mobil politistation\nkind: mobile-police-station\n"
                                           "start: 2026-12-05\nend: 2026-12-06\nlocation: Torvet\nnational: true\n"
                                           "---\nVi står på torvet.\n",
    "content/events/2026-12-07-aaben.md": "---\ntitle: Åbent møde\nkind: other\nstart: 2026-12-07T10:00\n"
                                          "location: Rådhuset\nmunicipalities: [frederikssund]\n---\nVelkommen.\n",
}


def built_data(root: Path, out: Path) -> dict[str, dict]:
    result = build(root, out)
    assert not result.failed, messages(result)
    return {name: data(out, name) for name in NAMES}


def test_a_site_with_every_optional_field_validates_and_uses_every_property(site_root, tmp_path):
    root = site_root({**FULL_FILES, "content/ambassadors/skibby.yaml": PEOPLE,
                      "content/media/ambassadors/fuld.png": png(rgb=(1, 2, 3)),
                      "content/media/ambassadors/delvis.png": png(rgb=(4, 5, 6)),
                      "content/media/ambassadors/traekket.png": png(rgb=(7, 8, 9))}, registry=FULL_REGISTRY)
    docs = built_data(root, tmp_path / "site")
    for name, doc in docs.items():
        assert not problems(name, doc)
        seen: set[tuple[str, str]] = set()
        full = schema(name)
        covered(full["properties"]["items"], doc["items"], full["$defs"], seen)
        # the schema describes nothing the export never writes (a declared field, a derived one)
        assert described(name) - seen == set(), name
    # and the absent optional values are left out, never null
    districts = {d["id"]: d for d in docs["districts"]["items"]}
    assert "website" not in districts["tom-kreds"] and districts["tom-kreds"]["municipalities"] == []
    assert set(docs["stations"]["items"][1]) == {"id", "name"}
    skribent = {o["id"]: o for o in docs["officers"]["items"]}["skribent"]
    assert skribent == {"id": "skribent", "name": "Skribent Betjentsen", "title": "Lokalbetjent", "localities": []}
    assert not any("photo" in o for o in docs["officers"]["items"])  # declared, not exported
    skibby, slangerup = docs["localities"]["items"]
    assert skibby["places"] == ["Skibby", "Ferslev"] and "places" not in slangerup
    burglary, traffic = skibby["priorities"]
    assert burglary["status"] == "active" and traffic == {"issue": "Trafik ved skolen", "status": "done",
                                                          "updates": []}
    # only the updates published by the build date, with absolute links
    assert burglary["updates"] == [{"date": "2026-10-01", "text_html": '<p>Nabohjælp-møde med <a href='
                                    '"https://test.example.dk/lokalsamfund/skibby/">40 deltagere</a>.</p>\n'}]


def test_a_site_without_any_optional_field_validates(site_root, tmp_path):
    registry = "\n".join(line for line in REGISTRY.splitlines()
                         if not line.strip().startswith(("address:", "phone:", "email:", "station:"))) + "\n"
    docs = built_data(site_root(registry=registry), tmp_path / "site")
    for name, doc in docs.items():
        assert not problems(name, doc)
    assert docs["news"]["items"] == docs["events"]["items"] == docs["ambassadors"]["items"] == []
    assert set(docs["stations"]["items"][0]) == {"id", "name"}
    assert set(docs["officers"]["items"][0]) == {"id", "name", "title", "localities"}


@pytest.mark.parametrize("consent", [
    "{given: 2026-01-01, fields: [name]}",
    "{given: 2026-01-01, fields: [name, role, phone, email, photo]}",
    "{given: 2026-01-01, fields: [name, phone], expires: 2027-01-01}",
    "{given: 2026-01-01, fields: [name, email], withdrawn: 2026-11-01}",  # withdrawn: none published
    "{given: 2026-12-01, fields: [name]}",  # not yet given: none published
    "{given: 2026-01-01, fields: [role, phone]}",  # no name: none published
])
def test_ambassadors_in_every_consent_state_validate(site_root, tmp_path, consent):
    person = ('- id: a1\n  name: Anna Ambassadør\n  role: Formand\n  phone: "+45 30 11 11 11"\n'
              "  email: anna@example.dk\n  photo: media/anna.png\n  photo_alt: Portræt af Anna\n"
              f"  consent: {consent}\n")
    root = site_root({"content/ambassadors/skibby.yaml": person, "content/media/anna.png": png()})
    docs = built_data(root, tmp_path / "site")
    assert not problems("ambassadors", docs["ambassadors"])
    published, fields = _published(yaml.safe_load(person)[0]["consent"])
    groups = docs["ambassadors"]["items"]
    if not published:
        assert groups == []
        return
    (anna,) = groups[0]["ambassadors"]
    assert set(anna) == {f for f in CONSENT_FIELDS if f in fields}


# --- the validation can fail ----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_leaving_out_a_required_property_fails(demo_site: Path, name: str):
    doc = data(demo_site, name)
    item_schema = schema(name)["$defs"][schema(name)["properties"]["items"]["items"]["$ref"].split("/")[-1]]
    assert item_schema["required"]
    for key in item_schema["required"]:
        broken = json.loads(json.dumps(doc))
        del broken["items"][0][key]
        assert problems(name, broken), f"{name} without {key} passed"
    for key in ("$schema", "generated", "license", "items"):
        assert problems(name, {k: v for k, v in doc.items() if k != key}), f"{name} without {key} passed"


@pytest.mark.parametrize("name", NAMES)
def test_a_schema_without_a_property_the_data_has_rejects_it(demo_site: Path, name: str):
    doc = data(demo_site, name)
    full = schema(name)
    assert not problems(name, doc, full)
    item = full["properties"]["items"]["items"]["$ref"].split("/")[-1]
    for key in doc["items"][0]:
        narrowed = json.loads(json.dumps(full))
        del narrowed["$defs"][item]["properties"][key]
        narrowed["$defs"][item]["required"] = [k for k in narrowed["$defs"][item]["required"] if k != key]
        assert problems(name, doc, narrowed), f"{name}: the schema without {key} accepted it"


def test_a_wrong_value_fails(demo_site: Path):
    doc = data(demo_site, "localities")
    for key, value in [("postcodes", ["405"]), ("postcodes", []), ("id", "Skibby"), ("url", 42),
                       ("coordinates", {"latitude": 91, "longitude": 0}), ("councils", [{"name": ""}])]:
        broken = json.loads(json.dumps(doc))
        broken["items"][0][key] = value
        assert problems("localities", broken), f"{key}: {value!r} passed"


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
    assert f"<loc>{BASE}data/</loc>" in sitemap_text(demo_site)


@pytest.mark.parametrize("base", ["https://test.example.dk/", "https://test.example.dk/naerpoliti/"])
def test_news_are_a_file_a_year_and_the_page_lists_each(base, site_root, tmp_path):
    days = ["2024-03-01", "2024-12-31", "2025-06-15", "2026-01-02", "2026-11-20"]
    root = site_root({f"content/news/{d}-n.md": news(title=f"Nyhed {d}", date=d) for d in days},
                     REGISTRY.replace("https://test.example.dk/", base))
    out = tmp_path / "site"
    assert not build(root, out).failed
    found = {}
    for name, year in (("news", 2026), ("news-2025", 2025), ("news-2024", 2024)):
        doc = json.loads((out / "data" / f"{name}.json").read_text(encoding="utf-8"))
        validator("news").validate(doc)
        found[year] = sorted(i["date"][:10] for i in doc["items"])
    assert found == {2026: ["2026-01-02", "2026-11-20"], 2025: ["2025-06-15"], 2024: ["2024-03-01", "2024-12-31"]}
    assert not (out / "data/news-2026.json").exists()
    page = (out / "data/index.html").read_text(encoding="utf-8")
    prefix = base.removeprefix("https://test.example.dk")
    for name in ("news", "news-2025", "news-2024"):
        assert f'href="{prefix}data/{name}.json"' in page
    assert "Nyhederne fra 2024" in page
