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
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.utils import format_datetime
from functools import partial
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from feedgen.feed import FeedEntry, FeedGenerator

from ..dates import formats
from ..fieldtypes import slugify
from ..markup import plain_text
from ..model import Event, Locality, NewsItem
from ..site import SiteModel, host
from ..texts import N_, event_kind
from . import Output
from .environment import made_once, store_of
from .keys import NO_REUSE, Keys, Reuse
from .shared import FEED_DESCRIPTION, Area, absolutize, area_title, areas, bounded_content, catalog

GENERATOR = "naerpoliti"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# A feed without any item still needs an `updated`: the newest item of the site, else this.
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FEED_ITEMS = 15  # entries per feed, newest first: what a reader polling daily or weekly needs (50 full
# texts in three formats were 110 KB a feed, 670 MB over the 6,333 feeds of a national site)

_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})-")
PRIORITY_UPDATE_TITLE = N_("%(issue)s in %(area)s: what we did")
PRIORITY_TAG = N_("Priority")


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
    image: str | None = None  # absolute
    tags: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[float, str]:
        return (self.moment.timestamp(), self.slug)


def tag_uri(site: SiteModel, what: str, slug: str, date: dt.date) -> str:
    """RFC 4151 tag URI. The date is the one the file name starts with (the file name is also the
    item's URL, so it is its identity); only a file name without a date falls back to the item's
    own date. Neither changes when the text is edited or the site is rebuilt."""
    m = _DATE_PREFIX.match(slug)
    day = m.group(1) if m else date.isoformat()
    return f"tag:{host(site.config)},{day}:{what}/{slug}"


def news_moment(item: NewsItem, tz: ZoneInfo) -> dt.datetime:
    if item.datetime is not None:
        return item.datetime
    return dt.datetime.combine(item.date, dt.time(), tz)


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


def event_published(site: SiteModel, event: Event, tz: ZoneInfo) -> dt.datetime:
    """When an event was published or last changed (its file's date, from git), never when it
    happens: a reader lists entries by this date, and an event months ahead must not sit on top
    of the feed with a date in the future. Without history: its day, or the build date while it
    is still ahead. Never after the build date."""
    day = site.updated_of(event) or event.start.astimezone(tz).date()
    return dt.datetime.combine(min(day, site.today), dt.time(), tz)


def event_entry(site: SiteModel, event: Event, tz: ZoneInfo, gettext: Callable[[str], str]) -> Entry:
    urls = site.urls
    dates = formats(site.config.language)
    when = dates.event_when(event, tz, long=False)
    short = dates.short_date(event.start.astimezone(tz).date())
    kind = event_kind(event.kind, gettext)
    html = (f"<p>{escape(when)}<br>\n{escape(event.location)}</p>\n"
            + absolutize(event.body.html, urls.origin))
    return Entry(
        id=tag_uri(site, "event", event.slug, event.start.astimezone(tz).date()),
        moment=event_published(site, event, tz),
        slug=event.slug,
        title=f"{short}: {event.title}",
        url=urls.absolute(urls.event(event.slug)),
        html=html,
        summary=f"{when}, {event.location}. {event.summary}" if event.summary else f"{when}, {event.location}",
        tags=(kind,),
    )


def update_entries(site: SiteModel, loc: Locality, tz: ZoneInfo, gettext: Callable[[str], str]) -> list[Entry]:
    """Each published update of a locality's priorities is an entry of its own: a reader sees what
    was done when it is done, dated the day it was done. The id names the locality, the priority
    (its issue as a slug) and the update's date, and a number for a second update of one day."""
    urls = site.urls
    url = urls.absolute(urls.locality(loc.id)) + "#priorities"
    out = []
    for p in loc.priorities:
        seen: dict[dt.date, int] = {}
        for u in sorted(p.updates_until(site.today), key=lambda u: u.date):  # numbered in written order
            seen[u.date] = seen.get(u.date, 0) + 1
            number = f"-{seen[u.date]}" if seen[u.date] > 1 else ""
            slug = f"{loc.id}/{slugify(p.issue)}/{u.date.isoformat()}{number}"
            out.append(Entry(
                id=f"tag:{host(site.config)},{u.date.isoformat()}:priority/{slug}",
                moment=dt.datetime.combine(u.date, dt.time(), tz),
                slug=slug,
                title=gettext(PRIORITY_UPDATE_TITLE) % {"issue": p.issue, "area": loc.name},
                url=url,
                html=absolutize(u.text.html, urls.origin),
                summary=plain_text(u.text, urls.origin),
                tags=(gettext(PRIORITY_TAG),),
            ))
    return out


def bounded(e: Entry) -> Entry:
    """The entry as every feed carries it: its text only up to shared.FULL_CONTENT_MAX, else its
    summary and a link (a national item is in the feeds of every area, three times each)."""
    html, summary = bounded_content(e.html, e.summary, e.url)
    return e if html is e.html and summary is e.summary else replace(e, html=html, summary=summary)


# --- the files -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedInfo:
    kind: str | None
    id: str | None
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
    data: bytes = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
    # A browser that opens the feed shows it through this XSLT as a page that says what a feed is
    # (readers ignore it). Root-relative, like the pages' links: the feed and the XSLT share a host.
    declaration, rest = data.split(b"\n", 1)
    pi = f'<?xml-stylesheet type="text/xsl" href="{escape(site.urls.feed_stylesheet())}"?>'.encode()
    return declaration + b"\n" + pi + b"\n" + rest


def _json(site: SiteModel, info: FeedInfo) -> bytes:
    home = site.urls.absolute(site.urls.home())
    items = []
    for e in info.entries:
        item: dict[str, Any] = {
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
    return bytes(etree.tostring(opml, encoding="UTF-8", xml_declaration=True)) + b"\n"


def render_feeds(site: SiteModel, part: tuple[int, int] = (0, 1), only: set[Area] | None = None,
                 translations: NullTranslations | None = None, keys: Keys | None = None,
                 reuse: Reuse = NO_REUSE, fragments: dict[Any, Any] | None = None) -> list[Output]:
    """Every feed and OPML list (or, with part=(k, n), those of every n-th area from the k-th; with
    only, the feeds of these areas and no OPML lists: for a change to items' text, which the lists
    do not show). translations: the catalog of the site's language (default: the theme's). With
    `keys`, an area's feeds made from the same entries as in the previous build are taken over.
    `fragments`: the build's store (render_tasks), where the entries made are kept from one part
    to the next in a process: a national item is in the feeds of every part's areas."""
    all_areas = list(areas(site))
    mine = set(all_areas[part[0]::part[1]]) if only is None else set(only)
    # the share's districts and municipalities, in order, with an OPML list each (not with `only`)
    listing = [] if only is not None else [(kind, aid) for kind, aid in all_areas if (kind, aid) in mine
                                           and kind in ("district", "municipality") and aid is not None]
    # the OPML lists need the feeds of the areas below
    wanted = mine | {a for kind, aid in listing for a in site.areas_below(kind, aid)}
    outputs: list[Output] = []
    if reuse.plan:  # a check: the files, without making the entries
        return [Output(site.urls.output_path(site.urls.feed(kind, aid, fmt)), origin="feeds", reused=True)
                for kind, aid in all_areas if (kind, aid) in mine for fmt in ("rss", "atom", "json")] + [
            Output(site.urls.output_path(site.urls.opml(kind, aid)), origin=f"OPML of {kind} {aid}", reused=True)
            for kind, aid in listing]
    groups: dict[tuple[str, Area], tuple[str, str]] = {}
    made: list[Output] = []
    if keys is not None:
        groups, made, done = _take_groups(site, keys, reuse, [a for a in all_areas if a in mine], listing)
        mine -= {area for what, area in done if what == "feeds"}
        listing = [area for area in listing if ("opml", area) not in done]
        wanted = mine | {a for kind, aid in listing for a in site.areas_below(kind, aid)}
    store = store_of(fragments, "feeds", translations)
    infos = _feed_infos(site, [a for a in all_areas if a in wanted], catalog(site, translations), store)
    # each entry made once, shared by the feeds it is in
    fg_entries: dict[int, tuple[Entry, FeedEntry]] = store.setdefault("feedgen", {})  # made_once()
    for (kind, aid), info in infos.items():
        if (kind, aid) not in mine:
            continue
        origin = f"feeds of {kind or 'the site'}{' ' + aid if aid else ''}"
        unit = f"feeds {kind} {aid}"
        key = keys.of("feeds", info) if keys is not None else ""
        group = groups.get(("feeds", (kind, aid)), ("", ""))
        taken = reuse.taken(unit, key, tuple(info.path(site, f) for f in ("rss", "atom", "json")), origin,
                            group=group)
        if taken is not None:
            outputs += taken
            continue
        fes = []
        for e in info.entries:
            fes.append(made_once(fg_entries, id(e), e, partial(_feedgen_entry, e)))
        for fmt, data in (("rss", _xml(site, info, fes, "rss")), ("atom", _xml(site, info, fes, "atom")),
                          ("json", _json(site, info))):
            outputs.append(Output(info.path(site, fmt), data, origin=origin, unit=unit, key=key, group=group[0],
                                  group_key=group[1]))
    for kind, aid in listing:  # districts, then municipalities
        listed = [infos[(kind, aid)], *(infos[a] for a in site.areas_below(kind, aid))]
        path, origin = site.urls.output_path(site.urls.opml(kind, aid)), f"OPML of {kind} {aid}"
        key = keys.of("opml", listed) if keys is not None else ""
        group = groups.get(("opml", (kind, aid)), ("", ""))
        taken = reuse.taken(path, key, (path,), origin, group=group)
        if taken is not None:
            outputs += taken
        else:
            outputs.append(Output(path, _opml(site, infos[(kind, aid)], listed), origin=origin, unit=path, key=key,
                                  group=group[0], group_key=group[1]))
    return made + outputs


def _take_groups(site: SiteModel, keys: Keys, reuse: Reuse, mine: list[Area], listing: list[tuple[str, str]]
                 ) -> tuple[dict[tuple[str, Area], tuple[str, str]], list[Output], set[tuple[str, Area]]]:
    """An area's feeds, and a district's or municipality's OPML list, are a group (Output.group)
    whose key is made from the lists of news and events in the area's scope (Keys.scope), the date
    (priority updates, events) and the area: when it is the previous build's, the files are taken
    over without making the feed's entries. Returns the groups by ("feeds" or "opml", area), the
    files taken over, and the groups they are of."""
    groups: dict[tuple[str, Area], tuple[str, str]] = {}
    for kind, aid in mine:
        groups["feeds", (kind, aid)] = (f"feeds of {kind} {aid}", _group_key(site, keys, kind, aid))
    for kind, aid in listing:
        groups["opml", (kind, aid)] = (f"OPML of {kind} {aid}", keys.of(
            "opml", kind, aid, groups["feeds", (kind, aid)][1], site.areas_below(kind, aid)))
    made: list[Output] = []
    done: set[tuple[str, Area]] = set()
    for (what, (kind, aid)), group in groups.items():
        taken = reuse.group(*group, f"{what} of {kind} {aid}")
        if taken is not None:
            made += taken
            done.add((what, (kind, aid)))
    return groups, made, done


def _group_key(site: SiteModel, keys: Keys, kind: str | None, aid: str | None) -> str:
    """The group key of an area's feeds (render_feeds): the news and events in its scope, the
    date and, for an area with none in its scope, the whole site's (an empty feed is dated by the
    site's newest entry: _newest_moment)."""
    empty = kind is not None and aid is not None and not any(
        [*site.scope_lists(site.news_index, kind, aid), *site.scope_lists(site.event_index, kind, aid)])
    return keys.of("feeds", kind, aid, site.today, keys.scope(kind, aid), keys.scope(None, None) if empty else b"")


def _localities_in(site: SiteModel, kind: str | None, aid: str | None) -> list[Locality]:
    """The localities an area's feeds take priority updates from: itself, or those below it."""
    if kind is None or aid is None:
        return list(site.localities)
    if kind == "locality":
        return [site.locality_by_id[aid]]
    return [site.locality_by_id[i] for k, i in site.areas_below(kind, aid) if k == "locality"]


def _newest_moment(site: SiteModel, tz: ZoneInfo) -> dt.datetime:
    """An empty feed's `updated`: the newest entry date of the whole site."""
    moments = [news_moment(i, tz) for i in itertools.takewhile(lambda i: i.date == site.news[0].date, site.news)]
    moments += [event_published(site, e, tz) for e in site.events]
    days = [u.date for loc in site.localities for p in loc.priorities for u in p.updates_until(site.today)]
    moments += [dt.datetime.combine(max(days), dt.time(), tz)] if days else []
    return max(moments, key=lambda m: m.timestamp(), default=EPOCH)


def _feed_infos(site: SiteModel, wanted: list[Area], translations: NullTranslations,
                store: dict[str, Any]) -> dict[Area, FeedInfo]:
    """The feed of each area wanted, in that order. `store` keeps the entries made (render_feeds)."""
    urls = site.urls
    tz = ZoneInfo(site.config.timezone)
    gettext = translations.gettext
    # Each item becomes an entry once, when a feed first needs it; feeds share them.
    entries: dict[int, tuple[NewsItem | Event, Entry]] = store.setdefault("entries", {})  # made_once()
    updates: dict[str, list[Entry]] = store.setdefault("updates", {})  # locality id -> its updates' entries

    def entry(item: NewsItem | Event) -> Entry:
        return made_once(entries, id(item), item, lambda: bounded(
            news_entry(site, item, tz) if isinstance(item, NewsItem) else event_entry(site, item, tz, gettext)))

    def updates_of(loc: Locality) -> list[Entry]:
        made = updates.get(loc.id)
        if made is None:
            made = updates[loc.id] = [bounded(e) for e in update_entries(site, loc, tz, gettext)]
        return made

    newest: dt.datetime | None = store.get("newest")
    infos: dict[Area, FeedInfo] = {}
    for kind, aid in wanted:
        # events come soonest first, so the latest FEED_ITEMS are the last ones
        items: list[NewsItem | Event] = [*site.news_for(kind, aid, FEED_ITEMS),
                                         *site.events_for(kind, aid)[-FEED_ITEMS:]]
        made = [entry(i) for i in items]
        made += [e for loc in _localities_in(site, kind, aid) if loc.priorities for e in updates_of(loc)]
        # the newest entries only: a feed reader wants what is new, and a national site has
        # tens of thousands of items in scope of every area
        chosen = sorted(made, key=lambda e: e.sort_key, reverse=True)[:FEED_ITEMS]
        if not chosen and newest is None:
            newest = store["newest"] = _newest_moment(site, tz)
        infos[(kind, aid)] = FeedInfo(
            kind=kind, id=aid,
            title=area_title(site, kind, aid),
            description=gettext(FEED_DESCRIPTION) % {"area": site.area_name(kind, aid)},
            page=urls.absolute(urls.area(kind, aid)),
            updated=chosen[0].moment if chosen else (newest or EPOCH),
            entries=tuple(chosen),
        )
    return infos
