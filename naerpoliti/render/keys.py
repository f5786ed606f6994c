"""Render keys: a digest of everything one output is made from.

A build keeps, per output folder, the key of every unit it rendered (a page, an area's feeds, an
area's newsletter pages...) with the files the unit wrote (write.RenderRecord). The next build
computes the keys again; where a unit's key is the same, it takes the previous build's files (hard
links) instead of rendering them. A key covers:

- the engine: the digest of its own source files (a checkout changes without a version bump) and
  the versions of the libraries that shape the output (`base_digest`);
- the templates and catalogs of the site and the theme, byte for byte (`base_digest`);
- the site-wide part of the model that any template may reach through `site` (SITE_ATTRIBUTES:
  the registry, the free pages, the settings, the areas' last-updated dates), which
  tests/test_render_cache.py holds against the templates;
- the build date only where the output depends on it: templates that use `site.today` (found
  in their source and what they include, import or extend), and whatever the renderer computed
  from the date, which is among the values;
- the values the renderer hands to the template or serializer (records, lists, URLs), each record
  by its fields and its last-updated date.

A value of a kind the digest does not know (a lambda, an object without fields) is an error: it
could hide an input, and an output rendered from an unknown input must never be taken from a cache.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import TYPE_CHECKING, Any, Protocol

from .. import __version__
from ..site import SiteModel
from ..urls import Urls
from . import Output

if TYPE_CHECKING:
    import jinja2


class RenderRecord(Protocol):
    """What the previous build rendered (write.RenderRecord, which the builder hands in)."""

    def reusable(self, unit: str, key: str) -> tuple[str, ...] | None: ...

    def group(self, group: str, key: str) -> list[tuple[str, str, tuple[str, ...], int]] | None: ...

# What templates may use of `site`: these are in every key (site_digest). Anything else of the
# SiteModel reaches a template only as a value passed to it.
SITE_ATTRIBUTES = frozenset({
    "config", "districts", "municipalities", "localities", "stations", "officers", "district_by_id",
    "municipality_by_id", "locality_by_id", "municipalities_of", "localities_of", "pages", "postcodes",
    "organisation", "newsletter", "updated_of", "officer_of", "scope_areas", "area_name", "urls",
    "today",  # only in the key of templates that use it (Keys.template)
})
_TODAY = re.compile(r"\bsite\.today\b")
# Digests of records made while rendering that a Keys keeps at most (then forgets them all)
TRANSIENT = 20_000
# Record fields no output shows: where in its file each value was written (for diagnostics)
UNSHOWN = frozenset({"pos", "field_pos"})


def _feed_tree(h: Any, base: Path, pattern: str = "*") -> None:
    """Every file under `base` (matching `pattern`) by relative path and bytes, in a fixed order."""
    if not base.is_dir():
        h.update(b"none\0")
        return
    for f in sorted(p for p in base.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        rel = f.relative_to(base).as_posix().encode("utf-8", "surrogateescape")
        data = f.read_bytes()
        h.update(b"%d:%s%d:" % (len(rel), rel, len(data)))
        h.update(data)


@functools.cache
def engine_digest(libraries: str) -> bytes:
    """The engine's own source files, byte for byte, and `libraries` (the versions of those that
    shape the output, from build.py); read once per process."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"naerpoliti {__version__}\0python {sys.version}\0{libraries}\0".encode())
    _feed_tree(h, Path(__file__).resolve().parent.parent, "*.py")
    return h.digest()


def base_digest(template_folders: Iterable[Path], libraries: str) -> bytes:
    """The engine and the template folders (templates, assets, catalogs) a build renders with."""
    h = hashlib.blake2b(engine_digest(libraries), digest_size=16)
    for folder in template_folders:
        h.update(str(folder).encode("utf-8", "surrogateescape") + b"\0")
        _feed_tree(h, folder)
    return h.digest()


class Keys:
    """Computes render keys for one build of one SiteModel (records are digested once each)."""

    def __init__(self, site: SiteModel, base: bytes):
        self.site = site
        # id -> (the record, kept alive; digest): the site's records (warm()) for the build, and
        # records made while rendering (an issue, a feed's entries) until there are TRANSIENT of them
        self._records: dict[int, tuple[object, bytes]] = {}
        self._transient: dict[int, tuple[object, bytes]] = {}
        self._keep = False  # whether records digested now are the site's (warm())
        self._fields: dict[type, tuple[str, ...]] = {}  # the record types met, and their shown fields
        self._sequences: dict[int, tuple[object, bytes]] = {}  # id -> (the list, kept alive; digest)
        self._today: dict[tuple[int, str], bool] = {}
        self.base = base
        h = hashlib.blake2b(base, digest_size=16)
        s = site
        # the records without their last-updated dates: a template shows the date of a record it is
        # given (a value, digested with its date), and an edited news item moves its areas' dates
        self._dated = False
        self._feed(h, (s.config, s.districts, s.municipalities, s.localities, s.stations, s.officers, s.pages,
                       s.urls, s.postcodes))
        self._dated = True
        self._records.clear()
        self._transient.clear()
        self.site_digest = h.digest()

    def warm(self) -> None:
        """Digest the site's content records now: a parallel build forks its workers after this,
        so they share the digests instead of each making them again."""
        self._keep = True
        for r in site_records(self.site):
            self._record(r)
        self._keep = False

    def sequence(self, items: Sequence[Any]) -> bytes:
        """The digest of a list the model keeps (a scope index's list), made once per build."""
        found = self._sequences.get(id(items))
        if found is not None and found[0] is items:
            return found[1]
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, items)
        self._sequences[id(items)] = (items, h.digest())
        return h.digest()

    def scope(self, kind: str | None, id: str | None) -> bytes:
        """The digest of the news and events in an area's scope (kind None: the whole site's),
        from the lists of the scope indexes, each digested once a build: what an area's
        newsletter pages and feeds are made from, without merging the lists."""
        s = self.site
        lists: list[Sequence[Any]]
        if kind is None or id is None:
            lists = [s.news, s.events]
        else:
            lists = [*s.scope_lists(s.news_index, kind, id), *s.scope_lists(s.event_index, kind, id)]
        h = hashlib.blake2b(f"{kind}\0{id}\0{len(lists)}".encode(), digest_size=16)
        for items in lists:
            h.update(self.sequence(items))
        return h.digest()

    def of(self, *values: Any) -> str:
        """The key of an output made from `values` (and the engine, templates and site-wide model)."""
        h = hashlib.blake2b(self.site_digest, digest_size=16)
        for v in values:
            self._feed(h, v)
        return h.hexdigest()

    def template(self, env: jinja2.Environment, name: str) -> tuple[str, str]:
        """What a template adds to a key: its name and, if it (or what it includes, imports or
        extends) uses site.today, the build date."""
        return name, (self.site.today.isoformat() if self._uses_today(env, name, set()) else "")

    def _uses_today(self, env: jinja2.Environment, name: str, seen: set[str]) -> bool:
        known = self._today.get((id(env), name))
        if known is not None:
            return known
        import jinja2.meta

        seen.add(name)
        assert env.loader is not None
        source, filename, _ = env.loader.get_source(env, name)
        found = bool(_TODAY.search(source)) or any(
            other not in seen and self._uses_today(env, other, seen)
            for other in jinja2.meta.find_referenced_templates(env.parse(source, name, filename))
            if isinstance(other, str))
        self._today[(id(env), name)] = found
        return found

    # --- the digest of a value

    def _record(self, obj: object) -> bytes:
        found = self._records.get(id(obj)) or self._transient.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        cls = type(obj)
        names = self._fields.get(cls)
        if names is None:  # where in a file a record was written shows only in diagnostics
            names = self._fields[cls] = tuple(f.name for f in dataclasses.fields(obj)  # type: ignore[arg-type]
                                              if f.name not in UNSHOWN)
        h = hashlib.blake2b(cls.__qualname__.encode(), digest_size=16)
        for name in names:
            self._feed(h, getattr(obj, name))
        if self._dated:
            self._feed(h, self.site.updated_of(obj))
        digest = h.digest()
        if self._keep:
            self._records[id(obj)] = (obj, digest)
        else:
            if len(self._transient) >= TRANSIENT:  # a worker renders thousands of pages: bounded
                self._transient.clear()
            self._transient[id(obj)] = (obj, digest)
        return digest

    def _feed(self, h: Any, v: Any) -> None:  # noqa: C901 - one branch per kind of value, in one place
        t = type(v)
        if t in self._fields:  # a record type met before (the most frequent value, in long lists)
            h.update(b"r" + self._record(v))
        elif t is str:
            data = v.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data))
            h.update(data)
        elif t is bytes:
            h.update(b"b%d:" % len(v))
            h.update(v)
        elif v is None or t is bool or t is int or t is float:
            h.update(f"{t.__name__}:{v!r};".encode())
        elif t is tuple or t is list:
            h.update(b"(%d" % len(v))
            records, fields = self._records, self._fields
            for item in v:
                found = records.get(id(item)) if type(item) in fields else None
                if found is not None and found[0] is item:  # a record digested before: inline
                    h.update(b"r" + found[1])
                else:
                    self._feed(h, item)
            h.update(b")")
        elif v is self.site:
            h.update(b"site;")  # site_digest, already in every key
        elif isinstance(v, SiteModel):
            raise TypeError("render key: a SiteModel other than the build's")
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            h.update(b"r")
            h.update(self._record(v))
        elif isinstance(v, str):  # Markup and other str kinds render differently from str
            h.update(t.__qualname__.encode() + b":")
            self._feed(h, str(v))
        elif isinstance(v, (dt.date, dt.time)):  # datetime too
            h.update(f"{t.__name__}:{v.isoformat()}:{getattr(v, 'tzinfo', None)!s};".encode())
        elif isinstance(v, Mapping):
            h.update(b"{%d" % len(v))
            for k, item in v.items():
                self._feed(h, k)
                self._feed(h, item)
            h.update(b"}")
        elif isinstance(v, (set, frozenset)):
            self._feed(h, sorted(v))
        elif isinstance(v, Urls):
            h.update(f"urls:{v.origin}{v.base_path}:{v.root_path};".encode())
        elif isinstance(v, functools.partial):
            h.update(b"partial")
            self._feed(h, (v.func, v.args, v.keywords))
        elif isinstance(v, MethodType):
            h.update(b"method")
            self._feed(h, (v.__func__, v.__self__))
        elif isinstance(v, (FunctionType, BuiltinFunctionType)) and "<" not in v.__qualname__ \
                and not getattr(v, "__closure__", None):
            h.update(f"function:{v.__module__}.{v.__qualname__};".encode())
        else:
            raise TypeError(f"render key: no digest for a value of type {t.__qualname__} ({v!r:.80})")


def site_records(site: SiteModel) -> Iterable[object]:
    """The records of every collection of the model (a tuple of records, or a mapping to records
    or tuples of them: news, localities, officers, ambassadors...), found from its fields so that
    a collection added to the model is warmed too."""
    for f in dataclasses.fields(site):
        value = getattr(site, f.name)
        items = value.values() if isinstance(value, Mapping) else value if isinstance(value, tuple) else ()
        for item in items:
            for r in item if isinstance(item, tuple) else (item,):
                if dataclasses.is_dataclass(r) and not isinstance(r, type):
                    yield r


class Reuse:
    """The units the previous build rendered into this output folder, by key; `paths()` answers
    which files to take over for a unit whose key is the same (None: render it). With
    `plan=True` (a check), nothing is rendered: every unit answers with the files it would write."""

    def __init__(self, record: RenderRecord | None = None, plan: bool = False):
        self.record, self.plan = record, plan

    def paths(self, unit: str, key: str, expected: tuple[str, ...]) -> tuple[str, ...] | None:
        """`expected`: the files the unit writes when rendered."""
        if self.plan:
            return expected
        if self.record is None or not key:
            return None
        return self.record.reusable(unit, key)

    def taken(self, unit: str, key: str, expected: tuple[str, ...], origin: str,
              count: int = 0, group: tuple[str, str] = ("", "")) -> list[Output] | None:
        """The unit's files as Outputs without bytes (the previous build's, or in a check the
        files it would write), or None: render it. `group`: (its name, its key), if in one."""
        paths = self.paths(unit, key, expected)
        if paths is None:
            return None
        return [Output(p, origin=origin, unit=unit, key=key, reused=True, count=count, group=group[0],
                       group_key=group[1]) for p in paths]

    def group(self, group: str, key: str, origin: str) -> list[Output] | None:
        """Every file of a group of units whose group key is the previous build's, as Outputs
        without bytes; None: make the group's units (each may still be taken over by its own key).
        A check never takes a group (it must know which files the units would write)."""
        if self.plan or self.record is None or not key:
            return None
        units = self.record.group(group, key)
        if units is None:
            return None
        return [Output(p, origin=origin, unit=unit, key=unit_key, reused=True, count=count if i == 0 else 0,
                       group=group, group_key=key)
                for unit, unit_key, paths, count in units for i, p in enumerate(paths)]


NO_REUSE = Reuse()
PLAN = Reuse(plan=True)
