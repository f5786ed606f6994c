"""`naerpoliti serve` over HTTP: the real build served with a reload script, rebuilt on save, errors
shown while the last good site stays up. (What a person sees in Chromium: tests/browser/test_serve_browser.py.)"""
from __future__ import annotations

import errno
import json
import re
import select
import socket
import time
import urllib.parse
import urllib.request

import pytest

from conftest import news
from naerpoliti.commands.serve import Hosts, location, request_path
from naerpoliti.incremental import Builder
from naerpoliti.write import WriteError
from servehelp import InProcess, Serving, copy_demo, read_all, save


@pytest.fixture
def demo(tmp_path):
    root = copy_demo(tmp_path / "root")
    server = Serving(root)
    yield server
    assert server.stop() == 0


def events(server: Serving, count: int, timeout: float = 30) -> list[int]:
    """The first `count` build numbers announced on the event stream."""
    builds = []
    with urllib.request.urlopen(server.origin + "/__naerpoliti/events", timeout=timeout) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                builds.append(json.loads(line[6:])["build"])
                if len(builds) == count:
                    return builds
    return builds


def test_pages_are_the_build_plus_one_script(demo):
    status, headers, body = demo.get("/lokalsamfund/skibby/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    on_disk = (demo.root / "site/lokalsamfund/skibby/index.html").read_bytes()
    script = b'<script src="/__naerpoliti/live.js" data-build="1"></script>'
    assert body == on_disk.replace(b"</body>", script + b"</body>")
    assert b"__naerpoliti" not in on_disk  # the preview script is never written to the site
    assert headers["Cache-Control"] == "no-store"
    status, headers, body = demo.get("/lokalsamfund/skibby/rss.xml")
    assert status == 200 and body == (demo.root / "site/lokalsamfund/skibby/rss.xml").read_bytes()
    assert demo.get("/lokalsamfund/skibby")[0] == 200  # redirected to the folder
    status, _, body = demo.get("/ingen/saadan/side/")
    assert status == 404 and b"live.js" in body
    assert demo.get("/../localities.yaml")[0] == 404
    status, _, body = demo.get("/admin/")  # the browser editor is served as built
    assert status == 200 and body == (demo.root / "site/admin/index.html").read_bytes()
    status, headers, js = demo.get("/__naerpoliti/live.js")
    assert status == 200 and headers["Content-Type"] == "text/javascript" and b"EventSource" in js


def test_a_save_rebuilds_and_announces_a_new_build(demo):
    assert json.loads(demo.get("/__naerpoliti/status")[2]) == {
        "build": 1, "ok": True, "title": "", "note": "", "diagnostics": []}
    path = demo.root / "content/news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
    save(path, path.read_text(encoding="utf-8").replace("title: ", "title: Nyt – ", 1))
    line = demo.wait_for(r"built in")
    assert "content/news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md changed" in line
    assert events(demo, 1) == [2]
    body = demo.get("/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/")[2].decode()
    assert "Nyt – " in body and 'data-build="2"' in body


def test_a_text_edit_rewrites_the_page_and_then_the_full_text_index(demo):
    path = demo.root / "content/news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
    entry = (demo.root / "site/pagefind/pagefind-entry.json").read_bytes()
    save(path, path.read_text(encoding="utf-8") + "\nHusk også kælderdøren.\n")
    line = demo.wait_for(r"built in")
    assert re.search(r"built in \d+\.\d+ s: [1-9]\d? files changed", line), line  # not the whole site
    body = demo.get("/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/")[2].decode()
    assert "Husk også kælderdøren." in body
    demo.wait_for(r"full-text index updated in", timeout=60)
    assert (demo.root / "site/pagefind/pagefind-entry.json").read_bytes() != entry  # the new words


def test_an_error_is_shown_and_the_last_good_site_stays(demo):
    before = demo.get("/lokalsamfund/skibby/")[2]
    registry = demo.root / "localities.yaml"
    good = registry.read_text(encoding="utf-8")
    save(registry, good.replace("municipality: frederikssund", "municipality: frederikssunn", 1))
    demo.wait_for(r"build failed: 1 errors, \d+ warnings; still serving the last good site")
    printed = "\n".join(demo.log)
    assert "localities.yaml:" in printed and "unknown municipality 'frederikssunn'" in printed
    status = json.loads(demo.get("/__naerpoliti/status")[2])
    assert status["ok"] is False and status["build"] == 2 and status["title"].startswith("naerpoliti: 1 fejl")
    [error] = [d for d in status["diagnostics"] if d["severity"] == "error"]
    assert error["path"] == "localities.yaml" and error["line"] > 1
    assert "did you mean 'frederikssund'" in error["message"]
    after = demo.get("/lokalsamfund/skibby/")[2]
    assert after == before.replace(b'data-build="1"', b'data-build="2"')  # same site, newer script tag
    save(registry, good)
    demo.wait_for(r"built in")
    assert json.loads(demo.get("/__naerpoliti/status")[2])["ok"] is True


def test_a_broken_root_is_served_as_an_error_page_until_fixed(tmp_path):
    from conftest import make_site
    root = make_site(tmp_path / "root", {"content/news/a.md": news(date="2026-13-01")})
    server = Serving(root)
    try:
        assert "build failed: 1 errors" in "\n".join(server.log)
        status, _, body = server.get("/")
        assert status == 200 and b"live.js" in body and b"Ret fejlene" in body
        assert json.loads(server.get("/__naerpoliti/status")[2])["diagnostics"][0]["path"] == "content/news/a.md"
        save(root / "content/news/a.md", news(date="2026-11-01"))
        server.wait_for(r"built in")
        status, _, body = server.get("/nyheder/a/")
        assert status == 200 and b"Nyhed" in body
    finally:
        assert server.stop() == 0


def test_a_sub_path_site_is_served_under_its_path(tmp_path):
    from conftest import REGISTRY, make_site
    root = make_site(tmp_path / "root", {"content/news/a.md": news()},
                     registry=REGISTRY.replace("https://test.example.dk/", "https://test.example.dk/naer/"))
    server = Serving(root)
    try:
        assert server.url.endswith(":%s/naer/" % server.url.split(":")[2].split("/")[0])
        status, _, body = server.get("/naer/nyheder/a/")
        assert status == 200 and b"live.js" in body
        with urllib.request.urlopen(server.origin + "/", timeout=10) as r:  # follows the redirect
            assert r.url == server.origin + "/naer/"
    finally:
        assert server.stop() == 0


def test_a_busy_port_is_a_usage_error(tmp_path):
    import subprocess
    import sys
    from conftest import make_site
    root = make_site(tmp_path / "root")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run([sys.executable, "-m", "naerpoliti", "serve", "--root", str(root), "--port", str(port),
                            "--today", "2026-11-22"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in p.stderr


def test_many_saves_at_once_make_few_builds(demo):
    folder = demo.root / "content/news"
    for i in range(20):
        save(folder / f"2026-11-1{i % 10}-burst-{i}.md", news(title=f"Burst {i}", date=f"2026-11-1{i % 10}"))
    # the last file is on the site once a build has seen every save: after one build per burst, not
    # one per file (the deadline only catches a hang; a loaded machine just takes longer)
    # (the build number counts once the build has returned, a moment after its files are in place)
    deadline = time.monotonic() + 120
    while (demo.get("/nyheder/2026-11-19-burst-19/")[0] != 200
           or (builds := json.loads(demo.get("/__naerpoliti/status")[2])["build"]) < 2):
        assert time.monotonic() < deadline, f"the saves were never built; serve printed: {demo.log}"
        time.sleep(0.1)
    assert 2 <= builds <= 4, builds


# --- hostile requests: one server for all of them (none of them changes anything) -------------------

@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    server = Serving(copy_demo(tmp_path_factory.mktemp("hostile") / "root"))
    yield server
    assert server.stop() == 0


def clean_head(head: bytes) -> None:
    """Every header line is printable ASCII, and none came from the request."""
    for line in head.split(b"\r\n"):
        assert all(0x20 <= b <= 0x7E for b in line), line
        assert not line.lower().startswith((b"x-injected", b"set-cookie")), head


def same_server(value: str) -> bool:
    """A Location a browser follows to this server: a path, not "//host" (nor "/\\host", which
    browsers read as "//host"), and nothing that a browser would decode into either."""
    return (value.startswith("/") and not value.startswith(("//", "/\\")) and "\\" not in value
            and urllib.parse.urlsplit(urllib.parse.urljoin("http://here.test/a/b", value)).netloc == "here.test")


CRLF = ["%0d%0a", "%0D%0A", "%0a", "%0d", "%0A%20", "%E5%98%8A%E5%98%8D", "%c4%8a%c4%8d", "%0d%0a%0d%0a",
        "%00", "%1b", "%7f", "%c2%85", "%e2%80%a8"]


@pytest.mark.parametrize("encoded", CRLF)
@pytest.mark.parametrize("shape", ["/lokalsamfund/skibby/{}X-Injected:%201/..", "/lokalsamfund{}X-Injected:%201",
                                   "/{}Set-Cookie:%20a=1", "/__naerpoliti/{}X-Injected:%201"])
def test_no_line_break_reaches_a_header(shared, encoded, shape):
    """The folder redirect built its Location from the request's path: a decoded line break there
    started a header of the attacker's. Now no byte of a request is ever put into a header."""
    status, headers, _, head = shared.raw(shape.format(encoded))
    clean_head(head)
    assert status in (301, 404), head
    for name, value in headers:
        if name == "Location":
            assert same_server(value) and value == "/lokalsamfund/skibby/", value


def test_the_folder_redirect_is_to_the_folder(shared):
    status, headers, body, _ = shared.raw("/lokalsamfund/skibby")
    assert status == 301 and dict(headers)["Location"] == "/lokalsamfund/skibby/" and body == b""
    status, headers, _, _ = shared.raw("/lokalsamfund/%E5%98%8A/../skibby")  # unusual, but this server's
    assert status == 301 and dict(headers)["Location"] == "/lokalsamfund/skibby/"


OFF_SITE = ["/%2F%2Fevil.example/", "//evil.example/", "/\\evil.example/", "/%5Cevil.example/", "/.%2F%2Fevil",
            "/%2Fevil.example/..%2Flokalsamfund", "//evil.example/../lokalsamfund", "/%2F%2Fevil.example/%2E%2E",
            "/%5C%5Cevil.example/..%2Flokalsamfund", "/\\/evil.example/", "/%2F%5Cevil.example/",
            "/%09/evil.example/", "///evil.example/..//lokalsamfund", "/%252F%252Fevil.example/",
            "/lokalsamfund/..%2F%2Fevil.example", "/.%2F%2Fevil.example%2F..%2Flokalsamfund",
            "http://evil.example/lokalsamfund", "//evil.example", "/%2F/evil.example/..%2F..%2Flokalsamfund"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_redirects_stay_on_this_server(shared, target):
    status, headers, _, head = shared.raw(target)
    clean_head(head)
    assert status in (200, 301, 302, 404), head
    for name, value in headers:
        if name == "Location":
            assert same_server(value), value


TRAVERSAL = ["/../localities.yaml", "/..%2Flocalities.yaml", "/%2e%2e/localities.yaml", "/%2E%2E%2Flocalities.yaml",
             "/lokalsamfund/../../localities.yaml", "/..%5Clocalities.yaml", "/..\\localities.yaml",
             "/%252e%252e/localities.yaml", "/....//localities.yaml", "/%c0%ae%c0%ae/localities.yaml",
             "/.%00./localities.yaml", "/localities.yaml%00.html", "/../content/pages/kontakt-politiet.md",
             "/../../../../../../etc/passwd", "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd", "/..;/localities.yaml",
             "/.../localities.yaml", "/lokalsamfund/%2e%2e/%2e%2e/localities.yaml", "/./../localities.yaml",
             "/__naerpoliti/../../localities.yaml", "/__naerpoliti/%2e%2e/serve.py", "/__naerpoliti/../serve.py",
             "/__naerpoliti/serve_assets/live.js", "/__naerpoliti/..%2F..%2Fserve.py", "/%2e%2e%5clocalities.yaml",
             "/..%252flocalities.yaml", "/lokalsamfund/skibby/index.html/../../../../localities.yaml",
             "/%ef%bc%8e%ef%bc%8e/localities.yaml", "/admin/../../localities.yaml", "/localities.yaml",
             "http://127.0.0.1/../localities.yaml", "/%2Fetc/passwd", "//etc/passwd", "/\\etc\\passwd",
             "/lokalsamfund/skibby/%00", "/lokalsamfund/skibby/%ff"]


@pytest.mark.parametrize("target", TRAVERSAL)
def test_nothing_outside_the_output_folder_is_served(shared, target):
    status, _, body, head = shared.raw(target)
    clean_head(head)
    assert status == 404, (target, head)
    assert b"districts:" not in body and b"root:" not in body and b"EventSource" not in body


REFUSED_HOSTS = ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}", "localhost:80",
                 "localhost:{other}", "127.0.0.1:{other}", "", "localhost.:{port}", "127.1:{port}",
                 "0x7f.0.0.1:{port}", "[::ffff:127.0.0.1]:{port}", "127.0.0.1@evil.example:{port}",
                 "evil.example:{port}@127.0.0.1", "localhost.evil.example:{port}", "127.0.0.1:{port}.evil.example",
                 "0.0.0.0:{port}", "localhost:{port} evil.example", None]
SERVE_PATHS = ["/", "/lokalsamfund/skibby/", "/__naerpoliti/status", "/__naerpoliti/events", "/__naerpoliti/live.js",
               "/ingen/saadan/side/"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_other_host_names_are_refused(shared, host, method):
    """A page on the web can point its own name at 127.0.0.1 (DNS rebinding) and read what it
    loads: only this computer's names get an answer, and no answer has content."""
    # raw()'s host="" is this server's name: an empty Host is sent as a header of its own
    sent = {"host": None, "headers": ("Host: ",)} if host == "" else {
        "host": host if host is None else host.format(port=shared.port, other=shared.port + 1)}
    for path in SERVE_PATHS:
        status, headers, body, head = shared.raw(path, method=method, **sent)
        assert status == 421 and body == b"" and dict(headers)["Content-Length"] == "0", (path, head)
        assert b"ambassad" not in head.lower()


def test_two_host_headers_are_refused(shared):
    for first, second in [("", "Host: evil.example"), ("evil.example", f"Host: 127.0.0.1:{shared.port}"),
                          ("", f"Host: 127.0.0.1:{shared.port}"), ("", "host: localhost:80")]:
        status, _, body, _ = shared.raw("/__naerpoliti/status", host=first, headers=(second,))
        assert status == 421 and body == b""


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_this_computers_names_are_served(shared, host):
    status, _, body, _ = shared.raw("/__naerpoliti/status", host=host.format(port=shared.port))
    assert status == 200 and json.loads(body)["ok"] is True


def test_which_host_names_are_answered():
    assert "localhost:8000" in Hosts("127.0.0.1", 8000) and "myhost.lan:8000" not in Hosts("127.0.0.1", 8000)
    assert "myhost.lan:8000" in Hosts("myhost.lan", 8000) and "[::1]:8000" in Hosts("::1", 8000)
    assert "localhost" in Hosts("127.0.0.1", 80) and "localhost" not in Hosts("127.0.0.1", 8000)
    # bound to every address: any literal address (a phone on the same network), never a name
    everywhere = Hosts("0.0.0.0", 8000)
    assert "192.168.1.20:8000" in everywhere and "[fe80::1]:8000" in everywhere
    assert "evil.example:8000" not in everywhere and "192.168.1.20:8001" not in everywhere
    assert "192.168.1.20.evil.example:8000" not in everywhere and "1.2.3:8000" not in everywhere


def test_paths_and_locations():
    assert request_path("/a%20b/c?x=%0d%0a#f") == "/a b/c"
    for target in ("/a%0d%0ab", "/a%0ab", "/a\\b", "/a%5cb", "/%ff", "/%c0%ae", "/a%00", "/a%c2%85", "*",
                   "http://evil.example/", "evil.example/"):
        assert request_path(target) is None, target
    assert location("/a b/é?#%\\/") == "/a%20b/%C3%A9%3F%23%25%5C/"
    for path in ("//evil.example/", "evil.example/", "", "/\r\nX: 1"):
        assert location(path) in (None, "/%0D%0AX:%201"), path
    assert location("//evil.example/") is None and location("evil.example") is None


HEAD_PATHS = ["/lokalsamfund/skibby/", "/", "/lokalsamfund/skibby", "/ingen/saadan/side/", "/__naerpoliti/live.js",
              "/__naerpoliti/live.css", "/__naerpoliti/status", "/__naerpoliti/nothing", "/lokalsamfund/skibby/rss.xml",
              "/admin/"]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_is_the_headers_of_get(shared, path):
    status, headers, body, _ = shared.raw(path, method="HEAD")
    assert body == b""  # nothing after the headers, up to the server closing the connection
    get_status, get_headers, get_body, _ = shared.raw(path)
    assert status == get_status and dict(headers)["Content-Type"] == dict(get_headers)["Content-Type"]
    if path != "/__naerpoliti/status":  # the status has the build number: the same length anyway
        assert dict(headers)["Content-Length"] == str(len(get_body))


def test_head_on_the_event_stream_is_headers_only(shared):
    status, headers, body, _ = shared.raw("/__naerpoliti/events", method="HEAD")  # returns: no stream
    assert status == 200 and dict(headers)["Content-Type"] == "text/event-stream" and body == b""


# --- connections: how long, how many, until when (serve in this process, with small limits) --------

@pytest.fixture
def small(tmp_path):
    from conftest import make_site
    server = InProcess(make_site(tmp_path / "root", {"content/news/a.md": news()}), timeout=2.0, max_streams=3)
    yield server
    if server.thread.is_alive():
        assert server.stop() == 0


def closed(s: socket.socket) -> bool:
    """The server closed the connection (the socket's own timeout only catches a hang)."""
    try:
        return read_all(s) == b""
    except ConnectionResetError:
        return True


def test_an_idle_connection_is_closed(small):
    with socket.create_connection(("127.0.0.1", small.port), timeout=30) as s:
        assert closed(s)  # no request at all


def test_an_idle_keep_alive_connection_is_closed(small):
    with socket.create_connection(("127.0.0.1", small.port), timeout=30) as s:
        for _ in range(2):  # kept open for a second request, which is answered
            s.sendall(f"GET /__naerpoliti/live.js HTTP/1.1\r\nHost: 127.0.0.1:{small.port}\r\n\r\n".encode())
            data = b""
            while b"EventSource" not in data:
                data += s.recv(65536)
            assert data.startswith(b"HTTP/1.1 200")
        assert closed(s)  # then nothing: closed


def test_a_request_sent_a_byte_at_a_time_is_cut_off(small):
    """Each byte would restart a plain socket timeout; the whole request has the one deadline."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % small.port + b"a" * 400
    with socket.create_connection(("127.0.0.1", small.port), timeout=30) as s:
        for byte in request:  # 400 bytes, 0.1 s apart: far beyond the 2 s the request may take
            readable, _, _ = select.select([s], [], [], 0.1)
            if readable:
                break
            try:
                s.sendall(bytes([byte]))
            except OSError:
                break
        else:
            raise AssertionError("the server waited for the whole trickle")
        assert closed(s)


def open_stream(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"GET /__naerpoliti/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    return s


def test_event_streams_are_bounded_and_end_when_serve_stops(small):
    streams = [open_stream(small.port) for _ in range(3)]
    try:
        for s in streams:
            data = b""
            while b"data: " not in data:
                data += s.recv(4096)
            assert data.startswith(b"HTTP/1.1 200")
        for _ in range(2):  # the bound is reached: one more is refused at once
            status, headers, body, _ = small.raw("/__naerpoliti/events")
            assert status == 503 and body == b"" and "Retry-After" in dict(headers)
        assert small.raw("/__naerpoliti/events", method="HEAD")[0] == 200  # HEAD opens no stream
        assert small.raw("/nyheder/a/")[0] == 200  # and pages are served as ever
        assert small.stop() == 0
        for s in streams:
            assert closed(s)  # every stream ended with serve
    finally:
        for s in streams:
            s.close()


# --- a build that raises: reported, and the last good site stays --------------------------------------

FAULTS = [OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EROFS, "Read-only file system"),
          MemoryError(), RuntimeError("a renderer broke"), WriteError("cannot replace site/: not naerpoliti's"),
          KeyError("title")]


@pytest.fixture
def faulty(monkeypatch):
    """Builder.build raising `faulty.fault` while it is set."""
    class Switch:
        fault: BaseException | None = None

    switch = Switch()
    build = Builder.build

    def raising(self, *args, **kwargs):
        if switch.fault is not None:
            if isinstance(switch.fault, OSError):  # as the write of a file would raise it
                switch.fault.filename = str(self.out / "nyheder/a/index.html")
            raise switch.fault
        return build(self, *args, **kwargs)

    monkeypatch.setattr(Builder, "build", raising)
    return switch


@pytest.mark.parametrize("fault", FAULTS, ids=lambda e: type(e).__name__ + str(getattr(e, "errno", "") or ""))
def test_a_build_that_raises_is_reported_and_the_site_stays(tmp_path, faulty, fault):
    from conftest import make_site
    root = make_site(tmp_path / "root", {"content/news/a.md": news()})
    server = InProcess(root)
    try:
        before = server.get("/nyheder/a/")[2]
        faulty.fault = fault
        save(root / "content/news/a.md", news(title="Ny titel"))
        line = server.wait_for(r"build failed")
        assert "still serving the last good site" in line
        expected = fault.strerror if isinstance(fault, OSError) else type(fault).__name__
        assert expected in line
        status = json.loads(server.get("/__naerpoliti/status")[2])
        assert status["ok"] is False and status["title"] == "naerpoliti: 1 fejl" and "seneste" in status["note"]
        [error] = status["diagnostics"]
        assert error["severity"] == "error" and expected in error["message"] and error["line"] == 0
        if isinstance(fault, OSError):
            assert error["path"] == "site/nyheder/a/index.html"
        after = server.get("/nyheder/a/")
        assert after[0] == 200 and after[2] == before.replace(b'data-build="1"', b'data-build="2"')
        faulty.fault = None
        save(root / "content/news/a.md", news(title="Ny titel igen"))
        server.wait_for(r"built in")
        assert json.loads(server.get("/__naerpoliti/status")[2])["ok"] is True
        assert b"Ny titel igen" in server.get("/nyheder/a/")[2]
    finally:
        assert server.stop() == 0
    assert not any("Traceback" in line for line in server.log), server.log


def test_a_first_build_that_raises_is_served_as_an_error_page(tmp_path, faulty):
    from conftest import make_site
    root = make_site(tmp_path / "root", {"content/news/a.md": news()})
    faulty.fault = OSError(errno.ENOSPC, "No space left on device")
    server = InProcess(root)
    try:
        assert any("No space left on device" in line for line in server.log)
        status, _, body = server.get("/nyheder/a/")
        assert status == 200 and b"live.js" in body and b"Ret fejlene" in body
        assert "No space left" in json.loads(server.get("/__naerpoliti/status")[2])["diagnostics"][0]["message"]
        faulty.fault = None
        save(root / "content/news/a.md", news(title="Ny titel"))
        server.wait_for(r"built in")
        assert b"Ny titel" in server.get("/nyheder/a/")[2]
    finally:
        assert server.stop() == 0
