"""Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) per area and for the whole site, and OPML lists.

Every locality, municipality and district, and the site as a whole, gets `rss.xml`, `atom.xml` and
`feed.json` beside its page: the published news of its scope (an item about a municipality or a
district shows in the feeds of every locality under it, an item about a locality in the feeds of
its municipality and district) and its events, all of them, past and upcoming, newest first.
Municipalities and districts also get `feeds.opml`, one file listing the feed of the area and of
every area below it, so that a council subscribes to its whole area in one step.

The output is a pure function of the SiteModel: no clock, no file. Every date in a feed comes from
the content (a feed's `updated` is its newest item's date), and entry ids are tag URIs made of the
site's host, a date fixed by the file name and the file name itself, so editing an item's text or
rebuilding on another day never turns it into a "new" entry in a reader.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from email.utils import format_datetime
from html import escape
from typing import Iterator, Optional, Union
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from feedgen.feed import FeedEntry, FeedGenerator

from ..model import Event, NewsItem
from ..site import SiteModel
from . import Output

GENERATOR = "naerpoliti"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# A feed without any item still needs an `updated`: the newest item of the site, else this.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

_LOCALES = {"da": "da_DK", "en": "en_GB"}
_DATE = {"da": "d. MMMM y", "en": "d MMMM y"}
_SHORT_DATE = {"da": "d. MMM y", "en": "d MMM y"}
_TIME = {"da": "HH.mm", "en": "HH:mm"}
_DESCRIPTION = {"da": "Nyheder og arrangementer fra {area}", "en": "News and events from {area}"}
EVENT_KIND_NAMES = {
    "da": {"open-council-meeting": "Åbent lokalrådsmøde", "citizen-meeting": "Borgermøde",
           "mobile-police-station": "Mobil politistation", "other": "Arrangement"},
    "en": {"open-council-meeting": "Open council meeting", "citizen-meeting": "Citizens' meeting",
           "mobile-police-station": "Mobile police station", "other": "Event"},
}

Item = Union[NewsItem, Event]
Area = tuple[Optional[str], Optional[str]]  # (kind, id); (None, None) is the whole site

# Root-relative URLs in rendered Markdown (href="/lokalsamfund/x/", src="/media/..."): a feed
# reader shows the HTML away from the site, so they become absolute.
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/))')
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


# --- what is in scope ------------------------------------------------------------------------------

FEED_ITEMS = 50  # entries per feed, newest first


def events_for(site: SiteModel, kind: Optional[str], area_id: Optional[str]) -> list[Event]:
    """All published events in an area's scope, past and upcoming, soonest first."""
    return site.events_for(kind, area_id)


def areas(site: SiteModel) -> Iterator[Area]:
    yield (None, None)
    for d in site.districts:
        yield ("district", d.id)
    for m in site.municipalities:
        yield ("municipality", m.id)
    for loc in site.localities:
        yield ("locality", loc.id)


# --- one entry, shared by every feed it appears in -------------------------------------------------

@dataclass(frozen=True)
class Entry:
    id: str  # a tag URI that never changes
    moment: dt.datetime  # aware: the news item's date (and time), or the event's start
    slug: str
    title: str
    url: str  # absolute
    html: str  # the body for a feed reader: absolute URLs
    summary: str
    authors: tuple[str, ...] = ()
    image: Optional[str] = None  # absolute
    tags: tuple[str, ...] = ()

    @property
    def sort_key(self):
        return (self.moment.timestamp(), self.slug)


def host(site: SiteModel) -> str:
    return urlsplit(site.config.base_url).hostname or "localhost"


def tag_uri(site: SiteModel, what: str, slug: str, date: dt.date) -> str:
    """RFC 4151 tag URI. The date is the one the file name starts with (the file name is also the
    item's URL, so it is its identity); only a file name without a date falls back to the item's
    own date. Neither changes when the text is edited or the site is rebuilt."""
    m = _DATE_PREFIX.match(slug)
    day = m.group(1) if m else date.isoformat()
    return f"tag:{host(site)},{day}:{what}/{slug}"


def absolutize(html: str, origin: str) -> str:
    return _ROOT_RELATIVE.sub(lambda m: m.group(1) + origin + m.group(2), html)


def news_moment(item: NewsItem, tz: ZoneInfo) -> dt.datetime:
    if item.datetime is not None:
        return item.datetime
    return dt.datetime.combine(item.date, dt.time(), tz)


def event_when(event: Event, language: str, tz: ZoneInfo) -> str:
    """"3. december 2026, 19.00–21.00" in the interface language."""
    locale = _LOCALES.get(language, language)
    start = event.start.astimezone(tz)
    end = event.end.astimezone(tz) if event.end else None
    day = format_date(start.date(), _DATE[language], locale=locale)
    if event.all_day:
        if end and end.date() != start.date():
            return f"{day} – {format_date(end.date(), _DATE[language], locale=locale)}"
        return day
    text = f"{day}, {format_time(start.time(), _TIME[language], locale=locale)}"
    if end and end.date() == start.date():
        text += f"–{format_time(end.time(), _TIME[language], locale=locale)}"
    elif end:
        text += (f" – {format_date(end.date(), _DATE[language], locale=locale)}, "
                 f"{format_time(end.time(), _TIME[language], locale=locale)}")
    return text


def news_entry(site: SiteModel, item: NewsItem, tz: ZoneInfo) -> Entry:
    urls = site.urls
    html = absolutize(item.body.html, urls.origin)
    image = None
    if item.image:
        image = urls.absolute(urls.media(item.image.path))
        size = (f' width="{item.image.width}" height="{item.image.height}"'
                if item.image.width and item.image.height else "")
        html = f'<p><img src="{escape(image)}" alt="{escape(item.image.alt)}"{size}></p>\n' + html
    author = site.officers.get(item.author) if item.author else None
    return Entry(
        id=tag_uri(site, "news", item.slug, item.date),
        moment=news_moment(item, tz),
        slug=item.slug,
        title=item.title,
        url=urls.absolute(urls.news(item.slug)),
        html=html,
        summary=item.summary,
        authors=(f"{author.name}, {author.title}",) if author else (),
        image=image,
    )


def event_entry(site: SiteModel, event: Event, tz: ZoneInfo) -> Entry:
    urls = site.urls
    language = site.config.language if site.config.language in _DATE else "en"
    locale = _LOCALES.get(language, language)
    when = event_when(event, language, tz)
    short = format_date(event.start.astimezone(tz).date(), _SHORT_DATE[language], locale=locale)
    kind = EVENT_KIND_NAMES[language].get(event.kind, EVENT_KIND_NAMES[language]["other"])
    html = (f"<p>{escape(when)}<br>\n{escape(event.location)}</p>\n"
            + absolutize(event.body.html, urls.origin))
    return Entry(
        id=tag_uri(site, "event", event.slug, event.start.astimezone(tz).date()),
        moment=event.start,
        slug=event.slug,
        title=f"{short}: {event.title}",
        url=urls.absolute(urls.event(event.slug)),
        html=html,
        summary=f"{when}, {event.location}. {event.summary}" if event.summary else f"{when}, {event.location}",
        tags=(kind,),
    )


# --- the files -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedInfo:
    kind: Optional[str]
    id: Optional[str]
    title: str
    description: str
    page: str  # absolute URL of the area's page
    updated: dt.datetime
    entries: tuple[Entry, ...]

    def url(self, site: SiteModel, fmt: str) -> str:
        return site.urls.absolute(site.urls.feed(self.kind, self.id, fmt))

    def path(self, site: SiteModel, fmt: str) -> str:
        return site.urls.output_path(site.urls.feed(self.kind, self.id, fmt))


def _feedgen_entry(e: Entry) -> FeedEntry:
    fe = FeedEntry()
    fe.id(e.id)  # also the RSS guid, isPermaLink="false"
    fe.title(e.title)
    fe.link(href=e.url, rel="alternate", type="text/html")
    fe.summary(e.summary)  # Atom summary and RSS description
    fe.content(e.html, type="html")  # Atom content and RSS content:encoded
    fe.published(e.moment)  # Atom published and RSS pubDate
    fe.updated(e.moment)  # replaces feedgen's default, the clock
    for name in e.authors:
        fe.author(name=name)
    for tag in e.tags:
        fe.category(term=tag)
    return fe


def _xml(site: SiteModel, info: FeedInfo, entries: list[FeedEntry], fmt: str) -> bytes:
    fg = FeedGenerator()
    fg.id(info.url(site, "atom"))
    fg.title(info.title)
    fg.subtitle(info.description)  # Atom subtitle and RSS description
    fg.language(site.config.language)
    fg.author(name=site.config.title, uri=site.urls.absolute(site.urls.home()))
    mime = {"atom": "application/atom+xml", "rss": "application/rss+xml"}[fmt]
    fg.link(href=info.url(site, fmt), rel="self", type=mime)
    fg.link(href=info.page, rel="alternate", type="text/html")  # the last link is RSS's <link>
    # feedgen stamps its own name and version and the clock by default: override both.
    fg.generator(GENERATOR)
    fg.updated(info.updated)
    fg.lastBuildDate(info.updated)
    for fe in entries:
        fg.add_entry(fe, order="append")
    return fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)


def _json(site: SiteModel, info: FeedInfo) -> bytes:
    home = site.urls.absolute(site.urls.home())
    items = []
    for e in info.entries:
        item = {
            "id": e.id,
            "url": e.url,
            "title": e.title,
            "content_html": e.html,
            "summary": e.summary,
            "date_published": e.moment.isoformat(),
        }
        if e.authors:
            item["authors"] = [{"name": a} for a in e.authors]
        if e.image:
            item["image"] = e.image
        if e.tags:
            item["tags"] = list(e.tags)
        items.append(item)
    feed = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": info.page,
        "feed_url": info.url(site, "json"),
        "description": info.description,
        "language": site.config.language,
        "authors": [{"name": site.config.title, "url": home}],
        "items": items,
    }
    return (json.dumps(feed, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _opml(site: SiteModel, info: FeedInfo, listed: list[FeedInfo]) -> bytes:
    """OPML 2.0 subscription list (http://opml.org/spec2.opml): the area's RSS feed and every
    area's below it."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = info.title
    # "from content, not the clock": the newest item of the area and the areas below it
    etree.SubElement(head, "dateCreated").text = format_datetime(info.updated)
    etree.SubElement(head, "dateModified").text = format_datetime(info.updated)
    etree.SubElement(head, "ownerName").text = site.config.title
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    for f in listed:
        etree.SubElement(body, "outline", type="rss", version="RSS2", text=f.title, title=f.title,
                         description=f.description, language=site.config.language,
                         xmlUrl=f.url(site, "rss"), htmlUrl=f.page)
    etree.indent(opml)
    return etree.tostring(opml, encoding="UTF-8", xml_declaration=True) + b"\n"


def render_feeds(site: SiteModel, part: tuple[int, int] = (0, 1), only: Optional[set[Area]] = None) -> list[Output]:
    """Every feed and OPML list (or, with part=(k, n), those of every n-th area from the k-th; with
    only, the feeds of these areas and no OPML lists: for a change to items' text, which the lists
    do not show)."""
    urls = site.urls
    tz = ZoneInfo(site.config.timezone)
    language = site.config.language if site.config.language in _DESCRIPTION else "en"

    # Each item becomes an entry once, when a feed first needs it; feeds share them.
    entries: dict[int, Entry] = {}
    fg_entries: dict[int, FeedEntry] = {}

    def entry(item) -> Entry:
        made = entries.get(id(item))
        if made is None:
            made = entries[id(item)] = (news_entry(site, item, tz) if isinstance(item, NewsItem)
                                        else event_entry(site, item, tz))
        return made

    # an empty feed's `updated`: the newest item of the site (news newest first, events soonest)
    moments = [news_moment(i, tz) for i in itertools.takewhile(lambda i: i.date == site.news[0].date, site.news)]
    moments += [site.events[-1].start] if site.events else []
    newest = max(moments, key=lambda m: m.timestamp(), default=EPOCH)

    # the OPML lists of a share's districts and municipalities need the feeds of the areas below
    k, n = part
    all_areas = list(areas(site))
    mine = set(all_areas[k::n]) if only is None else set(only)
    wanted = set(mine)
    for d in (site.districts if only is None else ()):
        if ("district", d.id) in mine:
            for m in site.municipalities_of.get(d.id, ()):
                wanted.add(("municipality", m.id))
                wanted.update(("locality", loc.id) for loc in site.localities_of.get(m.id, ()))
    for m in (site.municipalities if only is None else ()):
        if ("municipality", m.id) in mine:
            wanted.update(("locality", loc.id) for loc in site.localities_of.get(m.id, ()))

    infos: dict[Area, FeedInfo] = {}
    for kind, aid in all_areas:
        if (kind, aid) not in wanted:
            continue
        # events come soonest first, so the latest FEED_ITEMS are the last ones
        items = site.news_for(kind, aid, FEED_ITEMS) + events_for(site, kind, aid)[-FEED_ITEMS:]
        # the newest entries only: a feed reader wants what is new, and a national site has
        # tens of thousands of items in scope of every area
        chosen = sorted((entry(i) for i in items), key=lambda e: e.sort_key, reverse=True)[:FEED_ITEMS]
        name = site.area_name(kind, aid)
        infos[(kind, aid)] = FeedInfo(
            kind=kind, id=aid,
            title=name if kind is None else f"{name} – {site.config.title}",
            description=_DESCRIPTION[language].format(area=name),
            page=urls.absolute(urls.area(kind, aid)),
            updated=chosen[0].moment if chosen else newest,
            entries=tuple(chosen),
        )

    outputs: list[Output] = []
    for (kind, aid), info in infos.items():
        if (kind, aid) not in mine:
            continue
        origin = f"feeds of {kind or 'the site'}{' ' + aid if aid else ''}"
        fes = []
        for e in info.entries:
            key = id(e)
            if key not in fg_entries:
                fg_entries[key] = _feedgen_entry(e)
            fes.append(fg_entries[key])
        outputs.append(Output(info.path(site, "rss"), _xml(site, info, fes, "rss"), origin=origin))
        outputs.append(Output(info.path(site, "atom"), _xml(site, info, fes, "atom"), origin=origin))
        outputs.append(Output(info.path(site, "json"), _json(site, info), origin=origin))

    for d in (site.districts if only is None else ()):
        if ("district", d.id) not in mine:
            continue
        listed = [infos[("district", d.id)]]
        for m in site.municipalities_of.get(d.id, ()):
            listed.append(infos[("municipality", m.id)])
            listed += [infos[("locality", loc.id)] for loc in site.localities_of.get(m.id, ())]
        outputs.append(Output(urls.output_path(urls.opml("district", d.id)),
                              _opml(site, infos[("district", d.id)], listed), origin=f"OPML of district {d.id}"))
    for m in (site.municipalities if only is None else ()):
        if ("municipality", m.id) not in mine:
            continue
        listed = [infos[("municipality", m.id)]]
        listed += [infos[("locality", loc.id)] for loc in site.localities_of.get(m.id, ())]
        outputs.append(Output(urls.output_path(urls.opml("municipality", m.id)),
                              _opml(site, infos[("municipality", m.id)], listed),
                              origin=f"OPML of municipality {m.id}"))
    return outputs
