"""Open data: JSON files of the site's public data, each with a JSON Schema, and a page about reuse.

Like the neighbourhood API of data.police.uk, but static: `data/<name>.json` for districts,
municipalities, localities, officers, stations, ambassadors, events and news, each shaped

    {"$schema": URL, "generated": build date, "license": text, "items": [...]}

and described by a JSON Schema (draft 2020-12), `data/schemas/<name>.schema.json`. The schemas are
generated: a record's exported fields are declared in model.py (`export=` on the field, with the
description a reuser reads), each field type gives its JSON Schema (fieldtypes.py), and what this
module adds to a record (its URL, feeds, district, ...) is declared here beside the code that
writes it. The schemas forbid any property they do not describe, so a personal field cannot slip
into a file unnoticed: the tests validate every file against them.

What goes in is what the site already publishes, and no more:
- officers: the official contact of the officers the site shows (of a locality, or the author of a
  published news item), and when those details were last verified (a fact about the data, which
  tells a reuser how fresh it is). No photo.
- ambassadors: only the published ones, from the consent-reduced views, with only their consented
  fields; never an id or anything else from the coordinator's file.
- events and news: the published ones only.
Optional values are left out when the content has none, never written as null.

Output is a pure function of the SiteModel: `generated` is the build date, never the clock; items
are sorted by id or slug and keys alphabetically, so two builds are byte-identical. A file is one
line of header followed by one item a line, which keeps it small and easy to diff.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from .. import model
from ..consent import PublicAmbassador
from ..fieldtypes import Id, JsonDefs, Property, Record, closed_object, object_schema, record_schema, spec_of
from ..model import Image, NewsItem, Phone, Rendered, Scope
from ..site import SiteModel
from ..urls import Urls
from . import Output
from .keys import NO_REUSE, Keys, Reuse
from .pages import Version, alternates
from .shared import absolutize

# The same message as on the open-data page (templates/open_data.html), so it is in the catalog.
LICENSE = "Free to reuse with attribution: name %(title)s (%(url)s) as the source."

JsonObject = dict[str, Any]
Schema = Callable[[JsonDefs], JsonObject]
# incremental.Builder's memo of data/news.json: id(item) -> (item, what else its line shows, the line)
NewsMemo = dict[int, tuple[NewsItem, tuple[str | None, str], str]]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def document(header: JsonObject, items: Sequence[JsonObject | str]) -> bytes:
    """The header's keys, then "items" with one item a line."""
    head = ",".join(f"{_json(k)}:{_json(header[k])}" for k in sorted(header))
    body = ",\n".join(item if isinstance(item, str) else _json(item) for item in items)
    return ("{" + head + ',"items":[' + (f"\n{body}\n" if items else "") + "]}\n").encode("utf-8")


def license_text(env: jinja2.Environment, site: SiteModel, urls: Urls) -> str:
    """The licence line in the site's language, through the theme's message catalog."""
    template = env.from_string("{% autoescape false %}{{ _(message, title=title, url=url) }}{% endautoescape %}")
    return template.render(message=LICENSE, title=site.config.title, url=urls.absolute(urls.home()))


# --------------------------------------------------------------------------------------------
# The shapes of what this module adds to the records (their fields' shapes are their types')


def _fixed(schema: JsonObject) -> Schema:
    return lambda defs: dict(schema)


_URI = _fixed({"type": "string", "format": "uri"})
_TEXT = _fixed({"type": "string"})  # may be empty
_BOOL = _fixed({"type": "boolean"})
_ID = Id().json_schema


def _ids(defs: JsonDefs) -> JsonObject:
    return {"type": "array", "items": _ID(defs)}


def _feeds(defs: JsonDefs) -> JsonObject:
    uri = _URI(defs)
    return defs.ref("feeds", closed_object("The area's news and events as feeds.", {
        "rss": {"description": "The RSS 2.0 feed.", **uri},
        "atom": {"description": "The Atom 1.0 feed.", **uri},
        "json": {"description": "The JSON Feed 1.1 feed.", **uri},
    }, ("rss", "atom", "json")))


def _scope(defs: JsonDefs) -> JsonObject:
    # always all four, sorted, whatever of them the content wrote
    return defs.ref("scope", object_schema(
        "The areas an item concerns. An item about a municipality or district also concerns every locality in it.",
        (Property("localities", "Ids of localities (see localities.json), sorted.", _ids),
         Property("municipalities", "Ids of municipalities (see municipalities.json), sorted.", _ids),
         Property("districts", "Ids of police districts (see districts.json), sorted.", _ids),
         Property("national", "True when the item concerns the whole country.", _BOOL)), defs))


def _page(what: str) -> Property:
    return Property("url", f"The {what} page on this site.", _URI)


def _subscriptions(feeds: str, calendar: str) -> tuple[Property, ...]:
    return (Property("feeds", feeds, _feeds), Property("calendar", calendar, _URI))


_HTML = Property("content_html", "The full text as HTML, with absolute links.", _TEXT)
_SUMMARY = Property("summary", "A short plain-text summary.", _TEXT)  # else the first paragraph: may be empty


@dataclass(frozen=True)
class DataFile:
    """What the schema of one data file says beyond its items' fields."""

    title: str
    description: str
    items: str  # what the list holds, and its order
    item: str  # the name of one item's shape
    schema: Schema  # one item's shape
    generated: str = "The build date of the site the file was published with (YYYY-MM-DD). The file changes only " \
                     "when the site is rebuilt."


def _record(cls: type, *derived: Property) -> Schema:
    """An exported record: its fields declared for export (model.py), then what this module adds."""
    return lambda defs: record_schema(spec_of(cls), defs, derived)


class _Items:
    """Builds the items of each file; every URL is absolute. Each file's schema is declared above
    the method that writes it."""

    def __init__(self, site: SiteModel, urls: Urls, memo: NewsMemo | None = None):
        self.site = site
        self.urls = urls
        self.memo = memo

    def abs(self, url_path: str) -> str:
        return self.urls.absolute(url_path)

    @staticmethod
    def _optional(item: JsonObject, **values: Any) -> JsonObject:
        item.update({k: v for k, v in values.items() if v is not None and v != [] and v != ()})
        return item

    @staticmethod
    def phone(phone: Phone | None) -> dict[str, str] | None:
        if phone is None:
            return None
        return {"e164": phone.uri[len("tel:"):], "display": phone.display}

    @staticmethod
    def coordinates(value: tuple[float, float] | None) -> dict[str, float] | None:
        return None if value is None else {"latitude": value[0], "longitude": value[1]}

    def image(self, image: Image | None) -> JsonObject | None:
        if image is None:
            return None
        return self._optional({"url": self.abs(self.urls.media(image.path)), "alt": image.alt},
                              width=image.width, height=image.height)

    def subscriptions(self, kind: str, id: str) -> JsonObject:
        urls = self.urls
        return {"feeds": {fmt: self.abs(urls.feed(kind, id, fmt)) for fmt in ("rss", "atom", "json")},
                "calendar": self.abs(urls.calendar(kind, id))}

    @staticmethod
    def scope(scope: Scope) -> JsonObject:
        return {"localities": sorted(scope.localities), "municipalities": sorted(scope.municipalities),
                "districts": sorted(scope.districts), "national": scope.national}

    def html(self, rendered: Rendered) -> str:
        return absolutize(rendered.html, self.urls.origin)

    # --- the files

    DISTRICTS = DataFile(
        "Police districts",
        "The police districts (politikredse) the site covers, with their pages, feeds and calendars.",
        "Every police district, sorted by id.", "district", _record(
            model.District, _page("district's"),
            Property("municipalities", "The ids of the municipalities in the district (see municipalities.json), "
                     "sorted.", _ids),
            Property("opml", "An OPML 2.0 list of every feed of the district and of the areas in it, for a feed "
                     "reader.", _URI),
            *_subscriptions("The district's news and events as feeds: items about the district and about any area "
                            "in it.", "The district's events as an iCalendar file to subscribe to.")))

    def districts(self) -> list[JsonObject]:
        site = self.site
        return [self._optional({
            "id": d.id, "name": d.name, "url": self.abs(self.urls.district(d.id)),
            "municipalities": sorted(m.id for m in site.municipalities_of.get(d.id, ())),
            "opml": self.abs(self.urls.opml("district", d.id)),
            **self.subscriptions("district", d.id),
        }, website=d.url) for d in sorted(site.districts, key=lambda d: d.id)]

    MUNICIPALITIES = DataFile(
        "Municipalities", "The municipalities (kommuner) the site covers, with their police district, localities, "
        "pages, feeds and calendars.", "Every municipality, sorted by id.", "municipality", _record(
            model.Municipality, _page("municipality's"),
            Property("localities", "The ids of the localities in the municipality (see localities.json), sorted.",
                     _ids),
            Property("opml", "An OPML 2.0 list of every feed of the municipality and of its localities, for a feed "
                     "reader.", _URI),
            Property("newsletters", "The page with the municipality's newsletter issues.", _URI),
            *_subscriptions("The municipality's news and events as feeds: items about it, its district, the whole "
                            "country and its localities.",
                            "The municipality's events as an iCalendar file to subscribe to.")))

    def municipalities(self) -> list[JsonObject]:
        site = self.site
        return [{
            "id": m.id, "name": m.name, "district": m.district, "url": self.abs(self.urls.municipality(m.id)),
            "localities": sorted(loc.id for loc in site.localities_of.get(m.id, ())),
            "opml": self.abs(self.urls.opml("municipality", m.id)),
            "newsletters": self.abs(self.urls.newsletter_archive("municipality", m.id)),
            **self.subscriptions("municipality", m.id),
        } for m in sorted(site.municipalities, key=lambda m: m.id)]

    LOCALITIES = DataFile(
        "Localities", "The localities (lokalsamfund): the neighbourhoods of community policing, each with its "
        "postcodes, contact officer, councils and the priorities agreed with the police.",
        "Every locality, sorted by id.", "locality", _record(
            model.Locality, Property("district", "The id of its police district (see districts.json).", _ID),
            _page("locality's"), Property("newsletters", "The page with the locality's newsletter issues.", _URI),
            *_subscriptions("The locality's news and events as feeds: items about it, its municipality, its district "
                            "and the whole country.", "The locality's events as an iCalendar file to subscribe to.")))

    def localities(self) -> list[JsonObject]:
        site = self.site
        out = []
        for loc in sorted(site.localities, key=lambda loc: loc.id):
            item = {
                "id": loc.id, "name": loc.name, "municipality": loc.municipality,
                "district": site.municipality_by_id[loc.municipality].district,
                "postcodes": list(loc.postcodes), "officer": loc.officer,
                "url": self.abs(self.urls.locality(loc.id)),
                "newsletters": self.abs(self.urls.newsletter_archive("locality", loc.id)),
                "councils": [self._optional({"name": c.name}, url=c.url, email=c.email) for c in loc.councils],
                "priorities": [self.priority(p) for p in loc.priorities],
                **self.subscriptions("locality", loc.id),
            }
            out.append(self._optional(item, places=list(loc.places), coordinates=self.coordinates(loc.coordinates),
                                      description_html=self.html(loc.description) if loc.description else None))
        return out

    def priority(self, p: model.Priority) -> JsonObject:
        # only the updates published by the build date, as on the locality's page
        updates = [{"date": u.date.isoformat(), "text_html": self.html(u.text)}
                   for u in p.updates_until(self.site.today)]
        return self._optional({"issue": p.issue, "status": p.status, "updates": updates}, action=p.action,
                              since=p.since.isoformat() if p.since else None)

    def shown_officers(self) -> list[str]:
        """The officers the site shows: of a locality, or the author of a published news item."""
        site = self.site
        ids = {loc.officer for loc in site.localities} | {n.author for n in site.news if n.author}
        return sorted(i for i in ids if i in site.officers)

    OFFICERS = DataFile(
        "Contact officers", "The contact officers the site shows (områdebetjente, lokalbetjente, netværksbetjente): "
        "public employees, with their official contact details only.",
        "Every officer the site shows (the contact officer of a locality, or the author of a news item), sorted by "
        "id.", "officer", _record(
            model.Officer, Property("localities", "The ids of the localities the officer is the contact of, sorted; "
                                    "empty for an officer who only wrote news.", _ids)))

    def officers(self) -> list[JsonObject]:
        site = self.site
        serves: dict[str, list[str]] = {}
        for loc in sorted(site.localities, key=lambda loc: loc.id):
            serves.setdefault(loc.officer, []).append(loc.id)
        out = []
        for oid in self.shown_officers():
            o = site.officers[oid]
            out.append(self._optional(
                {"id": o.id, "name": o.name, "title": o.title, "localities": serves.get(o.id, [])},
                phone=self.phone(o.phone), email=o.email, station=o.station,
                verified=o.verified.isoformat() if o.verified else None))
        return out

    STATIONS = DataFile(
        "Police stations", "Police stations, local stations (nærpolitistationer) and mobile police stations.",
        "Every station, sorted by id.", "station", _record(model.Station))

    def stations(self) -> list[JsonObject]:
        return [self._optional({"id": s.id, "name": s.name}, address=s.address, opening_hours=s.opening_hours,
                               phone=self.phone(s.phone), coordinates=self.coordinates(s.coordinates))
                for s in sorted(self.site.stations.values(), key=lambda s: s.id)]

    # One group a locality; each ambassador is the fields of Ambassador declared for export, which
    # are the fields a consent may name (model.CONSENT_FIELDS).
    AMBASSADORS = DataFile(
        "Safety ambassadors", "The volunteer safety ambassadors (tryghedsambassadører) and network members of each "
        "locality who have given valid consent to be published, with only the fields they consented to. "
        "Ambassadors are volunteers: they take no reports.",
        "One group for every locality with at least one published ambassador, sorted by locality id.", "group",
        lambda defs: object_schema("The published ambassadors of one locality.", (
            Property("locality", "The locality's id (see localities.json).", _ID),
            Property("locality_url", "The locality's page on this site, where the ambassadors are shown.", _URI),
            Property("ambassadors", "Its published ambassadors, in the order of the locality's page (by name).",
                     lambda defs: {"type": "array", "minItems": 1,
                                   "items": Record(model.Ambassador).json_schema(defs)})), defs),
        "The build date of the site the file was published with (YYYY-MM-DD). Consent is judged on this date; "
        "the file changes only when the site is rebuilt.")

    def ambassador(self, a: PublicAmbassador) -> JsonObject:
        # PublicAmbassador holds only what consent allows (the rest is None); its `locality` is
        # the group. Nothing else of the person exists here, not even the id from their file.
        return self._optional({"name": a.name}, role=a.role, phone=self.phone(a.phone), email=a.email,
                              photo=self.image(a.photo))

    def ambassadors(self) -> list[JsonObject]:
        out = []
        for loc_id in sorted(self.site.ambassadors_of):
            people = [self.ambassador(a) for a in self.site.ambassadors_of[loc_id]]
            if people:
                out.append({"locality": loc_id, "locality_url": self.abs(self.urls.locality(loc_id)),
                            "ambassadors": people})
        return out

    EVENTS = DataFile(
        "Events", "Published events: open council meetings, citizens' meetings, visits of the mobile police station "
        "and more, past and upcoming.", "Every published event, past and upcoming, sorted by slug.", "event",
        _record(model.Event,
                Property("slug", "The event's identifier: its file name, which never changes.", _ID),
                Property("all_day", "True when the event has dates but no times.", _BOOL),
                Property("scope", "The areas it concerns.", _scope), _SUMMARY, _HTML, _page("event's"),
                Property("calendar", "The event alone as an iCalendar file, to add to a calendar.", _URI)))

    def events(self) -> list[JsonObject]:
        out = []
        for e in sorted(self.site.events, key=lambda e: e.slug):
            def when(moment: Any, all_day: bool = e.all_day) -> str:
                return str(moment.date().isoformat() if all_day else moment.isoformat())
            out.append(self._optional({
                "slug": e.slug, "title": e.title, "kind": e.kind, "start": when(e.start), "all_day": e.all_day,
                "location": e.location, "scope": self.scope(e.scope), "summary": e.summary,
                "content_html": self.html(e.body), "url": self.abs(self.urls.event(e.slug)),
                "calendar": self.abs(self.urls.event_calendar(e.slug)),
            }, end=when(e.end) if e.end else None))
        return out

    NEWS = DataFile(
        "News", "Published news items (drafts and items dated after the build date are not published).",
        "Every published news item, sorted by slug (file names start with the date, so this is oldest first).",
        "news", _record(model.NewsItem,
                        Property("slug", "The item's identifier: its file name, which never changes.", _ID),
                        _SUMMARY, Property("scope", "The areas it concerns.", _scope), _HTML, _page("item's")))

    def news(self, items: Sequence[NewsItem]) -> list[str]:
        """Each item's line of JSON (render_open_data makes a file a year: by_year); with a memo
        (incremental.Builder's), an item's line is made once for as long as the item (the same
        record) and what else the line shows stay."""
        memo = self.memo
        out: list[str] = []
        for n in items:
            author = n.author if n.author in self.site.officers else None
            key = (author, self.urls.origin)
            hit = memo.get(id(n)) if memo is not None else None
            if hit is not None and hit[0] is n and hit[1] == key:
                out.append(hit[2])
                continue
            line = _json(self._optional({
                "slug": n.slug, "title": n.title, "date": n.date.isoformat(), "summary": n.summary,
                "scope": self.scope(n.scope), "content_html": self.html(n.body),
                "url": self.abs(self.urls.news(n.slug)),
            }, author=author, image=self.image(n.image)))
            if memo is not None:
                memo[id(n)] = (n, key, line)
            out.append(line)
        return out

    def items(self, name: str) -> Sequence[JsonObject | str]:
        """The items of a data file other than the news (news(), a file a year)."""
        writers: dict[str, Callable[[], Sequence[JsonObject | str]]] = {
            "localities": self.localities, "officers": self.officers, "stations": self.stations,
            "ambassadors": self.ambassadors, "districts": self.districts, "municipalities": self.municipalities,
            "events": self.events}
        return writers[name]()


# The data files, in the order the open-data page lists them.
FILES = {"localities": _Items.LOCALITIES, "officers": _Items.OFFICERS, "stations": _Items.STATIONS,
         "ambassadors": _Items.AMBASSADORS, "districts": _Items.DISTRICTS,
         "municipalities": _Items.MUNICIPALITIES, "events": _Items.EVENTS, "news": _Items.NEWS}
NAMES = tuple(FILES)


# --------------------------------------------------------------------------------------------
# The schemas


def schema(name: str) -> JsonObject:
    """The JSON Schema of a data file."""
    f = FILES[name]
    defs = JsonDefs()
    items = defs.ref(f.item, f.schema(defs))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": f.title, "description": f.description,
        "type": "object", "required": ["$schema", "generated", "license", "items"], "additionalProperties": False,
        "properties": {
            "$schema": {"description": "The absolute URL of this schema.", "type": "string", "format": "uri"},
            "generated": {"description": f.generated, "type": "string", "format": "date"},
            "license": {"description": "How the data may be reused, and how to name the source.", "type": "string",
                        "minLength": 1},
            "items": {"description": f.items, "type": "array", "items": items},
        },
        "$defs": defs.defs,
    }


@functools.cache
def schema_source(name: str) -> bytes:
    """The schema of a data file as published: one property a line, each shape of `$defs` opened."""
    return (_layout(schema(name), "") + "\n").encode("utf-8")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _layout(obj: JsonObject, indent: str, listing: bool = False) -> str:
    """A schema with a key a line; `listing`: `properties` or `$defs`, whose entries are a line
    each unless they are objects or alternatives of their own."""
    inner = indent + "  "
    lines = []
    for key, value in obj.items():
        if key == "$defs" or (key == "properties" and not listing):
            text = _layout(value, inner, listing=True)
        elif listing and isinstance(value, dict) and ("properties" in value or "anyOf" in value):
            text = _layout(value, inner)
        else:
            text = _compact(value)
        lines.append(f"{inner}{_compact(key)}: {text}")
    return "{\n" + ",\n".join(lines) + "\n" + indent + "}"


# --------------------------------------------------------------------------------------------


def news_file(site: SiteModel, year: int) -> str:
    """The open-data file of a year's news: news.json for the build date's year, else news-YEAR.json."""
    return "news" if year == site.today.year else f"news-{year}"


def by_year(site: SiteModel) -> list[tuple[int, list[NewsItem]]]:
    """The news items (in the order of the slugs) by year, newest year first; this year's file
    exists even when it is empty."""
    years: dict[int, list[NewsItem]] = {site.today.year: []}
    for n in sorted(site.news, key=lambda n: n.slug):
        years.setdefault(n.date.year, []).append(n)
    return sorted(years.items(), reverse=True)


def render_open_data(site: SiteModel, env: jinja2.Environment, urls: Urls,
                     names: set[str] | None = None, memo: NewsMemo | None = None,
                     alternate: Version | None = None, news_years: set[int] | None = None,
                     keys: Keys | None = None, reuse: Reuse = NO_REUSE) -> list[Output]:
    """Every data file, its schema and the open-data page; with `names`, only those data files.
    The files exist once, their licence in the site's language; the page in every language
    version (`alternate`: the other one, if any). `news_years`: of the news, only the files of those
    years (a text edit in serve changes only its item's year). With `keys`, a year's news file
    made from the same items as in the previous build is taken over (`reuse`): a national site's
    are 40 MB of JSON, of which an edit changes one year's."""
    items = _Items(site, urls, memo)
    license = license_text(env, site, urls)
    generated = site.today.isoformat()
    out: list[Output] = []
    files = []
    for name in NAMES if names is None else [n for n in NAMES if n in names]:
        schema_url = urls.open_data_schema(name)
        header = {"$schema": urls.absolute(schema_url), "generated": generated, "license": license}
        if name == "news":
            # a file a year (news.json: this year's), so no file grows past what hosts take (a
            # national site's three years were one 42 MiB file; Cloudflare Pages takes 25 MiB)
            for year, its_items in by_year(site):
                if news_years is not None and year not in news_years:
                    continue
                file = news_file(site, year)
                path, origin = urls.output_path(urls.open_data(file)), f"open data '{file}'"
                # the lines are made of the items (their fields), the officers and the URLs (in every key)
                key = keys.of("open data", path, header, its_items) if keys is not None else ""
                taken = reuse.taken(path, key, (path,), origin)
                if taken is not None:
                    out += taken
                else:
                    out.append(Output(path, document(header, items.news(its_items)), origin=origin, unit=path,
                                      key=key))
                if names is None:
                    files.append({"name": file, "url": urls.open_data(file), "schema_url": schema_url,
                                  "count": len(its_items), "year": year})
            if names is None:
                out.append(Output(urls.output_path(schema_url), schema_source(name),
                                  origin=f"the schema of open data '{name}'"))
            continue
        records = items.items(name)
        out.append(Output(urls.output_path(urls.open_data(name)), document(header, records),
                          origin=f"open data '{name}'"))
        if names is not None:
            continue
        out.append(Output(urls.output_path(schema_url), schema_source(name),
                          origin=f"the schema of open data '{name}'"))
        count = sum(len(r["ambassadors"]) for r in records if isinstance(r, dict)) if name == "ambassadors" \
            else len(records)
        files.append({"name": name, "url": urls.open_data(name), "schema_url": schema_url, "count": count})
    if names is None:
        primary: Version = (str(env.globals["language"]), env, urls)
        out.append(_page_output(site, primary, alternate, files))
        if alternate is not None:
            out.append(_page_output(site, alternate, primary, files))
    return out


def _page_output(site: SiteModel, version: Version, other: Version | None, files: list[JsonObject]) -> Output:
    language, env, urls = version
    page_url = urls.open_data_page()
    html = env.get_template("open_data.html").render(
        site=site, config=site.config, urls=urls, statement_url=site.config.was_url or urls.statement(),
        page_url=page_url, feeds=(None, None), canonical=urls.absolute(page_url),
        alternates=alternates(page_url, language, urls, (other[0], other[2]) if other else None),
        files=files, example_url=urls.absolute(urls.open_data("localities")),
        generated=site.today)
    origin = "the open-data page" + (f" ({language})" if other else "")
    return Output(urls.output_path(page_url), html.encode("utf-8"), origin=origin)
