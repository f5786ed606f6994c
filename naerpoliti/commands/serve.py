"""`naerpoliti serve`: build, serve on localhost, rebuild on save and reload the open page.

The preview is the real build: the same pipeline writes the same output folder as `naerpoliti
build`, so what an editor sees is what gets published. Only the HTTP responses differ: every HTML
page gets one extra script (/__naerpoliti/live.js) that listens for new builds on a server-sent
event stream and reloads the page, and that shows the errors of a failed build at the top of the
page while the last good site keeps being served. Nothing of this is ever written to disk.

It is a local development server and defends itself as one: it answers only requests addressed to
this computer by name or address (so that a web page cannot read it through DNS rebinding), never
puts a request's text into a response header, redirects only to its own paths, bounds how long a
request may take and how many connections and event streams it keeps, and a build that fails in
any way -- a full disk as much as a bug -- is reported while the last good site stays served.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import http.server
import io
import ipaddress
import json
import math
import mimetypes
import posixpath
import queue
import socket
import socketserver
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

import jinja2

from .. import texts
from ..build import Result
from ..errors import Diagnostic, Position
from ..incremental import Builder
from ..progress import QUIET
from ..render.environment import translations
from .common import EXIT_USAGE, UsageError, check_epoch, resolve_root

LIVE = "/__naerpoliti/"
WATCHED_DIRS = ("content", "templates")
WATCHED_FILES = ("localities.yaml",)
# Seconds a connection may wait for its next request and take to send it (a browser opens a new
# connection when it needs one); a trickling client cannot hold a connection longer either.
IDLE_TIMEOUT = 30.0
MAX_STREAMS = 16  # open pages listening for builds; one more gets 503 (and no live reload)
MAX_CONNECTIONS = 64  # beyond it a new connection gets 503 at once, before a thread is started
HEARTBEAT = 10.0  # seconds between comments on an idle event stream (finds closed connections)
LOCAL_NAMES = ("127.0.0.1", "[::1]", "localhost")
WILDCARDS = ("", "0.0.0.0", "::")

TYPES = {".ics": "text/calendar; charset=utf-8", ".json": "application/json", ".xml": "application/xml",
         ".opml": "text/x-opml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
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
    return _PAGES.get_template("no_site.html").render(live=LIVE, build=build,
                                                       text=danish()(texts.SERVE_NO_SITE)).encode("utf-8")


@functools.cache
def danish() -> texts.Gettext:
    """The theme's Danish catalog: the preview's own words are in the editors' language."""
    return translations(None, "da").gettext


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
            _ = danish()
            title = (_(texts.SERVE_ERRORS_AND_WARNINGS) % {"errors": errors, "warnings": warnings} if warnings
                     else _(texts.SERVE_ERRORS) % {"errors": errors})
            note = _(texts.SERVE_LAST_GOOD if self.has_site else texts.SERVE_FIX)
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


def _plain(text: str) -> bool:
    """Printable ASCII only: what may go into a header, and never a line break."""
    return all(" " <= c <= "~" for c in text)


def request_path(target: str) -> str | None:
    """The decoded path of an origin-form request target ("/a/b%20c?q"); None for any other form (a
    proxy's absolute URL, "*") and for paths no site file has: control characters, backslashes (a
    browser reads "\\" as "/") or bytes that are not UTF-8."""
    if not target.startswith("/"):
        return None
    try:
        path = urllib.parse.unquote(target.split("?", 1)[0].split("#", 1)[0], errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in path or any(c < " " or "\x7f" <= c <= "\x9f" for c in path):
        return None
    return path


# Characters left as they are in a Location; everything else in the path is percent-encoded
# (so "%", "\\", "?", "#", spaces, line breaks and non-ASCII can never be read as anything else).
_LOCATION_SAFE = "/-._~!$&'()*+,;=:@"


def location(path: str) -> str | None:
    """A Location header value for a decoded path on this server, or None: only a plain absolute
    path is a redirect within this server ("//host" and "/\\host" lead a browser to another site)."""
    value = urllib.parse.quote(path, safe=_LOCATION_SAFE)
    if not value.startswith("/") or value.startswith("//") or not _plain(value):
        return None
    return value


class Hosts:
    """The Host header values the server answers: this computer's names and the address it listens
    on, each with the port (or without it on port 80). Any other name may be a DNS-rebinding page
    that has made its own host name point here. Bound to every address (0.0.0.0, ::), the server
    also answers any IP address with the port: a literal address cannot be rebound."""

    def __init__(self, host: str, port: int):
        names = {n.lower() for n in (*LOCAL_NAMES, f"[{host}]" if ":" in host else host)}
        self.exact = {f"{n}:{port}" for n in names} | (names if port == 80 else set())
        self.port = port
        self.any_address = host in WILDCARDS

    def __contains__(self, value: str) -> bool:
        value = value.lower()
        if value in self.exact:
            return True
        return self.any_address and self._address(value)

    def _address(self, value: str) -> bool:
        suffix = f":{self.port}"
        if value.endswith(suffix):
            value = value[:-len(suffix)]
        elif self.port != 80:
            return False
        try:
            if value.startswith("[") and value.endswith("]"):
                ipaddress.IPv6Address(value[1:-1])
            else:
                ipaddress.IPv4Address(value)
        except ValueError:
            return False
        return True


class _Deadline(io.RawIOBase):
    """A connection's incoming bytes, which must arrive before `until`: a socket timeout alone
    restarts with every byte, so a client sending one byte at a time could hold a connection."""

    def __init__(self, connection: socket.socket):
        self.connection = connection
        self.until = math.inf

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.until - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long")
        self.connection.settimeout(left)
        return self.connection.recv_into(buffer)


class Handler(http.server.BaseHTTPRequestHandler):
    """The preview's requests: the output folder `out` as the web server will serve it, each HTML
    page with the live-reload script; serve's own files under LIVE. make_handler() binds `out`,
    `state` and `timeout`."""

    server_version = "naerpoliti-serve"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    out: Path
    state: State
    _incoming: _Deadline

    def log_message(self, format: str, *args: Any) -> None:  # requests are not news to an editor
        pass

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # makefile()'s reader, replaced by one with a deadline
        self._incoming = _Deadline(self.connection)
        self.rfile = io.BufferedReader(self._incoming)

    def handle_one_request(self) -> None:
        # the wait for a request and the request line and headers together: `timeout` seconds
        self._incoming.until = time.monotonic() + (self.timeout or IDLE_TIMEOUT)
        super().handle_one_request()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        self.connection.settimeout(self.timeout)  # for writing the response
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip() not in self._server().hosts:
            self.close_connection = True
            self.send_response(421)  # Misdirected Request: not this computer's name
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return False
        return True

    def send_response_only(self, code: int, message: str | None = None) -> None:
        super().send_response_only(code)  # the standard reason phrase, never text from a request

    def send_header(self, keyword: str, value: str) -> None:
        # every header value is checked here, whoever builds it: no line break can end up in one
        if not (_plain(keyword) and _plain(value)):
            raise ValueError(f"not a header: {keyword!r}: {value!r}")
        super().send_header(keyword, value)

    def _server(self) -> Server:
        return cast(Server, self.server)

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

    def _redirect(self, status: int, path: str) -> None:
        value = location(path)
        if value is None:
            return self._not_found()
        self._send(status, b"", "text/plain", [("Location", value)])

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = request_path(self.path)
        root_path = self.state.root_path
        if path is None:
            self._not_found()
        elif path.startswith(LIVE):
            self._live(path[len(LIVE):])
        elif path.startswith(root_path):
            rel = _inside(path[len(root_path):])
            if rel is None:
                self._not_found()
            else:
                self._page(path, rel)
        elif path in ("/", ""):
            self._redirect(302, root_path)
        else:
            self._not_found()

    def _page(self, path: str, rel: str) -> None:
        target = self.out / rel if rel else self.out
        if target.is_dir():
            if not path.endswith("/"):  # to the folder as the site names it, not as the request did
                return self._redirect(301, self.state.root_path + (rel + "/" if rel else ""))
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
        # serve's own answers are for its own pages only
        own = [("X-Content-Type-Options", "nosniff"), ("Cross-Origin-Resource-Policy", "same-origin")]
        if name in LIVE_FILES:
            return self._send(200, (ASSETS / name).read_bytes(), LIVE_FILES[name], own)
        if name == "status":
            with self.state.changed:
                body = json.dumps(self.state.status(), ensure_ascii=False).encode()
            return self._send(200, body, "application/json", own)
        if name == "events":
            return self._events(own)
        self._send(404, b"not found", "text/plain", own)

    def _events(self, own: list[tuple[str, str]]) -> None:
        """Server-sent events: the current build number at once, then each new one, until the
        server stops. HEAD gets the headers alone; past MAX_STREAMS open streams, 503."""
        server = self._server()
        if self.command != "HEAD" and not server.open_stream():
            return self._send(503, b"", "text/plain", [*own, ("Retry-After", "10")])
        try:
            self.send_response(200)
            for k, v in [("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"), *own,
                         ("Connection", "close")]:
                self.send_header(k, v)
            self.end_headers()
            self.close_connection = True
            if self.command != "HEAD":
                self._stream(server)
        finally:
            if self.command != "HEAD":
                server.close_stream()

    def _stream(self, server: Server) -> None:
        sent = None
        state = self.state
        try:
            while True:
                with state.changed:
                    if sent == state.build and not server.stopping:
                        state.changed.wait(timeout=HEARTBEAT)
                    if server.stopping:
                        return
                    build = state.build
                if build != sent:
                    self.wfile.write(f"data: {json.dumps({'build': build})}\n\n".encode())
                    sent = build
                else:
                    self.wfile.write(b": still here\n\n")  # finds closed connections
                self.wfile.flush()
        except OSError:  # the page went away
            pass


def make_handler(out: Path, state: State, timeout: float = IDLE_TIMEOUT) -> type[Handler]:
    """The request handler class of a server that serves `out` and reports `state`."""
    return type("BoundHandler", (Handler,), {"out": out, "state": state, "timeout": timeout})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """A thread per connection, up to MAX_CONNECTIONS; stop() ends every connection it has open."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[Handler], log: TextIO = sys.stderr,
                 max_streams: int = MAX_STREAMS, max_connections: int = MAX_CONNECTIONS):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.log, self.max_streams, self.max_connections = log, max_streams, max_connections
        self.stopping = False
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._streams = 0
        super().__init__(address, handler)
        self.hosts = Hosts(address[0], self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            full = self.stopping or len(self._connections) >= self.max_connections
            if not full:
                self._connections.add(request)
        if not full:
            return super().process_request(request, client_address)
        with contextlib.suppress(OSError):
            request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.shutdown_request(request)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def open_stream(self) -> bool:
        with self._lock:
            if self._streams >= self.max_streams:
                return False
            self._streams += 1
            return True

    def close_stream(self) -> None:
        with self._lock:
            self._streams -= 1

    def close_connections(self) -> None:
        """Ends every open connection: event streams, and keep-alive connections waiting."""
        with self._lock:
            open_now = list(self._connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # the client went away, or took too long (TimeoutError)
            return
        print(f"[{time.strftime('%H:%M:%S')}] a request failed: {type(exc).__name__}: {exc}",
              file=self.log, flush=True)


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

    def build(self, reason: str = "") -> Result | None:
        """Builds and tells the server; None when the build raised (reported like a content error)."""
        try:
            result = self.builder.build(progress=QUIET)
        except Exception as exc:  # noqa: BLE001 - a full disk, a read-only folder, a bug: keep serving
            self._fault(reason, exc)
            return None
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
            print(f"[{stamp}] {reason}build failed: {errors} errors, {warnings} warnings{self._kept()}",
                  file=self.log, flush=True)
        else:
            changed = result.written.changed if result.written else 0
            print(f"[{stamp}] {reason}built in {result.seconds:.2f} s: {changed} files changed, "
                  f"{warnings} warnings", file=self.log, flush=True)
            if self.builder.index_stale:  # a text edit: the full-text index follows in the background
                self.indexing = threading.Thread(target=self._refresh_index, daemon=True)
                self.indexing.start()
        return result

    def _kept(self) -> str:
        return "; still serving the last good site" if self.state.has_site else ""

    def _fault(self, reason: str, exc: Exception) -> None:
        """A build that raised: one error in the page and one line in the terminal, no traceback.
        The output folder is as the last good build left it (a full build swaps it in whole), or has
        some of a text edit's pages (each replaced whole): the next build is a full one."""
        self.builder.last = None
        where = self._relative(getattr(exc, "filename", None) or self.out)
        if isinstance(exc, OSError):
            message = f"the site could not be written: {exc}"
        else:
            frames = traceback.extract_tb(exc.__traceback__)
            at = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
            what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            message = f"the build stopped: {what}{at}"
        with self.state.changed:
            self.state.diagnostics = [Diagnostic(Position(where, 0, 0), "error", message)]
            self.state.ok = False
            self.state.build += 1
            self.state.changed.notify_all()
        print(f"[{time.strftime('%H:%M:%S')}] {reason}build failed: {where}: {message}{self._kept()}",
              file=self.log, flush=True)

    def _relative(self, path: str | Path) -> str:
        return _relative(str(path), self.root)

    def _refresh_index(self) -> None:
        started = time.perf_counter()
        try:
            done = self.builder.refresh_index()
        except Exception as exc:  # noqa: BLE001 - as for a build: say so, keep serving
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
          ready: threading.Event | None = None, stop: threading.Event | None = None,
          timeout: float = IDLE_TIMEOUT, max_streams: int = MAX_STREAMS) -> int:
    """Serves until Ctrl+C or `stop`; `timeout` and `max_streams` as IDLE_TIMEOUT and MAX_STREAMS."""
    preview = Preview(root, out, today, strict, log)
    stop = stop or threading.Event()
    changes = watch_changes(root, stop)  # before the first build: a save during it is not lost
    preview.build()
    root_path = preview.state.root_path
    try:
        server = Server((host, port), make_handler(out, preview.state, timeout), log, max_streams)
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
            preview.build(reason)  # whatever goes wrong is reported and the last good site stays
    except KeyboardInterrupt:
        print("\nnaerpoliti serve: stopped", file=log)
    finally:
        stop.set()
        server.stopping = True
        with preview.state.changed:
            preview.state.changed.notify_all()
        server.shutdown()
        server.close_connections()  # event streams and idle keep-alive connections end now
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
