"""Rebuilds as `serve` makes them (incremental.Builder): an edit to a news item's text renders and
replaces only what shows it, and the site is then the same as a full build of the same content;
any other change is a full build. Also the builds in parallel and the no-op rebuild."""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, TODAY, tree
from naerpoliti.build import run
from naerpoliti.incremental import Builder

_spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "bench" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)


def _without_index(files: dict) -> dict:
    # the full-text index is the one output a text edit leaves as it was (incremental.py)
    return {p: b for p, b in files.items() if not p.startswith("pagefind/")}


@pytest.fixture
def corpus_root(tmp_path):
    root = tmp_path / "root"
    corpus.generate(root, "small", 0.03)
    return root


def _full_build(root: Path, out: Path) -> dict:
    assert not run(root, out, corpus.TODAY).failed
    return tree(out)


def _edit_text(path: Path, sentence: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def test_a_text_edit_replaces_only_what_shows_the_text_and_equals_a_full_build(corpus_root, tmp_path):
    out = tmp_path / "site"
    builder = Builder(corpus_root, out, corpus.TODAY)
    first = builder.build()
    assert not first.failed and not first.incremental
    before = tree(out)
    inodes = {p: os.stat(out / p).st_ino for p in before}
    item = corpus.news_files(corpus_root)[5]
    _edit_text(item, "Tilføjet i et test: [læs mere](https://example.dk/mere).")
    second = builder.build()
    assert not second.failed and second.incremental
    after = tree(out)
    assert _without_index(after) == _without_index(_full_build(corpus_root, tmp_path / "full"))
    changed = {p for p in after if after[p] != before.get(p)}
    slug = item.stem
    assert f"nyheder/{slug}/index.html" in changed
    year = int(slug[:4])  # the open-data file of the item's year
    assert ("data/news.json" if year == corpus.TODAY.year else f"data/news-{year}.json") in changed
    assert any(p.endswith("rss.xml") for p in changed)
    assert not any(p.endswith((".eml", ".ics")) for p in changed)  # newsletters show no text
    assert second.written.changed == len(changed)
    # the other files were not touched
    assert all(os.stat(out / p).st_ino == inodes[p] for p in before if p not in changed)
    # then the full-text index is made anew, and the folder is what a full build writes
    assert builder.index_stale and builder.refresh_index() and not builder.index_stale
    assert tree(out) == _full_build(corpus_root, tmp_path / "full-2")
    assert not builder.refresh_index()  # up to date
    assert not list(tmp_path.glob(".site.tmp-*"))


def test_editing_a_draft_changes_nothing_and_is_quick(corpus_root, tmp_path):
    draft = corpus_root / "content" / "news" / "2026-11-30-kladde.md"
    draft.write_text("---\ntitle: Kladde\ndate: 2026-11-30\nnational: true\ndraft: true\n---\nUdkast.\n",
                     encoding="utf-8")
    out = tmp_path / "site"
    builder = Builder(corpus_root, out, corpus.TODAY)
    assert not builder.build().failed
    before = tree(out)
    _edit_text(draft, "Mere udkast.")
    result = builder.build()
    assert result.incremental and not result.failed and result.written.changed == 0
    assert tree(out) == before


@pytest.mark.parametrize("change", ["title", "new item", "registry", "template", "error"])
def test_any_other_change_is_a_full_build(corpus_root, tmp_path, change):
    out = tmp_path / "site"
    builder = Builder(corpus_root, out, corpus.TODAY)
    assert not builder.build().failed
    item = corpus.news_files(corpus_root)[2]
    if change == "title":
        text = item.read_text(encoding="utf-8")
        item.write_text(text.replace("title: ", "title: Rettet ", 1), encoding="utf-8")
    elif change == "new item":
        shutil.copy(item, item.with_name("2026-11-30-en-helt-ny-nyhed.md"))
    elif change == "registry":
        registry = corpus_root / "localities.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace("Nærpoliti", "Nærpolitiet", 1),
                            encoding="utf-8")
    elif change == "template":
        (corpus_root / "templates").mkdir()
        shutil.copy(REPO / "templates" / "news.html", corpus_root / "templates" / "news.html")
        page = corpus_root / "templates" / "news.html"
        page.write_text(page.read_text(encoding="utf-8").replace("<article", "<article data-test", 1),
                        encoding="utf-8")
    else:
        _edit_text(item, "[et link der ikke findes](/ingen-side/)")
    result = builder.build()
    assert not result.incremental
    if change == "error":
        assert result.failed and "no such page" in str(result.diagnostics.errors[0])
        return
    assert not result.failed
    assert tree(out) == _full_build(corpus_root, tmp_path / "full")


def test_a_parallel_build_writes_the_same_files_as_a_serial_one(corpus_root, tmp_path):
    serial = run(corpus_root, tmp_path / "one", corpus.TODAY, jobs=1)
    parallel = run(corpus_root, tmp_path / "two", corpus.TODAY, jobs=2)
    assert not serial.failed and not parallel.failed
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert sorted(w.path for w in serial.outputs) == sorted(w.path for w in parallel.outputs)


def test_a_rebuild_without_changes_does_nothing_and_reports_the_same(corpus_root, tmp_path):
    out = tmp_path / "site"
    first = run(corpus_root, out, corpus.TODAY)
    assert not first.failed and first.written.swapped
    again = run(corpus_root, out, corpus.TODAY)
    assert again.reused is not None and not again.written.swapped
    assert again.counts == first.counts
    assert sorted(map(str, again.diagnostics.items)) == sorted(map(str, first.diagnostics.items))
    # a saved file (even with the same bytes), another build date or a removed site: a real build
    item = corpus.news_files(corpus_root)[0]
    item.write_bytes(item.read_bytes())
    os.utime(item, ns=(1, 1))
    assert run(corpus_root, out, corpus.TODAY).reused is None
    assert run(corpus_root, out, corpus.TODAY).reused is not None
    assert run(corpus_root, out, TODAY).reused is None
    shutil.rmtree(out)
    rebuilt = run(corpus_root, out, TODAY)
    assert rebuilt.reused is None and rebuilt.written.swapped


def test_refreshing_the_index_after_a_text_edit_makes_only_the_part_with_the_page_again(corpus_root, tmp_path,
                                                                                        monkeypatch):
    from naerpoliti import fulltext
    monkeypatch.setattr(fulltext, "PAGES_PER_INDEX", 12)  # several parts
    out = tmp_path / "site"
    builder = Builder(corpus_root, out, corpus.TODAY)
    assert not builder.build().failed
    parts = {p.split("/")[1] for p in tree(out) if p.startswith("pagefind/del-")}
    assert len(parts) >= 2, parts
    runs = []
    real = fulltext.pagefind_bundle
    monkeypatch.setattr(fulltext, "pagefind_bundle", lambda *a, **k: runs.append(a) or real(*a, **k))
    _edit_text(corpus.news_files(corpus_root)[3], "Et nyt ord: kvadratfod.")
    assert builder.build().incremental
    assert builder.refresh_index()
    assert len(runs) == 1
    assert tree(out) == _full_build(corpus_root, tmp_path / "full")
