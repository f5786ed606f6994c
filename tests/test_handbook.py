"""The documentation (docs/, mkdocs.yml): the editors' handbook in Danish and the reference in English
(docs/reference/). It builds with `mkdocs build --strict`, every page is in the navigation, the
generated field references are current, every command it shows is one the program accepts, its
examples are valid content, and docs/fejlmeddelelser.md documents every error and warning message
the program can print (the message catalogue)."""
from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import TODAY, build

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CATALOGUE = DOCS / "fejlmeddelelser.md"
ELLIPSIS = "…"

# ---------------------------------------------------------------------------------------------
# The handbook builds


def test_mkdocs_build_strict(tmp_path):
    out = tmp_path / "handbook"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in _nav_pages():
        html = out / (page[:-3] + ".html" if page.rsplit("/", 1)[-1] == "index.md" else page[:-3] + "/index.html")
        assert html.is_file(), f"{page} was not built"
    # font: false: the handbook loads nothing from other hosts (no Google Fonts)
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text, html


def _nav_pages() -> list[str]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    pages: list[str] = []

    def walk(node):
        if isinstance(node, str):
            pages.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)

    walk(config["nav"])
    return pages


def test_every_page_is_in_the_nav_once():
    pages = _nav_pages()
    assert len(pages) == len(set(pages)), "a page is in the nav twice"
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert set(pages) == on_disk, (f"not in mkdocs.yml nav: {sorted(on_disk - set(pages))}; "
                                   f"in the nav but missing: {sorted(set(pages) - on_disk)}")


def test_field_reference_covers_every_type_in_danish():
    from naerpoliti import schema
    from naerpoliti.commands.reference import fields_reference, type_da

    specs = [v for v in vars(schema).values() if isinstance(v, schema.RecordSpec)]
    english = sorted({f"{s.name}.{f.name}: {f.type.label}" for s in specs for f in s.fields
                      if type_da(f.type) == f.type.label})
    assert not english, "add Danish words for these types in naerpoliti/commands/reference.py (type_da):\n" + "\n".join(english)
    text = fields_reference()
    if getattr(schema, "CMS", None) is not None:
        assert "(`site.cms`)" in text
    for spec in specs:
        if spec is not schema.LOCALITIES_FILE:
            for f in spec.fields:
                assert f"| `{f.name}` (" in text, (spec.name, f.name)


def test_field_references_are_current():
    from naerpoliti.commands.reference import GENERATED

    stale = [path for path, generate in GENERATED.items()
             if (ROOT / path).read_text(encoding="utf-8") != generate()]
    assert not stale, f"{stale} are not current: run python tests/refresh.py docs"


def test_english_field_reference_covers_every_field():
    from naerpoliti import load, schema
    from naerpoliti.commands.reference import fields_reference_en

    text = fields_reference_en()
    specs = [v for v in vars(schema).values() if isinstance(v, schema.RecordSpec)]
    for spec in specs:
        for f in spec.fields:
            assert f"| `{f.name}` |" in text, (spec.name, f.name)
    for name in ("site-newsletter", "site-cms", "news", "events", "pages", "ambassadors", "consent",
                 "newsletter-intro", "reserved", "limits"):
        assert f"{{#{name}}}" in text, name
    assert f"{load.MAX_MARKDOWN_BYTES:,} bytes" in text


# ---------------------------------------------------------------------------------------------
# Commands shown in the handbook are ones the program accepts

_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")


def _shell_lines() -> list[tuple[str, str]]:
    """(page, command) for every `naerpoliti ...` command in a ```sh block of the handbook."""
    found = []
    for page in sorted(DOCS.rglob("*.md")):
        lang = None
        for line in page.read_text(encoding="utf-8").splitlines():
            m = _FENCE.match(line)
            if m:
                lang = None if lang is not None else m.group(2)
                continue
            if lang != "sh":
                continue
            for part in line.split("&&"):
                words = part.strip()
                for prefix in (".venv/bin/", ""):
                    if words.startswith(prefix + "naerpoliti "):
                        found.append((page.name, words[len(prefix):]))
                        break
    return found


def test_every_command_in_the_handbook_parses():
    from naerpoliti.cli import _parser

    commands = _shell_lines()
    assert len(commands) >= 20, commands  # the handbook shows many; fewer means the scan broke
    bad = []
    for page, command in commands:
        args = shlex.split(command)[1:]
        if "--help" in args:
            continue
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                _parser().parse_args(args)
        except SystemExit:
            bad.append(f"{page}: {command}\n    {err.getvalue().strip().splitlines()[-1]}")
    assert not bad, "commands in the handbook that naerpoliti does not accept:\n" + "\n".join(bad)


def test_every_subcommand_is_shown_in_the_handbook():
    import argparse

    from naerpoliti.cli import _parser

    shown = " ".join(c for _p, c in _shell_lines())
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"naerpoliti {name}" for name in sub.choices if f"naerpoliti {name}" not in shown]
    new = sub.choices["new"]
    kinds = next(a for a in new._actions if a.dest == "kind").choices
    missing += [f"naerpoliti new {k}" for k in kinds if f"naerpoliti new {k} " not in shown]
    assert not missing, f"commands the handbook never shows: {missing}"


# ---------------------------------------------------------------------------------------------
# The message catalogue
#
# Static: every message template written in the engine's source must be in docs/fejlmeddelelser.md.
# Dynamic: every message the broken-site corpus and the demo site produce must match a documented
# template. A template is the message with every computed part written as '…'.

CONTENT_SOURCES = sorted([*ROOT.glob("naerpoliti/*.py"), *ROOT.glob("naerpoliti/render/*.py"),
                          ROOT / "naerpoliti/commands/consent_report.py", ROOT / "naerpoliti/commands/reference.py"])
# Exceptions whose first (or given) argument is a message an editor reads.
MESSAGE_CALLS = {"Invalid": 0, "_Refused": 1, "Decision": 1, "WriteError": 0, "FulltextError": 0}
# Helpers that return a problem as a string (or None).
PROBLEM_FUNCTIONS = re.compile(r"^_?(\w+_problem|check_\w+|\w+_message)$")
# Usage errors of the command line: documented too, but not required to be.
USAGE_SOURCES = sorted(ROOT.glob("naerpoliti/commands/*.py"))
USAGE_CALLS = {"UsageError": 0, "Usage": 0}


def _template(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else ELLIPSIS for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _template(node.left) + _template(node.right)
    return ELLIPSIS  # a variable, a call: a computed part


def normalise(text: str) -> str:
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'}))
    text = re.sub(f"{ELLIPSIS}+", ELLIPSIS, text)
    return " ".join(text.split())


def _is_composite(template: str) -> bool:
    """Only placeholders and punctuation ('…: …'): a prefix joined to another message."""
    return not re.search(r"[A-Za-z]{3,}", template)


def _returned_messages(tree: ast.AST, name: str):
    """The message of every `return position, message` of the function `name` in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and isinstance(sub.value, ast.Tuple) and len(sub.value.elts) == 2:
                    yield sub.value.elts[1]


def _message_nodes(tree: ast.AST, calls: dict[str, int], with_errors: bool):
    """(kind, node) of every message written in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if with_errors and isinstance(f, ast.Attribute) and f.attr in ("error", "warning"):
                if len(node.args) >= 2:
                    yield f".{f.attr}()", node.args[1]
                elif (len(node.args) == 1 and isinstance(node.args[0], ast.Starred)
                      and isinstance(node.args[0].value, ast.Call) and isinstance(node.args[0].value.func, ast.Name)):
                    # diags.error(*_friendly(...)): the messages are what that function returns
                    returned = list(_returned_messages(tree, node.args[0].value.func.id))
                    yield f".{f.attr}()", returned[0] if returned else ast.Constant("")
                    for extra in returned[1:]:
                        yield "returned", extra
            if isinstance(f, ast.Name) and f.id in calls and len(node.args) > calls[f.id]:
                yield f.id, node.args[calls[f.id]]
        elif isinstance(node, ast.FunctionDef) and PROBLEM_FUNCTIONS.match(node.name):
            for sub in ast.walk(node):
                if isinstance(sub, ast.Return) and sub.value is not None and not (
                        isinstance(sub.value, ast.Constant) and sub.value.value is None):
                    yield "return", sub.value
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_FRIENDLY"
                                                  for t in node.targets):
            # load.py's table of YAML errors in an editor's words; _friendly() prefixes each
            for row in node.value.elts:
                yield "_FRIENDLY", ast.BinOp(ast.Constant("YAML syntax error: "), ast.Add(), row.elts[2])


def extract(paths, calls, with_errors=True) -> tuple[dict[str, str], dict[str, int]]:
    """{template: where it is written} and the number of message sites of each kind."""
    templates: dict[str, str] = {}
    counts: dict[str, int] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for kind, node in _message_nodes(tree, calls, with_errors):
            counts[kind] = counts.get(kind, 0) + 1
            template = normalise(_template(node))
            if template and not _is_composite(template):
                templates.setdefault(template, f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}")
    return templates, counts


def source_templates() -> dict[str, str]:
    return extract(CONTENT_SOURCES, MESSAGE_CALLS)[0]


def documented_templates() -> list[str]:
    """Each message in the catalogue: a line that is only `the template` (a definition list term)."""
    found = re.findall(r"^`([^`\n]+)`[ \t]*$", CATALOGUE.read_text(encoding="utf-8"), re.M)
    return [normalise(t) for t in found]


def template_regex(template: str) -> re.Pattern:
    return re.compile("".join(".*?" if part == ELLIPSIS else re.escape(part)
                              for part in re.split(f"({ELLIPSIS})", template)), re.S)


# 'title: ', 'consent.fields: ', 'site.base_url: ', 'file name: ': the field a message is about
_PREFIX = re.compile(r"^(?:[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*|file name|folder name): ")


def undocumented(messages: list[str], regexes: list[re.Pattern]) -> list[str]:
    missing = []
    for message in messages:
        candidates = [normalise(message)]
        m = _PREFIX.match(candidates[0])
        if m:
            candidates.append(candidates[0][m.end():])
        if not any(r.fullmatch(c) for r in regexes for c in candidates):
            missing.append(message)
    return missing


def test_the_extraction_finds_the_real_message_sites():
    templates, counts = extract(CONTENT_SOURCES, MESSAGE_CALLS)
    assert counts.get(".error()", 0) + counts.get(".warning()", 0) >= 55, counts
    assert counts.get(".warning()", 0) >= 3, counts
    assert counts.get("Invalid", 0) >= 20, counts
    assert counts.get("_FRIENDLY", 0) >= 8 and counts.get("Decision", 0) >= 5 and counts.get("return", 0) >= 10, counts
    assert len(templates) >= 90, len(templates)
    for known in ("must not be empty", "the file lists no ambassadors", "consent expired on …",
                  "the file is not UTF-8 text; save it as UTF-8 (in most editors: 'Save with encoding')",
                  "YAML syntax error: a tab character: indent with spaces, not tabs",
                  "'…' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20",
                  "link to '…': there is no such page on the site"):
        assert known in templates, known
    assert "…: …" not in templates  # composites are skipped


def test_every_message_in_the_source_is_documented():
    documented = set(documented_templates())
    missing = {t: where for t, where in source_templates().items() if t not in documented}
    assert not missing, (
        f"{len(missing)} message(s) are not in docs/fejlmeddelelser.md; add each as a line `template` "
        "followed by ':   ' and a Danish explanation:\n"
        + "\n".join(f"  `{t}`    ({where})" for t, where in sorted(missing.items(), key=lambda kv: kv[1])))


def test_every_documented_message_is_one_the_program_prints():
    known = set(source_templates()) | set(extract(USAGE_SOURCES, USAGE_CALLS, with_errors=False)[0])
    documented = documented_templates()
    assert len(documented) == len(set(documented)), "a message is documented twice"
    stale = [t for t in documented if t not in known]
    assert not stale, "documented in docs/fejlmeddelelser.md, but no longer in the source " \
                      "(reword or remove):\n" + "\n".join(f"  `{t}`" for t in stale)


_DIAGNOSTIC = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning): (?P<message>.*)$")


def test_messages_of_the_broken_sites_are_documented():
    regexes = [template_regex(t) for t in documented_templates()]
    messages, lines = [], 0
    for expected in sorted((ROOT / "tests" / "sites" / "invalid").glob("*/expected.txt")):
        for line in expected.read_text(encoding="utf-8").splitlines():
            m = _DIAGNOSTIC.match(line)
            assert m, f"{expected}: not a diagnostic: {line}"
            messages.append(m["message"])
            lines += 1
    assert lines >= 50, lines
    missing = undocumented(messages, regexes)
    assert not missing, "messages of tests/sites/invalid that match no template in " \
                        "docs/fejlmeddelelser.md:\n" + "\n".join(f"  {m}" for m in missing)


def test_messages_of_the_demo_site_are_documented():
    result = build(ROOT, None, TODAY)  # the demo site, checked as a build checks it
    messages = [d.message for d in result.diagnostics.items]
    assert result.diagnostics.warnings, "the demo site is expected to show some warnings"
    missing = undocumented(messages, [template_regex(t) for t in documented_templates()])
    assert not missing, "messages of the demo site that match no template in docs/fejlmeddelelser.md:\n" \
                        + "\n".join(f"  {m}" for m in missing)


def test_template_matching_is_strict_enough():
    regexes = [template_regex(t) for t in documented_templates()]
    assert not undocumented(["localities: unknown locality 'skiby' (did you mean 'skibby'?)",
                             "title: must not be empty", "consent was withdrawn on 2026-10-01"], regexes)
    assert undocumented(["an entirely new message nobody documented"], regexes)
    assert undocumented(["title: must not be empty!"], regexes)


# ---------------------------------------------------------------------------------------------
# The examples in the handbook are valid content


def _blocks(lang: str) -> list[tuple[str, str]]:
    """(page, text) of every fenced block in the given language, indentation removed; page is the
    path under docs/ ('nyheder.md', 'reference/content.md')."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        page = path.relative_to(DOCS).as_posix()
        block, indent, current = None, "", None
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _FENCE.match(line)
            if m and block is None:
                block, indent, current = m.group(2), m.group(1), []
            elif m and block is not None:
                if block == lang:
                    found.append((page, "\n".join(current) + "\n"))
                block = None
            elif block is not None:
                current.append(line[len(indent):] if line.startswith(indent) else line)
    return found


def test_yaml_examples_parse():
    """Every YAML example parses; one marked '# forkert' (wrong) shows an error and gives one."""
    from naerpoliti.errors import Diagnostics
    from naerpoliti.load import parse_yaml

    blocks = _blocks("yaml")
    assert len(blocks) >= 15, len(blocks)
    bad, wrong = [], 0
    for page, text in blocks:
        diags = Diagnostics()
        parse_yaml(text, page, diags)
        if "# forkert" in text:
            wrong += 1
            if not diags.errors:
                bad.append(f"{page}: this example of a mistake parses without an error:\n{text}")
        else:
            bad += [f"{page}: {d}\n{text}" for d in diags.items]
    assert wrong >= 2, wrong
    assert not bad, "\n".join(bad)


def test_front_matter_examples_are_valid():
    from naerpoliti import schema
    from naerpoliti.errors import Diagnostics, Position
    from naerpoliti.load import parse_yaml, split_front_matter

    spec_of = {"nyheder.md": schema.NEWS, "yaml-og-markdown.md": schema.NEWS, "arrangementer.md": schema.EVENT,
               "sider.md": schema.PAGE, "nyhedsbreve.md": schema.NEWSLETTER_INTRO}
    checked, bad = 0, []
    for page, text in _blocks("markdown"):
        reference = page.startswith("reference/")
        if not text.startswith("---\n") or not (page in spec_of or reference):
            continue
        diags = Diagnostics()
        fm, line, _body, _ = split_front_matter(text, page, diags)
        raw = parse_yaml(fm, page, diags, line_offset=line - 1)
        ctx = schema.Ctx(ROOT, page, diags)  # media paths are checked against the demo's content/
        ctx.field_name = ""
        # the reference shows several kinds on one page: an event has a start, a news item a date
        spec = (schema.EVENT if "start" in raw else schema.NEWS if "date" in raw else schema.PAGE) \
            if reference else spec_of[page]
        schema.convert_record(raw, spec, Position(page, 1, 1), ctx)
        bad += [f"{page}: {d}" for d in diags.items]
        checked += 1
    assert checked >= 8, checked
    assert not bad, "\n".join(bad)


def test_registry_examples_are_valid(tmp_path):
    """A YAML example that is a whole localities.yaml (site: ... localities:) loads without a problem."""
    from naerpoliti.build import run

    checked, bad = 0, []
    for page, text in _blocks("yaml"):
        if not (text.startswith("site:") and "\nlocalities:" in text) or "# forkert" in text:
            continue
        root = tmp_path / str(checked)
        root.mkdir()
        (root / "localities.yaml").write_text(text, encoding="utf-8")
        result = run(root, None, TODAY)
        bad += [f"{page}: {d}" for d in result.diagnostics.items]
        checked += 1
    assert checked >= 1, checked
    assert not bad, "\n".join(bad)


def test_ambassador_examples_are_valid():
    from naerpoliti import schema
    from naerpoliti.errors import Diagnostics
    from naerpoliti.load import parse_yaml

    checked, bad = 0, []
    for page, text in _blocks("yaml"):
        if not text.startswith("- id:"):
            continue
        diags = Diagnostics()
        items = parse_yaml(text, page, diags)
        ctx = schema.Ctx(ROOT, page, diags)
        for item, pos in zip(items, items.item_pos):
            ctx.field_name = ""
            spec = schema.AMBASSADOR if page in ("ambassadoerer.md", "reference/content.md") else None
            if spec is not None:
                schema.convert_record(item, spec, pos, ctx)
                checked += 1
        bad += [f"{page}: {d}" for d in diags.items]
    assert checked >= 3, checked
    assert not bad, "\n".join(bad)


def test_catalogue_examples_of_mistakes_give_their_message():
    """A YAML example marked '# forkert' under a message in the catalogue produces that message."""
    from naerpoliti.errors import Diagnostics
    from naerpoliti.load import parse_yaml

    term, block, checked, bad = None, None, 0, []
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^`([^`\n]+)`[ \t]*$", line)
        if m and block is None:
            term = normalise(m.group(1))
        elif re.match(r"^\s*```yaml\s*$", line):
            block = []
        elif re.match(r"^\s*```\s*$", line) and block is not None:
            text = "\n".join(l[4:] for l in block) + "\n"
            if "# forkert" in text:
                diags = Diagnostics()
                parse_yaml(text, "example.yaml", diags)
                got = [normalise(d.message) for d in diags.items]
                if not any(template_regex(term).fullmatch(g) for g in got):
                    bad.append(f"under `{term}` the example gives {got}")
                checked += 1
            block = None
        elif block is not None:
            block.append(line)
    assert checked >= 2, checked
    assert not bad, "\n".join(bad)
