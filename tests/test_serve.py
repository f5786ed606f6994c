"""`naerpoliti serve` over HTTP: the real build served with a reload script, rebuilt on save, errors
shown while the last good site stays up. (What a person sees in Chromium: tests/browser/test_serve_browser.py.)"""
from __future__ import annotations

import json
import re
import socket
import time
import urllib.request

import pytest

from conftest import news
from servehelp import Serving, copy_demo, save


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
    deadline = time.monotonic() + 120
    while demo.get("/nyheder/2026-11-19-burst-19/")[0] != 200:
        assert time.monotonic() < deadline, f"the saves were never built; serve printed: {demo.log}"
        time.sleep(0.1)
    builds = json.loads(demo.get("/__naerpoliti/status")[2])["build"]
    assert 2 <= builds <= 4, builds
