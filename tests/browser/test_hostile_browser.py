"""The hostile build (tests/test_hostile.py) in Chromium: no script of the corpus runs (no dialog
opens), nothing logs an error, and nothing is fetched from another host. Its newsletter e-mails, not
part of the site, are rendered beside it (test_hostile.built) and served under EMAILS."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from test_hostile import SHORT, VALID, all_of, built, cycle, hostile_root, mails_of

from browser.conftest import EMAILS, serving


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    root = hostile_root(tmp_path_factory.mktemp("hostile-root"), cycle(SHORT), all_of(VALID))
    out = tmp_path_factory.mktemp("hostile") / "site"
    result = built(root, out)
    assert not result.failed, [str(d) for d in result.diagnostics.errors[:10]]
    with serving(out, {EMAILS: mails_of(out)}) as origin:
        yield origin


PATHS = {
    "front": "/",
    "locality": "/lokalsamfund/skibby/",
    "news": "/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/",
    "event": "/arrangementer/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe/",
    "newsletter-email": EMAILS + "lokalsamfund/skibby/nyhedsbrev/2026-11/email.html",
}


@pytest.mark.parametrize("name", list(PATHS))
def test_no_hostile_script_runs(browser, hostile_server, name):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        dialogs, errors, foreign = [], [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error"
                and not (m.text.startswith("Failed to load resource") and "favicon" in (m.location.get("url") or ""))
                else None)
        host = urlsplit(hostile_server).netloc
        page.on("request", lambda r: foreign.append(r.url)
                if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host else None)
        response = page.goto(hostile_server + PATHS[name], wait_until="load")
        assert response is not None and response.status == 200
        # Focus and hover everything once: autofocus/onfocus/onmouseover payloads get their chance.
        page.keyboard.press("Tab")
        for _ in range(15):
            page.keyboard.press("Tab")
        page.mouse.move(200, 200)
        page.mouse.move(600, 400)
        page.wait_for_timeout(300)
        assert not dialogs, f"a dialog opened: {dialogs}"
        assert not errors, errors
        assert not foreign, f"requests to other hosts: {foreign}"
    finally:
        context.close()
