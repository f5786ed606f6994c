"""RSS and Atom opened in Chromium: the feed's XSLT (assets/feed.xsl) makes a readable page in the
site's language that says what a feed is and lists the entries, with no console error and no
request to another host; the calendar's copy button copies its https address."""
from __future__ import annotations

import pytest

from browser.conftest import PageCase

FEEDS = ["/rss.xml", "/atom.xml", "/lokalsamfund/skibby/rss.xml", "/lokalsamfund/skibby/atom.xml",
         "/kommune/frederikssund/atom.xml"]
XSLT_DEPRECATION = "XSLTProcessor and XSLT Processing Instructions have been deprecated"


@pytest.mark.parametrize("path", FEEDS)
def test_a_feed_opens_as_a_readable_page(visit, site_server, path):
    v = visit(PageCase(path, path))
    page = v.page
    assert page.locator("h1").count() == 1
    title = page.locator("h1").inner_text()
    assert title.endswith("Nærpoliti")
    assert "(nyhedsfeed)" in page.title()
    body = page.inner_text("body")
    assert "Dette er et nyhedsfeed" in body and "feedlæser" in body
    assert f"https://naerpoliti.example.dk{path}" in body  # the address to subscribe to
    assert page.locator("ul.item-list > li").count() >= 1
    # the site's stylesheet is applied (its font), found beside the XSLT
    assert "IBM Plex Sans" in page.locator("body").evaluate("e => getComputedStyle(e).fontFamily")
    assert not v.page_errors
    assert not [e for e in v.console_errors if XSLT_DEPRECATION not in e], v.console_errors
    assert not v.failed_requests, v.failed_requests
    assert all(r.startswith(site_server) for r in v.requests), v.requests


def test_the_calendar_address_is_copied(browser, visit, site_server):
    v = visit(PageCase("locality", "/lokalsamfund/skibby/"))
    v.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_server)
    button = v.page.get_by_role("button", name="Kopiér adressen")
    assert button.count() == 1
    button.click()
    v.page.get_by_text("Adressen er kopieret.").wait_for()
    copied = v.page.evaluate("navigator.clipboard.readText()")
    assert copied == "https://naerpoliti.example.dk/lokalsamfund/skibby/kalender.ics"
    webcal = v.page.locator('a[href^="webcal:"]').get_attribute("href")
    assert webcal == "webcal://naerpoliti.example.dk/lokalsamfund/skibby/kalender.ics"
    assert not v.console_errors and not v.page_errors


def test_without_javascript_the_address_is_text(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_server + "/lokalsamfund/skibby/")
        assert page.get_by_role("button", name="Kopiér adressen").count() == 0
        code = page.locator(".copy-address code").inner_text()
        assert code == "https://naerpoliti.example.dk/lokalsamfund/skibby/kalender.ics"
    finally:
        context.close()
