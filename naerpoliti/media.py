"""Media files as content refers to them: where they may be, and what an image may be.

Checked while content is checked (problems are content errors) and relied on when the site is
rendered (render/images.py writes the images): both read the limits from here.
"""
from __future__ import annotations

import os
import stat
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import PIL.Image

MAX_WIDTH = 1600  # the main file of a published image is never wider
MAX_PIXELS = 40_000_000  # larger images are refused (40 megapixels, e.g. 7746 x 5164)
MAX_BYTES = 20 * 1024 * 1024  # larger files are refused (20 MB)
MAX_FRAMES = 300  # of an animation (GIF, PNG, WebP, AVIF)
# Pixels of all frames together: what decoding holds (about 4 bytes each). The file size does not
# bound it: a 7 KB GIF can claim 300 frames of 6300 x 6300 pixels (about 50 GB decoded).
MAX_DECODED_PIXELS = 40_000_000

# What each image file name ends with, and the Pillow format it is written as.
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF", ".avif": "AVIF"}

_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Rendition:
    """One published size of an image (render/images.py makes them; the render cache keeps them)."""

    path: str  # media/...
    width: int
    height: int


@dataclass(frozen=True)
class MediaInfo:
    """A checked media file: its path (media/...) and, for an image, its size in pixels."""

    path: str
    width: int | None = None
    height: int | None = None


# Device names Windows reserves, also with an extension ("con.html"): ids and file names become
# folder names, which could then not be created or copied there.
WINDOWS_RESERVED = frozenset(["con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                              *(f"lpt{i}" for i in range(1, 10))])


def windows_reserved(name: str) -> bool:
    return name.split(".", 1)[0].strip().lower() in WINDOWS_RESERVED


IMAGE_SUFFIXES = tuple(FORMATS)  # what an image path may end with

# The longest id, content file name or media file name, in bytes of UTF-8. Each becomes a folder or
# file name of the output, where file systems allow 255 bytes, and the build adds to some of them
# (an image's smaller files "-960w", serve's temporary ".NAME.tmp-PID", "content/ambassadors/ID.yaml").
MAX_NAME_BYTES = 200
# Characters a media file name cannot hold: in a link they start the query or fragment, or an escape.
_UNLINKABLE = "#?%"


def inspect_media(root: Path, path: str, is_image: bool) -> tuple[str | None, MediaInfo | None]:
    """(problem, None) for a bad media reference, else (None, MediaInfo with an image's size)."""
    problem = media_path_problem(root, path, is_image)
    if problem:
        return problem, None
    if not is_image:
        return None, MediaInfo(path)
    full = root / "content" / path
    problem = check_image(full, f"content/{path}")  # unreadable, too large, a decompression bomb
    if problem:
        return problem, None
    width, height = image_size(full)  # as shown: turned by its EXIF orientation
    return None, MediaInfo(path, width, height)


def media_path_problem(root: Path, path: str, is_image: bool) -> str | None:
    parts = path.split("/")
    if (
        not path.startswith("media/")
        or any(p in ("", ".", "..") for p in parts)
        or any(ord(ch) < 32 or ch == "\\" for ch in path)
    ):
        return f"'{path}' is not a media path: write a path inside the media folder, e.g. 'media/news/foto.jpg'"
    if any(windows_reserved(p) for p in parts):
        return (f"'{path}' uses a name Windows reserves for a device (CON, PRN, AUX, NUL, COM1-COM9, "
                "LPT1-LPT9, also with an extension): rename that file or folder")
    long = next((p for p in parts if len(p.encode("utf-8")) > MAX_NAME_BYTES), None)
    if long is not None:
        return (f"'{long[:40]}…' in '{path[:60]}…' is too long for a media file or folder name: "
                f"{len(long.encode('utf-8'))} bytes, at most {MAX_NAME_BYTES} (æ, ø, å count as two): rename it")
    odd = sorted({ch for ch in path if ch in _UNLINKABLE})
    if odd:
        return (f"'{path}': a media file name cannot hold {' or '.join(odd)}, which break the links to it: "
                "rename the file, e.g. with a hyphen instead")
    if is_image and not path.lower().endswith(IMAGE_SUFFIXES):
        return f"'{path}' is not an image: use a {', '.join(s[1:] for s in IMAGE_SUFFIXES)} file"
    full = root / "content" / path  # media live in content/media/ and are written as media/...
    try:
        inside = full.resolve().is_relative_to((root / "content" / "media").resolve())
    except OSError:
        inside = False
    if not inside:
        return f"'{path}' points outside the site folder"
    return _kind_problem(full, path)


def _kind_problem(full: Path, path: str) -> str | None:
    """What the media path names when it is not a file (stat only: a named pipe is never opened)."""
    try:
        mode = full.stat().st_mode
    except OSError:
        return f"the file 'content/{path}' does not exist"
    if stat.S_ISDIR(mode):
        return f"'content/{path}' is a folder, not a file: name a file in it"
    if not stat.S_ISREG(mode):
        return (f"'content/{path}' is not a regular file but a named pipe, a socket or a device, which "
                "cannot be published: remove it")
    return None


def name_clashes(root: Path) -> list[tuple[str, str]]:
    """Pairs (path, the path it clashes with) of media files and folders whose names differ only
    in case or in Unicode normalisation (å as one character or as a + ring): one file on macOS and
    Windows, so a site copied or served there would lose one of them."""
    base = root / "content" / "media"
    clashes: list[tuple[str, str]] = []
    for dirpath, dirs, names in os.walk(base):
        dirs.sort()
        seen: dict[str, str] = {}
        for name in sorted([*dirs, *names]):
            key = unicodedata.normalize("NFC", name).casefold()
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            if key in seen:
                clashes.append((rel, seen[key]))
            else:
                seen[key] = rel
    return clashes


def open_image(path: Path) -> PIL.Image.Image:
    """Open lazily (the header only), with Pillow's decompression-bomb warning as an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PIL.Image.DecompressionBombWarning)
        return PIL.Image.open(path)


def size_problem(name: str, width: int, height: int, frames: int) -> str | None:
    if width * height > MAX_PIXELS:
        return (f"'{name}' is {width} x {height} pixels: images may have at most {MAX_PIXELS // 1_000_000} "
                f"megapixels; make it smaller (about {MAX_WIDTH} pixels wide is enough) before adding it")
    if frames > MAX_FRAMES:
        return f"'{name}' has {frames} frames: an animation may have at most {MAX_FRAMES}"
    if width * height * frames > MAX_DECODED_PIXELS:
        return (f"'{name}' has {frames} frames of {width} x {height} pixels: an image may have at most "
                f"{MAX_DECODED_PIXELS // 1_000_000} megapixels in all its frames together; use fewer frames "
                f"or make it smaller")
    return None


def _u16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at:at + 2], "little")


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while data[pos]:
        pos += 1 + data[pos]
    return pos + 1


def _gif_header(data: bytes) -> tuple[int, int, int]:
    """(width, height, frames) of a GIF from its blocks, without decoding: the largest extent of
    any frame (Pillow grows the canvas to it while decoding, after its size was checked)."""
    width, height, frames = _u16(data, 6), _u16(data, 8), 0
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    try:
        while pos < len(data) and data[pos] != 0x3B:
            if data[pos] == 0x21:  # an extension: its label, then sub-blocks
                pos = _skip_sub_blocks(data, pos + 2)
            elif data[pos] == 0x2C:  # a frame: its place and size, a colour table, LZW data
                x, y, w, h = (_u16(data, pos + 1 + 2 * i) for i in range(4))
                width, height, frames = max(width, x + w), max(height, y + h), frames + 1
                flags = data[pos + 9]
                pos = _skip_sub_blocks(data, pos + 11 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0))
            else:
                break  # not a GIF block: decoding stops here too
    except IndexError:
        pass  # cut short: what was counted
    return width, height, max(frames, 1)


def _webp_header(data: bytes) -> tuple[int, int, int]:
    """(width, height, frames) of a WebP from its chunks: Pillow's animation decoder sets up the
    whole canvas when it opens the file, before its size could be checked."""
    pos, width, height, frames = 12, 0, 0, 0
    while pos + 8 <= len(data):
        tag, n = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        body = data[pos + 8:pos + 8 + min(n, 16)]
        if tag == b"VP8X" and len(body) >= 10:
            width = max(width, 1 + int.from_bytes(body[4:7], "little"))
            height = max(height, 1 + int.from_bytes(body[7:10], "little"))
        elif tag == b"VP8 " and len(body) >= 10:
            width, height = max(width, _u16(body, 6) & 0x3FFF), max(height, _u16(body, 8) & 0x3FFF)
        elif tag == b"VP8L" and len(body) >= 5:
            bits = int.from_bytes(body[1:5], "little")
            width, height = max(width, (bits & 0x3FFF) + 1), max(height, ((bits >> 14) & 0x3FFF) + 1)
        frames += tag == b"ANMF"
        pos += 8 + n + (n & 1)
    return width, height, max(frames, 1)


def header_size(data: bytes) -> tuple[int, int, int] | None:
    """(width, height, frames) read from the bytes of a GIF or WebP, or None for other formats
    (Pillow reads their size without setting up any pixels)."""
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 13:
        return _gif_header(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_header(data)
    return None


def _frames(img: PIL.Image.Image) -> int:
    """Frames that decoding would go through: MPO's second picture is never decoded."""
    return 1 if img.format in ("JPEG", "MPO") else int(getattr(img, "n_frames", 1))


def _too_large_message(name: str) -> str:
    return (f"'{name}' is too large to open: images may have at most {MAX_PIXELS // 1_000_000} megapixels; "
            f"make it smaller (about {MAX_WIDTH} pixels wide is enough) before adding it")


def check_image(path: Path, name: str | None = None) -> str | None:
    """A problem with the image file at `path` (named `name` in the message, e.g.
    'content/media/news/foto.jpg'), or None if it can be published. The decoded size (pixels of
    every frame) is checked before Pillow sets up any pixels, whatever Image.MAX_IMAGE_PIXELS is."""
    name = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return (f"'{name}' is {size / 1024 / 1024:.1f} MB: images may be at most {MAX_BYTES // 1024 // 1024} MB; "
                    f"make it smaller (about {MAX_WIDTH} pixels wide is enough) before adding it")
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError:
        return f"the file '{name}' cannot be read"
    header = header_size(data)
    if header is not None and (problem := size_problem(name, *header)):
        return problem
    try:
        with open_image(path) as img:
            width, height = img.size
            frames = max(_frames(img), header[2] if header else 1)
            fmt = img.format
    except (PIL.Image.DecompressionBombWarning, PIL.Image.DecompressionBombError):
        return _too_large_message(name)
    except Exception:  # noqa: BLE001 - a damaged file makes Pillow raise almost anything (IndexError...)
        return f"'{name}' is not an image that can be read (is it damaged, or another kind of file?)"
    if fmt not in {*FORMATS.values(), "MPO"}:  # MPO: a phone's JPEG with a second picture (only the first is kept)
        return f"'{name}' is a {fmt} image: use a {', '.join(s[1:] for s in FORMATS)} file"
    if header is not None:
        width, height = max(width, header[0]), max(height, header[1])
    return size_problem(name, width, height, frames)


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image as it is shown: turned by its EXIF orientation."""
    with open_image(path) as img:
        width, height = img.size
        if img.getexif().get(_ORIENTATION) in (5, 6, 7, 8):
            width, height = height, width
    return width, height
