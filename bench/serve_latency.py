"""How soon a save shows in the open page under `naerpoliti serve`, measured in real Chromium and
printed (never a test: a loaded machine is slower, not wrong).

    .venv/bin/python bench/serve_latency.py             # 20 saves of a news item of the demo site
    .venv/bin/python bench/serve_latency.py --saves 50

It copies the demo root (localities.yaml, content/, templates/) into a temporary folder, starts
`naerpoliti serve` on it, opens a news item in headless Chromium (Debian's /usr/bin/chromium, the
one the browser tests use) and saves the item's Markdown file again and again, each time with a new
title, as an editor's save does (a new file moved over the old one). Each figure is the time from
the save to the new title in the page's <h1>: the watch, the rebuild, the event to the page and its
reload. The first save is not counted (it warms the server's caches). Before each save the page's
event stream is connected, so a figure never includes a page still loading from the last one.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NEWS = "content/news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
PAGE = "nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/"
TODAY = "2026-11-22"
# Keeps the page's event streams where the script can see whether they are connected (serve's
# live.js keeps its own in a closure).
WATCH_EVENT_STREAMS = """(() => {
  const Original = window.EventSource;
  window.__streams = [];
  window.EventSource = function (url, options) {
    const stream = new Original(url, options);
    window.__streams.push(stream);
    return stream;
  };
  window.EventSource.prototype = Original.prototype;
})();"""
CONNECTED = "() => window.__streams && window.__streams.some(s => s.readyState === 1)"
SHOWN = "t => (document.querySelector('h1')?.textContent || '').includes(t)"


class Serve:
    """`naerpoliti serve` in a subprocess; its output is read in a thread."""

    def __init__(self, root: Path):
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "naerpoliti", "serve", "--root", str(root), "--port", "0", "--today", TODAY],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        threading.Thread(target=self._read, daemon=True).start()
        end = time.monotonic() + 120
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            except queue.Empty:
                line = ""
            found = re.search(r"^Serving (http://\S+)", line)
            if found:
                self.url = found.group(1)
                return
            if self.proc.poll() is not None or time.monotonic() > end:
                self.stop()
                raise SystemExit(f"naerpoliti serve did not start: {line.strip()}")

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def save(path: Path, text: str) -> None:
    """Save as most editors do: write a new file, then replace the old one with it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def measure(url: str, news: Path, saves: int, timeout_ms: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    original = news.read_text(encoding="utf-8")
    seconds = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context().new_page()
            page.add_init_script(WATCH_EVENT_STREAMS)
            page.goto(url + PAGE)
            for i in range(saves + 1):
                title = f"Indbrud – version {i + 2}"
                page.wait_for_function(CONNECTED, timeout=timeout_ms)
                started = time.perf_counter()
                save(news, original.replace("title: ", f"title: {title} ", 1))
                page.wait_for_function(SHOWN, arg=title, timeout=timeout_ms, polling=5)
                if i:  # the first save warms up
                    seconds.append(time.perf_counter() - started)
        finally:
            browser.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20, help="saves measured (default 20)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for one save to show")
    args = parser.parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"{CHROMIUM} is missing: run scripts/setup-tests (it installs Debian's chromium)")

    print(f"naerpoliti serve latency, {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, the demo site, "
          f"{args.saves} saves of {NEWS}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="naerpoliti-bench-") as tmp:
        work = Path(tmp)
        os.environ["NAERPOLITI_CACHE"] = str(work / "cache")  # the builds' memory, not the user's
        root = work / "root"
        root.mkdir()
        shutil.copy2(REPO / "localities.yaml", root / "localities.yaml")
        for folder in ("content", "templates"):
            shutil.copytree(REPO / folder, root / folder)
        server = Serve(root)
        try:
            seconds = measure(server.url, root / NEWS, args.saves, int(args.timeout * 1000))
        finally:
            server.stop()
    ms = [s * 1000 for s in seconds]
    print(f"save to new text in the page: median {statistics.median(ms):.0f} ms, "
          f"min {min(ms):.0f} ms, max {max(ms):.0f} ms ({len(ms)} saves)")
    print("each (ms): " + ", ".join(f"{m:.0f}" for m in ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
