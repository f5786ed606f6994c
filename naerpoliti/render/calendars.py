"""iCalendar files per area, for the whole site and per event.

Every locality, municipality and district, and the site as a whole, gets `kalender.ics` beside its
page with every published event of its scope, past and upcoming (the same scope rules as news:
an event about a municipality is in the calendar of each of its localities, an event about a
locality in its municipality's and district's). Every event page has its own `kalender.ics` to add
that one event.

RFC 5545 through the icalendar library (CRLF, folding at 75 octets, escaping), with a VTIMEZONE
for the site's time zone, plus the calendar properties of RFC 7986 (NAME, DESCRIPTION, URL,
SOURCE, REFRESH-INTERVAL) and their older X-WR- names that Outlook and Google Calendar read.
A pure function of the SiteModel: UIDs are `<file name>@<site host>`, DTSTAMP is the event's
start (a moment from the content, never the clock), so an unchanged site gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from icalendar import Calendar, Timezone, vDuration, vText, vUri
from icalendar import Event as VEvent

from ..dates import formats
from ..markup import plain_text
from ..model import Event
from ..site import SiteModel, host
from ..texts import event_kind
from . import Output
from .environment import made_once, store_of
from .keys import NO_REUSE, Keys, Reuse
from .shared import CALENDAR_DESCRIPTION, area_title, areas, catalog

PRODID = "-//naerpoliti//naerpoliti static site generator//EN"
REFRESH = dt.timedelta(hours=12)  # how often a subscribed calendar should be fetched again

def _uid(site: SiteModel, event: Event) -> str:
    return f"{event.slug}@{host(site.config)}"


def vevent(site: SiteModel, event: Event, tz: ZoneInfo, gettext: Callable[[str], str]) -> VEvent:
    urls = site.urls
    url = urls.absolute(urls.event(event.slug))
    start = event.start.astimezone(tz)
    end = event.end.astimezone(tz) if event.end else None
    ev = VEvent()
    ev.add("uid", _uid(site, event))
    # DTSTAMP must be UTC; it comes from the content (the start), never from the clock.
    ev.add("dtstamp", start.astimezone(dt.UTC))
    if event.all_day:
        ev.add("dtstart", start.date())
        # DTEND of an all-day event is exclusive: the day after the last day.
        ev.add("dtend", (end or start).date() + dt.timedelta(days=1))
    else:
        ev.add("dtstart", start)
        if end is not None:
            ev.add("dtend", end)
    ev.add("summary", event.title)
    ev.add("location", event.location)
    body = plain_text(event.body, urls.origin) or event.summary
    ev.add("description", f"{body}\n\n{url}" if body else url)
    ev.add("url", vUri(url), parameters={"VALUE": "URI"})
    ev.add("categories", [event_kind(event.kind, gettext)])
    ev.add("class", "PUBLIC")
    ev.add("transp", "OPAQUE")
    return ev


class _Zones:
    """VTIMEZONEs of the site's time zone, made once per range of years."""

    def __init__(self, tzid: str):
        self.tzid = tzid
        self.cache: dict[tuple[int, int], Timezone] = {}

    def for_events(self, events: list[Event]) -> Timezone | None:
        if not events or self.tzid.upper() in ("UTC", "ETC/UTC"):
            return None
        first = min(e.start.year for e in events)
        last = max(e.last_day.year for e in events)
        key = (first, last)
        if key not in self.cache:
            # From the first year of the calendar's events to a year after the last: the zone's
            # transitions in that range, so clients need no time zone database of their own.
            self.cache[key] = Timezone.from_tzid(self.tzid, first_date=dt.date(first, 1, 1),
                                                 last_date=dt.date(last + 2, 1, 1))
        return self.cache[key]


def _calendar(site: SiteModel, name: str, description: str, page_url: str, source_url: str,
              components: list[VEvent], zone: Timezone | None, subscription: bool, lines: _Lines) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", vText(name))
    cal.add("description", description)  # RFC 7986
    cal.add("x-wr-caldesc", vText(description))
    cal.add("x-wr-timezone", vText(site.config.timezone))
    cal.add("url", vUri(page_url), parameters={"VALUE": "URI"})
    if subscription:
        cal.add("source", vUri(source_url), parameters={"VALUE": "URI"})  # RFC 7986
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    # the components' lines as made once each (_Lines): a national site's events are in thousands
    # of calendars, and icalendar folds and escapes every line again on every to_ical()
    head = bytes(cal.to_ical())
    assert head.endswith(_END), head[-40:]
    return head[:-len(_END)] + (lines(zone) if zone is not None else b"") + b"".join(map(lines, components)) + _END


_END = b"END:VCALENDAR\r\n"


class _Lines:
    """Each component's content lines (to_ical), made once; the same bytes icalendar writes for a
    component inside a calendar."""

    def __init__(self) -> None:
        self.made: dict[int, tuple[object, bytes]] = {}

    def __call__(self, component: Timezone | VEvent) -> bytes:
        return made_once(self.made, id(component), component, lambda: bytes(component.to_ical()))


# An area's calendar holds the upcoming events and those of the past year: a calendar app shows
# what is coming, and every event ever held in scope made a national site's 4,091 calendars 93 MB
# (each event keeps its own calendar file, linked from its page).
CALENDAR_PAST_DAYS = 365

def render_calendars(site: SiteModel, part: tuple[int, int] = (0, 1),
                     translations: NullTranslations | None = None, keys: Keys | None = None,
                     reuse: Reuse = NO_REUSE, fragments: dict[Any, Any] | None = None) -> list[Output]:
    """Every calendar (or, with part=(k, n), those of every n-th area and event from the k-th).
    translations: the catalog of the site's language (default: the theme's). With `keys`, a
    calendar of the same events as in the previous build is taken over (an event is a VEVENT by
    its own fields and the site's settings alone). `fragments`: the build's store (render_tasks),
    where the events' VEVENTs and their lines are kept from one part to the next in a process: an
    event is in the calendars of many parts' areas."""
    urls = site.urls
    tz = ZoneInfo(site.config.timezone)
    gettext = catalog(site, translations).gettext
    dates = formats(site.config.language)
    store = store_of(fragments, "calendars", translations)
    zones: _Zones = store.setdefault("zones", _Zones(site.config.timezone))
    vevents: dict[int, tuple[Event, VEvent]] = store.setdefault("vevents", {})  # made_once()
    lines: _Lines = store.setdefault("lines", _Lines())

    def vevent_of(e: Event) -> VEvent:  # each event made once, when a calendar first needs it
        return made_once(vevents, id(e), e, lambda: vevent(site, e, tz, gettext))

    k, n = part
    outputs: list[Output] = []

    def taken(path: str, origin: str, *made_from: object) -> str | None:
        """The key of a calendar, or None when the previous build's file was taken over."""
        key = keys.of("calendar", *made_from) if keys is not None else ""
        taken = reuse.taken(path, key, (path,), origin)
        if taken is None:
            return key
        outputs.extend(taken)
        return None

    since = site.today - dt.timedelta(days=CALENDAR_PAST_DAYS)
    for kind, aid in list(areas(site))[k::n]:
        events = [e for e in site.events_for(kind, aid) if e.last_day >= since]
        url = urls.calendar(kind, aid)
        origin = f"calendar of {kind or 'the site'}{' ' + aid if aid else ''}"
        key = taken(urls.output_path(url), origin, kind, aid, events)
        if key is None:
            continue
        description = gettext(CALENDAR_DESCRIPTION) % {"area": site.area_name(kind, aid)}
        data = _calendar(site, area_title(site, kind, aid), description,
                         urls.absolute(urls.area(kind, aid)), urls.absolute(url),
                         [vevent_of(e) for e in events], zones.for_events(events), subscription=True,
                         lines=lines)
        outputs.append(Output(urls.output_path(url), data, origin=origin, unit=urls.output_path(url), key=key))
    for e in site.events[k::n]:
        url = urls.event_calendar(e.slug)
        key = taken(urls.output_path(url), e.source, e)
        if key is None:
            continue
        when = dates.event_when(e, tz, long=False)
        data = _calendar(site, f"{e.title} – {site.config.title}", f"{when}, {e.location}",
                         urls.absolute(urls.event(e.slug)), urls.absolute(url),
                         [vevent_of(e)], zones.for_events([e]), subscription=False, lines=lines)
        outputs.append(Output(urls.output_path(url), data, origin=e.source, unit=urls.output_path(url), key=key))
    return outputs
