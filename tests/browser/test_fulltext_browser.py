"""The search page /soeg/ in headless Chromium, over the demo site's real Pagefind index: a Danish
inflected form finds the news item (stemming), results are links with excerpts, their number is
announced, a shared ?q= link works, nothing loads from another host, axe-core finds no WCAG 2.1
A/AA violation, and Pagefind is loaded only when someone searches."""
from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser.conftest import SERVED_FILE_HEADER, PageCase
from browser.test_quality import AXE_TAGS, axe_report

SEARCH = "/soeg/"
BURGLARY = "/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/"
MEETING = "/arrangementer/2026-12-09-borgermoede-om-indbrud-i-skibby/"
TIMEOUT = 15_000  # ms: the first search loads Pagefind's WebAssembly


def search_case(query: str) -> PageCase:
    return PageCase(f"search-{query}", f"{SEARCH}?q={quote(query)}")


def results(page) -> list[str]:
    """The result links' paths, in order, once the results are shown."""
    page.locator("#fulltext-results > li a").first.wait_for(timeout=TIMEOUT)
    return [a.get_attribute("href") for a in page.locator("#fulltext-results > li h2 a").all()]


def problems(v, site_server) -> list[str]:
    """As test_quality's check: errors, failed requests, requests to other hosts. Chromium asks for
    /favicon.ico by itself once a page has loaded; the site has none, which is no finding here."""
    own = site_server + "/"
    errors = [e for e in v.console_errors if not e.endswith(f"{site_server}/favicon.ico:0)")]
    foreign = [u for u in v.requests if not u.startswith(own) and not u.startswith(("data:", "blob:"))]
    return ([f"console error: {e}" for e in errors] + [f"page error: {e}" for e in v.page_errors]
            + [f"failed request: {e}" for e in v.failed_requests]
            + [f"request to another host: {u}" for u in foreign])


def test_inflected_danish_form_finds_the_news_item(visit, site_server):
    """"indbruddet" (the burglary) is not in the text; its stem "indbrud" is."""
    v = visit(search_case("indbruddet"))
    found = results(v.page)
    assert BURGLARY in found and MEETING in found
    assert v.page.input_value("#fulltext-q") == "indbruddet"
    status = v.page.locator("#fulltext-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.text_content() == f"{len(found)} resultater for »indbruddet«."
    item = v.page.locator(f'#fulltext-results > li:has(a[href="{BURGLARY}"])')
    assert item.locator("h2 a").text_content() == "Sådan sikrer du dit hjem mod indbrud"
    assert item.locator("p.meta").text_content() == "Nyhed · 20. november 2026"
    marks = [m.text_content() for m in item.locator("p mark").all()]
    assert marks and all(m.lower().startswith("indbrud") for m in marks)
    v.page.wait_for_load_state("networkidle")
    assert not problems(v, site_server), problems(v, site_server)
    assert any("/pagefind/wasm.da.pagefind" in u for u in v.requests)


def test_english_search_page_finds_the_danish_content(visit, site_server):
    v = visit(PageCase("en-search", "/en/soeg/?q=indbruddet"))
    found = results(v.page)
    assert BURGLARY in found  # content lives once, at the primary language's address
    assert v.page.locator("#fulltext-status").text_content() == f"{len(found)} results for “indbruddet”."
    v.page.wait_for_load_state("networkidle")
    assert not problems(v, site_server), problems(v, site_server)


def test_the_form_searches_and_puts_the_query_in_the_address(visit, site_server):
    v = visit(PageCase("search", SEARCH), wait="networkidle")
    # Nothing of Pagefind is loaded before someone searches.
    assert not [u for u in v.requests if "/pagefind/" in u]
    assert v.page.locator("#fulltext-results").is_hidden()
    v.page.fill("#fulltext-q", "borgermøderne")  # stem "borgermød", as in "Borgermøde"
    v.page.press("#fulltext-q", "Enter")
    assert MEETING in results(v.page)
    assert v.page.url == f"{site_server}{SEARCH}?q={quote('borgermøderne')}"
    assert v.page.locator("#fulltext-status").text_content().endswith("for »borgermøderne«.")
    v.page.fill("#fulltext-q", "xyzzyq")
    v.page.click("form.fulltext-form button[type=submit]")
    v.page.locator("#fulltext-status", has_text="Ingen resultater for »xyzzyq«.").wait_for(timeout=TIMEOUT)
    assert v.page.locator("#fulltext-results").is_hidden()
    v.page.go_back()  # the previous search again
    v.page.locator("#fulltext-status", has_text="»borgermøderne«").wait_for(timeout=TIMEOUT)
    assert v.page.input_value("#fulltext-q") == "borgermøderne"
    assert not problems(v, site_server), problems(v, site_server)


def test_more_results_on_request(visit, site_server):
    v = visit(search_case("politi"))
    first = results(v.page)
    assert len(first) == 10
    total = int(v.page.locator("#fulltext-status").text_content().split()[0])
    assert total > 10
    more = v.page.locator("#fulltext-more")
    more.click()
    v.page.locator("#fulltext-results > li").nth(10).wait_for(timeout=TIMEOUT)
    links = v.page.locator("#fulltext-results > li h2 a")
    assert links.count() == min(total, 20)
    assert links.nth(10).evaluate("a => a === document.activeElement")  # focus on the first new one
    assert more.is_hidden() == (total <= 20)
    assert not problems(v, site_server), problems(v, site_server)


@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_no_wcag_violations_with_results(visit, width):
    v = visit(search_case("indbruddet"), width)
    results(v.page)
    found = Axe().run(v.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                       "resultTypes": ["violations"]})
    violations = found.response["violations"]
    assert not violations, f"axe-core found {len(violations)} violation(s):\n{axe_report(violations)}"
    assert v.page.locator("h1").count() == 1
    scroll_width, inner_width = v.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width


def test_without_javascript_the_page_says_where_to_look_instead(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(site_server + SEARCH + "?q=indbrud")
        assert response.status == 200 and response.headers.get(SERVED_FILE_HEADER.lower()) == "soeg/index.html"
        note = page.locator("main .alert")
        assert note.is_visible() and "kræver JavaScript" in note.text_content()
        assert note.locator('a[href="/lokalsamfund/"]').is_visible()
        assert note.locator('a[href="/nyheder/"]').is_visible()
    finally:
        context.close()


def test_search_works_without_pagefinds_web_worker(visit, site_server):
    """Where the worker cannot start, Pagefind runs its WebAssembly in the page itself, which the
    page's Content-Security-Policy must allow ('wasm-unsafe-eval', on the search page only)."""
    v = visit(PageCase("search", SEARCH))
    csp = v.page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "'wasm-unsafe-eval'" in csp
    v.page.route("**/pagefind/pagefind-worker.js", lambda route: route.abort())
    v.page.fill("#fulltext-q", "indbruddet")
    v.page.press("#fulltext-q", "Enter")
    assert BURGLARY in results(v.page)
    assert not v.page_errors, v.page_errors


def test_other_pages_do_not_allow_webassembly(visit):
    v = visit(PageCase("news", BURGLARY))
    csp = v.page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "wasm" not in csp and "unsafe" not in csp


@pytest.fixture(scope="module")
def split_index_server(tmp_path_factory):
    """The demo site built with an index of at most 4 pages a part, as a national site's is split
    (naerpoliti/fulltext.py PAGES_PER_INDEX), served on 127.0.0.1."""

    from conftest import REPO, TODAY

    from browser.conftest import serving
    from naerpoliti import fulltext
    from naerpoliti.build import run

    out = tmp_path_factory.mktemp("split") / "site"
    saved = fulltext.PAGES_PER_INDEX
    fulltext.PAGES_PER_INDEX = 4
    try:
        assert not run(REPO, out, TODAY, jobs=1).failed
    finally:
        fulltext.PAGES_PER_INDEX = saved
    with serving(out) as origin:
        yield out, origin


def test_an_index_in_parts_is_searched_as_one(browser, split_index_server):
    import json

    out, origin = split_index_server
    merged = json.loads((out / "pagefind/naerpoliti-indexes.json").read_text())["merge"]
    assert len(merged) >= 3 and all((out / m.strip("/") / "pagefind-entry.json").is_file() for m in merged)
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{origin}{SEARCH}?q={quote('indbruddet')}")
        found = results(page)
        # the event and the news item are indexed in different parts
        assert BURGLARY in found and MEETING in found
        assert {u.split("/pagefind/")[1].split("/")[0] for u in requests if "/pagefind/del-" in u} == \
            {m.strip("/").split("/")[-1] for m in merged}
    finally:
        context.close()


# --- A site in a sub-path, with localities that share a postcode and a place -------------------------------------

SUB = "/naerpoliti"
SUB_REGISTRY = """\
site:
  title: Nærpoliti Sydsjælland
  base_url: https://example.dk/naerpoliti/
districts:
  - id: sydsjaelland
    name: Sydsjællands og Lolland-Falsters Politi
municipalities:
  - id: naestved
    name: Næstved Kommune
    district: sydsjaelland
officers:
  - id: anna
    name: Anna Betjent
    title: Netværksbetjent
    phone: "+45 72 55 47 10"
  - id: bo
    name: Bo Betjent
    title: Lokalbetjent
localities:
  - id: fladsaa
    name: Fladså
    municipality: naestved
    postcodes: ["4700", "4733"]
    places: [Mogenstrup, Hammer, Tappernøje]
    officer: anna
  - id: naestved-vestegn
    name: Næstved Vestegn
    municipality: naestved
    postcodes: ["4700", "4250"]
    places: [Fuglebjerg]
    officer: anna
  - id: naestved-by
    name: Næstved By
    municipality: naestved
    postcodes: ["4700"]
    places: [Hammer, Kalbyris]
    officer: bo
"""


def _sub_news(n: int) -> str:
    return (f"---\ntitle: Nyt fra Fladså {n}\ndate: 2026-11-{10 + n}\nlocalities: [fladsaa]\n---\n"
            + "Fladså og Mogenstrup og Tappernøje. " * 5 + "\n")


@pytest.fixture(scope="module")
def subpath_server(tmp_path_factory):
    """That site built into www/naerpoliti/ (its index in parts of 3 pages, as a big site's) and served
    from www/ on 127.0.0.1: yields (origin, www folder)."""

    from conftest import TODAY, make_site

    from browser.conftest import serving
    from naerpoliti import fulltext
    from naerpoliti.build import run

    base = tmp_path_factory.mktemp("subpath")
    root = make_site(base / "root", {f"content/news/2026-11-1{n}-nyt-{n}.md": _sub_news(n) for n in range(4)},
                     registry=SUB_REGISTRY)
    www = base / "www"
    saved = fulltext.PAGES_PER_INDEX
    fulltext.PAGES_PER_INDEX = 3
    try:
        result = run(root, www / SUB.strip("/"), TODAY, jobs=1)
    finally:
        fulltext.PAGES_PER_INDEX = saved
    assert not result.failed, [str(d) for d in result.diagnostics.errors]
    with serving(www) as origin:
        yield origin, www


def _search_sub(browser, origin: str, query: str) -> list[str]:
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{origin}{SUB}{SEARCH}?q={quote(query)}")
        found = results(page)
        assert not errors, errors
        return found
    finally:
        context.close()


@pytest.mark.parametrize(("query", "first"), [
    ("Fladså", "/naerpoliti/lokalsamfund/fladsaa/"), ("Mogenstrup", "/naerpoliti/lokalsamfund/fladsaa/"),
    ("tappernoje", "/naerpoliti/lokalsamfund/fladsaa/"), ("TAPPERNØJE", "/naerpoliti/lokalsamfund/fladsaa/"),
    ("fladsaa", "/naerpoliti/lokalsamfund/fladsaa/"),
])
def test_on_a_sub_path_site_a_place_finds_its_locality_first_and_every_link_works(browser, subpath_server,
                                                                                    query, first):
    from urllib.request import urlopen

    origin, www = subpath_server
    assert len(json.loads((www / "naerpoliti/pagefind/naerpoliti-indexes.json").read_text())["merge"]) >= 1
    found = _search_sub(browser, origin, query)
    assert found[0] == first  # above the news items that name it five times
    assert all(u.startswith(SUB + "/") and not u.startswith(SUB + SUB) for u in found), found
    for url in found:
        with urlopen(origin + url) as response:
            assert response.status == 200 and response.headers[SERVED_FILE_HEADER] != "404.html", url


def test_a_place_in_two_localities_finds_both(browser, subpath_server):
    origin, _ = subpath_server
    found = _search_sub(browser, origin, "Hammer")
    assert set(found[:2]) == {"/naerpoliti/lokalsamfund/fladsaa/", "/naerpoliti/lokalsamfund/naestved-by/"}


def test_demo_a_locality_name_finds_the_locality_page_first(visit, site_server):
    for query, first in [("skibby", "/lokalsamfund/skibby/"), ("tappernoje", "/lokalsamfund/fladsaa/"),
                         ("Brøndby Strand", "/lokalsamfund/broendby/"), ("glumso", "/lokalsamfund/glumsoe/")]:
        v = visit(search_case(query))
        found = results(v.page)
        assert found[0] == first, (query, found)
        item = v.page.locator("#fulltext-results > li").first
        assert item.locator("p.meta").text_content() == "Lokalsamfund"
        assert not problems(v, site_server), problems(v, site_server)


def test_the_search_page_is_linked_from_every_page(visit):
    for case in (PageCase("news", BURGLARY), PageCase("front", "/"), PageCase("en-front", "/en/")):
        v = visit(case)
        link = v.page.get_by_role("banner").get_by_role("link", name=re.compile("^(Søg|Search)$"))
        assert link.get_attribute("href") == ("/en/soeg/" if case.path == "/en/" else "/soeg/")
