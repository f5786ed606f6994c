"""Full-text search with Pagefind (naerpoliti/fulltext.py): the build runs Pagefind over the
news, events and free pages of the primary language, in Danish (stemmed), writes its index under
/pagefind/ and nothing anywhere else, the same bytes every time; the search page /soeg/.

Pagefind's files are read as they are: a fragment (one per page) is gzip'ed "pagefind_dcd" + JSON;
an index chunk is gzip'ed "pagefind_dcd" + CBOR, in which every indexed word is a text string."""
from __future__ import annotations

import gzip
import json
import re
import tempfile
from pathlib import Path

import pytest

from conftest import REGISTRY, build, news, sitemap_text, tree
from naerpoliti.fulltext import FulltextError, pagefind_bundle, pagefind_executable

MAGIC = b"pagefind_dcd"

EVENT = """\
---
title: Borgermøde om tryghed
start: 2026-12-09 19:00
end: 2026-12-09 20:30
location: Borgerhuset, Prøvevej 4, 4050 Skibby
kind: citizen-meeting
localities: [skibby]
---
Kom og hør om nabohjælp.
"""

PAGE = "---\ntitle: Om ordningen\n---\nTryghedsambassadører er frivillige.\n"


def fragments(site: Path) -> dict[str, dict]:
    """Every page Pagefind indexed: URL -> its fragment (content, meta...)."""
    out = {}
    for f in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(f.read_bytes())
        assert data.startswith(MAGIC), f
        fragment = json.loads(data[len(MAGIC):])
        out[fragment["url"]] = fragment
    return out


def index_words(site: Path) -> bytes:
    """The index chunks, decompressed, in one piece."""
    chunks = sorted((site / "pagefind" / "index").glob("*.pf_index"))
    assert chunks
    return b"".join(gzip.decompress(f.read_bytes()) for f in chunks)


def has_word(index: bytes, word: str) -> bool:
    """Whether the index holds the word itself (a CBOR text string of it), not only a longer one."""
    data = word.encode("utf-8")
    assert len(data) < 24  # one-byte CBOR header
    return bytes([0x60 + len(data)]) + data in index


def entry(site: Path) -> dict:
    return json.loads((site / "pagefind" / "pagefind-entry.json").read_bytes())


@pytest.fixture
def small(site_root, tmp_path):
    """A site with one news item, one event and one page; the officer appears on locality pages only."""
    root = site_root({
        "content/news/2026-11-20-indbrud.md": news(
            title="Indbruddene i Skibby", body="Tyvene kom om natten. Lås døren, også når du er hjemme."),
        "content/events/2026-12-09-borgermoede.md": EVENT,
        "content/pages/om-ordningen.md": PAGE,
    })
    out = tmp_path / "site"
    result = build(root, out)
    assert not result.failed, [str(d) for d in result.diagnostics.errors]
    return out


# --- The index ------------------------------------------------------------------------------------------

def test_demo_build_has_pagefind_api_and_index(demo_site: Path):
    bundle = demo_site / "pagefind"
    for name in ("pagefind.js", "pagefind-entry.json", "wasm.da.pagefind"):
        assert (bundle / name).is_file(), name
    assert list((bundle / "index").glob("*.pf_index")) and list((bundle / "fragment").glob("*.pf_fragment"))
    assert list(bundle.glob("pagefind.da_*.pf_meta"))
    # Pagefind's ready-made interfaces are not shipped: fulltext.js uses the JS API only.
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()


def test_demo_indexes_exactly_its_news_events_and_pages(demo_site: Path):
    urls = set(fragments(demo_site))
    expected = {f"/{p.parent.relative_to(demo_site).as_posix()}/"
                for pattern in ("nyheder/*/index.html", "arrangementer/*/index.html")
                for p in demo_site.glob(pattern) if "side" not in p.parts}
    expected |= {f"/{p.stem}/" for p in (Path(__file__).parent.parent / "content" / "pages").glob("*.md")}
    expected |= {f"/{p.parent.relative_to(demo_site).as_posix()}/" for p in demo_site.glob("lokalsamfund/*/index.html")}
    assert urls == expected
    assert entry(demo_site)["languages"]["da"]["page_count"] == len(expected)


def test_only_news_events_pages_and_localities_are_indexed(small: Path):
    found = fragments(small)
    assert set(found) == {"/nyheder/2026-11-20-indbrud/", "/arrangementer/2026-12-09-borgermoede/",
                          "/om-ordningen/", "/lokalsamfund/skibby/", "/lokalsamfund/slangerup/"}
    assert found["/nyheder/2026-11-20-indbrud/"]["meta"]["title"] == "Indbruddene i Skibby"
    assert found["/nyheder/2026-11-20-indbrud/"]["meta"]["kind"] == "Nyhed"
    assert found["/nyheder/2026-11-20-indbrud/"]["meta"]["date"] == "20. november 2026"
    assert found["/arrangementer/2026-12-09-borgermoede/"]["meta"]["kind"] == "Borgermøde"
    # A locality: its name, postcodes and officer, as a locality (fulltext.js lists those first);
    # not its ambassadors, news or subscriptions.
    skibby = found["/lokalsamfund/skibby/"]
    assert skibby["meta"]["title"] == "Skibby" and skibby["meta"]["kind"] == "Lokalsamfund"
    assert skibby["filters"] == {"type": ["locality"]}
    assert "4050" in skibby["content"] and "Mette Testesen" in skibby["content"]
    for absent in ("ambassadør", "Indbruddene", "Abonnér"):
        assert absent not in skibby["content"], absent
    assert not any("Testesen" in json.dumps(f, ensure_ascii=False) for url, f in found.items()
                   if not url.startswith("/lokalsamfund/"))
    # An event's place can be found, and its labels ("Hvor") do not run into it.
    content = found["/arrangementer/2026-12-09-borgermoede/"]["content"]
    assert "Borgerhuset" in content and "Hvor" not in content and "Tilføj til kalender" not in content


def test_danish_stemming(small: Path):
    """Words are indexed by their Danish stem: "indbruddene" as "indbrud", "tyvene" as "tyv", so a
    search for "indbruddet" (stemmed to "indbrud" too) finds the news item."""
    languages = entry(small)["languages"]
    assert list(languages) == ["da"] and languages["da"]["wasm"] == "da"  # the Danish stemmer
    assert (small / "pagefind" / "wasm.da.pagefind").is_file()
    index = index_words(small)
    assert has_word(index, "indbrud") and not has_word(index, "indbruddene")
    assert has_word(index, "tyv") and not has_word(index, "tyvene")


def test_pagefind_has_a_stemmer_for_danish():
    """Indexed as Danish, "Indbruddene" is the word "indbrud"; in a language Pagefind has no
    stemmer for, it stays as written."""
    page = ("/", '<html lang="da"><body><main data-pagefind-body><h1>Indbruddene</h1></main></body></html>'.encode())

    def words(language: str) -> bytes:
        files = dict(pagefind_bundle(pagefind_executable(), language, [page]))
        return b"".join(gzip.decompress(data) for name, data in files.items() if name.endswith(".pf_index"))
    assert has_word(words("da"), "indbrud") and not has_word(words("da"), "indbruddene")
    assert has_word(words("xx"), "indbruddene") and not has_word(words("xx"), "indbrud")


def test_english_interface_is_indexed_once_in_its_language(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(title="Låsen")},
                     registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               "  base_url: https://test.example.dk/\n  alternate_language: en"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    assert set(fragments(out)) == {"/nyheder/a/", "/lokalsamfund/skibby/", "/lokalsamfund/slangerup/"}  # no /en/
    assert list(entry(out)["languages"]) == ["da"]
    assert (out / "en" / "soeg" / "index.html").is_file()
    assert not (out / "en" / "pagefind").exists()


def test_sub_path_site_has_result_urls_in_its_path(site_root, tmp_path):
    root = site_root({"content/news/a.md": news()},
                     registry=REGISTRY.replace("https://test.example.dk/", "https://test.example.dk/sub/"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    # the pages' URLs hold the site's path: fulltext.js tells Pagefind not to add it again (baseUrl)
    assert set(fragments(out)) == {"/sub/nyheder/a/", "/sub/lokalsamfund/skibby/", "/sub/lokalsamfund/slangerup/"}
    assert 'data-bundle="/sub/pagefind/pagefind.js"' in (out / "soeg" / "index.html").read_text()


def test_site_without_news_events_or_pages_indexes_its_localities(site_root, tmp_path):
    out = tmp_path / "site"
    assert not build(site_root(), out).failed
    assert (out / "soeg" / "index.html").is_file()
    assert set(fragments(out)) == {"/lokalsamfund/skibby/", "/lokalsamfund/slangerup/"}


def test_places_are_indexed_in_the_spellings_people_type(site_root, tmp_path):
    registry = REGISTRY.replace('    postcodes: ["4050"]\n', '    postcodes: ["4050"]\n    places: [Selsø, Kulhuse]\n')
    out = tmp_path / "site"
    assert not build(site_root(registry=registry), out).failed
    skibby = fragments(out)["/lokalsamfund/skibby/"]
    assert "Omfatter Selsø, Kulhuse." in skibby["content"]
    # with æ, ø, å written out and left out (search.js's two spellings), in an element only Pagefind reads
    assert re.search(r"\bselsoe selso\b", skibby["content"])
    assert "selsoe selso" in (out / "lokalsamfund" / "skibby" / "index.html").read_text()


def test_index_is_the_same_bytes_every_build(site_root, tmp_path):
    root = site_root({"content/news/2026-11-20-a.md": news(title="Indbrud", body="Tyvene kom."),
                      "content/news/2026-11-21-b.md": news(title="Hastighed", body="Kør langsomt."),
                      "content/events/2026-12-09-borgermoede.md": EVENT,
                      "content/pages/om-ordningen.md": PAGE})
    first, second = tmp_path / "one", tmp_path / "two"
    assert not build(root, first).failed and not build(root, second).failed
    a, b = tree(first / "pagefind"), tree(second / "pagefind")
    assert a and a == b


# --- Atomic builds -------------------------------------------------------------------------------------------

@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    """The folder where temporary files go, to see that the build leaves none behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_successful_build_leaves_no_temporary_files(small, site_root, tmp_path, temp_folder):
    root = site_root({"content/news/a.md": news()})
    assert not build(root, tmp_path / "again").failed
    assert list(temp_folder.iterdir()) == []


def test_a_build_with_content_errors_writes_nothing(site_root, tmp_path, temp_folder):
    root = site_root({"content/news/a.md": news(scope="localities: [skiby]")})
    out = tmp_path / "site"
    result = build(root, out)
    assert result.failed and not out.exists()
    assert list(temp_folder.iterdir()) == []


def test_when_pagefind_fails_nothing_is_written(site_root, tmp_path, temp_folder, monkeypatch):
    root = site_root({"content/news/a.md": news(title="Første")})
    out = tmp_path / "site"
    assert not build(root, out).failed
    before = tree(out)
    (root / "content/news/a.md").write_text(news(title="Anden"), encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")  # a "Pagefind" that fails
    with pytest.raises(FulltextError, match="Pagefind failed"):
        build(root, out)
    assert tree(out) == before
    assert list(temp_folder.iterdir()) == []
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(FulltextError, match="binary is missing"):
        build(root, out)
    assert tree(out) == before


SERVICES = {
    "prints what is not an answer": "print('hello, world')",
    "refuses the index": ("import base64, json, sys\n"
                          "answer = {'message_id': 0, 'payload': {'type': 'Error', 'message': 'Invalid config supplied'}}\n"
                          "sys.stdout.write(base64.b64encode(json.dumps(answer).encode()).decode() + ',')\n"
                          "sys.stdout.flush(); sys.stdin.read()"),
    "ends at once": "import sys; sys.exit(3)",
    "answers the wrong message": ("import base64, json, sys\n"
                                  "answer = {'message_id': 7, 'payload': {'type': 'NewIndex', 'index_id': 0}}\n"
                                  "sys.stdout.write(base64.b64encode(json.dumps(answer).encode()).decode() + ',')\n"
                                  "sys.stdout.flush(); sys.stdin.read()"),
}


@pytest.mark.parametrize("behaviour", sorted(SERVICES))
def test_a_pagefind_that_misbehaves_is_a_clear_error(behaviour, site_root, tmp_path, monkeypatch):
    """Whatever a broken Pagefind does on the pipe, the build stops with a FulltextError (shown
    without a traceback by the command) and the previous site stays."""
    import sys
    fake = tmp_path / "pagefind"
    fake.write_text(f"#!{sys.executable}\n{SERVICES[behaviour]}\n")
    fake.chmod(0o755)
    root = site_root({"content/news/a.md": news(title="Første")})
    out = tmp_path / "site"
    assert not build(root, out).failed
    before = tree(out)
    (root / "content/news/a.md").write_text(news(title="Anden"), encoding="utf-8")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with pytest.raises(FulltextError, match="Pagefind failed"):
        build(root, out)
    assert tree(out) == before


# --- The search page ---------------------------------------------------------------------------------------

def test_search_page(small: Path):
    html = (small / "soeg" / "index.html").read_text()
    assert '<html lang="da">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert re.search(r'<form [^>]*action="/soeg/" method="get" role="search"', html)
    assert '<label for="fulltext-q">Søgeord</label>' in html
    assert re.search(r'<input id="fulltext-q" type="search" name="q"', html)
    assert '<script type="module" src="/assets/fulltext.js"></script>' in html
    assert 'data-bundle="/pagefind/pagefind.js"' in html
    assert 'data-many="{count} resultater for »{query}«."' in html
    # Without JavaScript: what to do instead, with links to the localities A–Å and the news.
    noscript = "".join(re.findall(r"<noscript>(.*?)</noscript>", html, re.S))
    assert "kræver JavaScript" in noscript
    assert 'href="/lokalsamfund/"' in noscript and 'href="/nyheder/"' in noscript
    # The breadcrumbs end with the page.
    assert re.search(r'<li class="breadcrumbs__list-item" aria-current="page">Søg</li>', html)
    assert (small / "assets" / "fulltext.js").is_file()
    assert "/soeg/" in sitemap_text(small)


def test_search_page_in_english(site_root, tmp_path):
    root = site_root({"content/news/a.md": news()},
                     registry=REGISTRY.replace("  base_url: https://test.example.dk/",
                                               "  base_url: https://test.example.dk/\n  alternate_language: en"))
    out = tmp_path / "site"
    assert not build(root, out).failed
    html = (out / "en" / "soeg" / "index.html").read_text()
    assert "<h1>Search localities, news, events and pages</h1>" in html
    assert 'action="/en/soeg/"' in html and 'data-bundle="/pagefind/pagefind.js"' in html


# --- Which pages are indexed ---------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from([b"<", b">", b"<p>", b"</p>", b"<main ", b"<article", b" data-pagefind-body",
                           b"data-pagefind-body", b"data-pagefind-ignore", b"=", b"/", b" ", b"\n", b"x", b"\"",
                           b"<!-- ", b" -->", b"<a href=\"#\">"])


@given(st.lists(_PIECES, max_size=30))
def test_a_page_is_indexed_when_an_element_of_it_carries_the_attribute(pieces):
    """marked() looks for the attribute first and matches the element it is in from there: the
    same answer as matching the whole page, on any arrangement of tags, text and comments."""
    from naerpoliti.fulltext import INDEXED, marked

    data = b"".join(pieces)
    assert marked(data) == (INDEXED.search(data) is not None)


# --- What Pagefind is given of a page --------------------------------------------------------------------

def _indexed_pages(site: Path) -> list[tuple[str, bytes]]:
    from naerpoliti.fulltext import marked
    return [("/" + p.relative_to(site).as_posix().removesuffix("index.html"), p.read_bytes())
            for p in sorted(site.rglob("*.html")) if marked(p.read_bytes())
            and not p.relative_to(site).as_posix().startswith(("en/", "404", "was/"))]


def test_pagefind_makes_the_same_index_of_the_cut_pages_as_of_the_whole_ones(demo_site: Path):
    """indexed_part() gives Pagefind only the indexed elements: every file of the index of the
    demo's pages (news, events, pages, localities with two indexed elements each) is the same."""
    from naerpoliti.fulltext import indexed_part

    pages = _indexed_pages(demo_site)
    assert len(pages) == len(fragments(demo_site)) > 20
    cut = [(url, indexed_part(html)) for url, html in pages]
    assert sum(len(h) for _, h in cut) * 2 < sum(len(h) for _, h in pages)  # it does cut
    assert all(a != b for (_, a), (_, b) in zip(cut, pages, strict=True))
    binary = pagefind_executable()
    assert pagefind_bundle(binary, "da", cut) == pagefind_bundle(binary, "da", pages)


def test_a_news_text_about_the_attribute_is_indexed_as_written(site_root, tmp_path):
    """Text that names the attribute or looks like tags (escaped by the renderer) leaves the page
    whole or cut where it should be: the built index is the one of the whole pages."""
    body = ('Skriv `<div data-pagefind-body>` i en skabelon, eller <article data-pagefind-body> '
            'og </div></article> som tekst.\n\n> data-pagefind-body\n\n[et link](https://example.dk/ "a data-pagefind-body")')
    root = site_root({"content/news/2026-11-20-skabelon.md": news(title="Om søgning", body=body),
                      "content/news/2026-11-21-andet.md": news(title="Andet <div> end", body="Tekst </div>")})
    out = tmp_path / "site"
    assert not build(root, out).failed
    pages = _indexed_pages(out)
    made = {f"pagefind/{name}": data for name, data in pagefind_bundle(pagefind_executable(), "da", pages)}
    built = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    assert {k: v for k, v in built.items() if k in made} == made
    assert "data-pagefind-body" in fragments(out)["/nyheder/2026-11-20-skabelon/"]["content"]


@pytest.mark.parametrize("page, whole", [
    (b'<p>x</p><article data-pagefind-body><h1>A</h1><article>in</article></article><p>y</p>', False),
    (b'<div data-pagefind-body><div>a</div></div><div class="c"><div data-pagefind-body>b</div></div>', False),
    (b'<div data-pagefind-body data-pagefind-filter="type:x"><DIV>a</Div></div>', False),
    (b'<main class="m" data-pagefind-body>x</main>', True),  # not where the templates write it
    (b'<article data-pagefind-body>x</article><p>data-pagefind-body</p>', True),  # a mention
    (b'<article data-pagefind-body>x<article>y</article>', True),  # no end
    (b'<img data-pagefind-body src="a.png">', True),  # an element without an end
    (b'<p>no index</p>', True),
])
def test_what_is_cut_out_of_a_page(page, whole):
    from naerpoliti.fulltext import STRICT, indexed_part

    cut = indexed_part(page)
    if whole:
        assert cut == page
    else:
        assert cut != page and cut.startswith(b"<!DOCTYPE html>")
        for match in STRICT.finditer(page):
            assert page[match.start():match.start() + 20] in cut
        assert b"<p>x</p>" not in cut and b"<p>y</p>" not in cut and b'class="c"' not in cut
        assert cut.count(b"<article") == cut.count(b"</article>")
        assert cut.lower().count(b"<div") == cut.lower().count(b"</div>")


_CUT_PIECES = st.sampled_from([b"<div data-pagefind-body>x</div>", b"<article data-pagefind-body><p>y</p></article>",
                               b"<div data-pagefind-body>", b"<article data-pagefind-body>", b"</div>", b"</article>",
                               b"<div>", b"<DIV>", b"</DIV>", b"<article>", b"<p>", b"</p>", b"data-pagefind-body",
                               b"<img data-pagefind-body>", b"x", b" ", b"<", b">", b"</div", b"<divx>"])


@settings(max_examples=300)
@given(st.lists(_CUT_PIECES, max_size=25))
def test_a_page_is_cut_or_given_whole_whatever_it_holds(pieces):
    """indexed_part() never fails: it gives the page whole, or a document of the elements that
    start where the templates write the attribute, each with as many ends as starts of its tag."""
    from naerpoliti.fulltext import MARK, STRICT, indexed_part

    page = b"".join(pieces)
    cut = indexed_part(page)
    if cut == page:
        return
    assert page.count(MARK) == len(STRICT.findall(page))  # cut only when every mention is where templates write it
    body = cut[cut.index(b"<body>\n") + 7:cut.rindex(b"\n</body>")]
    elements = body.split(b"\n")  # the pieces hold no line break: one line per element
    assert elements and all(e in page for e in elements)
    for element in elements:
        match = STRICT.match(element)
        assert match is not None
        name = re.escape(match.group(1))
        starts = len(re.findall(rb"<" + name + rb"(?=[\s/>])", element, re.IGNORECASE))
        ends = len(re.findall(rb"</" + name + rb"(?=[\s/>])", element, re.IGNORECASE))
        assert starts == ends and element.endswith(b">")
