"""Properties, with hypothesis: whatever text an editor writes, a build succeeds or reports content
errors (it never raises), and what it writes is well-formed; whoever is in an ambassador file, in
whatever consent state, nothing of an unpublished person reaches the output.

Examples are few and the sites small, so the file runs in well under a minute.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import unicodedata
from pathlib import Path

import html5lib
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from markupsafe import escape

from conftest import REGISTRY, TODAY, make_site
from naerpoliti.build import run

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                derandomize=True, phases=[Phase.explicit, Phase.generate])  # no shrinking: a time budget
NEWS_PATH = "content/news/2026-11-20-nyhed.md"
NEWS_PAGE = "nyheder/2026-11-20-nyhed/index.html"


def _dump(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1_000_000)


def _site(field: str, text: str) -> dict[str, str]:
    """A small site with `text` in one field."""
    front = {"title": "Nyhed", "date": "2026-11-20", "localities": ["skibby"], "summary": "Kort."}
    body = "Brødtekst."
    registry = yaml.safe_load(REGISTRY)
    if field in ("title", "summary"):
        front[field] = text
    elif field == "body":
        body = text
    elif field == "locality":
        registry["localities"][0]["name"] = text
    elif field == "phone":
        registry["officers"][0]["phone"] = text
    return {"localities.yaml": _dump(registry),
            NEWS_PATH: "---\n" + _dump(front) + "---\n" + body + "\n"}


def _write(files: dict[str, str]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="naerpoliti-prop-"))
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data, encoding="utf-8")
    return root


def _printable(text: str) -> bool:
    return all(unicodedata.category(c)[0] not in "CZ" or c == " " for c in text)


FIELDS = ["title", "summary", "body", "locality", "phone"]


def _check_refusal(result) -> None:
    for d in result.diagnostics.errors:
        assert d.position.path and d.position.line, str(d)


@settings(max_examples=60, **SETTINGS)
@given(field=st.sampled_from(FIELDS), text=st.text(max_size=80))
def test_check_never_raises(field, text):
    root = _write(_site(field, text))
    try:
        result = run(root, None, TODAY)  # an exception here is the finding
        if result.failed:
            _check_refusal(result)
    finally:
        shutil.rmtree(root, ignore_errors=True)


_PARSER = html5lib.HTMLParser(strict=False)


@settings(max_examples=15, **SETTINGS)
@given(field=st.sampled_from(["title", "summary", "locality"]),
       text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_built_pages_are_well_formed_and_show_the_text(field, text):
    root = _write(_site(field, text))
    out = root / "out"
    try:
        result = run(root, out, TODAY)
        if result.failed:
            _check_refusal(result)
            assert not out.exists()
            return
        for path in out.rglob("*.html"):
            _PARSER.parse(path.read_bytes().decode("utf-8"))  # no exception
        shown = " ".join(text.split())
        if shown and _printable(shown):
            page = {"title": NEWS_PAGE, "summary": "nyheder/index.html",
                    "locality": "lokalsamfund/skibby/index.html"}[field]
            assert str(escape(shown)) in (out / page).read_text(encoding="utf-8")
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- Consent ------------------------------------------------------------------------------------------------

ALPHABET = "qxzvkjw"  # letters rare in Danish, so a generated name cannot appear by accident
FIELD_NAMES = ["name", "role", "phone", "email"]


def _published(consent: dict | None) -> tuple[bool, set[str]]:
    """The publishing rule, written again from CONTENT-FORMAT.md as this test's oracle."""
    if not consent:
        return False, set()
    fields = set(consent.get("fields") or [])
    ok = (consent["given"] <= TODAY
          and not (consent.get("withdrawn") and consent["withdrawn"] <= TODAY)
          and not (consent.get("expires") and consent["expires"] <= TODAY))
    return ok and "name" in fields, fields


near = st.integers(-3, 3).map(lambda d: TODAY + dt.timedelta(days=d))
consents = st.one_of(st.none(), st.fixed_dictionaries(
    {"given": near, "fields": st.lists(st.sampled_from(FIELD_NAMES), min_size=1, unique=True)},
    optional={"withdrawn": near, "expires": near}))


@st.composite
def people(draw):
    n = draw(st.integers(1, 5))
    result = []
    for i in range(n):
        suffix = draw(st.text(ALPHABET, min_size=6, max_size=6))
        digits = "".join(str(d) for d in draw(st.lists(st.integers(0, 9), min_size=4, max_size=4)))
        person = {"id": f"p{i}-{suffix}",
                  "name": f"Zq{suffix}{i} Vq{suffix[::-1]}{i}",
                  "role": f"Rolle{suffix}{i}",
                  "phone": f"+45 28 1{i} {digits[:2]} {digits[2:]}",  # valid: +45 28 1x xx xx
                  "email": f"zq{suffix}{i}@example.dk",
                  "consent": draw(consents)}
        for key in draw(st.sets(st.sampled_from(["role", "phone", "email", "consent"]), max_size=2)):
            person.pop(key)
        if person.get("consent") is None:
            person.pop("consent", None)
        result.append(person)
    return result


def _phone_forms(number: str) -> list[str]:
    digits = number.replace(" ", "")
    return [number, digits, digits[3:], number[4:]]


@settings(max_examples=25, **SETTINGS)
@given(persons=people())
def test_unpublished_people_never_reach_the_output(persons):
    root = _write({"localities.yaml": REGISTRY, "content/ambassadors/skibby.yaml": _dump(persons)})
    out = root / "out"
    try:
        result = run(root, out, TODAY)
        if result.failed:  # e.g. withdrawn before given: refused as a whole, nothing written
            _check_refusal(result)
            assert not out.exists()
            return
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
        page = files["lokalsamfund/skibby/index.html"].decode()
        for person in persons:
            published, fields = _published(person.get("consent"))
            secret: list[str] = []
            if published:
                assert str(escape(person["name"])) in page
                if "role" in person and "role" not in fields:
                    secret.append(person["role"])
                if "phone" in person and "phone" not in fields:
                    secret += _phone_forms(person["phone"])
                if "email" in person and "email" not in fields:
                    secret.append(person["email"])
            else:
                secret = [person["name"], person["name"].split()[0], person["id"]]
                secret += [person[k] for k in ("role", "email") if k in person]
                if "phone" in person:
                    secret += _phone_forms(person["phone"])
            for value in secret:
                for form in {value, value.casefold()}:
                    leaked = [path for path, data in files.items() if form.encode() in data]
                    assert not leaked, f"{form!r} of {person['id']} (published={published}) in {leaked}"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=10, **SETTINGS)
@given(persons=people())
def test_an_ambassador_without_a_name_is_a_content_error(persons):
    del persons[0]["name"]
    root = _write({"localities.yaml": REGISTRY, "content/ambassadors/skibby.yaml": _dump(persons)})
    try:
        result = run(root, None, TODAY)
        assert result.failed
        _check_refusal(result)
        assert any(d.position.path == "content/ambassadors/skibby.yaml" for d in result.diagnostics.errors)
    finally:
        shutil.rmtree(root, ignore_errors=True)
