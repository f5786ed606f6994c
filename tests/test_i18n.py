"""The interface in Danish and English: catalogs complete and current, dates per language,
an alternate language version under /en/ with hreflang, the accessibility statement and /was/."""
import re
from pathlib import Path

import pytest

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from conftest import REGISTRY, REPO, build, news, sitemap_text

LOCALE = REPO / "templates" / "locale"


def catalog(path: Path, reader=read_po):
    with path.open("rb") as f:
        return reader(f)


def test_danish_catalog_is_complete_and_compiled():
    po = catalog(LOCALE / "da/LC_MESSAGES/messages.po")
    pot = catalog(LOCALE / "messages.pot")
    ids = {m.id for m in pot if m.id}
    assert ids and ids == {m.id for m in po if m.id}
    for m in po:
        if m.id:
            assert m.string and "fuzzy" not in m.flags, f"untranslated: {m.id!r}"
            # placeholders must survive translation
            assert sorted(re.findall(r"%\(\w+\)s", m.id)) == sorted(re.findall(r"%\(\w+\)s", m.string)), m.id
    mo = catalog(LOCALE / "da/LC_MESSAGES/messages.mo", read_mo)
    assert {m.id: m.string for m in mo if m.id} == {m.id: m.string for m in po if m.id}, \
        "messages.mo is stale: run pybabel compile -d templates/locale"


def test_template_catalog_is_current():
    method_map = [("naerpoliti/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do", "trim_blocks": "true",
                                     "lstrip_blocks": "true", "newstyle_gettext": "true"}}
    extracted = {msg[2] if isinstance(msg[2], str) else msg[2][0]
                 for msg in extract_from_dir(str(REPO), method_map, options_map=options)}
    pot = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(LOCALE / "messages.pot") if m.id}
    assert extracted == pot, "run the extract and update commands in README (Translating)"


def test_english_interface(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(date="2026-08-21")},
                     registry=REGISTRY.replace("  base_url: https://test.example.dk/", "  base_url: https://test.example.dk/\n  language: en"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    html = (out / "index.html").read_text()
    assert '<html lang="en">' in html and "Find your local officer" in html and "Skip to content" in html
    assert "21 August 2026" in (out / "nyheder/a/index.html").read_text()


def test_danish_dates(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(date="2026-08-21")})
    out = tmp_path / "site"
    build(root, out)
    page = (out / "nyheder/a/index.html").read_text()
    assert '<html lang="da">' in page and "21. august 2026" in page


def test_alternate_language_version_with_hreflang(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(title="Låsen")},
                     registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               "  base_url: https://test.example.dk/\n  alternate_language: en"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    da = (out / "lokalsamfund/skibby/index.html").read_text()
    en = (out / "en/lokalsamfund/skibby/index.html").read_text()
    for page in (da, en):
        assert '<link rel="alternate" hreflang="da" href="https://test.example.dk/lokalsamfund/skibby/">' in page
        assert '<link rel="alternate" hreflang="en" href="https://test.example.dk/en/lokalsamfund/skibby/">' in page
    assert '<html lang="en">' in en and "Your local officer" in en and 'href="/en/nyheder/a/"' in en
    assert "Låsen" in (out / "en/nyheder/a/index.html").read_text()  # content stays as written
    assert 'href="/assets/naerpoliti.css"' in en  # assets shared, not copied
    assert not (out / "en/assets").exists()
    sitemap = sitemap_text(out)
    assert "https://test.example.dk/en/lokalsamfund/skibby/" in sitemap


def test_same_language_twice_is_an_error(site_root):
    root = site_root(registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               "  base_url: https://test.example.dk/\n  alternate_language: da"))
    (msg,) = [str(d) for d in build(root).diagnostics.errors]
    assert "alternate_language: must differ from site.language" in msg


def test_accessibility_statement_in_every_footer_and_was_leads_to_it(site_root, tmp_path):
    root = site_root({"content/news/a.md": news()},
                     registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               "  base_url: https://test.example.dk/\n  accessibility_contact: web@example.dk"))
    out = tmp_path / "site"
    build(root, out)
    statement = (out / "tilgaengelighedserklaering/index.html").read_text()
    assert "Tilgængelighedserklæring" in statement and "mailto:web@example.dk" in statement
    for page in out.rglob("*.html"):
        if page.parent.name != "was" and page.name != "email.html":  # e-mails link absolutely
            assert 'href="/tilgaengelighedserklaering/"' in page.read_text(), page
    was = (out / "was/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=https://test.example.dk/tilgaengelighedserklaering/">' in was


def test_was_url_replaces_the_own_statement(site_root, tmp_path):
    url = "https://www.was.digst.dk/naerpoliti-example-dk"
    root = site_root(registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               f"  base_url: https://test.example.dk/\n  was_url: {url}"))
    out = tmp_path / "site"
    build(root, out)
    assert not (out / "tilgaengelighedserklaering").exists()
    assert f'href="{url}"' in (out / "index.html").read_text()
    assert f"url={url}" in (out / "was/index.html").read_text()


def test_an_editors_page_replaces_the_built_in_statement(site_root, tmp_path):
    root = site_root({"content/pages/tilgaengelighedserklaering.md": "---\ntitle: Vores erklæring\n---\nTekst\n"})
    out = tmp_path / "site"
    build(root, out)
    assert "Vores erklæring" in (out / "tilgaengelighedserklaering/index.html").read_text()
    assert (out / "index.html").read_text().count('href="/tilgaengelighedserklaering/"') == 1


def test_gettext_and_dates_are_jinjas_and_babels():
    """naerpoliti/render/environment.py installs a cheaper gettext and remembers formatted days;
    what they give must be what Jinja's own newstyle gettext and Babel give: escaped or not, in
    loops, blocks and macros, with "%%", the second time as the first."""
    import datetime as dt

    import jinja2
    from babel.dates import format_date

    from naerpoliti.render.environment import _new_environment, translations

    source = """{% set area = "<Skibby & Co>" %}{{ _("News") }}|{{ _("Newsletter for %(area)s", area=area) }}|
{% for n in [1, 2] %}{{ _("Newsletter for %(area)s", area=n) }}{{ _("News") }}{% endfor %}|
{% autoescape false %}{{ _("Newsletter for %(area)s", area=area) }}|{{ _("News") | upper }}{% endautoescape %}|
{{ _("100%% <sure>") }}|{{ _("100%% %(x)s", x="&") }}|{% macro m() %}{{ _("News") }}{% endmacro %}{{ m() }}|
{% block b %}{{ _("News") }}{% endblock %}|{{ gettext("Newsletter for %(area)s", area=area) }}"""
    for language, pattern, locale in (("da", "d. MMMM y", "da_DK"), ("en", "d MMMM y", "en_GB")):
        ours = _new_environment(REPO, language)
        theirs = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        theirs.install_gettext_translations(translations(REPO, language), newstyle=True)
        expected = theirs.from_string(source).render()
        assert ("Nyheder" in expected) == (language == "da") and "&lt;Skibby &amp; Co&gt;" in expected
        for _ in range(2):
            assert ours.from_string(source).render() == expected
        with pytest.raises(KeyError):  # a placeholder without a value, as in Jinja's
            ours.from_string('{{ _("Newsletter for %(area)s") }}').render()
        date_long = ours.filters["date_long"]
        late = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.timezone.utc)
        same_instant = late.astimezone(dt.timezone(dt.timedelta(hours=2)))  # equal, but the 23rd there
        for value in [dt.date(2026, 1, 1) + dt.timedelta(days=d) for d in range(0, 400, 7)] * 2 + [late, same_instant]:
            assert date_long(value) == format_date(value, pattern, locale=locale)


def test_feeds_and_calendars_speak_the_interface_language(site_root, tmp_path):
    """Their texts come from the same catalog as the pages: Danish on a Danish site, English on an
    English one (event kinds named as on the pages)."""
    event = ("---\ntitle: Møde\nkind: mobile-police-station\nstart: 2026-12-03T19:00\nlocation: Hallen\n"
             "localities: [skibby]\n---\nTekst.\n")
    for language, words in (("da", ("Nyheder og arrangementer fra Skibby", "Mobil politistation",
                                    "Arrangementer i Skibby: åbne lokalrådsmøder")),
                            ("en", ("News and events from Skibby", "Mobile police station",
                                    "Events in Skibby: open council meetings"))):
        registry = REGISTRY.replace("  base_url: https://test.example.dk/",
                                    f"  base_url: https://test.example.dk/\n  language: {language}")
        root = site_root({"content/events/2026-12-03-moede.md": event}, registry=registry)
        out = tmp_path / language
        assert not build(root, out).failed
        feed = (out / "lokalsamfund/skibby/feed.json").read_text()
        calendar = (out / "lokalsamfund/skibby/kalender.ics").read_bytes().decode().replace("\r\n ", "")
        page = (out / "arrangementer/2026-12-03-moede/index.html").read_text()
        assert words[0] in feed and words[1] in feed and words[1] in page
        assert words[2] in calendar and f"CATEGORIES:{words[1]}" in calendar


def _danish_catalog_texts() -> set[str]:
    """The pieces of the Danish catalog's translations that are not English too: each msgstr split
    at its placeholders and markup, pieces of at least six characters."""
    pieces = set()
    for m in catalog(LOCALE / "da/LC_MESSAGES/messages.po"):
        if not m.id or not m.string or m.string == m.id:
            continue
        for piece in re.split(r"%\(\w+\)s|<[^>]+>", m.string):
            piece = piece.strip(" .,:;–-()")
            if len(piece) >= 6 and piece not in m.id:
                pieces.add(piece)
    return pieces


def _visible_text(html: str) -> str:
    """The text a reader sees or hears: text outside scripts and styles, and the attributes read out."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")
            self.parts += [v for k, v in attrs if v and (k in ("aria-label", "title", "placeholder", "alt")
                                                            or k.startswith("data-"))]

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    reader = Reader()
    reader.feed(html)
    text = " ".join(" ".join(reader.parts).split())
    return re.sub(r"\S+\.(?:ics|xml|json|opml)\b", " ", text)  # file names in addresses shown (kalender.ics)


ENGLISH_SITE = REGISTRY.replace(
    "  base_url: https://test.example.dk/",
    "  base_url: https://test.example.dk/\n  alternate_language: en\n  reply_time: Svar inden for 3 dage\n"
    "  organisation:\n    name: Testpoliti\n    url: https://test.example.dk/"
).replace("    address: Eksempelvej 1, 3600 Frederikssund\n",
          "    address: Eksempelvej 1, 3600 Frederikssund\n    opening_hours: Mandag–torsdag kl. 10–14\n"
          "    opening_hours_en: Monday–Thursday 10:00–14:00\n")


def test_the_english_pages_have_no_danish_interface_text(site_root, tmp_path):
    root = site_root({
        "content/news/a.md": news(title="Låsen"),
        "content/events/b.md": "---\ntitle: Mødet\nkind: citizen-meeting\nstart: 2026-12-03T19:00\n"
                               "location: Skibby\nlocalities: [skibby]\n---\nTekst.\n",
        "content/pages/kontakt.md": "---\ntitle: Kontakt politiet\ntitle_en: Contact the police\n---\nRing 114.\n",
    }, registry=ENGLISH_SITE)
    out = tmp_path / "site"
    assert not build(root, out).failed
    danish = _danish_catalog_texts()
    pages = sorted((out / "en").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = _visible_text(page.read_text())
        found = sorted(d for d in danish if d in text)
        assert not found, f"{page.relative_to(out)}: Danish interface text {found}"
    locality = (out / "en/lokalsamfund/skibby/index.html").read_text()
    assert "Monday–Thursday 10:00–14:00" in locality and "Mandag" not in _visible_text(locality)
    assert ">Contact the police</a>" in locality and "Kontakt politiet" not in locality  # the footer
    page = (out / "en/kontakt/index.html").read_text()
    assert "<h1>Contact the police</h1>" in page and '<div class="prose" lang="da">' in page
    assert '<h1 lang="da">Låsen</h1>' in (out / "en/nyheder/a/index.html").read_text()
    # the Danish pages keep the Danish title and hours
    da = (out / "lokalsamfund/skibby/index.html").read_text()
    assert "Mandag–torsdag kl. 10–14" in da and ">Kontakt politiet</a>" in da


def test_every_page_has_the_language_switch(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(),
                      "content/pages/kontakt.md": "---\ntitle: Kontakt\n---\nRing 114.\n"}, registry=ENGLISH_SITE)
    out = tmp_path / "site"
    assert not build(root, out).failed
    pages = [p for p in out.rglob("*.html") if p.name != "email.html" and p.parent.name != "was"
             and "admin" not in p.relative_to(out).parts]
    assert len(pages) > 20
    # newsletter pages and the open-data page have their English versions too
    assert {"en/data/index.html", "en/lokalsamfund/skibby/nyhedsbrev/index.html"} <= {
        p.relative_to(out).as_posix() for p in pages}
    assert any(p.relative_to(out).parts[:4] == ("en", "lokalsamfund", "skibby", "nyhedsbrev")
               and len(p.relative_to(out).parts) == 6 for p in pages)
    for page in pages:
        html = page.read_text()
        assert '<div class="language-switcher">' in html, page.relative_to(out)
    not_found = (out / "404.html").read_text()
    assert '<a href="/" lang="da" hreflang="da"' in not_found and '<a href="/en/" lang="en" hreflang="en"' in not_found


def test_a_sites_own_catalog_translates_feeds_and_calendars(site_root, tmp_path):
    """A site's templates/locale/ catalog wins over the theme's in feeds and calendars too, as on pages."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from naerpoliti.render.shared import CALENDAR_DESCRIPTION, FEED_DESCRIPTION
    event = ("---\ntitle: Møde\nkind: mobile-police-station\nstart: 2026-12-03T19:00\nlocation: Hallen\n"
             "localities: [skibby]\n---\nTekst.\n")
    root = site_root({"content/events/2026-12-03-moede.md": event})
    own = Catalog(locale="da")
    own.add(FEED_DESCRIPTION, "Egne nyheder fra %(area)s")
    own.add(CALENDAR_DESCRIPTION, "Egne arrangementer i %(area)s")
    folder = root / "templates/locale/da/LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as f:
        write_mo(f, own)
    out = tmp_path / "out"
    assert not build(root, out).failed
    feed = (out / "lokalsamfund/skibby/feed.json").read_text()
    calendar = (out / "lokalsamfund/skibby/kalender.ics").read_bytes().decode().replace("\r\n ", "")
    assert "Egne nyheder fra Skibby" in feed and "Nyheder og arrangementer fra Skibby" not in feed
    assert "Egne arrangementer i Skibby" in calendar and "åbne lokalrådsmøder" not in calendar


def test_shared_parts_are_rendered_once_for_a_renderers_pages_and_stay_per_language(site_root, tmp_path):
    """shared() makes a macro's output once per store (one language version of one renderer) and
    every time without one; the pages still carry their own language's header and footer."""
    from naerpoliti.render.environment import make_environment

    env = make_environment(site_root(), "da")
    calls: list[int] = []
    template = env.from_string('{{ shared("part", made) }}|{{ page }}')
    store: dict[str, str] = {}
    assert [template.render(made=lambda: calls.append(1) or "X", page=n, fragments=store) for n in (1, 2, 3)] \
        == ["X|1", "X|2", "X|3"]
    assert calls == [1]
    template.render(made=lambda: calls.append(1) or "Y", page=4)  # no store: made again
    assert calls == [1, 1]
    root = site_root({"content/news/a.md": news()},
                     registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               "  base_url: https://test.example.dk/\n  alternate_language: en"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    for page, words in (("nyheder/a/index.html", ("Kontakt politiet", "Hovedmenu")),
                        ("en/nyheder/a/index.html", ("Contact the police", "Main menu"))):
        html = (out / page).read_text()
        assert all(w in html for w in words), page


def test_items_of_lists_are_rendered_once_per_item_and_arguments(site_root):
    """shared_each() renders each item once per store and arguments (a list's heading level),
    in the order of the list, as a loop would; every time without a store; and an item whose
    id is reused by another object after it is gone is not taken for it."""
    from naerpoliti.render.environment import make_environment

    env = make_environment(site_root(), "da")
    calls: list[str] = []
    template = env.from_string('{% macro line(x, level) %}<h{{ level }}>{{ x.name }}</h{{ level }}>{% endmacro %}'
                               '{{ shared_each("line", items, line, level) }}|{{ shared_each("line", items, line, 3) }}')

    class Item:
        def __init__(self, name: str):
            self.name = name

    a, b = Item("<a>"), Item("b")
    counted = env.from_string('{% macro line(x, level) %}{% do calls.append(x.name ~ level) %}<h{{ level }}>'
                              '{{ x.name }}</h{{ level }}>{% endmacro %}'
                              '{{ shared_each("line", items, line, level) }}')
    store: dict = {}
    first = counted.render(items=[a, b, a], level=2, calls=calls, fragments=store)
    assert first == "<h2>&lt;a&gt;</h2><h2>b</h2><h2>&lt;a&gt;</h2>"
    assert counted.render(items=[b], level=2, calls=calls, fragments=store) == "<h2>b</h2>"
    assert calls == ["<a>2", "b2"]
    assert counted.render(items=[b], level=3, calls=calls, fragments=store) == "<h3>b</h3>"
    assert calls == ["<a>2", "b2", "b3"]
    assert counted.render(items=[a], level=2, calls=calls) == "<h2>&lt;a&gt;</h2>"  # no store
    assert calls == ["<a>2", "b2", "b3", "<a>2"]
    assert template.render(items=[a, b], level=4) == "<h4>&lt;a&gt;</h4><h4>b</h4>|<h3>&lt;a&gt;</h3><h3>b</h3>"
    # a store that holds an item by its id keeps the item, so no other object gets its id
    key = next(k for k in store if k[0] == "line" and k[1] == (3,))
    assert store[key][0] is b


def test_template_calls_give_what_jinjas_own_give(site_root):
    """The environment's quicker call() (render/environment.py) calls a macro, a plain function
    or a method directly and leaves everything else to Jinja: the same results as Jinja's own,
    context, eval context and environment passed where asked for, loop variables seen."""
    import jinja2

    from naerpoliti.render.environment import make_environment

    class Greeter:
        def hello(self, name, punctuation="!"):
            return f"Hej {name}{punctuation}"

    @jinja2.pass_context
    def seen(context, name):
        return f"{name}={context.get(name)}"

    @jinja2.pass_eval_context
    def escaping(eval_ctx):
        return f"autoescape={eval_ctx.autoescape}"

    @jinja2.pass_environment
    def undefined_kind(env):
        return env.undefined.__name__

    def stops():
        raise StopIteration

    class Marker:
        @jinja2.pass_eval_context
        def mark(self, eval_ctx, text, sign="*"):
            return f"{sign}{text}{sign}:{eval_ctx.autoescape}"

    source = ('{% macro box(x) %}[{{ x }}]{% endmacro %}'
              '{{ box(1) }} {{ g.hello("Ib") }} {{ g.hello("Ib", punctuation="?") }} {{ plain(2) }} '
              '{{ escaping() }} {{ undefined_kind() }} {{ seen("a") }} {{ m.mark("x", sign="_") }} '
              '{{ "a-b".split("-") | join("+") }} {{ when.date() }} {{ words.get("k", "none") }} {{ len("abc") }} '
              '{% for i in [1, 2] %}{% set a = i %}{{ seen("a") }}{{ box(i) }}{{ plain(i) }}{{ escaping() }} '
              '{% endfor %}{% autoescape false %}{{ escaping() }}{% endautoescape %} '
              '{{ stops() is undefined }}')
    values = {"g": Greeter(), "plain": lambda v: v * 10, "seen": seen, "escaping": escaping,
              "undefined_kind": undefined_kind, "stops": stops, "a": "top", "m": Marker(),
              "when": __import__("datetime").datetime(2026, 12, 5, 14, 0), "words": {}, "len": len}
    ours = make_environment(site_root(), "da")
    jinjas = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                lstrip_blocks=True, extensions=["jinja2.ext.do"])
    assert type(ours.from_string("").new_context()).call is not jinja2.runtime.Context.call
    expected = jinjas.from_string(source).render(values)
    assert ours.from_string(source).render(values) == expected
    assert "Hej Ib! Hej Ib? 20 autoescape=True StrictUndefined a=top _x_:True a+b 2026-12-05 none 3" in expected
    assert "a=1[1]10autoescape=True a=2[2]20autoescape=True autoescape=False True" in expected
