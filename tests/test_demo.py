"""The demo site as a visitor and a crawler see it: every page exists, every link leads somewhere,
every page is well-formed HTML, and everything works in a sub-path."""
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest

from conftest import REPO, build, sitemap_text, tree

LOCALITIES = ["skibby", "slangerup", "glumsoe", "fladsaa", "naestved-vestegn", "viborg", "albertslund",
              "glostrup", "broendby", "hvidovre"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for name in ("href", "src"):
            if a.get(name):
                self.urls.append(a[name])


def internal_targets(site: Path, base_path: str):
    """(page, url) for every link and asset reference that stays on the site."""
    for page in sorted(site.rglob("*.html")):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#"):
                continue
            yield page, parts.path


def resolve(site: Path, base_path: str, path: str) -> Path:
    assert path.startswith(base_path), path
    rel = path[len(base_path):]
    target = site / rel
    return target / "index.html" if rel == "" or rel.endswith("/") else target


def test_demo_has_every_page_type(demo_site: Path):
    for loc in LOCALITIES:
        assert (demo_site / "lokalsamfund" / loc / "index.html").is_file()
    for path in ["index.html", "404.html", "sitemap.xml", "robots.txt", "nyheder/index.html",
                 "arrangementer/index.html", "politikreds/nordsjaelland/index.html",
                 "kommune/naestved/index.html", "om-tryghedsambassadoerer/index.html",
                 "kontakt-politiet/index.html", "assets/naerpoliti.css", "media/news/laas.png"]:
        assert (demo_site / path).is_file(), path


def test_every_page_in_the_sitemap_exists_and_every_page_is_in_it(demo_site: Path):
    sitemap = sitemap_text(demo_site)
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert len(locs) > 40
    paths = {resolve(demo_site, "/", urlsplit(u).path) for u in locs}
    for p in paths:
        assert p.is_file(), p
    # every page but the 404 page and the /was/ redirect to the accessibility statement
    # (and the HTML versions of newsletter e-mails, which are not web pages, and the editors' admin/)
    pages = {p for p in demo_site.rglob("*.html")
             if p.name not in ("404.html", "email.html") and p.parent.name not in ("was", "admin")}
    assert pages == paths


def test_every_internal_link_and_asset_exists(demo_site: Path):
    checked = 0
    for page, path in internal_targets(demo_site, "/"):
        assert resolve(demo_site, "/", path).is_file(), f"{page.relative_to(demo_site)} links to missing {path}"
        checked += 1
    assert checked > 500


def test_every_page_is_well_formed_html5(demo_site: Path):
    for page in sorted(demo_site.rglob("*.html")):
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        doc = parser.parse(page.read_bytes())  # raises on any parse error
        if page.parent == demo_site / "admin":  # the editors' Decap CMS page: Decap draws all of it
            continue
        assert len(doc.findall(".//h1")) == 1, page
        english = page.relative_to(demo_site).parts[0] == "en"
        assert doc.get("lang") == ("en" if english else "da"), page
        if page.name != "email.html":  # an e-mail shown inside a webmail page has no main landmark
            assert doc.find(".//main") is not None


def test_locality_page_shows_what_a_citizen_needs(demo_site: Path):
    html = (demo_site / "lokalsamfund/skibby/index.html").read_text()
    for text in ["områdebetjent", 'href="tel:+4572581234"', "mailto:", "Frederikssund Politistation",
                 "tel:112", "tel:114", "De kan ikke modtage anmeldelser", "Tryghedsambassadører",
                 "Lokalråd", "Det arbejder vi med", "Seneste nyheder", "Kommende arrangementer",
                 "Mandag–torsdag kl. 10–14"]:
        assert text in html, text


def test_news_archive_paginates(site_root, tmp_path):
    from conftest import news
    root = site_root({f"content/news/n{i:02d}.md": news(f"Nyhed {i}", f"2026-10-{i + 1:02d}") for i in range(25)})
    out = tmp_path / "site"
    build(root, out)
    first = (out / "nyheder/index.html").read_text()
    second = (out / "nyheder/side/2/index.html").read_text()
    assert first.count("<li>\n    <h2") == 20 and second.count("<li>\n    <h2") == 5
    assert 'href="/nyheder/side/2/" rel="next"' in first and 'href="/nyheder/" rel="prev"' in second
    assert "Nyhed 24" in first and "Nyhed 0<" in second


def test_site_in_a_sub_path_links_only_inside_it(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(REPO / "content", root / "content")
    text = (REPO / "localities.yaml").read_text(encoding="utf-8")
    (root / "localities.yaml").write_text(
        text.replace("base_url: https://naerpoliti.example.dk/", "base_url: https://example.dk/politi/naer"),
        encoding="utf-8")
    out = tmp_path / "site"
    assert not build(root, out).failed
    n = 0
    for page, path in internal_targets(out, "/politi/naer/"):
        assert path.startswith("/politi/naer/"), f"{page}: {path}"
        assert resolve(out, "/politi/naer/", path).is_file(), f"{page}: {path}"
        n += 1
    assert n > 500
    assert "https://example.dk/politi/naer/lokalsamfund/skibby/" in sitemap_text(out)
    assert "Sitemap: https://example.dk/politi/naer/sitemap.xml" in (out / "robots.txt").read_text()


def test_a_root_without_templates_uses_the_packaged_theme_and_a_templates_folder_overrides_it(site_root, tmp_path):
    root = site_root({"templates/page.html": '{% extends "base.html" %}{% block title %}X{% endblock %}'
                                             '{% block content %}<h1>EGEN SKABELON {{ item.title }}</h1>{% endblock %}',
                      "templates/assets/naerpoliti.css": "body { color: red }",
                      "content/pages/om.md": "---\ntitle: Om\n---\nTekst\n"})
    out = tmp_path / "site"
    assert not build(root, out).failed
    assert "EGEN SKABELON Om" in (out / "om/index.html").read_text()
    assert "Find din betjent" in (out / "om/index.html").read_text()  # base.html from the theme
    assert (out / "assets/naerpoliti.css").read_text() == "body { color: red }"


def test_every_locality_page_announces_its_feeds_calendar_and_newsletter(demo_site: Path):
    for loc in LOCALITIES:
        html = (demo_site / "lokalsamfund" / loc / "index.html").read_text()
        base = f"https://naerpoliti.example.dk/lokalsamfund/{loc}/"
        for kind, href in [("application/rss+xml", base + "rss.xml"), ("application/atom+xml", base + "atom.xml"),
                           ("text/calendar", base + "kalender.ics")]:
            assert re.search(rf'<link rel="alternate" type="{re.escape(kind)}" title="[^"]+" href="{re.escape(href)}">',
                             html), (loc, kind)
        assert f'href="/lokalsamfund/{loc}/nyhedsbrev/"' in html
        assert "Abonnér" in html


def _jsonld(page: Path) -> dict:
    import json
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.read_text(), re.S)
    assert m, page
    return json.loads(m.group(1))


def test_structured_data_matches_what_the_page_shows(demo_site: Path):
    import html as htmllib
    loc_page = demo_site / "lokalsamfund/skibby/index.html"
    text = htmllib.unescape(loc_page.read_text())
    data = _jsonld(loc_page)
    assert data["@type"] == "GovernmentOrganization" and data["url"] == "https://naerpoliti.example.dk/lokalsamfund/skibby/"
    officer = data["contactPoint"][0]
    assert officer["name"] in text and f'href="tel:{officer["telephone"]}"' in text and officer["email"] in text
    assert {c["telephone"] for c in data["contactPoint"][1:]} == {"112", "114"}
    assert data["areaServed"]["address"]["postalCode"] == "4050" and "Postnummer 4050" in text
    assert data["location"]["@type"] == "PoliceStation" and data["location"]["name"] in text

    event_page = demo_site / "arrangementer/2026-12-03-aabent-lokalraadsmoede-om-tryghed-i-glumsoe/index.html"
    ev, etext = _jsonld(event_page), htmllib.unescape(event_page.read_text())
    assert ev["@type"] == "Event" and f"<h1>{ev['name']}</h1>" in etext
    assert f'<time datetime="{ev["startDate"]}">' in etext and ev["location"]["name"] in etext

    news_page = demo_site / "nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/index.html"
    nw, ntext = _jsonld(news_page), htmllib.unescape(news_page.read_text())
    assert nw["@type"] == "NewsArticle" and f"<h1>{nw['headline']}</h1>" in ntext
    assert nw["datePublished"] == "2026-11-20" and nw["author"]["name"] in ntext
    # no structured data on any page carries an ambassador
    for page in demo_site.rglob("*.html"):
        if "application/ld+json" in page.read_text():
            assert "Olufsen" not in json_dump(_jsonld(page))


def json_dump(value) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)
