"""Browser fixtures: the demo site (built once, by tests/conftest.py's `demo_site`) served over HTTP
on 127.0.0.1 like a real host, one headless Chromium for the whole session, and the pages to check.

Every test that takes the `page_case` argument runs once for each entry of PAGES. To check another
page, add an entry; a page that the built site lacks makes its tests fail, never skip.

The newsletter e-mails are not part of the built site (`naerpoliti newsletter render` makes them on
demand): the server serves the demo's rendered e-mails (tests/conftest.py's `demo_emails`) under
EMAILS, on the site's own origin, so the checks of a page (no foreign requests, ...) hold for them too.

The browser is Debian's /usr/bin/chromium (scripts/setup-tests installs it); Playwright's own browser
downloads are never used.
"""
from __future__ import annotations

import contextlib
import http.server
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
# The header by which the test server says which file of the built site it served.
SERVED_FILE_HEADER = "X-Test-Served-File"
# The URL path under which the test server serves the rendered e-mails (a folder the site lacks).
EMAILS = "/_e-mails/"


@dataclass(frozen=True)
class PageCase:
    """One page to check: a short name (test ids, screenshot names), its URL path, its HTTP status."""
    name: str
    path: str
    status: int = 200
    web_page: bool = True  # False for an e-mail: read inside a mail program, it has no landmarks

    def __str__(self) -> str:
        return self.name


PAGES: list[PageCase] = [
    PageCase("front", "/"),
    PageCase("district", "/politikreds/nordsjaelland/"),
    PageCase("municipality", "/kommune/frederikssund/"),
    PageCase("locality", "/lokalsamfund/skibby/"),
    PageCase("news", "/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/"),
    PageCase("news-archive", "/nyheder/"),
    PageCase("events", "/arrangementer/"),
    PageCase("event", "/arrangementer/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe/"),
    PageCase("page", "/om-tryghedsambassadoerer/"),
    PageCase("not-found", "/findes-ikke/", status=404),
    PageCase("statement", "/tilgaengelighedserklaering/"),
    PageCase("search", "/soeg/"),
    PageCase("open-data", "/data/"),
    PageCase("localities-a-z", "/lokalsamfund/"),
    PageCase("postcodes", "/postnummer/"),
    PageCase("postcode", "/postnummer/4700/"),
    PageCase("newsletter-archive", "/lokalsamfund/skibby/nyhedsbrev/"),
    PageCase("newsletter-year", "/lokalsamfund/skibby/nyhedsbrev/2026/"),
    PageCase("newsletter-email", EMAILS + "lokalsamfund/skibby/nyhedsbrev/2026-11/email.html", web_page=False),
    PageCase("en-front", "/en/"),
    PageCase("en-locality", "/en/lokalsamfund/glumsoe/"),
    PageCase("en-event", "/en/arrangementer/2026-12-05-den-mobile-politistation-paa-torvet-i-viborg/"),
    # an area's own lists, and the newsletter and open-data pages in English
    PageCase("locality-news", "/lokalsamfund/skibby/nyheder/"),
    PageCase("locality-events", "/lokalsamfund/skibby/arrangementer/"),
    PageCase("municipality-news", "/kommune/frederikssund/nyheder/"),
    PageCase("en-newsletter-archive", "/en/lokalsamfund/skibby/nyhedsbrev/"),
    PageCase("en-newsletter-year", "/en/lokalsamfund/skibby/nyhedsbrev/2026/"),
    PageCase("en-open-data", "/en/data/"),
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_case" in metafunc.fixturenames:
        metafunc.parametrize("page_case", PAGES, ids=[p.name for p in PAGES])


# --- The test server ----------------------------------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site; a missing file gets 404.html with status 404, as a real host would.
    Under each prefix of `mounts` (URL path -> folder) it serves that folder instead.

    Every response made from a file of the site names it in SERVED_FILE_HEADER, so a test can tell
    that a page really came from the built site.
    """

    served: str | None = None
    mounts: dict[str, Path] = {}

    def log_message(self, format, *args):  # noqa: A002 - quiet: pytest shows failures, not access logs
        pass

    def _mount(self, path: str) -> tuple[str, Path] | None:
        for prefix, folder in list(self.mounts.items()):
            if path.startswith(prefix):
                return prefix, folder
        return None

    def translate_path(self, path):
        mount = self._mount(path)
        if mount is None:
            return super().translate_path(path)
        prefix, folder = mount
        directory, self.directory = self.directory, os.fspath(folder)
        try:
            return super().translate_path("/" + path[len(prefix):])
        finally:
            self.directory = directory

    def send_head(self):
        self.served = None
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.is_file():
            mount = self._mount(self.path)
            if mount is None:
                self.served = path.relative_to(self.directory).as_posix()
            else:
                self.served = mount[0].lstrip("/") + path.relative_to(mount[1]).as_posix()
        return super().send_head()

    def end_headers(self):
        if self.served:
            self.send_header(SERVED_FILE_HEADER, self.served)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            self.served = None
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.served = "404.html"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser closing a connection early is no finding.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serving(folder: Path, mounts: dict[str, Path] | None = None) -> Iterator[str]:
    """A folder served on 127.0.0.1 on a free port, as a static host would: yields its origin, e.g.
    http://127.0.0.1:4711. `mounts` (URL path prefix such as EMAILS -> folder) serves other folders
    under those paths; the server reads it at every request, so entries may be added later."""
    directory = os.fspath(folder)
    mounted = mounts if mounts is not None else {}

    class Handler(_Handler):
        mounts = mounted

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

    server = _Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def site_mounts() -> dict[str, Path]:
    """The folders site_server serves besides the site: `visit` adds the e-mails (EMAILS) when a
    page case asks for them, so the other tests need not render them."""
    return {}


@pytest.fixture(scope="session")
def site_server(demo_site: Path, site_mounts: dict[str, Path]) -> Iterator[str]:
    """The demo site served on 127.0.0.1 on a free port; the demo's e-mails under EMAILS once visit needs them."""
    with serving(demo_site, site_mounts) as origin:
        yield origin


# --- The browser ------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-tests (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- Opening a page -------------------------------------------------------------------------------------------

@dataclass
class Visit:
    """A page loaded in a fresh browser context, with what happened while it loaded."""
    case: PageCase
    url: str
    page: object = None
    context: object = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser, site_server, site_mounts, request):
    """visit(case, width=1280, wait="load") -> Visit: opens a page in a new context; fails unless the
    page came from the built site (or, under EMAILS, the rendered e-mails) with the expected status."""
    contexts = []

    def open_page(case: PageCase, width: int = 1280, wait: str = "load") -> Visit:
        if case.path.startswith(EMAILS) and EMAILS not in site_mounts:
            site_mounts[EMAILS] = request.getfixturevalue("demo_emails")
        context = browser.new_context(viewport={"width": width, "height": 800}, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        v = Visit(case, site_server + case.path, page, context)

        def on_console(msg):
            if msg.type != "error":
                return
            where = msg.location.get("url") or ""
            # Chromium reports the page's own expected 404 as a console error: that one is the point.
            if (case.status == 404 and where == v.url
                    and msg.text.startswith("Failed to load resource: the server responded with a status of 404")):
                return
            v.console_errors.append(f"{msg.text} ({where}:{msg.location.get('lineNumber', '?')})")

        def on_response(response):
            if response.status < 400:
                return
            if response.url == v.url and response.request.is_navigation_request() and response.status == case.status:
                return
            v.failed_requests.append(f"{response.url}: HTTP {response.status}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: v.page_errors.append(str(error)))
        page.on("request", lambda request: v.requests.append(request.url))
        page.on("requestfailed", lambda request: v.failed_requests.append(f"{request.url}: {request.failure}"))
        page.on("response", on_response)

        response = page.goto(v.url, wait_until=wait)
        if response is None:
            pytest.fail(f"{case.path}: no response", pytrace=False)
        served = response.headers.get(SERVED_FILE_HEADER.lower())
        expected_file = "404.html" if case.status == 404 else served
        if not (response.status == case.status and served and served == expected_file):
            pytest.fail(f"{case.path}: HTTP {response.status}, served {served or 'no file of the built site'}; "
                        f"expected HTTP {case.status}{' with 404.html' if case.status == 404 else ''}: "
                        + ("the rendered e-mails lack this one" if case.path.startswith(EMAILS)
                           else "the built site lacks this page"), pytrace=False)
        return v

    yield open_page
    for context in contexts:
        context.close()
