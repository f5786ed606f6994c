"""localities.yaml, the registry: the site settings first (Markdown needs the base URL), then
districts, municipalities, stations, officers and localities."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import model
from .errors import Diagnostics, Position, did_you_mean
from .fieldtypes import Ctx, RecordSpec, RepoName, convert_record, slugify
from .load import YList, YMap, parse_yaml, read_text
from .markup import Markup
from .records import (
    DISTRICT,
    LOCALITIES_FILE,
    LOCALITY,
    MUNICIPALITY,
    OFFICER,
    SITE,
    STATION,
    build_locality,
    build_officer,
    make,
    newsletter_settings,
)

REGISTRY = "localities.yaml"

# The lists of the registry, each with how its records are made from their values.
_Build = Callable[[dict[str, Any], Ctx], Any]
_LISTS: tuple[tuple[str, RecordSpec, _Build], ...] = (
    ("districts", DISTRICT, lambda v, ctx: make(model.District, v)),
    ("municipalities", MUNICIPALITY, lambda v, ctx: make(model.Municipality, v)),
    ("stations", STATION, lambda v, ctx: make(model.Station, v)),
    ("officers", OFFICER, build_officer),
    ("localities", LOCALITY, build_locality),
)


def load_registry(root: Path, diags: Diagnostics) -> dict[str, Any] | None:
    """{"config": SiteConfig, "districts": (...), ..., "invalid_ids": {kind: ids}}, or None when the
    file or its site settings are unusable."""
    raw = _read(root, diags)
    if raw is None:
        return None
    ctx = Ctx(root, REGISTRY, diags)
    config = _site_config(raw, ctx)  # first: Markdown rendering needs the base URL
    if config is None:
        return None
    tz = _zone(config.timezone)
    ctx.markup = Markup(urlsplit(config.base_url).path, ctx.check_media)
    ctx.tz = tz
    known = [f.name for f in LOCALITIES_FILE.fields]
    for key in raw:
        if key not in known:
            diags.error(raw.key_pos[key], f"unknown field '{key}' in localities.yaml{did_you_mean(key, known)}")
    out: dict[str, Any] = {"config": config}
    for key, spec, build in _LISTS:
        out[key] = _records(raw, key, spec, build, ctx, out)
    return out


def _read(root: Path, diags: Diagnostics) -> YMap | None:
    if not (root / REGISTRY).is_file():
        diags.error(Position(REGISTRY), "the site root has no localities.yaml")
        return None
    text = read_text(root, REGISTRY, diags)
    if text is None:
        return None
    raw = parse_yaml(text, REGISTRY, diags)
    if raw is None and diags.errors:
        return None
    if not isinstance(raw, YMap):
        diags.error(Position(REGISTRY), "localities.yaml must be a group of fields: site, districts, "
                                        "municipalities, officers, localities")
        return None
    return raw


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _site_values(raw: YMap, ctx: Ctx) -> dict[str, Any] | None:
    """The converted site settings, with the checks between its fields."""
    if "site" not in raw:
        ctx.diags.error(raw.pos, "missing required field 'site' in localities.yaml")
        return None
    if raw["site"] is None:  # 'site:' with nothing under it
        ctx.diags.error(raw.key_pos["site"], "site: is empty: write the site settings under it, at least "
                                             "title and base_url")
        return None
    ctx.field_name = "site"
    values = convert_record(raw["site"], SITE, raw.value_pos["site"], ctx, prefix="site.")
    if values is None:
        return None
    if "timezone" in values and values["timezone"] not in available_timezones():
        tzname = values["timezone"]
        ctx.diags.error(values["field_pos"]["timezone"], f"site.timezone: '{tzname}' is not a time zone"
                                                         f"{did_you_mean(tzname, available_timezones())}")
        return None
    if values.get("alternate_language") and values["alternate_language"] == values.get("language", "da"):
        ctx.diags.error(values["field_pos"]["alternate_language"],
                        "site.alternate_language: must differ from site.language (the site is already in it)")
        return None
    return values


def _site_config(raw: YMap, ctx: Ctx) -> model.SiteConfig | None:
    values = _site_values(raw, ctx)
    if values is None:
        return None
    if not values["base_url"].endswith("/"):
        values["base_url"] += "/"
    if "newsletter" in values:
        values["newsletter"] = newsletter_settings(values["newsletter"])
    if "organisation" in values:
        values["organisation"] = make(model.Organisation, values["organisation"])
    if "cms" in values:
        cms = values["cms"]
        if cms["backend"] in ("github", "gitlab") and "repo" not in cms:
            ctx.diags.error(cms["pos"], f"missing required field 'site.cms.repo' for backend {cms['backend']}: "
                                        f"add 'repo: ' with {RepoName.label}, e.g. {RepoName.example}")
            return None
        values["cms"] = make(model.CmsSettings, cms)
    return make(model.SiteConfig, values)


def _records(raw: YMap, key: str, spec: RecordSpec, build: _Build, ctx: Ctx, out: dict[str, Any]) -> tuple[Any, ...]:
    """One list of the registry; an invalid record is left out and its id remembered."""
    diags = ctx.diags
    value = raw.get(key)
    if value is None and key in raw:  # 'localities:' with nothing under it
        diags.error(raw.key_pos[key], f"{key}: is empty: write each {spec.name} under it, starting "
                                      f"with '- ' (or '{key}: []' while there are none)")
        return ()
    if value is None:
        field = LOCALITIES_FILE.field_named(key)
        if field is not None and field.required:
            diags.error(raw.pos, f"missing required field '{key}' in localities.yaml: list at least one {spec.name}")
        return ()
    if not isinstance(value, YList):
        diags.error(raw.value_pos[key], f"{key}: must be a list of {spec.name}s, each starting with '- '")
        return ()
    records = []
    for item, ipos in zip(value, value.item_pos, strict=True):
        ctx.field_name = key
        values = convert_record(item, spec, ipos, ctx)
        built = build(values, ctx) if values is not None else None
        if built is None:
            _remember_id(item, key, out)
        else:
            records.append(built)
    return tuple(records)


def _remember_id(item: object, kind: str, out: dict[str, Any]) -> None:
    """Ids of invalid records still count as existing, so one typo is reported once."""
    if not isinstance(item, YMap):
        return
    id_ = item.get("id")
    if isinstance(id_, (str, int)) and not isinstance(id_, bool):
        ids = out.setdefault("invalid_ids", {}).setdefault(kind, set())
        ids.add(str(id_))
        ids.add(slugify(str(id_)))  # references already written in the corrected form
