"""The "nothing changed" shortcut (build.py's fingerprint, write.py's marker and manifest): a build
does nothing only when the output folder provably holds what its inputs make. Overtaken between
its swap and its record, a file deleted or edited by hand, an upgraded library, two builds into one
folder at once: each is noticed, and the folder never holds a mixture of two builds."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY, news, tree

from naerpoliti import build as build_module
from naerpoliti.build import run
from naerpoliti.write import MARKER

OTHER_DAY = TODAY + dt.timedelta(days=40)  # the news item leaves the front page's "new" window, etc.


@pytest.fixture
def root(site_root):
    return site_root({"content/news/2026-11-20-a.md": news("Første"),
                      "content/events/2026-12-01-m.md": "---\ntitle: Møde\nkind: other\nstart: 2026-12-01T19:00\n"
                                                        "location: Hallen\nlocalities: [skibby]\n---\nTekst.\n"})


def reference(root: Path, tmp_path: Path, today: dt.date) -> dict[str, bytes]:
    """The whole output of one build on `today` into a folder of its own."""
    out = tmp_path / f"ref-{today.isoformat()}"
    assert not run(root, out, today).failed
    return tree(out)


def test_an_unchanged_site_is_not_rebuilt(root, tmp_path):
    out = tmp_path / "site"
    assert run(root, out, TODAY).reused is None
    again = run(root, out, TODAY)
    assert again.reused is not None and not again.written.swapped


def test_a_build_overtaken_between_its_swap_and_its_record_is_not_trusted(root, tmp_path, monkeypatch):
    """Without the lock (a file system without flock), build B swaps in between build A's swap
    and A's record: A's record names A's folder, which is gone, so A's inputs rebuild."""
    out = tmp_path / "site"
    expected = reference(root, tmp_path, TODAY)
    monkeypatch.setattr(build_module, "output_lock", lambda out: contextlib.nullcontext())
    remember = build_module._remember
    overtaken = []

    def late_record(out_, fingerprint, result, timezone):
        if not overtaken:
            overtaken.append(None)
            overtaken[0] = run(root, out, OTHER_DAY)  # B: swaps and records first
        remember(out_, fingerprint, result, timezone)  # then A records

    monkeypatch.setattr(build_module, "_remember", late_record)
    assert not run(root, out, TODAY).failed  # A
    assert overtaken[0].written.swapped
    assert tree(out) != expected  # B's site, with A's record
    again = run(root, out, TODAY)
    assert again.reused is None and again.written.swapped
    assert tree(out) == expected


@pytest.mark.parametrize("damage", ["deleted", "same size, other mtime", "other size", "added"])
def test_a_hand_edited_output_folder_is_rebuilt(root, tmp_path, damage):
    out = tmp_path / "site"
    assert not run(root, out, TODAY).failed
    expected = tree(out)
    page = out / "nyheder/2026-11-20-a/index.html"
    if damage == "deleted":
        page.unlink()
    elif damage == "same size, other mtime":
        data = page.read_bytes()
        page.write_bytes(data.replace(b"F\xc3\xb8rste", b"Andet!!"))  # as many bytes
        assert len(page.read_bytes()) == len(data)
    elif damage == "other size":
        page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    else:
        (out / "extra.html").write_bytes(b"<p>added by hand</p>")
    again = run(root, out, TODAY)
    assert again.reused is None and again.written.swapped
    assert tree(out) == expected


def test_a_changed_library_version_rebuilds(root, tmp_path, monkeypatch):
    out = tmp_path / "site"
    assert not run(root, out, TODAY).failed
    assert run(root, out, TODAY).reused is not None
    real = build_module.dependency_version
    monkeypatch.setattr(build_module, "dependency_version",
                        lambda name: "99.0" if name == "markdown-it-py" else real(name))
    assert run(root, out, TODAY).reused is None
    assert run(root, out, TODAY).reused is not None  # and the new version is remembered


def test_a_manifest_of_another_folder_is_not_used(root, tmp_path):
    """The manifest names the folder it describes: after a folder was swapped in by another build,
    it compares bytes instead of trusting stat (write.Manifest.load)."""
    from naerpoliti.write import Manifest, marker_id
    out = tmp_path / "site"
    assert not run(root, out, TODAY).failed
    assert Manifest.load(out).entries and marker_id(out)
    (out / MARKER).unlink()
    (out / MARKER).write_bytes(b"another build's marker\n")
    assert not Manifest.load(out).entries


def test_a_failed_build_between_keeps_the_record_honest(root, tmp_path):
    out = tmp_path / "site"
    assert not run(root, out, TODAY).failed
    bad = root / "content/news/2026-11-21-b.md"
    bad.write_text(news("B", scope="localities: [nowhere]"), encoding="utf-8")
    assert run(root, out, TODAY).failed
    bad.unlink()
    assert run(root, out, TODAY).reused is not None or tree(out) == reference(root, tmp_path, TODAY)


def test_the_lock_file_is_beside_the_output_folder(root, tmp_path):
    out = tmp_path / "site"
    assert not run(root, out, TODAY).failed
    # and the spare folder (write.Staging), nothing else
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".site.lock", ".site.spare"]


CONCURRENT = """
import datetime as dt, sys
from pathlib import Path
from naerpoliti.build import run
root, out, day = Path(sys.argv[1]), Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
for _ in range(int(sys.argv[4])):
    assert not run(root, out, day).failed
"""


def test_two_processes_building_one_folder_never_leave_a_mixture(root, tmp_path):
    expected = {d: reference(root, tmp_path, d) for d in (TODAY, OTHER_DAY)}
    out = tmp_path / "site"
    rounds = 3
    env = {**os.environ, "NAERPOLITI_JOBS": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(root), str(out), d.isoformat(), str(rounds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for d in (TODAY, OTHER_DAY)]
    for p in procs:
        _, err = p.communicate(timeout=900)
        assert p.returncode == 0, err.decode()
    final = tree(out)
    assert final in expected.values()
    # whichever came last, a build of either date now says what is true
    for day in (TODAY, OTHER_DAY, TODAY):
        result = run(root, out, day)
        assert tree(out) == expected[day]
        assert result.reused is None or final == expected[day]
        final = expected[day]
    assert not list(tmp_path.glob(".site.tmp-*"))
