"""What makes a citizen trust the site and know what to expect (issue 15): the officer card says it
is not for 112 or reports and when the officer answers; the authority that runs the site is named in
every header, footer and newsletter e-mail; the accessibility statement has what a Danish one must."""
from __future__ import annotations

import io
import re

import pytest
from conftest import REGISTRY, build, news, render_all_emails
from PIL import Image as PILImage

BASE = "  base_url: https://test.example.dk/"
SUB_BASE = "  base_url: https://example.dk/naerpoliti/"
ORGANISATION = ("\n  organisation:\n    name: Nordsjællands Politi\n    url: https://politi.dk/nordsjaellands-politi\n"
                "    logo: media/logo.png")


def png(width: int = 120, height: int = 40) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), (0, 40, 80)).save(buf, "PNG")
    return buf.getvalue()


def site_with(site_root, tmp_path, site_lines: str = "", officer_lines: str = "", base: str = BASE,
              files: dict | None = None):
    registry = REGISTRY.replace(BASE, base + site_lines)
    if officer_lines:
        registry = registry.replace("    station: frederikssund-politistation\nlocalities:",
                                    "    station: frederikssund-politistation\n" + officer_lines + "localities:")
    root = site_root({"content/news/a.md": news(), **(files or {})}, registry=registry)
    out = tmp_path / "site"
    result = build(root, out)
    assert not result.failed, [str(d) for d in result.diagnostics.errors]
    return out


def expect_line(html: str) -> str:
    (line,) = re.findall(r'<p class="contact-expect">(.*?)</p>', html)
    return line


# --- What to expect of the officer -------------------------------------------------------------------


def test_the_officer_card_says_112_and_the_sites_reply_time(site_root, tmp_path):
    out = site_with(site_root, tmp_path, "\n  reply_time: Svarer normalt inden for 3 hverdage")
    line = expect_line((out / "lokalsamfund/skibby/index.html").read_text())
    assert line == ("Ikke til akutte henvendelser (112) eller anmeldelser (114 eller politi.dk). "
                    "Svarer normalt inden for 3 hverdage.")


def test_an_officers_own_reply_time_wins(site_root, tmp_path):
    out = site_with(site_root, tmp_path, "\n  reply_time: Svarer normalt inden for 3 hverdage",
                    officer_lines="    reply_time: Svarer samme dag!\n")
    line = expect_line((out / "lokalsamfund/skibby/index.html").read_text())
    assert line.endswith("(114 eller politi.dk). Svarer samme dag!")  # its own punctuation kept
    assert "3 hverdage" not in line


def test_without_a_reply_time_the_112_line_stays_and_promises_no_time(site_root, tmp_path):
    out = site_with(site_root, tmp_path)
    assert expect_line((out / "lokalsamfund/skibby/index.html").read_text()) == \
        "Ikke til akutte henvendelser (112) eller anmeldelser (114 eller politi.dk)."


def test_the_reply_time_is_in_the_search_index_and_the_newsletter(site_root, tmp_path):
    import json

    out = site_with(site_root, tmp_path, "\n  reply_time: Svarer normalt inden for 3 hverdage")
    index = json.loads((out / "data/soegeindeks.json").read_text())
    reply = index["fields"]["officers"].index("reply")
    assert index["officers"][0][reply] == "Svarer normalt inden for 3 hverdage"
    front = (out / "index.html").read_text()
    assert 'data-officer-note="Ikke til akutte henvendelser (112) eller anmeldelser (114 eller politi.dk)."' in front
    issue = render_all_emails(tmp_path / "root", tmp_path / "mails") / "lokalsamfund/skibby/nyhedsbrev/2026-11"
    for name in ("email.html", "email.txt"):
        text = " ".join((issue / name).read_text().split())
        assert "(112) eller anmeldelser (114 eller politi.dk). Svarer normalt inden for 3 hverdage." in text, name


# --- Who runs the site --------------------------------------------------------------------------------


@pytest.mark.parametrize("base, root_path", [(BASE, "/"), (SUB_BASE, "/naerpoliti/")])
def test_the_organisation_is_in_every_header_footer_and_email(site_root, tmp_path, base, root_path):
    out = site_with(site_root, tmp_path, ORGANISATION, base=base, files={"content/media/logo.png": png()})
    pages = [p for p in out.rglob("index.html") if p.parent.name != "was" and "admin" not in p.parts]
    pages.append(out / "404.html")
    link = '<a href="https://politi.dk/nordsjaellands-politi">Nordsjællands Politi</a>'
    for page in pages:
        html = page.read_text()
        header = html.split("</header>")[0]
        footer = html.split("<footer>")[1]
        assert 'class="solution-owner"' in header and link in header, page
        assert re.search(r'class="footer-owner">Testpoliti drives af <img class="organisation-logo" [^>]*> '
                         + re.escape(link) + r"\.</p>", footer), page
        (src,) = re.findall(r'<img class="organisation-logo" src="([^"]+)" alt="" width="120" height="40">', header)
        assert src == f"{root_path}media/logo.png"
        assert (out / src[len(root_path):]).is_file()  # the logo is published where it points
    issue = render_all_emails(tmp_path / "root", tmp_path / "mails") / "lokalsamfund/skibby/nyhedsbrev/2026-11"
    html = (issue / "email.html").read_text()
    assert "Nordsjællands Politi" in html.split('class="pad"')[0]  # the masthead
    assert re.search(r'Testpoliti drives af <a href="https://politi.dk/nordsjaellands-politi"[^>]*>'
                     r"Nordsjællands Politi</a>\.", html)  # links get inlined styles
    text = (issue / "email.txt").read_text()
    assert text.splitlines()[3] == "Nordsjællands Politi"
    assert "Testpoliti drives af Nordsjællands Politi.\nhttps://politi.dk/nordsjaellands-politi\n" in text


def test_no_organisation_no_owner_line(site_root, tmp_path):
    out = site_with(site_root, tmp_path)
    html = (out / "index.html").read_text()
    assert "solution-owner" not in html and "footer-owner" not in html and "drives af" not in html


def test_the_logo_is_checked_like_other_media(site_root):
    registry = REGISTRY.replace(BASE, BASE + ORGANISATION.replace("logo.png", "mangler.png"))
    result = build(site_root({}, registry=registry))
    (msg,) = [str(d) for d in result.diagnostics.errors]
    assert "site.organisation.logo:" in msg and "media/mangler.png" in msg


# --- The accessibility statement ------------------------------------------------------------------------


def test_the_statement_has_date_status_gaps_contact_and_complaint(site_root, tmp_path):
    out = site_with(site_root, tmp_path, "\n  accessibility_contact: web@example.dk\n  accessibility_date: 2026-10-01"
                    "\n  accessibility_status: fully"
                    "\n  accessibility_gaps: Kortet over lokalsamfund har ingen tekstudgave." + ORGANISATION,
                    files={"content/media/logo.png": png()})
    html = (out / "tilgaengelighedserklaering/index.html").read_text()
    assert 'Erklæringen blev sidst gennemgået <time datetime="2026-10-01">1. oktober 2026</time>.' in html
    assert "<h2>Overholdelsesstatus</h2>" in html and "overholder standarden EN 301 549" in html and "fuldt ud" in html
    assert "Kortet over lokalsamfund har ingen tekstudgave." in html
    assert 'href="mailto:web@example.dk"' in html
    assert ('<a href="https://digst.dk/digital-inklusion/webtilgaengelighed/oplever-du-ikke-tilgaengeligt-indhold/">'
            "klage til Digitaliseringsstyrelsen</a>") in html
    assert "er ansvarlig for Testpoliti" in html


def test_the_statements_defaults_are_true_for_the_theme(site_root, tmp_path):
    out = site_with(site_root, tmp_path)
    html = (out / "tilgaengelighedserklaering/index.html").read_text()
    assert ('Erklæringen blev lavet <time datetime="2026-11-22">22. november 2026</time>, '
            "da webstedet blev bygget.") in html
    assert "overholder standarden EN 301 549 (WCAG 2.1 på niveau AA) delvist" in html
    assert "Ingen har gennemgået webstedet manuelt" in html
    assert "ring til politiet på 114".lower() in html.lower() or "114" in html  # the contact without an address
    assert "klage til Digitaliseringsstyrelsen</a>" in html


def test_an_unknown_status_is_an_error(site_root):
    result = build(site_root({}, registry=REGISTRY.replace(BASE, BASE + "\n  accessibility_status: mostly")))
    (msg,) = [str(d) for d in result.diagnostics.errors]
    assert "site.accessibility_status:" in msg
