"""Frozen content records, as typed by schema.py.

Every record remembers where it was written (`pos`) and where each of its fields was written
(`field_pos`), so that later phases (reference resolution, consent) can report errors at the
right line. Lists are tuples and mappings are read-only: nothing downstream can mutate content.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Optional

from .errors import Position

_NO_POS: Mapping[str, Position] = MappingProxyType({})


def _pos_field():
    return field(default=Position("?"), compare=False, repr=False)


def _field_pos_field():
    return field(default_factory=lambda: _NO_POS, compare=False, repr=False)


@dataclass(frozen=True)
class Phone:
    """A validated telephone number: `display` for people, `uri` (tel:+45...) for links."""

    display: str
    uri: str


@dataclass(frozen=True)
class Rendered:
    """Markdown rendered to sanitised HTML, with the media files and site links it refers to."""

    html: str
    text: str  # plain text, for summaries
    first_paragraph: str
    media: tuple[str, ...] = ()
    links: tuple[tuple[str, Position], ...] = ()


@dataclass(frozen=True)
class MediaInfo:
    """A checked media file: its path (media/...) and, for an image, its size in pixels."""

    path: str
    width: Optional[int] = None
    height: Optional[int] = None


@dataclass(frozen=True)
class Image:
    path: str  # media/..., inside content/
    alt: str
    width: Optional[int] = None
    height: Optional[int] = None


@dataclass(frozen=True)
class NewsletterSettings:
    period: str = "month"
    sender: Optional[str] = None  # `from:` in localities.yaml; default nyhedsbrev@<site host>
    reply_to: Optional[str] = None
    unsubscribe_email: Optional[str] = None
    unsubscribe_url: Optional[str] = None


@dataclass(frozen=True)
class CmsSettings:
    """`site.cms`: where the browser editor (Decap CMS, admin/) commits."""

    backend: str  # github, gitlab or git-gateway
    repo: Optional[str] = None  # owner/name; required for github and gitlab
    branch: str = "main"
    base_url: Optional[str] = None  # an OAuth server, e.g. for GitHub outside Netlify
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    language: str = "da"
    timezone: str = "Europe/Copenhagen"
    newsletter: NewsletterSettings = field(default_factory=NewsletterSettings)
    description: Optional[str] = None
    alternate_language: Optional[str] = None
    was_url: Optional[str] = None
    accessibility_contact: Optional[str] = None
    cms: Optional[CmsSettings] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.language, self.alternate_language) if self.alternate_language else (self.language,)


@dataclass(frozen=True)
class District:
    id: str
    name: str
    url: Optional[str] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    district: str
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Station:
    id: str
    name: str
    address: Optional[str] = None
    opening_hours: Optional[str] = None
    phone: Optional[Phone] = None
    coordinates: Optional[tuple[float, float]] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Officer:
    """A contact officer: a public employee, published in an official role."""

    id: str
    name: str
    title: str
    phone: Optional[Phone] = None
    email: Optional[str] = None
    station: Optional[str] = None
    verified: Optional[dt.date] = None
    photo: Optional[Image] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Council:
    name: str
    url: Optional[str] = None
    email: Optional[str] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Priority:
    issue: str
    action: Optional[str] = None
    since: Optional[dt.date] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Locality:
    id: str
    name: str
    municipality: str
    postcodes: tuple[str, ...]
    officer: str
    coordinates: Optional[tuple[float, float]] = None
    description: Optional[Rendered] = None
    councils: tuple[Council, ...] = ()
    priorities: tuple[Priority, ...] = ()
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Consent:
    given: dt.date
    fields: tuple[str, ...]
    expires: Optional[dt.date] = None
    withdrawn: Optional[dt.date] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Ambassador:
    """A volunteer as recorded by the coordinator. Private: only consent.py may read it."""

    id: str
    locality: str
    name: str
    role: Optional[str] = None
    phone: Optional[Phone] = None
    email: Optional[str] = None
    photo: Optional[Image] = None
    consent: Optional[Consent] = None
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Scope:
    localities: tuple[str, ...] = ()
    municipalities: tuple[str, ...] = ()
    districts: tuple[str, ...] = ()
    national: bool = False

    @property
    def empty(self) -> bool:
        return not (self.localities or self.municipalities or self.districts or self.national)


@dataclass(frozen=True)
class NewsItem:
    slug: str
    source: str  # path relative to the root
    title: str
    date: dt.date
    datetime: Optional[dt.datetime]  # aware, when the front matter gave a time
    scope: Scope
    body: Rendered
    summary: str
    author: Optional[str] = None
    image: Optional[Image] = None
    draft: bool = False
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


# The interface names them (translated) in the templates.
EVENT_KINDS = ("open-council-meeting", "citizen-meeting", "mobile-police-station", "other")


@dataclass(frozen=True)
class Event:
    slug: str
    source: str
    title: str
    kind: str
    start: dt.datetime  # aware; midnight for all-day events
    end: Optional[dt.datetime]
    all_day: bool
    location: str
    scope: Scope
    body: Rendered
    summary: str
    draft: bool = False
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()

    @property
    def last_day(self) -> dt.date:
        return (self.end or self.start).date()


@dataclass(frozen=True)
class Page:
    slug: str
    source: str
    title: str
    body: Rendered
    summary: str
    draft: bool = False
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class NewsletterIntro:
    area: str  # a locality or municipality id
    period: str  # YYYY-MM or YYYY-Www
    source: str
    title: Optional[str]
    body: Rendered
    pos: Position = _pos_field()
    field_pos: Mapping[str, Position] = _field_pos_field()


@dataclass(frozen=True)
class Content:
    """Everything typed from one site root, before references are resolved."""

    config: SiteConfig
    districts: tuple[District, ...]
    municipalities: tuple[Municipality, ...]
    stations: tuple[Station, ...]
    officers: tuple[Officer, ...]
    localities: tuple[Locality, ...]
    ambassadors: tuple[Ambassador, ...]
    news: tuple[NewsItem, ...]
    events: tuple[Event, ...]
    pages: tuple[Page, ...]
    newsletter_intros: tuple[NewsletterIntro, ...]
    # ids of records that had errors, by kind ("localities"): references to them are not
    # reported again as unknown
    invalid_ids: Mapping[str, frozenset] = field(default_factory=dict)
