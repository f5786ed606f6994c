"""Messages cannot carry terminal or CI control sequences (issue 17): every diagnostic is printed on
one line with its control characters made visible, and a GitHub annotation stays one command."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import REPO, news
from naerpoliti.commands.build import github_annotation
from naerpoliti.errors import Diagnostic, Position, visible

# YAML escapes as an editor (or an attacker) could write them in a double-quoted value
SEQUENCES = {
    "window-title": r"\e]0;pwned\a",
    "clear-screen": r"\x1b[2J",
    "clipboard": r"\e]52;c;cm0gLXJmIH4=\a",
    "c1-csi": r"\x9b2J",
    "bell": r"\a\a",
    "ci-command": r"a\n::warning file=x.md::pwned",
    "carriage-return": r"ok\r::error::pwned",
    "line-separator": r"a\u2028b",
    "bidi-override": r"a\u202eb",
}
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
LINE = re.compile(r"^(content/\S+|localities\.yaml):\d+:\d+: (error|warning): |^naerpoliti: ")


def run_check(root, **env):
    import os
    return subprocess.run([sys.executable, "-m", "naerpoliti", "check", "--root", str(root), "--today", "2026-11-22"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def assert_harmless(p) -> None:
    assert p.returncode == 1, p.stderr
    for stream in (p.stdout, p.stderr):
        assert not CONTROL.search(stream), repr(stream)
    assert all(LINE.match(line) for line in p.stderr.splitlines()), p.stderr
    assert all(re.match(r"::(error|warning) file=", line) for line in p.stdout.splitlines()), p.stdout


@pytest.mark.parametrize("sequence", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_control_sequences_in_values_are_shown_not_run(site_root, sequence):
    root = site_root({
        "content/news/2026-11-20-x.md": news(title=f'"{sequence}"', scope=f'localities: ["{sequence}"]'),
        "content/ambassadors/skibby.yaml": f'- id: "{sequence}"\n  name: "{sequence}"\n',
    })
    assert_harmless(run_check(root, GITHUB_ACTIONS="true"))
    assert_harmless(run_check(root, GITHUB_ACTIONS=""))


@pytest.mark.parametrize("name", ["\x1b[2Jx.md", "a\nb.md", "\x07.md", "a\u202eb.md"], ids=["csi", "newline", "bel", "bidi"])
def test_control_characters_in_file_names_are_shown_not_run(site_root, name):
    root = site_root({f"content/news/{name}": news()})
    assert_harmless(run_check(root, GITHUB_ACTIONS="true"))


def test_visible_writes_every_control_character_as_an_escape():
    assert visible("a\x1b]0;t\x07b\nc\r\x9b\u2028\u202e æ ø") == "a\\u001b]0;t\\u0007b\\u000ac\\u000d\\u009b\\u2028\\u202e æ ø"
    assert str(Diagnostic(Position("content/\x1b.md", 2, 3), "error", "x\ny")) == \
        "content/\\u001b.md:2:3: error: x\\u000ay"


def test_an_annotation_is_one_command_for_any_value():
    for code in [*range(0x00, 0x250), *range(0x2000, 0x2070), 0xFEFF]:
        ch = chr(code)
        d = Diagnostic(Position(f"content/a{ch}b:,%.md", 3, 1), "warning", f"x{ch}::error::y{ch}%0A")
        line = github_annotation(d, REPO)
        assert not CONTROL.search(line) and "\n" not in line, (hex(code), line)
        assert line.count("::") == 2 + (line.split("title=naerpoliti::", 1)[1].count("::"))
        prop = line.split(",title=", 1)[0]
        assert ":" not in prop.removeprefix("::warning file=") and prop.count(",") == 2, (hex(code), prop)
