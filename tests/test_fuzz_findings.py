"""What the fuzzing harness (tests/test_fuzz.py) found, kept as plain tests with their variants: a
damaged image is an error naming the file, never a traceback, and an empty `site:` is refused."""
from __future__ import annotations

import io

import PIL.Image
import pytest

from conftest import REGISTRY, build, make_site, messages, news
from naerpoliti.cli import main


def _animated(fmt: str) -> bytes:
    frames = [PIL.Image.new("RGB", (4, 4), (i * 80, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:])
    return buf.getvalue()


def _still(fmt: str) -> bytes:
    buf = io.BytesIO()
    PIL.Image.new("RGB", (8, 8), (0, 90, 0)).save(buf, fmt)
    return buf.getvalue()


DAMAGED = [
    ("a.gif", _animated("GIF")[:48]),  # the truncated animation the fuzzer found: n_frames raised IndexError
    ("b.gif", _animated("GIF")[:len(_animated("GIF")) // 2]),
    ("c.png", _animated("PNG")[:60]),
    ("d.webp", _animated("WEBP")[:40]),
    ("e.png", _still("PNG")[:33]),
    ("f.jpg", _still("JPEG")[:30]),
    ("g.gif", b"GIF89a" + b"\xff" * 20),
]


@pytest.mark.parametrize("name, data", DAMAGED, ids=[n for n, _ in DAMAGED])
def test_a_damaged_image_is_an_error_in_check_and_build(tmp_path, capsys, name, data):
    body = f"![Billede](media/{name})"
    root = make_site(tmp_path / "r", {"content/news/a.md": news(body=body), f"content/media/{name}": data})
    found = messages(build(root, tmp_path / "out"))
    assert any(f"'content/media/{name}'" in m and "error" in m for m in found), found
    assert not (tmp_path / "out").exists()
    for command in (["check"], ["build", "--out", str(tmp_path / "out2")]):
        assert main([*command, "--root", str(root), "--today", "2026-11-22"]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err and f"content/media/{name}" in err


@pytest.mark.parametrize("site", ["site:\n", "site: ~\n", "site: null\n", "site:   # later\n"])
def test_an_empty_site_is_refused_by_check_and_build(tmp_path, capsys, site):
    registry = site + REGISTRY[REGISTRY.index("districts:"):]
    root = make_site(tmp_path / "r", registry=registry)
    for command in (["check"], ["build", "--out", str(tmp_path / "out")]):
        assert main([*command, "--root", str(root), "--today", "2026-11-22"]) == 1
        err = capsys.readouterr().err
        assert "localities.yaml:1:1: error: site: is empty: write the site settings under it" in err, err
        assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


# --- One file cannot multiply the output through what every list shows (issue 17, class 5) ------


def _areas_site(tmp_path, name: str, front: str, body: str):
    from test_fuzz import _dump, _site_of_areas

    files = _site_of_areas(body)
    item = f"---\ntitle: Stor\ndate: 2026-11-20\nnational: true\n{front}---\n{body}\n"
    return make_site(tmp_path / name, {"content/news/2026-11-20-stor.md": item}, registry=files["localities.yaml"])


def _size(root) -> int:
    result = build(root, root / "out")
    assert not result.failed, messages(result)
    return sum(p.stat().st_size for p in (root / "out").rglob("*") if p.is_file())


def _paragraph(words: int) -> str:
    """One Markdown paragraph of that many words, on lines of 100 words (a line has a length limit)."""
    lines = [" ".join(["tryghed"] * 100)] * (words // 100)
    return "\n".join(lines)


@pytest.mark.parametrize("smaller, larger", [(400, 4000), (4000, 16000)])
def test_a_huge_first_paragraph_is_not_repeated_in_full_on_every_list(tmp_path, smaller, larger):
    """Without a summary, an item's first paragraph stands in for it on every list of every area:
    it is cut to SUMMARY_MAX characters there, so beyond that every further byte of the body adds
    a bounded number of bytes to the site (its page, open data, full-text index), not one per area."""
    small, large = _paragraph(smaller), _paragraph(larger)
    grown = _size(_areas_site(tmp_path, "large", "", large)) - _size(_areas_site(tmp_path, "small", "", small))
    assert grown <= 4 * (len(large.encode()) - len(small.encode())), grown


@pytest.mark.parametrize("field, value, limit", [
    ("title", "T" * 301, 300), ("title", "Ø " * 151, 300), ("summary", "s" * 601, 600),
    ("location", "L" * 400, 300),
])
def test_one_line_texts_are_bounded(tmp_path, field, value, limit):
    extra = "" if field == "title" else f"{field}: {value}\n"
    title = value if field == "title" else "Nyhed"
    root = make_site(tmp_path / "r", {"content/news/a.md": news(title=title, extra=extra)})
    found = messages(build(root))
    length = len(" ".join(value.split()))
    assert any(f"{field}: is {length} characters long: it may have at most {limit}" in m for m in found) \
        or (field == "location" and any("unknown field 'location'" in m for m in found)), found
