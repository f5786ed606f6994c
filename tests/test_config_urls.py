"""Configured addresses are hostile input too (issue 17): site.base_url's path becomes output
paths and the full-text index's folder, every configured URL is published in links and headers,
every e-mail address in mailto: links. Each class of hole is closed where the value is read
(check and build refuse alike) and again where a path is made from it."""
from __future__ import annotations

import re

import pytest
from conftest import REGISTRY, build, messages, news, render_all_emails, tree

from naerpoliti import fulltext
from naerpoliti.errors import Position
from naerpoliti.fieldtypes import BaseUrl, Email, HttpsUrl, Invalid, Url
from naerpoliti.urls import Urls, clean_path, mailto

HERE = Position("localities.yaml", 3, 13)
FILES = {"content/news/a.md": news("Nyhed", "2026-11-20")}


def with_base_url(url: str) -> str:
    return REGISTRY.replace("  base_url: https://test.example.dk/", f"  base_url: {url}")


# --- 1. paths derived from the configuration stay inside their folder -----------------------------

LEAVING = [
    '"https://test.example.dk/a/../../../x/"',  # the reported one
    '"https://test.example.dk/.."',
    '"https://test.example.dk/./naerpoliti/"',
    '"https://test.example.dk//evil.example/"',  # a //host path, published in every link
    '"https://test.example.dk/a//b/"',
    '"https://test.example.dk/%2e%2e/%2E%2E/x/"',  # encoded dots
    '"https://test.example.dk/a%2F..%2F..%2Fx/"',  # an encoded slash
    '"https://test.example.dk/a%5c..%5cx/"',  # an encoded backslash
    '"https://test.example.dk/a\\\\..\\\\x/"',  # a backslash
    '"https://test.example.dk/a%00/"',  # an encoded control character
    '"https://test.example.dk/a\\u0001/"',  # a control character (a YAML escape)
    '"https://test.example.dk/nærpoliti/"',  # not ASCII: %XX or nothing
    '"https://test.example.dk/a%/"',  # a broken escape
]
PUBLISHED = [
    '"https://bruger:hemmelig@test.example.dk/"',  # userinfo, published in every canonical URL
    '"https://test.example.dk@evil.example/"',
    '"https://test.example.dk/?utm=1"',
    '"https://test.example.dk/naerpoliti/?"',
    '"https://test.example.dk/#top"',
    '"ftp://test.example.dk/"',
    '"https://test.example.dk:0/"',
    '"https://test.example.dk:99999/"',
    '"https://test.example.dk:/"',
    '"https://test%2eexample.dk/"',
    '"https://[nicht-ip]/"',
    '"https://[::1/"',
]


@pytest.mark.parametrize("url", LEAVING + PUBLISHED)
def test_check_and_build_refuse_a_base_url_that_is_not_plain_folders(site_root, tmp_path, url):
    root = site_root(FILES, with_base_url(url))
    out = tmp_path / "deep" / "out"
    checked = build(root, None)
    built = build(root, out)
    assert checked.failed and built.failed
    assert messages(checked) == messages(built)
    [message] = [m for m in messages(built) if ": error: " in m]
    assert message.startswith("localities.yaml:3:13: error: site.base_url: "), message
    assert not out.exists()
    assert not list(tmp_path.rglob("index.html"))  # nothing written anywhere


@pytest.mark.parametrize("url, expected", [
    ("https://test.example.dk/naerpoliti", "https://test.example.dk/naerpoliti/"),
    ("https://nærpoliti.dk/", "https://xn--nrpoliti-j0a.dk/"),  # IDN: ASCII in every URL and header
    ("https://NÆRPOLITI.dk:8443/x/", "https://xn--nrpoliti-j0a.dk:8443/x/"),
    ("http://localhost:8000/", "http://localhost:8000/"),
    ("https://[::1]:8080/a-b_c.d~e/%C3%A6/", "https://[::1]:8080/a-b_c.d~e/%C3%A6/"),
    ("https://example.dk/.../", "https://example.dk/.../"),  # a name, not a step up
])
def test_base_urls_accepted_and_their_form(url, expected):
    assert BaseUrl().convert(url, HERE, None) == expected


def test_the_messages_say_what_to_change():
    def message(url: str) -> str:
        with pytest.raises(Invalid) as exc:
            BaseUrl().convert(url, HERE, None)
        return str(exc.value)
    assert "'/../'" in message("https://x.dk/a/../") and "'//'" in message("https://x.dk//b/")
    assert "'%2F'" in message("https://x.dk/a%2Fb/") and "'æ'" in message("https://x.dk/æ/")
    assert "user name or password" in message("https://u:p@x.dk/")
    assert "query" in message("https://x.dk/?a") and "fragment" in message("https://x.dk/#a")


def test_a_sub_path_site_with_an_idn_host_builds(site_root, tmp_path):
    root = site_root(FILES, with_base_url("https://nærpoliti.dk/lokalt/"))
    out = tmp_path / "site"
    result = build(root, out)
    assert not result.failed, messages(result)
    files = tree(out)
    page = files["nyheder/a/index.html"].decode()
    assert 'href="https://xn--nrpoliti-j0a.dk/lokalt/nyheder/a/"' in page and "nærpoliti.dk" not in page
    assert b"tag:xn--nrpoliti-j0a.dk," in files["rss.xml"]
    eml = tree(render_all_emails(root, tmp_path / "mails"))["lokalsamfund/skibby/nyhedsbrev/2026-11/nyhedsbrev.eml"]
    assert b"<nyhedsbrev@xn--nrpoliti-j0a.dk>" in eml and max(eml) < 128


def test_paths_made_from_the_base_path_refuse_to_leave_their_folder(site_root, tmp_path):
    # site.base_url's type refuses these first; the code that makes paths refuses them regardless
    for bad in ("https://x.dk/a/../../", "https://x.dk/%2e%2e/", "https://x.dk//b/", "https://u@x.dk/",
                "https://x.dk/?q", "https://x.dk/a%2f/"):
        with pytest.raises(ValueError):
            Urls(bad)
    urls = Urls("https://x.dk/sub/")
    for bad in ("/sub/../x/", "/sub/a/%2e%2e/", "/sub/a//b", "/sub/a\\b"):
        with pytest.raises(ValueError):
            urls.output_path(bad)
    assert urls.output_path("/sub/a/.../") == "a/.../index.html"
    for bad in ("/../", "/a/../../", "/%2E%2E/", "//x/", "/a\\b/", "/a%5Cb/", "/a%0a/"):
        assert not clean_path(bad)
    # the full-text index reads the pages it is given from the output folder, and no other file
    result = build(site_root(FILES), tmp_path / "site")
    assert not result.failed, messages(result)
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_text("x")
    (tmp_path / "index.html").write_text("<html><body><main data-pagefind-body>Hemmelig</main></body></html>")
    for bad in ("../index.html", "a/../../index.html", "/etc/index.html", str(tmp_path / "index.html")):
        with pytest.raises(fulltext.FulltextError, match="not inside the output folder"):
            fulltext.index_pages(result.site, out, [(bad, b"")])


# --- every other configured URL -------------------------------------------------------------------

@pytest.mark.parametrize("field, value, fragment", [
    ("  was_url: ", '"https://u:p@was.digst.dk/x"', "user name or password"),
    ("  was_url: ", '"https://was.digst.dk/\\u0007x"', "control character"),
    ("  was_url: ", '"https://was.digst.dk/a\\\\b"', "backslash"),
    ("  newsletter: {unsubscribe_url: ", '"http://test.example.dk/afmeld"}', "https"),
    ("  newsletter: {unsubscribe_url: ", '"https://a:b@test.example.dk/afmeld"}', "user name or password"),
    ("  newsletter: {subscribe_url: ", '"https://test.example.dk:70000/"}', "port"),
    ("  cms: {backend: git-gateway, base_url: ", '"https://x@auth.example.dk"}', "user name or password"),
])
def test_other_configured_urls_are_web_addresses_safe_to_publish(site_root, field, value, fragment):
    registry = REGISTRY.replace("  base_url: https://test.example.dk/\n",
                                f"  base_url: https://test.example.dk/\n{field}{value}\n")
    root = site_root(FILES, registry)
    result = build(root, None)
    assert result.failed and any(fragment in m for m in messages(result)), messages(result)


def test_district_and_council_urls_are_checked_too(site_root):
    registry = REGISTRY.replace("    name: Nordsjællands Politi\n",
                                "    name: Nordsjællands Politi\n    url: https://u:p@politi.dk/\n")
    registry = registry.replace("    officer: skibby-betjent\n  - id: slangerup",
                                "    officer: skibby-betjent\n    councils:\n      - name: Rådet\n"
                                "        url: \"https://råd.dk/\\u0001\"\n  - id: slangerup")
    result = build(site_root(FILES, registry), None)
    found = messages(result)
    assert any(m.startswith("localities.yaml:7:10: error: url: ") and "user name or password" in m
               for m in found), found
    assert any("control character" in m for m in found), found


def test_an_idn_host_in_any_url_is_written_in_ascii():
    assert Url().convert("https://rådet.dk/om", HERE, None) == "https://xn--rdet-qoa.dk/om"
    assert HttpsUrl().convert("https://nærpoliti.dk/afmeld?x=1", HERE, None) == "https://xn--nrpoliti-j0a.dk/afmeld?x=1"
    with pytest.raises(Invalid):
        Url().convert("https://-æ.dk/", HERE, None)


# --- 2. e-mail addresses and mailto: --------------------------------------------------------------

def test_mailto_is_percent_encoded_per_rfc_6068():
    assert mailto("raad?cc=x@example.dk") == "mailto:raad%3Fcc%3Dx@example.dk"  # one address, no Cc
    assert mailto("a&b=c#d/e%f@example.dk") == "mailto:a%26b%3Dc%23d%2Fe%25f@example.dk"
    assert mailto("\"a@b\"@example.dk") == "mailto:%22a%40b%22@example.dk"
    assert mailto("x@nærpoliti.dk") == "mailto:x@xn--nrpoliti-j0a.dk"
    assert mailto("søren@example.dk") == "mailto:s%C3%B8ren@example.dk"
    assert mailto("x@example.dk", "Tilmelding: Skibby & Co/ÆØÅ?") == (
        "mailto:x@example.dk?subject=Tilmelding%3A%20Skibby%20%26%20Co%2F%C3%86%C3%98%C3%85%3F")
    assert mailto("x@example.dk", "a", "linje 1\r\nlinje 2") == (
        "mailto:x@example.dk?subject=a&body=linje%201%0D%0Alinje%202")


def test_every_mailto_link_of_the_site_is_written_by_the_filter(site_root, tmp_path):
    """An address that is valid but full of URI syntax, in every place the site shows one."""
    odd = "raad?cc=x@example.dk"
    registry = REGISTRY.replace("    email: mette@example.dk\n", f"    email: \"{odd}\"\n")
    registry = registry.replace("  base_url: https://test.example.dk/\n",
                                "  base_url: https://test.example.dk/\n  accessibility_contact: \"a&b@nærpoliti.dk\"\n"
                                "  newsletter: {subscribe_email: \"til+meld?x@example.dk\"}\n")
    registry = registry.replace("    officer: skibby-betjent\n  - id: slangerup",
                                "    officer: skibby-betjent\n    councils:\n      - name: Rådet\n"
                                "        email: \"r#d@example.dk\"\n  - id: slangerup")
    out = tmp_path / "site"
    result = build(site_root(FILES, registry), out)
    assert not result.failed, messages(result)
    seen = set()
    for path, data in tree(out).items():
        if path.endswith((".html", ".txt")):
            text = data.decode()
            for href in re.findall(r'href="(mailto:[^"]*)"', text):
                address = href.removeprefix("mailto:").split("?", 1)[0]
                assert not set(address) & set("?#&=/,;: "), (path, href)
                seen.add(address)
    assert {"raad%3Fcc%3Dx@example.dk", "a%26b@xn--nrpoliti-j0a.dk", "til+meld%3Fx@example.dk",
            "r%23d@example.dk"} <= seen, seen


def test_newsletter_header_addresses_are_ascii_or_refused():
    header = Email(ascii_only=True)
    assert header.convert("nyt@nærpoliti.dk", HERE, None) == "nyt@xn--nrpoliti-j0a.dk"
    assert Email().convert("nyt@nærpoliti.dk", HERE, None) == "nyt@nærpoliti.dk"  # shown as written
    for address in ("søren@example.dk", "nyhedsbrev@example.dk\u200b", "æ@xn--nrpoliti-j0a.dk"):
        with pytest.raises(Invalid):
            header.convert(address, HERE, None)


@pytest.mark.parametrize("setting", ["from", "reply_to", "unsubscribe_email"])
def test_a_utf8_address_in_a_newsletter_header_is_an_error_in_check_and_build(site_root, tmp_path, setting):
    registry = REGISTRY.replace("  base_url: https://test.example.dk/\n", "  base_url: https://test.example.dk/\n"
                                f"  newsletter: {{{setting}: søren@nærpoliti.dk}}\n")
    root = site_root(FILES, registry)
    checked, built = build(root, None), build(root, tmp_path / "site")
    assert checked.failed and built.failed and messages(checked) == messages(built)
    assert any(f"site.newsletter.{setting}: 'søren@nærpoliti.dk' has letters outside a-z" in m
               for m in messages(built)), messages(built)
