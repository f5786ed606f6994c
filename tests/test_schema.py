"""Typed records from raw values: each mistake is one clear message at the right place."""
import pytest

from conftest import REGISTRY, build, messages, news
from naerpoliti.errors import Diagnostics, Position
from naerpoliti.schema import (Coordinates, Ctx, Date, DateOrTime, Email, Invalid, PhoneNumber,
                               Postcode, slugify)


def ctx(tmp_path):
    return Ctx(tmp_path, "x.yaml", Diagnostics())


P = Position("x.yaml", 1, 1)


def test_slugify_transliterates_danish_letters():
    assert slugify("Glumsø") == "glumsoe"
    assert slugify("Næstved Vestegn") == "naestved-vestegn"
    assert slugify("Fladså") == "fladsaa"
    assert slugify("Café Ærø") == "cafe-aeroe"


@pytest.mark.parametrize("value,display,uri", [
    ("+45 72 58 12 34", "+45 72 58 12 34", "tel:+4572581234"),
    ("72283200", "+45 72 28 32 00", "tel:+4572283200"),
    ("+44 20 7946 0958", "+44 20 7946 0958", "tel:+442079460958"),
])
def test_phone_numbers_are_normalised(tmp_path, value, display, uri):
    phone = PhoneNumber().convert(value, P, ctx(tmp_path))
    assert (phone.display, phone.uri) == (display, uri)


@pytest.mark.parametrize("value", ["12 34", "+45 20 00 00 00", "ring til mig", "112"])
def test_invalid_phone_numbers(tmp_path, value):
    with pytest.raises(Invalid, match="is not a valid phone number"):
        PhoneNumber().convert(value, P, ctx(tmp_path))


def test_email(tmp_path):
    assert Email().convert("Mette@Example.dk", P, ctx(tmp_path)) == "Mette@example.dk"
    with pytest.raises(Invalid, match="is not a valid e-mail address"):
        Email().convert("mette@", P, ctx(tmp_path))


def test_dates(tmp_path):
    import datetime as dt
    assert Date().convert("2026-11-20", P, ctx(tmp_path)) == dt.date(2026, 11, 20)
    with pytest.raises(Invalid, match="not a real date"):
        Date().convert("2026-02-30", P, ctx(tmp_path))
    with pytest.raises(Invalid, match="write it as YYYY-MM-DD"):
        Date().convert("20/11/2026", P, ctx(tmp_path))


def test_date_or_time_is_local_unless_an_offset_is_given(tmp_path):
    from zoneinfo import ZoneInfo
    c = ctx(tmp_path)
    c.tz = ZoneInfo("Europe/Copenhagen")
    value, has_time = DateOrTime().convert("2026-12-03T19:00", P, c)
    assert has_time and value.isoformat() == "2026-12-03T19:00:00+01:00"
    value, has_time = DateOrTime().convert("2026-07-03 19:00", P, c)
    assert value.isoformat() == "2026-07-03T19:00:00+02:00"
    value, has_time = DateOrTime().convert("2026-12-03T19:00Z", P, c)
    assert value.isoformat() == "2026-12-03T19:00:00+00:00"
    value, has_time = DateOrTime().convert("2026-12-03", P, c)
    assert not has_time
    with pytest.raises(Invalid, match="not a real date and time"):
        DateOrTime().convert("2026-12-03T25:00", P, c)


def test_postcodes_and_coordinates(tmp_path):
    assert Postcode().convert(4050, P, ctx(tmp_path)) == "4050"
    with pytest.raises(Invalid, match="four digits"):
        Postcode().convert("405", P, ctx(tmp_path))
    assert Coordinates().convert([55.75, 11.96], P, ctx(tmp_path)) == (55.75, 11.96)
    with pytest.raises(Invalid, match="not a place on Earth"):
        Coordinates().convert([155.75, 11.96], P, ctx(tmp_path))


def test_unknown_field_suggests_the_closest_name(site_root):
    root = site_root({"content/news/n.md": news(extra="titel: x\n")})
    assert messages(build(root)) == [
        "content/news/n.md:5:1: error: unknown field 'titel' in a news item (did you mean 'title'?)"]


def test_all_errors_of_a_build_are_reported_at_once(site_root):
    registry = REGISTRY.replace('postcodes: ["4050"]', 'postcodes: ["405"]').replace(
        "email: mette@example.dk", "email: mette@")
    root = site_root({
        "content/news/a.md": news(scope="localities: [skiby]"),
        "content/news/b.md": "no front matter\n",
    }, registry=registry)
    result = build(root)
    assert result.failed
    assert messages(result) == [  # localities.yaml first: its mistakes often cause the others
        "localities.yaml:20:12: error: email: 'mette@' is not a valid e-mail address: "
        "There must be something after the @-sign.",
        "localities.yaml:26:17: error: postcodes: postcode '405' must be four digits in quotes, e.g. \"4050\"",
        "content/news/a.md:4:14: error: localities: unknown locality 'skiby' (did you mean 'skibby'?)",
        "content/news/b.md:1:1: error: front matter is missing: the file must start with a line '---', "
        "then fields such as 'title: ...', then another line '---'",
    ]


def test_wrong_type_says_what_was_expected(site_root):
    root = site_root({"content/news/a.md": news(title="[en, liste]")})
    assert messages(build(root)) == [
        "content/news/a.md:2:8: error: title: must be text, not a list"]


def test_yes_no_values_get_a_hint_about_quotes(site_root):
    root = site_root({"content/news/a.md": news(title="no")})
    (msg,) = messages(build(root))
    assert "put the text in quotes" in msg


def test_a_single_scope_id_is_accepted_as_a_list(site_root):
    root = site_root({"content/news/a.md": news(scope="localities: skibby")})
    result = build(root)
    assert not result.failed and result.site.news[0].scope.localities == ("skibby",)


def test_invalid_record_is_not_reported_again_as_unknown(site_root):
    # The locality has a bad postcode; news referring to it must not also say "unknown locality".
    registry = REGISTRY.replace('postcodes: ["4050"]', 'postcodes: ["40500"]')
    root = site_root({"content/news/a.md": news()}, registry=registry)
    assert [m.split(": error: ")[0] for m in messages(build(root))] == ["localities.yaml:26:17"]


def test_consent_fields_must_exist(site_root):
    root = site_root({"content/ambassadors/skibby.yaml": """\
        - id: anna
          name: Anna Testesen
          consent: {given: 2026-01-01, fields: [name, adresse]}
        """})
    assert messages(build(root)) == [
        "content/ambassadors/skibby.yaml:3:47: error: consent.fields: 'adresse' is not allowed here: "
        "use 'name', 'role', 'phone', 'email' or 'photo'"]


def test_event_end_before_start(site_root):
    root = site_root({"content/events/e.md": """\
        ---
        title: Møde
        kind: citizen-meeting
        start: 2026-12-03T19:00
        end: 2026-12-03T18:00
        location: Skibby Hallen
        localities: [skibby]
        ---
        """})
    assert messages(build(root)) == [
        "content/events/e.md:5:6: error: end: the event ends (2026-12-03 18:00) before it starts (2026-12-03 19:00)"]


# --- places: a locality's villages and neighbourhoods ---------------------------------------------------------

def _with_places(places: str, other: str = "") -> str:
    registry = REGISTRY.replace('    postcodes: ["4050"]\n', f'    postcodes: ["4050"]\n    places: {places}\n')
    return registry.replace('    postcodes: ["3550"]\n', f'    postcodes: ["3550"]\n    places: {other}\n') if other else registry


def test_places_are_a_list_of_texts(site_root):
    result = build(site_root(registry=_with_places("[Selsø, Kulhuse, 'Brøndby Strand']", other="[Selsø]")))
    assert not result.failed, messages(result)  # a place in two localities is allowed
    assert result.site.locality_by_id["skibby"].places == ("Selsø", "Kulhuse", "Brøndby Strand")
    assert result.site.locality_by_id["slangerup"].places == ("Selsø",)


@pytest.mark.parametrize(("places", "message"), [
    ("[Selsø, Kulhuse, selsoe]", "localities.yaml:27:30: error: places: 'selsoe' is in the list twice "
                                 "(also as item 0): remove one"),
    ("[Selsø, '  ']", "localities.yaml:27:21: error: places: must not be empty"),
    ("[]", "localities.yaml:27:13: error: places: must not be an empty list"),
    ("Selsø", "localities.yaml:27:13: error: places: must be a list, e.g. [...]"),
    ("[{name: Selsø}]", "localities.yaml:27:14: error: places: must be text, not a group of fields"),
])
def test_wrong_places(site_root, places, message):
    assert messages(build(site_root(registry=_with_places(places)))) == [message]
