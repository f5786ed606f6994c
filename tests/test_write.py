"""The output folder: atomic replacement, unchanged files left alone, nothing unsafe."""
import os
from pathlib import Path

import pytest

from conftest import build, news, tree
from naerpoliti.render import Output
from naerpoliti.write import MARKER, WriteError, write_site


def test_failed_build_leaves_the_previous_site_byte_identical(site_root, tmp_path):
    root = site_root({"content/news/a.md": news("Første")})
    out = tmp_path / "site"
    assert not build(root, out).failed
    before = tree(out)
    stats_before = {p: os.stat(out / p).st_mtime_ns for p in before}
    (root / "content/news/b.md").write_text(news("Anden", scope="localities: [nowhere]"))
    (root / "content/news/a.md").write_text(news("Første, rettet"))
    result = build(root, out)
    assert result.failed and result.written is None
    assert tree(out) == before
    assert {p: os.stat(out / p).st_mtime_ns for p in before} == stats_before


def test_rebuild_replaces_changed_removes_stale_and_keeps_unchanged_files(site_root, tmp_path):
    root = site_root({"content/news/a.md": news("A"), "content/news/b.md": news("B")})
    out = tmp_path / "site"
    build(root, out)
    css_inode = os.stat(out / "assets/naerpoliti.css").st_ino
    (root / "content/news/b.md").unlink()
    (root / "content/news/a.md").write_text(news("A, rettet"))
    result = build(root, out)
    # the stale page is removed (the full-text index renames some of its own files as well)
    assert result.written.swapped and result.written.removed >= 1
    assert not (out / "nyheder/b").exists()
    assert "A, rettet" in (out / "nyheder/a/index.html").read_text()
    assert os.stat(out / "assets/naerpoliti.css").st_ino == css_inode  # hard-linked, not rewritten
    assert not list(tmp_path.glob(".site.tmp-*"))  # no staging folder left behind


def test_identical_rebuild_touches_nothing(site_root, tmp_path):
    root = site_root({"content/news/a.md": news()})
    out = tmp_path / "site"
    build(root, out)
    inode = os.stat(out).st_ino
    result = build(root, out)
    assert not result.written.swapped and result.written.changed == 0
    assert os.stat(out).st_ino == inode


def test_refuses_to_replace_a_folder_it_did_not_write(site_root, tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "important.txt").write_text("keep me")
    with pytest.raises(WriteError, match="was not written by naerpoliti"):
        build(site_root(), out)
    assert (out / "important.txt").read_text() == "keep me"


def test_an_empty_or_missing_folder_is_fine(tmp_path):
    (tmp_path / "empty").mkdir()
    write_site(tmp_path / "empty", [Output("index.html", b"x")])
    write_site(tmp_path / "new/deeper", [Output("index.html", b"y")])
    assert (tmp_path / "empty" / MARKER).is_file() and (tmp_path / "new/deeper/index.html").read_bytes() == b"y"


@pytest.mark.parametrize("path", ["../evil.html", "/etc/passwd", "a/../../b", "a\\b", "a/\x00b", ""])
def test_output_paths_must_stay_inside_the_folder(tmp_path, path):
    with pytest.raises(WriteError):
        write_site(tmp_path / "site", [Output(path, b"x")])
    assert not (tmp_path / "evil.html").exists() and not (tmp_path / "site").exists()


def test_leftovers_of_a_killed_build_are_cleaned_up(site_root, tmp_path):
    out = tmp_path / "site"
    stale = tmp_path / ".site.tmp-99999"
    stale.mkdir()
    (stale / "half.html").write_text("half")
    build(site_root(), out)
    assert not stale.exists()


def test_two_sources_claiming_one_path_is_an_error_naming_both(site_root, tmp_path):
    # Content cannot easily produce a collision (reserved page names prevent the obvious ones),
    # so the guard is checked directly on a rendered site plus one conflicting output.
    from naerpoliti.build import check_outputs
    from naerpoliti.errors import Diagnostics
    result = build(site_root({"content/news/a.md": news()}))
    outputs = result.outputs + [Output("nyheder/a/index.html", b"x", origin="content/pages/other.md")]
    d = Diagnostics()
    check_outputs(result.site, outputs, d)
    assert [str(x) for x in d.items] == [
        "content/pages/other.md:1:1: error: writes the same file 'nyheder/a/index.html' as "
        "content/news/a.md: rename one of them"]
