"""A build killed half-way (SIGKILL: no cleanup runs) leaves the previous site byte-identical, or, if
it got as far as the swap, the complete new site: never a mixture. A later build removes the
staging folder the killed one left behind."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, TODAY, tree
from naerpoliti.build import run

MANY = 150  # extra news items: a bigger site takes longer to write, so a kill lands inside the write


def _root(path: Path, marker: str) -> Path:
    shutil.copy(REPO / "localities.yaml", path / "localities.yaml")
    shutil.copytree(REPO / "content", path / "content")
    for i in range(MANY):
        (path / "content" / "news" / f"2026-11-01-nyhed-{i:03d}.md").write_text(
            f"---\ntitle: {marker} nyhed {i}\ndate: 2026-11-01\nlocalities: [skibby]\n---\n"
            f"{marker}: brødtekst nummer {i}.\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    base = tmp_path_factory.mktemp("interrupted")
    (base / "old").mkdir()
    (base / "new").mkdir()
    old_root = _root(base / "old", "Gammel")
    new_root = _root(base / "new", "Ny")
    new_out = base / "new-site"
    assert not run(new_root, new_out, TODAY).failed
    return old_root, new_root, tree(new_out)


def _staging(out: Path) -> list[Path]:
    return list(out.parent.glob(f".{out.name}.tmp-*"))


@pytest.mark.parametrize("when", ["staging+0", "staging+0.005", "staging+0.03", "start+0.5", "start+1.0"])
def test_a_killed_build_leaves_the_previous_site(tmp_path, sites, when):
    old_root, new_root, new_tree = sites
    out = tmp_path / "site"
    assert not run(old_root, out, TODAY).failed
    before = tree(out)

    proc = subprocess.Popen(
        [sys.executable, "-m", "naerpoliti", "build", "--root", str(new_root), "--out", str(out),
         "--today", TODAY.isoformat()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        anchor, delay = when.split("+")
        started = time.monotonic()
        if anchor == "staging":
            while not _staging(out) and proc.poll() is None and time.monotonic() - started < 60:
                time.sleep(0.0005)
        time.sleep(float(delay))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)

    after = tree(out)
    assert after == before or after == new_tree, (
        f"killed at {when}: the output is a mixture of two builds "
        f"({len(set(after) ^ set(before))} paths differ from before)")

    # The next build (of the new content) cleans up after the killed one and succeeds.
    assert not run(new_root, out, TODAY).failed
    assert tree(out) == new_tree
    assert not _staging(out), _staging(out)


def test_a_rebuild_without_changes_also_removes_a_killed_builds_staging_folder(tmp_path, sites):
    old_root, _new_root, _ = sites
    out = tmp_path / "site"
    assert not run(old_root, out, TODAY).failed
    leftover = tmp_path / ".site.tmp-99999999"  # what a build killed during its write leaves
    (leftover / "lokalsamfund").mkdir(parents=True)
    (leftover / "lokalsamfund" / "index.html").write_text("halvt skrevet", encoding="utf-8")
    assert not run(old_root, out, TODAY).failed
    assert not _staging(out), "a build whose output did not change left a killed build's staging folder"
