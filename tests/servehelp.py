"""Run `naerpoliti serve` as an editor does, in a subprocess (or in this process, to replace parts
of it), and talk to it over HTTP: as a browser does, or byte for byte as anyone may."""
from __future__ import annotations

import datetime as dt
import io
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import REPO


def copy_demo(dest: Path) -> Path:
    """The demo root (registry, content, templates) in a folder of its own, to edit freely."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "localities.yaml", dest / "localities.yaml")
    shutil.copytree(REPO / "content", dest / "content")
    shutil.copytree(REPO / "templates", dest / "templates")
    return dest


class _Output:
    """What serve prints, line by line."""

    lines: "queue.Queue[str]"
    log: list[str]
    origin: str

    def _started(self) -> None:
        line = self.wait_for(r"^Serving http://", timeout=60)
        self.url = re.search(r"(http://\S+)", line).group(1)
        self.origin = re.match(r"http://[^/]+", self.url).group(0)
        self.port = int(self.origin.rsplit(":", 1)[1])

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        """The next output line matching pattern (earlier lines are kept in self.log)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"serve never printed {pattern!r}; it printed: {self.log}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.log.append(line)
            if re.search(pattern, line):
                return line

    def get(self, path: str) -> tuple[int, dict, bytes]:
        try:
            with urllib.request.urlopen(self.origin + path, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def raw(self, target: str, host: str | None = "", method: str = "GET", headers: tuple[str, ...] = (),
            timeout: float = 30) -> tuple[int, list[tuple[str, str]], bytes, bytes]:
        """One request as sent byte for byte (Host "" means this server's own name; None sends no
        Host), the connection closed after it: (status, headers, body, the response's head as sent).
        `timeout` only catches a hang."""
        host = f"127.0.0.1:{self.port}" if host == "" else host
        lines = [f"{method} {target} HTTP/1.1", *([f"Host: {host}"] if host is not None else []), *headers,
                 "Connection: close"]
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            data = read_all(s)
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *fields = head.split(b"\r\n")
        parsed = [tuple(f.decode("latin-1").split(": ", 1)) for f in fields]
        return int(status_line.split()[1]), parsed, body, head


def read_all(s: socket.socket) -> bytes:
    """Everything until the server closes the connection."""
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


class _Lines(io.TextIOBase):
    """A text stream that hands each complete line to a queue (serve's `log`)."""

    def __init__(self, lines: "queue.Queue[str]"):
        self.lines, self.part = lines, ""

    def write(self, text: str) -> int:
        *done, self.part = (self.part + text).split("\n")
        for line in done:
            self.lines.put(line)
        return len(text)


class InProcess(_Output):
    """serve() in a thread of this process: its parts can be monkeypatched, and it takes what the
    command line does not (a short `timeout`, fewer `max_streams`)."""

    def __init__(self, root: Path, **options):
        from naerpoliti.commands.serve import serve

        self.root = root
        self.lines = queue.Queue()
        self.log = []
        self.stopping = threading.Event()
        self.code: int | None = None

        def run() -> None:
            self.code = serve(root, root / "site", "127.0.0.1", 0, dt.date(2026, 11, 22), False,
                              log=_Lines(self.lines), stop=self.stopping, **options)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        self._started()

    def stop(self) -> int | None:
        self.stopping.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "serve did not stop"
        return self.code


class Serving(_Output):
    def __init__(self, root: Path, *args: str, today: str = "2026-11-22"):
        self.root = root
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.log: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "naerpoliti", "serve", "--root", str(root), "--port", "0",
             "--today", today, *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._started()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)  # Ctrl+C, as an editor stops it
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._reader.join(timeout=5)
            self.proc.stdout.close()


def save(path: Path, text: str) -> None:
    """Save as most editors do: write a new file, then replace the old one with it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
