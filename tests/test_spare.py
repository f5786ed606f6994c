"""The spare folder (write.Staging): the site a swap replaced is kept beside the output folder, and
the next build updates it into its staging folder instead of making a new folder of links. Whatever
was in it, the result is what a full build writes, the live site is never written into, and a spare
folder that is not a folder of ours is removed without following it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import build, news, tree
from naerpoliti.write import SPARE, cache_file, spare_folder


def folders(base: Path) -> set[str]:
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_dir()}


def fresh(root: Path, tmp_path: Path, monkeypatch) -> Path:
    """A full build of `root` into a new folder with a cache of its own."""
    cache = os.environ["NAERPOLITI_CACHE"]
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "fresh-cache"))
    out = tmp_path / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    assert not build(root, out).failed
    monkeypatch.setenv("NAERPOLITI_CACHE", cache)
    return out


def same_as_full(out: Path, root: Path, tmp_path: Path, monkeypatch) -> None:
    reference = fresh(root, tmp_path, monkeypatch)
    assert tree(out) == tree(reference)
    assert folders(out) == folders(reference)  # no folder left empty by a page that went


def edit(root: Path, n: int) -> None:
    (root / "content/news/a.md").write_text(news(f"A, udgave {n}", body=f"Tekst nummer {n}."))


def with_spare(site_root, tmp_path: Path, monkeypatch, files: dict[str, str]) -> tuple[Path, Path]:
    """A root and its output folder after two builds: the first site is now the spare folder."""
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = site_root(files)
    out = tmp_path / "site"
    assert not build(root, out).failed
    edit(root, 1)
    assert not build(root, out).failed
    assert spare_folder(out).is_dir()
    return root, out


def test_the_replaced_site_is_kept_and_updated_by_the_next_build(site_root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = site_root({"content/news/a.md": news("A"), "content/news/b.md": news("B")})
    out = tmp_path / "site"
    assert not build(root, out).failed
    # a first build has no site to keep: it links its files into the spare folder as it writes
    page = "nyheder/a/index.html"
    assert tree(spare_folder(out)) == tree(out)
    assert os.stat(spare_folder(out) / page).st_ino == os.stat(out / page).st_ino
    edit(root, 1)
    assert not build(root, out).failed
    spare = spare_folder(out)
    assert spare.is_dir() and cache_file(out.resolve(), SPARE).is_file()
    assert "A, udgave 1" not in (spare / "nyheder/a/index.html").read_text()  # the site before
    # the next build adopts it: a page gone, one added, one edited
    (root / "content/news/b.md").unlink()
    (root / "content/news/c.md").write_text(news("C"))
    edit(root, 2)
    result = build(root, out)
    assert not result.failed and result.written.swapped
    assert not list(tmp_path.glob(".site.tmp-*"))
    same_as_full(out, root, tmp_path, monkeypatch)
    assert not (out / "nyheder/b").exists()


def test_files_added_to_the_site_by_hand_go_even_through_the_spare_folder(site_root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = site_root({"content/news/a.md": news("A")})
    out = tmp_path / "site"
    build(root, out)
    (out / "added-by-hand.html").write_text("<p>hej</p>")
    (out / "nyheder/a/extra").mkdir()
    (out / "nyheder/a/extra/note.txt").write_text("en note")
    for n in (1, 2, 3):  # the folder with the files becomes the spare one, then is adopted
        edit(root, n)
        assert not build(root, out).failed
        assert not (out / "added-by-hand.html").exists()
        same_as_full(out, root, tmp_path, monkeypatch)


def test_a_spare_file_changed_since_is_replaced(site_root, tmp_path, monkeypatch):
    root, out = with_spare(site_root, tmp_path, monkeypatch, {"content/news/a.md": news("A"), "content/news/b.md": news("B")})
    page = spare_folder(out) / "nyheder/b/index.html"
    page.unlink()  # replaced, not written into: the live site may share the inode
    page.write_text("<p>ødelagt</p>")
    shutil.rmtree(spare_folder(out) / "nyheder/a")
    edit(root, 2)
    assert not build(root, out).failed
    same_as_full(out, root, tmp_path, monkeypatch)


def test_a_spare_folder_restored_by_a_ci_cache_is_used(site_root, tmp_path, monkeypatch):
    """The publishing workflows cache the output folder and the spare folder: restored, every file
    has a new inode but its size and modification time (tar keeps them), and is used as it is."""
    root, out = with_spare(site_root, tmp_path, monkeypatch, {"content/news/a.md": news("A"),
                                                              "content/news/b.md": news("B")})
    for folder in (out, spare_folder(out)):
        restored = folder.with_name(folder.name + "-restored")
        shutil.copytree(folder, restored, copy_function=shutil.copy2)  # new inodes, the same times
        shutil.rmtree(folder)
        restored.rename(folder)
    page = "nyheder/b/index.html"  # not edited
    restored_inode = os.stat(spare_folder(out) / page).st_ino
    edit(root, 2)
    assert not build(root, out).failed
    assert os.stat(out / page).st_ino == restored_inode  # the spare's file, not a new link or copy
    same_as_full(out, root, tmp_path, monkeypatch)


def test_a_failed_build_after_rendering_leaves_the_live_site_as_it_was(site_root, tmp_path, monkeypatch):
    """The adopted spare folder shares inodes with the live site (hard links): a build that fails
    after writing into it (here: a broken link, found after rendering) must not have changed a
    byte of the live site."""
    root, out = with_spare(site_root, tmp_path, monkeypatch, {"content/news/a.md": news("A"), "content/news/b.md": news("B")})
    before = tree(out)
    edit(root, 2)
    (root / "content/news/b.md").write_text(news("B", body="Se [siden](/findes-ikke/)."))
    result = build(root, out)
    assert result.failed and result.written is None
    assert tree(out) == before
    (root / "content/news/b.md").write_text(news("B, rettet"))
    assert not build(root, out).failed
    same_as_full(out, root, tmp_path, monkeypatch)


def test_a_spare_folder_without_its_record_or_not_a_folder_is_removed_not_followed(site_root, tmp_path,
                                                                                   monkeypatch):
    root, out = with_spare(site_root, tmp_path, monkeypatch, {"content/news/a.md": news("A")})
    cache_file(out.resolve(), SPARE).unlink()  # its files unknown: not adopted
    edit(root, 2)
    assert not build(root, out).failed
    same_as_full(out, root, tmp_path, monkeypatch)
    # a link in its place, to a folder of someone else's: the link goes, the folder stays
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("behold mig")
    shutil.rmtree(spare_folder(out))
    spare_folder(out).symlink_to(elsewhere)
    edit(root, 3)
    assert not build(root, out).failed
    assert (elsewhere / "keep.txt").read_text() == "behold mig"
    same_as_full(out, root, tmp_path, monkeypatch)


def test_a_link_inside_the_spare_folder_is_removed_not_written_through(site_root, tmp_path, monkeypatch):
    root, out = with_spare(site_root, tmp_path, monkeypatch, {"content/news/a.md": news("A"), "content/news/b.md": news("B")})
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(spare_folder(out) / "nyheder", elsewhere)
    before = tree(elsewhere)
    shutil.rmtree(spare_folder(out) / "nyheder")
    (spare_folder(out) / "nyheder").symlink_to(elsewhere, target_is_directory=True)
    edit(root, 2)
    assert not build(root, out).failed
    assert tree(elsewhere) == before
    assert not (out / "nyheder").is_symlink()
    same_as_full(out, root, tmp_path, monkeypatch)


def test_a_link_the_build_does_not_write_over_is_removed_without_following_it(site_root, tmp_path, monkeypatch):
    root, out = with_spare(site_root, tmp_path, monkeypatch, {"content/news/a.md": news("A")})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("behold mig")
    (spare_folder(out) / "a-link").symlink_to(elsewhere, target_is_directory=True)
    edit(root, 2)
    assert not build(root, out).failed
    assert (elsewhere / "keep.txt").read_text() == "behold mig"
    assert not os.path.lexists(out / "a-link")
    same_as_full(out, root, tmp_path, monkeypatch)


def test_a_first_build_that_fails_leaves_neither_site_nor_spare_folder(site_root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = site_root({"content/news/a.md": news("A", body="Se [siden](/findes-ikke/).")})
    out = tmp_path / "site"
    assert build(root, out).failed
    assert not out.exists() and not os.path.lexists(spare_folder(out))
    assert not list(tmp_path.glob(".site.tmp-*"))
