"""Page-weight and privacy budgets of the demo site, measured and printed (never a test).

    .venv/bin/python bench/budget.py            # needs the test extra (playwright) and /usr/bin/chromium

Budgets (issue 3): CSS + JavaScript per page at most 50 KB uncompressed, fonts excluded; no request
to any host but the site's own; no cookies, no local or session storage; a Content-Security-Policy
that allows only the site itself; every image with width and height.
"""
from __future__ import annotations

import datetime as dt
import gzip
import http.server
import re
import sys
import tempfile
import threading
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from naerpoliti.build import run  # noqa: E402

BUDGET = 50 * 1024
PAGES = {  # page type -> path in the demo site
    "front": "/", "district": "/politikreds/nordsjaelland/", "municipality": "/kommune/frederikssund/",
    "locality": "/lokalsamfund/skibby/", "news": "/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/",
    "news archive": "/nyheder/", "events": "/arrangementer/",
    "event": "/arrangementer/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe/",
    "free page": "/om-tryghedsambassadoerer/", "statement": "/tilgaengelighedserklaering/", "search": "/soeg/", "open data": "/data/",
    "postcode": "/postnummer/4700/", "newsletter": "/lokalsamfund/skibby/nyhedsbrev/2026-11/", "404": "/404.html",
}


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.inline = 0
        self.images_without_size = 0
        self.csp: list[str] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "stylesheet":
            self.css.append(a["href"])
        elif tag == "script":
            if a.get("src"):
                self.js.append(a["src"])
            elif a.get("type") != "application/ld+json":
                self._in = tag
        elif tag == "style":
            self._in = tag
        elif tag == "img" and not (a.get("width") and a.get("height")):
            self.images_without_size += 1
        elif tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(a.get("content", ""))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in:
            self.inline += len(data.encode())


def file_for(site: Path, url: str) -> Path:
    rel = url.lstrip("/")
    return site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def static_figures(site: Path) -> tuple[list[tuple], dict]:
    rows, worst = [], {"bytes": 0, "page": ""}
    totals = {"pages": 0, "images_without_size": 0, "pages_without_csp": 0, "csp_hosts": 0}
    for page in sorted(site.rglob("*.html")):
        if page.parent == site / "admin":  # the editors' Decap CMS page, not a page citizens load
            continue
        refs = Refs()
        refs.feed(page.read_text(encoding="utf-8"))
        css = sum(file_for(site, u).stat().st_size for u in refs.css)
        js = sum(file_for(site, u).stat().st_size for u in refs.js)
        weight = css + js + refs.inline
        totals["pages"] += 1
        totals["images_without_size"] += refs.images_without_size
        # e-mails (newsletter email.html) are read in mail programs, which ignore a page's CSP
        totals["pages_without_csp"] += not refs.csp and page.parent.name != "was" and page.name != "email.html"
        totals["csp_hosts"] += sum(bool(re.search(r"https?:|\*|data:", c)) for c in refs.csp)
        if weight > worst["bytes"]:
            worst = {"bytes": weight, "page": page.relative_to(site).as_posix()}
        rows.append((page.relative_to(site).as_posix(), css, js, refs.inline, weight))
    return rows, {**totals, **{"worst": worst}}


def browser_figures(site: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    results = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for name, path in PAGES.items():
                context = browser.new_context()
                page = context.new_page()
                requests: list[str] = []
                sizes: dict[str, int] = {}
                page.on("request", lambda r: requests.append(r.url))
                page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body()) if r.ok else 0))
                page.goto(origin + path, wait_until="networkidle")
                storage = page.evaluate("localStorage.length + sessionStorage.length")
                fonts = sum(v for k, v in sizes.items() if k.endswith((".woff2", ".woff")))
                total = sum(sizes.values())
                results.append({
                    "page": name, "requests": len(requests),
                    "foreign": [u for u in requests if not u.startswith(origin)],
                    "cookies": len(context.cookies()), "storage": storage,
                    "bytes": total, "fonts": fonts,
                })
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        result = run(REPO, site, dt.date(2026, 11, 22))
        assert not result.failed, [str(d) for d in result.diagnostics.errors]
        rows, totals = static_figures(site)
        css_file = site / "assets" / "naerpoliti.css"
        css_bytes = css_file.read_bytes()
        fonts = sorted((site / "assets" / "fonts").glob("*.woff2"))
        print(f"naerpoliti page budgets, demo site, {dt.date.today()}")
        print(f"  pages: {totals['pages']}")
        print(f"  stylesheet: {len(css_bytes):,} B uncompressed, {len(gzip.compress(css_bytes, 9)):,} B gzip")
        print(f"  fonts (excluded from the budget): {len(fonts)} files, {sum(f.stat().st_size for f in fonts):,} B")
        print(f"  CSS + JS per page, largest: {totals['worst']['bytes']:,} B on {totals['worst']['page']} "
              f"(budget {BUDGET:,} B) -> {'OK' if totals['worst']['bytes'] <= BUDGET else 'OVER'}")
        print(f"  images without width and height: {totals['images_without_size']}")
        print(f"  pages without a Content-Security-Policy: {totals['pages_without_csp']}; "
              f"policies naming other hosts: {totals['csp_hosts']}")
        print()
        print(f"  {'page type':<14}{'requests':>9}{'other hosts':>12}{'cookies':>8}{'storage':>8}{'bytes':>10}{'fonts':>9}")
        for r in browser_figures(site):
            print(f"  {r['page']:<14}{r['requests']:>9}{len(r['foreign']):>12}{r['cookies']:>8}{r['storage']:>8}"
                  f"{r['bytes']:>10,}{r['fonts']:>9,}")
            for u in r["foreign"]:
                print(f"      other host: {u}")


if __name__ == "__main__":
    main()
