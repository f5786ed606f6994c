"""Published images are re-encoded from their pixels: no EXIF, GPS, XMP, text chunks or times,
turned the right way up, in the widths of their srcset, byte for byte the same on every build."""
from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import PIL.Image
import PIL.ImageFile
import PIL.features
import PIL.ImageCms
import PIL.PngImagePlugin
import pytest

from conftest import build, messages, news, tree
from naerpoliti import media
from naerpoliti.render import images

SECRET = "Hemmeligvej 7, 4050 Skibby"  # where the photo was taken: must appear nowhere
XMP = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       f'<rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:City="{SECRET}"/>'
       f'</rdf:RDF></x:xmpmeta>').encode()
LEAKS = [b"Exif", b"GPS", b"xmp", b"XMP", b"tEXt", b"iTXt", b"zTXt", b"tIME", b"eXIf", b"iCCP",
         SECRET.encode(), b"Telefonmaerke"]


def picture(width: int, height: int, mode: str = "RGB") -> PIL.Image.Image:
    """A smooth gradient, left half red and right half blue, so a rotation can be seen."""
    img = PIL.Image.new(mode, (width, height))
    left = PIL.Image.linear_gradient("L").resize((width // 2, height))
    img.paste((200, 30, 40) + ((255,) if mode == "RGBA" else ()), (0, 0, width // 2, height))
    img.paste((30, 40, 200) + ((128,) if mode == "RGBA" else ()), (width // 2, 0, width, height))
    img.paste(left.convert(mode), (0, 0), left.point(lambda v: v // 4))
    return img


def exif(orientation: int = 1) -> PIL.Image.Exif:
    e = PIL.Image.Exif()
    e[0x0112] = orientation
    e[0x010F] = "Telefonmaerke"  # Make
    e[0x0132] = "2026:11:20 14:03:00"  # DateTime
    e[0x8825] = {1: "N", 2: (55.0, 44.0, 10.5), 3: "E", 4: (11.0, 57.0, 3.2)}  # GPS IFD
    return e


def icc() -> bytes:
    return PIL.ImageCms.ImageCmsProfile(PIL.ImageCms.createProfile("sRGB")).tobytes()


def jpeg(width: int, height: int, orientation: int = 1) -> bytes:
    buf = io.BytesIO()
    picture(width, height).save(buf, "JPEG", quality=90, exif=exif(orientation), xmp=XMP, icc_profile=icc())
    data = buf.getvalue()
    with PIL.Image.open(io.BytesIO(data)) as check:  # the input really carries what must go
        assert check.getexif().get_ifd(0x8825) and check.info.get("xmp") and check.info.get("icc_profile")
    return data


def png(width: int, height: int) -> bytes:
    info = PIL.PngImagePlugin.PngInfo()
    info.add_text("Location", SECRET)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    info.add(b"tIME", struct.pack(">HBBBBB", 2026, 11, 20, 14, 3, 0))
    buf = io.BytesIO()
    picture(width, height, "RGBA").save(buf, "PNG", pnginfo=info, exif=exif())
    data = buf.getvalue()
    for chunk in (b"tEXt", b"iTXt", b"tIME", b"eXIf"):
        assert chunk in data
    return data


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def built(site_root, tmp_path):
    root = site_root({
        "content/news/2026-11-20-foto.md": news(
            title="Foto",
            extra="image: media/news/foto.jpg\nimage_alt: Et foto fra Skibby\n",
            body="Se ![et drejet foto](media/news/drejet.jpg) og ![et logo](media/news/logo.png) "
                 "og [referatet](media/docs/referat.pdf).\n\nOg igen: ![samme foto](media/news/foto.jpg)"),
        "content/news/2026-11-19-logo.md": news(
            title="Logo", date="2026-11-19",
            extra="image: media/news/logo.png\nimage_alt: Et logo\n"),
        "content/media/news/foto.jpg": jpeg(2400, 1200),
        "content/media/news/drejet.jpg": jpeg(1000, 600, orientation=6),
        "content/media/news/logo.png": png(700, 300),
        "content/media/docs/referat.pdf": PDF,
    })
    out = tmp_path / "site"
    result = build(root, out)
    assert not result.failed, messages(result)
    return root, out, result


def assert_clean(data: bytes, name: str) -> PIL.Image.Image:
    for leak in LEAKS:
        assert leak not in data, f"{name} still contains {leak!r}"
    img = PIL.Image.open(io.BytesIO(data))
    assert not img.getexif(), name
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "photoshop", "comment", "Location"} & set(img.info), name
    assert not getattr(img, "text", {}), name
    img.load()
    return img


def test_every_image_is_written_without_metadata_in_its_widths(built):
    root, out, result = built
    site = tree(out)
    expected = {
        "media/news/foto.jpg": ("JPEG", (1600, 800)),  # never wider than 1600
        "media/news/foto-480w.jpg": ("JPEG", (480, 240)),
        "media/news/foto-960w.jpg": ("JPEG", (960, 480)),
        "media/news/drejet.jpg": ("JPEG", (600, 1000)),  # orientation 6 applied: turned a quarter
        "media/news/drejet-480w.jpg": ("JPEG", (480, 800)),
        "media/news/logo.png": ("PNG", (700, 300)),  # never upscaled; 960 not written
        "media/news/logo-480w.png": ("PNG", (480, 206)),
    }
    written = {p for p in site if p.startswith("media/news/")}
    assert written == set(expected)
    for path, (fmt, size) in expected.items():
        img = assert_clean(site[path], path)
        assert (img.format, img.size) == (fmt, size), path
    assert PIL.Image.open(io.BytesIO(site["media/news/foto.jpg"])).info.get("progressive")
    assert PIL.Image.open(io.BytesIO(site["media/news/logo.png"])).mode == "RGBA"  # transparency kept


def test_orientation_is_applied_before_the_metadata_goes(built):
    _, out, _ = built
    # drawn 1000 x 600, left red and right blue; orientation 6 = shown turned 90 degrees clockwise,
    # so the red half is at the top of the published file
    img = PIL.Image.open(io.BytesIO((out / "media/news/drejet.jpg").read_bytes())).convert("RGB")
    r_top, _, b_top = img.getpixel((300, 100))
    r_bottom, _, b_bottom = img.getpixel((300, 900))
    assert r_top > b_top and b_bottom > r_bottom


def srcset_of(html: str, alt: str) -> tuple[str, dict[str, str]]:
    tag = re.search(r'<img [^>]*alt="' + alt + r'"[^>]*>', html).group(0)
    return tag, dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_srcset_lists_the_files_written_and_the_size_is_the_main_files(built):
    _, out, _ = built
    html = (out / "nyheder/2026-11-20-foto/index.html").read_text(encoding="utf-8")
    _, attrs = srcset_of(html, "Et foto fra Skibby")
    assert attrs["src"] == "/media/news/foto.jpg"
    assert (attrs["width"], attrs["height"]) == ("1600", "800")
    assert attrs["sizes"]
    entries = [e.split() for e in attrs["srcset"].split(", ")]
    assert [w for _, w in entries] == ["480w", "960w", "1600w"]
    for url, w in entries:
        img = PIL.Image.open(io.BytesIO((out / url.lstrip("/")).read_bytes()))
        assert f"{img.width}w" == w
    html = (out / "nyheder/2026-11-19-logo/index.html").read_text(encoding="utf-8")
    _, attrs = srcset_of(html, "Et logo")
    assert attrs["srcset"] == "/media/news/logo-480w.png 480w, /media/news/logo.png 700w"
    assert (attrs["width"], attrs["height"]) == ("700", "300")


def test_other_media_are_copied_as_they_are(built):
    _, out, _ = built
    assert (out / "media/docs/referat.pdf").read_bytes() == PDF


def test_two_builds_are_byte_identical(built, tmp_path):
    root, out, _ = built
    again = tmp_path / "again"
    assert not build(root, again).failed
    first, second = tree(out), tree(again)
    assert {p: d for p, d in first.items() if p.startswith("media/")} == \
           {p: d for p, d in second.items() if p.startswith("media/")}


def test_each_image_is_rendered_once(site_root, tmp_path, monkeypatch):
    root = site_root({
        "content/news/2026-11-20-a.md": news(title="A", extra="image: media/news/a.png\nimage_alt: A\n",
                                             body="![a](media/news/a.png) ![a](media/news/a.png)"),
        "content/news/2026-11-19-b.md": news(title="B", date="2026-11-19",
                                             extra="image: media/news/a.png\nimage_alt: A\n"),
        "content/media/news/a.png": png(100, 50),
    })
    calls = []
    real = images.render_image
    monkeypatch.setattr(images, "render_image", lambda source, path: calls.append(path) or real(source, path))
    assert not build(root, tmp_path / "out").failed
    assert calls == ["media/news/a.png"]
    calls.clear()
    assert not build(root).failed  # `check` checked the image when loading it; it does not encode it
    assert calls == []


def test_renditions_never_upscale():
    assert images.renditions("media/a.jpg", 300, 200) == (images.Rendition("media/a.jpg", 300, 200),)
    assert [r.width for r in images.renditions("media/a.JPG", 5000, 100)] == [480, 960, 1600]
    assert images.renditions("media/a.pdf", 300, 200) == ()
    assert images.renditions("media/a.jpg", None, None) == ()


def test_an_oversize_image_is_refused_with_a_clear_message(tmp_path, monkeypatch):
    path = tmp_path / "stort.jpg"
    path.write_bytes(jpeg(400, 300))
    assert images.check_image(path, "content/media/news/stort.jpg") is None
    monkeypatch.setattr(media, "MAX_PIXELS", 100_000)
    assert images.check_image(path, "content/media/news/stort.jpg") == (
        "'content/media/news/stort.jpg' is 400 x 300 pixels: images may have at most 0 megapixels; "
        "make it smaller (about 1600 pixels wide is enough) before adding it")
    with pytest.raises(images.ImageRefused, match="400 x 300 pixels"):
        images.render_image(path, "media/news/stort.jpg")
    monkeypatch.setattr(media, "MAX_BYTES", 1000)
    problem = images.check_image(path, "content/media/news/stort.jpg")
    assert problem.startswith("'content/media/news/stort.jpg' is 0.0 MB: images may be at most 0 MB")


def test_a_decompression_bomb_is_refused(tmp_path):
    # a PNG header claiming 100 000 x 100 000 pixels (10 gigapixels) in a few bytes
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    bomb = tmp_path / "bombe.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))
    assert "too large to open" in images.check_image(bomb, "content/media/bombe.png")
    with pytest.raises(images.ImageRefused):
        images.render_image(bomb, "media/bombe.png")


def test_a_damaged_image_is_refused(tmp_path):
    path = tmp_path / "skadet.jpg"
    path.write_bytes(b"not an image")
    assert images.check_image(path, "content/media/skadet.jpg") == (
        "'content/media/skadet.jpg' is not an image that can be read (is it damaged, or another kind of file?)")


def test_image_size_is_the_upright_size(tmp_path):
    path = tmp_path / "drejet.jpg"
    path.write_bytes(jpeg(1000, 600, orientation=6))
    assert images.image_size(path) == (600, 1000)


def test_the_demo_sites_image_goes_through(demo_site):
    for path, size in [("media/news/laas.png", (1200, 630)), ("media/news/laas-480w.png", (480, 252)),
                       ("media/news/laas-960w.png", (960, 504))]:
        img = assert_clean((demo_site / path).read_bytes(), path)
        assert (img.format, img.size) == ("PNG", size)


# --------------------------------------------------------------------------------------------
# The decoded size is bounded, whatever the file size: pixels of every frame together, checked by
# `check` before anything is decoded (issue 17)

def tiny_gif(width: int, height: int, frames: int, extent: tuple[int, int] | None = None) -> bytes:
    """A GIF of a few bytes a frame that claims `frames` frames of `width` x `height` pixels (each
    frame `extent` big when given: Pillow grows the canvas to a frame larger than the screen)."""
    w, h = extent or (width, height)
    frame = b"\x2c" + struct.pack("<HHHH", 0, 0, w, h) + b"\x00" + b"\x02\x01\x2c\x00"  # clear, end
    return (b"GIF89a" + struct.pack("<HH", width, height) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
            + frame * frames + b"\x3b")


def animation(fmt: str, width: int, height: int, frames: int) -> bytes:
    ims = [PIL.Image.new("RGB", (width, height), ((97 * i) % 256, (31 * i) % 256, 200)) for i in range(frames)]
    buf = io.BytesIO()
    ims[0].save(buf, fmt, save_all=True, append_images=ims[1:], duration=100)
    return buf.getvalue()


def webp_claiming(width: int, height: int, frames: int) -> bytes:
    """A WebP whose VP8X chunk claims a canvas of width x height with `frames` empty frames."""
    def chunk(tag: bytes, body: bytes) -> bytes:
        return tag + struct.pack("<I", len(body)) + body + b"\x00" * (len(body) & 1)
    vp8x = b"\x02\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + chunk(b"VP8X", vp8x) + chunk(b"ANIM", b"\x00" * 6) + chunk(b"ANMF", b"\x00" * 16) * frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


DECODED_TOO_LARGE = [
    ("animeret.gif", lambda: tiny_gif(6300, 6300, 300), "has 300 frames of 6300 x 6300 pixels"),
    ("lille-skaerm.gif", lambda: tiny_gif(100, 100, 200, extent=(6000, 6000)), "has 200 frames of 6000 x 6000"),
    ("enkelt.gif", lambda: tiny_gif(20000, 20000, 1), "is 20000 x 20000 pixels"),
    ("for-mange.gif", lambda: tiny_gif(10, 10, 301), "has 301 frames"),
    ("animeret.png", lambda: animation("PNG", 2000, 2000, 12), "has 12 frames of 2000 x 2000"),
    ("animeret.webp", lambda: animation("WEBP", 2000, 2000, 12), "has 12 frames of 2000 x 2000"),
    ("kanvas.webp", lambda: webp_claiming(16000, 16000, 2), "16000 x 16000 pixels"),
    ("animeret.avif", lambda: animation("AVIF", 2000, 2000, 12), "has 12 frames of 2000 x 2000"),
]


@pytest.mark.parametrize(("name", "make", "expected"), DECODED_TOO_LARGE, ids=[v[0] for v in DECODED_TOO_LARGE])
def test_the_decoded_size_is_bounded_before_decoding(tmp_path, monkeypatch, name, make, expected):
    if name.endswith(".avif") and not PIL.features.check("avif"):
        pytest.skip("this Pillow reads no AVIF")
    path = tmp_path / name
    path.write_bytes(make())
    decoded = []
    monkeypatch.setattr(PIL.ImageFile.ImageFile, "load", lambda self: decoded.append(self))  # nothing decodes
    monkeypatch.setattr(PIL.Image, "MAX_IMAGE_PIXELS", None)  # Pillow's own guard off: ours holds alone
    assert expected in images.check_image(path, f"content/media/{name}")
    with pytest.raises(images.ImageRefused, match="pixels|frames"):
        images.render_image(path, f"media/{name}")
    assert decoded == []


def test_check_refuses_a_tiny_animated_gif_bomb(site_root):
    data = tiny_gif(6300, 6300, 300)
    assert len(data) < 8000
    root = site_root({"content/media/bombe.gif": data,
                      "content/news/2026-11-20-x.md": news(body="![En animation](media/bombe.gif)")})
    assert messages(build(root)) == [
        "content/news/2026-11-20-x.md:6:17: error: 'content/media/bombe.gif' has 300 frames of 6300 x 6300 "
        "pixels: an image may have at most 40 megapixels in all its frames together; use fewer frames or "
        "make it smaller"]


def test_a_small_animation_still_goes_through(tmp_path):
    path = tmp_path / "lille.gif"
    path.write_bytes(animation("GIF", 40, 30, 5))
    assert images.check_image(path) is None
    [(rendition, data)] = images.render_image(path, "media/lille.gif")
    with PIL.Image.open(io.BytesIO(data)) as out:
        assert out.n_frames == 5 and out.size == (40, 30)
