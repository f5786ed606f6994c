"""Every URL and output path of a site, in one place.

Pages link to each other with root-relative URLs that include the base path (`/sub/kommune/x/`),
so the site works in a sub-path and the 404 page works at any depth. Feeds, sitemaps and canonical
links use absolute URLs.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

import idna

# Top-level names the site uses itself; a free page cannot take them.
STATEMENT_SLUG = "tilgaengelighedserklaering"  # the accessibility statement, unless a page replaces it

RESERVED = frozenset({
    "politikreds", "kommune", "lokalsamfund", "nyheder", "arrangementer", "assets", "media",
    "postnummer", "soeg", "data", "feeds", "kalender", "nyhedsbreve", "admin", "en", "da",
    "was", "404", "sitemap", "robots", "index", "pagefind",
})


class Urls:
    """URLs of one language version of a site. The primary language lives at the base path, the
    alternate one under a prefix (`/en/`); media and assets are shared, at the base path."""

    def __init__(self, base_url: str, language_prefix: str = ""):
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.root_path = parts.path if parts.path.endswith("/") else parts.path + "/"
        # site.base_url's field type refuses these already; output paths and the full-text index's
        # folder are made from the root path, so a path that could leave its folder is refused here too
        if not clean_path(self.root_path) or parts.query or parts.fragment or "@" in parts.netloc:
            raise ValueError(f"{base_url!r} is not a base URL whose path is plain folder names")
        self.base_path = self.root_path + (language_prefix.strip("/") + "/" if language_prefix else "")
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

    def locality_index(self) -> str:
        return f"{self.base_path}lokalsamfund/"

    def postcode_index(self) -> str:
        return f"{self.base_path}postnummer/"

    def postcode(self, code: str) -> str:
        return f"{self.base_path}postnummer/{code}/"

    def search_page(self) -> str:
        """Full-text search of localities, news, events and pages (Pagefind)."""
        return f"{self.base_path}soeg/"

    def search_index(self) -> str:
        """The small index of localities for the instant officer search, fetched on first use."""
        return f"{self.root_path}data/soegeindeks.json"

    def open_data_page(self) -> str:
        """The page that explains the open data and how to reuse it."""
        return f"{self.base_path}data/"

    def open_data(self, name: str) -> str:
        """An open-data file: data/<name>.json (localities, officers, ...)."""
        return f"{self.root_path}data/{name}.json"

    def open_data_schema(self, name: str) -> str:
        return f"{self.root_path}data/schemas/{name}.schema.json"

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

    def area(self, kind: str | None, id: str | None = None) -> str:
        """The page of an area: kind 'locality', 'municipality', 'district', or None for the site."""
        if kind is None:
            return self.base_path
        if id is None:
            raise ValueError(f"the page of a {kind} needs its id")
        return {"locality": self.locality, "municipality": self.municipality, "district": self.district}[kind](id)

    # An area's own lists: only the items in its scope (the whole site's, for kind None)
    def area_news(self, kind: str | None, id: str | None, page: int = 1) -> str:
        """An area's news archive, 20 items a page: AREA/nyheder/, AREA/nyheder/side/2/, ..."""
        if kind is None:
            return self.news_archive(page)
        return self.area(kind, id) + "nyheder/" + (f"side/{page}/" if page > 1 else "")

    def area_events(self, kind: str | None, id: str | None) -> str:
        """An area's events, upcoming and past: AREA/arrangementer/."""
        return self.events() if kind is None else self.area(kind, id) + "arrangementer/"

    # Subscriptions live once, beside the primary-language page of their area (content has one
    # language), so they use the root path whatever the interface language.
    def _area_root(self, kind: str | None, id: str | None) -> str:
        return self.root_path + self.area(kind, id)[len(self.base_path):]

    def feed(self, kind: str | None, id: str | None, fmt: str) -> str:
        """fmt: 'rss' (rss.xml), 'atom' (atom.xml) or 'json' (feed.json)."""
        return self._area_root(kind, id) + {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}[fmt]

    def calendar(self, kind: str | None, id: str | None) -> str:
        return self._area_root(kind, id) + "kalender.ics"

    def webcal(self, url_path: str) -> str:
        """A calendar's address for subscribing: calendar apps open webcal: links as a subscription
        (fetched over https), where an https link would download the file once."""
        return "webcal://" + self.origin.split("://", 1)[1] + url_path

    def feed_stylesheet(self) -> str:
        """The XSLT that shows an RSS or Atom feed opened in a browser as a page."""
        return self.asset("feed.xsl")

    def event_calendar(self, slug: str) -> str:
        return f"{self.root_path}arrangementer/{slug}/kalender.ics"

    def opml(self, kind: str, id: str) -> str:
        return self._area_root(kind, id) + "feeds.opml"

    # The newsletter pages exist in every language version: an area's archive and one page per
    # year with all its issues, each a section whose id is its period. The e-mail files are not
    # part of the site (`naerpoliti newsletter render` makes them).
    def newsletter_archive(self, kind: str, id: str) -> str:
        return self.area(kind, id) + "nyhedsbrev/"

    def newsletter_year(self, kind: str, id: str, year: str) -> str:
        """The page of an area's issues of one year (the ISO year of a weekly period)."""
        return self.area(kind, id) + f"nyhedsbrev/{year}/"

    def newsletter_issue(self, kind: str, id: str, period: str) -> str:
        """One issue: its section on the page of its year."""
        return self.newsletter_year(kind, id, period[:4]) + f"#{period}"

    def statement(self) -> str:
        return self.page(STATEMENT_SLUG)

    def was(self) -> str:
        return f"{self.root_path}was/"

    def not_found(self) -> str:
        return f"{self.root_path}404.html"

    def sitemap(self) -> str:
        """The sitemap index, which lists the parts (sitemap_part)."""
        return f"{self.root_path}sitemap.xml"

    def sitemap_part(self, number: int) -> str:
        """A part of the sitemap, from 1."""
        return f"{self.root_path}sitemap-{number}.xml"

    def counterpart(self, url_path: str, other: Urls) -> str:
        """The same page in the other language version."""
        return other.base_path + url_path[len(self.base_path):]

    # files, shared by the language versions
    def media(self, path: str) -> str:
        return self.root_path + quote(path)

    def asset(self, name: str) -> str:
        return f"{self.root_path}assets/{name}"

    def absolute(self, url_path: str) -> str:
        return self.origin + url_path

    def output_path(self, url_path: str) -> str:
        """The file, relative to the output folder, that serves a URL path of this site."""
        if not url_path.startswith(self.root_path):
            raise ValueError(f"{url_path!r} is not inside the site's base path {self.root_path!r}")
        rel = url_path[len(self.root_path):]
        if rel and not clean_path("/" + rel):
            raise ValueError(f"{url_path!r} could lead outside the output folder")
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel


# Decoded, a folder or file name that a server or a file system could read as another folder
_UNSAFE_SEGMENT = re.compile(r"\A\.{1,2}\Z|[/\\\x00-\x1f\x7f]")


def clean_path(path: str) -> bool:
    """Whether a URL path is "/" and plain names: no empty, "." or ".." segment, written or
    percent-encoded, no backslash or control character, so it cannot resolve outside its folder."""
    if not path.startswith("/") or "\\" in path:
        return False
    segments = path[1:].removesuffix("/").split("/") if path != "/" else []
    return all(seg and not _UNSAFE_SEGMENT.search(unquote(seg)) for seg in segments)


def ascii_domain(domain: str) -> str:
    """A domain name in ASCII (IDNA A-labels); one that is not a domain name as it is."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return domain  # percent-encoded as UTF-8 where it is used, as RFC 6068 allows


# What RFC 6068 lets stand in a mailto: address as it is: RFC 3986's unreserved characters and
# the sub-delimiters that an addr-spec may hold, but not those that end or split the address
# ("?", "#", "&", "=", "%", "/", ",", ";" and ":" are percent-encoded).
_MAILTO_SAFE = "!$'()*+"


def mailto(address: str, subject: str | None = None, body: str | None = None) -> str:
    """A mailto: URI (RFC 6068) for an address and an optional subject and body: everything that
    could end the address or add a header ("raad?cc=x@..." is one address, not a Cc) is
    percent-encoded, non-ASCII as UTF-8, and the domain written in its ASCII form (IDNA A-labels).
    The only code that writes mailto: links; templates call it as the filter `mailto`."""
    local, at, domain = address.rpartition("@")
    if not at:
        local, domain = address, ""
    uri = "mailto:" + quote(local, safe=_MAILTO_SAFE) + at + quote(ascii_domain(domain), safe="[]:")
    fields = [(name, value) for name, value in (("subject", subject), ("body", body)) if value]
    if fields:
        uri += "?" + "&".join(f"{name}={quote(value, safe='')}" for name, value in fields)
    return uri
