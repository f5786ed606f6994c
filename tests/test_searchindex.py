"""The index of localities behind the instant officer search (/data/soegeindeks.json): its content,
its normalised search text, that it holds nothing of ambassadors, and its size."""
from __future__ import annotations

import gzip
import itertools
import json

import pytest
import yaml

from conftest import REGISTRY, REPO, TODAY, build, tree
from naerpoliti.build import gather
from naerpoliti.errors import Diagnostics
from naerpoliti.render.searchindex import FIELDS, encode, normalise, search_index, search_words
from test_consent import PEOPLE, _published, assert_absent, phone_forms, png

INDEX = "data/soegeindeks.json"


def rows(index: dict, table: str) -> list[dict]:
    """A table of the index as dicts, by the column names of its `fields`."""
    return [dict(zip(index["fields"][table], row, strict=True)) for row in index[table]]


def locality(index: dict, id: str) -> dict:
    """One locality with what it refers to resolved: municipality, district, officer."""
    loc = next(r for r in rows(index, "localities") if r["id"] == id)
    mun = rows(index, "municipalities")[loc["municipality"]]
    return {**loc, "municipality": mun["name"], "municipality_text": mun["text"],
            "district": rows(index, "districts")[mun["district"]]["name"],
            "officer": rows(index, "officers")[loc["officer"]]}


def words(loc: dict) -> list[str]:
    """Every word a query can match for a locality (as search.js reads the index)."""
    return f"{loc['text']} {loc['municipality_text']} {loc['officer']['text']}".split()


@pytest.fixture(scope="module")
def demo_index_bytes(demo_site) -> bytes:
    return (demo_site / INDEX).read_bytes()


@pytest.fixture(scope="module")
def demo_index(demo_index_bytes) -> dict:
    return json.loads(demo_index_bytes)


# --- Content -------------------------------------------------------------------------------------------------

def test_every_locality_with_its_public_contact_details(demo_index):
    assert demo_index["version"] == 1 and demo_index["fields"] == FIELDS
    assert len(demo_index["localities"]) == 10
    skibby = locality(demo_index, "skibby")
    assert skibby == {
        "id": "skibby", "name": "Skibby", "url": "/lokalsamfund/skibby/", "postcodes": ["4050"],
        "municipality": "Frederikssund Kommune", "municipality_text": "frederikssund kommune",
        "district": "Nordsjællands Politi",
        "officer": {"name": "Louise Hvidtfeldt Dam", "title": "Områdebetjent", "phone": "+45 72 58 12 34",
                    "tel": "tel:+4572581234", "email": "louise.dam@example.dk",
                    "text": "louise hvidtfeldt dam", "reply": "Svarer normalt inden for 3 hverdage"},
        "councils": ["Skibby Lokalråd"], "coordinates": [55.7506, 11.9617],
        "text": "skibby selsoe selso kulhuse krogstrup ferslev oestby ostby 4050 lokalraad lokalrad",
        "places": ["Selsø", "Kulhuse", "Krogstrup", "Ferslev", "Østby"],
    }
    fladsaa = locality(demo_index, "fladsaa")
    assert fladsaa["postcodes"] == ["4700", "4733"] and fladsaa["district"] == "Sydsjællands og Lolland-Falsters Politi"
    assert locality(demo_index, "viborg")["councils"] == []


def test_compact_sorted_and_deterministic(demo_index_bytes, demo_index, site_root, tmp_path):
    assert demo_index_bytes == json.dumps(demo_index, ensure_ascii=False, separators=(",", ":"),
                                          sort_keys=True).encode()
    assert b"\n" not in demo_index_bytes
    names = [r["name"] for r in rows(demo_index, "localities")]
    assert names == ["Albertslund", "Brøndby", "Fladså", "Glostrup", "Glumsø", "Hvidovre", "Næstved Vestegn",
                     "Skibby", "Slangerup", "Viborg"]
    assert [r["name"] for r in rows(demo_index, "districts")] == sorted(r["name"] for r in rows(demo_index, "districts"))
    # a second build of the same content: the same bytes
    out = tmp_path / "again"
    assert not build(REPO, out, TODAY).failed
    assert (out / INDEX).read_bytes() == demo_index_bytes


def test_urls_follow_the_base_path_and_missing_values_are_null(site_root, tmp_path):
    registry = (REGISTRY.replace("https://test.example.dk/", "https://test.example.dk/sub/")
                .replace('    phone: "+45 72 58 12 34"\n', ""))
    out = tmp_path / "site"
    assert not build(site_root(registry=registry), out).failed
    index = json.loads((out / INDEX).read_bytes())
    skibby = locality(index, "skibby")
    assert skibby["url"] == "/sub/lokalsamfund/skibby/"
    assert (skibby["coordinates"], skibby["councils"]) == (None, [])
    assert (skibby["officer"]["phone"], skibby["officer"]["tel"]) == (None, None)
    # both localities share one officer and one municipality, listed once
    assert len(index["officers"]) == 1 and len(index["municipalities"]) == 1


# --- Normalisation ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,danish,bare", [
    ("Glumsø", "glumsoe", "glumso"),
    ("Fladså Lokalråd", "fladsaa lokalraad", "fladsa lokalrad"),
    ("Næstved", "naestved", "naestved"),
    ("ÆRØSKØBING", "aeroeskoebing", "aeroskobing"),
    ("Café Søndergård", "cafe soendergaard", "cafe sondergard"),
    ("Lokalrådet i Albertslund (politi og kommune)", "lokalraadet i albertslund politi og kommune",
     "lokalradet i albertslund politi og kommune"),
    ("Midt- og Vestjyllands Politi", "midt og vestjyllands politi", "midt og vestjyllands politi"),
])
def test_normalise(text, danish, bare):
    assert normalise(text) == danish
    assert normalise(text, bare=True) == bare


def test_search_words_hold_both_spellings_once():
    assert search_words(["Glumsø", "4171", "Glumsø Lokalråd"]) == "glumsoe glumso 4171 lokalraad lokalrad"


@pytest.mark.parametrize("query", ["glumso", "glumsoe", "Glumsø", "GLUMSØ", "glum", "4171", "417",
                                   "næstved", "kasper", "lindholm", "glumsø lokalråd"])
def test_every_way_of_writing_finds_glumsoe(demo_index, query):
    # search.js: every word of the query, written as normalise() writes it, begins a word of the locality
    loc = locality(demo_index, "glumsoe")
    assert all(any(w.startswith(q) for w in words(loc)) for q in normalise(query).split())


@pytest.mark.parametrize(("query", "found"), [
    ("tappernoje", ["fladsaa"]), ("Tappernøje", ["fladsaa"]), ("TAPPERNØJE", ["fladsaa"]),
    ("tappernoeje", ["fladsaa"]), ("mogenstrup", ["fladsaa"]), ("Fuglebjerg", ["naestved-vestegn"]),
    ("brøndby strand", ["broendby"]), ("brondby strand", ["broendby"]),
    ("4700", ["fladsaa", "naestved-vestegn"]),
])
def test_places_find_their_locality(demo_index, query, found):
    # as search.js matches: every word of the query begins a word of the locality, its municipality or officer
    def matches(loc: dict) -> bool:
        return all(any(w.startswith(q) for w in words(loc)) for q in normalise(query).split())
    ids = [r["id"] for r in rows(demo_index, "localities")]
    assert sorted(i for i in ids if matches(locality(demo_index, i))) == found


def test_a_place_in_two_localities_is_in_both(site_root, tmp_path):
    registry = REGISTRY.replace('    postcodes: ["4050"]\n',
                                '    postcodes: ["4050"]\n    places: [Kulhuse, Fælles By]\n')
    registry = registry.replace('    postcodes: ["3550"]\n', '    postcodes: ["3550"]\n    places: [fælles by]\n')
    out = tmp_path / "site"
    result = build(site_root(registry=registry), out)
    assert not result.failed, [str(d) for d in result.diagnostics.errors]
    index = json.loads((out / INDEX).read_bytes())
    by_id = {r["id"]: r for r in rows(index, "localities")}
    assert by_id["skibby"]["places"] == ["Kulhuse", "Fælles By"]
    assert by_id["slangerup"]["places"] == ["fælles by"]
    assert by_id["skibby"]["text"] == "skibby kulhuse faelles by 4050"
    assert by_id["slangerup"]["text"] == "slangerup faelles by 3550"


# --- Nothing of ambassadors; officers only in their official role ----------------------------------------------

def ambassador_values(people: list[dict]) -> list[str]:
    values = []
    for person in people:
        values += [person["name"], person["email"], *phone_forms(person["phone"])]
        values += [person[k] for k in ("role", "photo", "photo_alt") if person.get(k)]
    return values


def test_no_ambassador_in_the_index_whatever_their_consent(site_root, tmp_path):
    people = yaml.safe_load(PEOPLE)
    published = [p for p in people if _published(p.get("consent"))[0]]
    assert published, "the oracle should publish some of them on the pages"
    root = site_root({"content/ambassadors/skibby.yaml": PEOPLE,
                      "content/media/ambassadors/fuld.png": png(),
                      "content/media/ambassadors/delvis.png": png(),
                      "content/media/ambassadors/traekket.png": png()})
    out = tmp_path / "site"
    assert not build(root, out).failed
    site = tree(out)
    page = site["lokalsamfund/skibby/index.html"].decode()
    assert all(p["name"] in page for p in published)  # the pages have them, so the check below means something
    assert_absent({INDEX: site[INDEX]}, ambassador_values(people))


def test_no_demo_ambassador_in_the_demo_index(demo_index_bytes):
    people = [p for f in sorted((REPO / "content" / "ambassadors").glob("*.yaml"))
              for p in yaml.safe_load(f.read_text(encoding="utf-8"))]
    assert len(people) > 5
    assert_absent({INDEX: demo_index_bytes}, ambassador_values(people))


def test_officers_without_photo_station_or_dates(demo_index_bytes, demo_index):
    data = demo_index_bytes.decode()
    for absent in ["Frederikssund Politistation", "Eksempelvej", "2026-10-15", "verified", "station", "photo",
                   "media/"]:
        assert absent not in data
    assert all(set(o) == {"name", "title", "phone", "tel", "email", "text", "reply"} for o in rows(demo_index, "officers"))


# --- Size ---------------------------------------------------------------------------------------------------------------

PREFIXES = ["Skib", "Glum", "Slang", "Hvid", "Fugle", "Sand", "Ring", "Hol", "Vester", "Øster", "Nør", "Sønder",
            "Ål", "Bjær", "Kirke", "Tappe", "Mogen", "Fladså", "Brønd", "Albert"]
SUFFIXES = ["by", "sø", "rup", "bjerg", "sted", "ved", "løse", "havn", "lev", "inge", "strup"]


def large_registry(n: int) -> str:
    """n localities with names, councils, coordinates; a municipality per 4, an officer per 3."""
    names = [p + s for p, s in itertools.product(PREFIXES, SUFFIXES)][:n]
    assert len(names) == n
    out = ["site:", "  title: Stor", "  base_url: https://stor.example.dk/", "districts:"]
    for d in range(4):
        out += [f"  - id: d{d}", f"    name: {names[d]} og Omegns Politi"]
    out.append("municipalities:")
    for m in range(n // 4):
        out += [f"  - id: m{m}", f"    name: {names[m]} Kommune", f"    district: d{m % 4}"]
    out.append("officers:")
    for o in range(n // 3):
        out += [f"  - id: o{o}", f"    name: Betjent {names[o]}sen Hansen", "    title: Lokalbetjent",
                f'    phone: "+45 72 {10 + o // 100} {o % 100:02d} {10 + o % 90}"',
                f"    email: betjent.{o}@example.dk"]
    out.append("localities:")
    for i, name in enumerate(names):
        out += [f"  - id: l{i}", f"    name: {name}", f"    municipality: m{i % (n // 4)}",
                f'    postcodes: ["{1000 + i * 37}"]', f"    officer: o{i % (n // 3)}",
                f"    coordinates: [{55 + i / 97:.4f}, {9 + i / 31:.4f}]",
                "    councils:", f"      - name: {name} Lokalråd"]
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("n", [100, 200])
def test_size_per_hundred_localities(n, site_root):
    diags = Diagnostics()
    site = gather(site_root(registry=large_registry(n)), TODAY, diags)
    assert site is not None and not diags.errors, [str(d) for d in diags.errors]
    data = encode(search_index(site))
    per_100 = len(data) * 100 / n
    per_100_gzip = len(gzip.compress(data, 9)) * 100 / n
    print(f"\nsearch index, {n} localities: {len(data)} bytes; per 100 localities {per_100:.0f} bytes, "
          f"{per_100_gzip:.0f} bytes gzipped")
    # measured: about 20 KB (uncompressed) and under 5 KB (gzipped, as hosts serve JSON) per 100
    assert per_100 < 24_000 and per_100_gzip < 6_000
