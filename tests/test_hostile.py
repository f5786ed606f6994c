"""Hostile input: the demo site with a hostile string in every text field, built and then checked
file by file. Whatever an editor (or someone who got a text past one) writes, the output must not
run script, inject headers or calendar properties, break out of JSON in <script>, or crash the build.

The strings are in tests/hostile_strings.txt. The helpers here (hostile_root, output_problems) are
used by tests/test_properties.py and tests/browser/test_hostile_browser.py too.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Callable, Iterator

import html5lib
import pytest
import yaml
from icalendar import Calendar
from lxml import etree

from conftest import render_all_emails
from naerpoliti.build import run

REPO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)
CORPUS_FILE = Path(__file__).with_name("hostile_strings.txt")

# --- The corpus ---------------------------------------------------------------------------------------


def _decode(line: str) -> str:
    return json.loads('"' + line + '"')


def read_corpus() -> tuple[list[str], list[str], list[str]]:
    """(valid, maybe, reject): strings any build must accept; strings the engine may accept or refuse
    with a content error (control characters, Markdown links it reads as relative); strings it must
    refuse with a content error (NUL)."""
    valid: list[str] = []
    maybe: list[str] = []
    reject: list[str] = []
    for line in CORPUS_FILE.read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("## "):
            continue
        if line.startswith("reject:"):
            reject.append(_decode(line[len("reject:"):]))
            continue
        if line.startswith("maybe:"):
            maybe.append(_decode(line[len("maybe:"):]))
            continue
        value = _decode(line[len("esc:"):]) if line.startswith("esc:") else line
        has_control = any((ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 for c in value)
        (maybe if has_control else valid).append(value)
    return valid, maybe, reject


VALID, MAYBE, REJECT = read_corpus()
# Single-line fields (titles, names) get the shorter strings: a length limit on a title is fair.
SHORT = [s for s in VALID if len(s) <= 300]


# --- A hostile site root ------------------------------------------------------------------------------

# Text fields of localities.yaml, per list (or record) name.
REGISTRY_FIELDS = {
    "site": ("title", "description"),
    "districts": ("name",),
    "municipalities": ("name",),
    "stations": ("name", "address", "opening_hours"),
    "officers": ("name", "title"),
    "localities": ("name",),
    "councils": ("name",),
    "priorities": ("issue", "action"),
}
DOC_FIELDS = ("title", "summary", "location", "image_alt")
AMBASSADOR_FIELDS = ("name", "role", "photo_alt")


def _dump(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1_000_000)


def _split(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def hostile_root(root: Path, short: Callable[[], str], body: Callable[[], str]) -> Path:
    """Copy the demo site to root and put short() into every single-line text field and body() into
    every Markdown text (appended to the demo's own, so links and images stay)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "localities.yaml", root / "localities.yaml")
    shutil.copytree(REPO / "content", root / "content")
    reg = yaml.safe_load((root / "localities.yaml").read_text(encoding="utf-8"))

    def fill(record: dict, names) -> None:
        for name in names:
            if name in record or name in ("description", "summary"):
                if name == "description" and "id" in record:
                    continue
                record[name] = short()

    fill(reg["site"], REGISTRY_FIELDS["site"])
    for kind in ("districts", "municipalities", "stations", "officers", "localities"):
        for record in reg.get(kind, []):
            fill(record, REGISTRY_FIELDS[kind])
            if kind == "localities":
                record["description"] = (record.get("description") or "") + "\n\n" + body()
                for council in record.get("councils", []):
                    fill(council, REGISTRY_FIELDS["councils"])
                for priority in record.get("priorities", []):
                    fill(priority, REGISTRY_FIELDS["priorities"])
    (root / "localities.yaml").write_text(_dump(reg), encoding="utf-8")

    for path in sorted((root / "content").rglob("*.md")):
        front, text = _split(path.read_text(encoding="utf-8"))
        for name in DOC_FIELDS:
            if name in front or name == "summary" and "newsletters" not in path.parts:
                front[name] = short()
        if "newsletters" in path.parts:
            front["title"] = short()
        path.write_text("---\n" + _dump(front) + "---\n" + text + "\n\n" + body() + "\n", encoding="utf-8")

    for path in sorted((root / "content" / "ambassadors").glob("*.yaml")):
        people = yaml.safe_load(path.read_text(encoding="utf-8"))
        for person in people:
            for name in AMBASSADOR_FIELDS:
                if name in person:
                    person[name] = short()
        path.write_text(_dump(people), encoding="utf-8")
    return root


def cycle(values: list[str]) -> Callable[[], str]:
    it = itertools.cycle(values)
    return lambda: next(it)


def all_of(values: list[str]) -> Callable[[], str]:
    return lambda: "\n\n".join(values)


# --- Checking the output ---------------------------------------------------------------------------------

_HTML = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
_DANGEROUS = ("javascript:", "vbscript:", "data:")
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
              "srcset", "content", "ping", "cite", "longdesc", "manifest", "icon"}
_FORBIDDEN_TAGS = {"iframe", "object", "embed", "frame", "frameset", "base", "applet", "math", "form",
                   "input", "textarea", "body"}  # body: only the document's own, see below


def _squash(value: str) -> str:
    """An attribute value as a browser would see the scheme: unescaped, without whitespace and controls."""
    value = html.unescape(value)
    return "".join(c for c in value if ord(c) > 32 and c != "\x7f").lower()


def _own_script(attrs: dict, base_path: str, rel: str = "", text: str = "") -> bool:
    if attrs.get("type") == "application/ld+json":
        return True
    src = attrs.get("src", "")
    if rel.endswith("admin/index.html"):  # the browser editor: Decap and our fixed inline code only
        from naerpoliti.render import admin
        if src:
            return src in (admin.DECAP_URL, admin.NETLIFY_IDENTITY_URL)
        return text in admin.inline_scripts()
    return src in (base_path + "assets/search.js", base_path + "assets/fulltext.js", base_path + "assets/copy.js")


def html_problems(rel: str, data: bytes, base_path: str = "/") -> list[str]:
    problems: list[str] = []
    text = data.decode("utf-8")
    try:
        doc = _HTML.parse(text)
    except Exception as exc:  # noqa: BLE001 - any parser crash is the finding
        return [f"{rel}: html5lib cannot parse it: {exc!r}"]
    if "\x00" in text:
        problems.append(f"{rel}: contains a NUL character")
    bodies = 0
    for el in doc.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.split("}")[-1].lower()
        if tag == "body":
            bodies += 1
        elif tag in _FORBIDDEN_TAGS and not (tag in ("form", "input") and _theme_element(el)):
            problems.append(f"{rel}: a <{tag}> element: {etree_text(el)[:120]}")
        if tag == "script":
            if not _own_script(dict(el.attrib), base_path, rel, el.text or ""):
                problems.append(f"{rel}: a foreign <script>: {dict(el.attrib)} {(el.text or '')[:80]!r}")
            elif el.attrib.get("type") == "application/ld+json":
                body = el.text or ""
                if "<!--" in body or "<script" in body.lower() or "</script" in body.lower():
                    problems.append(f"{rel}: JSON-LD contains <!-- or <script: {body[:120]!r}")
                try:
                    json.loads(body)
                except ValueError as exc:
                    problems.append(f"{rel}: JSON-LD does not parse: {exc}")
        if tag == "style" and any(s in _squash(el.text or "") for s in ("javascript:", "expression(", "@import")):
            problems.append(f"{rel}: a <style> with script or an import: {(el.text or '')[:120]!r}")
        if tag == "meta" and el.attrib.get("http-equiv", "").lower() == "refresh":
            target = _squash(el.attrib.get("content", "")).partition("url=")[2]
            if not target.startswith(("/", "https://")):  # /was/ leads on to the statement
                problems.append(f"{rel}: a <meta http-equiv=refresh> to {target[:80]!r}")
        for name, value in el.attrib.items():
            name = name.split("}")[-1].lower() if isinstance(name, str) else str(name)
            if name.startswith("on"):
                problems.append(f"{rel}: an event handler attribute {name}={value[:80]!r} on <{tag}>")
            if name in _URL_ATTRS or name == "style":
                squashed = _squash(value)
                if any(squashed.startswith(s) for s in _DANGEROUS) or "javascript:" in squashed and name == "style":
                    problems.append(f"{rel}: <{tag} {name}={value[:80]!r}> has a dangerous URL")
                if name == "srcset" and any(s in squashed for s in _DANGEROUS):
                    problems.append(f"{rel}: <{tag} srcset={value[:80]!r}> has a dangerous URL")
    if bodies != 1:
        problems.append(f"{rel}: {bodies} <body> elements")
    return problems


def _theme_element(el) -> bool:
    # The theme's own search form, its inputs and style blocks (if any) come with a class, an id,
    # a name or a role; an injected one copied from the corpus has none of those.
    return any(k in el.attrib for k in ("class", "id", "name", "role", "type", "action", "media"))


def etree_text(el) -> str:
    from xml.etree import ElementTree
    try:
        return ElementTree.tostring(el, encoding="unicode")
    except Exception:  # noqa: BLE001
        return repr(el)


def _ical_props(cal: Calendar) -> set[tuple[str, str]]:
    return {(component.name, name) for component in cal.walk() for name in component.keys()}


def _eml_headers(msg) -> list[str]:
    return [k.lower() for k in msg.keys()]


def built(root: Path, out: Path):
    """A build into `out`, and the e-mails of its newsletter issues (`newsletter render`) beside
    it, in mails_of(out): the e-mails are not in the site, but they are output all the same."""
    result = run(root, out, TODAY)
    if not result.failed:
        render_all_emails(root, mails_of(out))
    return result


def mails_of(out: Path) -> Path:
    return out.parent / (out.name + "-mails")


def output_problems(out: Path, reference: dict | None = None, base_path: str = "/") -> list[str]:
    """Everything wrong with a built site and its e-mails (built()), one line a problem.
    reference: the calendar properties and e-mail headers of a build of the demo content, so an
    injected one shows up."""
    problems: list[str] = []
    mails = mails_of(out)
    assert any(mails.rglob("*.eml")), "built() renders the e-mails"
    for path in sorted([*out.rglob("*"), *mails.rglob("*")]):
        if not path.is_file():
            continue
        rel = path.relative_to(out if path.is_relative_to(out) else mails.parent).as_posix()
        if rel.startswith("pagefind/") or rel.startswith("assets/") or rel.startswith("media/"):
            continue
        data = path.read_bytes()
        try:
            if rel.endswith(".html"):
                problems += html_problems(rel, data, base_path)
            elif rel.endswith(".json"):
                # A JSON file is served as application/json, never inside <script>: a literal
                # "</script>" in a string there is harmless (JSON-LD in pages is checked above).
                json.loads(data)
            elif rel.endswith((".xml", ".opml")):
                etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
            elif rel.endswith(".ics"):
                cal = Calendar.from_ical(data)
                if reference is not None:
                    extra = _ical_props(cal) - reference["ics"]
                    if extra:
                        problems.append(f"{rel}: calendar properties no demo calendar has: {sorted(extra)}")
            elif rel.endswith(".eml"):
                problems += eml_problems(rel, data, reference)
        except Exception as exc:  # noqa: BLE001 - a parser refusing the file is the finding
            problems.append(f"{rel}: does not parse: {type(exc).__name__}: {str(exc)[:200]}")
    return problems


def eml_problems(rel: str, data: bytes, reference: dict | None) -> list[str]:
    problems = []
    msg = email.message_from_bytes(data, policy=email.policy.default)
    names = _eml_headers(msg)
    for header in ("to", "bcc", "cc", "subject", "from", "reply-to"):
        if names.count(header) > 1:
            problems.append(f"{rel}: {names.count(header)} {header} headers")
    if "bcc" in names or "cc" in names:
        problems.append(f"{rel}: a Bcc/Cc header in a message that has none")
    if reference is not None and set(names) - reference["eml"]:
        problems.append(f"{rel}: headers no demo message has: {sorted(set(names) - reference['eml'])}")
    subject = str(msg["subject"] or "")
    if "\r" in subject or "\n" in subject:
        problems.append(f"{rel}: the Subject has a line break: {subject[:120]!r}")
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            problems += html_problems(rel + " (text/html part)", part.get_content().encode("utf-8"))
    return problems


def reference_of(out: Path) -> dict:
    ics: set = set()
    eml: set = set()
    for path in out.rglob("*.ics"):
        ics |= _ical_props(Calendar.from_ical(path.read_bytes()))
    for path in mails_of(out).rglob("*.eml"):
        eml |= set(_eml_headers(email.message_from_bytes(path.read_bytes(), policy=email.policy.default)))
    return {"ics": ics, "eml": eml}


def assert_clean_errors(result, files: set[str] | None = None) -> None:
    """A refused build: content errors with a file and line, for the files named, and nothing else."""
    errors = result.diagnostics.errors
    assert errors, "expected content errors"
    for d in errors:
        assert d.position.path and d.position.path != "?", str(d)
        assert d.position.line and d.position.line >= 1, f"no line number: {d}"
        assert "Traceback" not in d.message, str(d)
    if files is not None:
        assert {d.position.path for d in errors} & files, [str(d) for d in errors]


# --- The tests ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("demo") / "site"
    result = built(REPO, out)
    assert not result.failed
    return reference_of(out)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The demo content with a hostile string in every text field, built."""
    root = hostile_root(tmp_path_factory.mktemp("hostile-root"), cycle(SHORT), all_of(VALID))
    out = tmp_path_factory.mktemp("hostile") / "site"
    result = built(root, out)
    assert not result.failed, "\n".join(str(d) for d in result.diagnostics.errors[:30])
    return out


def test_corpus_is_rich():
    assert len(VALID) >= 80 and REJECT
    assert any(len(s) >= 5000 for s in VALID)
    assert any("\u202e" in s for s in VALID) and any("\r\n" in s for s in VALID)


def test_every_output_file_is_safe(hostile_site, reference):
    problems = output_problems(hostile_site, reference)
    assert not problems, "\n".join(problems[:40])


def test_hostile_text_is_shown_as_text(hostile_site):
    front = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert html.escape(SHORT[0], quote=False) in front  # the site title, escaped, in the header
    locality = (hostile_site / "lokalsamfund" / "skibby" / "index.html").read_text(encoding="utf-8")
    # Markdown raw HTML is text, Jinja-ish payloads are not evaluated.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in locality
    assert "{{7*7}}" in locality and "{% raw %}" in locality
    assert "Lang" + "ø" * 4996 in locality


def test_a_hostile_string_in_one_field_at_a_time(tmp_path, reference):
    """Each short string into every single-line field at once (the cycle above gives a field one
    string; here every field gets the same one), a few strings at a time, to catch interactions."""
    picks = [s for s in SHORT if any(m in s for m in ("</script><script>", "' autofocus", "CRLF", "END:VEVENT"))]
    for i, value in enumerate(picks):
        root = hostile_root(tmp_path / f"root{i}", lambda: value, lambda: value)
        out = tmp_path / f"site{i}"
        result = built(root, out)
        assert not result.failed, (value, [str(d) for d in result.diagnostics.errors[:10]])
        problems = output_problems(out, reference)
        assert not problems, (value, problems[:20])


@pytest.mark.parametrize("value", MAYBE, ids=[f"maybe{i}-" + re.sub(r"[^a-z0-9]+", "_", s[:16]) for i, s in enumerate(MAYBE)])
def test_control_characters_are_refused_or_harmless(tmp_path, reference, value):
    root = hostile_root(tmp_path / "root", lambda: value, lambda: value)
    out = tmp_path / "site"
    result = built(root, out)
    if result.failed:
        assert_clean_errors(result)
        assert not out.exists()
    else:
        problems = output_problems(out, reference)
        assert not problems, problems[:20]


@pytest.mark.parametrize("value", REJECT, ids=[f"reject{i}" for i in range(len(REJECT))])
@pytest.mark.parametrize("where", ["news-title", "news-body", "locality-name", "ambassador-name"])
def test_nul_is_a_content_error(tmp_path, value, where):
    root = tmp_path / "root"
    hostile_root(root, cycle(["Helt almindelig tekst"]), lambda: "Almindelig brødtekst.")
    news = root / "content" / "news" / "2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
    if where == "news-title":
        front, body = _split(news.read_text(encoding="utf-8"))
        front["title"] = "Titel " + value
        news.write_text("---\n" + _dump(front) + "---\n" + body, encoding="utf-8")
        expected = news.relative_to(root).as_posix()
    elif where == "news-body":
        news.write_text(news.read_text(encoding="utf-8") + "\nTekst " + value + " slut\n", encoding="utf-8")
        expected = news.relative_to(root).as_posix()
    elif where == "locality-name":
        reg = yaml.safe_load((root / "localities.yaml").read_text(encoding="utf-8"))
        reg["localities"][0]["name"] = "Skibby " + value
        (root / "localities.yaml").write_text(_dump(reg), encoding="utf-8")
        expected = "localities.yaml"
    else:
        path = root / "content" / "ambassadors" / "skibby.yaml"
        people = yaml.safe_load(path.read_text(encoding="utf-8"))
        people[0]["name"] = "Hanne " + value
        path.write_text(_dump(people), encoding="utf-8")
        expected = "content/ambassadors/skibby.yaml"
    out = tmp_path / "site"
    result = run(root, out, TODAY)
    if where == "news-body" and not result.failed:
        # CommonMark replaces NUL in Markdown with U+FFFD: harmless, if no NUL reaches the output.
        text_files = [p for p in out.rglob("*") if p.suffix in (".html", ".xml", ".json", ".ics", ".eml", ".txt")]
        assert not [p for p in text_files if b"\x00" in p.read_bytes()]
        return
    assert result.failed, f"a NUL in the {where} was accepted"
    assert_clean_errors(result, {expected})
    assert not out.exists()


ENCODED_WORD = "=?utf-8?q?=0D=0ABcc:_x@example.dk?="


@pytest.mark.parametrize("field", ["site-title", "locality-name", "news-title"])
def test_newsletter_headers_cannot_be_injected(tmp_path, reference, field):
    """An RFC 2047 encoded word that decodes to CR LF must not become a header line of its own."""
    root = hostile_root(tmp_path / "root", cycle(["Helt almindelig tekst"]), lambda: "Almindelig brødtekst.")
    reg = yaml.safe_load((root / "localities.yaml").read_text(encoding="utf-8"))
    if field == "site-title":
        reg["site"]["title"] = ENCODED_WORD
    elif field == "locality-name":
        reg["localities"][0]["name"] = ENCODED_WORD
    (root / "localities.yaml").write_text(_dump(reg), encoding="utf-8")
    if field == "news-title":
        news = root / "content" / "news" / "2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
        front, body = _split(news.read_text(encoding="utf-8"))
        front["title"] = ENCODED_WORD
        news.write_text("---\n" + _dump(front) + "---\n" + body, encoding="utf-8")
    out = tmp_path / "site"
    result = run(root, out, TODAY)
    assert not result.failed, [str(d) for d in result.diagnostics.errors[:10]]
    problems = []
    for path in sorted(render_all_emails(root, mails_of(out)).rglob("*.eml")):
        problems += eml_problems(path.relative_to(mails_of(out)).as_posix(), path.read_bytes(), reference)
    assert not problems, "\n".join(problems[:10])
