"""The browser editor for real: the built admin/ page in Chromium, Decap CMS (the pinned version, from
tests/tools instead of unpkg) and decap-server committing to a git repository in a temporary site root.
An editor creates a news item and adds an ambassador with consent through the forms; the files land in
the repository as commits, and `naerpoliti check` accepts them."""
from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from conftest import REPO, REGISTRY, build, make_site, messages
from naerpoliti.errors import Diagnostics
from naerpoliti.load import parse_yaml
from naerpoliti.render import admin

TOOLS = REPO / "tests" / "tools" / "node_modules"
IMAGE = REPO / "content" / "media" / "news" / "laas.png"
ROUTES = {admin.DECAP_BASE: TOOLS / "decap-cms" / "dist", admin.YAML_BASE: TOOLS / "yaml" / "browser"}
REGISTRY_WITH_CMS = REGISTRY.replace(
    "  base_url: https://test.example.dk/\n",
    "  base_url: https://test.example.dk/\n  cms:\n    backend: github\n    repo: example/naerpoliti-test\n")
AMBASSADORS = """\
# Tryghedsambassadører i Slangerup. Alle personer er opdigtede.

- id: hanne-lassen
  name: Hanne Lassen
  role: Formand for grundejerforeningen
  phone: "+45 28 17 43 91"
  consent:
    given: 2026-03-01
    fields: [name, role]
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.dk",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.dk",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def as_read(text: str):
    """YAML as the validator reads it (dates stay text), as plain dicts and lists."""
    diags = Diagnostics()
    value = parse_yaml(text, "test.yaml", diags)
    assert not diags.errors, [str(d) for d in diags.errors]
    return json.loads(json.dumps(value))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "naerpoliti", "check", "--root", str(root), "--today", "2026-11-22"],
                          capture_output=True, text=True, cwd=REPO)


@pytest.fixture(scope="module")
def cms(tmp_path_factory):
    """(origin of the served site, site root): a site root that is a git repository, built, served on
    127.0.0.1, with decap-server on a free port committing to it."""
    for tool in ("decap-server/dist/index.js", "decap-cms/dist/decap-cms.js", "yaml/browser/index.js"):
        if not (TOOLS / tool).is_file():
            pytest.fail(f"tests/tools/node_modules/{tool} is missing: run scripts/setup-tests")
    tmp = tmp_path_factory.mktemp("cms")
    root = make_site(tmp / "root", {"content/ambassadors/slangerup.yaml": AMBASSADORS}, REGISTRY_WITH_CMS)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Start")
    out = tmp / "site"
    result = build(root, out)
    assert not result.failed, messages(result)

    # Decap looks for decap-server at localhost:8081 (local_backend: true); here it runs on a free port,
    # so the test copy of the config and the page's CSP name that port instead.
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    config = out / "admin" / "config.yml"
    text = config.read_text(encoding="utf-8")
    assert "local_backend: true\n" in text
    config.write_text(text.replace("local_backend: true\n", f"local_backend:\n  url: {api}/api/v1\n"), encoding="utf-8")
    page = out / "admin" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert admin.LOCAL_BACKEND_ORIGIN in html
    page.write_text(html.replace(admin.LOCAL_BACKEND_ORIGIN, api), encoding="utf-8")

    server_env = {**os.environ, **GIT_ENV, "PORT": str(port), "BIND_HOST": "127.0.0.1", "MODE": "git",
                  "GIT_REPO_DIRECTORY": str(root), "LOG_LEVEL": "warn"}
    decap = subprocess.Popen(["node", str(TOOLS / "decap-server" / "dist" / "index.js")], cwd=root, env=server_env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    handler = partial(_QuietHandler, directory=str(out))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while True:  # until decap-server listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if decap.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"decap-server did not start: {decap.stdout.read() if decap.poll() is not None else ''}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{site.server_address[1]}", root
    finally:
        site.shutdown()
        site.server_close()
        decap.terminate()
        try:
            decap.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            decap.kill()
            decap.communicate()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".yml": "text/yaml"}

    def log_message(self, format, *args):  # noqa: A002
        pass


def _serve_pinned(route):
    """unpkg.com, answered from tests/tools: the same pinned files, without the network."""
    url = route.request.url
    for base, folder in ROUTES.items():
        if url.startswith(base):
            file = folder / url[len(base):].split("?", 1)[0]
            if file.is_file():
                return route.fulfill(status=200, body=file.read_bytes(), content_type="application/javascript",
                                     headers={"Access-Control-Allow-Origin": "*"})  # as unpkg: SRI needs CORS
    route.abort()


@pytest.fixture
def editor(browser, cms):
    """open(hash route) -> the page, logged in to the local backend; fails the test on page errors,
    console errors or a request to anything but the site, decap-server and the pinned scripts."""
    origin, _ = cms
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    pages = []

    def open_editor(route: str):
        page = context.new_page()
        pages.append(page)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} {r.failure}"))
        page.route("https://**/*", _serve_pinned)
        # a fresh page per form: Decap keeps a stale form when only the #route changes between two editors
        page.goto(origin + "/admin/" + route)
        page.get_by_role("button", name="Log ind").click()  # the local backend needs no account
        return page

    yield open_editor
    context.close()
    assert not errors, errors


def committed(root: Path, path: Path, after: str = "") -> str:
    """The subject of the last commit that changed `path` (and is not `after`), once decap-server made it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        subject = git(root, "log", "-1", "--format=%s", "--", str(path)).strip()
        if subject and subject != after:
            return subject
        time.sleep(0.1)
    pytest.fail(f"no commit changed {path.relative_to(root)}")


def publish(page) -> None:
    page.get_by_role("button", name="Publicer").first.click()
    page.get_by_text("Publicer nu").click()
    page.get_by_text("Publiceret").first.wait_for()  # the toolbar says so when the save is done


def test_an_editor_creates_a_news_item_that_check_accepts(cms, editor):
    _, root = cms
    page = editor("#/collections/news/new")
    page.fill("#title-field-1", "Ny cykelsti ved Skibby Skole")
    page.fill("#date-field-2", "2026-11-20")
    page.click("#localities-field-3")
    page.keyboard.type("Skibby")
    page.keyboard.press("Enter")
    page.fill("#summary-field-7", "x")
    page.fill("#summary-field-7", "")  # emptied again: must not be written as summary: ''
    page.get_by_role("button", name="Vælg et billede").click()  # the media library: upload, then use it
    page.set_input_files("input[type=file][accept='image/*']", str(IMAGE))
    page.get_by_role("button", name="Anvend valgte").click()
    page.fill("#image_alt-field-10", "Tegning af en hængelås")
    page.click("[data-slate-editor]")
    page.keyboard.type("Kommunen åbner en ny cykelsti.")
    publish(page)

    path = root / "content" / "news" / "2026-11-20-ny-cykelsti-ved-skibby-skole.md"
    assert "ny-cykelsti-ved-skibby-skole" in committed(root, path)
    text = path.read_text(encoding="utf-8")
    front = as_read(text.split("---\n")[1])
    assert front == {"title": "Ny cykelsti ved Skibby Skole", "date": "2026-11-20", "localities": ["skibby"],
                     "image": "media/news/laas.png", "image_alt": "Tegning af en hængelås"}
    assert list(front) == ["title", "date", "localities", "image", "image_alt"]  # schema order
    assert "\ndate: 2026-11-20\nlocalities: [skibby]\n" in text  # written as editors write it by hand
    # the upload is committed where the path in the file says: content/ + media/news/laas.png
    assert (root / "content/media/news/laas.png").read_bytes() == IMAGE.read_bytes()
    assert text.endswith("---\nKommunen åbner en ny cykelsti.\n")
    assert git(root, "status", "--porcelain") == ""  # everything the editor did is committed
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_editor_creates_an_event_named_by_its_start(cms, editor):
    _, root = cms
    page = editor("#/collections/events/new")
    page.fill("#title-field-1", "Borgermøde om tryghed")
    page.click("#kind-field-2")
    page.keyboard.type("Borgermøde")  # the Danish name of the kind; the file gets citizen-meeting
    page.keyboard.press("Enter")
    page.fill("#start-field-3", "2026-12-03T19:00")
    page.fill("#location-field-5", "Skibby Hallen, Skolevej 1, 4050 Skibby")
    page.click("#localities-field-6")
    page.keyboard.type("Skibby")
    page.keyboard.press("Enter")
    page.click("[data-slate-editor]")
    page.keyboard.type("Kom og hør.")
    publish(page)

    # Decap's slugs drop accents (ø -> o), where editors write ø as oe: both are valid ids
    path = root / "content" / "events" / "2026-12-03-borgermode-om-tryghed.md"
    assert "borgermode-om-tryghed" in committed(root, path)
    front = as_read(path.read_text(encoding="utf-8").split("---\n")[1])
    assert front == {"title": "Borgermøde om tryghed", "kind": "citizen-meeting", "start": "2026-12-03T19:00",
                     "location": "Skibby Hallen, Skolevej 1, 4050 Skibby", "localities": ["skibby"]}
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_editor_adds_an_ambassador_with_consent_that_check_accepts(cms, editor):
    _, root = cms
    page = editor("#/collections/ambassadors/entries/slangerup")
    page.get_by_role("button", name="Tilføj tryghedsambassadør").click()

    def last(selector: str):
        return page.locator(selector).last

    last('input[id^="id-field-"]').fill("jens-nyholm")
    last('input[id^="name-field-"]').fill("Jens Nyholm")
    last('input[id^="role-field-"]').fill("on")
    last('input[id^="given-field-"]').fill("2026-11-01")
    for label in ("Navn", "Rolle"):
        last('input[id^="fields-field-"]').click()
        page.keyboard.type(label)
        page.keyboard.press("Enter")
    publish(page)

    path = root / "content" / "ambassadors" / "slangerup.yaml"
    assert "slangerup" in committed(root, path, after="Start")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Tryghedsambassadører i Slangerup. Alle personer er opdigtede.\n")
    assert '  role: "on"\n' in text  # YAML 1.1 would read a bare on as yes
    assert as_read(text) == [
        {"id": "hanne-lassen", "name": "Hanne Lassen", "role": "Formand for grundejerforeningen",
         "phone": "+45 28 17 43 91", "consent": {"given": "2026-03-01", "fields": ["name", "role"]}},
        {"id": "jens-nyholm", "name": "Jens Nyholm", "role": "on",
         "consent": {"given": "2026-11-01", "fields": ["name", "role"]}},
    ]
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr
    out = root.parent / "after"
    assert not build(root, out).failed
    assert "Jens Nyholm" in (out / "lokalsamfund/slangerup/index.html").read_text(encoding="utf-8")
