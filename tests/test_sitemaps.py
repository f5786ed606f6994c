"""The sitemap by the sitemaps.org protocol: an index of parts, each within the protocol's limits,
that together list every HTML page exactly once, valid against the protocol's XML Schemas, with
absolute URLs right on a site at / and on one in a sub-path."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from conftest import REGISTRY, REPO, build, news, sitemap_text
from naerpoliti.render import sitemaps

SCHEMAS = Path(__file__).resolve().parent / "schemas"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def validate(path: Path, schema: str) -> etree._ElementTree:
    doc = etree.parse(str(path))
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / schema)))
    assert xsd.validate(doc), f"{path.name}: {xsd.error_log}"
    return doc


def parts_of(site: Path) -> list[tuple[str, str | None]]:
    """(loc, lastmod) of each part the index lists, the index and every part validated."""
    index = validate(site / "sitemap.xml", "siteindex.xsd")
    listed = [(e.findtext("s:loc", namespaces=NS), e.findtext("s:lastmod", namespaces=NS))
              for e in index.getroot().iterfind("s:sitemap", NS)]
    for loc, _ in listed:
        validate(site / urlsplit(loc).path.rsplit("/", 1)[1], "sitemap.xsd")
    return listed


def pages(site: Path) -> set[str]:
    """Output paths of the pages a sitemap must list: every HTML page but the 404 page, the /was/
    redirect, the newsletters' e-mail HTML and the editors' admin/."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if p.name not in ("404.html", "email.html") and p.parent.name != "was"
            and not p.relative_to(site).as_posix().startswith("admin/")}


def listed_paths(site: Path, base: str) -> list[str]:
    """The output path of every <loc> of every part, in order; each absolute under `base`."""
    out = []
    for loc in re.findall(r"<loc>(.*?)</loc>", sitemap_text(site)):
        assert loc.startswith(base), loc
        rel = loc[len(base):]
        out.append(rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    return out


def test_the_demo_sitemap_is_an_index_of_valid_parts_listing_every_page_once(demo_site: Path):
    listed = parts_of(demo_site)
    assert [loc for loc, _ in listed] == ["https://naerpoliti.example.dk/sitemap-1.xml"]
    assert listed[0][1] is not None  # the demo's news items are dated
    paths = listed_paths(demo_site, "https://naerpoliti.example.dk/")
    assert len(paths) == len(set(paths)) and set(paths) == pages(demo_site)
    assert "Sitemap: https://naerpoliti.example.dk/sitemap.xml\n" in (demo_site / "robots.txt").read_text()


@pytest.mark.parametrize("base", ["https://example.dk/naerpoliti/", "https://test.example.dk/"])
def test_a_site_over_the_url_limit_has_several_parts_in_order(site_root, tmp_path, monkeypatch, base):
    monkeypatch.setattr(sitemaps, "MAX_URLS", 7)
    root = site_root({f"content/news/2026-11-{d:02d}-nyhed.md": news(f"Nyhed {d}", f"2026-11-{d:02d}")
                      for d in range(1, 12)},
                     registry=REGISTRY.replace("https://test.example.dk/", base))
    out = tmp_path / "site"
    assert not build(root, out).failed
    listed = parts_of(out)
    assert len(listed) >= 3
    assert [loc for loc, _ in listed] == [f"{base}sitemap-{n}.xml" for n in range(1, len(listed) + 1)]
    paths = listed_paths(out, base)
    assert paths == sorted(paths) and len(paths) == len(set(paths)) and set(paths) == pages(out)
    counts = [len(re.findall("<url>", (out / f"sitemap-{n}.xml").read_text())) for n in range(1, len(listed) + 1)]
    assert all(c == 7 for c in counts[:-1]) and 1 <= counts[-1] <= 7
    assert not (out / f"sitemap-{len(listed) + 1}.xml").exists()
    # the index's <lastmod> of a part is the newest of its pages', where any is known
    for n, (_, lastmod) in enumerate(listed, 1):
        dates = re.findall(r"<lastmod>([\d-]+)</lastmod>", (out / f"sitemap-{n}.xml").read_text())
        assert lastmod == (max(dates) if dates else None)
    assert f"Sitemap: {base}sitemap.xml\n" in (out / "robots.txt").read_text()


def test_a_part_is_closed_before_it_would_pass_the_byte_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_BYTES", 1000)
    out = tmp_path / "site"
    assert not build(REPO / "tests" / "sites" / "small", out).failed
    listed = parts_of(out)
    assert len(listed) > 2
    for n in range(1, len(listed) + 1):
        assert (out / f"sitemap-{n}.xml").stat().st_size <= 1000
    paths = listed_paths(out, "https://example.dk/naerpoliti/")
    assert paths == sorted(paths) and set(paths) == pages(out) and len(paths) == len(set(paths))
