"""Scopes, publication dates, drafts and ordering, read from the SiteModel and the pages."""
from conftest import REGISTRY, build, news

TWO_MUNICIPALITIES = REGISTRY.replace("""localities:
""", """  - id: naestved-betjent
    name: Nikolaj Netværk
    title: Netværksbetjent
localities:
  - id: glumsoe
    name: Glumsø
    municipality: naestved
    postcodes: ["4171"]
    officer: naestved-betjent
""").replace("""stations:
""", """  - id: naestved
    name: Næstved Kommune
    district: sydsjaelland
stations:
""").replace("""municipalities:
""", """  - id: sydsjaelland
    name: Sydsjællands og Lolland-Falsters Politi
municipalities:
""")


def test_scopes_reach_every_locality_below_and_no_other(site_root):
    root = site_root({
        "content/news/a-lokal.md": news("Kun Skibby", "2026-11-01", "localities: [skibby]"),
        "content/news/b-kommune.md": news("Hele Frederikssund", "2026-11-02", "municipalities: [frederikssund]"),
        "content/news/c-kreds.md": news("Hele Nordsjælland", "2026-11-03", "districts: [nordsjaelland]"),
        "content/news/d-land.md": news("Hele landet", "2026-11-04", "national: true"),
        "content/news/e-glumsoe.md": news("Kun Glumsø", "2026-11-05", "localities: [glumsoe]"),
    }, registry=TWO_MUNICIPALITIES)
    site = build(root).site
    titles = lambda kind, id: [n.title for n in site.news_for(kind, id)]
    assert titles("locality", "skibby") == ["Hele landet", "Hele Nordsjælland", "Hele Frederikssund", "Kun Skibby"]
    assert titles("locality", "slangerup") == ["Hele landet", "Hele Nordsjælland", "Hele Frederikssund"]
    assert titles("locality", "glumsoe") == ["Kun Glumsø", "Hele landet"]
    # an area's page also shows what was written for the places under it
    assert titles("municipality", "frederikssund") == ["Hele landet", "Hele Nordsjælland", "Hele Frederikssund", "Kun Skibby"]
    assert titles("district", "sydsjaelland") == ["Kun Glumsø", "Hele landet"]
    assert titles("locality", "skibby")[:2] == [n.title for n in site.news_for("locality", "skibby", 2)]


def test_the_scope_rule_is_one_rule(site_root):
    """An item is in an area's lists exactly when the area is among those the item shows in
    (which incremental rebuilds use to choose the feeds to write anew)."""
    root = site_root({
        "content/news/a-lokal.md": news("Kun Skibby", "2026-11-01", "localities: [skibby]"),
        "content/news/b-kommune.md": news("Hele Frederikssund", "2026-11-02", "municipalities: [frederikssund]"),
        "content/news/c-kreds.md": news("Hele Nordsjælland", "2026-11-03", "districts: [nordsjaelland]"),
        "content/news/d-land.md": news("Hele landet", "2026-11-04", "national: true"),
        "content/news/e-to.md": news("To steder", "2026-11-05", "localities: [glumsoe]\nmunicipalities: [frederikssund]"),
    }, registry=TWO_MUNICIPALITIES)
    site = build(root).site
    areas = ([("district", d.id) for d in site.districts] + [("municipality", m.id) for m in site.municipalities]
             + [("locality", loc.id) for loc in site.localities])
    for item in site.news:
        listed = {(kind, id) for kind, id in areas if item in site.news_for(kind, id)}
        assert listed == site.areas_showing(item), item.title
    assert site.areas_below("district", "nordsjaelland") == [
        ("municipality", "frederikssund"), ("locality", "skibby"), ("locality", "slangerup")]
    assert site.areas_above("locality", "glumsoe") == [("municipality", "naestved"), ("district", "sydsjaelland")]


def test_an_item_naming_two_scopes_is_listed_once(site_root):
    root = site_root({"content/news/a.md": news(scope="localities: [skibby]\nmunicipalities: [frederikssund]")})
    assert len(build(root).site.news_for("locality", "skibby")) == 1


def test_future_news_and_drafts_are_not_published(site_root, tmp_path):
    root = site_root({
        "content/news/i-dag.md": news("I dag", "2026-11-22"),
        "content/news/i-morgen.md": news("I morgen", "2026-11-23"),
        "content/news/kladde.md": news("Kladde", "2026-11-01", extra="draft: true\n"),
    })
    out = tmp_path / "out"
    result = build(root, out)
    assert [n.title for n in result.site.news] == ["I dag"]
    assert (out / "nyheder/i-dag/index.html").exists()
    assert not (out / "nyheder/i-morgen").exists() and not (out / "nyheder/kladde").exists()
    everything = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"I morgen" not in everything and b"Kladde" not in everything


def test_news_order_has_a_tie_break(site_root):
    root = site_root({f"content/news/{slug}.md": news(slug, "2026-11-20") for slug in ["b", "a", "c"]}
                     | {"content/news/d.md": news("d", "2026-11-20T08:00")})
    assert [n.slug for n in build(root).site.news] == ["d", "c", "b", "a"]


EVENT = """\
---
title: {title}
kind: citizen-meeting
start: {start}
location: Skibby Hallen
localities: [skibby]
---
"""


def test_upcoming_events_include_today_and_exclude_the_past(site_root, tmp_path):
    root = site_root({
        "content/events/i-gaar.md": EVENT.format(title="I går", start="2026-11-21T19:00"),
        "content/events/i-dag.md": EVENT.format(title="I dag", start="2026-11-22T08:00"),
        "content/events/senere.md": EVENT.format(title="Senere", start="2027-01-10"),
    })
    out = tmp_path / "out"
    site = build(root, out).site
    assert [e.title for e in site.upcoming_events_for("locality", "skibby")] == ["I dag", "Senere"]
    assert [e.title for e in site.past_events] == ["I går"]
    assert "Arrangementet er afholdt" in (out / "arrangementer/i-gaar/index.html").read_text()
    page = (out / "arrangementer/senere/index.html").read_text()
    assert '<time datetime="2027-01-10">søndag d. 10. januar 2027</time>' in page


def test_duplicate_ids_name_both_places(site_root):
    registry = REGISTRY + """\
  - id: skibby
    name: Skibby igen
    municipality: frederikssund
    postcodes: ["4050"]
    officer: skibby-betjent
"""
    result = build(site_root(registry=registry))
    assert [str(d) for d in result.diagnostics.errors] == [
        "localities.yaml:33:9: error: duplicate locality id 'skibby' (also defined on line 23)"]


def test_old_verification_is_a_warning_that_fails_only_with_strict(site_root, tmp_path):
    registry = REGISTRY.replace("    station: frederikssund-politistation\n",
                                "    station: frederikssund-politistation\n    verified: 2025-11-21\n")
    root = site_root(registry=registry)
    result = build(root, tmp_path / "a")
    assert not result.failed and (tmp_path / "a/index.html").exists()
    assert [d.message for d in result.diagnostics.warnings] == [
        "the contact details of officer 'skibby-betjent' were last verified on 2025-11-21, over 12 months ago: "
        "check them and update 'verified'"]
    strict = build(root, tmp_path / "b", strict=True)
    assert strict.failed and not (tmp_path / "b").exists()
