"""File-system oddities give a clear error naming the file, never a traceback or a hang (issue 17)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from conftest import build, messages, news

NOT_A_FILE = ("error: this is not a regular file but a named pipe, a socket or a device, which cannot be "
              "published: remove it")


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "naerpoliti", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})  # a hang fails, as a timeout


def make_fifo(path):
    os.mkfifo(path)


def make_socket(path):
    here = os.getcwd()
    os.chdir(path.parent)  # a relative name: a socket's path may be at most about 100 bytes
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(path.name)  # the socket file stays when it is closed
    finally:
        os.chdir(here)


@pytest.mark.parametrize("make", [make_fifo, make_socket], ids=["fifo", "socket"])
@pytest.mark.parametrize("rel", ["content/news/2026-11-21-x.md", "content/pages/x.md", "content/ambassadors/skibby.yaml"])
def test_a_special_file_in_content_is_an_error_not_a_hang(site_root, tmp_path, make, rel):
    root = site_root({"content/news/2026-11-20-a.md": news()})
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    make(root / rel)
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        p = run_cli(*command, "--root", str(root), "--today", "2026-11-22")
        assert p.returncode == 1 and f"{rel}:1:1: {NOT_A_FILE}" in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
    assert not (tmp_path / "out").exists()


def test_symlink_loops_and_linked_folders_are_not_followed(site_root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2026-11-21-hemmelig.md").write_text(news(title="Hemmelig"))
    root = site_root({"content/news/2026-11-20-a.md": news()})
    news_dir = root / "content/news"
    os.symlink("2026-11-21-loop.md", news_dir / "2026-11-21-loop.md")  # a link to itself
    (news_dir / "sub").mkdir()
    os.symlink("..", news_dir / "sub" / "up")  # a folder loop
    os.symlink(outside, news_dir / "ude")  # a folder outside the root
    result = build(root)
    found = messages(result)
    assert any(m.startswith("content/news/2026-11-21-loop.md:1:1: error: this is a link") for m in found), found
    assert not any("hemmelig" in m.lower() and "error" not in m and "warning" not in m for m in found)
    assert result.content is not None and all("hemmelig" not in d.slug for d in result.content.news)


@pytest.mark.parametrize("value", [str(10**20), str(2**63), "-1", "-100000000000000000000"])
def test_an_unusable_source_date_epoch_is_a_usage_error(site_root, tmp_path, value):
    root = site_root({"content/news/2026-11-20-a.md": news()})
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        p = run_cli(*command, "--root", str(root), env={"SOURCE_DATE_EPOCH": value})
        assert p.returncode == 2 and p.stderr.startswith("naerpoliti: error: SOURCE_DATE_EPOCH="), p.stderr
        assert "Traceback" not in p.stderr


def _marked(marker: str) -> set[int]:
    """The processes whose environment holds `marker`."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if marker.encode() in f.read():
                        found.add(int(entry))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_render_workers_die_with_a_killed_build(site_root, tmp_path):
    import signal
    import time
    import uuid

    files = {f"content/news/2026-11-{1 + i % 20:02d}-nyhed-{i}.md": news(title=f"Nyhed {i}", date=f"2026-11-{1 + i % 20:02d}")
             for i in range(600)}
    root = site_root(files)
    marker = f"NAERPOLITI_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, "NAERPOLITI_JOBS": "2", marker.split("=")[0]: marker.split("=")[1]}
    build_ = subprocess.Popen([sys.executable, "-m", "naerpoliti", "build", "--root", str(root), "--out",
                               str(tmp_path / "out"), "--today", "2026-11-22"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    for _ in range(6000):  # until the workers are forked (a guard, not a measured time)
        workers = _marked(marker) - {build_.pid}
        if len(workers) >= 2 or build_.poll() is not None:
            break
        time.sleep(0.01)
    assert len(workers) >= 2, "the build ended before it forked its workers: make the site bigger"
    build_.send_signal(signal.SIGKILL)
    build_.wait(timeout=60)
    for _ in range(1000):
        if not (_marked(marker) & workers):
            break
        time.sleep(0.01)
    assert not (_marked(marker) & workers), "a render worker outlived the killed build"
