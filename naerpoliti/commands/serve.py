"""`naerpoliti serve`: build, serve on localhost, rebuild on save and reload the open page.

The preview is the real build: the same pipeline writes the same output folder as `naerpoliti
build`, so what an editor sees is what gets published. Only the HTTP responses differ: every HTML
page gets one extra script (/__naerpoliti/live.js) that listens for new builds on a server-sent
event stream and reloads the page, and that shows the errors of a failed build at the top of the
page while the last good site keeps being served. Nothing of this is ever written to disk.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import mimetypes
import posixpath
import queue
import socketserver
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import jinja2

from ..build import Result
from ..errors import Diagnostic
from ..fulltext import FulltextError
from ..incremental import Builder
from ..progress import QUIET
from ..write import WriteError
from .common import EXIT_USAGE, UsageError, check_epoch, resolve_root

LIVE = "/__naerpoliti/"
WATCHED_DIRS = ("content", "templates")
WATCHED_FILES = ("localities.yaml",)

TYPES = {".ics": "text/calendar; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
         ".eml": "message/rfc822", ".opml": "text/x-opml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
         ".woff2": "font/woff2", ".webmanifest": "application/manifest+json", ".md": "text/markdown; charset=utf-8"}

# The preview's own files: the script and stylesheet it adds to pages, and the page shown while no
# build has succeeded yet. They live in the package, never in the theme: nothing of serve is ever
# written to the output folder.
ASSETS = Path(__file__).with_name("serve_assets")
LIVE_FILES = {"live.js": TYPES[".js"], "live.css": TYPES[".css"]}
_PAGES = jinja2.Environment(loader=jinja2.FileSystemLoader(ASSETS), autoescape=True, keep_trailing_newline=True,
                            undefined=jinja2.StrictUndefined)


def no_site_page(build: int) -> bytes:
    """The page in place of every page while no build has succeeded, with the live-reload script."""
    return _PAGES.get_template("no_site.html").render(live=LIVE, build=build).encode("utf-8")


@dataclass
class State:
    """What the server shows: the number of the last build and the problems of the last attempt."""

    build: int = 0
    ok: bool = False
    has_site: bool = False
    root_path: str = "/"  # the base_url's path, known after the first build that got that far
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def status(self) -> dict[str, Any]:
        shown = self.diagnostics if not self.ok else []
        errors = sum(1 for d in shown if d.severity == "error")
        warnings = len(shown) - errors
        if self.ok:
            title = note = ""
        else:
            title = f"naerpoliti: {errors} fejl" + (f", {warnings} advarsler" if warnings else "")
            note = ("Siden nedenfor er den seneste, der kunne bygges. Ret fejlene og gem; så bygges og "
                    "genindlæses siden." if self.has_site else "Ret fejlene og gem; så bygges siden.")
        return {"build": self.build, "ok": self.ok, "title": title, "note": note,
                "diagnostics": [{"path": d.position.path, "line": d.position.line, "column": d.position.column,
                                 "severity": d.severity, "message": d.message} for d in shown]}


def inject(html: bytes, build: int) -> bytes:
    """The page with the live-reload script before </body> (or at the end)."""
    tag = f'<script src="{LIVE}live.js" data-build="{build}"></script>'.encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


def _inside(rel: str) -> str | None:
    """A request's path below the root path, normalised; None when it leads outside."""
    rel = posixpath.normpath(rel).lstrip("/")
    if rel.startswith("..") or "\x00" in rel:
        return None
    return "" if rel == "." else rel


class Handler(http.server.BaseHTTPRequestHandler):
    """The preview's requests: the output folder `out` as the web server will serve it, each HTML
    page with the live-reload script; serve's own files under LIVE. make_handler() binds `out` and
    `state`."""

    server_version = "naerpoliti-serve"
    protocol_version = "HTTP/1.1"
    out: Path
    state: State

    def log_message(self, format: str, *args: Any) -> None:  # requests are not news to an editor
        pass

    def _send(self, status: int, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        root_path = self.state.root_path
        if path.startswith(LIVE):
            self._live(path[len(LIVE):])
        elif path.startswith(root_path):
            rel = _inside(path[len(root_path):])
            if rel is None:
                self._not_found()
            else:
                self._page(path, rel)
        elif path in ("/", ""):
            self._send(302, b"", "text/plain", [("Location", root_path)])
        else:
            self._not_found()

    def _page(self, path: str, rel: str) -> None:
        target = self.out / rel if rel else self.out
        if target.is_dir():
            if not path.endswith("/"):
                return self._send(301, b"", "text/plain", [("Location", path + "/")])
            target = target / "index.html"
        if not self.state.has_site and (target.suffix in ("", ".html")):
            return self._send(200, no_site_page(self.state.build), TYPES[".html"])
        if not target.is_file():
            return self._not_found()
        # the browser editor (admin/) is left alone: a reload after each of its saves would
        # interrupt the editor, and its own CSP does not allow the script
        self._file(target, 200, live=not (rel + "/").startswith("admin/"))

    def _file(self, target: Path, status: int, live: bool = True) -> None:
        try:
            body = target.read_bytes()
        except OSError:  # swapped away by a build in this very moment
            return self._not_found()
        suffix = target.suffix.lower()
        ctype = TYPES.get(suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if suffix == ".html" and live:
            body = inject(body, self.state.build)
        self._send(status, body, ctype)

    def _not_found(self) -> None:
        page = self.out / "404.html"
        if self.state.has_site and page.is_file():
            return self._file(page, 404)
        self._send(404, no_site_page(self.state.build), TYPES[".html"])

    def _live(self, name: str) -> None:
        if name in LIVE_FILES:
            return self._send(200, (ASSETS / name).read_bytes(), LIVE_FILES[name])
        if name == "status":
            with self.state.changed:
                body = json.dumps(self.state.status(), ensure_ascii=False).encode()
            return self._send(200, body, "application/json")
        if name == "events":
            return self._events()
        self._send(404, b"not found", "text/plain")

    def _events(self) -> None:
        """Server-sent events: the current build number at once, then each new one."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent = None
        state = self.state
        try:
            while not getattr(self.server, "stopping", False):
                with state.changed:
                    if sent == state.build:
                        state.changed.wait(timeout=10)
                    build = state.build
                if build != sent:
                    self.wfile.write(f"data: {json.dumps({'build': build})}\n\n".encode())
                    sent = build
                else:
                    self.wfile.write(b": still here\n\n")  # finds closed connections
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


def make_handler(out: Path, state: State) -> type[Handler]:
    """The request handler class of a server that serves `out` and reports `state`."""
    return type("BoundHandler", (Handler,), {"out": out, "state": state})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stopping = False


class Preview:
    """Builds the site now and again after every change, and tells the server about each build."""

    def __init__(self, root: Path, out: Path, today: dt.date | None, strict: bool, log: TextIO):
        self.root, self.out, self.today, self.strict, self.log = root, out, today, strict, log
        self.state = State()
        self._warned: set[Diagnostic] = set()
        # keeps what each build read and wrote: a save that changes only a news item's text
        # renders and replaces only what shows that text (naerpoliti/incremental.py)
        self.builder = Builder(root, out, today, strict)
        self.indexing: threading.Thread | None = None  # the full-text index being remade

    def build(self, reason: str = "") -> Result:
        result = self.builder.build(progress=QUIET)
        diags = result.diagnostics.sorted()
        with self.state.changed:
            self.state.diagnostics = diags
            self.state.ok = not result.failed
            if result.written is not None:
                self.state.has_site = True
            if result.root_path is not None:
                self.state.root_path = result.root_path
            self.state.build += 1
            self.state.changed.notify_all()
        stamp = time.strftime("%H:%M:%S")
        for d in diags:  # errors always; a warning once, not again after every save
            if d.severity == "error" or d not in self._warned:
                print(d, file=self.log)
        self._warned = {d for d in diags if d.severity == "warning"}
        errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
        if result.failed:
            kept = "; still serving the last good site" if self.state.has_site else ""
            print(f"[{stamp}] {reason}build failed: {errors} errors, {warnings} warnings{kept}",
                  file=self.log, flush=True)
        else:
            changed = result.written.changed if result.written else 0
            print(f"[{stamp}] {reason}built in {result.seconds:.2f} s: {changed} files changed, "
                  f"{warnings} warnings", file=self.log, flush=True)
            if self.builder.index_stale:  # a text edit: the full-text index follows in the background
                self.indexing = threading.Thread(target=self._refresh_index, daemon=True)
                self.indexing.start()
        return result

    def _refresh_index(self) -> None:
        started = time.perf_counter()
        try:
            done = self.builder.refresh_index()
        except (FulltextError, OSError) as exc:
            print(f"[{time.strftime('%H:%M:%S')}] the full-text index was not updated: {exc}",
                  file=self.log, flush=True)
            return
        if done:
            print(f"[{time.strftime('%H:%M:%S')}] full-text index updated in "
                  f"{time.perf_counter() - started:.1f} s", file=self.log, flush=True)


def _watch(paths: list[Path], recursive: bool, only: set[str] | None, events: queue.Queue[set[str]],
           stop: threading.Event, ready: threading.Event) -> None:
    from watchfiles import watch  # imported when serving only

    # yield_on_timeout: the first (empty) yield says the watch is in place
    for changes in watch(*paths, recursive=recursive, stop_event=stop, rust_timeout=200,
                         yield_on_timeout=True, raise_interrupt=False):
        ready.set()
        # hidden files are editors' and tools' temporary files; the build ignores them too
        names = {p for _kind, p in changes
                 if (only is None or Path(p).name in only) and not Path(p).name.startswith(".")
                 and not p.endswith("~")}
        if names:
            events.put(names)


def watch_changes(root: Path, stop: threading.Event) -> queue.Queue[set[str]]:
    """A queue that receives sets of changed paths, once the watches are in place. content/ and
    templates/ are watched in depth; the root itself without depth, for localities.yaml: watching
    the file alone would lose it when an editor saves by replacing the file (as most editors do)."""
    events: queue.Queue[set[str]] = queue.Queue()
    deep = [root / d for d in WATCHED_DIRS if (root / d).is_dir()]
    watches: list[tuple[list[Path], bool, set[str] | None]] = [(deep, True, None)] if deep else []
    watches.append(([root], False, set(WATCHED_FILES) | set(WATCHED_DIRS)))
    readies = []
    for paths, recursive, only in watches:
        ready = threading.Event()
        readies.append(ready)
        threading.Thread(target=_watch, args=(paths, recursive, only, events, stop, ready), daemon=True).start()
    for ready in readies:
        ready.wait(timeout=10)
    return events


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve", help="preview the site on this computer; rebuild and reload on save",
                       description="Build the site, serve it on this computer and rebuild it every time "
                                   "a file in content/, templates/ or localities.yaml is saved; the open "
                                   "page in the browser reloads by itself. Stop with Ctrl+C.")
    p.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    p.add_argument("--host", default="127.0.0.1",
                   help="the address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--out", type=Path, help="the output folder (default: ROOT/site)")
    p.add_argument("--strict", action="store_true", help="warnings fail the build too")
    return p


def serve(root: Path, out: Path, host: str, port: int, today: dt.date | None, strict: bool, log: TextIO = sys.stderr,
          ready: threading.Event | None = None, stop: threading.Event | None = None) -> int:
    preview = Preview(root, out, today, strict, log)
    stop = stop or threading.Event()
    changes = watch_changes(root, stop)  # before the first build: a save during it is not lost
    preview.build()
    root_path = preview.state.root_path
    try:
        server = Server((host, port), make_handler(out, preview.state))
    except OSError as exc:
        stop.set()
        print(f"naerpoliti: error: cannot listen on {host}:{port}: {exc.strerror} (try --port {port + 1})",
              file=log)
        return EXIT_USAGE
    shown_host = host if ":" not in host else f"[{host}]"
    print(f"Serving http://{shown_host}:{server.server_address[1]}{root_path} — "
          f"watching content/, templates/ and localities.yaml; Ctrl+C stops.", file=log, flush=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    if ready is not None:
        ready.set()
    try:
        while not stop.is_set():
            try:
                names = changes.get(timeout=0.2)
            except queue.Empty:
                continue
            while True:  # one build for a burst of saves
                try:
                    names |= changes.get_nowait()
                except queue.Empty:
                    break
            if not names:
                continue
            shown = sorted(_relative(n, root) for n in names)
            reason = f"{shown[0]}{f' and {len(shown) - 1} more' if len(shown) > 1 else ''} changed: "
            try:
                preview.build(reason)
            except (WriteError, FulltextError) as exc:  # e.g. the disk is full: keep serving, say why
                print(f"[{time.strftime('%H:%M:%S')}] {reason}not written: {exc}", file=log, flush=True)
    except KeyboardInterrupt:
        print("\nnaerpoliti serve: stopped", file=log)
    finally:
        stop.set()
        server.stopping = True
        with preview.state.changed:
            preview.state.changed.notify_all()
        server.shutdown()
        server.server_close()
    return 0


def _relative(name: str, root: Path) -> str:
    try:
        return Path(name).relative_to(root).as_posix()
    except ValueError:
        return name



def main(args: argparse.Namespace) -> int:
    from .build import output_folder  # the same output rule as build

    try:
        check_epoch()
        root = resolve_root(args.root)
        out = output_folder(root, args.out)
    except UsageError as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return serve(root, out, args.host, args.port, args.today, args.strict)
