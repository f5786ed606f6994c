"""The instant officer search and the nearest localities (templates/assets/search.js) in real Chromium:
the combobox of the header and front-page fields, what it lists, its keyboard, what a screen reader
hears, that the index is fetched only when used, what works without JavaScript, and geolocation."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import PageCase
from .test_quality import AXE_TAGS, axe_report

INDEX = "/data/soegeindeks.json"
FRONT = PageCase("front", "/")
EVENTS = PageCase("events", "/arrangementer/")
EN_FRONT = PageCase("en-front", "/en/")
NEAR_GLUMSOE = {"latitude": 55.3610, "longitude": 11.7010}  # a little north-east of Glumsø station


def assert_no_errors(v) -> None:
    # Chromium asks for /favicon.ico by itself, after the page has loaded: not this page's doing.
    problems = ([f"console error: {e}" for e in v.console_errors if "/favicon.ico:" not in e]
                + [f"page error: {e}" for e in v.page_errors]
                + [f"failed request: {e}" for e in v.failed_requests if "/favicon.ico:" not in e])
    assert not problems, "\n".join(problems)


def index_requests(v) -> list[str]:
    return [u for u in v.requests if u.split("?")[0].endswith(INDEX)]


def type_into(v, selector: str, text: str):
    field = v.page.locator(selector)
    field.click()
    field.press_sequentially(text)
    return field


def listbox(v, field):
    return v.page.locator("#" + field.get_attribute("aria-controls"))


def test_a_postcode_in_the_header_lists_its_locality_and_officer(visit):
    v = visit(EVENTS)
    field = type_into(v, "#header-search", "4050")
    options = listbox(v, field).get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Skibby")
    for text in ["4050", "Frederikssund Kommune", "Louise Hvidtfeldt Dam, områdebetjent", "+45 72 58 12 34"]:
        expect(options.first).to_contain_text(text)
    expect(field).to_have_attribute("role", "combobox")
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(field).to_have_attribute("aria-autocomplete", "list")
    expect(listbox(v, field)).to_have_attribute("role", "listbox")
    assert_no_errors(v)


@pytest.mark.parametrize("query", ["glumso", "glumsoe", "GLUMSØ"])
def test_a_town_without_its_letters_is_found(visit, query):
    v = visit(FRONT)
    field = type_into(v, "#front-search", query)
    options = listbox(v, field).get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Glumsø")
    expect(options.first).to_contain_text("Kasper Ravn Lindholm")
    assert_no_errors(v)


def test_ranking_and_names_of_municipalities_officers_and_councils(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "4700")  # the exact postcode of two localities
    options = listbox(v, field).get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Fladså")
    expect(options.nth(1)).to_contain_text("Næstved Vestegn")
    for query, first, count in [("næstved", "Næstved Vestegn", 3),  # its name first, then the municipality's
                                ("mads okkels", "Albertslund", 2),  # an officer
                                ("hvidovre lokalråd", "Hvidovre", 1),  # a council
                                ("brondby", "Brøndby", 1)]:
        field.fill("")
        field.press_sequentially(query)
        expect(options).to_have_count(count)
        expect(options.first).to_contain_text(first)
    assert_no_errors(v)


def test_arrow_down_and_enter_open_the_locality_page(visit):
    v = visit(EVENTS)
    field = type_into(v, "#header-search", "4050")
    expect(listbox(v, field).get_by_role("option")).to_have_count(1)
    field.press("ArrowDown")
    option = listbox(v, field).get_by_role("option").first
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    field.press("Enter")
    v.page.wait_for_url(re.compile(r"/lokalsamfund/skibby/$"))
    expect(v.page.locator("h1")).to_contain_text("Skibby")
    assert_no_errors(v)


def test_arrow_keys_move_and_wrap(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "næstved")
    options = listbox(v, field).get_by_role("option")
    expect(options).to_have_count(3)
    active = lambda: v.page.evaluate("document.activeElement.getAttribute('aria-activedescendant')")  # noqa: E731
    ids = [options.nth(i).get_attribute("id") for i in range(3)]
    for key, expected in [("ArrowDown", 0), ("ArrowDown", 1), ("ArrowDown", 2), ("ArrowDown", 0), ("ArrowUp", 2)]:
        field.press(key)
        assert active() == ids[expected]
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    expect(v.page.locator("[role=option][aria-selected=true]")).to_have_count(1)
    assert_no_errors(v)


def test_escape_closes_the_list(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "skib")
    box = listbox(v, field)
    expect(box).to_be_visible()
    field.press("ArrowDown")
    field.press("Escape")
    expect(box).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    assert field.get_attribute("aria-activedescendant") is None
    expect(field).to_have_value("skib")
    field.press("ArrowDown")  # opens it again
    expect(box).to_be_visible()
    assert_no_errors(v)


def test_a_click_on_an_option_opens_its_page(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "viborg")
    listbox(v, field).get_by_role("option").first.click()
    v.page.wait_for_url(re.compile(r"/lokalsamfund/viborg/$"))
    assert_no_errors(v)


def test_the_english_version_opens_the_english_page(visit):
    v = visit(EN_FRONT)
    field = type_into(v, "#header-search", "4050")
    expect(listbox(v, field).get_by_role("option")).to_have_count(1)
    field.press("Enter")  # no option active: the best match
    v.page.wait_for_url(re.compile(r"/en/lokalsamfund/skibby/$"))
    assert_no_errors(v)


def test_the_live_region_announces_the_number_found(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "næstved")
    status = v.page.locator("#front-search").locator("xpath=ancestor::form").get_by_role("status")
    expect(status).to_have_text("3 lokalsamfund fundet")
    expect(status).to_have_attribute("role", "status")
    field.fill("")
    field.press_sequentially("4050")
    expect(status).to_have_text("1 lokalsamfund fundet")
    field.press_sequentially("9")
    expect(status).to_have_text(re.compile(r"^Ingen lokalsamfund fundet"))
    expect(listbox(v, field)).to_be_hidden()
    field.fill("")
    field.press_sequentially("kommune")  # every locality: more than are shown
    expect(status).to_have_text("10 lokalsamfund fundet, de første 8 vises")
    expect(listbox(v, field).get_by_role("option")).to_have_count(8)
    assert_no_errors(v)


def test_the_index_is_fetched_only_when_a_field_is_used(visit):
    v = visit(FRONT, wait="networkidle")
    assert index_requests(v) == [], "the index was fetched on page load"
    with v.page.expect_response(lambda r: r.url.endswith(INDEX)) as response:
        v.page.locator("#header-search").focus()
    assert response.value.status == 200
    type_into(v, "#front-search", "4050")
    expect(v.page.locator("#front-search-list [role=option]")).to_have_count(1)
    assert len(index_requests(v)) == 1  # fetched once for both fields
    assert_no_errors(v)


def test_axe_finds_no_violations_with_the_list_open(visit):
    for case, selector, width in [(FRONT, "#front-search", 375), (FRONT, "#front-search", 1280),
                                  (EVENTS, "#header-search", 1280)]:
        v = visit(case, width)
        field = type_into(v, selector, "næstved")
        field.press("ArrowDown")
        expect(listbox(v, field)).to_be_visible()
        results = Axe().run(v.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                              "resultTypes": ["violations"]})
        violations = results.response["violations"]
        assert not violations, f"{case.path} at {width} px, list open:\n{axe_report(violations)}"
        assert_no_errors(v)


def test_the_open_list_fits_a_narrow_phone(visit):
    v = visit(FRONT, 320)
    field = type_into(v, "#header-search", "næstved")
    expect(listbox(v, field)).to_be_visible()
    scroll_width, inner_width = v.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width


# --- Without JavaScript ----------------------------------------------------------------------------------------------

def test_without_javascript_the_postcode_page_and_the_form_lead_to_the_locality(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_server + "/postnummer/4050/")
        page.get_by_role("main").get_by_role("link", name="Skibby").click()
        page.wait_for_url(re.compile(r"/lokalsamfund/skibby/$"))
        expect(page.locator("h1")).to_contain_text("Skibby")
        # the header field, submitted: the localities A–Z, which lead on to every locality
        page.locator("#header-search").fill("4050")
        page.locator("#header-search").press("Enter")
        page.wait_for_url(re.compile(r"/lokalsamfund/(\?.*)?$"))
        assert "4050" not in page.url  # what was typed is not sent to the server
        page.get_by_role("main").get_by_role("link", name="Skibby").click()
        page.wait_for_url(re.compile(r"/lokalsamfund/skibby/$"))
        # nothing that needs the script shows
        page.goto(site_server + "/")
        expect(page.locator(".nearest")).to_be_hidden()
        assert page.locator("[role=combobox]").count() == 0
    finally:
        context.close()


# --- Nearest localities ------------------------------------------------------------------------------------------------

def test_the_nearest_localities_from_the_browsers_position(visit, site_server):
    v = visit(FRONT, wait="networkidle")
    v.context.grant_permissions(["geolocation"], origin=site_server)
    v.context.set_geolocation(NEAR_GLUMSOE)
    button = v.page.get_by_role("button", name="Nærmeste lokalområde")
    expect(button).to_be_visible()
    assert index_requests(v) == []
    button.click()
    items = v.page.locator(".nearest-list > li")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text("Glumsø")
    expect(items.first).to_contain_text("km væk")
    expect(items.nth(1)).to_contain_text("Næstved Vestegn")
    expect(items.nth(2)).to_contain_text("Fladså")
    expect(v.page.locator(".nearest [role=status]")).to_have_text("De nærmeste lokalsamfund, det nærmeste først:")
    expect(items.first.get_by_role("link", name="Glumsø")).to_have_attribute("href", "/lokalsamfund/glumsoe/")
    expect(items.first.get_by_role("link", name="+45 72 55 47 10")).to_have_attribute("href", "tel:+4572554710")
    # only the site's own index was asked for: the position went nowhere
    assert all(u.startswith(site_server + "/") for u in v.requests)
    assert_no_errors(v)


def test_a_denied_position_is_explained(visit):
    v = visit(FRONT)
    v.context.clear_permissions()
    v.page.get_by_role("button", name="Nærmeste lokalområde").click()
    expect(v.page.locator(".nearest [role=status]")).to_have_text(
        "Din browser delte ikke din position. Søg i stedet efter postnummer eller by.")
    expect(v.page.locator(".nearest-list > li")).to_have_count(0)
    assert_no_errors(v)
