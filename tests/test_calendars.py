"""iCalendar files, checked with two independent parsers (icalendar and vobject) and RFC 5545's
rules for lines, time zones and dates, and what each calendar holds against an oracle written
from the content files."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
import vobject

from conftest import TODAY, build
from test_feeds import area_dir, areas_of_demo, copy_demo, expected_items, render

HOST = "naerpoliti.example.dk"


def calendars(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.ics"))}


def unfold(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")


def check_calendar(path: str, data: bytes, host: str = HOST) -> list[icalendar.Event]:
    """Everything RFC 5545 asks of one file that a parser might let pass; returns its events."""
    # CRLF everywhere, no bare CR or LF, no line over 75 octets (without the CRLF)
    assert data.endswith(b"\r\n"), path
    lines = data[:-2].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, (path, line)
        assert len(line) <= 75, (path, len(line), line)
        line.decode("utf-8")  # folding never splits a multi-octet character

    cal = icalendar.Calendar.from_ical(data)
    assert cal.name == "VCALENDAR"
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"] and str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    # icalendar leaves X- properties escaped: unescape the way RFC 5545 TEXT is
    calname = re.sub(r"\\([,;\\])", r"\1", str(cal["X-WR-CALNAME"]))
    assert str(cal["NAME"]) and calname == str(cal["NAME"])
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Copenhagen"

    # every TZID used has its VTIMEZONE
    used = set(re.findall(r";TZID=([^;:]+)", unfold(data)))
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert used <= defined, (path, used, defined)
    assert len(defined) == len(cal.walk("VTIMEZONE"))

    events = cal.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), path
    for e in events:
        assert str(e["UID"]).endswith("@" + host)
        stamp = e.decoded("DTSTAMP")
        assert isinstance(stamp, dt.datetime) and stamp.utcoffset() == dt.timedelta(0)
        start = e.decoded("DTSTART")
        if "DTEND" in e:
            end = e.decoded("DTEND")
            assert type(end) is type(start)
            assert end > start if not isinstance(start, dt.datetime) else end >= start, (path, uids)
        if isinstance(start, dt.datetime):
            assert str(start.tzinfo) == "Europe/Copenhagen" or e["DTSTART"].params["TZID"] == "Europe/Copenhagen"
        for prop in ("SUMMARY", "LOCATION", "DESCRIPTION", "URL", "CATEGORIES"):
            assert prop in e, (path, prop)
        assert str(e["URL"]).startswith(f"https://{host}/arrangementer/")

    # a second, independent parser reads the same events
    parsed = list(vobject.readComponents(data.decode("utf-8")))
    assert len(parsed) == 1
    vevents = parsed[0].contents.get("vevent", [])
    assert sorted(v.uid.value for v in vevents) == sorted(uids)
    for v in vevents:
        start = v.dtstart.value
        if hasattr(v, "dtend"):
            assert v.dtend.value >= start
        if isinstance(start, dt.datetime):
            assert start.utcoffset() is not None  # the VTIMEZONE was understood
    return events


def test_every_area_and_event_has_a_valid_calendar(demo_site: Path):
    files = calendars(demo_site)
    events = expected_items("events")
    assert len(files) == 1 + len(areas_of_demo()) + len(events[None])
    for area in events:
        assert area_dir(area) + "kalender.ics" in files
    for slug in events[None]:
        assert f"arrangementer/{slug}/kalender.ics" in files
    for path, data in files.items():
        check_calendar(path, data)
    assert b"NAME:Skibby \xe2\x80\x93 N\xc3\xa6rpoliti\r\n" in files["lokalsamfund/skibby/kalender.ics"]


def test_each_calendar_holds_exactly_the_events_of_its_scope(demo_site: Path):
    events = expected_items("events")
    for area, slugs in events.items():
        cal = icalendar.Calendar.from_ical((demo_site / area_dir(area) / "kalender.ics").read_bytes())
        assert {str(e["UID"]) for e in cal.walk("VEVENT")} == {f"{s}@{HOST}" for s in slugs}, area
    for slug in events[None]:
        cal = icalendar.Calendar.from_ical((demo_site / f"arrangementer/{slug}/kalender.ics").read_bytes())
        assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [f"{slug}@{HOST}"]


def test_an_event_is_in_local_time_with_its_details(demo_site: Path):
    data = (demo_site / "arrangementer/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe/kalender.ics").read_bytes()
    text = unfold(data)
    assert "DTSTART;TZID=Europe/Copenhagen:20261203T190000\r\n" in text
    assert "DTEND;TZID=Europe/Copenhagen:20261203T210000\r\n" in text
    assert "LOCATION:Forsamlingshuset\\, Eksempelgade 10\\, 4171 Glumsø\r\n" in text
    assert "CATEGORIES:Åbent lokalrådsmøde\r\n" in text
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 3, 18, 0, tzinfo=dt.timezone.utc)
    description = str(event["DESCRIPTION"])
    assert "trygheden i byen.\n\nNetværksbetjenten" in description  # paragraphs stay apart
    assert description.endswith(f"https://{HOST}/arrangementer/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe/")


def test_uids_stay_and_bytes_repeat(tmp_path):
    root = copy_demo(tmp_path / "root")
    first = render(root, TODAY)
    event = root / "content/events/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe.md"
    event.write_text(event.read_text(encoding="utf-8").replace("kaffe og kage", "kaffe, te og kage"), encoding="utf-8")
    edited = render(root, TODAY)
    later = render(root, dt.date(2027, 3, 1))
    assert edited == render(root, TODAY)

    def uids(files):
        return {p: re.findall(r"^UID:(.+)$", unfold(b).replace("\r\n", "\n"), re.M)
                for p, b in files.items() if p.endswith(".ics")}
    assert uids(first) == uids(edited) == uids(later)
    assert first != edited and "te og kage" in unfold(edited["kalender.ics"])


def test_all_day_events_and_events_without_an_end(site_root, tmp_path):
    root = site_root({
        "content/events/2026-12-24-jul.md": "---\ntitle: Julemarked\nkind: other\nstart: 2026-12-24\n"
                                            "end: 2026-12-26\nlocation: Torvet\nlocalities: [skibby]\n---\nHyggeligt.\n",
        "content/events/2026-12-31-nytaar.md": "---\ntitle: Nytårsvagt\nkind: mobile-police-station\n"
                                               "start: 2026-12-31\nlocation: Havnen\nnational: true\n---\nVi er der.\n",
        "content/events/2027-01-05-moede.md": "---\ntitle: Møde\nkind: citizen-meeting\nstart: 2027-01-05T19:00\n"
                                              "location: Hallen\nmunicipalities: [frederikssund]\n---\nKom.\n",
    })
    out = tmp_path / "site"
    assert not build(root, out).failed
    files = calendars(out)
    for path, data in files.items():
        check_calendar(path, data, "test.example.dk")
    text = unfold(files["lokalsamfund/skibby/kalender.ics"])
    assert "DTSTART;VALUE=DATE:20261224\r\n" in text and "DTEND;VALUE=DATE:20261227\r\n" in text
    assert "DTSTART;VALUE=DATE:20261231\r\n" in text and "DTEND;VALUE=DATE:20270101\r\n" in text
    assert "DTSTART;TZID=Europe/Copenhagen:20270105T190000\r\n" in text
    cal = icalendar.Calendar.from_ical(files["arrangementer/2027-01-05-moede/kalender.ics"])
    (event,) = cal.walk("VEVENT")
    assert "DTEND" not in event  # RFC 5545: it ends when it starts; nothing is made up
    # the national event is in every calendar, the locality's only in its own and above
    for area in ("lokalsamfund/slangerup/", "kommune/frederikssund/", "politikreds/nordsjaelland/", ""):
        uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(files[area + "kalender.ics"]).walk("VEVENT")}
        assert "2026-12-31-nytaar@test.example.dk" in uids
        assert ("2026-12-24-jul@test.example.dk" in uids) == (area != "lokalsamfund/slangerup/")


def test_a_calendar_without_events_is_valid(site_root, tmp_path):
    out = tmp_path / "site"
    assert not build(site_root(), out).failed
    data = (out / "kalender.ics").read_bytes()
    check_calendar("kalender.ics", data, "test.example.dk")
    assert b"BEGIN:VEVENT" not in data


@pytest.mark.parametrize("base", ["https://test.example.dk/", "https://test.example.dk/naerpoliti/"])
def test_webcal_links_point_at_the_calendars_address(site_root, tmp_path, base):
    from conftest import REGISTRY
    root = site_root({"content/events/m.md": "---\ntitle: Møde\nkind: citizen-meeting\nstart: 2026-12-01T19:00\n"
                                             "location: Hallen\nlocalities: [skibby]\n---\nTekst.\n"},
                     registry=REGISTRY.replace("https://test.example.dk/", base))
    out = tmp_path / "site"
    assert not build(root, out).failed
    path = base.removeprefix("https://test.example.dk")
    for page, area in [("lokalsamfund/skibby/index.html", "lokalsamfund/skibby/"),
                       ("kommune/frederikssund/index.html", "kommune/frederikssund/"),
                       ("arrangementer/index.html", ""), ("lokalsamfund/skibby/arrangementer/index.html",
                                                          "lokalsamfund/skibby/")]:
        html = (out / page).read_text()
        webcal = re.findall(r'href="(webcal://[^"]+)"', html)
        assert webcal == [f"webcal://test.example.dk{path}{area}kalender.ics"], page
        assert (out / area / "kalender.ics").is_file()
        # without JavaScript the https address is there to select; copy.js adds the button
        address = re.search(r"<code>(.*?)</code>", html).group(1).replace("<wbr>", "")
        assert address == f"https://test.example.dk{path}{area}kalender.ics", page
        assert f'<script src="{path}assets/copy.js" defer></script>' in html
    assert (out / "assets/copy.js").is_file()
