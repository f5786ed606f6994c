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


def items(v, field):
    """The suggestions: one list item per locality."""
    return listbox(v, field).locator("> li")


def no_match(v, field):
    return v.page.locator(f"#{field.get_attribute('id')}-none")


def test_a_postcode_in_the_header_lists_its_locality_and_officer(visit):
    v = visit(EVENTS)
    field = type_into(v, "#header-search", "4050")
    found = items(v, field)
    expect(found).to_have_count(1)
    expect(found.first.locator("a.finder-name")).to_have_text("Skibby")
    expect(found.first.locator("a.finder-name")).to_have_attribute("href", "/lokalsamfund/skibby/")
    for text in ["4050", "Frederikssund Kommune", "Louise Hvidtfeldt Dam, områdebetjent", "+45 72 58 12 34"]:
        expect(found.first).to_contain_text(text)
    # the phone number is a link that calls
    expect(found.first.get_by_role("link", name="+45 72 58 12 34")).to_have_attribute("href", "tel:+4572581234")
    assert_no_errors(v)


@pytest.mark.parametrize("query", ["glumso", "glumsoe", "GLUMSØ"])
def test_a_town_without_its_letters_is_found(visit, query):
    v = visit(FRONT)
    field = type_into(v, "#front-search", query)
    found = items(v, field)
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text("Glumsø")
    expect(found.first).to_contain_text("Kasper Ravn Lindholm")
    assert_no_errors(v)


@pytest.mark.parametrize(("query", "locality", "place"), [
    ("Tappernøje", "Fladså", "Tappernøje"), ("tappernoje", "Fladså", "Tappernøje"),
    ("TAPPERNØJE", "Fladså", "Tappernøje"), ("tappernoeje", "Fladså", "Tappernøje"),
    ("Mogenstrup", "Fladså", "Mogenstrup"), ("fuglebjerg", "Næstved Vestegn", "Fuglebjerg"),
    ("brondby strand", "Brøndby", "Brøndby Strand"),
])
def test_a_village_or_neighbourhood_finds_its_locality(visit, query, locality, place):
    v = visit(EVENTS)
    field = type_into(v, "#header-search", query)
    found = items(v, field)
    expect(found).to_have_count(1)
    expect(found.first.locator("a.finder-name")).to_have_text(locality)
    expect(found.first).to_contain_text(place)  # why it was found
    assert_no_errors(v)


def test_ranking_and_names_of_municipalities_officers_and_councils(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "4700")  # the exact postcode of two localities
    found = items(v, field)
    expect(found).to_have_count(2)
    expect(found.nth(0)).to_contain_text("Fladså")
    expect(found.nth(1)).to_contain_text("Næstved Vestegn")
    for query, first, count in [("næstved", "Næstved Vestegn", 3),  # its name first, then the municipality's
                                ("mads okkels", "Albertslund", 2),  # an officer
                                ("hvidovre lokalråd", "Hvidovre", 1),  # a council
                                ("brondby", "Brøndby", 1)]:
        field.fill("")
        field.press_sequentially(query)
        expect(found).to_have_count(count)
        expect(found.first).to_contain_text(first)
    assert_no_errors(v)


@pytest.mark.parametrize(("query", "count"), [("4700", 2), ("Frederikssund", 2), ("næstved", 3)])
def test_enter_on_an_ambiguous_query_lists_every_match_and_stays(visit, query, count):
    v = visit(EVENTS)
    field = v.page.locator("#header-search")
    field.fill(query)  # typed at once, then Enter before any list was shown
    field.press("Enter")
    expect(items(v, field)).to_have_count(count)
    expect(listbox(v, field)).to_be_visible()
    v.page.wait_for_timeout(300)
    assert v.page.url.endswith("/arrangementer/")
    expect(field).to_be_focused()
    assert_no_errors(v)


def test_arrow_down_and_enter_open_the_locality_page(visit):
    v = visit(EVENTS)
    field = type_into(v, "#header-search", "4050")
    expect(items(v, field)).to_have_count(1)
    field.press("ArrowDown")
    link = items(v, field).first.locator("a.finder-name")
    expect(link).to_be_focused()
    v.page.keyboard.press("Enter")
    v.page.wait_for_url(re.compile(r"/lokalsamfund/skibby/$"))
    expect(v.page.locator("h1")).to_contain_text("Skibby")
    assert_no_errors(v)


def test_arrow_keys_move_and_wrap(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "næstved")
    found = items(v, field)
    expect(found).to_have_count(3)
    focused = lambda: v.page.evaluate("document.activeElement.textContent")  # noqa: E731
    names = [found.nth(i).locator("a.finder-name").text_content() for i in range(3)]
    field.press("ArrowDown")
    assert focused() == names[0]
    for key, expected in [("ArrowDown", 1), ("ArrowDown", 2), ("ArrowDown", 0), ("ArrowUp", 2)]:
        v.page.keyboard.press(key)
        assert focused() == names[expected]
    v.page.keyboard.press("Escape")  # back to the field, the list closed
    expect(field).to_be_focused()
    expect(listbox(v, field)).to_be_hidden()
    assert_no_errors(v)


def test_escape_closes_the_list(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "skib")
    box = listbox(v, field)
    expect(box).to_be_visible()
    field.press("Escape")
    expect(box).to_be_hidden()
    expect(field).to_have_value("skib")
    field.press("ArrowDown")  # opens it again
    expect(box).to_be_visible()
    field.press("Escape")
    field.press("Escape")  # a second Escape empties the field
    expect(field).to_have_value("")
    assert_no_errors(v)


def test_a_click_on_a_suggestion_opens_its_page(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "viborg")
    items(v, field).first.locator(".finder-meta").first.click()  # anywhere on it
    v.page.wait_for_url(re.compile(r"/lokalsamfund/viborg/$"))
    assert_no_errors(v)


def test_the_english_version_opens_the_english_page(visit):
    v = visit(EN_FRONT)
    field = type_into(v, "#header-search", "4050")
    expect(items(v, field)).to_have_count(1)
    field.press("Enter")  # exactly one match: it opens
    v.page.wait_for_url(re.compile(r"/en/lokalsamfund/skibby/$"))
    assert_no_errors(v)


def test_the_live_region_announces_the_number_found(visit):
    v = visit(FRONT)
    field = type_into(v, "#front-search", "næstved")
    status = v.page.locator("#front-search").locator("xpath=ancestor::form").get_by_role("status")
    expect(status).to_have_text("3 lokalsamfund fundet")
    field.fill("")
    field.press_sequentially("4050")
    expect(status).to_have_text("1 lokalsamfund fundet")
    field.press_sequentially("9")
    expect(status).to_have_text(re.compile(r"^Ingen lokalsamfund fundet"))
    expect(listbox(v, field)).to_be_hidden()
    field.fill("")
    field.press_sequentially("kommune")  # every locality: more than are shown
    expect(status).to_have_text("10 lokalsamfund fundet, de første 8 vises")
    expect(items(v, field)).to_have_count(8)
    assert_no_errors(v)


def test_no_match_is_shown_with_the_postcodes_and_the_list_a_z(visit):
    for width in (375, 1280):
        v = visit(EVENTS, width)
        field = type_into(v, "#header-search", "xyzzy")
        message = no_match(v, field)
        expect(message).to_be_visible()
        expect(message).to_contain_text("Ingen lokalsamfund fundet")
        expect(message.get_by_role("link", name="Postnumre")).to_have_attribute("href", "/postnummer/")
        expect(message.get_by_role("link", name="Lokalsamfund A–Å")).to_have_attribute("href", "/lokalsamfund/")
        field.press("Enter")  # nothing to open: the message stays
        expect(message).to_be_visible()
        assert v.page.url.endswith("/arrangementer/")
        message.get_by_role("link", name="Postnumre").click()
        v.page.wait_for_url(re.compile(r"/postnummer/$"))
        assert_no_errors(v)


def test_the_index_is_fetched_only_when_a_field_is_used(visit):
    v = visit(FRONT, wait="networkidle")
    assert index_requests(v) == [], "the index was fetched on page load"
    with v.page.expect_response(lambda r: r.url.endswith(INDEX)) as response:
        v.page.locator("#header-search").focus()
    assert response.value.status == 200
    type_into(v, "#front-search", "4050")
    expect(v.page.locator("#front-search-list > li")).to_have_count(1)
    assert len(index_requests(v)) == 1  # fetched once for both fields
    assert_no_errors(v)


def test_axe_finds_no_violations_with_the_list_or_the_message_open(visit):
    for case, selector, width, query in [(FRONT, "#front-search", 375, "næstved"),
                                         (FRONT, "#front-search", 1280, "næstved"),
                                         (EVENTS, "#header-search", 1280, "næstved"),
                                         (EVENTS, "#header-search", 375, "xyzzy")]:
        v = visit(case, width)
        field = type_into(v, selector, query)
        expect(no_match(v, field) if query == "xyzzy" else listbox(v, field)).to_be_visible()
        results = Axe().run(v.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                              "resultTypes": ["violations"]})
        violations = results.response["violations"]
        assert not violations, f"{case.path} at {width} px, {query!r}:\n{axe_report(violations)}"
        assert_no_errors(v)


def test_the_open_list_fits_a_narrow_phone(visit):
    for query in ("næstved", "xyzzy"):
        v = visit(FRONT, 320)
        field = type_into(v, "#header-search", query)
        expect(no_match(v, field) if query == "xyzzy" else listbox(v, field)).to_be_visible()
        scroll_width, inner_width = v.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= inner_width


def test_if_the_index_cannot_be_loaded_enter_searches_the_whole_site_with_what_was_typed(visit):
    v = visit(EVENTS)
    v.page.route(re.compile(r".*/data/soegeindeks\.json$"), lambda route: route.fulfill(status=503))
    field = type_into(v, "#header-search", "Mogenstrup")
    status = v.page.locator("#header-search").locator("xpath=ancestor::form").get_by_role("status")
    expect(status).to_contain_text("kunne ikke indlæses")
    field.press("Enter")
    v.page.wait_for_url(re.compile(r"/soeg/\?q=Mogenstrup$"))
    expect(v.page.locator("#fulltext-q")).to_have_value("Mogenstrup")


# --- Without JavaScript ----------------------------------------------------------------------------------------------

def test_without_javascript_links_replace_the_search_field(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for path in ("/arrangementer/", "/", "/soeg/"):
            page.goto(site_server + path)
            # no field that could not search: nothing drops what someone types
            expect(page.locator("input[type=search]:visible")).to_have_count(0)
            assert page.locator("[role=combobox]").count() == 0
        page.goto(site_server + "/arrangementer/")
        header = page.get_by_role("banner")
        expect(header.get_by_role("link", name="Søg")).to_have_attribute("href", "/soeg/")
        header.get_by_role("link", name="Postnumre").click()
        page.wait_for_url(re.compile(r"/postnummer/$"))
        page.get_by_role("main").get_by_role("link", name="4733").click()
        page.get_by_role("main").get_by_role("link", name="Fladså").click()
        page.wait_for_url(re.compile(r"/lokalsamfund/fladsaa/$"))
        expect(page.get_by_role("main")).to_contain_text("Tappernøje")
        page.get_by_role("banner").get_by_role("link", name="Lokalsamfund A–Å").click()
        page.wait_for_url(re.compile(r"/lokalsamfund/$"))
        expect(page.get_by_role("main")).to_contain_text("Mogenstrup")  # places are listed A–Z too
        page.goto(site_server + "/")
        expect(page.locator(".nearest")).to_be_hidden()
    finally:
        context.close()


def test_with_javascript_the_field_shows_and_the_links_do_not(visit):
    v = visit(EVENTS)
    expect(v.page.locator("#header-search")).to_be_visible()
    expect(v.page.get_by_role("banner").get_by_role("link", name="Postnumre")).to_have_count(0)
    expect(v.page.get_by_role("banner").get_by_role("link", name="Søg")).to_be_visible()
    assert_no_errors(v)


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


# --- A site in a sub-path whose localities share a postcode and a place --------------------------------------------

from .test_fulltext_browser import SUB, subpath_server  # noqa: E402,F401 - the fixture, shared


def test_on_a_sub_path_site_a_shared_postcode_and_a_shared_place_list_every_locality(
        browser, subpath_server):  # noqa: F811 - the fixture
    origin, _ = subpath_server
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{origin}{SUB}/arrangementer/")
        field = page.locator("#header-search")
        found = page.locator("#header-search-list > li")
        for query, names in [("4700", ["Fladså", "Næstved By", "Næstved Vestegn"]),
                             ("hammer", ["Fladså", "Næstved By"]), ("kalbyris", ["Næstved By"]),
                             ("tappernoje", ["Fladså"])]:
            field.fill("")
            field.press_sequentially(query)
            expect(found).to_have_count(len(names))
            assert [n.text_content() for n in found.locator("a.finder-name").all()] == names
        for a in found.locator("a.finder-name").all():
            assert a.get_attribute("href").startswith(f"{SUB}/lokalsamfund/")
        field.fill("4700")
        field.press("Enter")  # three localities: none is picked
        expect(found).to_have_count(3)
        page.wait_for_timeout(300)
        assert page.url == f"{origin}{SUB}/arrangementer/"
        field.fill("kalbyris")
        field.press("Enter")  # exactly one: it opens
        page.wait_for_url(f"{origin}{SUB}/lokalsamfund/naestved-by/")
        expect(page.locator("main")).to_contain_text("Omfatter Hammer, Kalbyris.")
        field = page.locator("#header-search")
        field.press_sequentially("xyzzy")
        message = page.locator("#header-search-none")
        expect(message).to_be_visible()
        assert message.get_by_role("link", name="Postnumre").get_attribute("href") == f"{SUB}/postnummer/"
        assert not errors, errors
    finally:
        context.close()
