"""The input side at national scale (loadcache.py): loading on every core gives what loading in one
process gives, in the same order, and the persistent cache gives what loading the files gives,
until anything a file's records depend on changes."""
from __future__ import annotations

import os
import time
import shutil
from pathlib import Path

import pytest
from conftest import REPO, TODAY, tree
from test_bench_corpus import corpus

from naerpoliti import loadcache
from naerpoliti.build import OUTPUT_DEPENDENCIES, dependency_version, run
from naerpoliti.contentfiles import load_content
from naerpoliti.errors import Diagnostics
from naerpoliti.loadcache import CachedLoader, load_jobs
from naerpoliti.model import Content
from naerpoliti.render import keys
from naerpoliti.write import cache_file

LIBRARIES = "\0".join(f"{d} {dependency_version(d)}" for d in (*OUTPUT_DEPENDENCIES, *loadcache.LOAD_DEPENDENCIES))


def _load(root: Path, **options) -> tuple[Content | None, list[str], CachedLoader]:
    loader = CachedLoader(root, options.pop("libraries", LIBRARIES), **options)
    diags = Diagnostics()
    content = load_content(root, diags, loader=loader)
    return content, [str(d) for d in diags.items], loader


@pytest.fixture(scope="module")
def broken_corpus(tmp_path_factory) -> Path:
    """A generated corpus of some 400 files, a few of them broken in different ways."""
    root = tmp_path_factory.mktemp("corpus") / "site"
    corpus.generate(root, "small", fraction=0.15, seed=5)
    news = sorted((root / "content" / "news").rglob("*.md"))
    news[3].write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    news[40].write_text("no front matter\n", encoding="utf-8")
    text = news[100].read_text(encoding="utf-8")
    news[100].write_text(text.replace("title:", "titel:", 1), encoding="utf-8")
    news[150].write_bytes(b"---\ntitle: \xff\n---\n")
    (root / "content" / "news" / "notes.txt").write_text("not content\n", encoding="utf-8")
    events = sorted((root / "content" / "events").rglob("*.md"))
    events[0].write_text(events[0].read_text(encoding="utf-8").replace("start:", "start: 2026-02-30\nx:", 1),
                         encoding="utf-8")
    ambassadors = sorted((root / "content" / "ambassadors").glob("*.yaml"))
    ambassadors[0].write_text("- id: [\n", encoding="utf-8")
    return root


def test_parallel_loading_gives_what_serial_loading_gives(broken_corpus):
    serial, serial_diags, loader = _load(broken_corpus, cache=False, jobs=1)
    parallel, parallel_diags, _ = _load(broken_corpus, cache=False, jobs=3)
    assert loader.loaded > 2 * 3 * 50  # enough files that every process has a share
    assert len(serial_diags) >= 7, serial_diags  # each broken file reported
    assert parallel_diags == serial_diags  # the same messages, in the same order
    assert parallel == serial
    assert [n.source for n in parallel.news] == [n.source for n in serial.news]


def test_the_cache_gives_what_loading_gives(broken_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    fresh, fresh_diags, _ = _load(broken_corpus, cache=False, jobs=1)
    cold, cold_diags, loader = _load(broken_corpus, jobs=2)
    assert loader.reused == 0 and cache_file(broken_corpus.resolve(), "content").is_dir()
    warm, warm_diags, loader = _load(broken_corpus)
    assert loader.loaded == 0 and loader.reused > 300
    assert fresh_diags == cold_diags == warm_diags
    assert fresh == cold == warm


def _copy_small(tmp_path: Path) -> Path:
    root = tmp_path / "small"
    shutil.copytree(REPO / "tests" / "sites" / "small", root)
    return root


def _rewrite(path: Path, old: str, new: str, keep_time: bool = False) -> None:
    """Replace text in a file; keep_time: with its size and modification time as before, as a
    checkout can leave them."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    if keep_time:
        assert path.stat().st_size == st.st_size
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_an_edited_file_is_loaded_again_even_with_its_size_and_time(tmp_path):
    root = _copy_small(tmp_path)
    before, _, _ = _load(root)
    news = root / "content" / "news" / "2026-11-20-laas-doeren.md"
    _rewrite(news, "Tre råd", "Fem råd", keep_time=True)
    after, _, loader = _load(root)
    assert loader.loaded == 1
    item = next(n for n in after.news if n.slug == "2026-11-20-laas-doeren")
    assert "Fem råd" in item.body.html
    assert [n for n in after.news if n is not item] == [n for n in before.news if n.slug != item.slug]


def test_one_edit_writes_one_shard_of_the_cache_again(broken_corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "site"
    shutil.copytree(broken_corpus, root)
    _load(root, jobs=1)
    folder = cache_file(root.resolve(), "content")
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert len(before) == loadcache.SHARDS
    news = sorted((root / "content" / "news").rglob("*.md"))[7]
    news.write_text(news.read_text(encoding="utf-8") + "\nEn linje mere.\n", encoding="utf-8")
    *_, loader = _load(root)
    assert loader.loaded == 1
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    shard = f"{loadcache.shard_of(news.relative_to(root).as_posix()):02d}"
    assert {name for name in after if after[name] != before[name]} == {shard}
    *_, loader = _load(root)
    assert loader.loaded == 0


def test_a_changed_registry_checks_every_file_again(tmp_path):
    root = _copy_small(tmp_path)
    _, diags, _ = _load(root)
    assert not [d for d in diags if "newsletter period" in d]
    registry = root / "localities.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("site:\n", "site:\n  newsletter:\n    period: week\n", 1)
                        if "newsletter:" not in text else text.replace("period: month", "period: week"),
                        encoding="utf-8")
    _, diags, loader = _load(root)
    assert loader.reused == 0
    assert [d for d in diags if "is not a newsletter period" in d], diags  # the intro 2026-11.md


def test_only_the_cache_entries_used_are_unpickled(tmp_path, monkeypatch):
    """After a localities.yaml edit no cached entry can be used: none is unpickled (a national
    site's would stay in the building process's memory to its end); after one news edit, all
    the others are, once each."""
    root = _copy_small(tmp_path)
    _load(root)
    unpickled = []
    entry = loadcache.Stored.entry
    monkeypatch.setattr(loadcache.Stored, "entry", lambda self: unpickled.append(self) or entry(self))
    news = root / "content" / "news" / "2026-11-20-laas-doeren.md"
    _rewrite(news, "Tre råd", "Fem råd")
    _, _, loader = _load(root)
    assert loader.loaded == 1 and loader.reused > 3
    assert len(unpickled) == loader.reused  # localities.yaml's entry among them
    assert len(set(map(id, unpickled))) == len(unpickled)
    unpickled.clear()
    registry = root / "localities.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    _, _, loader = _load(root)
    assert loader.reused == 0 and unpickled == []


def test_a_changed_image_checks_its_news_item_again(tmp_path):
    root = _copy_small(tmp_path)
    _, diags, _ = _load(root)
    assert not diags
    image = root / "content" / "media" / "news" / "laas.png"
    st = image.stat()
    image.write_bytes(b"\0" * st.st_size)  # the same size and time, no longer an image
    os.utime(image, ns=(st.st_atime_ns, st.st_mtime_ns))
    _, diags, _ = _load(root)
    assert [d for d in diags if d.startswith("content/news/2026-11-20-laas-doeren.md")], diags
    image.unlink()
    _, diags, _ = _load(root)
    assert [d for d in diags if "laas.png" in d], diags


def test_a_cache_of_another_engine_or_library_version_is_ignored(tmp_path, monkeypatch):
    root = _copy_small(tmp_path)
    _load(root)
    *_, loader = _load(root, libraries=LIBRARIES.replace("idna ", "idna 0.0.1-"))
    assert loader.reused == 0
    monkeypatch.setattr(keys, "__version__", "0.0.0-another")
    keys.engine_digest.cache_clear()
    *_, loader = _load(root)
    assert loader.reused == 0
    monkeypatch.undo()
    keys.engine_digest.cache_clear()
    *_, loader = _load(root)
    assert loader.reused == 0  # the cache was written by the others since
    *_, loader = _load(root)
    assert loader.loaded == 0


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "foreign"])
def test_a_damaged_cache_is_ignored(tmp_path, damage):
    root = _copy_small(tmp_path)
    expected, expected_diags, _ = _load(root)
    shards = sorted(cache_file(root.resolve(), "content").iterdir())
    assert shards
    for path in shards:
        data = path.read_bytes()
        path.write_bytes({"truncated": data[: len(data) // 2], "garbage": data[:200] + os.urandom(5000),
                          "empty": b"", "foreign": b"\x80\x04K\x01."}[damage])
    content, diags, loader = _load(root)
    assert loader.reused == 0
    assert (content, diags) == (expected, expected_diags)
    *_, loader = _load(root)
    assert loader.loaded == 0  # written anew


def test_build_output_is_the_same_serial_parallel_with_and_without_the_cache(tmp_path, monkeypatch):
    root = tmp_path / "site"
    corpus.generate(root, "small", fraction=0.05, seed=2)
    outputs = []
    # serial and cold; parallel and cold in another cache folder; parallel and warm
    for i, (jobs, cache) in enumerate([("1", "a"), ("2", "b"), ("2", "b")]):
        monkeypatch.setenv("NAERPOLITI_JOBS", jobs)
        monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / cache))
        result = run(root, tmp_path / f"out{i}", TODAY)
        assert not result.failed, [str(d) for d in result.diagnostics.errors]
        outputs.append(tree(tmp_path / f"out{i}"))
    assert len(outputs[0]) > 100
    assert outputs[0] == outputs[1] == outputs[2]


def test_one_process_for_small_sites_and_with_naerpoliti_jobs(monkeypatch):
    monkeypatch.delenv("NAERPOLITI_JOBS", raising=False)
    assert load_jobs(loadcache.PARALLEL_FROM - 1) == 1
    assert load_jobs(loadcache.PARALLEL_FROM) == max(1, os.cpu_count() or 1)
    monkeypatch.setenv("NAERPOLITI_JOBS", "1")
    assert load_jobs(10 ** 6) == 1


def test_a_failing_loading_process_is_reported(tmp_path):
    def load(job, diags):
        if job[1] == "f7":
            raise ValueError("broken")
        return [job[1]]
    jobs = [("news", f"g{i}") for i in range(10)]
    assert [loaded for loaded, _, _ in loadcache.load_all(jobs, load, 2)] == [([f"g{i}"], ()) for i in range(10)]
    with pytest.raises(ValueError, match="broken"):
        loadcache.load_all([("news", f"f{i}") for i in range(10)] + [("news", "f7")], load, 2)
    with pytest.raises(RuntimeError, match="ended unexpectedly"):
        loadcache.load_all(jobs, lambda job, diags: os._exit(3), 2)


@pytest.mark.parametrize("processes", [1, 2])
def test_the_loading_processes_stamp_the_files_they_load(tmp_path, processes):
    """A file to load is hashed where it is loaded, right before: each result comes with the
    stamp stamp_of() gives, none for a job without a path or a file that is gone."""
    paths: list[str | None] = []
    for i in range(10):
        f = tmp_path / f"f{i}.md"
        f.write_text(f"text {i}\n" * (i + 1))
        paths.append(str(f))
    paths[3], paths[5] = None, str(tmp_path / "gone.md")
    made = loadcache.load_all([("news", f"f{i}") for i in range(10)], lambda job, diags: [job[1]], processes, paths)
    assert [loaded for loaded, _, _ in made] == [([f"f{i}"], ()) for i in range(10)]
    for path, (_, _, stamp) in zip(paths, made, strict=True):
        expected = loadcache.stamp_of(path) if path is not None else None
        assert stamp == expected and (stamp is None or len(stamp.digest) == 32)
    assert made[3][2] is None and made[5][2] is None


def test_a_first_load_on_every_core_leaves_a_cache_the_next_uses_whole(tmp_path):
    """The stamps the loading processes made are the cache's: a second load reads no file again."""
    root = _copy_small(tmp_path)
    first = CachedLoader(root, "test", jobs=2)
    assert first.registry(root, Diagnostics()) is not None
    jobs = [("news", p.relative_to(root).as_posix()) for p in sorted((root / "content").rglob("*.md"))]
    assert len(jobs) >= 4  # on two processes
    loaded = first.files(jobs, lambda job, diags: [job[1]], Diagnostics())
    assert first.loaded == len(jobs) + 1  # and the registry
    again = CachedLoader(root, "test", jobs=2)
    again.registry(root, Diagnostics())
    assert again.files(jobs, lambda job, diags: [job[1]], Diagnostics()) == loaded
    assert again.loaded == 0 and again.reused == len(jobs) + 1


def test_a_fresh_checkout_with_new_times_uses_the_cache(tmp_path):
    """CI checks out every file anew (new modification times, inodes and change times): the bytes
    decide, so the cache the workflow restored is used."""
    root = _copy_small(tmp_path)
    before, messages, _ = _load(root)
    later = 2_000_000_000
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)  # a new inode and change time too
            os.utime(path, (later, later))
    after, again, loader = _load(root)
    assert loader.loaded == 0 and loader.reused > 0
    assert again == messages and after == before


def _reads(monkeypatch) -> list[str]:
    """The files loadcache opens from now on (to hash them)."""
    opened: list[str] = []

    def counting_open(path, *args, **kwargs):
        opened.append(str(path))
        return open(path, *args, **kwargs)
    monkeypatch.setattr(loadcache, "open", counting_open, raising=False)
    return opened


def test_a_file_not_written_since_its_stamp_is_not_read_again(tmp_path, monkeypatch):
    """Same inode, modification and change time: not hashed again. Any write changes the change
    time, so a rewrite that keeps the size and puts the modification time back is still read."""
    monkeypatch.setattr(loadcache, "RACY", 0)  # the copied files count as settled at once
    root = _copy_small(tmp_path)
    before, _, _ = _load(root)
    opened = _reads(monkeypatch)
    again, _, loader = _load(root)
    assert loader.loaded == 0 and again == before
    assert not [p for p in opened if "/content/" in p], opened
    time.sleep(0.05)  # past the file system's time stamp tick (a few ms): a new change time
    news = root / "content" / "news" / "2026-11-20-laas-doeren.md"
    _rewrite(news, "Tre råd", "Fem råd", keep_time=True)
    after, _, loader = _load(root)
    assert loader.loaded == 1
    assert "Fem råd" in next(n for n in after.news if n.slug == "2026-11-20-laas-doeren").body.html


def test_a_file_written_just_before_its_stamp_is_read_again(tmp_path, monkeypatch):
    """A file changed within RACY of being stamped could change again within the same tick and
    keep every time stamp: the next load hashes it again."""
    root = _copy_small(tmp_path)  # written just now
    _load(root)
    opened = _reads(monkeypatch)
    _, _, loader = _load(root)
    assert loader.loaded == 0
    assert [p for p in opened if "/content/news/" in p]
