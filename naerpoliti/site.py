"""Typed content -> one SiteModel: references resolved, consent applied, scopes indexed.

Everything a renderer needs is decided here; renderers only read the model. Every index is built
in one pass over the content, and a page asks for the newest few items of its scope by merging
a handful of already sorted lists, so no step grows with localities times news.
"""
from __future__ import annotations

import builtins
import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from . import consent
from .errors import Diagnostics, Position, did_you_mean
from .history import updated_key
from .model import (
    Content,
    District,
    Event,
    Locality,
    Municipality,
    NewsItem,
    NewsletterIntro,
    Officer,
    Page,
    Rendered,
    Scope,
    SiteConfig,
    Station,
)
from .schema import SLUG_RE
from .urls import RESERVED, Urls

VERIFIED_MAX_AGE = dt.timedelta(days=365)
Scoped = NewsItem | Event  # what has a scope
T = TypeVar("T")


def host(config: SiteConfig) -> str:
    """The site's host name, for ids and addresses that name the site (tag URIs, UIDs, Message-IDs)."""
    return urlsplit(config.base_url).hostname or "localhost"


def verified_too_long_ago(officer: Officer, today: dt.date) -> bool:
    """True when an officer's contact details were last verified over 12 months before today."""
    return officer.verified is not None and today - officer.verified > VERIFIED_MAX_AGE


K = TypeVar("K")


def _ro(mapping: dict[K, T]) -> Mapping[K, T]:
    return MappingProxyType(mapping)


# --- scope: which areas an item belongs to --------------------------------------------------------
#
# The one rule: an item is shown on the page, in the feeds, the calendar and the newsletters of
# every area it names, of every area above those (a locality's municipality and district, a
# municipality's district) and of every area below them (a district's municipalities and their
# localities, a municipality's localities); a national item everywhere. The index below is this
# rule in a form that does not grow with areas times items: an item is listed under the areas it
# names ("direct") and the areas above them ("below"); an area merges its own and its ancestors'
# direct lists, its own "below" list and the national items. SiteModel.areas_showing() is the same
# rule item by item, and a test holds the two to each other.

AreaKey = tuple[str, str]  # ("locality" | "municipality" | "district", id)


def named_areas(scope: Scope) -> list[AreaKey]:
    """The areas a scope names, localities first."""
    return ([("locality", i) for i in scope.localities] + [("municipality", i) for i in scope.municipalities]
            + [("district", i) for i in scope.districts])


def areas_above(area: AreaKey, localities: Mapping[str, Locality],
                municipalities: Mapping[str, Municipality]) -> list[AreaKey]:
    """The areas an area lies in, nearest first (none for an unknown id)."""
    kind, id = area
    mun_id = id if kind == "municipality" else None
    out: list[AreaKey] = []
    if kind == "locality" and id in localities:
        mun_id = localities[id].municipality
        out.append(("municipality", mun_id))
    mun = municipalities.get(mun_id) if mun_id else None
    if mun is None:
        return []
    return [*out, ("district", mun.district)]


@dataclass(frozen=True)
class ScopeIndex:
    """Items by the scope they name, newest (or soonest) first, plus items under an area."""

    direct: Mapping[AreaKey, tuple[Any, ...]] = field(default_factory=dict)
    below: Mapping[AreaKey, tuple[Any, ...]] = field(default_factory=dict)
    national: tuple[Any, ...] = ()


def scope_index(items: Iterable[Scoped], above: Callable[[AreaKey], list[AreaKey]]) -> ScopeIndex:
    """The index of items already in display order (so every list stays sorted)."""
    direct: dict[AreaKey, list[Scoped]] = {}
    below: dict[AreaKey, list[Scoped]] = {}
    national: list[Scoped] = []
    for item in items:
        if item.scope.national:
            national.append(item)
        named = named_areas(item.scope)
        for key in named:
            direct.setdefault(key, []).append(item)
        for key in sorted({a for n in named for a in above(n)}):
            below.setdefault(key, []).append(item)
    return ScopeIndex(_ro({k: tuple(v) for k, v in direct.items()}),
                      _ro({k: tuple(v) for k, v in below.items()}), tuple(national))


@dataclass(frozen=True)
class SiteModel:
    config: SiteConfig
    today: dt.date
    urls: Urls
    districts: tuple[District, ...]
    municipalities: tuple[Municipality, ...]
    localities: tuple[Locality, ...]
    stations: Mapping[str, Station]
    officers: Mapping[str, Officer]
    district_by_id: Mapping[str, District]
    municipality_by_id: Mapping[str, Municipality]
    locality_by_id: Mapping[str, Locality]
    municipalities_of: Mapping[str, tuple[Municipality, ...]]
    localities_of: Mapping[str, tuple[Locality, ...]]
    ambassadors_of: Mapping[str, tuple[consent.PublicAmbassador, ...]]
    news: tuple[NewsItem, ...]  # published, newest first
    events: tuple[Event, ...]  # published, soonest first
    pages: tuple[Page, ...]  # published, by title
    newsletter_intros: tuple[NewsletterIntro, ...]
    news_index: ScopeIndex
    event_index: ScopeIndex
    media: tuple[str, ...]  # media files that published content refers to
    postcodes: Mapping[str, tuple[Locality, ...]]  # postcode -> the localities it covers, by name
    # When each page's content last changed, by history.updated_key() (a source path, or
    # 'locality/<id>' ...); set by build.gather() from git history or the content.
    updated: Mapping[str, dt.date] = field(default_factory=lambda: _ro({}))

    def updated_of(self, item: object) -> dt.date | None:
        """The last-updated date of the page of a news item, event, page or area; None if unknown."""
        key = updated_key(item)
        return self.updated.get(key) if key else None

    # --- what a page of an area shows

    def scope_lists(self, index: ScopeIndex, kind: str, id: str) -> list[Sequence[Any]]:
        """The lists of `index` that hold the items in an area's scope: its own and its ancestors'
        direct lists, its own list of items below it, and the national items."""
        keys, below = self._area_keys(kind, id)
        return [index.direct.get(k, ()) for k in keys] + [index.below.get(k, ()) for k in below] + [index.national]

    def _scoped(self, index: ScopeIndex, kind: str, id: str, key: Callable[[Any], tuple[Any, ...]],
                reverse: bool) -> Iterator[Any]:
        lists = self.scope_lists(index, kind, id)
        seen: set[int] = set()
        for item in heapq.merge(*lists, key=key, reverse=reverse):
            if builtins.id(item) not in seen:
                seen.add(builtins.id(item))
                yield item

    def areas_above(self, kind: str, id: str) -> list[AreaKey]:
        """The areas an area lies in, nearest first."""
        return areas_above((kind, id), self.locality_by_id, self.municipality_by_id)

    def areas_below(self, kind: str, id: str) -> list[AreaKey]:
        """The areas in an area, each municipality followed by its localities, by name."""
        if kind == "locality":
            return []
        if kind == "municipality":
            return [("locality", loc.id) for loc in self.localities_of.get(id, ())]
        return [a for m in self.municipalities_of.get(id, ())
                for a in [("municipality", m.id), *self.areas_below("municipality", m.id)]]

    def areas_showing(self, item: Scoped) -> set[AreaKey]:
        """Every area whose pages, feeds, calendars and newsletters show an item (the scope rule)."""
        if item.scope.national:
            return {*(("district", d.id) for d in self.districts),
                    *(("municipality", m.id) for m in self.municipalities),
                    *(("locality", loc.id) for loc in self.localities)}
        named = named_areas(item.scope)
        return {*named, *(a for k, i in named for a in [*self.areas_above(k, i), *self.areas_below(k, i)])}

    def _area_keys(self, kind: str, id: str) -> tuple[list[AreaKey], list[AreaKey]]:
        """Where an area finds its items in an index: its own and its ancestors' direct lists,
        and its own list of items below it."""
        return [(kind, id), *self.areas_above(kind, id)], [] if kind == "locality" else [(kind, id)]

    def news_for(self, kind: str | None, id: str | None, limit: int | None = None) -> list[NewsItem]:
        """Published news in an area's scope (kind None: the whole site), newest first."""
        if kind is None or id is None:
            return list(itertools.islice(self.news, limit))
        items = self._scoped(self.news_index, kind, id, news_sort_key, reverse=True)
        return list(itertools.islice(items, limit))

    def own_news(self, kind: str, id: str) -> list[NewsItem]:
        """Published news about an area itself or an area in it, newest first: an area's own
        archive. (News about the areas it lies in, or the whole country, is in scope too, and
        shows on its page and in its feeds, but would repeat in the archives of thousands of
        areas: the archive links the archives of the areas above instead.)"""
        lists = [self.news_index.direct.get((kind, id), ()), self.news_index.below.get((kind, id), ())]
        found: dict[int, NewsItem] = {}  # an item about an area and one in it is listed once
        for item in heapq.merge(*lists, key=news_sort_key, reverse=True):
            found.setdefault(builtins.id(item), item)
        return list(found.values())

    def events_for(self, kind: str | None, id: str | None) -> list[Event]:
        """Every published event in an area's scope (kind None: the whole site), past and
        upcoming, soonest first."""
        if kind is None or id is None:
            return list(self.events)
        return list(self._scoped(self.event_index, kind, id, event_sort_key, reverse=False))

    def upcoming_events_for(self, kind: str, id: str, limit: int | None = None) -> list[Event]:
        items = self._scoped(self.event_index, kind, id, event_sort_key, reverse=False)
        upcoming = (e for e in items if e.last_day >= self.today)
        return list(itertools.islice(upcoming, limit))

    @property
    def upcoming_events(self) -> list[Event]:
        return [e for e in self.events if e.last_day >= self.today]

    @property
    def past_events(self) -> list[Event]:
        return [e for e in reversed(self.events) if e.last_day < self.today]

    def documents(self) -> Iterator[Rendered]:
        """Every published text with a rendered body, with the Markdown it was written in."""
        yield from (n.body for n in self.news)
        yield from (e.body for e in self.events)
        yield from (p.body for p in self.pages)
        for loc in self.localities:
            if loc.description:
                yield loc.description
            yield from (u.text for p in loc.priorities for u in p.updates)
        for intro in self.newsletter_intros:
            yield intro.body

    def area_name(self, kind: str | None, id: str | None) -> str:
        if kind is None or id is None:
            return self.config.title
        if kind == "locality":
            return self.locality_by_id[id].name
        if kind == "municipality":
            return self.municipality_by_id[id].name
        return self.district_by_id[id].name

    def officer_of(self, locality: Locality) -> Officer:
        return self.officers[locality.officer]

    def scope_areas(self, item: Scoped) -> list[tuple[str, str, str]]:
        """(kind, id, name) of the areas an item names, for "Gælder:" lines."""
        out: list[tuple[str, str, str]] = []
        s = item.scope
        out += [("district", i, self.district_by_id[i].name) for i in s.districts]
        out += [("municipality", i, self.municipality_by_id[i].name) for i in s.municipalities]
        out += [("locality", i, self.locality_by_id[i].name) for i in s.localities]
        return out


def news_sort_key(item: NewsItem) -> tuple[dt.date, float, str]:
    moment = item.datetime.timestamp() if item.datetime else 0.0
    return (item.date, moment, item.slug)


def event_sort_key(item: Event) -> tuple[float, str]:
    return (item.start.timestamp(), item.slug)


_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|"})


def danish_key(text: str) -> str:
    """Sort key in Danish alphabetical order: a-z, then æ, ø, å (an initial 'aa' is å)."""
    folded = text.casefold()
    if folded.startswith("aa"):
        folded = "å" + folded[2:]
    return folded.translate(_DANISH_ORDER)


Named = TypeVar("Named", District, Municipality, Locality)


def _by_name(records: Iterable[Named]) -> tuple[Named, ...]:
    return tuple(sorted(records, key=lambda r: (danish_key(r.name), r.id)))


class _Resolver:
    def __init__(self, content: Content, diags: Diagnostics):
        self.diags = diags
        self.invalid = content.invalid_ids

    def unique(self, records: Iterable[T], kind: str, key: Callable[[Any], str] = lambda r: str(r.id)
               ) -> dict[str, T]:
        out: dict[str, Any] = {}
        r: Any
        for r in records:
            k = key(r)
            if k in out:
                first = out[k]
                where = f"in {first.pos.path}" if first.pos.path != r.pos.path else f"on line {first.pos.line}"
                self.diags.error(r.field_pos.get("id", r.pos),
                                 f"duplicate {kind} id '{k}' (also defined {where})")
            else:
                out[k] = r
        return out

    def ref(self, record: Any, field_name: str, value: str | None, table: Mapping[str, object], kind: str,
            plural: str,
            pos: Position | None = None) -> bool:
        if value is None or value in table:
            return True
        if value not in self.invalid.get(plural, ()):
            where = pos or record.field_pos.get(field_name, record.pos)
            # suggest ids of invalid records too, but only in their valid form
            choices = [*table, *(i for i in self.invalid.get(plural, ()) if SLUG_RE.match(i))]
            self.diags.error(where, f"{field_name}: unknown {kind} '{value}'{did_you_mean(value, choices)}")
        return False

    def scope(self, item: Scoped, districts: Mapping[str, District], municipalities: Mapping[str, Municipality],
              localities: Mapping[str, Locality]) -> bool:
        ok = True
        for field_name, table, kind, plural in (
            ("localities", localities, "locality", "localities"),
            ("municipalities", municipalities, "municipality", "municipalities"),
            ("districts", districts, "district", "districts"),
        ):
            for i, value in enumerate(getattr(item.scope, field_name)):
                pos = item.field_pos.get(f"{field_name}.{i}", item.field_pos.get(field_name))
                ok &= self.ref(item, field_name, value, table, kind, plural, pos)
        return ok


def build_site(content: Content, today: dt.date, diags: Diagnostics) -> SiteModel:
    """Resolve and check everything. Errors go to diags; the result is only used without errors."""
    r = _Resolver(content, diags)
    districts = r.unique(content.districts, "district")
    municipalities = r.unique(content.municipalities, "municipality")
    stations = r.unique(content.stations, "station")
    officers = r.unique(content.officers, "officer")
    localities = r.unique(content.localities, "locality")
    _check_places(r, today, districts, municipalities, stations, officers, localities)
    ambassadors_of = _ambassadors(content, today, localities, diags)
    news, events, pages = _check_texts(content, r, districts, municipalities, localities, officers)

    published_news = sorted(
        (n for n in news.values() if not n.draft and n.date <= today), key=news_sort_key, reverse=True)
    published_events = sorted((e for e in events.values() if not e.draft), key=event_sort_key)
    published_pages = sorted((p for p in pages.values() if not p.draft), key=lambda p: (p.title.casefold(), p.slug))

    municipalities_of: dict[str, list[Municipality]] = {}
    for m in _by_name(municipalities.values()):
        municipalities_of.setdefault(m.district, []).append(m)
    localities_of: dict[str, list[Locality]] = {}
    postcodes: dict[str, list[Locality]] = {}
    for loc in _by_name(localities.values()):
        localities_of.setdefault(loc.municipality, []).append(loc)
        for code in loc.postcodes:
            postcodes.setdefault(code, []).append(loc)

    def above(area: AreaKey) -> list[AreaKey]:
        return areas_above(area, localities, municipalities)

    return SiteModel(
        postcodes=_ro({k: tuple(postcodes[k]) for k in sorted(postcodes)}),
        config=content.config,
        today=today,
        urls=Urls(content.config.base_url),
        districts=_by_name(districts.values()),
        municipalities=_by_name(municipalities.values()),
        localities=_by_name(localities.values()),
        stations=_ro(stations),
        officers=_ro(officers),
        district_by_id=_ro(districts),
        municipality_by_id=_ro(municipalities),
        locality_by_id=_ro(localities),
        municipalities_of=_ro({k: tuple(v) for k, v in municipalities_of.items()}),
        localities_of=_ro({k: tuple(v) for k, v in localities_of.items()}),
        ambassadors_of=_ro({k: tuple(sorted(v, key=lambda a: (a.name.casefold(), a.name)))
                            for k, v in ambassadors_of.items()}),
        news=tuple(published_news),
        events=tuple(published_events),
        pages=tuple(published_pages),
        newsletter_intros=tuple(sorted(content.newsletter_intros, key=lambda i: (i.area, i.period))),
        news_index=scope_index(published_news, above),
        event_index=scope_index(published_events, above),
        media=_media(content, published_news, published_events, published_pages, localities, officers,
                     ambassadors_of),
    )


def _check_places(r: _Resolver, today: dt.date, districts: Mapping[str, District],
                  municipalities: Mapping[str, Municipality], stations: Mapping[str, Station],
                  officers: Mapping[str, Officer], localities: Mapping[str, Locality]) -> None:
    for m in municipalities.values():
        r.ref(m, "district", m.district, districts, "district", "districts")
    for o in officers.values():
        r.ref(o, "station", o.station, stations, "station", "stations")
        if verified_too_long_ago(o, today):
            r.diags.warning(o.field_pos["verified"],
                            f"the contact details of officer '{o.id}' were last verified on {o.verified}, "
                            "over 12 months ago: check them and update 'verified'")
    for loc in localities.values():
        r.ref(loc, "municipality", loc.municipality, municipalities, "municipality", "municipalities")
        r.ref(loc, "officer", loc.officer, officers, "officer", "officers")


def _ambassadors(content: Content, today: dt.date, localities: Mapping[str, Locality],
                 diags: Diagnostics) -> dict[str, list[consent.PublicAmbassador]]:
    """The published ambassadors by locality: the file names their locality; consent decides who
    is published."""
    ambassadors_of: dict[str, list[consent.PublicAmbassador]] = {}
    _Resolver(content, diags).unique(content.ambassadors, "ambassador")
    for a in content.ambassadors:
        if a.locality not in localities:
            if a.locality not in content.invalid_ids.get("localities", ()):
                diags.error(Position(a.pos.path, 1, 1),
                            f"file name: unknown locality '{a.locality}'{did_you_mean(a.locality, localities)}: "
                            "name the file after the locality's id")
            continue
        decision = consent.decide(a, today)
        if decision.public is None:
            diags.warning(a.pos, f"ambassador '{a.id}' is not published: {decision.reason}")
        else:
            ambassadors_of.setdefault(a.locality, []).append(decision.public)
    return ambassadors_of


def _check_texts(content: Content, r: _Resolver, districts: Mapping[str, District],
                 municipalities: Mapping[str, Municipality], localities: Mapping[str, Locality],
                 officers: Mapping[str, Officer],
                 ) -> tuple[dict[str, NewsItem], dict[str, Event], dict[str, Page]]:
    """News, events, pages by slug: unique slugs, valid references; and the intros' areas."""
    news = r.unique(content.news, "news item", key=lambda n: n.slug)
    events = r.unique(content.events, "event", key=lambda e: e.slug)
    pages = r.unique(content.pages, "page", key=lambda p: p.slug)
    for n in news.values():
        r.scope(n, districts, municipalities, localities)
        r.ref(n, "author", n.author, officers, "officer", "officers")
    for e in events.values():
        r.scope(e, districts, municipalities, localities)
    for p in pages.values():
        if p.slug in RESERVED:
            r.diags.error(Position(p.source), f"file name: '{p.slug}' is used by the site itself; "
                                              "give the page another file name")
    # an invalid locality or municipality still exists: its own error is the one to report
    invalid = {*content.invalid_ids.get("localities", ()), *content.invalid_ids.get("municipalities", ())}
    for intro in content.newsletter_intros:
        if intro.area not in localities and intro.area not in municipalities and intro.area not in invalid:
            hint = did_you_mean(intro.area, [*localities, *municipalities])
            r.diags.error(Position(intro.source), f"folder name: unknown locality or municipality "
                                                  f"'{intro.area}'{hint}")
    return news, events, pages


def _media(content: Content, news: list[NewsItem], events: list[Event], pages: list[Page],
           localities: Mapping[str, Locality], officers: Mapping[str, Officer],
           ambassadors_of: Mapping[str, list[consent.PublicAmbassador]]) -> tuple[str, ...]:
    """The media files that published content refers to."""
    media: set[str] = set()
    for body in [*(n.body for n in news), *(e.body for e in events), *(p.body for p in pages)]:
        media.update(body.media)
    media.update(n.image.path for n in news if n.image)
    for loc in localities.values():
        if loc.description:
            media.update(loc.description.media)
    for intro in content.newsletter_intros:
        media.update(intro.body.media)
    shown_officers = {loc.officer for loc in localities.values()} | {n.author for n in news if n.author}
    for oid in shown_officers:
        o = officers.get(oid)
        if o and o.photo:
            media.add(o.photo.path)
    media.update(a.photo.path for amb_list in ambassadors_of.values() for a in amb_list if a.photo)
    organisation = content.config.organisation
    if organisation and organisation.logo:  # in every page's header
        media.add(organisation.logo.path)
    return tuple(sorted(media))
