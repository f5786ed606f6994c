"""HTML pages of one language version, plus (once) the sitemap, robots.txt, 404 and /was/."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import jinja2

from ..model import District, Event, Locality, Municipality, NewsItem
from ..site import SiteModel
from ..urls import STATEMENT_SLUG, Urls
from . import Output, structured
from .environment import store_of
from .keys import NO_REUSE, Keys, Reuse
from .sitemaps import sitemaps

NEWS_PER_PAGE = 20
LATEST = 5


def render_pages(site: SiteModel, env: jinja2.Environment, urls: Urls, language: str,
                 other: tuple[str, Urls] | None = None, part: tuple[int, int] = (0, 1),
                 only_news: set[str] | None = None, keys: Keys | None = None,
                 reuse: Reuse = NO_REUSE, fragments: dict[Any, Any] | None = None) -> list[Output]:
    """All pages of one language version (or, with part=(k, n), the k-th of n shares of them;
    with only_news, only the pages of those news items, by slug). `other` is the other version
    (language, urls), if any. With `keys`, each page carries its render key, and a page whose key
    `reuse` knows from the previous build is taken over instead of rendered. `fragments`: a store
    of what shared() and shared_each() made, kept from one call to the next of one build (in
    each process that renders), under ("pages", language); else one for this call."""
    pages = _Pages(site, env, urls, language, other, keys, reuse, store_of(fragments, "pages", language))
    if only_news is not None:
        for n in site.news:
            if n.slug in only_news:
                pages.news_page(n)
        return pages.out
    # Each page is a job; with part=(k, n) only every n-th job from the k-th is rendered, so that
    # n processes share a language version's pages out between them (build.py). A share makes only
    # its own jobs: a national site has 30,000 of them and 32 shares.
    share, shares = part
    start = 0
    for items, job in [*pages.area_jobs(), *pages.content_jobs()]:
        for item in items[(share - start) % shares::shares]:
            job(item)
        start += len(items)
    return pages.out


# Jobs of one kind: the items, and what renders the page(s) of one of them.
Jobs = tuple[Sequence[Any], Callable[[Any], None]]
ONCE: Sequence[Any] = (None,)  # the items of a job done once
# A language version of the pages: its language, its Jinja environment and its URLs.
Version = tuple[str, jinja2.Environment, Urls]


def alternates(url_path: str, language: str, urls: Urls, other: tuple[str, Urls] | None) -> list[tuple[str, str]]:
    """(language, absolute URL) of a page in each language version, for hreflang links and the
    language switch; none when the site has one language. Every page of the interface uses it."""
    if other is None:
        return []
    return [(language, urls.absolute(url_path)), (other[0], urls.absolute(urls.counterpart(url_path, other[1])))]


class _Pages:
    """The pages of one language version, each rendered by a job."""

    def __init__(self, site: SiteModel, env: jinja2.Environment, urls: Urls, language: str,
                 other: tuple[str, Urls] | None, keys: Keys | None, reuse: Reuse, fragments: dict[Any, Any]):
        self.site, self.env, self.urls, self.language, self.other = site, env, urls, language, other
        self.keys, self.reuse = keys, reuse
        self.common_key: str | None = None
        self.group: tuple[str, str] = ("", "")  # (name, key) of the group of the pages in the making
        self.out: list[Output] = []
        self.fragments = fragments  # what shared() and shared_each() made once for these pages
        self.common = {
            "site": site, "config": site.config, "urls": urls,
            "statement_url": site.config.was_url or urls.statement(),
        }

    def page(self, template: str, url_path: str, origin: str,
             feeds: tuple[str | None, str | None] = (None, None), **context: Any) -> None:
        """feeds: the (kind, id) whose feeds and calendar the page announces; (None, None) = the site's."""
        key = ""
        if self.keys is not None:
            # structured data is plain JSON: digested as its text, not value by value
            jsonld = json.dumps(context["jsonld"], ensure_ascii=False) if "jsonld" in context else None
            key = self._key(template, url_path, feeds, jsonld, {k: v for k, v in context.items() if k != "jsonld"})
        if not self._taken(url_path, key, origin):
            self._render(template, url_path, origin, feeds, key, context)

    def made_page(self, template: str, url_path: str, origin: str, made_from: tuple[Any, ...],
                  context: Callable[[], dict[str, Any]]) -> None:
        """A page whose context is made (only when it is rendered) from `made_from` and what every
        key holds (the site-wide model, the URLs): its key is made from those, so a page taken
        over costs no context (a news item's areas and structured data)."""
        key = self._key(template, url_path, (None, None), "made from", made_from) if self.keys is not None else ""
        if not self._taken(url_path, key, origin):
            self._render(template, url_path, origin, (None, None), key, context())

    def _key(self, template: str, url_path: str, feeds: tuple[str | None, str | None], *values: Any) -> str:
        assert self.keys is not None
        return self.keys.of(self._common_key(), self.keys.template(self.env, template), url_path, feeds, *values)

    def _common_key(self) -> str:
        """What every page of this language version is made from (its language, URLs, settings)."""
        assert self.keys is not None
        if self.common_key is None:
            self.common_key = self.keys.of(self.language, self.other, self.common)
        return self.common_key

    def _taken(self, url_path: str, key: str, origin: str) -> bool:
        path = self.urls.output_path(url_path)
        taken = self.reuse.taken(path, key, (path,), origin, group=self.group)
        if taken is not None:
            self.out += taken
        return taken is not None

    def _render(self, template: str, url_path: str, origin: str, feeds: tuple[str | None, str | None], key: str,
                context: dict[str, Any]) -> None:
        urls = self.urls
        path = urls.output_path(url_path)
        html = self.env.get_template(template).render(**self.common, **context, fragments=self.fragments,
                                                      page_url=url_path, feeds=feeds,
                                                      canonical=urls.absolute(url_path),
                                                      alternates=alternates(url_path, self.language, urls, self.other))
        self.out.append(Output(path, html.encode("utf-8"), origin=origin, unit=path, key=key, group=self.group[0],
                               group_key=self.group[1]))

    def news_page(self, n: NewsItem) -> None:
        site, urls = self.site, self.urls
        author = site.officers.get(n.author) if n.author else None
        self.made_page("news.html", urls.news(n.slug), n.source, (n, author), lambda: {
            "item": n, "author": author, "areas": site.scope_areas(n),
            "jsonld": structured.news(site, urls, n, author)})

    def locality_page(self, loc: Locality) -> None:
        site, urls = self.site, self.urls
        mun = site.municipality_by_id[loc.municipality]
        officer = site.officers[loc.officer]
        self.page("locality.html", urls.locality(loc.id), f"locality '{loc.id}'", ("locality", loc.id),
                  locality=loc, municipality=mun, district=site.district_by_id[mun.district], officer=officer,
                  station=site.stations.get(officer.station) if officer.station else None,
                  ambassadors=site.ambassadors_of.get(loc.id, ()),
                  jsonld=structured.locality(site, urls, loc),
                  news=site.news_for("locality", loc.id, LATEST),
                  events=site.upcoming_events_for("locality", loc.id, LATEST))

    def front_page(self) -> None:
        site = self.site
        self.page("index.html", self.urls.home(), "the front page",
                  news=site.news[:LATEST], events=site.upcoming_events[:LATEST])

    def district_page(self, d: District) -> None:
        site = self.site
        self.page("district.html", self.urls.district(d.id), f"district '{d.id}'", ("district", d.id),
                  district=d, news=site.news_for("district", d.id, LATEST),
                  events=site.upcoming_events_for("district", d.id, LATEST))

    def municipality_page(self, m: Municipality) -> None:
        site = self.site
        self.page("municipality.html", self.urls.municipality(m.id), f"municipality '{m.id}'",
                  ("municipality", m.id), municipality=m, district=site.district_by_id[m.district],
                  news=site.news_for("municipality", m.id, LATEST),
                  events=site.upcoming_events_for("municipality", m.id, LATEST))

    def archive_page(self, number: int, pages_count: int) -> None:
        self.page("news_archive.html", self.urls.news_archive(number), "the news archive",
                  news=self.site.news[(number - 1) * NEWS_PER_PAGE: number * NEWS_PER_PAGE],
                  number=number, pages_count=pages_count, area=None, page_href=self.urls.news_archive)

    def area_lists(self, kind: str, id: str) -> None:
        """An area's own news archive (paginated like /nyheder/) and its events: only its scope."""
        site, urls = self.site, self.urls
        area = (kind, id, site.area_name(kind, id))
        news = site.own_news(kind, id)
        # the archives of the areas it lies in, nearest first, then the whole site's
        above = [(site.area_name(k, i), urls.area_news(k, i, 1)) for k, i in site.areas_above(kind, id)]
        pages_count = max(1, -(-len(news) // NEWS_PER_PAGE))
        for number in range(1, pages_count + 1):
            self.page("news_archive.html", urls.area_news(kind, id, number), f"the news archive of {kind} '{id}'",
                      (kind, id), news=news[(number - 1) * NEWS_PER_PAGE: number * NEWS_PER_PAGE],
                      number=number, pages_count=pages_count, area=area, above=above,
                      page_href=partial(urls.area_news, kind, id))
        events = site.events_for(kind, id)
        self.page("events.html", urls.area_events(kind, id), f"the events of {kind} '{id}'", (kind, id),
                  upcoming=[e for e in events if e.last_day >= site.today],
                  past=[e for e in reversed(events) if e.last_day < site.today], area=area)

    def area_pages(self, kind: str, record: District | Municipality | Locality) -> None:
        """An area's page, news archive and events page: a group (Output.group) whose key is made
        from what they show without merging its scope's lists (Keys.scope), so that when it is
        the previous build's, all are taken over without their own keys (working out each page's
        lists was most of a rebuild's page time). Otherwise each page is keyed and taken over or
        rendered by its own key, which tells exactly which pages an edit changed."""
        render = {"district": self.district_page, "municipality": self.municipality_page,
                  "locality": self.locality_page}[kind]
        taken = None
        try:
            if self.keys is not None:
                self.group = (f"pages ({self.language}) of {kind} {record.id}", self._group_key(kind, record))
                taken = self.reuse.group(*self.group, f"the pages of {kind} '{record.id}'")
            if taken is not None:
                self.out += taken
            else:
                render(record)  # type: ignore[operator]
                self.area_lists(kind, record.id)
        finally:
            self.group = ("", "")

    def _group_key(self, kind: str, record: District | Municipality | Locality) -> str:
        """What an area's pages are made from: the area (with its last-updated date), the lists of
        news and events in its scope and of its own news, the date (which events are past), a
        locality's published ambassadors, and the templates; the registry, the URLs and the
        language are in every page's key (`_key`)."""
        assert self.keys is not None
        keys, site, id = self.keys, self.site, record.id
        own = [site.news_index.direct.get((kind, id), ()), site.news_index.below.get((kind, id), ())]
        templates = [keys.template(self.env, t) for t in (f"{kind}.html", "news_archive.html", "events.html")]
        return keys.of(self._common_key(), "area pages", kind, record, site.today, keys.scope(kind, id),
                       [keys.sequence(items) for items in own], templates,
                       site.ambassadors_of.get(id, ()) if kind == "locality" else ())

    def event_page(self, e: Event) -> None:
        site, urls = self.site, self.urls
        self.made_page("event.html", urls.event(e.slug), e.source, (e,), lambda: {
            "item": e, "areas": site.scope_areas(e), "jsonld": structured.event(site, urls, e)})

    def area_jobs(self) -> list[Jobs]:
        """The front page, the pages of districts, municipalities, localities and postcodes."""
        site, urls, page = self.site, self.urls, self.page
        return [
            (ONCE, lambda _: self.front_page()),
            (site.districts, partial(self.area_pages, "district")),
            (site.municipalities, partial(self.area_pages, "municipality")),
            (site.localities, partial(self.area_pages, "locality")),
            (ONCE, lambda _: page("localities.html", urls.locality_index(), "the list of localities",
                                  letters=_by_letter(site.localities))),
            (ONCE, lambda _: page("postcodes.html", urls.postcode_index(), "the list of postcodes")),
            (list(site.postcodes.items()), lambda code_localities: page(
                "postcode.html", urls.postcode(code_localities[0]), f"postcode {code_localities[0]}",
                code=code_localities[0], localities=code_localities[1])),
        ]

    def content_jobs(self) -> list[Jobs]:
        """The pages of news, the news archive, events, free pages, search and the statement."""
        site, urls, page = self.site, self.urls, self.page
        pages_count = max(1, -(-len(site.news) // NEWS_PER_PAGE))
        statement = not site.config.was_url and not any(p.slug == STATEMENT_SLUG for p in site.pages)
        return [
            (site.news, self.news_page),
            (range(1, pages_count + 1), lambda number: self.archive_page(number, pages_count)),
            (ONCE, lambda _: page("events.html", urls.events(), "the event list",
                                  upcoming=site.upcoming_events, past=site.past_events, area=None)),
            (site.events, self.event_page),
            (site.pages, lambda p: page("page.html", urls.page(p.slug), p.source, item=p)),
            # Pagefind's search engine is WebAssembly: only this page may compile it ('wasm-unsafe-eval').
            (ONCE, lambda _: page("search.html", urls.search_page(), "the search page",
                                  csp="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self'; "
                                      "object-src 'none'; base-uri 'self'; form-action 'self'")),
            (ONCE if statement else (), lambda _: page("accessibility.html", urls.statement(),
                                                       "the accessibility statement")),
        ]


def _by_letter(localities: Iterable[Locality]) -> list[tuple[str, list[Locality]]]:
    """Localities grouped under their first letter, in the order of the site (Danish order)."""
    groups: dict[str, list[Locality]] = {}
    for loc in localities:
        letter = loc.name[:1].upper()
        if loc.name.casefold().startswith("aa"):
            letter = "Å"
        groups.setdefault(letter, []).append(loc)
    return list(groups.items())


def render_site_files(site: SiteModel, env: jinja2.Environment, urls: Urls, html_paths: list[str]) -> list[Output]:
    """The files a site has once, whatever its languages: 404, /was/, the sitemap (index and parts),
    robots.txt (which names the index)."""
    common = {"site": site, "config": site.config, "urls": urls, "alternates": [],
              "statement_url": site.config.was_url or urls.statement()}
    out = [Output("404.html", env.get_template("404.html").render(
        **common, page_url=urls.not_found(), canonical=None).encode("utf-8"), origin="the 404 page")]
    target = site.config.was_url or urls.absolute(urls.statement())
    out.append(Output(urls.output_path(urls.was()), env.get_template("redirect.html").render(
        **common, page_url=urls.was(), canonical=None, target=target).encode("utf-8"), origin="/was/"))
    out += sitemaps(urls, html_paths, lastmod(site))
    out.append(Output("robots.txt", (
        "User-agent: *\nAllow: /\n" f"Sitemap: {urls.absolute(urls.sitemap())}\n").encode(),
        origin="robots.txt"))
    return out


def lastmod(site: SiteModel) -> dict[str, dt.date]:
    """Output path -> when the page's content last changed (site.updated), in every language
    version. A list page takes the newest date of what it lists; the front page, the newest of
    the whole site. Pages without a known date get no <lastmod>."""
    def newest(items: Iterable[object]) -> dt.date | None:
        return max((d for d in map(site.updated_of, items) if d is not None), default=None)

    out: dict[str, dt.date] = {}
    config = site.config
    for lang in config.languages:
        urls = Urls(config.base_url, "" if lang == config.language else lang)
        dates = {
            urls.home(): newest([*site.news, *site.events, *site.pages, *site.districts,
                                 *site.municipalities, *site.localities]),
            urls.events(): newest(site.events),
            urls.locality_index(): newest(site.localities),
            urls.postcode_index(): newest(site.localities),
        }
        dates.update((urls.news(i.slug), site.updated_of(i)) for i in site.news)
        dates.update((urls.event(i.slug), site.updated_of(i)) for i in site.events)
        dates.update((urls.page(i.slug), site.updated_of(i)) for i in site.pages)
        dates.update((urls.district(a.id), site.updated_of(a)) for a in site.districts)
        dates.update((urls.municipality(a.id), site.updated_of(a)) for a in site.municipalities)
        dates.update((urls.locality(a.id), site.updated_of(a)) for a in site.localities)
        for number in range(1, max(1, -(-len(site.news) // NEWS_PER_PAGE)) + 1):
            dates[urls.news_archive(number)] = newest(site.news[(number - 1) * NEWS_PER_PAGE:
                                                                 number * NEWS_PER_PAGE])
        for code, localities in site.postcodes.items():
            dates[urls.postcode(code)] = newest(localities)
        out.update((urls.output_path(u), d) for u, d in dates.items() if d is not None)
    return out
