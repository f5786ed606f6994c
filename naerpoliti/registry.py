"""localities.yaml, the registry: the site settings first (Markdown needs the base URL), then
districts, municipalities, stations, officers and localities."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import model
from .errors import Diagnostics, Position, did_you_mean
from .fieldtypes import Ctx, RepoName, convert_record, slugify
from .load import YList, YMap, parse_yaml, read_text
from .markup import Markup
from .records import DISTRICT, LOCALITIES_FILE, LOCALITY, MUNICIPALITY, OFFICER, SITE, STATION, _make

REGISTRY = "localities.yaml"


def load_registry(root: Path, diags: Diagnostics) -> Optional[dict]:
    if not (root / REGISTRY).is_file():
        diags.error(Position(REGISTRY), "the site root has no localities.yaml")
        return None
    text = read_text(root, REGISTRY, diags)
    if text is None:
        return None
    raw = parse_yaml(text, REGISTRY, diags)
    if raw is None and diags.errors:
        return None
    ctx = Ctx(root, REGISTRY, diags)
    if not isinstance(raw, YMap):
        diags.error(Position(REGISTRY), "localities.yaml must be a group of fields: site, districts, "
                                        "municipalities, officers, localities")
        return None
    # The site settings first: Markdown rendering needs the base URL.
    site_values = None
    if "site" in raw and raw["site"] is not None:
        ctx.field_name = "site"  # type: ignore[attr-defined]
        site_values = convert_record(raw["site"], SITE, raw.value_pos["site"], ctx, prefix="site.")
    elif "site" not in raw:
        diags.error(raw.pos, "missing required field 'site' in localities.yaml")
    if site_values is None:
        return None
    if "timezone" in site_values:
        tzname = site_values["timezone"]
        if tzname not in available_timezones():
            diags.error(site_values["field_pos"]["timezone"],
                        f"site.timezone: '{tzname}' is not a time zone"
                        f"{did_you_mean(tzname, available_timezones())}")
            return None
    if site_values.get("alternate_language") and site_values["alternate_language"] == site_values.get("language", "da"):
        diags.error(site_values["field_pos"]["alternate_language"],
                    "site.alternate_language: must differ from site.language (the site is already in it)")
        return None
    if not site_values["base_url"].endswith("/"):
        site_values["base_url"] += "/"
    if "newsletter" in site_values:
        nl = {k: v for k, v in site_values["newsletter"].items() if k not in ("pos", "field_pos")}
        if "from" in nl:  # `from` is a Python keyword
            nl["sender"] = nl.pop("from")
        site_values["newsletter"] = model.NewsletterSettings(**nl)
    if "cms" in site_values:
        cms = site_values["cms"]
        if cms["backend"] in ("github", "gitlab") and "repo" not in cms:
            diags.error(cms["pos"], f"missing required field 'site.cms.repo' for backend {cms['backend']}: "
                                    f"add 'repo: ' with {RepoName.label}, e.g. {RepoName.example}")
            return None
        site_values["cms"] = _make(model.CmsSettings, cms)
    config = _make(model.SiteConfig, site_values)
    try:
        tz = ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = dt.timezone.utc
    ctx.markup = Markup(urlsplit(config.base_url).path, ctx.check_media)
    ctx.tz = tz

    known = [f.name for f in LOCALITIES_FILE.fields]
    for key in raw:
        if key not in known:
            diags.error(raw.key_pos[key], f"unknown field '{key}' in localities.yaml{did_you_mean(key, known)}")
    out: dict[str, Any] = {"config": config}
    specs = {"districts": DISTRICT, "municipalities": MUNICIPALITY, "stations": STATION,
             "officers": OFFICER, "localities": LOCALITY}
    for key, spec in specs.items():
        records = []
        value = raw.get(key)
        required = LOCALITIES_FILE.field_named(key).required
        if value is None and key in raw:  # 'localities:' with nothing under it
            diags.error(raw.key_pos[key], f"{key}: is empty: write each {spec.name} under it, starting "
                                          f"with '- ' (or '{key}: []' while there are none)")
        elif value is None:
            if required:
                diags.error(raw.pos, f"missing required field '{key}' in localities.yaml: "
                                     f"list at least one {spec.name}")
        elif not isinstance(value, YList):
            diags.error(raw.value_pos[key], f"{key}: must be a list of {spec.name}s, each starting with '- '")
        else:
            for item, ipos in zip(value, value.item_pos):
                ctx.field_name = key  # type: ignore[attr-defined]
                values = convert_record(item, spec, ipos, ctx)
                if values is None:
                    _remember_id(item, key, out)
                    continue
                built = spec.build(values, ctx) if spec.build else _make(spec.cls, values)
                if built is not None:
                    records.append(built)
                else:
                    _remember_id(item, key, out)
        out[key] = tuple(records)
    return out


def _remember_id(item: Any, kind: str, out: dict) -> None:
    """Ids of invalid records still count as existing, so one typo is reported once."""
    if isinstance(item, YMap) and isinstance(item.get("id"), (str, int)) and not isinstance(item.get("id"), bool):
        ids = out.setdefault("invalid_ids", {}).setdefault(kind, set())
        ids.add(str(item["id"]))
        ids.add(slugify(str(item["id"])))  # references already written in the corrected form

