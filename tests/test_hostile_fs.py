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
    # three jobs: the build renders too, beside two forked processes
    env = {**os.environ, "NAERPOLITI_JOBS": "3", marker.split("=")[0]: marker.split("=")[1]}
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


# --- output folder oddities: one line, exit 2, the previous site untouched, no staging left --------

def _build_in_process(root, out, capsys):
    from naerpoliti.cli import main

    code = main(["build", "--root", str(root), "--out", str(out), "--today", "2026-11-22"])
    return code, capsys.readouterr().err


def _site_and_previous_build(site_root, tmp_path, capsys):
    root = site_root({"content/news/2026-11-20-a.md": news(title="Gammel")})
    out = tmp_path / "web" / "site"
    code, err = _build_in_process(root, out, capsys)
    assert code == 0, err
    before = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    (root / "content/news/2026-11-20-a.md").write_text(news(title="Ny"), encoding="utf-8")
    return root, out, before


def _assert_one_clear_line(code, err, out, before, *words):
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("naerpoliti: error: "), err
    assert "Traceback" not in err and all(w in lines[0] for w in words), err
    after = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before  # the previous site untouched
    assert sorted(p.name for p in out.parent.iterdir() if ".tmp" in p.name) == []  # no staging left


def _failing(real, errno_, when):
    def fake(*args, **kwargs):
        if when(*args):
            raise OSError(errno_, os.strerror(errno_), str(args[0] if args else kwargs.get("dir")))
        return real(*args, **kwargs)
    return fake


@pytest.mark.parametrize("errno_", [13, 30])  # EACCES, EROFS
@pytest.mark.parametrize("call", ["lock", "mkdir"])
def test_a_read_only_parent_of_the_output_folder_is_one_clear_error(site_root, tmp_path, capsys, monkeypatch,
                                                                   errno_, call):
    root, out, before = _site_and_previous_build(site_root, tmp_path, capsys)
    inside = str(out.parent) + "/"  # the folder above the output folder: no new names in it
    if call == "lock":
        monkeypatch.setattr(os, "open", _failing(os.open, errno_, lambda p, *a: str(p).startswith(inside + ".")))
    else:  # no folder made and no name moved in it (the spare folder stays where it is)
        monkeypatch.setattr(os, "mkdir", _failing(os.mkdir, errno_, lambda p, *a: str(p).startswith(inside)))
        monkeypatch.setattr(os, "rename", _failing(os.rename, errno_, lambda p, *a: str(p).startswith(inside)))
    code, err = _build_in_process(root, out, capsys)
    _assert_one_clear_line(code, err, out, before, str(out.parent))


@pytest.mark.parametrize("errno_", [18, 16])  # EXDEV, EBUSY
@pytest.mark.parametrize("exchange", [True, False])  # renameat2, or the two renames where it is missing
def test_an_output_folder_that_is_a_mount_point_is_one_clear_error(site_root, tmp_path, capsys, monkeypatch,
                                                                  errno_, exchange):
    from naerpoliti import write

    root, out, before = _site_and_previous_build(site_root, tmp_path, capsys)

    def no_exchange(a, b):
        if exchange:
            raise OSError(errno_, os.strerror(errno_), str(a))
        return False
    monkeypatch.setattr(write, "_libc_exchange", no_exchange)
    real_rename = os.rename

    def rename(a, b, *args, **kwargs):
        # EBUSY: the mount point cannot be moved at all; EXDEV: the old site can be moved aside
        # (in the real case it could not either), the staging folder not moved in; moving it back works
        staging_in = str(b) == str(out) and "tmp-old" not in str(a)
        if staging_in or (str(a) == str(out) and errno_ == 16):
            raise OSError(errno_, os.strerror(errno_), str(a))
        return real_rename(a, b)
    monkeypatch.setattr(os, "rename", rename)
    code, err = _build_in_process(root, out, capsys)
    _assert_one_clear_line(code, err, out, before, "mount point", str(out))


@pytest.mark.parametrize("after", [0, 3, 20])  # the marker, the first files, later ones
def test_a_full_disk_while_staging_is_one_clear_error(site_root, tmp_path, capsys, monkeypatch, after):
    from pathlib import Path

    from naerpoliti import write

    root, out, before = _site_and_previous_build(site_root, tmp_path, capsys)
    real, real_create = Path.write_bytes, write._create
    count = [0]

    def full(path: str) -> None:
        if ".tmp-" in path and path.startswith(str(out.parent)):
            count[0] += 1
            if count[0] > after:
                raise OSError(28, os.strerror(28), path)

    def write_bytes(self, data):  # the marker
        full(str(self))
        return real(self, data)

    def create(path, data):  # the site's files
        full(path)
        return real_create(path, data)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    monkeypatch.setattr(write, "_create", create)
    monkeypatch.setenv("NAERPOLITI_JOBS", "1")
    code, err = _build_in_process(root, out, capsys)
    _assert_one_clear_line(code, err, out, before, "the disk is full")
