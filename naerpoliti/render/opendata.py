"""Open data: JSON files of the site's public data, each with a JSON Schema, and a page about reuse.

Like the neighbourhood API of data.police.uk, but static: `data/<name>.json` for districts,
municipalities, localities, officers, stations, ambassadors, events and news, each shaped

    {"$schema": URL, "generated": build date, "license": text, "items": [...]}

and described by a hand-written JSON Schema (draft 2020-12) in `naerpoliti/schemas/`, copied to
`data/schemas/<name>.schema.json`. The schemas forbid any property they do not describe, so a
personal field cannot slip into a file unnoticed: the tests validate every file against them.

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

import json
from importlib import resources
from typing import Any, Optional

import jinja2

from ..model import Image, Phone, Scope
from ..site import SiteModel
from ..urls import Urls
from . import Output
from .feeds import absolutize

# The data files, in the order the open-data page lists them.
NAMES = ("localities", "officers", "stations", "ambassadors", "districts", "municipalities", "events", "news")

# The same message as on the open-data page (templates/open_data.html), so it is in the catalog.
LICENSE = "Free to reuse with attribution: name %(title)s (%(url)s) as the source."


def schema_source(name: str) -> bytes:
    """The hand-written schema of a data file, as shipped in the package."""
    return resources.files("naerpoliti.schemas").joinpath(f"{name}.schema.json").read_bytes()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def document(header: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    """The header's keys, then "items" with one item a line."""
    head = ",".join(f"{_json(k)}:{_json(header[k])}" for k in sorted(header))
    body = ",\n".join(item if isinstance(item, str) else _json(item) for item in items)
    return ("{" + head + ',"items":[' + (f"\n{body}\n" if items else "") + "]}\n").encode("utf-8")


def license_text(env: jinja2.Environment, site: SiteModel, urls: Urls) -> str:
    """The licence line in the site's language, through the theme's message catalog."""
    template = env.from_string("{% autoescape false %}{{ _(message, title=title, url=url) }}{% endautoescape %}")
    return template.render(message=LICENSE, title=site.config.title, url=urls.absolute(urls.home()))


class _Items:
    """Builds the items of each file; every URL is absolute."""

    def __init__(self, site: SiteModel, urls: Urls, memo: Optional[dict] = None):
        self.site = site
        self.urls = urls
        self.memo = memo

    def abs(self, url_path: str) -> str:
        return self.urls.absolute(url_path)

    @staticmethod
    def _optional(item: dict[str, Any], **values: Any) -> dict[str, Any]:
        item.update({k: v for k, v in values.items() if v is not None and v != [] and v != ()})
        return item

    @staticmethod
    def phone(phone: Optional[Phone]) -> Optional[dict[str, str]]:
        if phone is None:
            return None
        return {"e164": phone.uri[len("tel:"):], "display": phone.display}

    @staticmethod
    def coordinates(value: Optional[tuple[float, float]]) -> Optional[dict[str, float]]:
        return None if value is None else {"latitude": value[0], "longitude": value[1]}

    def image(self, image: Optional[Image]) -> Optional[dict[str, Any]]:
        if image is None:
            return None
        return self._optional({"url": self.abs(self.urls.media(image.path)), "alt": image.alt},
                              width=image.width, height=image.height)

    def subscriptions(self, kind: str, id: str) -> dict[str, Any]:
        urls = self.urls
        return {"feeds": {fmt: self.abs(urls.feed(kind, id, fmt)) for fmt in ("rss", "atom", "json")},
                "calendar": self.abs(urls.calendar(kind, id))}

    @staticmethod
    def scope(scope: Scope) -> dict[str, Any]:
        return {"localities": sorted(scope.localities), "municipalities": sorted(scope.municipalities),
                "districts": sorted(scope.districts), "national": scope.national}

    def html(self, rendered) -> str:
        return absolutize(rendered.html, self.urls.origin)

    # --- the files

    def districts(self) -> list[dict[str, Any]]:
        site = self.site
        return [self._optional({
            "id": d.id, "name": d.name, "url": self.abs(self.urls.district(d.id)),
            "municipalities": sorted(m.id for m in site.municipalities_of.get(d.id, ())),
            "opml": self.abs(self.urls.opml("district", d.id)),
            **self.subscriptions("district", d.id),
        }, website=d.url) for d in sorted(site.districts, key=lambda d: d.id)]

    def municipalities(self) -> list[dict[str, Any]]:
        site = self.site
        return [{
            "id": m.id, "name": m.name, "district": m.district, "url": self.abs(self.urls.municipality(m.id)),
            "localities": sorted(loc.id for loc in site.localities_of.get(m.id, ())),
            "opml": self.abs(self.urls.opml("municipality", m.id)),
            "newsletters": self.abs(self.urls.newsletter_archive("municipality", m.id)),
            **self.subscriptions("municipality", m.id),
        } for m in sorted(site.municipalities, key=lambda m: m.id)]

    def localities(self) -> list[dict[str, Any]]:
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
                "priorities": [self._optional({"issue": p.issue}, action=p.action,
                                              since=p.since.isoformat() if p.since else None)
                               for p in loc.priorities],
                **self.subscriptions("locality", loc.id),
            }
            out.append(self._optional(item, coordinates=self.coordinates(loc.coordinates),
                                      description_html=self.html(loc.description) if loc.description else None))
        return out

    def shown_officers(self) -> list[str]:
        """The officers the site shows: of a locality, or the author of a published news item."""
        site = self.site
        ids = {loc.officer for loc in site.localities} | {n.author for n in site.news if n.author}
        return sorted(i for i in ids if i in site.officers)

    def officers(self) -> list[dict[str, Any]]:
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

    def stations(self) -> list[dict[str, Any]]:
        return [self._optional({"id": s.id, "name": s.name}, address=s.address, opening_hours=s.opening_hours,
                               phone=self.phone(s.phone), coordinates=self.coordinates(s.coordinates))
                for s in sorted(self.site.stations.values(), key=lambda s: s.id)]

    def ambassadors(self) -> list[dict[str, Any]]:
        # PublicAmbassador holds only what consent allows (the rest is None); its `locality` is
        # the group. Nothing else of the person exists here, not even the id from their file.
        out = []
        for loc_id in sorted(self.site.ambassadors_of):
            people = [self._optional({"name": a.name}, role=a.role, phone=self.phone(a.phone), email=a.email,
                                     photo=self.image(a.photo))
                      for a in self.site.ambassadors_of[loc_id]]
            if people:
                out.append({"locality": loc_id, "locality_url": self.abs(self.urls.locality(loc_id)),
                            "ambassadors": people})
        return out

    def events(self) -> list[dict[str, Any]]:
        out = []
        for e in sorted(self.site.events, key=lambda e: e.slug):
            when = (lambda d: d.date().isoformat()) if e.all_day else (lambda d: d.isoformat())
            out.append(self._optional({
                "slug": e.slug, "title": e.title, "kind": e.kind, "start": when(e.start), "all_day": e.all_day,
                "location": e.location, "scope": self.scope(e.scope), "summary": e.summary,
                "content_html": self.html(e.body), "url": self.abs(self.urls.event(e.slug)),
                "calendar": self.abs(self.urls.event_calendar(e.slug)),
            }, end=when(e.end) if e.end else None))
        return out

    def news(self) -> list:
        """Each item's line of JSON; with a memo (incremental.Builder's), an item's line is made
        once for as long as the item (the same record) and what else the line shows stay."""
        memo = self.memo
        out: list = []
        for n in sorted(self.site.news, key=lambda n: n.slug):
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


def render_open_data(site: SiteModel, env: jinja2.Environment, urls: Urls,
                     names: Optional[set[str]] = None, memo: Optional[dict] = None) -> list[Output]:
    """Every data file, its schema and the open-data page; with `names`, only those data files."""
    items = _Items(site, urls, memo)
    license = license_text(env, site, urls)
    generated = site.today.isoformat()
    out: list[Output] = []
    files = []
    for name in NAMES:
        if names is not None and name not in names:
            continue
        records = getattr(items, name)()
        schema_url = urls.open_data_schema(name)
        header = {"$schema": urls.absolute(schema_url), "generated": generated, "license": license}
        out.append(Output(urls.output_path(urls.open_data(name)), document(header, records),
                          origin=f"open data '{name}'"))
        out.append(Output(urls.output_path(schema_url), schema_source(name),
                          origin=f"naerpoliti/schemas/{name}.schema.json"))
        count = sum(len(r["ambassadors"]) for r in records) if name == "ambassadors" else len(records)
        files.append({"name": name, "url": urls.open_data(name), "schema_url": schema_url, "count": count})
    if names is not None:
        return [o for o in out if o.path.endswith(".json") and "/schemas/" not in o.path]
    page_url = urls.open_data_page()
    html = env.get_template("open_data.html").render(
        site=site, config=site.config, urls=urls, statement_url=site.config.was_url or urls.statement(),
        page_url=page_url, feeds=(None, None), canonical=urls.absolute(page_url), alternates=[],
        files=files, example_url=urls.absolute(urls.open_data("localities")),
        generated=site.today)
    out.append(Output(urls.output_path(page_url), html.encode("utf-8"), origin="the open-data page"))
    return out
