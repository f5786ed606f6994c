"""Every URL and output path of a site, in one place.

Pages link to each other with root-relative URLs that include the base path (`/sub/kommune/x/`),
so the site works in a sub-path and the 404 page works at any depth. Feeds, sitemaps and canonical
links use absolute URLs.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

# Top-level names the site uses itself; a free page cannot take them.
RESERVED = frozenset({
    "politikreds", "kommune", "lokalsamfund", "nyheder", "arrangementer", "assets", "media",
    "postnummer", "soeg", "data", "feeds", "kalender", "nyhedsbreve", "admin", "en", "da",
    "was", "404", "sitemap", "robots", "index",
})


class Urls:
    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.base_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.base_url = self.origin + self.base_path

    # pages
    def home(self) -> str:
        return self.base_path

    def district(self, id: str) -> str:
        return f"{self.base_path}politikreds/{id}/"

    def municipality(self, id: str) -> str:
        return f"{self.base_path}kommune/{id}/"

    def locality(self, id: str) -> str:
        return f"{self.base_path}lokalsamfund/{id}/"

    def news(self, slug: str) -> str:
        return f"{self.base_path}nyheder/{slug}/"

    def news_archive(self, page: int = 1) -> str:
        return f"{self.base_path}nyheder/" + (f"side/{page}/" if page > 1 else "")

    def events(self) -> str:
        return f"{self.base_path}arrangementer/"

    def event(self, slug: str) -> str:
        return f"{self.base_path}arrangementer/{slug}/"

    def page(self, slug: str) -> str:
        return f"{self.base_path}{slug}/"

    def not_found(self) -> str:
        return f"{self.base_path}404.html"

    def sitemap(self) -> str:
        return f"{self.base_path}sitemap.xml"

    # files
    def media(self, path: str) -> str:
        return self.base_path + quote(path)

    def asset(self, name: str) -> str:
        return f"{self.base_path}assets/{name}"

    def absolute(self, url_path: str) -> str:
        return self.origin + url_path

    def output_path(self, url_path: str) -> str:
        """The file, relative to the output folder, that serves a URL path of this site."""
        if not url_path.startswith(self.base_path):
            raise ValueError(f"{url_path!r} is not inside the site's base path {self.base_path!r}")
        rel = url_path[len(self.base_path):]
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel
