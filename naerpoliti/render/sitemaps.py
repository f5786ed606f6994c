"""The sitemap by the sitemaps.org protocol: an index, `sitemap.xml`, of parts `sitemap-1.xml`,
`sitemap-2.xml`, ... that list every HTML page once, in the order of their output paths."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.sax.saxutils import escape

from ..urls import Urls
from . import Output

# https://www.sitemaps.org/protocol.html#index: a sitemap "must have no more than 50,000 URLs and
# must be no larger than 50MB (52,428,800 bytes)" uncompressed; a sitemap index the same. Module
# constants, so that a test can make a small site of several parts.
MAX_URLS = 50_000
MAX_BYTES = 52_428_800

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'


def _document(tag: str, lines: Iterable[str]) -> bytes:
    return (_HEAD.format(tag=tag) + "".join(lines) + f"</{tag}>\n").encode("utf-8")


def _lastmod(date: dt.date | None) -> str:
    return f"<lastmod>{date.isoformat()}</lastmod>" if date else ""


def sitemaps(urls: Urls, html_paths: Iterable[str], lastmod: dict[str, dt.date] | None = None) -> list[Output]:
    """The index and its parts. A part is closed when one more URL would take it over MAX_URLS
    or MAX_BYTES; the index names each part with the newest <lastmod> in it."""
    dates = lastmod or {}
    overhead = len(_document("urlset", []))
    parts: list[tuple[list[str], dt.date | None]] = []
    size = 0
    for path in sorted(html_paths):
        url_path = urls.root_path + (path[: -len("index.html")] if path.endswith("index.html") else path)
        date = dates.get(path)
        line = f"  <url><loc>{escape(urls.absolute(url_path))}</loc>{_lastmod(date)}</url>\n"
        length = len(line.encode("utf-8"))
        if not parts or len(parts[-1][0]) >= MAX_URLS or size + length > MAX_BYTES:
            parts.append(([], None))
            size = overhead
        lines, newest = parts[-1]
        lines.append(line)
        size += length
        if date is not None and (newest is None or date > newest):
            parts[-1] = (lines, date)
    out = [Output(urls.output_path(urls.sitemap_part(n)), _document("urlset", lines), origin="sitemap")
           for n, (lines, _) in enumerate(parts, 1)]
    index = [f"  <sitemap><loc>{escape(urls.absolute(urls.sitemap_part(n)))}</loc>{_lastmod(newest)}</sitemap>\n"
             for n, (_, newest) in enumerate(parts, 1)]
    return [Output(urls.output_path(urls.sitemap()), _document("sitemapindex", index), origin="sitemap"), *out]
