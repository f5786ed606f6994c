"""Hostile and broken input: oversized files, alias bombs, deep nesting, long lines, unsafe links,
reserved names and symlinks. Each is a content error (or harmless), and never a hang, a crash or a
traceback."""
from __future__ import annotations

import os
import re
import signal

import pytest

from naerpoliti.errors import Diagnostics
from naerpoliti.load import MAX_LINE_CHARS, MAX_MARKDOWN_BYTES, MAX_YAML_BYTES, MAX_YAML_DEPTH
from naerpoliti.markup import Markup
from naerpoliti.model import MediaInfo

from conftest import build, messages, news

NEWS = "content/news/2026-11-20-nyhed.md"
AMB = "content/ambassadors/skibby.yaml"
# Seconds after which a check is stopped as hung: far beyond what these small roots take on any
# machine, so that only a hang (an alias bomb expanded, a regex gone quadratic) fails, never load.
HANG = 120


def guarded_check(root):
    """A check only (out is None), stopped with a failure should it hang."""
    def hung(signum, frame):
        pytest.fail(f"the check still ran after {HANG} s: it hangs")  # BaseException: nothing catches it

    if not hasattr(signal, "SIGALRM"):  # Windows: no guard
        return build(root)
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG)
    try:
        return build(root)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def errors(result) -> list[str]:
    return [str(d) for d in result.diagnostics.errors]


def only_error(result, expected: str) -> None:
    assert result.failed
    assert errors(result) == [expected]


# --- file size and line length ------------------------------------------------------------------

def test_a_markdown_file_over_the_size_limit(site_root):
    body = ("Lorem ipsum dolor sit amet.\n" * (MAX_MARKDOWN_BYTES // 28 + 10))
    text = news(body=body)
    root = site_root({NEWS: text})
    size = len(text.encode())
    only_error(guarded_check(root), f"{NEWS}:1:1: error: the file is too big ({size:,} bytes; at most "
                                  f"{MAX_MARKDOWN_BYTES:,} bytes): split it into smaller files, "
                                  "or check that it is the right file")


@pytest.mark.parametrize("rel", [NEWS, AMB])
def test_a_10_mb_line_is_refused_by_size(site_root, rel):
    root = site_root({rel: b"x" * 10_000_000})
    limit = MAX_MARKDOWN_BYTES if rel.endswith(".md") else MAX_YAML_BYTES
    only_error(guarded_check(root), f"{rel}:1:1: error: the file is too big (10,000,000 bytes; at most "
                                  f"{limit:,} bytes): split it into smaller files, or check that it is the right file")


def test_a_line_over_the_length_limit(site_root):
    long = "a" * (MAX_LINE_CHARS + 5)
    root = site_root({AMB: f"- id: lang\n  name: {long}\n"})
    only_error(guarded_check(root), f"{AMB}:2:{MAX_LINE_CHARS + 1}: error: line 2 is {MAX_LINE_CHARS + 13:,} "
                                  f"characters long (at most {MAX_LINE_CHARS:,}): break it into shorter "
                                  "lines, or check that this is the right file")


# --- YAML: aliases and nesting ------------------------------------------------------------------

BILLION_LAUGHS = """\
- id: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_alias_bomb(site_root):
    root = site_root({AMB: BILLION_LAUGHS})
    only_error(guarded_check(root), f"{AMB}:2:10: error: '*a' repeats the value marked '&a': anchors and "
                                  "aliases (& and *) are not supported; write the value out in full")


def test_an_alias_bomb_in_front_matter_names_the_file_line(site_root):
    text = news(extra="x: &x [1, 2]\ny: [*x, *x]\n")
    only_error(guarded_check(site_root({NEWS: text})),
               f"{NEWS}:6:5: error: '*x' repeats the value marked '&x': anchors and "
               "aliases (& and *) are not supported; write the value out in full")


def test_an_anchor_alone_is_refused_so_an_unquoted_ampersand_is_not_lost(site_root):
    text = news(title="&tyveri Indbrud i Skibby")  # would silently become "Indbrud i Skibby"
    only_error(guarded_check(site_root({NEWS: text})),
               f"{NEWS}:2:8: error: a value starting with '&' marks an anchor: anchors and aliases "
               "(& and *) are not supported; put the whole value in quotes (title: \"&-tegnet\")")


DEPTH_MESSAGE = (f"lists and groups of fields are nested more than {MAX_YAML_DEPTH} levels deep: "
                 "content never needs this; check the brackets and indentation")


@pytest.mark.parametrize("levels", [MAX_YAML_DEPTH + 1, 10_000, 150_000])
def test_deeply_nested_yaml_brackets(site_root, levels):
    # 150,000 levels crash libyaml's recursive composer: they must be refused before it runs.
    root = site_root({AMB: "- id: x\n  name: " + "[\n" * levels})
    # The file's list and its item are levels 1 and 2: the "[" on line 50 opens level 51.
    only_error(guarded_check(root), f"{AMB}:{MAX_YAML_DEPTH}:1: error: {DEPTH_MESSAGE}")


def test_deeply_nested_yaml_indentation(site_root):
    text = "".join("  " * i + "k:\n" for i in range(1000))
    only_error(guarded_check(site_root({AMB: text})), f"{AMB}:{MAX_YAML_DEPTH + 1}:{2 * MAX_YAML_DEPTH + 1}: "
                                                    f"error: {DEPTH_MESSAGE}")


# --- Markdown: nesting is capped, never a crash ------------------------------------------------

@pytest.mark.parametrize("body", [
    ">" * 10_000 + " dybt",
    "> " * 10_000 + "dybt",
    "[" * 10_000 + "x" + "](/)" * 10_000,
    "![" * 10_000 + "x",
    "- " * 10_000 + "x",
    "".join("  " * i + "- x\n" for i in range(400)),
    "*" * 50_000 + "x" + "*" * 50_000,
    "`" * 50_000,
])
def test_deeply_nested_markdown_is_harmless(site_root, body):
    root = site_root({NEWS: news(body=body)})
    result = guarded_check(root)
    assert all("Traceback" not in m and "Recursion" not in m for m in messages(result))
    assert not [m for m in errors(result) if NEWS not in m]


def test_deep_markdown_output_is_capped(site_root):
    r, d = render(">" * 10_000 + " dybt")
    assert r.html.count("<blockquote>") <= 20


# --- Markdown: links and images ------------------------------------------------------------------

def render(text):
    d = Diagnostics()
    r = Markup("/", lambda p, pos, img: MediaInfo(p, 10, 10) if img else MediaInfo(p)).render(text, "n.md", 5, d)
    return r, d


IMAGE_MESSAGE = ("is not a file of this site: images must be files in content/media/, "
                 "written as ![Alt text](media/news/foto.jpg)")


@pytest.mark.parametrize("src", [
    "https://tracker.example.com/pixel.png",
    "http://example.com/a.jpg",
    "//example.com/a.jpg",
    "data:image/png;base64,iVBORw0KGgo=",
    "/media/news/laas.png",
    "HTTPS://EXAMPLE.COM/A.PNG",
])
def test_images_must_be_local_media(src):
    r, d = render(f"Tekst\n\n![Foto]({src})\n")
    assert [str(x) for x in d.errors] == [f"n.md:7:9: error: the image '{src}' {IMAGE_MESSAGE}"]
    assert "example.com" not in r.html.lower() and "data:" not in r.html


def test_an_image_from_another_host_is_a_build_error(site_root):
    text = news(body="![Foto](https://example.com/a.png)")
    only_error(guarded_check(site_root({NEWS: text})),
               f"{NEWS}:6:9: error: the image 'https://example.com/a.png' {IMAGE_MESSAGE}")


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:msgbox(1)", "VBScript:x",
    "data:text/html;base64,PHNjcmlwdD4=", "DATA:text/html,x",
    "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "javascript&#58;alert(1)",
    "java&#x09;script:alert(1)", "java%09script:alert(1)", "java&Tab;script:alert(1)",
    "<javascript:alert(1)>", " javascript:alert(1)", "\x01javascript:alert(1)",
    "jav\tascript:alert(1)",
])
@pytest.mark.parametrize("form", ["[a]({})", "![a]({})", "[a][r]\n\n[r]: {}"])
def test_script_and_data_urls_never_become_links(target, form):
    r, d = render(form.format(target))
    hrefs = re.findall(r'(?:href|src)="([^"]*)"', r.html)
    for h in hrefs:
        # Browsers drop literal tabs and newlines in a URL, not "%09": "java%09script:" is a
        # relative link, which is refused below.
        low = re.sub(r"[\t\n\r ]", "", h.lower())
        assert not low.startswith(("javascript", "vbscript", "data")), (target, r.html)
    if hrefs:  # markdown-it kept something: it must not pass the link check either
        assert d.errors, (target, r.html)


@pytest.mark.parametrize("autolink", ["<javascript:alert(1)>", "<JAVASCRIPT:alert(1)>", "<vbscript:x>",
                                      "<data:text/html,x>", "<&#106;avascript:alert(1)>"])
def test_script_autolinks_are_text(autolink):
    r, _ = render(autolink)
    assert "href" not in r.html


def test_external_links_keep_noopener():
    r, _ = render("[a](https://politi.dk) <https://politi.dk/x>")
    assert r.html.count('rel="noopener noreferrer"') == 2


@pytest.mark.parametrize("raw", ["<svg onload=alert(1)>", "<img src=x onerror=alert(1)>",
                                 "<iframe src=https://example.com></iframe>", "<!-- skjult -->",
                                 "<script>alert(1)</script>", "<a href=javascript:x>a</a>"])
def test_raw_html_stays_text(raw):
    r, _ = render(f"Før\n\n{raw}\n\nEfter {raw}\n")
    assert "<svg" not in r.html and "<img" not in r.html and "<iframe" not in r.html
    assert "<!--" not in r.html and "<script" not in r.html and "<a " not in r.html


# --- names and paths -----------------------------------------------------------------------------

def reserved(value):
    return (f"'{value}' cannot be used as an id or file name: Windows reserves it for a device "
            "(CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9), so its folder could not be created there; "
            f"add a word, e.g. '{value}-1'")


@pytest.mark.parametrize("name", ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9"])
def test_windows_reserved_file_names(site_root, name):
    rel = f"content/pages/{name}.md"
    only_error(guarded_check(site_root({rel: "---\ntitle: Side\n---\nTekst.\n"})),
               f"{rel}: error: file name: {reserved(name)}".replace(f"{rel}:", f"{rel}:1:1:"))


def test_windows_reserved_ids(site_root):
    result = guarded_check(site_root({AMB: "- id: aux\n  name: Ane\n"}))
    assert result.failed
    assert any(m.endswith(reserved("aux")) for m in errors(result)), errors(result)


def test_ordinary_ids_that_only_contain_reserved_names_are_fine(site_root):
    from naerpoliti.schema import check_slug
    for ok in ("console", "aux-omraadet", "com10", "lpt0", "nulstil", "con-1"):
        assert check_slug(ok) == ok


MEDIA_CASES = {
    "media/news/\x07laas.png": "is not a media path",
    "media\\news\\laas.png": "is not a media path",
    "media/../localities.yaml": "is not a media path",
    "media/news/../../../etc/passwd.png": "is not a media path",
    "/etc/passwd.png": "is not a media path",
    "media/con.png": "uses a name Windows reserves",
    "media/aux/laas.png": "uses a name Windows reserves",
    "media/news/Lpt1.foto.png": "uses a name Windows reserves",
}


@pytest.mark.parametrize("path", list(MEDIA_CASES))
def test_bad_media_paths(tmp_path, path):
    from naerpoliti.schema import inspect_media
    (tmp_path / "content" / "media" / "news").mkdir(parents=True)
    problem, info = inspect_media(tmp_path, path, is_image=True)
    assert info is None and MEDIA_CASES[path] in problem


def test_a_media_symlink_pointing_outside_is_refused(site_root, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG not really")
    root = site_root({NEWS: news(body="![Foto](media/news/foto.png)")})
    (root / "content" / "media" / "news").mkdir(parents=True)
    os.symlink(secret, root / "content" / "media" / "news" / "foto.png")
    only_error(guarded_check(root), f"{NEWS}:6:9: error: 'media/news/foto.png' points outside the site folder")


def test_a_symlinked_content_file_is_an_error_not_published(site_root, tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text(news(title="Hemmelig"), encoding="utf-8")
    root = site_root()
    (root / "content" / "news").mkdir(parents=True, exist_ok=True)
    os.symlink(outside, root / NEWS)
    out = tmp_path / "site"
    result = build(root, out)
    assert errors(result) == [f"{NEWS}:1:1: error: this is a link (symlink) to a file outside the site "
                              "folder, which is not published: put the file itself here instead"]
    assert not out.exists() or "Hemmelig" not in "".join(
        p.read_text(errors="replace") for p in out.rglob("*.html"))


def test_a_symlink_to_etc_passwd_is_an_error(site_root):
    if not os.path.exists("/etc/passwd"):
        pytest.skip("no /etc/passwd")
    root = site_root()
    (root / "content" / "ambassadors").mkdir(parents=True, exist_ok=True)
    os.symlink("/etc/passwd", root / AMB)
    [msg] = errors(guarded_check(root))
    assert msg.startswith(f"{AMB}:1:1: error: this is a link (symlink) to a file outside the site folder")
