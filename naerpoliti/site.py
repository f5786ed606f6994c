"""Typed content -> one SiteModel: references resolved, consent applied, scopes indexed.

Everything a renderer needs is decided here; renderers only read the model. Every index is built
in one pass over the content, and a page asks for the newest few items of its scope by merging
a handful of already sorted lists, so no step grows with localities times news.
"""
from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping, Optional

from . import consent
from .errors import Diagnostics, Position, did_you_mean
from .history import updated_key
from .model import (Content, District, Event, Locality, Municipality, NewsItem, NewsletterIntro,
                    Officer, Page, SiteConfig, Station)
from .schema import SLUG_RE
from .urls import RESERVED, Urls

VERIFIED_MAX_AGE = dt.timedelta(days=365)


def verified_too_long_ago(officer: Officer, today: dt.date) -> bool:
    """True when an officer's contact details were last verified over 12 months before today."""
    return officer.verified is not None and today - officer.verified > VERIFIED_MAX_AGE


def _ro(mapping: dict) -> Mapping:
    return MappingProxyType(mapping)


@dataclass(frozen=True)
class ScopeIndex:
    """Items by the scope they name, newest (or soonest) first, plus items under an area."""

    direct: Mapping[tuple[str, str], tuple] = field(default_factory=dict)
    below: Mapping[tuple[str, str], tuple] = field(default_factory=dict)
    national: tuple = ()


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

    def updated_of(self, item) -> Optional[dt.date]:
        """The last-updated date of the page of a news item, event, page or area; None if unknown."""
        key = updated_key(item)
        return self.updated.get(key) if key else None

    # --- what a page of an area shows

    def _scoped(self, index: ScopeIndex, keys: Iterable[tuple[str, str]], below: Iterable[tuple[str, str]],
                key, reverse: bool) -> Iterator:
        lists = [index.direct.get(k, ()) for k in keys] + [index.below.get(k, ()) for k in below]
        lists.append(index.national)
        seen: set[int] = set()
        for item in heapq.merge(*lists, key=key, reverse=reverse):
            if id(item) not in seen:
                seen.add(id(item))
                yield item

    def _area_keys(self, kind: str, id: str) -> tuple[list, list]:
        if kind == "locality":
            loc = self.locality_by_id[id]
            mun = self.municipality_by_id[loc.municipality]
            return [("locality", id), ("municipality", mun.id), ("district", mun.district)], []
        if kind == "municipality":
            mun = self.municipality_by_id[id]
            return [("municipality", id), ("district", mun.district)], [("municipality", id)]
        return [("district", id)], [("district", id)]

    def news_for(self, kind: Optional[str], id: Optional[str], limit: Optional[int] = None) -> list[NewsItem]:
        """Published news in an area's scope (kind None: the whole site), newest first."""
        if kind is None:
            return list(itertools.islice(self.news, limit))
        keys, below = self._area_keys(kind, id)
        items = self._scoped(self.news_index, keys, below, news_sort_key, reverse=True)
        return list(itertools.islice(items, limit))

    def events_for(self, kind: Optional[str], id: Optional[str]) -> list[Event]:
        """Every published event in an area's scope (kind None: the whole site), past and
        upcoming, soonest first."""
        if kind is None:
            return list(self.events)
        keys, below = self._area_keys(kind, id)
        return list(self._scoped(self.event_index, keys, below, event_sort_key, reverse=False))

    def upcoming_events_for(self, kind: str, id: str, limit: Optional[int] = None) -> list[Event]:
        keys, below = self._area_keys(kind, id)
        items = self._scoped(self.event_index, keys, below, event_sort_key, reverse=False)
        upcoming = (e for e in items if e.last_day >= self.today)
        return list(itertools.islice(upcoming, limit))

    @property
    def upcoming_events(self) -> list[Event]:
        return [e for e in self.events if e.last_day >= self.today]

    @property
    def past_events(self) -> list[Event]:
        return [e for e in reversed(self.events) if e.last_day < self.today]

    def documents(self) -> Iterator:
        """Every published text with a rendered body, with the Markdown it was written in."""
        for doc in (*self.news, *self.events, *self.pages):
            yield doc.body
        for loc in self.localities:
            if loc.description:
                yield loc.description
        for intro in self.newsletter_intros:
            yield intro.body

    def area_name(self, kind: Optional[str], id: Optional[str]) -> str:
        if kind is None:
            return self.config.title
        table = {"locality": self.locality_by_id, "municipality": self.municipality_by_id,
                 "district": self.district_by_id}[kind]
        return table[id].name

    def officer_of(self, locality: Locality) -> Officer:
        return self.officers[locality.officer]

    def scope_areas(self, item) -> list[tuple[str, str, str]]:
        """(kind, id, name) of the areas an item names, for "Gælder:" lines."""
        out = []
        s = item.scope
        out += [("district", i, self.district_by_id[i].name) for i in s.districts]
        out += [("municipality", i, self.municipality_by_id[i].name) for i in s.municipalities]
        out += [("locality", i, self.locality_by_id[i].name) for i in s.localities]
        return out


def news_sort_key(item: NewsItem):
    moment = item.datetime.timestamp() if item.datetime else 0.0
    return (item.date, moment, item.slug)


def event_sort_key(item: Event):
    return (item.start.timestamp(), item.slug)


_DANISH_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|"})


def danish_key(text: str) -> str:
    """Sort key in Danish alphabetical order: a-z, then æ, ø, å (an initial 'aa' is å)."""
    folded = text.casefold()
    if folded.startswith("aa"):
        folded = "å" + folded[2:]
    return folded.translate(_DANISH_ORDER)


def _by_name(records):
    return tuple(sorted(records, key=lambda r: (danish_key(r.name), r.id)))


class _Resolver:
    def __init__(self, content: Content, diags: Diagnostics):
        self.diags = diags
        self.invalid = content.invalid_ids

    def unique(self, records, kind: str, key=lambda r: r.id) -> dict:
        out: dict = {}
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

    def ref(self, record, field_name: str, value: Optional[str], table: Mapping, kind: str, plural: str,
            pos: Optional[Position] = None) -> bool:
        if value is None or value in table:
            return True
        if value not in self.invalid.get(plural, ()):
            where = pos or record.field_pos.get(field_name, record.pos)
            # suggest ids of invalid records too, but only in their valid form
            choices = [*table, *(i for i in self.invalid.get(plural, ()) if SLUG_RE.match(i))]
            self.diags.error(where, f"{field_name}: unknown {kind} '{value}'{did_you_mean(value, choices)}")
        return False

    def scope(self, item, districts, municipalities, localities) -> bool:
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
    urls = Urls(content.config.base_url)
    districts = r.unique(content.districts, "district")
    municipalities = r.unique(content.municipalities, "municipality")
    stations = r.unique(content.stations, "station")
    officers = r.unique(content.officers, "officer")
    localities = r.unique(content.localities, "locality")

    for m in municipalities.values():
        r.ref(m, "district", m.district, districts, "district", "districts")
    for o in officers.values():
        r.ref(o, "station", o.station, stations, "station", "stations")
        if verified_too_long_ago(o, today):
            diags.warning(o.field_pos["verified"],
                          f"the contact details of officer '{o.id}' were last verified on {o.verified}, "
                          "over 12 months ago: check them and update 'verified'")
    for loc in localities.values():
        r.ref(loc, "municipality", loc.municipality, municipalities, "municipality", "municipalities")
        r.ref(loc, "officer", loc.officer, officers, "officer", "officers")

    # Ambassadors: the file names their locality; consent decides who is published.
    ambassadors_of: dict[str, list] = {}
    r.unique(content.ambassadors, "ambassador")
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

    # News, events, pages: unique slugs, valid references, what is published.
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
            diags.error(Position(p.source), f"file name: '{p.slug}' is used by the site itself; "
                                            "give the page another file name")
    for intro in content.newsletter_intros:
        if intro.area not in localities and intro.area not in municipalities:
            diags.error(Position(intro.source), f"folder name: unknown locality or municipality "
                                                f"'{intro.area}'{did_you_mean(intro.area, [*localities, *municipalities])}")

    published_news = sorted(
        (n for n in news.values() if not n.draft and n.date <= today), key=news_sort_key, reverse=True)
    published_events = sorted((e for e in events.values() if not e.draft), key=event_sort_key)
    published_pages = sorted((p for p in pages.values() if not p.draft), key=lambda p: (p.title.casefold(), p.slug))

    municipalities_of: dict[str, list] = {}
    for m in _by_name(municipalities.values()):
        municipalities_of.setdefault(m.district, []).append(m)
    localities_of: dict[str, list] = {}
    for loc in _by_name(localities.values()):
        localities_of.setdefault(loc.municipality, []).append(loc)

    def index(items) -> ScopeIndex:
        direct: dict = {}
        below: dict = {}
        national = []
        for item in items:  # already in display order, so every list stays sorted
            s = item.scope
            if s.national:
                national.append(item)
            for kind, ids in (("locality", s.localities), ("municipality", s.municipalities),
                              ("district", s.districts)):
                for i in ids:
                    direct.setdefault((kind, i), []).append(item)
            # an item about a locality also belongs on its municipality's and district's pages
            areas = set()
            for i in s.localities:
                loc = localities.get(i)
                if loc and loc.municipality in municipalities:
                    areas.add(("municipality", loc.municipality))
                    areas.add(("district", municipalities[loc.municipality].district))
            for i in s.municipalities:
                if i in municipalities:
                    areas.add(("district", municipalities[i].district))
            for key in sorted(areas):
                below.setdefault(key, []).append(item)
        return ScopeIndex(_ro({k: tuple(v) for k, v in direct.items()}),
                          _ro({k: tuple(v) for k, v in below.items()}), tuple(national))

    shown_officers = {loc.officer for loc in localities.values()} | {n.author for n in published_news if n.author}
    media: set[str] = set()
    for n in published_news:
        media.update(n.body.media)
        if n.image:
            media.add(n.image.path)
    for doc in [*published_events, *published_pages]:
        media.update(doc.body.media)
    for loc in localities.values():
        if loc.description:
            media.update(loc.description.media)
    for intro in content.newsletter_intros:
        media.update(intro.body.media)
    for oid in shown_officers:
        o = officers.get(oid)
        if o and o.photo:
            media.add(o.photo.path)
    for amb_list in ambassadors_of.values():
        for a in amb_list:
            if a.photo:
                media.add(a.photo.path)

    postcodes: dict[str, list] = {}
    for loc in _by_name(localities.values()):
        for code in loc.postcodes:
            postcodes.setdefault(code, []).append(loc)

    return SiteModel(
        postcodes=_ro({k: tuple(postcodes[k]) for k in sorted(postcodes)}),
        config=content.config,
        today=today,
        urls=urls,
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
        news_index=index(published_news),
        event_index=index(published_events),
        media=tuple(sorted(media)),
    )
