"""Run `naerpoliti serve` as an editor does, in a subprocess, and talk to it over HTTP."""
from __future__ import annotations

import os
import queue
import re
import shutil
import signal
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


class Serving:
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
        line = self.wait_for(r"^Serving http://", timeout=60)
        self.url = re.search(r"(http://\S+)", line).group(1)
        self.origin = re.match(r"http://[^/]+", self.url).group(0)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

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
