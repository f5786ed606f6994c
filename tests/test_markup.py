from naerpoliti.errors import Diagnostics
import pytest

from naerpoliti.markup import Markup
from naerpoliti.model import MediaInfo


def render(text, base="/", media=lambda p, pos, img: MediaInfo(p, 640, 480) if img else MediaInfo(p)):
    d = Diagnostics()
    return Markup(base, media).render(text, "n.md", 5, d), d


def test_raw_html_is_shown_as_text_not_passed_through():
    r, _ = render('<script>alert(1)</script>\n\nHej <img src=x onerror="alert(1)">\n')
    assert "<script" not in r.html and "<img" not in r.html
    assert "&lt;script&gt;" in r.html


def test_dangerous_link_schemes_are_not_links():
    r, _ = render("[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html;base64,AAAA)")
    assert "href" not in r.html


def test_external_links_get_noopener_and_site_links_the_base_path():
    r, _ = render("[ext](https://politi.dk) [int](/kontakt-politiet/)", base="/sub/")
    assert '<a href="https://politi.dk" rel="noopener noreferrer">ext</a>' in r.html
    assert '<a href="/sub/kontakt-politiet/">int</a>' in r.html
    assert [(t, p.line) for t, p in r.links] == [("/kontakt-politiet/", 5)]


def test_headings_start_at_h2_without_gaps_so_the_page_title_is_the_only_h1():
    r, _ = render("# Stor\n\n## Mindre\n\n###### Mindst\n")
    assert "<h1>" not in r.html
    assert "<h2>Stor</h2>" in r.html and "<h3>Mindre</h3>" in r.html and "<h4>Mindst</h4>" in r.html
    r, _ = render("## Afsnit\n\n### Under\n")
    assert "<h2>Afsnit</h2>" in r.html and "<h3>Under</h3>" in r.html


def test_tables_and_footnotes():
    r, _ = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nTekst[^1]\n\n[^1]: Note\n")
    assert '<div class="table--responsive-scroll" tabindex="0">\n<table class="table">' in r.html
    assert "<td>1</td>" in r.html
    assert 'class="footnotes"' in r.html


def test_media_references_are_collected_and_rewritten():
    r, d = render("![Lås](media/news/laas.png)\n\n[Folder](media/folder.pdf)", base="/sub/")
    assert r.media == ("media/news/laas.png", "media/folder.pdf")
    assert '<img src="/sub/media/news/laas.png" alt="Lås" width="640" height="480" />' in r.html
    assert 'href="/sub/media/folder.pdf"' in r.html
    assert not d.items


def test_image_without_alt_text_is_an_error_on_its_line_and_column():
    _, d = render("Tekst\n\nFørste linje\nanden ![](media/x.png)\n")
    assert [str(x).split(": error:")[0] for x in d.items] == ["n.md:8:11"]


def test_relative_links_are_errors_because_they_would_break():
    _, d = render("[a](lokalsamfund/skibby/) [b](#top) [c](mailto:a@example.dk) [d](tel:+4572581234)")
    assert [str(x) for x in d.items] == [
        "n.md:5:5: error: link to 'lokalsamfund/skibby/': write links to pages on this site from the site "
        "root, starting with '/', e.g. '/lokalsamfund/skibby/' (or 'media/...' for a file)"]


def test_summary_comes_from_the_first_paragraph():
    r, _ = render("## Overskrift\n\nFørste *afsnit*.\n\nAndet.\n")
    assert r.first_paragraph == "Første afsnit."


# Markdown -> the plain text that calendars (DESCRIPTION) and e-mails (email.txt) both show
PLAIN_TEXT_VARIANTS = {
    "list": ("- En\n- To", "- En\n- To"),
    "ordered list": ("3. En\n4. To", "3. En\n4. To"),
    "nested lists": ("1. En\n   - a\n   - b\n2. To", "1. En\n   - a\n   - b\n2. To"),
    "links": ("Se [siden](/lokalsamfund/skibby/), [DR](https://dr.dk/) og <https://dr.dk/x>.  \n"
              "Skriv til [os](mailto:a@b.dk) eller <a@b.dk>.",
              "Se siden (https://test.example.dk/lokalsamfund/skibby/), DR (https://dr.dk/) og "
              "https://dr.dk/x.\nSkriv til os (a@b.dk) eller a@b.dk."),
    "emphasis": ("Et *lille* og **stort** ~~ord~~.", "Et lille og stort ord."),
    "headings": ("# Overskrift\n\nTekst.\n\n### Under", "Overskrift\n\nTekst.\n\nUnder"),
    "code": ("Kør `naerpoliti build`:\n\n```\nlinje 1\nlinje 2\n```", "Kør naerpoliti build:\n\n    linje 1\n    linje 2"),
    "blockquote": ("Før.\n\n> Citat\n> videre\n\nEfter.", "Før.\n\n> Citat videre\n\nEfter."),
    "breaks": ("En\nto  \ntre", "En to\ntre"),
}


@pytest.mark.parametrize("name", PLAIN_TEXT_VARIANTS)
def test_calendars_and_emails_give_content_the_same_plain_text(site_root, tmp_path, name):
    import icalendar

    from conftest import build, render_all_emails
    from naerpoliti.render.newsletters import wrap

    source, expected = PLAIN_TEXT_VARIANTS[name]
    event = ("---\ntitle: Møde\nkind: citizen-meeting\nstart: 2026-12-03T19:00\nlocation: Hallen\n"
             f"localities: [skibby]\n---\n{source}\n")
    intro = f"---\ntitle: Nyt\n---\n{source}\n"
    root = site_root({"content/events/2026-12-03-moede.md": event, "content/newsletters/skibby/2026-11.md": intro})
    out = tmp_path / "site"
    assert not build(root, out).failed
    ics = icalendar.Calendar.from_ical((out / "arrangementer/2026-12-03-moede/kalender.ics").read_bytes())
    description = next(c for c in ics.walk("VEVENT"))["DESCRIPTION"]
    url = "https://test.example.dk/arrangementer/2026-12-03-moede/"
    assert str(description) == f"{expected}\n\n{url}"
    email = (render_all_emails(root, tmp_path / "mails") / "lokalsamfund/skibby/nyhedsbrev/2026-11/email.txt").read_text()
    assert f"\n\n{wrap(expected)}\n" in email  # the same text, wrapped at 72 columns
