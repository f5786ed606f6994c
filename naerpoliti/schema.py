"""Raw values -> typed records, or errors naming file, line and field: the names callers use, from
the modules that do each job.

- fieldtypes.py: the field types, Field and RecordSpec, and convert_record();
- records.py: the record kinds, derived from the declarations in model.py;
- registry.py: loading localities.yaml;
- contentfiles.py: loading the content files (and FileMemo, serve's memo of them);
- media.py: where media may be and what an image may be.
"""
from __future__ import annotations

from .contentfiles import FileMemo, load_content
from .fieldtypes import (
    SLUG_RE,
    BaseUrl,
    Bool,
    Choice,
    Coordinates,
    Ctx,
    Date,
    DateOrTime,
    Email,
    Field,
    FieldType,
    Id,
    Invalid,
    ListOf,
    MarkdownText,
    MediaFile,
    PhoneNumber,
    Postcode,
    Record,
    RecordList,
    RecordSpec,
    Ref,
    RepoName,
    Text,
    Url,
    check_slug,
    convert_record,
    slugify,
)
from .media import IMAGE_SUFFIXES, WINDOWS_RESERVED, inspect_media
from .records import (
    AMBASSADOR,
    CMS,
    CMS_BACKENDS,
    CONSENT,
    CONSENT_FIELDS,
    COUNCIL,
    DISTRICT,
    EVENT,
    EVENT_KIND_ALIASES,
    LOCALITIES_FILE,
    LOCALITY,
    MUNICIPALITY,
    NEWS,
    NEWSLETTER,
    NEWSLETTER_INTRO,
    OFFICER,
    PAGE,
    PRIORITY,
    SITE,
    STATION,
)
from .registry import REGISTRY, load_registry

__all__ = [
    "AMBASSADOR", "CMS", "CMS_BACKENDS", "CONSENT", "CONSENT_FIELDS", "COUNCIL", "DISTRICT", "EVENT",
    "EVENT_KIND_ALIASES", "IMAGE_SUFFIXES", "LOCALITIES_FILE", "LOCALITY", "MUNICIPALITY", "NEWS", "NEWSLETTER",
    "NEWSLETTER_INTRO", "OFFICER", "PAGE", "PRIORITY", "REGISTRY", "SITE", "SLUG_RE", "STATION", "WINDOWS_RESERVED",
    "BaseUrl", "Bool", "Choice", "Coordinates", "Ctx", "Date", "DateOrTime", "Email", "Field", "FieldType", "FileMemo",
    "Id", "Invalid", "ListOf", "MarkdownText", "MediaFile", "PhoneNumber", "Postcode", "Record", "RecordList",
    "RecordSpec", "Ref", "RepoName", "Text", "Url", "check_slug", "convert_record", "inspect_media",
    "load_content", "load_registry", "slugify",
]
