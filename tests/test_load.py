from pathlib import Path

from naerpoliti.errors import Diagnostics
from naerpoliti.load import parse_yaml, read_text, split_front_matter


def test_yaml_values_remember_their_positions():
    d = Diagnostics()
    value = parse_yaml("a: 1\nb:\n  - x\n  - y\n", "f.yaml", d)
    assert value == {"a": 1, "b": ["x", "y"]}
    assert (value.key_pos["b"].line, value.key_pos["b"].column) == (2, 1)
    assert [(p.line, p.column) for p in value["b"].item_pos] == [(3, 5), (4, 5)]
    assert not d.items


def test_dates_stay_text_so_the_schema_can_explain_bad_ones():
    d = Diagnostics()
    assert parse_yaml("date: 2026-02-30\n", "f.yaml", d) == {"date": "2026-02-30"}
    assert not d.items


def test_duplicate_key_is_an_error_at_the_second_key():
    d = Diagnostics()
    parse_yaml("title: A\ntitle: B\n", "f.yaml", d)
    assert [str(x) for x in d.items] == ["f.yaml:2:1: error: field 'title' is given twice (first on line 1)"]


def test_syntax_error_names_line_and_column_with_offset():
    d = Diagnostics()
    assert parse_yaml("a: [1, 2\nb: 3\n", "f.md", d, line_offset=1) is None
    (err,) = d.items
    # points at the bracket that was opened, with the front matter's line offset
    assert (err.position.path, err.position.line, err.position.column) == ("f.md", 2, 4)
    assert err.message == ("YAML syntax error: a list in [brackets] is not closed: end it with ']' "
                           "and separate items with ', '")


def test_non_utf8_reports_the_line_and_column_of_the_bad_byte(tmp_path: Path):
    (tmp_path / "x.md").write_bytes("---\ntitle: ok\n---\nGlums".encode() + b"\xf8 by\n")
    d = Diagnostics()
    assert read_text(tmp_path, "x.md", d) is None
    assert str(d.items[0]).startswith("x.md:4:6: error: the file is not UTF-8")


def test_bom_and_crlf_are_normalised(tmp_path: Path):
    (tmp_path / "x.md").write_bytes(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nBody\r\n")
    d = Diagnostics()
    text = read_text(tmp_path, "x.md", d)
    assert text == "---\ntitle: A\n---\nBody\n"
    assert split_front_matter(text, "x.md", d) == ("title: A\n", 2, "Body\n", 4)


def test_front_matter_missing_and_unclosed():
    d = Diagnostics()
    assert split_front_matter("title: A\n", "a.md", d) is None
    assert split_front_matter("---\ntitle: A\nBody\n", "b.md", d) is None
    assert [str(x).split(": error: ")[1].split(":")[0] for x in d.items] == [
        "front matter is missing", "front matter is not closed"]


def test_front_matter_optional_where_allowed():
    d = Diagnostics()
    assert split_front_matter("Just text\n", "n.md", d, required=False) == ("", 2, "Just text\n", 1)
    assert not d.items
