"""No one's personal data is published without valid, recorded consent: proved on the output bytes."""
import io
import datetime as dt
import struct
import zlib
from pathlib import Path

import pytest
import PIL.Image
import yaml

from conftest import REPO, TODAY, build, tree
from naerpoliti.consent import decide
from naerpoliti.model import Ambassador, Consent


def png(width=2, height=2, rgb=(200, 30, 40)) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def amb(**consent):
    c = Consent(given=consent.pop("given", dt.date(2026, 1, 1)),
                fields=consent.pop("fields", ("name", "role")), **consent)
    return Ambassador(id="a", locality="skibby", name="Anna", role="Formand", email="a@example.dk", consent=c)


@pytest.mark.parametrize("kwargs,reason", [
    ({"given": dt.date(2026, 11, 23)}, "after the build date"),
    ({"withdrawn": dt.date(2026, 11, 22)}, "withdrawn on 2026-11-22"),
    ({"expires": dt.date(2026, 11, 22)}, "expired on 2026-11-22"),
    ({"fields": ("role", "email")}, "does not list 'name'"),
])
def test_not_published(kwargs, reason):
    decision = decide(amb(**kwargs), TODAY)
    assert decision.public is None and reason in decision.reason


def test_no_consent_at_all():
    a = Ambassador(id="a", locality="skibby", name="Anna")
    assert decide(a, TODAY).public is None


def test_published_with_exactly_the_listed_fields():
    d = decide(amb(given=TODAY, expires=dt.date(2026, 11, 23), withdrawn=dt.date(2027, 1, 1)), TODAY)
    assert d.public is not None
    assert (d.public.name, d.public.role, d.public.email, d.public.phone) == ("Anna", "Formand", None, None)


PEOPLE = """\
- id: p1
  name: Publiceret Fuldtud
  role: Formand for Borgerforeningen
  phone: "+45 30 11 11 11"
  email: fuldt@example.dk
  photo: media/ambassadors/fuld.png
  photo_alt: Portræt af Publiceret Fuldtud
  consent: {given: 2026-01-01, fields: [name, role, phone, email, photo]}
- id: p2
  name: Delvis Samtykkesen
  role: Halinspektørrolle Hemmelig
  phone: "+45 30 22 22 22"
  email: delvis@example.dk
  photo: media/ambassadors/delvis.png
  photo_alt: Portræt af Delvis Samtykkesen
  consent: {given: 2026-01-01, fields: [name]}
- id: p3
  name: Ingen Samtykkesen
  phone: "+45 30 33 33 33"
  email: ingen@example.dk
- id: p4
  name: Fremtid Samtykkesen
  phone: "+45 30 44 44 44"
  email: fremtid@example.dk
  consent: {given: 2026-12-01, fields: [name, phone, email]}
- id: p5
  name: Udloebet Samtykkesen
  phone: "+45 30 55 55 55"
  email: udloebet@example.dk
  consent: {given: 2025-01-01, expires: 2026-06-30, fields: [name, phone, email]}
- id: p6
  name: Traekket Samtykkesen
  phone: "+45 30 66 66 66"
  email: traekket@example.dk
  photo: media/ambassadors/traekket.png
  photo_alt: Portræt af Traekket Samtykkesen
  consent: {given: 2025-01-01, withdrawn: 2026-10-01, fields: [name, phone, email, photo]}
- id: p7
  name: Navnloes Samtykkesen
  phone: "+45 30 77 77 77"
  email: navnloes@example.dk
  consent: {given: 2025-01-01, fields: [role, phone, email]}
"""


def phone_forms(number: str) -> list[str]:
    digits = number.replace(" ", "")
    return [number, digits, digits[3:], number[4:]]


def assert_absent(site: dict[str, bytes], values: list[str]) -> None:
    for path, data in site.items():
        for value in values:
            for form in {value, value.casefold()}:
                assert form.encode("utf-8") not in data, f"{value!r} leaked into {path}"


def test_unpublished_people_appear_nowhere_in_the_output(site_root, tmp_path):
    root = site_root({
        "content/ambassadors/skibby.yaml": PEOPLE,
        "content/media/ambassadors/fuld.png": png(rgb=(1, 2, 3)),
        "content/media/ambassadors/delvis.png": png(rgb=(4, 5, 6)),
        "content/media/ambassadors/traekket.png": png(rgb=(7, 8, 9)),
    })
    out = tmp_path / "site"
    result = build(root, out)
    assert not result.failed
    assert len(result.diagnostics.warnings) == 5
    site = tree(out)
    page = site["lokalsamfund/skibby/index.html"].decode()
    # published: everything listed
    for text in ["Publiceret Fuldtud", "Formand for Borgerforeningen", "+45 30 11 11 11", "fuldt@example.dk",
                 "Portræt af Publiceret Fuldtud", "Delvis Samtykkesen"]:
        assert text in page
    # the photo is published, re-encoded without metadata (tests/test_images.py): the same pixels
    with PIL.Image.open(io.BytesIO(site["media/ambassadors/fuld.png"])) as photo:
        assert photo.convert("RGB").getcolors() == [(4, (1, 2, 3))]
    # the partly consented person: only the name
    assert_absent(site, ["Halinspektørrolle Hemmelig", *phone_forms("+45 30 22 22 22"), "delvis@example.dk",
                         "Portræt af Delvis Samtykkesen", "delvis.png"])
    # everyone else: nothing at all, not even a photo file
    for name, phone, email in [("Ingen Samtykkesen", "+45 30 33 33 33", "ingen@example.dk"),
                               ("Fremtid Samtykkesen", "+45 30 44 44 44", "fremtid@example.dk"),
                               ("Udloebet Samtykkesen", "+45 30 55 55 55", "udloebet@example.dk"),
                               ("Traekket Samtykkesen", "+45 30 66 66 66", "traekket@example.dk"),
                               ("Navnloes Samtykkesen", "+45 30 77 77 77", "navnloes@example.dk")]:
        assert_absent(site, [name, *phone_forms(phone), email])
    assert_absent(site, ["traekket.png", "Portræt af Traekket"])
    assert not any(p.startswith("media/ambassadors/") and p != "media/ambassadors/fuld.png" for p in site)


def _published(consent: dict | None) -> tuple[bool, set[str]]:
    """The publishing rule, written again independently of naerpoliti.consent, as the test's oracle."""
    if not consent or "given" not in consent:
        return False, set()
    given = dt.date.fromisoformat(str(consent["given"]))
    withdrawn = consent.get("withdrawn") and dt.date.fromisoformat(str(consent["withdrawn"]))
    expires = consent.get("expires") and dt.date.fromisoformat(str(consent["expires"]))
    fields = set(consent.get("fields") or [])
    ok = given <= TODAY and not (withdrawn and withdrawn <= TODAY) and not (expires and expires <= TODAY)
    return ok and "name" in fields, fields


def test_demo_site_publishes_no_one_without_consent(demo_site: Path):
    site = tree(demo_site)
    unpublished_checked = 0
    for path in sorted((REPO / "content" / "ambassadors").glob("*.yaml")):
        for person in yaml.safe_load(path.read_text(encoding="utf-8")):
            published, fields = _published(person.get("consent"))
            # Roles are generic words ("Halinspektør") that may appear elsewhere; names, ids (made
            # from names), phone numbers and e-mail addresses are personal and must be absent.
            values = [] if published else [person["name"], person["id"]]
            if person.get("phone") and not (published and "phone" in fields):
                values += phone_forms(str(person["phone"]))
            if person.get("email") and not (published and "email" in fields):
                values.append(person["email"])
            assert_absent(site, values)
            unpublished_checked += not published
            if published:
                assert person["name"].encode() in site[f"lokalsamfund/{path.stem}/index.html"]
    assert unpublished_checked >= 4  # the demo has people in every unpublished state


# A key present without a value is an error, never read as absent (issue 17): `withdrawn:` left
# empty would otherwise publish someone who withdrew.
EMPTY = ["", " ~", " null", " Null", " NULL"]


@pytest.mark.parametrize("empty", EMPTY, ids=["blank", "tilde", "null", "Null", "NULL"])
@pytest.mark.parametrize("key", ["given", "withdrawn", "expires", "fields"])
def test_an_empty_consent_key_is_an_error_naming_file_line_and_field(site_root, tmp_path, key, empty):
    values = {"given": " 2026-01-01", "fields": " [name, role]", key: empty}
    lines = "".join(f"    {k}:{v}\n" for k, v in values.items())
    root = site_root({"content/ambassadors/skibby.yaml":
                      f"- id: anna\n  name: Anna Hemmelig\n  role: Formand\n  consent:\n{lines}"})
    out = tmp_path / "site"
    result = build(root, out)
    line = 5 + list(values).index(key)
    assert [str(d) for d in result.diagnostics.items] == [
        f"content/ambassadors/skibby.yaml:{line}:5: error: consent.{key}: has no value: write one, or remove the line"]
    assert result.failed and not out.exists()
    assert build(root).failed  # check refuses it too


@pytest.mark.parametrize("empty", ['""', "''"])
@pytest.mark.parametrize("key", ["given", "withdrawn", "expires"])
def test_an_empty_string_consent_date_is_an_error(site_root, key, empty):
    values = {"given": "2026-01-01", "fields": "[name]", key: empty}
    lines = "".join(f"    {k}: {v}\n" for k, v in values.items())
    root = site_root({"content/ambassadors/skibby.yaml": f"- id: anna\n  name: Anna Hemmelig\n  consent:\n{lines}"})
    assert [d.message for d in build(root).diagnostics.items] == [
        f"consent.{key}: '' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20"]


@pytest.mark.parametrize(("rel", "text", "where"), [
    ("content/ambassadors/skibby.yaml", "- id: anna\n  name: Anna\n  consent:\n", "consent"),
    ("content/ambassadors/skibby.yaml",
     "- id: anna\n  name: Anna\n  photo:\n  consent:\n    given: 2026-01-01\n    fields: [name]\n", "photo"),
    ("content/news/2026-11-20-x.md", "---\ntitle: X\ndate: 2026-11-20\nlocalities: [skibby]\ndraft:\n---\nTekst.\n",
     "draft"),
    ("content/news/2026-11-20-x.md", "---\ntitle: X\ndate: 2026-11-20\nlocalities: [skibby]\nnational: ~\n---\nT.\n",
     "national"),
])
def test_other_present_but_empty_fields_are_errors(site_root, rel, text, where):
    result = build(site_root({rel: text}))
    assert f"{where}: has no value: write one, or remove the line" in [d.message for d in result.diagnostics.errors]
