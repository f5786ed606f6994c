"""Every broken site root in tests/sites/invalid/ gives exactly the expected messages and exit 1.

Refresh expected.txt after an intended change of wording with `python tests/refresh.py`, then read
the diff: every message must still point at the mistake and say how to fix it.
"""
from pathlib import Path

import pytest

from naerpoliti.cli import main

CASES = Path(__file__).parent / "sites" / "invalid"
TODAY = "2026-11-22"


def check_case(case: Path, capsys) -> tuple[int, list[str]]:
    code = main(["check", "--root", str(case), "--today", TODAY])
    err = capsys.readouterr().err.splitlines()
    return code, [line for line in err if not line.startswith("naerpoliti:")]


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_invalid_site(case: Path, capsys):
    code, lines = check_case(case, capsys)
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert lines == expected
    assert code == 1
    assert not (case / "site").exists()


def test_every_error_kind_has_a_case():
    names = {p.name for p in CASES.iterdir()}
    for required in ["yaml-syntax", "front-matter-missing", "front-matter-unclosed", "not-utf8",
                     "missing-required-field", "wrong-type", "unknown-field", "malformed-id", "duplicate-id",
                     "unknown-district", "unknown-municipality", "unknown-officer", "unknown-station",
                     "unknown-locality-in-news", "news-without-scope", "bad-date", "event-ends-before-start",
                     "postcode-not-four-digits", "invalid-phone", "invalid-email", "image-without-alt",
                     "consent-unknown-field"]:
        assert required in names
