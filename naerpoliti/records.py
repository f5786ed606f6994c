"""The record kinds of the content format, read from their declarations in model.py, and the one
place where the fields of a file become the attributes of a record when they differ: an image and
its alt text become one Image, the four scope fields one Scope, `from` the sender."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any, TypeVar

from . import model
from .fieldtypes import Ctx, Field, Record, RecordList, RecordSpec, spec_of
from .model import CMS_BACKENDS as CMS_BACKENDS
from .model import CONSENT_FIELDS as CONSENT_FIELDS
from .model import EVENT_KIND_ALIASES as EVENT_KIND_ALIASES
from .model import ID_DOC as ID_DOC

# Every record kind, read from its declarations in model.py.
NEWSLETTER = spec_of(model.NewsletterSettings)
CMS = spec_of(model.CmsSettings)
ORGANISATION = spec_of(model.Organisation)
SITE = spec_of(model.SiteConfig)
DISTRICT = spec_of(model.District)
MUNICIPALITY = spec_of(model.Municipality)
STATION = spec_of(model.Station)
OFFICER = spec_of(model.Officer)
COUNCIL = spec_of(model.Council)
PRIORITY = spec_of(model.Priority)
PRIORITY_UPDATE = spec_of(model.PriorityUpdate)
LOCALITY = spec_of(model.Locality)
CONSENT = spec_of(model.Consent)
AMBASSADOR = spec_of(model.Ambassador)
NEWS = spec_of(model.NewsItem)
EVENT = spec_of(model.Event)
PAGE = spec_of(model.Page)
NEWSLETTER_INTRO = spec_of(model.NewsletterIntro)

# The registry file itself: each of its fields holds records declared in model.py.
LOCALITIES_FILE = RecordSpec("localities.yaml", None, (
    Field("site", Record(model.SiteConfig), SITE.doc, True, "Indstillinger", "Indstillingerne for hele sitet."),
    Field("districts", RecordList(model.District), DISTRICT.doc, True, "Politikredse", "Politikredsene."),
    Field("municipalities", RecordList(model.Municipality), MUNICIPALITY.doc, True, "Kommuner",
          "Kommunerne, hver i en politikreds."),
    Field("stations", RecordList(model.Station), STATION.doc, False, "Politistationer",
          "Politistationer, nærpolitistationer og mobile politistationer."),
    Field("officers", RecordList(model.Officer), OFFICER.doc, True, "Betjente",
          "Kontaktbetjente. De udgives i deres officielle rolle."),
    Field("localities", RecordList(model.Locality), LOCALITY.doc, True, "Lokalsamfund",
          "Lokalsamfundene, hver i en kommune og med en kontaktbetjent."),
), da=("localities.yaml", "localities.yaml"))


# --------------------------------------------------------------------------------------------
# A file's fields -> a record's attributes

T = TypeVar("T")


def make(cls: type[T], values: dict[str, Any]) -> T:
    """The record from converted values; its field positions become read-only."""
    values = dict(values)
    values["field_pos"] = MappingProxyType(values["field_pos"])
    return cls(**values)


def fold_image(values: dict[str, Any], ctx: Ctx, path_field: str, alt_field: str) -> bool:
    """Folds an image path and its alt text into one Image value; False after an error."""
    path = values.pop(path_field, None)
    alt = values.pop(alt_field, None)
    if path is None:
        if alt is not None:
            values["field_pos"].pop(alt_field, None)
        return True
    if alt is None:
        ctx.diags.error(values["field_pos"][path_field],
                        f"{path_field}: the image has no alt text: add '{alt_field}: ' with a short "
                        "description of what the image shows")
        return False
    values[path_field] = model.Image(path.path, alt, path.width, path.height)
    return True


def fold_scope(values: dict[str, Any]) -> model.Scope:
    return model.Scope(
        localities=values.pop("localities", ()),
        municipalities=values.pop("municipalities", ()),
        districts=values.pop("districts", ()),
        national=values.pop("national", False),
    )


def newsletter_settings(values: dict[str, Any]) -> model.NewsletterSettings:
    settings = {k: v for k, v in values.items() if k not in ("pos", "field_pos")}
    if "from" in settings:  # `from` is a Python keyword
        settings["sender"] = settings.pop("from")
    return model.NewsletterSettings(**settings)


def build_officer(values: dict[str, Any], ctx: Ctx) -> model.Officer | None:
    return make(model.Officer, values) if fold_image(values, ctx, "photo", "photo_alt") else None


def build_locality(values: dict[str, Any], ctx: Ctx) -> model.Locality:
    return make(model.Locality, {
        **values,
        "councils": tuple(make(model.Council, c) for c in values.get("councils", ())),
        "priorities": tuple(make(model.Priority, {**p, "updates": tuple(make(model.PriorityUpdate, u)
                                                                         for u in p.get("updates", ()))})
                            for p in values.get("priorities", ())),
    })
