"""Files -> raw values that remember where they were written.

YAML is parsed with libyaml's C parser where installed (the constructor is ours), and every
mapping and sequence remembers the position of itself, its keys and its values, so that the
schema can name the line and column of a bad field.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import yaml

from .errors import Diagnostics, Position

# Limits on hostile or broken input: each gives a content error instead of a hang or a crash.
MAX_YAML_BYTES = 2_000_000  # a .yaml file (localities.yaml for all of Denmark is far smaller)
MAX_MARKDOWN_BYTES = 200_000  # a .md file: about 30,000 words, far more than any page or news item
MAX_LINE_CHARS = 100_000  # one line of any file
MAX_YAML_DEPTH = 50  # groups of fields and lists inside each other

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]  # the same interface, slower


# Parsed values are YMap, YList, str, int, float, bool or None: `object`, so that a reader checks
# which one it got before using it (as the schema does, with a message for each wrong kind).
class YMap(dict[str, object]):
    """A YAML mapping with the positions of itself, its keys and its values."""

    pos: Position
    key_pos: dict[str, Position]
    value_pos: dict[str, Position]


class YList(list[object]):
    """A YAML sequence with the positions of itself and its items."""

    pos: Position
    item_pos: list[Position]


class _Mark(Protocol):
    """Where the parser is: PyYAML's Mark, or libyaml's (0-based)."""

    @property
    def line(self) -> int: ...

    @property
    def column(self) -> int: ...


def _position(loader: _MarkedLoader, mark: _Mark) -> Position:
    return _mark_position(loader.relpath, mark, loader.line_offset)


class _MarkedLoader(_BaseLoader):
    relpath: str = "?"
    line_offset: int = 0
    diags: Diagnostics


# Dates and times stay strings: schema.py parses them with messages an editor understands,
# instead of PyYAML raising a bare ValueError on "2026-02-30".
_MarkedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _MarkedLoader, node: yaml.MappingNode) -> Iterator[YMap]:
    data = YMap()
    data.pos = _position(loader, node.start_mark)
    data.key_pos = {}
    data.value_pos = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        kpos = _position(loader, key_node.start_mark)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            loader.diags.error(kpos, "a field name must be plain text")
            continue
        key = str(key)
        if key in data:
            first = data.key_pos[key]
            loader.diags.error(kpos, f"field '{key}' is given twice (first on line {first.line})")
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_pos[key] = kpos
        data.value_pos[key] = _position(loader, value_node.start_mark)


def _construct_seq(loader: _MarkedLoader, node: yaml.SequenceNode) -> Iterator[YList]:
    data = YList()
    data.pos = _position(loader, node.start_mark)
    data.item_pos = []
    yield data
    for child in node.value:
        data.append(loader.construct_object(child, deep=True))
        data.item_pos.append(_position(loader, child.start_mark))


_MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_MarkedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _mark_position(relpath: str, mark: _Mark | None, line_offset: int) -> Position:
    """A parser's mark as a position in the file; its first line when the parser gave none."""
    if mark is None:
        return Position(relpath, 1 + line_offset, 1)
    return Position(relpath, mark.line + 1 + line_offset, mark.column + 1)


# PyYAML's messages, in words an editor understands: (problem start, context start) -> (message,
# whether to point at the context mark, where the trouble began, instead of where it was noticed).
_FRIENDLY = [
    ("mapping values are not allowed", None,
     "a ':' followed by a space inside a value: put the whole value in quotes "
     "(title: \"Lås døren: sådan gør du\"), or check that the line above has a space after its ':'",
     False),
    ("found unexpected end of stream", "while scanning a quoted scalar",
     "a quote starts here but is never closed: add the closing quote at the end of the value", True),
    ("found unexpected end of stream", None, "the text ends in the middle of a value", False),
    ("could not find expected ':'", None,
     "this line is not 'name: value': add ': ' after the field name (with a space after the colon)",
     True),
    ("did not find expected '-' indicator", None,
     "the indentation does not match the lines above: line up '-' and field names with the ones above "
     "(use spaces, the same number as the lines above)", False),
    ("expected <block end>", None,
     "the indentation does not match the lines above: line up field names with the ones above "
     "(use spaces, the same number as the lines above)", False),
    ("found character '\\t' that cannot start any token", None,
     "a tab character: indent with spaces, not tabs", False),
    ("did not find expected key", None,
     "the indentation does not match the lines above, or a value is missing its quotes", False),
    ("did not find expected ',' or ']'", None,
     "a list in [brackets] is not closed: end it with ']' and separate items with ', '", True),
    ("found undefined alias", None, "'*' starts a value: put the value in quotes", False),
]


def _friendly(relpath: str, exc: yaml.MarkedYAMLError, line_offset: int) -> tuple[Position, str]:
    problem = exc.problem or ""
    context = exc.context or ""
    for prefix, ctx_prefix, message, at_context in _FRIENDLY:
        if problem.startswith(prefix) and (ctx_prefix is None or context.startswith(ctx_prefix)):
            mark = exc.context_mark if at_context and exc.context_mark else exc.problem_mark
            if mark is not None:
                return _mark_position(relpath, mark, line_offset), f"YAML syntax error: {message}"
    where = _mark_position(relpath, exc.problem_mark or exc.context_mark, line_offset)
    return where, f"YAML syntax error: {problem or 'this is not valid YAML'}"


class _Refused(Exception):
    def __init__(self, mark: _Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def _check_events(text: str) -> None:
    """Refuse aliases and deep nesting before anything is built.

    An alias can repeat a value exponentially often ("billion laughs"), and libyaml's composer
    recurses once per nesting level (a crash, not an exception, at some 100,000 levels): both are
    found here in the flat event stream, before composing.
    """
    parser = _BaseLoader(text)
    anchors: set[str] = set()
    first_anchor: _Mark | None = None
    try:
        depth = 0
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:  # PyYAML would say "found undefined alias"
                    raise _Refused(event.start_mark, "YAML syntax error: '*' starts a value: put the value in quotes")
                raise _Refused(event.start_mark,
                               f"'*{event.anchor}' repeats the value marked '&{event.anchor}': anchors and "
                               "aliases (& and *) are not supported; write the value out in full")
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                anchors.add(event.anchor)
                first_anchor = first_anchor or event.start_mark
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise _Refused(event.start_mark,
                                   f"lists and groups of fields are nested more than {MAX_YAML_DEPTH} "
                                   "levels deep: content never needs this; check the brackets and indentation")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        if first_anchor is not None:
            raise _Refused(first_anchor, "a value starting with '&' marks an anchor: anchors and aliases "
                                         "(& and *) are not supported; put the whole value in quotes "
                                         "(title: \"&-tegnet\")")
    finally:
        parser.dispose()


def _may_be_refused(text: str) -> bool:
    """Whether _check_events could refuse `text`. An anchor needs a '&' and an alias a '*'; every
    level of nesting starts on a line of its own or with one of '-', '?', '[', '{' (a block
    mapping in a block sequence, "- a: 1", adds two levels with one '-'): a text with few enough
    of them cannot nest too deep. Most front matter passes, and is parsed once instead of twice."""
    if "&" in text or "*" in text:
        return True
    starts = text.count("\n") + 2 * text.count("-") + text.count("?") + text.count("[") + text.count("{") + 1
    return starts > MAX_YAML_DEPTH


def parse_yaml(text: str, relpath: str, diags: Diagnostics, line_offset: int = 0) -> object:
    """Parse one YAML document; on a syntax error report it and return None."""
    try:
        if _may_be_refused(text):
            _check_events(text)
    except _Refused as exc:
        diags.error(_mark_position(relpath, exc.mark, line_offset), exc.message)
        return None
    except yaml.MarkedYAMLError as exc:
        diags.error(*_friendly(relpath, exc, line_offset))
        return None
    except yaml.YAMLError as exc:
        diags.error(Position(relpath, 1 + line_offset, 1), f"YAML error: {exc}")
        return None
    loader = _MarkedLoader(text)
    loader.relpath = relpath
    loader.line_offset = line_offset
    loader.diags = diags
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        diags.error(*_friendly(relpath, exc, line_offset))
    except yaml.YAMLError as exc:
        diags.error(Position(relpath, 1 + line_offset, 1), f"YAML error: {exc}")
    finally:
        loader.dispose()
    return None


def not_a_file_message() -> str:
    return "this is not a regular file but a named pipe, a socket or a device, which cannot be published: remove it"


def _inside(root: Path, relpath: str) -> bool:
    """Whether the file is inside the site folder once links are followed. Without a link on the
    way from the root (the usual case: an lstat per part), it is; else the paths are resolved."""
    parts = relpath.split("/")
    if ".." not in parts and not os.path.isabs(relpath):
        here = str(root)
        try:
            for part in parts:
                here = os.path.join(here, part)
                if stat.S_ISLNK(os.lstat(here).st_mode):
                    break
            else:
                return True
        except OSError:
            pass  # missing: as resolving finds it
    try:
        return (root / relpath).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (before Python 3.13)
        return False


def read_text(root: Path, relpath: str, diags: Diagnostics) -> str | None:
    """Read a UTF-8 text file, dropping a byte-order mark and normalising line ends.

    Refuses a link to a file outside the site folder, a file over the size limit and a line over
    MAX_LINE_CHARS characters.
    """
    path = root / relpath
    if not _inside(root, relpath):
        diags.error(Position(relpath), "this is a link (symlink) to a file outside the site folder, "
                                       "which is not published: put the file itself here instead")
        return None
    limit = MAX_MARKDOWN_BYTES if relpath.endswith(".md") else MAX_YAML_BYTES
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            diags.error(Position(relpath), not_a_file_message())
            return None
        size = st.st_size
        if size > limit:
            diags.error(Position(relpath), f"the file is too big ({size:,} bytes; at most {limit:,} bytes): "
                                           "split it into smaller files, or check that it is the right file")
            return None
        # opened without waiting (a named pipe would block until someone writes to it), and read
        # only when it is a regular file, not a pipe, a socket or a device
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                diags.error(Position(relpath), not_a_file_message())
                return None
            data = f.read(limit + 1)
    except OSError as exc:
        diags.error(Position(relpath), f"cannot read the file: {exc.strerror}")
        return None
    if len(data) > limit:  # it grew while we looked
        diags.error(Position(relpath), f"the file is too big (over {limit:,} bytes): "
                                       "split it into smaller files, or check that it is the right file")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        diags.error(
            Position(relpath, line, column),
            "the file is not UTF-8 text; save it as UTF-8 (in most editors: 'Save with encoding')",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, text_line in enumerate(text.split("\n"), 1):
        if len(text_line) > MAX_LINE_CHARS:
            diags.error(Position(relpath, number, MAX_LINE_CHARS + 1),
                        f"line {number} is {len(text_line):,} characters long (at most {MAX_LINE_CHARS:,}): "
                        "break it into shorter lines, or check that this is the right file")
            return None
    bad = CONTROL_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        diags.error(Position(relpath, line, column), control_char_message(bad.group()))
        return None
    return text


# Characters that cannot appear in HTML, XML feeds, calendars or e-mail: C0 controls but tab and
# line ends, DEL, C1 controls and the non-characters U+FFFE/U+FFFF. They come from pasting.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def control_char_message(char: str) -> str:
    return (f"an invisible control character (U+{ord(char):04X}) is in the text: delete it "
            "(it often comes with text pasted from another program)")


_FENCE = re.compile(r"^---[ \t]*$", re.M)


def split_front_matter(text: str, relpath: str, diags: Diagnostics, *,
                       required: bool = True) -> tuple[str, int, str, int] | None:
    """Split '---\\nYAML\\n---\\nbody'. Returns (yaml_text, yaml_first_line, body, body_first_line).

    yaml_first_line and body_first_line are 1-based line numbers in the file. Returns None after
    reporting an error.
    """
    if not text.startswith("---") or not _FENCE.match(text.split("\n", 1)[0]):
        if required:
            diags.error(
                Position(relpath, 1, 1),
                "front matter is missing: the file must start with a line '---', "
                "then fields such as 'title: ...', then another line '---'",
            )
            return None
        return "", 2, text, 1
    closing = _FENCE.search(text, pos=text.index("\n") + 1 if "\n" in text else len(text))
    if closing is None:
        diags.error(
            Position(relpath, 1, 1),
            "front matter is not closed: add a line '---' after the last field",
        )
        return None
    yaml_text = text[text.index("\n") + 1 : closing.start()]
    body_start = closing.end() + 1
    body_first_line = text.count("\n", 0, min(body_start, len(text))) + 1
    return yaml_text, 2, text[body_start:], body_first_line
