"""The persistent render cache (render/keys.py, write.RenderRecord): a build takes over the previous
build's file of every unit whose render key is the same, and renders the rest. Whatever the edit,
the output is byte for byte what a full build of the same content writes (into a fresh folder with
an empty cache), and a cache from another engine, other libraries or a damaged record is not used."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, tree

from naerpoliti import build as build_module
from naerpoliti import fulltext
from naerpoliti.build import run
from naerpoliti.render.keys import SITE_ATTRIBUTES
from naerpoliti.write import cache_file

TODAY = dt.date(2026, 12, 1)
NEWS = "content/news/2026-09-03-den-mobile-politistation-paa-turne.md"
EVENT = "content/events/2026-10-14-tryghedsvandring-ved-glumsoe-station.md"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the demo content (not a git repository: last-updated dates from the content)."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(REPO / "localities.yaml", root / "localities.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def full(root: Path, tmp_path: Path, today: dt.date, monkeypatch) -> dict[str, bytes]:
    """The output of a build into a new folder with a cache of its own (nothing to take over)."""
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "fresh-cache"))
    out = tmp_path / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    result = run(root, out, today)
    assert not result.failed and result.written is not None and result.written.reused == 0
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    return tree(out)


def rebuild(root: Path, out: Path, today: dt.date = TODAY):
    result = run(root, out, today)
    assert not result.failed, [str(d) for d in result.diagnostics.errors]
    assert result.written is not None
    return result.written, result


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS = {
    "news text": lambda r: _append(r / NEWS, "\nEn sætning mere.\n"),
    "news title": lambda r: _replace(r / NEWS, "title: ", "title: Rettet - "),
    "news added": lambda r: (r / "content/news/2026-11-30-ny.md").write_text(
        "---\ntitle: Ny nyhed\ndate: 2026-11-30\nlocalities: [skibby]\n---\nTekst om Skibby.\n", encoding="utf-8"),
    "news removed": lambda r: (r / NEWS).unlink(),
    "event text": lambda r: _append(next((r / "content/events").glob("*.md")), "\nMere tekst.\n"),
    # what an area's newsletter pages and feeds are made from (their group keys: Keys.scope)
    "news scope": lambda r: _replace(r / NEWS, "districts: [midt-vestjylland]", "localities: [glumsoe]"),
    "news date": lambda r: _replace(r / NEWS, "date: 2026-09-03", "date: 2026-11-29"),
    "newsletter intro": lambda r: (r / "content/newsletters/glumsoe/2026-11.md").write_text(
        "---\ntitle: Nyhedsbrev for Glumsø, november 2026\n---\nKære netværk.\n", encoding="utf-8"),
    "event moved": lambda r: _replace(r / EVENT, "localities: [glumsoe]", "municipalities: [viborg]"),
    "event date": lambda r: _replace(r / EVENT, "start: 2026-10-14T18:30\nend: 2026-10-14T20:00",
                                     "start: 2026-12-14T18:30\nend: 2026-12-14T20:00"),
    # the open-data news files are a file a year, each keyed on its year's items
    "news moved to another year": lambda r: _replace(r / NEWS, "date: 2026-09-03", "date: 2025-09-03"),
    "news of an earlier year added": lambda r: (r / "content/news/2024-05-02-tidligere.md").write_text(
        "---\ntitle: Tidligere nyhed\ndate: 2024-05-02\nlocalities: [skibby]\n---\nFra 2024.\n", encoding="utf-8"),
    # what a locality's pages show besides its scope (the group key of an area's pages)
    "ambassador": lambda r: _replace(r / "content/ambassadors/glumsoe.yaml", "role: Halinspektør", "role: Pedel"),
    "consent withdrawn": lambda r: _replace(r / "content/ambassadors/glumsoe.yaml", "fields: [name, role, phone, email]",
                                            "fields: [role, phone, email]"),
    "registry": lambda r: _replace(r / "localities.yaml", "phone: \"+45 72 58 12 34\"", "phone: \"+45 72 58 12 35\""),
    "own template": lambda r: (r / "templates").mkdir() or (r / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ item.title }}</h1>{% endblock %}', encoding="utf-8"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_rebuild_after_an_edit_is_byte_identical_to_a_full_build(edit, root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    first, result = rebuild(root, out)
    assert first.reused == 0
    keyed = sum(1 for w in result.outputs if w.key and not w.path.startswith("pagefind/"))
    EDITS[edit](root)
    again, _ = rebuild(root, out)
    assert tree(out) == full(root, tmp_path, TODAY, monkeypatch)
    if edit in ("news text", "news title", "event text"):
        # what carries a render key is taken over, but for the few files that show the edit
        assert keyed - 40 <= again.reused < keyed + 100, (again.reused, keyed)


def test_another_build_date_is_byte_identical_and_reuses_what_does_not_depend_on_it(root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    rebuild(root, out)
    for later in (TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=45)):
        rebuild(root, out, later)
        assert tree(out) == full(root, tmp_path, later, monkeypatch)


def test_a_cache_of_other_libraries_or_a_damaged_record_is_not_used(root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    rebuild(root, out)
    _append(root / NEWS, "\nÆndret.\n")
    monkeypatch.setattr(build_module, "libraries", lambda: "jinja2 99.0")
    assert rebuild(root, out)[0].reused == 0
    monkeypatch.undo()
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    _append(root / NEWS, "\nÆndret igen.\n")
    record = cache_file(out.resolve(), "units")
    record.write_bytes(record.read_bytes()[:100])  # cut short
    assert rebuild(root, out)[0].reused == 0
    assert tree(out) == full(root, tmp_path, TODAY, monkeypatch)


def test_a_file_edited_by_hand_in_the_output_is_rendered_again(root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    rebuild(root, out)
    page = out / "postnummer" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"<main", b"<main data-hand-edited"))
    _append(root / NEWS, "\nÆndret.\n")
    rebuild(root, out)
    assert b"data-hand-edited" not in page.read_bytes()
    assert tree(out) == full(root, tmp_path, TODAY, monkeypatch)


def test_templates_use_only_what_every_render_key_covers_of_the_site():
    """A template that read another attribute of `site` (site.news...) would show something its
    page's render key does not cover: such a page could be taken over stale."""
    used = set()
    for template in (REPO / "templates").rglob("*"):
        if template.suffix in (".html", ".txt", ".xml"):
            used |= set(re.findall(r"\bsite\.([a-zA-Z_]+)", template.read_text(encoding="utf-8")))
    assert used, "the pattern finds the templates' use of site"
    assert used <= SITE_ATTRIBUTES, used - SITE_ATTRIBUTES


def test_only_the_part_of_the_full_text_index_with_the_edited_page_is_made_again(root, tmp_path, monkeypatch):
    monkeypatch.setattr(fulltext, "PAGES_PER_INDEX", 8)  # the demo's pages in several parts
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    _, result = rebuild(root, out)
    index = [w for w in result.outputs if w.path.startswith("pagefind/") and w.unit]
    parts = {w.unit for w in index}
    assert len(parts) >= 3, parts
    _append(root / NEWS, "\nEt nyt ord: kvadratfod.\n")
    _, again = rebuild(root, out)
    redone = {w.unit for w in again.outputs if w.unit in parts and not w.reused}
    assert len(redone) == 1, redone
    assert tree(out) == full(root, tmp_path, TODAY, monkeypatch)


def test_an_empty_feed_follows_the_sites_newest_item(site_root, tmp_path, monkeypatch):
    """A feed with nothing in its area's scope is dated by the whole site's newest entry: its
    group key (render/feeds.py) must change when an item elsewhere does."""
    from conftest import news

    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = site_root({"content/news/a.md": news("A", date="2026-11-01")})  # Skibby's; Slangerup has none
    out = tmp_path / "site"
    rebuild(root, out)
    (root / "content/news/b.md").write_text(news("B", date="2026-11-25"), encoding="utf-8")
    rebuild(root, out)
    assert tree(out) == full(root, tmp_path, TODAY, monkeypatch)
    feed = (out / "lokalsamfund/slangerup/atom.xml").read_text(encoding="utf-8")
    assert "2026-11-25" in feed and "<entry>" not in feed


def test_the_open_data_news_of_a_year_no_edit_touched_is_taken_over(root, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "site"
    for year in (2024, 2025):
        (root / f"content/news/{year}-05-02-tidligere.md").write_text(
            f"---\ntitle: Fra {year}\ndate: {year}-05-02\nlocalities: [skibby]\n---\nTekst.\n", encoding="utf-8")
    rebuild(root, out)
    _append(root / NEWS, "\nEn sætning mere.\n")  # an item of 2026 (news.json)
    _, result = rebuild(root, out)
    reused = {w.path: w.reused for w in result.outputs if w.path.startswith("data/news")}
    assert reused == {"data/news.json": False, "data/news-2025.json": True, "data/news-2024.json": True}
    _append(root / "content/news/2024-05-02-tidligere.md", "Mere.\n")
    _, result = rebuild(root, out)
    reused = {w.path: w.reused for w in result.outputs if w.path.startswith("data/news")}
    assert reused == {"data/news.json": True, "data/news-2025.json": True, "data/news-2024.json": False}
    assert "Mere." in (out / "data/news-2024.json").read_text(encoding="utf-8")
    assert tree(out) == full(root, tmp_path, TODAY, monkeypatch)


def test_warming_digests_every_collection_of_records_of_the_model(root):
    """Keys.warm() runs before the rendering processes fork, so that they share the digests: it
    finds the collections from the model's fields, ambassadors and officers included."""
    from naerpoliti.build import gather
    from naerpoliti.errors import Diagnostics
    from naerpoliti.render.keys import Keys

    site = gather(root, TODAY, Diagnostics())
    assert site is not None
    keys = Keys(site, b"base")
    keys.warm()
    ambassadors = [a for group in site.ambassadors_of.values() for a in group]
    assert ambassadors and site.news and site.officers
    for record in [*site.news, *site.events, *site.pages, *site.localities, *site.officers.values(),
                   *site.stations.values(), *ambassadors, *site.newsletter_intros]:
        assert keys._records[id(record)][0] is record


def test_a_template_edited_between_two_builds_of_one_process_is_used(root, tmp_path, monkeypatch):
    """serve builds many times in one process with the environments it keeps (RenderCache): a
    template edited in place since the previous build is loaded again, for the page that extends
    it and the one it imports (checked once per build, not by Jinja on every page)."""
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    (root / "templates").mkdir()
    for name in ("page.html", "macros.html"):
        shutil.copy(REPO / "templates" / name, root / "templates" / name)
    cache = build_module.RenderCache()
    out = tmp_path / "site"
    assert not run(root, out, TODAY, cache=cache).failed
    page = next(p for p in (root / "content" / "pages").glob("*.md"))
    built = out / page.stem / "index.html"
    assert "Redigeret skabelon" not in built.read_text(encoding="utf-8")
    for name, old, new in (("page.html", "<article data-pagefind-body>", "<article data-pagefind-body><p>Redigeret skabelon</p>"),
                           ("macros.html", "{% macro skip_link() %}", "{% macro skip_link() %}<!-- ny makro -->")):
        path = root / "templates" / name
        _replace(path, old, new)
        later = path.stat().st_mtime + 5  # another time stamp, however coarse the file system's
        os.utime(path, (later, later))
    assert not run(root, out, TODAY, cache=cache).failed
    html = built.read_text(encoding="utf-8")
    assert "Redigeret skabelon" in html and "<!-- ny makro -->" in html
