"""`naerpoliti check --consent`: every ambassador in the right section with exactly the fields the
site publishes, the consents that end soon, the officers to verify; and the report never invents."""
import io
import os
import re
import subprocess

import PIL.Image
import pytest
import yaml

from conftest import REPO, TODAY, make_site
from naerpoliti.commands import consent_report as consentreport
from naerpoliti.build import build_date
from naerpoliti.cli import main
from naerpoliti.errors import Diagnostics
from naerpoliti.schema import load_content
from naerpoliti.site import build_site

NAERPOLITI = REPO / ".venv" / "bin" / "naerpoliti"

REGISTRY = """\
site:
  title: Testpoliti
  base_url: https://test.example.dk/
districts:
  - id: nordsjaelland
    name: Nordsjællands Politi
municipalities:
  - id: frederikssund
    name: Frederikssund Kommune
    district: nordsjaelland
  - id: egedal
    name: Egedal Kommune
    district: nordsjaelland
officers:
  - id: gammel-betjent
    name: Gerda Gammel
    title: Områdebetjent
    verified: 2025-01-01
  - id: aldrig-betjent
    name: Arne Aldrig
    title: Lokalbetjent
  - id: frisk-betjent
    name: Frida Frisk
    title: Lokalbetjent
    verified: 2026-10-01
localities:
  - id: skibby
    name: Skibby
    municipality: frederikssund
    postcodes: ["4050"]
    officer: gammel-betjent
  - id: slangerup
    name: Slangerup
    municipality: frederikssund
    postcodes: ["3550"]
    officer: frisk-betjent
  - id: stenloese
    name: Stenløse
    municipality: egedal
    postcodes: ["3660"]
    officer: aldrig-betjent
"""

SKIBBY = """\
# Alle tilstande af samtykke, set fra 2026-11-22
- id: some-fields
  name: Anna Andersen
  role: Formand
  phone: "+45 28 17 43 91"
  email: anna@example.dk
  consent: {given: 2026-01-01, fields: [name, role]}
- id: not-yet
  name: Bent Bentsen
  consent: {given: 2026-12-01, fields: [name]}
- id: withdrawn
  name: Carl Carlsen
  role: Kirkesanger
  consent: {given: 2026-01-01, fields: [name, role], withdrawn: 2026-10-01}
- id: expired
  name: Dorte Dam
  consent: {given: 2025-01-01, fields: [name], expires: 2026-06-30}
- id: no-name
  name: Eva Enevoldsen
  role: Kasserer
  phone: "+45 53 44 18 60"
  consent: {given: 2026-01-01, fields: [role, phone]}
- id: in-30-days
  name: Finn Friis
  email: finn@example.dk
  consent: {given: 2026-01-01, fields: [name, email], expires: 2026-12-22}
- id: in-90-days
  name: Gitte Gram
  consent: {given: 2026-01-01, fields: [name, phone], expires: 2027-02-20}
- id: leaving
  name: Hans Holm
  consent: {given: 2026-01-01, fields: [name], withdrawn: 2027-06-01}
- id: no-consent
  name: Ida Isaksen
  role: Nabohjælper
- id: day-60
  name: Lis Lund
  consent: {given: 2026-01-01, fields: [name], expires: 2027-01-21}
- id: day-61
  name: Mads Mose
  consent: {given: 2026-01-01, fields: [name], expires: 2027-01-22}
"""

SLANGERUP = """\
- id: expires-today
  name: Jens Juul
  consent: {given: 2026-01-01, fields: [name], expires: 2026-11-22}
- id: with-photo
  name: Karen Krog
  role: Halinspektør
  photo: media/ambassadors/karen.png
  photo_alt: Portræt af Karen Krog
  consent: {given: 2026-01-01, fields: [name, photo]}
"""

PUBLISHED = {  # id -> the fields published on TODAY
    "some-fields": ["name", "role"], "in-30-days": ["name", "email"], "in-90-days": ["name"],
    "leaving": ["name"], "day-60": ["name"], "day-61": ["name"], "with-photo": ["name", "photo"],
}
NOT_PUBLISHED = {  # id -> why
    "not-yet": "consent is given from 2026-12-01, after the build date 2026-11-22",
    "withdrawn": "consent was withdrawn on 2026-10-01",
    "expired": "consent expired on 2026-06-30",
    "no-name": "consent does not list 'name' in 'fields'",
    "no-consent": "no consent is recorded (add 'consent:' with 'given' and 'fields')",
    "expires-today": "consent expired on 2026-11-22",
}


def line_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def png() -> bytes:
    buf = io.BytesIO()
    PIL.Image.new("RGB", (4, 4), (200, 30, 40)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def root(tmp_path):
    return make_site(tmp_path / "root", {
        "content/ambassadors/skibby.yaml": SKIBBY,
        "content/ambassadors/slangerup.yaml": SLANGERUP,
        "content/media/ambassadors/karen.png": png(),
    }, registry=REGISTRY)


def report_text(capsys, root, today="2026-11-22") -> str:
    code = main(["check", "--consent", "--root", str(root), "--today", today])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""  # the report is all on stdout, so it can be pasted or piped whole
    return out


def sections(text: str) -> dict[str, str]:
    """Heading -> its text: headings are underlined with '-'."""
    lines = text.split("\n")
    heads = [i - 1 for i, line in enumerate(lines) if line and set(line) == {"-"}]
    return {lines[h]: "\n".join(lines[h + 2:(nxt - 1 if nxt else len(lines))])
            for h, nxt in zip(heads, [*heads[1:], None])}


def entry(text: str, aid: str) -> list[str]:
    """The lines of one ambassador in the by-locality section."""
    lines = sections(text)["Ambassadors by locality"].split("\n")
    start = next(i for i, line in enumerate(lines) if re.match(rf"    \S.* \({aid}\), line \d+$", line))
    rest = lines[start + 1:]
    return [lines[start], *(line for line in rest[: next((i for i, l in enumerate(rest)
                                                          if not l.startswith("      ")), len(rest))])]


def test_every_consent_state_is_in_the_right_section_with_the_right_fields(root, capsys):
    text = report_text(capsys, root)
    for aid, fields in PUBLISHED.items():
        lines = entry(text, aid)
        assert lines[1] == f"      PUBLISHED with: {', '.join(fields)}", (aid, lines)
    for aid, reason in NOT_PUBLISHED.items():
        lines = entry(text, aid)
        assert lines[1] == f"      NOT PUBLISHED: {reason}", (aid, lines)
    # the consent as recorded, and where to find it
    assert entry(text, "some-fields") == [
        "    Anna Andersen (some-fields), line 2",
        "      PUBLISHED with: name, role",
        "      consent given 2026-01-01; fields: name, role",
    ]
    assert entry(text, "withdrawn")[2] == "      consent given 2026-01-01, withdrawn 2026-10-01; fields: name, role"
    assert entry(text, "no-consent")[2] == "      no consent recorded"
    # a field the consent allows but that has no value is not shown as published
    assert entry(text, "in-90-days")[2] == "      (the consent also allows phone, but none is recorded)"


def test_localities_are_grouped_under_their_municipality(root, capsys):
    by_locality = sections(report_text(capsys, root))["Ambassadors by locality"]
    egedal, frederikssund = by_locality.strip("\n").split("\n\n")
    assert egedal == "Egedal Kommune (Nordsjællands Politi)\n  Stenløse: no ambassadors"
    frederikssund = frederikssund.split("\n")
    assert frederikssund[0] == "Frederikssund Kommune (Nordsjællands Politi)"
    assert frederikssund[1] == "  Skibby: 6 of 11 ambassadors published (content/ambassadors/skibby.yaml)"
    assert "  Slangerup: 1 of 2 ambassadors published (content/ambassadors/slangerup.yaml)" in frederikssund
    # in the order of the file, so a coordinator can follow it line by line
    order = re.findall(r"^    \S.* \((\S+)\), line (\d+)$", by_locality, re.M)
    assert [int(n) for _i, n in order[:11]] == sorted(int(n) for _i, n in order[:11])


def test_consent_ending_within_60_days(root, capsys):
    ending = sections(report_text(capsys, root))["Consent ending within 60 days (or withdrawn from a later date)"]
    assert ending.split("\n") == [
        "  Finn Friis (in-30-days), Skibby",
        "    consent expires on 2026-12-22 (in 30 days); last day published 2026-12-21",
        f"    content/ambassadors/skibby.yaml:{line_of(SKIBBY, '- id: in-30-days')}",
        "  Lis Lund (day-60), Skibby",
        "    consent expires on 2027-01-21 (in 60 days); last day published 2027-01-20",
        f"    content/ambassadors/skibby.yaml:{line_of(SKIBBY, '- id: day-60')}",
        "  Hans Holm (leaving), Skibby",
        "    consent is withdrawn on 2027-06-01 (in 191 days); last day published 2027-05-31",
        f"    content/ambassadors/skibby.yaml:{line_of(SKIBBY, '- id: leaving')}",
    ]  # not: in 90 days, in 61 days, already expired today, never published


def test_officers_to_verify(root, capsys):
    text = report_text(capsys, root)
    officers = sections(text)["Officers to verify (contact details last verified over 12 months ago, or never)"]
    reg = REGISTRY.split("\n")
    stale_line = reg.index("    verified: 2025-01-01") + 1
    never_line = reg.index("  - id: aldrig-betjent") + 1
    assert officers.split("\n") == [
        "  Gerda Gammel (gammel-betjent), contact officer of Skibby",
        "    verified 2025-01-01 (690 days ago)",
        f"    localities.yaml:{stale_line}: check the contact details, then set 'verified: 2026-11-22'",
        "  Arne Aldrig (aldrig-betjent), contact officer of Stenløse",
        "    no 'verified' date",
        f"    localities.yaml:{never_line}: check the contact details, then set 'verified: 2026-11-22'",
    ]
    assert "frisk-betjent" not in text


def test_summary_counts(root, capsys):
    summary = sections(report_text(capsys, root))["Summary"]
    assert summary.split("\n") == [
        "  13 ambassadors in 2 localities: 7 published, 6 not published",
        "  3 consents ending within 60 days or withdrawn from a later date",
        "  2 officers to verify",
        "",
    ]


def test_the_report_follows_the_build_date(root, capsys):
    text = report_text(capsys, root, "2027-01-21")
    assert entry(text, "day-60")[1] == "      NOT PUBLISHED: consent expired on 2027-01-21"
    assert entry(text, "not-yet")[1] == "      PUBLISHED with: name"
    ending = sections(text)["Consent ending within 60 days (or withdrawn from a later date)"]
    assert "(day-61), Skibby\n    consent expires on 2027-01-22 (in 1 day)" in ending
    assert "in-90-days" in ending and "day-60" not in ending


def published_from_files(root) -> dict[str, set[str]]:
    """consent.fields of every ambassador, read from the files with plain PyYAML: an oracle
    independent of the loader and the schema."""
    out = {}
    for path in sorted((root / "content" / "ambassadors").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            out[item["id"]] = set((item.get("consent") or {}).get("fields", []))
    return out


@pytest.mark.parametrize("which", ["tmp", "demo"])
def test_the_report_never_invents(which, root, capsys):
    """Every published field listed is in consent.fields and 'name' is always among them; and the
    report publishes exactly whom the site publishes."""
    r = root if which == "tmp" else REPO
    text = report_text(capsys, r)
    allowed = published_from_files(r)
    ids = re.findall(r"^    \S.* \((\S+)\), line \d+$", sections(text)["Ambassadors by locality"], re.M)
    assert sorted(ids) == sorted(allowed)  # everyone is in the report, once
    published = {}
    for aid in ids:
        lines = entry(text, aid)
        if lines[1].startswith("      PUBLISHED with: "):
            fields = lines[1].removeprefix("      PUBLISHED with: ").split(", ")
            assert "name" in fields and set(fields) <= allowed[aid], (aid, fields, allowed[aid])
            published[aid] = fields
        else:
            assert lines[1].startswith("      NOT PUBLISHED: ")
    # the same people as on the site
    diags = Diagnostics()
    content = load_content(r, diags)
    site = build_site(content, TODAY, diags)
    names = {a.id: a.name for a in content.ambassadors}
    on_site = sorted(a.name for amb in site.ambassadors_of.values() for a in amb)
    assert sorted(names[i] for i in published) == on_site and on_site


def test_demo_report(capsys):
    text = report_text(capsys, REPO)
    assert entry(text, "gunnar-kvistgaard-olufsen")[1] == "      PUBLISHED with: name, role"
    assert entry(text, "thorvald-boegeskov-munch")[1] == "      NOT PUBLISHED: consent was withdrawn on 2026-10-01"
    assert entry(text, "ejnar-rosenkvist-dalgaard")[1] == "      NOT PUBLISHED: consent expired on 2026-06-30"
    assert entry(text, "vibeke-skovlund-wandahl")[1] == "      NOT PUBLISHED: consent does not list 'name' in 'fields'"
    assert entry(text, "aksel-braendgaard-fogh")[1].startswith("      NOT PUBLISHED: consent is given from 2027-01-15")
    officers = sections(text)["Officers to verify (contact details last verified over 12 months ago, or never)"]
    assert "  Sanne Kirkegaard Holt (broendby-lokalbetjent), contact officer of Brøndby" in officers
    assert "Næstved Kommune (Sydsjællands og Lolland-Falsters Politi)\n" in text
    assert all(len(line) <= 100 for line in text.split("\n"))  # pasteable into an e-mail


def test_content_errors_exit_1_with_diagnostics_and_no_report(root, capsys):
    (root / "content/ambassadors/skibi.yaml").write_text("- id: x\n  name: X\n", encoding="utf-8")
    code = main(["check", "--consent", "--root", str(root), "--today", "2026-11-22"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "content/ambassadors/skibi.yaml:1:1: error: file name: unknown locality 'skibi' (did you mean 'skibby'?)" in err
    assert err.rstrip().endswith("fix the errors to get the consent report")


def test_the_report_is_the_data_the_site_decides(root):
    """make_report's entries carry the decision; the text is only its rendering."""
    diags = Diagnostics()
    content = load_content(root, diags)
    today = build_date(TODAY, content.config.timezone)
    report = consentreport.make_report(content, build_site(content, today, diags), today)
    got = {e.ambassador.id: list(e.published) for e in report.entries if e.is_published}
    assert got == PUBLISHED
    assert {e.ambassador.id: e.reason for e in report.entries if not e.is_published} == NOT_PUBLISHED
    assert [(x.entry.ambassador.id, x.what) for x in report.endings] == [
        ("in-30-days", "expires"), ("day-60", "expires"), ("leaving", "withdrawn")]


def test_installed_command_prints_the_same_report(root, capsys):
    expected = report_text(capsys, root)
    p = subprocess.run([str(NAERPOLITI), "check", "--consent", "--today", "2026-11-22"], cwd=root / "content",
                       capture_output=True, text=True, timeout=120, env={**os.environ})
    assert p.returncode == 0, p.stderr
    assert p.stdout == expected and p.stderr == ""
