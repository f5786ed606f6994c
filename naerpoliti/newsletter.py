"""Newsletter issues (nyhedsbreve), computed from the SiteModel. Pure: no clock, no files.

Every locality and every municipality has one issue per period (`site.newsletter.period`: a
calendar month, id 'YYYY-MM', or an ISO week, id 'YYYY-Www') in which anything in its scope
happened:

- a published news item in scope dated in the period,
- an event in scope starting in the period, or
- an update of a priority of a locality in scope dated in the period ("what we did"), or
- an editorial intro, `content/newsletters/<area-id>/<period>.md`. The folder names a locality or
  a municipality; where a locality and a municipality share an id, the intro is the locality's
  (the content format names locality ids there).

Only periods that have started on or before the build date have an issue; the issue of the
current period grows until the period ends, and is dated the build date until then.

An issue holds the period's news in scope (newest first) and the upcoming events in scope: events
starting on or after the period's first day and at most UPCOMING_DAYS (60) days after its last day,
soonest first. An issue is a snapshot of its period, so an old issue keeps listing the events that
were upcoming then. The contact officers are the locality's officer, or for a municipality the
distinct officers of its localities (in the order of the localities, by name).

Everything is grouped per area in one pass over the items in its scope.
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .dates import formats
from .markup import plain_text
from .model import Event, Locality, NewsItem, NewsletterIntro, Officer, Priority, PriorityUpdate, SiteConfig
from .site import SiteModel, host
from .urls import mailto

UPCOMING_DAYS = 60

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Area:
    kind: str  # 'locality' or 'municipality'
    id: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


@dataclass(frozen=True)
class Done:
    """A priority update as a newsletter lists it."""

    locality: Locality
    priority: Priority
    update: PriorityUpdate


@dataclass(frozen=True)
class Issue:
    area: Area
    period: str  # 'YYYY-MM' or 'YYYY-Www'
    first_day: dt.date
    last_day: dt.date
    date: dt.date  # min(last day of the period, build date)
    intro: NewsletterIntro | None
    news: tuple[NewsItem, ...]  # dated in the period, newest first
    events: tuple[Event, ...]  # upcoming as of the period, soonest first
    officers: tuple[Officer, ...]
    # "What we did": the priority updates in scope dated in the period (and by the build date),
    # newest first, each with its locality and priority
    updates: tuple[Done, ...] = ()

    @property
    def key(self) -> str:
        """Unique and stable: 'PERIOD.KIND.ID' (the Message-ID's left part)."""
        return f"{self.period}.{self.area.kind}.{self.area.id}"


# --- periods


def period_of(day: dt.date, kind: str) -> str:
    """The id of the period ('month' or 'week') that contains a day."""
    if kind == "week":
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period id, 'YYYY-MM' or 'YYYY-Www'."""
    m = _MONTH.match(period)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    w = _WEEK.match(period)
    if w:
        first = dt.date.fromisocalendar(int(w.group(1)), int(w.group(2)), 1)
        return first, first + dt.timedelta(days=6)
    raise ValueError(f"not a newsletter period: {period!r}")


def period_words(period: str, language: str) -> str:
    """'november 2026', 'uge 47 i 2026' (da); 'November 2026', 'week 47 of 2026' (en)."""
    first, _ = period_bounds(period)
    return formats(language).period(first, week=bool(_WEEK.match(period)))


# --- areas and officers


def areas(site: SiteModel) -> list[Area]:
    """Every area that has a newsletter: localities, then municipalities, each by name."""
    return ([Area("locality", loc.id, loc.name) for loc in site.localities]
            + [Area("municipality", m.id, m.name) for m in site.municipalities])


def contact_officers(site: SiteModel, kind: str, id: str) -> tuple[Officer, ...]:
    if kind == "locality":
        return (site.officer_of(site.locality_by_id[id]),)
    found: dict[str, Officer] = {}
    for loc in site.localities_of.get(id, ()):
        found.setdefault(loc.officer, site.officer_of(loc))
    return tuple(found.values())


def _intros(site: SiteModel) -> dict[tuple[str, str], dict[str, NewsletterIntro]]:
    """(kind, id) -> period -> intro. A folder name that is both a locality's and a municipality's
    id is the locality's."""
    out: dict[tuple[str, str], dict[str, NewsletterIntro]] = {}
    for intro in site.newsletter_intros:
        kind = "locality" if intro.area in site.locality_by_id else "municipality"
        out.setdefault((kind, intro.area), {})[intro.period] = intro
    return out


# --- issues


def issues_for(site: SiteModel, area: Area, intros: dict[str, NewsletterIntro] | None = None) -> list[Issue]:
    """The issues of one area, newest first."""
    kind = site.config.newsletter.period
    news_by_period: dict[str, list[NewsItem]] = {}
    for item in site.news_for(area.kind, area.id):  # newest first, so every list is too
        news_by_period.setdefault(period_of(item.date, kind), []).append(item)
    events = site.events_for(area.kind, area.id)  # past and future, soonest first
    starts = [e.start.date() for e in events]  # ascending, for the upcoming window
    periods = set(news_by_period) | {period_of(day, kind) for day in starts}
    intros = intros or {}
    periods |= set(intros)
    done = priority_updates(site, area)
    periods |= {period_of(d.update.date, kind) for d in done}
    officers = contact_officers(site, area.kind, area.id)
    out = []
    for period in sorted(periods, reverse=True):
        first, last = period_bounds(period)
        if first > site.today:
            continue
        lo = bisect.bisect_left(starts, first)
        hi = bisect.bisect_right(starts, last + dt.timedelta(days=UPCOMING_DAYS))
        out.append(Issue(
            area=area, period=period, first_day=first, last_day=last, date=min(last, site.today),
            intro=intros.get(period), news=tuple(news_by_period.get(period, ())),
            events=tuple(events[lo:hi]), officers=officers,
            updates=tuple(d for d in done if first <= d.update.date <= last),
        ))
    return out


def priority_updates(site: SiteModel, area: Area) -> list[Done]:
    """The published updates of the priorities of an area's localities, newest first."""
    localities = ([site.locality_by_id[area.id]] if area.kind == "locality"
                  else list(site.localities_of.get(area.id, ())))
    done = [Done(loc, p, u) for loc in localities for p in loc.priorities for u in p.updates_until(site.today)]
    return sorted(done, key=lambda d: d.update.date, reverse=True)  # stable: each priority's order kept


def all_issues(site: SiteModel, only: Iterable[Area] | None = None) -> list[tuple[Area, list[Issue]]]:
    """Every area with a newsletter and its issues (newest first; possibly none); with `only`,
    those areas (of areas(site)), in that order."""
    if only is None:
        chosen = areas(site)
    else:
        # checked against the registry rather than areas(site): a parallel build asks for a few
        # areas at a time, hundreds of times
        chosen = list(only)
        unknown = [a for a in chosen if a != area_of(site, a.kind, a.id)]
        if unknown:
            raise ValueError(f"not areas of this site: {unknown}")
        if not chosen:
            return []
    intros = _intros(site)
    return [(a, issues_for(site, a, intros.get((a.kind, a.id)))) for a in chosen]


# --- sending


def sender(config: SiteConfig) -> str:
    """The From address: newsletter.from, else nyhedsbrev@ and the site's host."""
    return config.newsletter.sender or f"nyhedsbrev@{host(config)}"


def unsubscribe_mailto(config: SiteConfig, subject: str) -> str:
    address = config.newsletter.unsubscribe_email or sender(config)
    return mailto(address, subject)


def unsubscribe_link(config: SiteConfig, subject: str) -> str:
    """The visible unsubscribe link: the unsubscribe page, else a prepared e-mail."""
    return config.newsletter.unsubscribe_url or unsubscribe_mailto(config, subject)


def list_unsubscribe(config: SiteConfig, subject: str) -> list[str]:
    """The URIs of List-Unsubscribe (RFC 2369): the https page first, then mailto."""
    out = []
    if config.newsletter.unsubscribe_url:
        out.append(config.newsletter.unsubscribe_url)
    if config.newsletter.unsubscribe_email or not out:
        out.append(unsubscribe_mailto(config, subject))
    return out


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def preheader(issue: Issue, origin: str) -> str:
    """The hidden line most mail apps show after the subject: the first news title, else the
    intro's first paragraph, else its first line, else the newest priority update's issue."""
    if issue.news:
        return issue.news[0].title
    if issue.intro:
        return issue.intro.body.first_paragraph or first_line(plain_text(issue.intro.body, origin))
    if issue.updates:
        return issue.updates[0].priority.issue
    return ""


def area_of(site: SiteModel, kind: str, id: str) -> Area | None:
    """The area with a newsletter of that kind ('locality', 'municipality') and id, if any."""
    if kind == "locality" and id in site.locality_by_id:
        return Area(kind, id, site.locality_by_id[id].name)
    if kind == "municipality" and id in site.municipality_by_id:
        return Area(kind, id, site.municipality_by_id[id].name)
    return None


def issue_of(site: SiteModel, area: Area, period: str) -> Issue | None:
    """One issue of an area, if it exists; only that area's issues are computed."""
    [(_, issues)] = all_issues(site, [area])
    return next((i for i in issues if i.period == period), None)
