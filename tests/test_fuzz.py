"""Fuzzing whole site roots: Hypothesis writes a site (localities.yaml valid or broken, news,
events and ambassadors with odd Markdown, file names and dates, tiny or truncated images, odd
base URLs) and runs `naerpoliti check` and `naerpoliti build` on it in this process. Whatever the
site holds:

- check and build agree: the same exit status and the same error and warning lines;
- no traceback: stderr has only `PATH:LINE:COLUMN: error:`/`warning:` and `naerpoliti: ...`
  lines, and the exit status is 0, 1 or 2;
- nothing is written outside --out (the folder around it is compared before and after; the
  build's lock file `.OUT.lock` and its spare folder `.OUT.spare/` are all that is allowed beside it);
- no ambassador without valid consent, and no field without consent, is in any output file;
- the output is at most OUTPUT_BASE + OUTPUT_FACTOR x the input's size;
- every output parses: HTML (html5lib), XML (lxml), JSON, iCalendar (icalendar), e-mail (email).

The newsletter e-mails are not in the built site (`naerpoliti newsletter render` makes them on
demand): after a successful build every issue's e-mails are rendered (conftest.render_all_emails)
and are output for these checks like the site's files.

Two profiles (registered in conftest.py): `short`, a few examples, in every test run; `long`,
chosen with NAERPOLITI_FUZZ=long (NAERPOLITI_FUZZ_EXAMPLES examples, 2000 unless set), random
seeds and shrinking, for the nightly job (.github/workflows/fuzz.yml):

    NAERPOLITI_FUZZ=long .venv/bin/pytest tests/test_fuzz.py
"""
from __future__ import annotations

import contextlib
import copy
import datetime as dt
import email
import email.policy
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import html5lib
import icalendar
import yaml
from conftest import REGISTRY, REPO, TODAY, make_site, news, render_all_emails
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from naerpoliti.cli import main

PROFILE = settings.get_profile("naerpoliti-fuzz-long" if os.environ.get("NAERPOLITI_FUZZ") == "long"
                               else "naerpoliti-fuzz-short")
# The output of a small site (the theme's fonts, scripts, the full-text index, ~40 pages) plus what
# each input byte may become: its page, open data, the index, feeds and newsletters of a few areas.
OUTPUT_BASE = 4_000_000
OUTPUT_FACTOR = 40
LINE = re.compile(r"^(?:[^\n]*:\d+:\d+: (?:error|warning): .*|naerpoliti: .*)$")
MARKER_LETTERS = "qxzvkjw"  # rare in Danish: a planted marker cannot appear by accident


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True  # a value drawn twice is written twice, not as an anchor and alias


def _dump(value: object) -> str:
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


# --- what a site holds --------------------------------------------------------------------------------------

GOOD_BASE_URLS = ["https://test.example.dk/", "https://example.dk/sub/path/", "http://localhost:8000/x/",
                  "https://EXAMPLE.dk:443/Sti/", "https://xn--bl-lka.dk/",
                  "https://example.dk/a%20b/", "https://example.dk"]
BASE_URLS = [*GOOD_BASE_URLS, "https://example.dk/æøå/", "https://example.dk/a b/", "https://example.dk/%2e%2e/", "http://localhost:8000/x/",
             "https://example.dk", "https://user@example.dk/", "ftp://example.dk/", "https://example.dk/?q=1",
             "https://example.dk/#top", "https://example.dk/a/../b/", "https://EXAMPLE.dk:443/Sti/",
             "https://example.dk/a%20b/", "https://xn--bl-lka.dk/", "https://example.dk/<x>/", "", "/relative/"]
LINK_TARGETS = ["/lokalsamfund/skibby/", "/nope/", "https://example.org/x", "javascript:alert(1)",
                "data:text/html,<script>x</script>", "mailto:a@example.dk", "#anchor", "//evil.example/",
                "/lokalsamfund/skibby/?q=1#x", "media/{media}", "media/missing.png", "../../etc/passwd",
                "tel:+4512345678", "/lokalsamfund/slangerup", "vbscript:x", " spaces in url "]
HTML_BITS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<!-- c -->", "<iframe src=//x>",
             "</div></main>", "<style>*{}</style>", "&amp; &#0; &#x110000;", "<![CDATA[x]]>", "]]>"]
ODD_CHARS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\u2028\u2029\ufeff\ufffe\u202e\u200b\t\r"


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=max_size),
                     st.text(st.sampled_from("abcæøå ÆØÅ.-_'\"<>&" + ODD_CHARS), max_size=max_size))


@st.composite
def markdown(draw: st.DrawFn, media: list[str], long_line: int) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["text", "link", "image", "html", "long", "block", "odd"]))
        if kind == "text":
            parts.append(draw(texts(120)))
        elif kind == "link":
            target = draw(st.sampled_from(LINK_TARGETS)).format(media=draw(st.sampled_from(media or ["x.png"])))
            parts.append(f"[{draw(texts(20))}]({target})")
        elif kind == "image":
            alt = draw(st.sampled_from(["", "Foto", "<b>alt</b>"]))
            target = draw(st.sampled_from([*(f"media/{m}" for m in media), "https://evil.example/x.png",
                                           "media/missing.png"]))
            parts.append(f"![{alt}]({target})")
        elif kind == "html":
            parts.append(draw(st.sampled_from(HTML_BITS)))
        elif kind == "long":
            parts.append(draw(st.sampled_from("xæ ")) * draw(st.integers(1, long_line)))
        elif kind == "block":
            parts.append(draw(st.sampled_from(["# H", "## H2", "- a\n- b", "1. x", "> q", "```\ncode\n```",
                                               "| a | b |\n|---|---|\n| 1 | 2 |", "---", "***x***", "[x]: /y"])))
        else:
            parts.append(draw(st.text(st.sampled_from(ODD_CHARS), min_size=1, max_size=4)))
    return draw(st.sampled_from(["\n", "\n\n"])).join(parts)


def file_names() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["a", "æøå", "with space", "dot.ted", "UPPER", "con", ".hidden", "a..b",
                                      "-", "x" * 120, "ÅÆØ-ß", "é", "e\u0301"]),
                     st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
                             min_size=1, max_size=12))


def _png_crc(kind: bytes, data: bytes) -> bytes:
    return zlib.crc32(kind + data).to_bytes(4, "big")


@st.composite
def media_file(draw: st.DrawFn, broken: bool) -> tuple[str, bytes]:
    """A tiny image (PNG, GIF or JPEG) of random size and frames, its header sometimes claiming
    other dimensions, or cut short."""
    fmt = draw(st.sampled_from(["png", "gif", "jpg"]))
    width, height = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    frames = draw(st.sampled_from([1, 1, 2, 5])) if fmt == "gif" else 1
    buf = io.BytesIO()
    images = [Image.new("RGB", (width, height), (i * 40 % 256, 80, 120)) for i in range(frames)]
    if fmt == "gif":
        images[0].save(buf, "GIF", save_all=frames > 1, append_images=images[1:])
    else:
        images[0].save(buf, "PNG" if fmt == "png" else "JPEG")
    data = buf.getvalue()
    claimed = draw(st.sampled_from([None, (0, 0), (65535, 65535), (7000, 7000), (1, 50000)])) if broken else None
    if claimed is not None and fmt == "gif":
        data = data[:6] + claimed[0].to_bytes(2, "little") + claimed[1].to_bytes(2, "little") + data[10:]
    elif claimed is not None and fmt == "png":
        ihdr = claimed[0].to_bytes(4, "big") + claimed[1].to_bytes(4, "big") + data[24:29]
        data = data[:16] + ihdr + _png_crc(b"IHDR", ihdr) + data[33:]
    elif claimed is not None:
        sof = data.find(b"\xff\xc0")
        if sof > 0:
            data = (data[:sof + 5] + claimed[1].to_bytes(2, "big") + claimed[0].to_bytes(2, "big")
                    + data[sof + 9:])
    if broken and draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data) - 1))]
    suffixes = [fmt, fmt.upper(), "png", "webp"] if broken else [fmt, fmt.upper()]
    name = draw(file_names()).replace("/", "_") + "." + draw(st.sampled_from(suffixes))
    return name, data


def mutate(draw: st.DrawFn, record: dict, required: bool = True) -> None:
    """One structural fault in a mapping: a key dropped, a value of the wrong type, an extra key,
    an empty value, or a deep (possibly too deep) nesting."""
    kind = draw(st.sampled_from(["drop", "type", "extra", "empty", "nest"]))
    key = draw(st.sampled_from(sorted(record))) if record else "x"
    if kind == "drop" and record:
        del record[key]
    elif kind == "type":
        record[key] = draw(st.sampled_from([42, 3.5, True, None, [], {}, ["a"], {"a": 1}, "2026-13-45",
                                            dt.date(2026, 1, 1)]))
    elif kind == "extra":
        record[draw(st.sampled_from(["extra", "Title", "title ", "0", "ø"]))] = draw(texts(10))
    elif kind == "empty":
        record[key] = draw(st.sampled_from(["", " ", [], None]))
    else:
        value: object = "x"
        for _ in range(draw(st.sampled_from([2, 10, 49, 51, 60]))):
            value = [value] if draw(st.booleans()) else {"k": value}
        record[key] = value


def _near(draw: st.DrawFn) -> dt.date:
    return TODAY + dt.timedelta(days=draw(st.integers(-400, 400) | st.integers(-2, 2)))


def registry_text(draw: st.DrawFn, broken: bool) -> str:
    reg = yaml.safe_load(REGISTRY)
    reg["site"]["base_url"] = draw(st.sampled_from(BASE_URLS if broken else GOOD_BASE_URLS))
    if not broken:
        return _dump(reg)
    for _ in range(draw(st.sampled_from([0, 1, 2]))):
        section = draw(st.sampled_from(["site", "districts", "municipalities", "stations", "officers",
                                        "localities"]))
        if section != "site" and draw(st.integers(0, 4)) == 0:
            reg[section].append(copy.deepcopy(reg[section][0]))  # a duplicate id
            continue
        mutate(draw, reg[section] if section == "site" else draw(st.sampled_from(reg[section])))
    text = _dump(reg)
    fault = draw(st.sampled_from(["none", "cut", "char", "dupkey", "tab"]))
    if fault == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif fault == "char":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list(":[]{}&*!|>'\"%@`\t") + list(ODD_CHARS))) + text[at:]
    elif fault == "dupkey":
        text += "site:\n  title: Igen\n"
    elif fault == "tab":
        text = text.replace("  ", "\t", 1)
    return text


@st.composite
def news_file(draw: st.DrawFn, media: list[str], long_line: int, broken: bool) -> tuple[str, str]:
    day = _near(draw)
    front: dict = {"title": draw(texts(80)) or "Nyhed", "date": day.isoformat()}
    scope = draw(st.sampled_from(["national", "skibby", "both", *(["unknown", "none"] if broken else [])]))
    if scope == "national":
        front["national"] = True
    elif scope in ("skibby", "both"):
        front["localities"] = ["skibby", "slangerup"] if scope == "both" else ["skibby"]
    elif scope == "unknown":
        front["localities"] = ["skiby"]
    if draw(st.booleans()):
        front["summary"] = draw(texts(200))
    if media and draw(st.booleans()):
        front["image"] = f"media/{draw(st.sampled_from(media))}"
        if not broken or draw(st.integers(0, 3)):
            front["image_alt"] = draw(texts(30)) or "Foto"
    if draw(st.integers(0, 5)) == 0:
        front["draft"] = draw(st.sampled_from([True, False, "yes"] if broken else [True, False]))
    if broken and draw(st.booleans()):
        mutate(draw, front)
    name = f"{day.isoformat()}-{draw(file_names())}.md".replace("/", "_")
    return f"content/news/{name}", "---\n" + _dump(front) + "---\n" + draw(markdown(media, long_line)) + "\n"


@st.composite
def event_file(draw: st.DrawFn, media: list[str], long_line: int, broken: bool) -> tuple[str, str]:
    day = _near(draw)
    start = dt.datetime.combine(day, dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))))
    kinds = ["other", "council", "x"] if broken else ["other"]
    front: dict = {"title": draw(texts(60)) or "Møde", "kind": draw(st.sampled_from(kinds)),
                   "start": start.isoformat(timespec="minutes"), "location": draw(texts(40)) or "Hallen",
                   "localities": ["skibby"]}
    if draw(st.booleans()):
        hours = draw(st.integers(-2 if broken else 1, 30))
        front["end"] = (start + dt.timedelta(hours=hours)).isoformat(timespec="minutes")
    if broken and draw(st.booleans()):
        mutate(draw, front)
    name = f"{day.isoformat()}-{draw(file_names())}.md".replace("/", "_")
    return f"content/events/{name}", "---\n" + _dump(front) + "---\n" + draw(markdown(media, long_line)) + "\n"


@st.composite
def ambassadors(draw: st.DrawFn, broken: bool) -> tuple[list[dict], list[str]]:
    """People with unique markers in every field, and the markers that must not be published."""
    people, secret = [], []
    for i in range(draw(st.integers(1, 4))):
        mark = draw(st.text(MARKER_LETTERS, min_size=8, max_size=8)) + str(i)
        person = {"id": f"p{i}-{mark}", "name": f"Zq{mark} Vq{mark}", "role": f"Rolle{mark}",
                  "phone": f"+45 28 1{i} 4{i} 7{i}", "email": f"zq{mark}@example.dk"}
        consent = draw(st.none() | st.fixed_dictionaries(
            {"given": st.builds(_near_date, st.integers(-3, 3)),
             "fields": st.lists(st.sampled_from(["name", "role", "phone", "email"]), unique=True,
                                min_size=0 if broken else 1)},
            optional={"withdrawn": st.builds(_near_date, st.integers(-3, 3)),
                      "expires": st.builds(_near_date, st.integers(-3, 3))}))
        if consent is not None:
            for key in ("withdrawn", "expires"):
                if not broken and key in consent and consent[key] < consent["given"]:
                    consent[key] = consent["given"]  # before it was given: an error
            person["consent"] = consent
        published, fields = _published(consent)
        if not published:
            secret += [person["name"], f"Zq{mark}", person["id"], person["role"], person["email"]]
        else:
            secret += [person[f] for f in ("role", "email") if f not in fields]
        people.append(person)
    return people, secret


def _near_date(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def _published(consent: dict | None) -> tuple[bool, set[str]]:
    """The publishing rule (docs/reference/content.md), written again as this test's oracle."""
    if not consent:
        return False, set()
    fields = set(consent.get("fields") or [])
    ok = (consent["given"] <= TODAY and not (consent.get("withdrawn") and consent["withdrawn"] <= TODAY)
          and not (consent.get("expires") and consent["expires"] <= TODAY))
    return ok and "name" in fields, fields


@st.composite
def site_roots(draw: st.DrawFn) -> tuple[dict[str, str | bytes], list[str]]:
    """A whole site root (path -> text or bytes) and the strings no output may contain."""
    long_line = 3_000 if PROFILE.max_examples < 100 else 100_001
    broken = draw(st.integers(0, 3)) == 0  # else as valid as the generators can make it
    files: dict[str, str | bytes] = {"localities.yaml": registry_text(draw, broken)}
    media = []
    for _ in range(draw(st.integers(0, 3))):
        name, data = draw(media_file(broken))
        files[f"content/media/{name}"] = data
        media.append(name)
    for _ in range(draw(st.integers(0, 3))):
        path, text = draw(news_file(media, long_line, broken))
        files[path] = text
    for _ in range(draw(st.integers(0, 2))):
        path, text = draw(event_file(media, long_line, broken))
        files[path] = text
    people, secret = draw(ambassadors(broken))
    files["content/ambassadors/skibby.yaml"] = _dump(people)
    return files, secret


# --- the invariants -----------------------------------------------------------------------------------------

def _cli(*argv: str) -> tuple[int, list[str]]:
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue().splitlines()


def _snapshot(folder: Path, skip: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for p in folder.rglob("*"):
        if p == skip or skip in p.parents:
            continue
        st_ = p.lstat()
        found[p.relative_to(folder).as_posix()] = (st_.st_size, st_.st_mtime_ns if p.is_file() else 0)
    return found


_HTML = html5lib.HTMLParser(strict=False)


def parse_output(path: str, data: bytes) -> None:
    """Every output format parses (raises when it does not)."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".html"):
        _HTML.parse(data.decode("utf-8"))
    elif name.endswith((".xml", ".opml", ".xsl", ".svg")):
        etree.fromstring(data)
    elif name.endswith((".json", ".webmanifest")) and not path.startswith("pagefind/"):
        json.loads(data)
    elif name.endswith(".ics"):
        icalendar.Calendar.from_ical(data)
    elif name.endswith(".eml"):
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert not message.defects, (path, message.defects)
        for part in message.walk():
            if not part.is_multipart():
                part.get_content()


def check_site(files: dict[str, str | bytes], secret: list[str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="naerpoliti-fuzz-"))
    try:
        root = make_site(work / "root", {k: v for k, v in files.items() if k != "localities.yaml"},
                         registry=str(files["localities.yaml"]))
        out = work / "out"
        before = _snapshot(work, out)
        today = TODAY.isoformat()
        checked, check_lines = _cli("check", "--root", str(root), "--today", today)
        built, build_lines = _cli("build", "--root", str(root), "--out", str(out), "--today", today)
        for line in check_lines + build_lines:
            assert LINE.match(line), f"not a diagnostic: {line!r}"
        assert checked in (0, 1, 2) and built in (0, 1, 2)
        diagnostics = [line for line in build_lines if not line.startswith("naerpoliti:")]
        assert (checked, check_lines and [x for x in check_lines if not x.startswith("naerpoliti:")]) == (
            built, check_lines and diagnostics), "check and build disagree"
        after = _snapshot(work, out)
        # beside --out only its lock and its spare folder (the site a build keeps for the next)
        assert {k: v for k, v in after.items() if k != ".out.lock" and not (k + "/").startswith(".out.spare/")
                } == before, "written outside --out"
        if built != 0:
            assert not out.exists() or not any(out.iterdir())
            return
        mails = render_all_emails(root, work / "mails")
        _check_output(out, secret, sum(len(v if isinstance(v, bytes) else v.encode()) for v in files.values()),
                      mails)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_output(out: Path, secret: list[str], input_size: int, mails: Path) -> None:
    """The checks of every file of the site (`out`) and of the rendered e-mails (`mails`): their
    size together, no secret in any, every e-mail and every (short profile: every 4th) page parses."""
    every = 1 if PROFILE.max_examples >= 100 else 4  # the short profile parses every 4th page
    total = _check_files(out, secret, every) + _check_files(mails, secret, 1)
    assert total <= OUTPUT_BASE + OUTPUT_FACTOR * input_size, (total, input_size)


def _check_files(folder: Path, secret: list[str], every: int) -> int:
    """Checks each file under `folder` (see _check_output); returns their total size."""
    total = 0
    html_seen = 0
    for p in sorted(folder.rglob("*")):
        if not p.is_file():
            continue
        data = p.read_bytes()
        total += len(data)
        rel = p.relative_to(folder).as_posix()
        for value in secret:
            for form in {value, value.casefold()}:
                assert form.encode() not in data, f"{form!r} (no consent) in {folder.name}/{rel}"
        if rel.endswith(".html"):
            html_seen += 1
            if html_seen % every:
                continue
        parse_output(rel, data)
    return total


# A valid root whose newsletter has issues, odd content in them: few generated roots build, fewer
# have an issue, so every run renders and checks e-mails at least once through this one.
WITH_ISSUES = ({
    "localities.yaml": REGISTRY,
    "content/news/2026-11-20-indbrud.md": news(
        "Indbrud <script>alert(1)</script> & \"æøå\"", scope="localities: [skibby, slangerup]",
        extra="summary: \"Kort <b>resumé</b> \\u2028 ]]>\"\n",
        body="<img src=x onerror=alert(1)>\n\n[link](javascript:alert(1)) [mail](mailto:a@example.dk)\n\n"
             + "x" * 3_000 + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nnul\u200bbredde"),
    "content/news/2026-10-02-national.md": news("Landsdækkende", date="2026-10-02", scope="national: true"),
    "content/events/2026-11-25-moede.md": "---\ntitle: Møde & <i>x</i>\nkind: other\nstart: 2026-11-25T19:00\n"
                                          "location: Hallen <b>\nlocalities: [skibby]\n---\nKom.\n",
    "content/ambassadors/skibby.yaml": _dump([
        {"id": "p0-qxzvkjwq0", "name": "Zqqxzvkjwq0 Vqqxzvkjwq0", "role": "Rolleqxzvkjwq0",
         "phone": "+45 28 10 40 70", "email": "zqqxzvkjwq0@example.dk"},
        {"id": "p1-wjkvzxqw1", "name": "Zqwjkvzxqw1 Vqwjkvzxqw1", "role": "Rollewjkvzxqw1",
         "phone": "+45 28 11 41 71", "email": "zqwjkvzxqw1@example.dk",
         "consent": {"given": dt.date(2026, 11, 1), "fields": ["name", "phone"]}}]),
}, ["Zqqxzvkjwq0 Vqqxzvkjwq0", "Zqqxzvkjwq0", "p0-qxzvkjwq0", "Rolleqxzvkjwq0", "zqqxzvkjwq0@example.dk",
    "Rollewjkvzxqw1", "zqwjkvzxqw1@example.dk"])


@settings(PROFILE)
@given(site=site_roots())
@example(site=WITH_ISSUES)
def test_any_site_root_is_checked_and_built_alike_and_safely(site):
    check_site(*site)


# --- one item cannot multiply the output --------------------------------------------------------------------

AREAS = 12


def _site_of_areas(body: str) -> dict[str, str]:
    reg = yaml.safe_load(REGISTRY)
    first = reg["localities"][0]
    reg["localities"] = [dict(first, id=f"by{i}", name=f"By {i}", postcodes=[f"{4100 + i}"]) for i in range(AREAS)]
    return {"localities.yaml": _dump(reg),
            "content/news/2026-11-20-stor.md": news("Stor", scope="national: true",
                                                    extra="summary: Kort resumé.\n", body=body)}


def _output_size(tmp_path: Path, name: str, body: str) -> int:
    files = _site_of_areas(body)
    root = make_site(tmp_path / name, {"content/news/2026-11-20-stor.md": files["content/news/2026-11-20-stor.md"]},
                     registry=files["localities.yaml"])
    code, lines = _cli("build", "--root", str(root), "--out", str(root / "out"), "--today", TODAY.isoformat())
    assert code == 0, lines
    return sum(p.stat().st_size for p in (root / "out").rglob("*") if p.is_file())


def test_a_huge_national_item_grows_the_output_by_its_size_not_by_the_areas(tmp_path):
    """A national item is in the feeds (three formats) and newsletters of every area: its text in
    full there would grow the output by areas x 3 x its size. Bounded (render/shared.py), a body of
    B bytes grows the output by at most 4 x B (its page, open data, the full-text index) whatever
    the number of areas (SECURITY.md)."""
    paragraph = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8).strip()
    body = "\n\n".join([paragraph] * 400)  # ~180 KB, within the limits of a .md file
    small = _output_size(tmp_path, "small", paragraph)
    big = _output_size(tmp_path, "big", body)
    assert big - small <= 4 * len(body.encode()), (big - small, len(body))


# --- the nightly job ------------------------------------------------------------------------------------------

FUZZ_WORKFLOW = REPO / ".github" / "workflows" / "fuzz.yml"


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(path)], capture_output=True, text=True)


def test_the_nightly_fuzz_workflow_validates_and_runs_the_long_profile(tmp_path):
    done = _check_jsonschema(FUZZ_WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr
    text = FUZZ_WORKFLOW.read_text(encoding="utf-8")
    broken = tmp_path / "fuzz.yml"
    broken.write_text(text.replace("runs-on:", "run-on:", 1), encoding="utf-8")
    assert _check_jsonschema(broken).returncode == 1  # the check can fail
    workflow = yaml.safe_load(text)
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as True
    (step,) = [s for s in workflow["jobs"]["fuzz"]["steps"] if "tests/test_fuzz.py" in s.get("run", "")]
    assert step["env"]["NAERPOLITI_FUZZ"] == "long"
    assert "naerpoliti-fuzz-long" in settings._profiles  # registered in conftest.py
