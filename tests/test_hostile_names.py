"""Names that content cannot safely use, and one typo reported once (issue 17)."""
from __future__ import annotations

import os

import pytest
from conftest import REGISTRY, build, messages, news

SKIBBY = "  - id: skibby\n    name: Skibby\n    municipality: frederikssund\n    postcodes: [\"4050\"]\n"


@pytest.mark.parametrize("broken", [
    "    postcodes: [\"4050\"]\n",  # kept, as a control: nothing wrong
    "    postcodes: [\"40\"]\n",  # a bad postcode
    "    postcodes: [\"4050\"]\n    colour: blue\n",  # an unknown field
    "    postcodes: [\"4050\"]\n    coordinates: nord\n",  # a bad value of another field
])
def test_an_invalid_locality_is_reported_once_not_again_for_its_newsletter_folder(site_root, broken):
    registry = REGISTRY.replace(SKIBBY, "  - id: skibby\n    name: Skibby\n    municipality: frederikssund\n" + broken)
    root = site_root({"content/newsletters/skibby/2026-11.md": "Intro.\n"}, registry=registry)
    found = messages(build(root))
    assert not any("newsletters/skibby" in m and "unknown locality" in m for m in found), found
    if broken == "    postcodes: [\"4050\"]\n":
        assert not any(": error: " in m for m in found), found
    else:
        assert sum(": error: " in m for m in found) == 1, found


def test_an_invalid_locality_id_still_names_its_newsletter_folder(site_root):
    registry = REGISTRY.replace("  - id: skibby\n", "  - id: Skibby\n")
    root = site_root({"content/newsletters/skibby/2026-11.md": "Intro.\n"}, registry=registry)
    found = messages(build(root))
    assert not any("newsletters/skibby" in m for m in found), found


def test_a_newsletter_folder_of_no_locality_is_still_an_error(site_root):
    root = site_root({"content/newsletters/skiby/2026-11.md": "Intro.\n"})
    assert any("content/newsletters/skiby/2026-11.md" in m and "unknown locality or municipality 'skiby'" in m
               for m in messages(build(root)))


# --- ids and file names too long for a file system ------------------------------------------------

def _long_id(n: int) -> str:
    return ("a" * n)[:n]


@pytest.mark.parametrize("n, ok", [(200, True), (201, False), (255, False), (256, False), (1000, False)])
@pytest.mark.parametrize("record", ["locality", "officer", "station", "ambassador"])
def test_an_id_longer_than_200_bytes_is_refused_by_check_and_build(site_root, tmp_path, n, ok, record):
    long = _long_id(n)
    registry, files = REGISTRY, {"content/news/2026-11-20-a.md": news()}
    if record == "locality":
        registry = REGISTRY.replace("  - id: slangerup\n", f"  - id: {long}\n")
    elif record == "officer":
        registry = REGISTRY.replace("skibby-betjent", long)
    elif record == "station":
        registry = REGISTRY.replace("frederikssund-politistation", long)
    else:
        files["content/ambassadors/skibby.yaml"] = f"- id: {long}\n  name: Anna\n"
    root = site_root(files, registry=registry)
    checked = messages(build(root))
    too_long = [m for m in checked if "is too long for an id or file name" in m]
    assert not too_long if ok else too_long, checked
    result = build(root, tmp_path / "out")  # build refuses what check refuses, and writes nothing
    assert result.failed != ok, messages(result)
    assert (tmp_path / "out").exists() == ok
    if not ok:
        assert all(m.startswith(("localities.yaml:", "content/")) and ":" in m.split(": ")[0] for m in too_long)
        assert all(long not in m for m in too_long)  # the message shows the start, not 1000 letters


@pytest.mark.parametrize("n, ok", [(200, True), (201, False), (252, False)])  # 252 + ".md": the longest name
@pytest.mark.parametrize("folder", ["news", "events", "pages"])
def test_a_content_file_name_longer_than_200_bytes_is_refused(site_root, tmp_path, n, ok, folder):
    stem = ("2026-11-20-" + "x" * n)[:n]
    event = "---\ntitle: T\nstart: 2026-11-25\nkind: other\nlocation: Hallen\nlocalities: [skibby]\n---\nTekst.\n"
    text = {"news": news(), "events": event, "pages": "---\ntitle: T\n---\nTekst.\n"}[folder]
    root = site_root({f"content/{folder}/{stem}.md": text})
    found = messages(build(root))
    rel = f"content/{folder}/{stem}.md"
    assert any(m.startswith(f"{rel}:1:1: error: file name: ") and "too long" in m for m in found) != ok, found
    result = build(root, tmp_path / "out")
    assert result.failed != ok
    if ok:
        url = {"news": "nyheder/", "events": "arrangementer/", "pages": ""}[folder]
        assert (tmp_path / "out" / f"{url}{stem}" / "index.html").is_file()


@pytest.mark.parametrize("name, hint", [
    ("æ" * 99 + "x", True),  # 199 bytes in UTF-8: not an id, but its slug fits
    ("æ" * 101, False),  # 202 bytes, and a slug of 202 letters: no suggestion that is too long again
    ("Ø" * 126, False),  # 252 bytes, with ".md" the longest file name there can be
])
def test_multi_byte_letters_near_the_limit(site_root, name, hint):
    root = site_root({f"content/pages/{name}.md": "---\ntitle: T\n---\nTekst.\n"})
    found = [m for m in messages(build(root)) if "error: file name:" in m]
    assert len(found) == 1, found
    assert ("did you mean" in found[0]) == hint, found
    assert ("too long" in found[0]) == (len(name.encode()) > 200), found


# --- media names ----------------------------------------------------------------------------------

def _png() -> bytes:
    import io

    import PIL.Image
    buf = io.BytesIO()
    PIL.Image.new("RGB", (8, 6), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("name, written, url", [
    ("a b.png", "media/a%20b.png", "/media/a%20b.png"),
    ("a b.png", "<media/a b.png>", "/media/a%20b.png"),
    ("blå.png", "media/blå.png", "/media/bl%C3%A5.png"),
    ("blå.png", "media/bl%C3%A5.png", "/media/bl%C3%A5.png"),
    ("Før og efter.png", "<media/Før og efter.png>", "/media/F%C3%B8r%20og%20efter.png"),
])
def test_media_names_with_spaces_and_letters_are_referenced_and_percent_encoded(site_root, tmp_path, name,
                                                                                written, url):
    root = site_root({f"content/media/{name}": _png(),
                      "content/news/2026-11-20-a.md": news(body=f"![Et billede]({written})")})
    result = build(root, tmp_path / "out")
    assert not result.failed, messages(result)
    page = (tmp_path / "out/nyheder/2026-11-20-a/index.html").read_text(encoding="utf-8")
    assert f'src="{url}"' in page
    assert (tmp_path / "out/media" / name).is_file()


@pytest.mark.parametrize("name, written", [
    ("a#b.png", "media/a#b.png"), ("a#b.png", "media/a%23b.png"),
    ("a?b.png", "media/a%3Fb.png"), ("100%.png", "media/100%25.png"),
])
def test_media_names_that_break_links_are_refused_with_a_rename_hint(site_root, name, written):
    root = site_root({f"content/media/{name}": _png(),
                      "content/news/2026-11-20-a.md": news(body=f"![Et billede]({written})"),
                      "content/news/2026-11-21-b.md": news(extra=f"image: media/{name}\nimage_alt: Et billede\n")})
    found = messages(build(root))
    for rel in ("content/news/2026-11-20-a.md", "content/news/2026-11-21-b.md"):
        assert any(m.startswith(rel) and "a media file name cannot hold" in m and "rename the file" in m
                   for m in found), found


@pytest.mark.parametrize("names", [("foto.png", "Foto.png"), ("FOTO.png", "foto.PNG"),
                                   ("bl\u00e5.png", "bla\u030a.png"), ("news/a.png", "News/b.png")])
def test_case_and_normalisation_duplicates_warn_and_fail_with_strict(site_root, names):
    root = site_root({f"content/media/{n}": _png() for n in names})
    result = build(root)
    clash = [m for m in messages(result) if "differ only in capital letters" in m]
    assert len(clash) == 1 and ": warning: " in clash[0], messages(result)
    assert not result.failed
    assert build(root, strict=True).failed


def test_different_media_names_do_not_warn(site_root):
    root = site_root({"content/media/foto-1.png": _png(), "content/media/foto-2.png": _png(),
                      "content/media/news/foto-1.png": _png()})
    assert not [m for m in messages(build(root)) if "differ only" in m]


@pytest.mark.parametrize("make, what", [(os.mkfifo, "named pipe"), (os.mkdir, "a folder")])
@pytest.mark.parametrize("how", ["markdown", "field"])
def test_a_media_path_that_is_not_a_file_says_what_it_is(site_root, make, what, how):
    body, extra = ("![Et billede](media/x.png)", "") if how == "markdown" else (
        "Tekst.", "image: media/x.png\nimage_alt: Et billede\n")
    root = site_root({"content/news/2026-11-20-a.md": news(body=body, extra=extra)})
    (root / "content/media").mkdir(parents=True)
    make(root / "content/media/x.png")
    found = messages(build(root))
    assert any("content/media/x.png" in m and what in m for m in found), found
    assert not any("does not exist" in m for m in found), found


@pytest.mark.parametrize("name, ok", [("x" * 196 + ".png", True), ("x" * 197 + ".png", False),
                                      ("æ" * 98 + ".png", True), ("æ" * 99 + ".png", False)])
def test_a_media_name_longer_than_200_bytes_is_refused(site_root, tmp_path, name, ok):
    root = site_root({f"content/media/{name}": _png(),
                      "content/news/2026-11-20-a.md": news(body=f"![Et billede](<media/{name}>)")})
    found = messages(build(root))
    assert any("too long for a media file or folder name" in m for m in found) != ok, found
