"""`naerpoliti new`: every scaffolded file passes `naerpoliti check` as created, existing files are
only ever added to (never reformatted), and nothing is overwritten or left half written."""
import datetime as dt
import difflib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REGISTRY, REPO, TODAY, build, make_site, messages, tree
from naerpoliti.commands import new as scaffold
from naerpoliti.cli import main

NAERPOLITI = REPO / ".venv" / "bin" / "naerpoliti"
NOON = str(int(dt.datetime(2026, 11, 22, 12, tzinfo=dt.timezone.utc).timestamp()))  # TODAY, in any zone


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch):
    """`new` dates files today in the site's time zone; SOURCE_DATE_EPOCH fixes today, as in a build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOON)


def demo_copy(tmp_path: Path) -> Path:
    """The demo root's content in a temporary folder: tests never write into the repository."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy2(REPO / "localities.yaml", root / "localities.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.fixture(params=["demo", "minimal"])
def root(request, tmp_path, monkeypatch) -> Path:
    r = demo_copy(tmp_path) if request.param == "demo" else make_site(tmp_path / "minimal")
    before = build(r)
    assert not before.diagnostics.errors, messages(before)  # a clean start, so errors are ours
    monkeypatch.chdir(r)
    return r


def new(capsys, *args) -> tuple[int, str, str]:
    code = main(["new", *args])
    out, err = capsys.readouterr()
    return code, out, err


def check_clean(root: Path):
    result = build(root)
    assert not result.diagnostics.errors, messages(result)
    assert not result.failed
    return result


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob(".*") if p.is_file()]


# --------------------------------------------------------------------------------------------
# Every kind, on the demo root and on a minimal root


def test_news_passes_check_and_is_published(root, capsys):
    code, out, err = new(capsys, "news", "Lås døren: sådan gør du #1", "--locality", "skibby",
                         "--locality", "slangerup")
    assert code == 0, err
    assert out == "content/news/2026-11-22-laas-doeren-saadan-goer-du-1.md\n"
    text = (root / out.strip()).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 'Lås døren: sådan gør du #1'\ndate: 2026-11-22\n"
                           "localities: [skibby, slangerup]\n")
    for hint in ("# summary:", "# author:", "# image:", "# image_alt:", "# draft:"):
        assert hint in text
    site = check_clean(root).site
    item = next(n for n in site.news if n.slug == "2026-11-22-laas-doeren-saadan-goer-du-1")
    assert item.title == "Lås døren: sådan gør du #1" and item.date == TODAY
    assert item.scope.localities == ("skibby", "slangerup") and not item.draft


def test_news_with_every_kind_of_scope_and_a_date(root, capsys):
    code, out, err = new(capsys, "news", "Ny i kommunen", "--municipality", "frederikssund",
                         "--district", "nordsjaelland", "--national", "--date", "2026-11-01")
    assert code == 0, err
    assert out.strip() == "content/news/2026-11-01-ny-i-kommunen.md"
    item = next(n for n in check_clean(root).site.news if n.slug == "2026-11-01-ny-i-kommunen")
    s = item.scope
    assert (s.municipalities, s.districts, s.national, item.date) == (
        ("frederikssund",), ("nordsjaelland",), True, dt.date(2026, 11, 1))


def test_the_commented_hints_are_valid_once_uncommented(root, capsys):
    """An editor removes '# ' from the hints: the author hint names a real officer, and the file
    still parses (draft: true makes it unpublished, which proves the line was read)."""
    code, out, _ = new(capsys, "news", "Hint", "--locality", "skibby")
    path = root / out.strip()
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^# (summary|author|draft): ", r"\1: ", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    result = check_clean(root)
    assert not [n for n in result.site.news if n.slug.endswith("-hint")]  # draft: true was read
    assert re.search(r"^author: (\S+)", text, re.M).group(1) in result.site.officers


def test_event_with_everything_given_passes_check_and_is_published(root, capsys):
    code, out, err = new(capsys, "event", "Kaffe med betjenten", "--locality", "skibby",
                         "--start", "2026-12-10T10:00", "--end", "2026-12-10T12:00",
                         "--kind", "borgermøde", "--location", "Hallen, Skolevej 1, 4050 Skibby")
    assert code == 0, err
    assert out.strip() == "content/events/2026-12-10-kaffe-med-betjenten.md"
    assert err == ""
    event = next(e for e in check_clean(root).site.events if e.slug == "2026-12-10-kaffe-med-betjenten")
    assert event.kind == "citizen-meeting"  # the Danish word, written as the format's value
    assert event.start.isoformat() == "2026-12-10T10:00:00+01:00"
    assert event.end.isoformat() == "2026-12-10T12:00:00+01:00"
    assert event.location == "Hallen, Skolevej 1, 4050 Skibby" and not event.draft


def test_all_day_event(root, capsys):
    code, out, err = new(capsys, "event", "Marked", "--locality", "skibby", "--start", "2026-12-12",
                         "--location", "Torvet")
    assert code == 0, err
    event = next(e for e in check_clean(root).site.events if e.slug == "2026-12-12-marked")
    assert event.all_day and event.kind == "other"
    assert "# end: 2026-12-12" in (root / out.strip()).read_text(encoding="utf-8")


def test_event_without_start_and_place_is_a_draft_with_todos(root, capsys):
    """What cannot be guessed honestly is not published as if it were true: the event is a draft,
    the site still builds, and the lines to fix say TODO."""
    code, out, err = new(capsys, "event", "Borgermøde om indbrud", "--locality", "skibby")
    assert code == 0, err
    rel = out.strip()
    assert rel == "content/events/2026-11-22-borgermoede-om-indbrud.md"
    assert "draft" in err and "--start" in err and "--location" in err
    text = (root / rel).read_text(encoding="utf-8")
    assert re.search(r"^start: 2026-11-22T19:00 +# TODO", text, re.M)
    assert re.search(r"^location: \"TODO: ", text, re.M)
    assert re.search(r"^draft: true +# TODO", text, re.M)
    result = check_clean(root)
    assert not [e for e in result.site.events if e.slug == "2026-11-22-borgermoede-om-indbrud"]

    # the editor fills in the TODOs and deletes the draft line: published
    text = text.replace("2026-11-22T19:00", "2026-12-01T19:30").replace(
        '"TODO: sted, adresse, postnummer og by"', "Skolen, Skolevej 2, 4050 Skibby")
    (root / rel).write_text("\n".join(l for l in text.split("\n") if not l.startswith("draft:")),
                            encoding="utf-8")
    event = next(e for e in check_clean(root).site.events if e.slug == "2026-11-22-borgermoede-om-indbrud")
    assert event.location == "Skolen, Skolevej 2, 4050 Skibby"


def test_page_passes_check_and_is_published(root, capsys):
    code, out, err = new(capsys, "page", "Om tryghed på Café Ærø")
    assert code == 0, err
    assert out.strip() == "content/pages/om-tryghed-paa-cafe-aeroe.md"
    page = next(p for p in check_clean(root).site.pages if p.slug == "om-tryghed-paa-cafe-aeroe")
    assert page.title == "Om tryghed på Café Ærø"


def test_ambassador_added_to_an_existing_file_keeps_every_byte(root, capsys):
    path = root / "content/ambassadors/skibby.yaml"
    if not path.exists():
        path.parent.mkdir(parents=True)
        path.write_text("# Skibby\n\n- id: anna\n  name: Anna\n  role: Formand  # kommentar\n", encoding="utf-8")
    before = path.read_bytes()
    code, out, err = new(capsys, "ambassador", "Birthe Ørum Jensen", "--locality", "skibby")
    assert code == 0, err
    assert out.strip() == "content/ambassadors/skibby.yaml"
    after = path.read_bytes()
    assert after.startswith(before)  # appended: comments, order and formatting as they were
    assert b"- id: birthe-oerum-jensen\n  name: Birthe \xc3\x98rum Jensen\n" in after
    assert "nothing about Birthe Ørum Jensen is published until the consent" in err
    result = check_clean(root)
    assert any(str(d) .endswith("ambassador 'birthe-oerum-jensen' is not published: no consent is recorded "
                                "(add 'consent:' with 'given' and 'fields')") for d in result.diagnostics.warnings)
    assert "Birthe Ørum Jensen" not in [a.name for a in result.site.ambassadors_of.get("skibby", ())]


def test_ambassador_file_is_created_when_missing(root, capsys):
    path = root / "content/ambassadors/slangerup.yaml"
    path.unlink(missing_ok=True)
    code, out, err = new(capsys, "ambassador", "Ole Hansen", "--locality", "Slangerup")  # the name is fine
    assert code == 0, err
    assert out.strip() == "content/ambassadors/slangerup.yaml"
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == [{"id": "ole-hansen", "name": "Ole Hansen"}]
    check_clean(root)


def test_the_commented_consent_block_publishes_once_filled_in(root, capsys):
    code, out, _ = new(capsys, "ambassador", "Birthe Jensen", "--locality", "skibby")
    path = root / out.strip()
    text = path.read_text(encoding="utf-8")
    text = text.replace("  # role: ", "  role: ")
    text = re.sub(r"^  # (consent:|  given: |  fields: )", r"  \1", text, flags=re.M)
    text = text.replace("given: ÅÅÅÅ-MM-DD", "given: 2026-11-01").replace("fields: [name]", "fields: [name, role]")
    path.write_text(text, encoding="utf-8")
    result = check_clean(root)
    public = [a for a in result.site.ambassadors_of["skibby"] if a.name == "Birthe Jensen"]
    assert len(public) == 1 and public[0].role == "Formand for borgerforeningen" and public[0].email is None


def test_locality_is_inserted_after_the_last_one_and_passes_check(root, capsys):
    path = root / "localities.yaml"
    before = path.read_text(encoding="utf-8")
    code, out, err = new(capsys, "locality", "Jyllinge Nord", "--municipality", "frederikssund",
                         "--postcode", "4040", "--postcode", "4040")
    assert code == 0, err
    assert out.strip() == "localities.yaml"
    after = path.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True)).get_opcodes()
    assert [op[0] for op in ops if op[0] != "equal"] == ["insert"]  # only added lines
    site = check_clean(root).site
    loc = site.locality_by_id["jyllinge-nord"]
    assert (loc.name, loc.municipality, loc.postcodes) == ("Jyllinge Nord", "frederikssund", ("4040",))
    # the officer of the municipality's other localities
    assert loc.officer == site.locality_by_id["skibby"].officer
    assert [l["id"] for l in yaml.safe_load(after)["localities"]][-1] == "jyllinge-nord"


# --------------------------------------------------------------------------------------------
# Text insertion into files written in other ways


REORDERED = REGISTRY.replace("stations:\n", "").replace(
    "  - id: frederikssund-politistation\n    name: Frederikssund Politistation\n"
    "    address: Eksempelvej 1, 3600 Frederikssund\n", "") + """\
    # kommentar til slangerup
    #   fortsat

# Stationer: den næste del af filen
stations:
  - id: frederikssund-politistation
    name: Frederikssund Politistation
"""


def test_locality_goes_before_the_next_section_and_its_comment(tmp_path, capsys, monkeypatch):
    root = make_site(tmp_path / "r", registry=REORDERED)
    check_clean(root)
    monkeypatch.chdir(root)
    code, _, err = new(capsys, "locality", "Ny By", "--municipality", "frederikssund", "--postcode",
                       "4000", "--officer", "skibby-betjent")
    assert code == 0, err
    text = (root / "localities.yaml").read_text(encoding="utf-8")
    # the indented comments stay with slangerup; the section comment stays with stations
    assert "    #   fortsat\n  - id: ny-by\n" in text
    assert re.search(r"    #     since: 2026-11-22\n\n# Stationer: den næste del af filen\nstations:\n", text)
    assert check_clean(root).site.locality_by_id["ny-by"].officer == "skibby-betjent"


def test_crlf_files_keep_their_line_ends(tmp_path, capsys, monkeypatch):
    root = make_site(tmp_path / "r")
    reg = root / "localities.yaml"
    reg.write_bytes(REGISTRY.replace("\n", "\r\n").encode("utf-8"))
    amb = root / "content/ambassadors/skibby.yaml"
    amb.parent.mkdir(parents=True)
    amb.write_bytes(b"# Skibby\r\n- id: anna\r\n  name: Anna\r\n")
    monkeypatch.chdir(root)
    assert new(capsys, "locality", "Ny By", "--municipality", "frederikssund", "--postcode", "4000")[0] == 0
    assert new(capsys, "ambassador", "Bo", "--locality", "skibby")[0] == 0
    for path in (reg, amb):
        data = path.read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n")  # no bare \n mixed in
    assert amb.read_bytes().startswith(b"# Skibby\r\n- id: anna\r\n  name: Anna\r\n\r\n- id: bo\r\n")
    check_clean(root)


def test_an_indented_list_is_extended_at_its_own_indentation(tmp_path, capsys, monkeypatch):
    root = make_site(tmp_path / "r", {"content/ambassadors/skibby.yaml": ""})
    (root / "content/ambassadors/skibby.yaml").write_text("  -   id: anna\n      name: Anna\n", encoding="utf-8")
    monkeypatch.chdir(root)
    assert new(capsys, "ambassador", "Bo", "--locality", "skibby")[0] == 0
    text = (root / "content/ambassadors/skibby.yaml").read_text(encoding="utf-8")
    assert "\n  -   id: bo\n      name: Bo\n" in text
    assert [a["id"] for a in yaml.safe_load(text)] == ["anna", "bo"]


def test_a_list_written_in_brackets_is_refused_not_rewritten(tmp_path, capsys, monkeypatch):
    root = make_site(tmp_path / "r", {"content/ambassadors/skibby.yaml": "[{id: anna, name: Anna}]\n"})
    monkeypatch.chdir(root)
    code, out, err = new(capsys, "ambassador", "Bo", "--locality", "skibby")
    assert code == 2 and out == "" and "by hand" in err
    assert (root / "content/ambassadors/skibby.yaml").read_text(encoding="utf-8") == "[{id: anna, name: Anna}]\n"
    assert no_temp_files(root)


ZERO_LOCALITIES = REGISTRY.split("localities:\n")[0]


@pytest.mark.parametrize("written", ["localities: []\n", "localities: []  # none yet\n",
                                     "localities: [ ]\r\n", "localities: []\n# the end\n"])
def test_the_first_locality_goes_into_an_empty_list(tmp_path, capsys, monkeypatch, written):
    root = make_site(tmp_path / "r", registry=ZERO_LOCALITIES + written)
    if "\r\n" in written:
        reg = root / "localities.yaml"
        reg.write_bytes(reg.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert check_clean(root).site.localities == ()  # a site with no localities yet is valid
    monkeypatch.chdir(root)
    code, _, err = new(capsys, "locality", "Ny By", "--municipality", "frederikssund", "--postcode",
                       "4000", "--officer", "skibby-betjent")
    assert code == 0, err
    assert new(capsys, "locality", "Anden By", "--municipality", "frederikssund", "--postcode", "4001")[0] == 0
    site = check_clean(root).site
    assert sorted(loc.id for loc in site.localities) == ["anden-by", "ny-by"]
    text = (root / "localities.yaml").read_bytes().decode()
    assert text.index("- id: ny-by") < text.index("- id: anden-by")
    if "# the end" in written:
        assert text.rstrip().endswith("# the end")
    if "\r\n" in written:
        assert text.count("\n") == text.count("\r\n")


@pytest.mark.parametrize("key", ["localities", "officers", "districts", "municipalities"])
def test_a_list_left_empty_gets_one_message_naming_it(tmp_path, key):
    registry = re.sub(rf"^{key}:\n(?:[ #].*\n|\n)*", f"{key}:\n", REGISTRY, flags=re.M)
    root = make_site(tmp_path / "r", registry=registry)
    found = messages(build(root))
    line = registry.split("\n").index(f"{key}:") + 1
    assert any(m.startswith(f"localities.yaml:{line}:1: error: {key}: is empty: write each ") and
               f"'{key}: []' while there are none" in m for m in found), found
    assert not any("missing required field" in m for m in found), found


# --------------------------------------------------------------------------------------------
# Refusals: exit 2 (or 1 for a broken root), nothing written


@pytest.fixture
def minimal(tmp_path, monkeypatch) -> Path:
    root = make_site(tmp_path / "r", {"content/ambassadors/slangerup.yaml": "- id: anna-berg\n  name: Anna Berg\n"})
    monkeypatch.chdir(root)
    return root


def test_refuses_to_overwrite(minimal, capsys):
    args = ("news", "Nyhed", "--locality", "skibby")
    assert new(capsys, *args)[0] == 0
    path = minimal / "content/news/2026-11-22-nyhed.md"
    path.write_text(path.read_text(encoding="utf-8") + "Redaktørens tekst.\n", encoding="utf-8")
    before = tree(minimal)
    code, out, err = new(capsys, *args)
    assert code == 2 and out == ""
    assert "content/news/2026-11-22-nyhed.md already exists: nothing was written" in err
    assert tree(minimal) == before and no_temp_files(minimal)


@pytest.mark.parametrize("args,message", [
    (["news", "X", "--locality", "skiby"], "--locality skiby: unknown locality 'skiby' (did you mean 'skibby'?)"),
    (["event", "X", "--municipality", "frederiksund"], "(did you mean 'frederikssund'?)"),
    (["news", "X", "--district", "nordsjælland-x"], "unknown district"),
    (["news", "X"], "needs a scope: say where it belongs with --locality ID"),
    (["event", "X"], "--national (the whole site)"),
    (["news", "X", "--locality", "skibby", "--start", "2026-12-01"], "--start is not used with 'naerpoliti new news'"),
    (["page", "X", "--locality", "skibby"], "--locality is not used with 'naerpoliti new page'"),
    (["page", "Nyheder"], "a page named 'nyheder' would take an address the site itself uses"),
    (["page", "!!!"], "cannot make an id from '!!!'"),
    (["page", "   "], "the title must not be empty"),
    (["page", "Ny\x02side"], "the title: an invisible control character (U+0002)"),
    (["event", "X", "--locality", "skibby", "--start", "2026-12-01T19:00", "--end", "2026-12-01T18:00"],
     "--end: the event ends (2026-12-01T18:00) before it starts"),
    (["event", "X", "--locality", "skibby", "--start", "2026-12-01T19:00", "--end", "2026-12-02"],
     "both with a time"),
    (["event", "X", "--locality", "skibby", "--start", "1. december"], "--start: '1. december' is not a date or time"),
    (["event", "X", "--locality", "skibby", "--kind", "fest"], "--kind fest: use one of open-council-meeting"),
    (["ambassador", "Anna Berg", "--locality", "skibby"],
     "already an ambassador with the id 'anna-berg' (content/ambassadors/slangerup.yaml:1)"),
    (["ambassador", "Bo"], "an ambassador belongs to one locality: give --locality ID once"),
    (["locality", "Skibby", "--municipality", "frederikssund", "--postcode", "4050"],
     "already a locality with the id 'skibby' (localities.yaml:"),
    (["locality", "Ny", "--municipality", "frederikssund"], "give the locality's postcodes with --postcode"),
    (["locality", "Ny", "--municipality", "frederikssund", "--postcode", "405"], "must be four digits"),
    (["locality", "Ny", "--municipality", "frederikssund", "--postcode", "4000", "--officer", "skibby-betjen"],
     "(did you mean 'skibby-betjent'?)"),
    (["news", "X", "--locality", "skibby", "--root", "/nonexistent-folder"], "there is no localities.yaml"),
])
def test_usage_errors_exit_2_and_write_nothing(minimal, capsys, args, message):
    before = tree(minimal)
    code, out, err = new(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("naerpoliti: error: ") and message in err, err
    assert tree(minimal) == before


def test_a_bad_source_date_epoch_is_a_usage_error(minimal, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "i går")
    code, out, err = new(capsys, "news", "X", "--locality", "skibby")
    assert code == 2 and out == "" and "SOURCE_DATE_EPOCH='i går' is not a number of seconds" in err


def test_argparse_errors_exit_2(minimal, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["new", "news", "X", "--locality", "skibby", "--date", "22-11-2026"])
    assert exc.value.code == 2 and "is not a date: use YYYY-MM-DD" in capsys.readouterr().err


def test_a_broken_registry_is_reported_and_nothing_written(minimal, capsys):
    reg = minimal / "localities.yaml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("postcodes: [\"3550\"]", "postcodes: [\"35\"]"),
                   encoding="utf-8")
    before = tree(minimal)
    code, out, err = new(capsys, "news", "X", "--locality", "skibby")
    assert code == 1 and out == ""
    assert "localities.yaml:" in err and "four digits" in err and "nothing was written" in err
    assert tree(minimal) == before


def test_an_interrupted_write_leaves_no_file_and_no_temp(minimal, capsys, monkeypatch):
    """The file appears whole or not at all: interrupt the step that makes it appear."""
    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(os, "link", interrupted)
    monkeypatch.setattr(os, "replace", interrupted)
    amb = minimal / "content/ambassadors/slangerup.yaml"
    before = amb.read_bytes()
    with pytest.raises(KeyboardInterrupt):
        main(["new", "news", "Nyhed", "--locality", "skibby"])
    with pytest.raises(KeyboardInterrupt):
        main(["new", "ambassador", "Bo", "--locality", "slangerup"])
    assert not (minimal / "content/news").exists() or not list((minimal / "content/news").iterdir())
    assert amb.read_bytes() == before and no_temp_files(minimal)


# --------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize("title,slug", [
    ("Åbent møde på Café Ærø", "aabent-moede-paa-cafe-aeroe"),
    ("  Indbrud -- i  SKIBBY!! ", "indbrud-i-skibby"),
    ("Naïve façade 2027", "naive-facade-2027"),
])
def test_slugs_follow_the_id_rule(minimal, capsys, title, slug):
    code, out, err = new(capsys, "page", title)
    assert code == 0, err
    assert out.strip() == f"content/pages/{slug}.md"


def test_long_titles_are_cut_at_a_word(minimal, capsys):
    title = "Politiet inviterer til et langt og grundigt borgermøde om trafiksikkerhed på skolevejene i hele kommunen"
    code, out, err = new(capsys, "news", title, "--locality", "skibby")
    assert code == 0, err
    stem = Path(out.strip()).stem
    assert stem == "2026-11-22-politiet-inviterer-til-et-langt-og-grundigt-borgermoede-om"
    assert len(stem) - len("2026-11-22-") <= scaffold.MAX_SLUG
    check_clean(minimal)


def test_the_date_is_today_in_the_sites_time_zone(minimal, capsys, monkeypatch):
    # 2026-11-22 23:30 UTC is already the 23rd in Copenhagen
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.timezone.utc).timestamp())))
    assert new(capsys, "news", "Sent", "--locality", "skibby")[1].strip() == "content/news/2026-11-23-sent.md"


# --------------------------------------------------------------------------------------------
# The installed command


def test_installed_command_creates_a_file_that_the_installed_check_accepts(tmp_path):
    root = make_site(tmp_path / "r")
    sub = root / "content"
    sub.mkdir()
    env = {**os.environ, "SOURCE_DATE_EPOCH": NOON}
    p = subprocess.run([str(NAERPOLITI), "new", "event", "Åbent lokalrådsmøde", "--locality", "glumsø",
                        "--locality", "skibby", "--start", "2026-12-03T19:00",
                        "--location", "Forsamlingshuset"], cwd=sub, env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 2 and "unknown locality 'glumsø'" in p.stderr and p.stdout == ""
    p = subprocess.run([str(NAERPOLITI), "new", "event", "Åbent lokalrådsmøde", "--locality", "skibby",
                        "--start", "2026-12-03T19:00", "--location", "Forsamlingshuset"],
                       cwd=sub, env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "events/2026-12-03-aabent-lokalraadsmoede.md\n"  # relative to where it ran
    assert (sub / p.stdout.strip()).is_file()
    p = subprocess.run([str(NAERPOLITI), "check", "--today", "2026-11-22"], cwd=root, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "0 errors, 0 warnings" in p.stdout, p.stderr


# --------------------------------------------------------------------------------------------
# Whatever an editor types as a title or name


from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

TITLES = st.one_of(  # mostly what Danish editors type, with YAML's special characters; sometimes anything
    st.text(st.sampled_from("abcxyzæøåÆØÅé0 :#-'\"[]{}&*!|>%@`,?\t\n"), max_size=70),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=70),
)
KIND_ARGS = {
    "news": ["--locality", "skibby"],
    "event": ["--locality", "skibby", "--start", "2026-12-01T19:00", "--location", "Hallen"],
    "page": [],
    "ambassador": ["--locality", "skibby"],
    "locality": ["--municipality", "frederikssund", "--postcode", "4000"],
}


@settings(max_examples=40, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(KIND_ARGS)), title=TITLES)
def test_any_title_gives_a_file_that_passes_check_or_a_usage_error(kind, title, tmp_path_factory, capsys):
    root = make_site(tmp_path_factory.mktemp("prop") / "r",
                     {"content/ambassadors/skibby.yaml": "# Skibby\n- id: anna\n  name: Anna\n"})
    before = tree(root)
    code = main(["new", kind, "--root", str(root), *KIND_ARGS[kind], "--", title])  # '--': a title may start with '-'
    out, err = capsys.readouterr()
    if code == 2:
        assert tree(root) == before and out == "" and err.startswith("naerpoliti: error: ")
        return
    assert code == 0, err
    result = build(root)
    assert not result.diagnostics.errors, (title, messages(result))
    shown = {"news": [n.title for n in result.site.news], "event": [e.title for e in result.site.events],
             "page": [p.title for p in result.site.pages],
             "locality": [loc.name for loc in result.site.localities]}
    if kind in shown:  # the title as the validator reads it: whitespace runs become one space
        assert " ".join(title.split()) in shown[kind]
    assert no_temp_files(root)
