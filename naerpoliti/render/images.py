"""Published images, written through Pillow and never copied as they are.

A photo straight from a phone tells where and when it was taken (EXIF and its GPS block, XMP,
IPTC, maker notes, PNG text chunks). Every image is therefore decoded to its pixels, turned the
right way up (the EXIF orientation is applied first), converted to sRGB, and encoded again with no
metadata at all, in the format its name promises. It is written in the widths the theme uses:

    media/news/foto.jpg         the main file: the original width, or MAX_WIDTH if wider
    media/news/foto-480w.jpg    each of WIDTHS narrower than the main file (never upscaled)
    media/news/foto-960w.jpg

`renditions()` is the one place that decides those names and sizes: the templates' `image()` macro
builds `srcset` from it, and `render_media()` writes the files from it. Same input, same bytes:
no encoder here writes a timestamp.

Content checks (too large, not readable) are `media.check_image()`, called while content is
checked; rendering calls it again before decoding and stops if anything got that far.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Iterable
from pathlib import Path

import PIL.Image
import PIL.ImageCms
import PIL.ImageOps
import PIL.ImageSequence

from ..media import FORMATS, MAX_WIDTH, Rendition, open_image

# the content checks, also reached from here (they were defined here once)
from ..media import check_image as check_image
from ..media import image_size as image_size
from . import Output
from .cache import RenderCache

WIDTHS = (480, 960)  # the smaller files for srcset, each written only when narrower than the main file

# Encoder options. None of them writes EXIF, XMP, ICC, text chunks or a time.
_SAVE: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 82, "progressive": True, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 82, "method": 4},
    "AVIF": {"quality": 70, "speed": 6, "max_threads": 1},
    "GIF": {"optimize": False},
}

_SRGB = PIL.ImageCms.ImageCmsProfile(PIL.ImageCms.createProfile("sRGB"))


class ImageRefused(Exception):
    """An image that should never have reached rendering (check_image() refuses it first)."""


def image_format(path: str) -> str | None:
    """The Pillow format an image path is written as, or None for other media (PDF...)."""
    return FORMATS.get(Path(path).suffix.lower())


def renditions(path: str, width: int | None, height: int | None) -> tuple[Rendition, ...]:
    """Every file written for an image of this (upright) size, narrowest first; the last is the
    main file, at `path` itself. Empty when the size is not known."""
    if not width or not height or image_format(path) is None:
        return ()
    main = min(width, MAX_WIDTH)
    stem, dot, ext = path.rpartition(".")

    def scaled(w: int) -> int:
        return max(1, round(height * w / width))

    smaller = [Rendition(f"{stem}-{w}w.{ext}", w, scaled(w)) for w in WIDTHS if w < main]
    return (*smaller, Rendition(path, main, scaled(main)))


# --------------------------------------------------------------------------------------------
# Rendering

def _to_srgb(im: PIL.Image.Image) -> PIL.Image.Image:
    """RGB or RGBA in sRGB, using the image's own ICC profile if it has one."""
    alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    target = "RGBA" if alpha else "RGB"
    icc = im.info.get("icc_profile")
    if im.mode not in ("RGB", "RGBA", "L", "CMYK"):
        im = im.convert(target)
    if icc:
        try:
            profile = PIL.ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = PIL.ImageCms.profileToProfile(im, profile, _SRGB, outputMode=target)
            if converted is not None:
                return converted
        except (PIL.ImageCms.PyCMSError, OSError, ValueError):
            pass  # a damaged profile: take the pixel values as they are
    return im if im.mode == target else im.convert(target)


def _pixels_only(im: PIL.Image.Image) -> PIL.Image.Image:
    """A new image with the same pixels and nothing else: no info, no EXIF, no profile."""
    return PIL.Image.frombytes(im.mode, im.size, im.tobytes())


def _resize(im: PIL.Image.Image, width: int, height: int) -> PIL.Image.Image:
    return im if im.size == (width, height) else im.resize((width, height), PIL.Image.Resampling.LANCZOS)


def _encode(frames: list[PIL.Image.Image], fmt: str, durations: list[int], loop: int | None) -> bytes:
    buf = io.BytesIO()
    first = frames[0]
    if fmt == "JPEG" and first.mode == "RGBA":  # no transparency in JPEG: on white
        flat = PIL.Image.new("RGB", first.size, (255, 255, 255))
        flat.paste(first, mask=first.getchannel("A"))
        first = flat
    options = dict(_SAVE[fmt])
    if fmt == "GIF" and len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:], duration=durations, disposal=2)
        if loop is not None:
            options["loop"] = loop
    first.save(buf, fmt, **options)
    return buf.getvalue()


def render_image(source: Path, path: str) -> list[tuple[Rendition, bytes]]:
    """Every rendition of one image with its bytes. Raises ImageRefused for an image whose decoded
    size is over the limits: checked again here, before decoding, whatever reached rendering."""
    fmt = image_format(path)
    problem = check_image(source, f"content/{path}")
    if problem:
        raise ImageRefused(problem)
    with warnings.catch_warnings():
        # a frame that grows past what was checked stops decoding instead of warning
        warnings.simplefilter("error", PIL.Image.DecompressionBombWarning)
        try:
            frames, durations, loop = _decoded(source, animated=fmt == "GIF")
        except (PIL.Image.DecompressionBombWarning, PIL.Image.DecompressionBombError) as e:
            raise ImageRefused(f"content/{path}: {e}") from None
    if fmt is None:
        return []  # not an image format: no renditions (renditions() would give none)
    width, height = frames[0].size
    result = []
    for r in renditions(path, width, height):
        sized = [_resize(f, r.width, r.height) for f in frames]
        result.append((r, _encode(sized, fmt, durations, loop)))
    return result


def _decoded(source: Path, animated: bool) -> tuple[list[PIL.Image.Image], list[int], int | None]:
    """The frames (every one of a GIF written as a GIF, else the first), upright, in sRGB and
    with nothing but their pixels; their durations; the GIF's loop count."""
    with open_image(source) as img:
        many = animated and img.format == "GIF" and getattr(img, "n_frames", 1) > 1
        loop = img.info.get("loop")
        frames, durations = [], []
        for frame in (PIL.ImageSequence.Iterator(img) if many else [img]):
            durations.append(int(frame.info.get("duration", 100)))
            upright = PIL.ImageOps.exif_transpose(frame)  # a new image, orientation applied
            frames.append(_pixels_only(_to_srgb(upright)))
    return frames, durations, loop


def render_media(media: Iterable[str], root: Path, cache: RenderCache | None = None) -> list[Output]:
    """The site's media files: images written through render_image() (each once), anything else
    (PDF...) copied as it is. A cache (RenderCache.images) keeps the encoded images for the next
    build: serve rebuilds on every save, and re-encoding unchanged images was a tenth of a rebuild."""
    outputs: list[Output] = []
    for path in sorted(set(media)):
        source = root / "content" / path
        origin = f"content/{path}"
        if image_format(path) is None:
            outputs.append(Output(path, source=source, origin=origin))
            continue
        for rendition, data in _rendered(source, path, cache):
            outputs.append(Output(rendition.path, data=data, origin=origin))
    return outputs


def _rendered(source: Path, path: str, cache: RenderCache | None) -> list[tuple[Rendition, bytes]]:
    """The encoded renditions, by source file and its bytes' identity (size, mtime, inode)."""
    if cache is None:
        return render_image(source, path)
    st = source.stat()
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    key = (str(source), path)
    cached = cache.images.get(key)
    if cached is None or cached[0] != stamp:
        cached = (stamp, list(render_image(source, path)))
        cache.images.put(key, cached)
    return cached[1]
