"""Media files as content refers to them: where they may be, and what an image may be.

Checked while content is checked (problems are content errors) and relied on when the site is
rendered (render/images.py writes the images): both read the limits from here.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import PIL.Image

MAX_WIDTH = 1600  # the main file of a published image is never wider
MAX_PIXELS = 40_000_000  # larger images are refused (40 megapixels, e.g. 7746 x 5164)
MAX_BYTES = 20 * 1024 * 1024  # larger files are refused (20 MB)
MAX_FRAMES = 300  # of an animated GIF

# What each image file name ends with, and the Pillow format it is written as.
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF", ".avif": "AVIF"}

_ORIENTATION = 0x0112


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
    if is_image and not path.lower().endswith(IMAGE_SUFFIXES):
        return f"'{path}' is not an image: use a {', '.join(s[1:] for s in IMAGE_SUFFIXES)} file"
    full = root / "content" / path  # media live in content/media/ and are written as media/...
    try:
        inside = full.resolve().is_relative_to((root / "content" / "media").resolve())
    except OSError:
        inside = False
    if not inside:
        return f"'{path}' points outside the site folder"
    if not full.is_file():
        return f"the file 'content/{path}' does not exist"
    return None


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
    return None


def check_image(path: Path, name: str | None = None) -> str | None:
    """A problem with the image file at `path` (named `name` in the message, e.g.
    'content/media/news/foto.jpg'), or None if it can be published."""
    name = name or str(path)
    try:
        size = path.stat().st_size
    except OSError:
        return f"the file '{name}' cannot be read"
    if size > MAX_BYTES:
        return (f"'{name}' is {size / 1024 / 1024:.1f} MB: images may be at most {MAX_BYTES // 1024 // 1024} MB; "
                f"make it smaller (about {MAX_WIDTH} pixels wide is enough) before adding it")
    try:
        with open_image(path) as img:
            width, height = img.size
            frames = getattr(img, "n_frames", 1) if img.format == "GIF" else 1
            fmt = img.format
    except (PIL.Image.DecompressionBombWarning, PIL.Image.DecompressionBombError):
        return (f"'{name}' is too large to open: images may have at most {MAX_PIXELS // 1_000_000} megapixels; "
                f"make it smaller (about {MAX_WIDTH} pixels wide is enough) before adding it")
    except (OSError, ValueError, SyntaxError):
        return f"'{name}' is not an image that can be read (is it damaged, or another kind of file?)"
    if fmt not in {*FORMATS.values(), "MPO"}:  # MPO: a phone's JPEG with a second picture (only the first is kept)
        return f"'{name}' is a {fmt} image: use a {', '.join(s[1:] for s in FORMATS)} file"
    return size_problem(name, width, height, frames)


def image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image as it is shown: turned by its EXIF orientation."""
    with open_image(path) as img:
        width, height = img.size
        if img.getexif().get(_ORIENTATION) in (5, 6, 7, 8):
            width, height = height, width
    return width, height
