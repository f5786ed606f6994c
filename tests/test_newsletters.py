"""Newsletters: which issues exist, that their web pages (a page per area and year) say what they
should, and that each issue's email.html, email.txt and nyhedsbrev.eml (made by `newsletter render`,
not by the build) are what a reader's mail app and a mail server expect, byte for byte reproducible."""
from __future__ import annotations

import datetime as dt
import email
import html as html_module
import random
import re
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote
from zoneinfo import ZoneInfo

import html5lib
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from conftest import REGISTRY, REPO, TODAY, build, news, render_all_emails, tree
from naerpoliti.build import gather
from naerpoliti.errors import Diagnostics
from naerpoliti import newsletter
from naerpoliti.newsletter import UPCOMING_DAYS, Area, Issue, all_issues, period_bounds, period_of, period_words
from naerpoliti.render import newsletters as nl
from naerpoliti.render.environment import make_environment

INTRO = "---\ntitle: {title}\n---\nKære borgere\n\nLæs om [Skibby](/lokalsamfund/skibby/) her.\n"


def event(title="Møde", start="2026-11-25T19:00", scope="localities: [skibby]", extra=""):
    return (f"---\ntitle: {title}\nkind: citizen-meeting\nstart: {start}\nlocation: Hallen, Vej 1\n"
            f"{scope}\n{extra}---\nTekst.\n")


def registry(**newsletter) -> str:
    settings = ", ".join(f"{k}: {v}" for k, v in newsletter.items())
    return REGISTRY.replace("  base_url: https://test.example.dk/",
                            f"  base_url: https://test.example.dk/\n  newsletter: {{{settings}}}")


def model(root: Path, today: dt.date = TODAY):
    diags = Diagnostics()
    site = gather(root, today, diags)
    assert site is not None, [str(d) for d in diags.errors]
    return site


def issues_of(site, kind: str, id: str):
    return {a.id: issues for a, issues in all_issues(site) if a.kind == kind}[id]


# --- which issues -----------------------------------------------------------------------------------

def test_periods(tmp_path):
    assert period_of(dt.date(2026, 11, 22), "month") == "2026-11"
    assert period_of(dt.date(2026, 11, 22), "week") == "2026-W47"
    assert period_of(dt.date(2024, 12, 30), "week") == "2025-W01"  # the ISO year, not the calendar year
    assert period_bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert period_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert period_bounds("2025-W01") == (dt.date(2024, 12, 30), dt.date(2025, 1, 5))
    assert period_words("2026-11", "da") == "november 2026"
    assert period_words("2026-11", "en") == "November 2026"
    assert period_words("2026-W47", "da") == "uge 47 i 2026"
    assert period_words("2026-W47", "en") == "week 47 of 2026"


def test_one_issue_per_period_with_something_in_scope(site_root):
    root = site_root({
        "content/news/sep.md": news("September", "2026-09-10"),
        "content/news/kommune.md": news("Kommunen", "2026-09-20", scope="municipalities: [frederikssund]"),
        "content/news/kladde.md": news("Kladde", "2026-07-01", extra="draft: true\n"),
        "content/news/fremtid.md": news("Fremtid", "2026-11-30"),  # not published on the build date
        "content/news/nov.md": news("November", "2026-11-02"),
        "content/events/okt.md": event("Oktobermøde", "2026-10-05T19:00"),
        "content/events/jan.md": event("Januarmøde", "2027-01-10T19:00"),  # a period not started yet
        "content/newsletters/skibby/2026-08.md": INTRO.format(title="Kun en intro"),
        "content/newsletters/skibby/2026-12.md": INTRO.format(title="For tidligt"),
    })
    site = model(root)
    skibby = issues_of(site, "locality", "skibby")
    assert [i.period for i in skibby] == ["2026-11", "2026-10", "2026-09", "2026-08"]
    nov, okt, sep, aug = skibby
    assert aug.intro is not None and aug.intro.title == "Kun en intro" and not aug.news
    assert [e.title for e in aug.events] == ["Oktobermøde"]  # within 60 days after 31 August
    assert [n.title for n in sep.news] == ["Kommunen", "September"]  # newest first, municipality scope too
    assert okt.news == () and [e.title for e in okt.events] == ["Oktobermøde"]
    assert [n.title for n in nov.news] == ["November"]
    assert (nov.first_day, nov.last_day, nov.date) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), TODAY)
    assert sep.date == dt.date(2026, 9, 30)  # a past period is dated its last day
    assert [e.title for e in nov.events] == ["Januarmøde"]  # within 60 days after 30 November
    assert [o.id for o in nov.officers] == ["skibby-betjent"]
    # slangerup only gets what is scoped to the municipality
    assert [(i.period, [n.title for n in i.news]) for i in issues_of(site, "locality", "slangerup")] \
        == [("2026-09", ["Kommunen"])]
    # the municipality gets everything below it, but not the locality's intro
    mun = issues_of(site, "municipality", "frederikssund")
    assert [i.period for i in mun] == ["2026-11", "2026-10", "2026-09"]
    assert all(i.intro is None for i in mun)


def test_upcoming_events_window(site_root):
    last = dt.date(2026, 10, 31)
    inside = last + dt.timedelta(days=UPCOMING_DAYS)
    root = site_root({
        "content/news/okt.md": news("Oktober", "2026-10-10"),
        "content/events/foer.md": event("Før", "2026-09-30T19:00"),
        "content/events/start.md": event("Første dag", "2026-10-01T09:00"),
        "content/events/sidst.md": event("Sidste dag i vinduet", f"{inside}T23:00"),
        "content/events/efter.md": event("Dagen efter", f"{inside + dt.timedelta(days=1)}T09:00"),
    })
    okt = next(i for i in issues_of(model(root), "locality", "skibby") if i.period == "2026-10")
    assert [e.title for e in okt.events] == ["Første dag", "Sidste dag i vinduet"]


def test_weekly_issues(site_root):
    root = site_root({
        "content/news/a.md": news("Uge 47", "2026-11-20"),
        "content/news/b.md": news("Nytår", "2024-12-30"),
        "content/newsletters/skibby/2026-W45.md": INTRO.format(title="Uge 45"),
    }, registry=registry(period="week"))
    site = model(root)
    issues = issues_of(site, "locality", "skibby")
    assert [i.period for i in issues] == ["2026-W47", "2026-W45", "2025-W01"]
    assert (issues[0].first_day, issues[0].last_day) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert issues[1].intro.title == "Uge 45"


def test_intro_for_a_municipality_and_its_distinct_officers(site_root):
    reg = REGISTRY.replace("    officer: skibby-betjent\n", "    officer: OFFICER\n", 2)
    reg = reg.replace("OFFICER", "skibby-betjent", 1).replace("OFFICER", "slangerup-betjent", 1)
    reg = reg.replace("localities:\n", "  - id: slangerup-betjent\n    name: Sune Testesen\n    title: Lokalbetjent\n"
                                       "    email: sune@example.dk\nlocalities:\n", 1)
    root = site_root({"content/newsletters/frederikssund/2026-11.md": INTRO.format(title="Kommunens brev")},
                     registry=reg)
    site = model(root)
    (issue,) = issues_of(site, "municipality", "frederikssund")
    assert issue.intro.title == "Kommunens brev"
    assert [o.id for o in issue.officers] == ["skibby-betjent", "slangerup-betjent"]
    assert issues_of(site, "locality", "skibby") == []


# --- the built files --------------------------------------------------------------------------------

UNSUBSCRIBE_URL = "https://test.example.dk/afmeld"
FULL = registry(**{"from": "nyt@test.example.dk", "reply_to": "svar@test.example.dk",
                   "unsubscribe_email": "afmeld@test.example.dk", "unsubscribe_url": UNSUBSCRIBE_URL})


@pytest.fixture
def built(site_root, tmp_path):
    def factory(registry_text: str = FULL, files: dict | None = None) -> Path:
        root = site_root({
            "content/news/a.md": news("Sådan sikrer du dit hjem & din have", "2026-11-20"),
            "content/news/b.md": news("Ældre nyhed", "2026-11-03", body="Første afsnit.\n\nAndet."),
            "content/events/m.md": event("Borgermøde om indbrud", "2026-12-09T19:00"),
            "content/newsletters/skibby/2026-11.md": INTRO.format(title="Nyhedsbrev for Skibby"),
            **(files or {}),
        }, registry=registry_text)
        out = tmp_path / "site"
        result = build(root, out)
        assert not result.failed, [str(d) for d in result.diagnostics.errors]
        render_all_emails(root, mails(out))
        return out
    return factory


def mails(out: Path) -> Path:
    """Where the tests render the e-mail files of the site built into `out`: beside it."""
    return out.parent / "mails"


def parse_eml(path: Path) -> EmailMessage:
    return email.parser.BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_eml_is_a_ready_multipart_alternative_message(built):
    out = built(files={"content/news/c.md": news("August", "2026-08-05")})
    folder = mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11"
    raw = (folder / "nyhedsbrev.eml").read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and raw.endswith(b"\r\n")  # CRLF only
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert max(raw) < 128  # 7-bit: encoded words and quoted-printable
    msg = parse_eml(folder / "nyhedsbrev.eml")
    assert msg["Subject"] == "Testpoliti – Skibby, november 2026"
    assert msg["From"] == "Testpoliti <nyt@test.example.dk>"
    assert msg["To"] == "undisclosed-recipients:;"
    assert msg["Reply-To"] == "svar@test.example.dk"
    assert msg["Date"] == "Sun, 22 Nov 2026 12:00:00 +0100"  # the build date, noon local time
    assert msg["Message-ID"] == "<2026-11.locality.skibby@test.example.dk>"
    assert msg["List-Id"] == "Skibby <locality-skibby.test.example.dk>"
    assert msg["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE_URL}>, <mailto:afmeld@test.example.dk?subject=Afmeld%20nyhedsbrevet%20for%20Skibby>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["List-Archive"] == "<https://test.example.dk/lokalsamfund/skibby/nyhedsbrev/>"
    assert msg["MIME-Version"] == "1.0"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content().replace("\r\n", "\n") == (folder / "email.txt").read_text(encoding="utf-8")
    assert parts[1].get_content().replace("\r\n", "\n") == (folder / "email.html").read_text(encoding="utf-8")
    # a past period is dated its last day, at noon, in summer time too
    old = parse_eml(mails(out) / "kommune/frederikssund/nyhedsbrev/2026-08/nyhedsbrev.eml")
    assert old["Date"] == "Mon, 31 Aug 2026 12:00:00 +0200"
    assert old["Message-ID"] == "<2026-08.municipality.frederikssund@test.example.dk>"
    assert old["List-Id"] == "Frederikssund Kommune <municipality-frederikssund.test.example.dk>"


def test_eml_without_unsubscribe_settings_uses_the_sender(built):
    out = built(REGISTRY)
    msg = parse_eml(mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/nyhedsbrev.eml")
    assert msg["From"] == "Testpoliti <nyhedsbrev@test.example.dk>"
    assert msg["Reply-To"] is None and msg["List-Unsubscribe-Post"] is None
    mailto = "mailto:nyhedsbrev@test.example.dk?subject=Afmeld%20nyhedsbrevet%20for%20Skibby"
    assert msg["List-Unsubscribe"] == f"<{mailto}>"
    html = (mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/email.html").read_text()
    assert f'href="{mailto}"' in html


def test_eml_with_a_mailto_only_has_no_one_click(built):
    out = built(registry(unsubscribe_email="afmeld@test.example.dk"))
    msg = parse_eml(mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/nyhedsbrev.eml")
    assert msg["List-Unsubscribe-Post"] is None
    assert msg["List-Unsubscribe"].startswith("<mailto:afmeld@test.example.dk?subject=")


def test_long_names_and_urls_stay_readable_in_the_headers(built):
    reg = FULL.replace("    name: Skibby\n", "    name: Skibby Sønder-Overdrev og Omegns Lokalsamfund, Nord\n")
    reg = reg.replace(UNSUBSCRIBE_URL, UNSUBSCRIBE_URL + "/" + "meget-lang-sti/" * 6)
    out = built(reg)
    msg = parse_eml(mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/nyhedsbrev.eml")
    assert msg["List-Id"] == "Skibby Sønder-Overdrev og Omegns Lokalsamfund Nord <locality-skibby.test.example.dk>"
    assert msg["List-Unsubscribe"].startswith(f"<{UNSUBSCRIBE_URL}/meget-lang-sti/meget")
    assert "=?" not in msg["List-Unsubscribe"]


def read_eml(raw: bytes) -> EmailMessage:
    """A message as both of the email package's standard policies read it, checked: no line over
    998 characters (RFC 5322), 7-bit, no defect in any part, a boundary of at most 70 characters
    written as one parameter (RFC 2046; never RFC 2231 pieces)."""
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")) and max(raw) < 128
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"boundary*" not in head and b"=?utf-8?q?=_naerpoliti" not in head
    for read_as in (policy.SMTP, policy.default):
        msg = email.parser.BytesParser(policy=read_as).parsebytes(raw)
        assert all(part.defects == [] for part in msg.walk()), [part.defects for part in msg.walk()]
        assert all(getattr(value, "defects", ()) == () for _, value in msg.items())
        assert len(msg.get_boundary()) <= 70 and len(list(msg.iter_parts())) == 2
    return msg


@pytest.mark.parametrize("n", [1, 20, 35, 36, 50, 51, 70, 71, 300, 1200])
def test_header_lines_stay_short_whatever_the_lengths(n):
    """Area ids and names, titles, subjects and URLs of any length: every header line within 998,
    within 78 where a word allows, and every value reads back as it was."""
    site = fake_site(title="Politi " * n + "T" * n, reply_to="svar@xn--nrpoliti-j0a.dk",
                     unsubscribe_url="https://test.example.dk/afmeld/" + "a/" * n,
                     unsubscribe_email="afmeld+x@test.example.dk")
    issue = fake_issue(name="Skibby Sønder " * n, id="skibby-" + "a" * n)
    subject = "Emne " * n + "y" * n
    archive = "https://test.example.dk/" + "b/" * n
    raw = nl.eml(site, issue, subject, "tekst\n", "<p>x</p>\n", archive, "Afmeld " + "æ" * n)
    msg = read_eml(raw)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    for line in head:  # over 78 only for a URL or a message id too long for a line of its own
        assert len(line) <= 78 or re.fullmatch(r"(\S+: )?<\S+>,?", line.strip()), line
    assert msg["Subject"] == subject
    # the stdlib's address parser puts a space between the encoded words of a long name
    assert msg["From"].addresses[0].display_name.replace(" ", "") == nl._phrase(site.config.title).replace(" ", "")
    assert msg["Reply-To"] == "svar@xn--nrpoliti-j0a.dk"
    assert re.sub(r"\s", "", msg["List-Archive"]) == f"<{archive}>"
    assert re.sub(r"\s", "", msg["List-Unsubscribe"]) == ",".join(
        f"<{uri}>" for uri in newsletter.list_unsubscribe(site.config, "Afmeld " + "æ" * n))
    assert msg["Message-ID"].strip() == f"<{nl._short_id(issue.key)}@test.example.dk>"
    assert len(nl._short_id(issue.key)) <= 64 and len(nl._short_id(issue.area.key)) <= 64
    assert msg["List-Id"].endswith(f"<{nl._short_id(issue.area.key)}.test.example.dk>")


def test_long_ids_stay_distinct():
    keys = {nl._short_id("2026-11.locality." + "a" * 200 + suffix) for suffix in ("", "b", "c")}
    bounds = {nl.boundary_of("2026-11.locality." + "a" * 200 + suffix) for suffix in ("", "b", "c")}
    assert len(keys) == 3 and len(bounds) == 3


def test_an_idn_site_writes_ascii_headers(built):
    reg = FULL.replace("https://test.example.dk/", "https://nærpoliti.dk/")
    reg = reg.replace("nyt@test.example.dk", "nyt@nærpoliti.dk").replace("svar@test.example.dk", "svar@nærpoliti.dk")
    out = built(reg)
    raw = (mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/nyhedsbrev.eml").read_bytes()
    msg = read_eml(raw)
    assert msg["From"].addresses[0].addr_spec == "nyt@xn--nrpoliti-j0a.dk"
    assert msg["Reply-To"] == "svar@xn--nrpoliti-j0a.dk"
    assert msg["Message-ID"] == "<2026-11.locality.skibby@xn--nrpoliti-j0a.dk>"
    assert msg["List-Archive"] == "<https://xn--nrpoliti-j0a.dk/lokalsamfund/skibby/nyhedsbrev/>"


def _style_rules_outside_media(css: str) -> str:
    """What is left of a style sheet without its @media blocks."""
    out, depth, i = [], 0, 0
    while i < len(css):
        if depth == 0 and css.startswith("@media", i):
            j = css.index("{", i)
            depth, i = 1, j + 1
            while depth:
                depth += {"{": 1, "}": -1}.get(css[i], 0)
                i += 1
            continue
        out.append(css[i])
        i += 1
    return "".join(out).strip()


def check_email_html(path: Path, unsubscribe: str) -> None:
    data = path.read_bytes()
    assert len(data) < 100_000, f"{path}: {len(data)} bytes; Gmail clips messages over about 100 KB"
    text = data.decode("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)  # raises on errors
    assert doc.get("lang") == "da"
    assert not re.search(r"<link\b|<script\b|<svg\b|<iframe\b|<form\b", text, re.I)
    for style in doc.iter("style"):
        assert _style_rules_outside_media(style.text or "") == "", f"{path}: a style rule was not inlined"
    for el in doc.iter():
        if el.get("class") and el.tag != "html":
            assert el.get("style"), f"{path}: <{el.tag} class={el.get('class')}> has no inline style"
        if el.tag in ("td", "h1", "h2", "h3", "p", "a", "table"):
            assert el.get("style"), f"{path}: <{el.tag}> has no inline style"
    tables = list(doc.iter("table"))
    assert tables and all(t.get("role") == "presentation" for t in tables)
    for img in doc.iter("img"):
        assert img.get("alt"), f"{path}: an image without alt text"
        assert img.get("src", "").startswith("https://")
    for a in doc.iter("a"):
        assert a.get("href", "").startswith(("https://", "mailto:", "tel:")), a.get("href")
    body = doc.find("body")
    preheader = body[0]
    assert preheader.tag == "div" and "display: none" in preheader.get("style") and preheader.text.strip()
    links = {a.get("href"): "".join(a.itertext()) for a in doc.iter("a")}
    assert links.get(unsubscribe) == "Afmeld"
    assert "ring 112" in text and "ring 114" in text


def test_email_html_is_for_every_mail_app(built):
    out = built()
    folder = mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11"
    check_email_html(folder / "email.html", UNSUBSCRIBE_URL)
    html = (folder / "email.html").read_text()
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    assert "".join(doc.find("body")[0].itertext()) == "Sådan sikrer du dit hjem & din have"
    assert 'href="https://test.example.dk/lokalsamfund/skibby/"' in html  # the intro's site link, absolute
    assert "Mette Testesen" in html and "mette@example.dk" in html
    assert 'href="https://test.example.dk/lokalsamfund/skibby/nyhedsbrev/2026/#2026-11"' in html  # web version


def test_email_html_of_the_demo(demo_emails: Path):
    files = sorted(demo_emails.rglob("email.html"))
    assert files
    for path in files:
        check_email_html(path, "https://naerpoliti.example.dk/afmeld")


def test_preheader_falls_back_to_the_intro(built):
    out = built(files={"content/newsletters/skibby/2026-10.md": "Første linje i intro.\n\nMere.\n"})
    doc = html5lib.parse((mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-10/email.html").read_bytes(),
                         namespaceHTMLElements=False)
    assert "".join(doc.find("body")[0].itertext()) == "Første linje i intro."


def test_email_txt_is_readable_plain_text(built):
    out = built()
    text = (mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/email.txt").read_text()
    for line in text.splitlines():
        assert len(line) <= 72 or " " not in line.strip(), f"not wrapped: {line!r}"
    assert not re.search(r"</?[a-z][a-z0-9]*[ >/]", text)  # no HTML
    assert "Sådan sikrer du dit hjem & din have (20. november 2026)" in text
    assert "  https://test.example.dk/nyheder/a/" in text
    assert "Læs om Skibby (https://test.example.dk/lokalsamfund/skibby/) her." in text
    assert "Kære borgere\n\nLæs om" in text
    assert "https://test.example.dk/arrangementer/m/" in text
    assert "Akut: ring 112" in text and "Ikke akut: ring 114" in text
    assert text.rstrip().endswith(UNSUBSCRIBE_URL)
    assert "\r" not in text and text.endswith("\n")


def test_text_template_messages_are_in_the_catalog():
    """babel.cfg extracts templates/**.html; the .txt templates may only use messages from there."""
    method_map = [("templates/email/**.txt", "jinja2")]
    options = {"templates/email/**.txt": {"extensions": "jinja2.ext.i18n,jinja2.ext.do", "trim_blocks": "true",
                                          "lstrip_blocks": "true", "newstyle_gettext": "true"}}
    used = {m[2] for m in extract_from_dir(str(REPO), method_map, options_map=options)}
    with (REPO / "templates/locale/messages.pot").open("rb") as f:
        known = {m.id for m in read_po(f) if m.id}
    assert used and used <= known, sorted(used - known)


def test_web_pages_link_the_archive_and_no_email_files(built):
    out = built()
    page = (out / "lokalsamfund/skibby/nyhedsbrev/2026/index.html").read_text()
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert "".join(doc.find(".//h1").itertext()) == "Nyhedsbreve for Skibby, 2026"
    assert len(doc.findall(".//h1")) == 1
    # each issue a section whose id is its period, newest first, headed by the period
    sections = [s for s in doc.iter("section") if "newsletter-issue" in (s.get("class") or "")]
    assert [s.get("id") for s in sections] == ["2026-11"]
    assert "".join(sections[0].find("h2").itertext()) == "November 2026: Nyhedsbrev for Skibby"
    # the e-mail files are not in the site, and no page links them
    assert not [p for p in tree(out) if p.endswith(("email.html", "email.txt", ".eml"))]
    for name in ("email.html", "email.txt", "nyhedsbrev.eml"):
        assert name not in page
    assert not (out / "lokalsamfund/skibby/nyhedsbrev/2026-11").exists()
    for text in ['href="/nyheder/a/"', 'href="/arrangementer/m/"', "Mette Testesen", 'href="tel:112"',
                 'href="/lokalsamfund/skibby/nyhedsbrev/"', 'aria-current="page">2026<',
                 'href="https://test.example.dk/lokalsamfund/skibby/rss.xml"']:
        assert text in page, text
    archive = (out / "lokalsamfund/skibby/nyhedsbrev/index.html").read_text()
    for text in ['href="/lokalsamfund/skibby/nyhedsbrev/2026/#2026-11"', 'href="/lokalsamfund/skibby/rss.xml"',
                 'href="/lokalsamfund/skibby/atom.xml"', 'href="webcal://test.example.dk/lokalsamfund/skibby/kalender.ics"',
                 "Nyhedsbreve for Skibby"]:
        assert text in archive, text


SIGN_UP_URL = "https://nyhedsbrev.test.example.dk/tilmeld?liste=1&kilde=web"
SIGN_UP_EMAIL = "tilmeld@test.example.dk"
UNSUBSCRIBE = {"unsubscribe_email": "afmeld@test.example.dk", "unsubscribe_url": UNSUBSCRIBE_URL}


def _hrefs(html: str) -> list[str]:
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    return [a.get("href") for a in doc.iter("a")]


@pytest.mark.parametrize("base", ["https://test.example.dk/", "https://test.example.dk/naerpoliti/"])
@pytest.mark.parametrize("settings", [
    {"subscribe_url": SIGN_UP_URL}, {"subscribe_email": SIGN_UP_EMAIL},
    {"subscribe_url": SIGN_UP_URL, "subscribe_email": SIGN_UP_EMAIL}, {}], ids=["url", "email", "both", "neither"])
def test_newsletter_pages_offer_only_the_configured_sign_up(site_root, tmp_path, settings, base):
    text = registry(**{**UNSUBSCRIBE, **{k: f'"{v}"' for k, v in settings.items()}})
    text = text.replace("base_url: https://test.example.dk/", f"base_url: {base}").replace(
        "name: Skibby\n", "name: Skibby & Ørby\n")
    root = site_root({"content/news/a.md": news("Nyhed", "2026-11-20")}, registry=text)
    out = tmp_path / "site"
    assert not build(root, out).failed
    prefix = base.removeprefix("https://test.example.dk").rstrip("/")
    mailto = f"mailto:{SIGN_UP_EMAIL}?subject=Tilmelding%20til%20nyhedsbrevet%20for%20Skibby%20%26%20%C3%98rby"
    pages = {name: (out / path).read_text() for name, path in [
        ("archive", "lokalsamfund/skibby/nyhedsbrev/index.html"),
        ("issue", "lokalsamfund/skibby/nyhedsbrev/2026/index.html"),
        ("locality", "lokalsamfund/skibby/index.html"),
        ("municipality", "kommune/frederikssund/index.html")]}
    for name, html in pages.items():
        hrefs = _hrefs(html)
        assert (SIGN_UP_URL in hrefs) == ("subscribe_url" in settings), name
        assert (mailto in hrefs) == ("subscribe_email" in settings and name != "municipality"), name
        # never the way out as a way in, nor the editors' files
        assert not any("afmeld" in h for h in hrefs), name
        assert "afmeld@test.example.dk" not in html and UNSUBSCRIBE_URL not in html, name
        assert not any(h.endswith(("email.html", "email.txt", ".eml")) for h in hrefs), name
    for name in ("archive", "issue"):
        offered = "Nyhedsbrevet er gratis." in pages[name]
        assert offered == bool(settings), name
        if not settings:  # how else to follow the area: the archive lists the feeds and calendar
            assert "Nyhedsbrevet sendes ikke på e-mail" in pages[name]
        if not settings and name == "archive":
            hrefs = _hrefs(pages[name])
            assert f"{prefix}/lokalsamfund/skibby/rss.xml" in hrefs
            assert f"webcal://test.example.dk{prefix}/lokalsamfund/skibby/kalender.ics" in hrefs
    # the e-mails themselves still say how to unsubscribe, and link the issue's section
    render_all_emails(root, mails(out))
    html = (mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/email.html").read_text()
    assert f'href="https://test.example.dk{prefix}/lokalsamfund/skibby/nyhedsbrev/2026/#2026-11"' in html
    assert UNSUBSCRIBE_URL in (mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/email.html").read_text()


def test_an_http_sign_up_form_is_an_error(site_root):
    root = site_root({}, registry=registry(subscribe_url='"http://test.example.dk/tilmeld"'))
    result = build(root, root / "site")
    assert result.failed
    assert any("is not an https address: it must start with https://" in str(d)
               for d in result.diagnostics.errors)


def test_no_public_page_links_the_editors_files(demo_site: Path):
    pages = sorted(demo_site.rglob("*.html"))
    assert len(pages) > 100
    for path in pages:
        for href in _hrefs(path.read_text(encoding="utf-8")):
            assert not (href or "").split("?")[0].endswith((".eml", "/email.html", "/email.txt")), (path, href)


PRIORITIES = """    priorities:
      - issue: Indbrud
        action: Patruljer
        since: 2026-09-01
        updates:
          - date: 2026-11-02
            text: Første **patrulje**.
          - date: 2026-11-18
            text: Borgermøde med [gode råd](/lokalsamfund/skibby/).
          - date: 2026-10-30
            text: Før perioden.
          - date: 2026-12-01
            text: Efter byggedatoen.
      - issue: Trafik
        status: done
        updates:
          - date: 2026-11-10
            text: Bump ved skolen.
"""


def with_priorities(registry_text: str) -> str:
    return registry_text.replace('    postcodes: ["4050"]\n    officer: skibby-betjent\n',
                                 '    postcodes: ["4050"]\n    officer: skibby-betjent\n' + PRIORITIES, 1)


def test_what_we_did_lists_the_periods_updates_newest_first(built):
    out = built(with_priorities(FULL))
    folder = mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11"
    page = (out / "lokalsamfund/skibby/nyhedsbrev/2026/index.html").read_text()
    page = page[page.index('id="2026-11"'):page.index('id="2026-10"')]
    section = page[page.index("Det har vi gjort"):page.index("Kommende arrangementer")]
    order = [section.index(t) for t in ("Borgermøde med", "Bump ved skolen", "Første <strong>patrulje")]
    assert order == sorted(order)
    assert "Før perioden" not in section and "Efter byggedatoen" not in page
    text = " ".join((folder / "email.txt").read_text().split())
    assert text.index("Borgermøde med gode råd (https://test.example.dk/lokalsamfund/skibby/)") \
        < text.index("Bump ved skolen") < text.index("Første patrulje")
    html = (folder / "email.html").read_text()
    assert 'href="https://test.example.dk/lokalsamfund/skibby/"' in html and "Bump ved skolen" in html
    # the municipality's issue has them too; October has an issue for its update alone
    assert "Bump ved skolen" in (out / "kommune/frederikssund/nyhedsbrev/2026/index.html").read_text()
    october = (out / "lokalsamfund/skibby/nyhedsbrev/2026/index.html").read_text().split('id="2026-10"')[1]
    assert "Før perioden" in october


def test_the_locality_page_shows_priorities_with_updates_newest_first(built):
    out = built(with_priorities(FULL))
    page = (out / "lokalsamfund/skibby/index.html").read_text()
    section = page[page.index('id="priorities"'):page.index('id="news"')]
    order = [section.index(t) for t in ("Borgermøde med", "Første <strong>", "Før perioden")]
    assert order == sorted(order)
    assert "Efter byggedatoen" not in page
    assert section.index("I gang") < section.index("Indbrud") or "I gang" in section
    assert "Afsluttet" in section[section.index("Trafik"):]


def test_every_area_has_an_archive_even_without_issues(built):
    out = built()
    empty = (out / "lokalsamfund/slangerup/nyhedsbrev/index.html").read_text()
    assert "Der er endnu ingen nyhedsbreve for Slangerup." in empty
    assert (out / "kommune/frederikssund/nyhedsbrev/index.html").is_file()
    assert not (out / "lokalsamfund/slangerup/nyhedsbrev/2026").exists()


def test_municipality_with_several_officers(site_root, tmp_path):
    reg = REGISTRY.replace("    officer: skibby-betjent\n", "    officer: OFFICER\n", 2)
    reg = reg.replace("OFFICER", "skibby-betjent", 1).replace("OFFICER", "slangerup-betjent", 1)
    reg = reg.replace("localities:\n", "  - id: slangerup-betjent\n    name: Sune Testesen\n    title: Lokalbetjent\n"
                                       "    email: sune@example.dk\nlocalities:\n", 1)
    root = site_root({"content/news/k.md": news("Kommunen", scope="municipalities: [frederikssund]")}, registry=reg)
    out = tmp_path / "site"
    assert not build(root, out).failed
    folder = render_all_emails(root, tmp_path / "mails") / "kommune/frederikssund/nyhedsbrev/2026-11"
    page = (out / "kommune/frederikssund/nyhedsbrev/2026/index.html").read_text()
    html5lib.HTMLParser(strict=True).parse(page)
    assert "Dine lokale betjente" in page and "Sune Testesen" in page and "Mette Testesen" in page
    check_email_html(folder / "email.html", "mailto:nyhedsbrev@test.example.dk?subject="
                                            "Afmeld%20nyhedsbrevet%20for%20Frederikssund%20Kommune")
    assert "Sune Testesen, lokalbetjent" in (folder / "email.txt").read_text()


def test_newsletters_publish_no_one_without_consent(site_root, tmp_path):
    from test_consent import PEOPLE, assert_absent, phone_forms, png
    root = site_root({
        "content/ambassadors/skibby.yaml": PEOPLE,
        "content/media/ambassadors/fuld.png": png(rgb=(1, 2, 3)),
        "content/media/ambassadors/delvis.png": png(rgb=(4, 5, 6)),
        "content/media/ambassadors/traekket.png": png(rgb=(7, 8, 9)),
        "content/news/a.md": news("Nyhed"),
        "content/newsletters/skibby/2026-11.md": INTRO.format(title="Intro"),
    })
    out = tmp_path / "site"
    assert not build(root, out).failed
    files = {p: d for p, d in tree(out).items() if "/nyhedsbrev/" in p}
    files |= {p: d for p, d in tree(render_all_emails(root, tmp_path / "mails")).items()}
    assert any(p.endswith(".eml") for p in files)
    # the .eml decoded, so that quoted-printable cannot hide anything
    for p in [p for p in files if p.endswith(".eml")]:
        msg = email.message_from_bytes(files[p], policy=policy.default)
        files[p + ":decoded"] = "".join(part.get_content() for part in msg.iter_parts()).encode()
    unpublished = ["Halinspektørrolle Hemmelig", "delvis@example.dk", *phone_forms("+45 30 22 22 22")]
    for name, phone, mail in [("Ingen Samtykkesen", "+45 30 33 33 33", "ingen@example.dk"),
                              ("Fremtid Samtykkesen", "+45 30 44 44 44", "fremtid@example.dk"),
                              ("Udloebet Samtykkesen", "+45 30 55 55 55", "udloebet@example.dk"),
                              ("Traekket Samtykkesen", "+45 30 66 66 66", "traekket@example.dk"),
                              ("Navnloes Samtykkesen", "+45 30 77 77 77", "navnloes@example.dk")]:
        unpublished += [name, mail, *phone_forms(phone)]
    assert_absent(files, unpublished)


def test_two_builds_are_byte_identical(built, tmp_path):
    first = tree(built())
    second_out = tmp_path / "again"
    root = tmp_path / "root"
    assert not build(root, second_out).failed
    second = tree(second_out)
    newsletter_files = [p for p in first if "/nyhedsbrev/" in p]
    assert len(newsletter_files) == 5  # three archives, two year pages
    assert first == second
    # and the e-mails, made again: what `newsletter send` checks a resumed send against
    again = tree(render_all_emails(root, tmp_path / "mails-again"))
    assert len(again) == 3 * 2 and again == tree(mails(tmp_path / "site"))


def test_demo_issues(demo_site: Path, demo_emails: Path):
    emls = sorted(demo_emails.rglob("nyhedsbrev.eml"))
    assert len(emls) >= 20
    for path in emls:
        folder = path.parent
        for name in ("email.html", "email.txt"):
            assert (folder / name).is_file()
        year_page = demo_site / folder.relative_to(demo_emails).parent / folder.name[:4] / "index.html"
        assert f'<section class="section newsletter-issue" id="{folder.name}"' in year_page.read_text(), path
        msg = parse_eml(path)
        area = folder.parent.parent
        kind = "locality" if area.parent.name == "lokalsamfund" else "municipality"
        assert msg["Message-ID"] == f"<{folder.name}.{kind}.{area.name}@naerpoliti.example.dk>"
    for kind in ("lokalsamfund", "kommune"):
        for area in (p for p in (demo_site / kind).iterdir() if p.is_dir()):
            assert (area / "nyhedsbrev/index.html").is_file(), area
    glumsoe = (demo_emails / "lokalsamfund/glumsoe/nyhedsbrev/2026-10/email.txt").read_text()
    assert "Kære netværk i Glumsø" in glumsoe


# --- the .eml, byte for byte ------------------------------------------------------------------------
#
# naerpoliti/render/newsletters.py writes the message out itself, which is much faster than building
# it with the email package. reference_eml() is how it was built before; the two must give the same
# bytes for any input.

def reference_eml(site, issue, subject: str, text: str, html: str, archive_url: str,
                  unsubscribe_subject: str) -> bytes:
    def header_text(value: str, name: str) -> str:
        if value.isascii() and "=?" not in value and value.isprintable() and max(map(len, value.split(" "))) <= 70:
            return value
        return Header(value, "utf-8", header_name=name).encode()

    def set_raw(name: str, value: str) -> None:  # folded as eml() folds what it writes as given
        msg.set_raw(name, nl._raw(name, value)[len(name) + 2:-2].replace("\r\n", "\n"))

    def ascii_url(url: str) -> str:
        return quote(url, safe=":/?#[]@!$&'()*+,;=%~")

    config = site.config
    host = newsletter.host(config)
    msg = EmailMessage(policy=SMTP)
    set_raw("Subject", header_text(subject, "Subject"))
    set_raw("From", f"{header_text(nl._phrase(config.title), 'From')} <{newsletter.sender(config)}>")
    msg["To"] = "undisclosed-recipients:;"
    if config.newsletter.reply_to:
        msg["Reply-To"] = config.newsletter.reply_to
    noon = dt.datetime.combine(issue.date, dt.time(12), tzinfo=ZoneInfo(config.timezone))
    msg["Date"] = format_datetime(noon)
    msg["Message-ID"] = f"<{nl._short_id(issue.key)}@{host}>"
    set_raw("List-Id", f"{header_text(nl._phrase(issue.area.name), 'List-Id')} <{nl._short_id(issue.area.key)}.{host}>")
    set_raw("List-Unsubscribe", ",\n ".join(
        f"<{ascii_url(uri)}>" for uri in newsletter.list_unsubscribe(config, unsubscribe_subject)))
    if (config.newsletter.unsubscribe_url or "").startswith("https://"):
        set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    set_raw("List-Archive", f"<{ascii_url(archive_url)}>")
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(nl.boundary_of(issue.key))
    return msg.as_bytes(policy=SMTP.clone(refold_source="none"))


def fake_site(title="Testpoliti", base_url="https://test.example.dk/", sender=None, reply_to=None,
              unsubscribe_url=None, unsubscribe_email=None, timezone="Europe/Copenhagen"):
    """What eml() reads of a SiteModel."""
    settings = SimpleNamespace(sender=sender, reply_to=reply_to, unsubscribe_url=unsubscribe_url,
                               unsubscribe_email=unsubscribe_email)
    return SimpleNamespace(config=SimpleNamespace(title=title, base_url=base_url, timezone=timezone,
                                                  newsletter=settings))


def fake_issue(name="Skibby", id="skibby", kind="locality", period="2026-11", date=dt.date(2026, 11, 22)):
    first, last = period_bounds(period)
    return Issue(area=Area(kind, id, name), period=period, first_day=first, last_day=last, date=date,
                 intro=None, news=(), events=(), officers=())


def same_eml(site, issue, subject, text, html, archive_url="https://test.example.dk/lokalsamfund/skibby/nyhedsbrev/",
             unsubscribe_subject="Afmeld nyhedsbrevet for Skibby") -> None:
    args = (site, issue, subject, text, html, archive_url, unsubscribe_subject)
    try:
        expected = reference_eml(*args)
    except Exception as exc:  # what the email package refuses, eml() must refuse too
        with pytest.raises(type(exc)):
            nl.eml(*args)
        return
    assert nl.eml(*args) == expected


def hostile_strings() -> list[str]:
    from test_hostile import read_corpus
    valid, maybe, _ = read_corpus()
    return valid + maybe


def test_quoted_printable_bodies_are_the_email_packages():
    rnd = random.Random(2026)
    alphabet = ["a", "b", " ", " ", "\t", "=", "==", "\n", "\r", "\r\n", "æ", "–", "€", "𝄞", "\x0b", "\x0c",
                "\x1c", "\x85", "\u2028", "\x7f", "\x00", ".", "From "]
    texts = ["", "\n", "x", " ", "\t\n", "a \n", "=", "=\n"] + hostile_strings()
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 400))) for _ in range(600)]
    # every position of "=XX", a space and a tab around the soft break of a long line
    for n in range(70, 160):
        for tail in ("=", "æ", " ", "\t", "a ", "æ ", " \t"):
            texts.append("x" * n + tail + "y" * (n % 7))
            texts.append("x" * n + tail)
    for text in texts:
        msg = EmailMessage(policy=SMTP)
        msg.set_content(text, charset="utf-8", cte="quoted-printable")
        expected = msg.as_bytes(policy=SMTP).split(b"\r\n\r\n", 1)[1]
        assert nl._quoted_printable(text).encode("ascii") == expected, repr(text)


def test_folded_headers_are_the_email_packages():
    policy = SMTP.clone(refold_source="none")
    for n in range(1, 130):  # short and long area ids: one line, two, and RFC 2231 pieces
        for id in ("a" * n, ("ab-" * n)[:n].strip("-") or "a"):
            key = f"2026-11.municipality.{id}"
            boundary = nl.boundary_of(key)
            assert len(boundary) <= 70
            value = f'multipart/alternative; boundary="{boundary}"'
            assert nl._multipart_type(boundary) == policy.fold(*policy.header_store_parse("Content-Type", value))
            for host in ("example.dk", "localhost", "127.0.0.1", "::1", "xn--nrpoliti-v1a.dk"):
                value = f"<{key}@{host}>"
                assert nl._message_id(value) == policy.fold(*policy.header_store_parse("Message-ID", value))


def test_eml_bytes_are_the_email_packages():
    text = "Nyhedsbrev for Skibby\n=====\n\n- Læs mere (20. november 2026)\n  https://test.example.dk/x/\n"
    html = "<!DOCTYPE html>\n<p style=\"color: #1a1a1a;\">Hej – ÆØÅ</p>\n" + "<td>" + "x" * 300 + "</td>\n"
    sites = [
        fake_site(),
        fake_site(title="Nærpoliti Test", base_url="https://example.dk/naerpoliti/"),
        fake_site(sender="nyt@test.example.dk", reply_to="svar@test.example.dk",
                  unsubscribe_email="afmeld@test.example.dk", unsubscribe_url="https://test.example.dk/afmeld"),
        fake_site(reply_to="Nærpolitiet, Skibby <svar@test.example.dk>", unsubscribe_url="http://x.dk/afmeld"),
        fake_site(unsubscribe_url="https://test.example.dk/afmeld/" + "meget-lang-sti/" * 8 + "æøå"),
        fake_site(title="=?utf-8?q?=0D=0ABcc:_x@example.com?=", base_url="http://localhost:8000/"),
        fake_site(title="A" * 200, timezone="America/Nuuk"),
    ]
    issues = [fake_issue(), fake_issue("Frederikssund Kommune", "frederikssund", "municipality", "2026-08",
                                       dt.date(2026, 8, 31)),
              fake_issue("Skibby Sønder-Overdrev og Omegns Lokalsamfund, Nord", "skibby-soender-overdrev-og-omegns"
                         "-lokalsamfund-nord-og-meget-mere-end-det", period="2026-W47"),
              fake_issue("ÆØÅ " * 40, "x")]
    for site in sites:
        for issue in issues:
            subject = f"{site.config.title} – {issue.area.name}, november 2026"
            same_eml(site, issue, subject, text, html)
            same_eml(site, issue, "Plain ASCII subject", "", "")
    for value in hostile_strings():  # in the subject, the names, the unsubscribe subject and the bodies
        site = fake_site(title=value)
        issue = fake_issue(name=value)
        same_eml(site, issue, f"{value} – {value}, november 2026", value + "\n" + text, html + value,
                 unsubscribe_subject=f"Afmeld {value}")


def test_every_demo_eml_reads_back_as_its_email_files(demo_emails: Path):
    """Every message of the demo, read by the stdlib parser: the headers a mail server and a mail
    app read, and both parts, decoded, exactly email.txt and email.html."""
    names = {(a.kind, a.id): a.name for a in newsletter.areas(model(REPO))}
    emls = sorted(demo_emails.rglob("nyhedsbrev.eml"))
    assert len(emls) >= 20
    for path in emls:
        raw = path.read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n") and raw.endswith(b"\r\n") and max(raw) < 128
        head, body = raw.split(b"\r\n\r\n", 1)
        assert all(len(line) <= 998 for line in head.split(b"\r\n"))
        assert all(len(line) <= 78 for line in body.split(b"\r\n")), path
        folder, period = path.parent, path.parent.name
        area = folder.parent.parent
        kind = "locality" if area.parent.name == "lokalsamfund" else "municipality"
        name = names[(kind, area.name)]
        msg = parse_eml(path)
        assert msg.defects == []
        assert [name for name, _ in msg.items()] == [
            "Subject", "From", "To", "Reply-To", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
            "List-Unsubscribe-Post", "List-Archive", "MIME-Version", "Content-Type"]
        html = (folder / "email.html").read_bytes()
        text = (folder / "email.txt").read_bytes()
        subject = f"Nærpoliti – {name}, {period_words(period, 'da')}"
        assert msg["Subject"] == subject
        assert html_module.unescape(re.search(rb"<title>(.*?)</title>", html).group(1).decode()) == subject
        assert msg["From"] == "Nærpoliti <nyhedsbrev@example.dk>"
        assert msg["To"] == "undisclosed-recipients:;"
        assert msg["Reply-To"] == "naerpoliti@example.dk"
        day = min(period_bounds(period)[1], TODAY)
        assert msg["Date"].datetime == dt.datetime.combine(day, dt.time(12), ZoneInfo("Europe/Copenhagen"))
        assert msg["Message-ID"] == f"<{period}.{kind}.{area.name}@naerpoliti.example.dk>"
        assert msg["List-Id"] == f"{nl._phrase(name)} <{kind}-{area.name}.naerpoliti.example.dk>"
        assert msg["List-Unsubscribe"] == ("<https://naerpoliti.example.dk/afmeld>, <mailto:afmeld@example.dk"
                                           f"?subject={quote(f'Afmeld nyhedsbrevet for {name}')}>")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        archive = f"https://naerpoliti.example.dk/{area.relative_to(demo_emails).as_posix()}/nyhedsbrev/"
        assert msg["List-Archive"] == f"<{archive}>"
        assert msg["MIME-Version"] == "1.0"
        assert msg.get_content_type() == "multipart/alternative"
        assert msg.get_boundary() == nl.boundary_of(f"{period}.{kind}.{area.name}")
        plain, rich = msg.iter_parts()
        for part, expected, subtype in ((plain, text, "plain"), (rich, html, "html")):
            assert part.defects == []
            assert part.get_content_type() == f"text/{subtype}" and part.get_content_charset() == "utf-8"
            assert part["Content-Transfer-Encoding"] == "quoted-printable"
            assert part.get_payload(decode=True) == expected.replace(b"\n", b"\r\n")
            assert part.get_content() == expected.decode("utf-8").replace("\n", "\r\n")


# --- some areas at a time -----------------------------------------------------------------------------

def test_render_newsletters_for_some_areas_is_the_full_call_for_them(built, tmp_path):
    render_newsletters = nl.render_newsletters
    built()
    root = tmp_path / "root"
    site = model(root)
    env = make_environment(root, site.config.language)
    areas = newsletter.areas(site)
    assert len(areas) == 3
    full = render_newsletters(site, env, site.urls)
    assert render_newsletters(site, env, site.urls, areas=None) == full
    assert render_newsletters(site, env, site.urls, areas=[]) == []
    folders = {a: site.urls.output_path(site.urls.newsletter_archive(a.kind, a.id)) for a in areas}
    parts = [render_newsletters(site, env, site.urls, areas=[a]) for a in areas]
    for area, outputs in zip(areas, parts):
        assert outputs and all(o.path.startswith(folders[area][:-len("index.html")]) for o in outputs)
        assert outputs == [o for o in full if o.path.startswith(folders[area][:-len("index.html")])]
    assert sorted(o.path for part in parts for o in part) == sorted(o.path for o in full)  # nothing shared
    assert render_newsletters(site, env, site.urls, areas=areas[::-1]) == parts[2] + parts[1] + parts[0]
    with pytest.raises(ValueError):
        render_newsletters(site, env, site.urls, areas=[Area("locality", "skibby", "Et andet navn")])


def test_newsletter_pages_have_an_english_version_and_the_emails_stay_danish(built):
    """With site.alternate_language the archive and year pages are also under /en/, with hreflang,
    the language switch and links to the English pages; the e-mails are in Danish."""
    out = built(FULL.replace("  base_url: https://test.example.dk/",
                             "  base_url: https://test.example.dk/\n  alternate_language: en"))
    da, en = out / "lokalsamfund/skibby/nyhedsbrev", out / "en/lokalsamfund/skibby/nyhedsbrev"
    assert sorted(p.name for p in (en / "2026").iterdir()) == ["index.html"]
    assert sorted(p.name for p in (da / "2026").iterdir()) == ["index.html"]
    issue = (en / "2026/index.html").read_text()
    assert '<html lang="en">' in issue and '<div class="language-switcher">' in issue
    assert ('<link rel="alternate" hreflang="da" href="https://test.example.dk/lokalsamfund/skibby/nyhedsbrev/'
            '2026/">') in issue
    assert 'id="2026-11"' in issue and "November 2026" in issue
    assert 'href="/en/lokalsamfund/skibby/nyhedsbrev/"' in issue
    archive = (en / "index.html").read_text()
    assert 'href="/en/lokalsamfund/skibby/nyhedsbrev/2026/#2026-11"' in archive
    assert 'href="/en/lokalsamfund/skibby/"' in archive and 'href="/en/data/"' in archive
    # the Danish area page links its Danish archive, the English one the English archive
    assert 'href="/lokalsamfund/skibby/nyhedsbrev/"' in (out / "lokalsamfund/skibby/index.html").read_text()
    assert 'href="/en/lokalsamfund/skibby/nyhedsbrev/"' in (out / "en/lokalsamfund/skibby/index.html").read_text()
    text = (mails(out) / "lokalsamfund/skibby/nyhedsbrev/2026-11/email.txt").read_text()
    assert "november 2026" in text
    assert "https://test.example.dk/lokalsamfund/skibby/nyhedsbrev/2026/#2026-11" in text
