"""Raw values -> typed records, or errors naming file, line and field.

The record kinds are declared once, as data (RecordSpec and Field, each with a docstring), so that
the validator, the editors' handbook and later editing tools read the same definition.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from . import model
from .errors import Diagnostics, Position, did_you_mean, one_of
from .load import CONTROL_CHARS, YList, YMap, control_char_message, parse_yaml, read_text, split_front_matter
from .markup import Markup
from .render.images import check_image, image_size

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(text: str) -> str:
    """The id an editor most likely meant: 'Glumsø' -> 'glumsoe'."""
    text = str(text).translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


class Invalid(Exception):
    """A value is wrong; the message is for an editor and does not name the field."""


@dataclass
class Ctx:
    root: Path
    relpath: str
    diags: Diagnostics
    markup: Optional[Markup] = None
    tz: dt.tzinfo = dt.timezone.utc

    def check_media(self, path: str, pos: Position, is_image: bool) -> Optional[model.MediaInfo]:
        problem, info = inspect_media(self.root, path, is_image)
        if problem:
            self.diags.error(pos, problem)
        return info


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")


def inspect_media(root: Path, path: str, is_image: bool) -> tuple[Optional[str], Optional[model.MediaInfo]]:
    """(problem, None) for a bad media reference, else (None, MediaInfo with an image's size)."""
    problem = _media_path_problem(root, path, is_image)
    if problem:
        return problem, None
    if not is_image:
        return None, model.MediaInfo(path)
    full = root / "content" / path
    problem = check_image(full, f"content/{path}")  # unreadable, too large, a decompression bomb
    if problem:
        return problem, None
    width, height = image_size(full)  # as shown: turned by its EXIF orientation
    return None, model.MediaInfo(path, width, height)


def _media_path_problem(root: Path, path: str, is_image: bool) -> Optional[str]:
    parts = path.split("/")
    if (
        not path.startswith("media/")
        or any(p in ("", ".", "..") for p in parts)
        or any(ord(ch) < 32 or ch == "\\" for ch in path)
    ):
        return f"'{path}' is not a media path: write a path inside the media folder, e.g. 'media/news/foto.jpg'"
    if any(_windows_reserved(p) for p in parts):
        return (f"'{path}' uses a name Windows reserves for a device (CON, PRN, AUX, NUL, COM1-COM9, "
                "LPT1-LPT9, also with an extension): rename that file or folder")
    if is_image and not path.lower().endswith(IMAGE_SUFFIXES):
        return f"'{path}' is not an image: use a {', '.join(s[1:] for s in IMAGE_SUFFIXES)} file"
    full = root / "content" / path  # media live in content/media/ and are written as media/...
    try:
        inside = full.resolve().is_relative_to((root / "content" / "media").resolve())
    except OSError:
        inside = False
    if not inside:
        return f"'{path}' points outside the site folder"
    if not full.is_file():
        return f"the file 'content/{path}' does not exist"
    return None


# --------------------------------------------------------------------------------------------
# Field types. Each converts one raw YAML value or raises Invalid.

_KIND_NAMES = {dict: "a group of fields", list: "a list", bool: "yes/no", int: "a number",
               float: "a number", str: "text", type(None): "empty"}


def _kind(raw: Any) -> str:
    for t, name in _KIND_NAMES.items():
        if isinstance(raw, t):
            return name
    return type(raw).__name__


class FieldType:
    label = "value"
    example = ""

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> Any:
        raise NotImplementedError

    def scalar_text(self, raw: Any) -> str:
        """A value written as text or a whole number (YAML reads 4050 as a number), stripped."""
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise self.wrong(raw)
        return str(raw).strip()

    def wrong(self, raw: Any) -> Invalid:
        hint = f", e.g. {self.example}" if self.example else ""
        extra = ""
        if isinstance(raw, bool):
            extra = " (yes/no/true/false/on/off are read as yes/no: put the text in quotes)"
        return Invalid(f"must be {self.label}{hint}, not {_kind(raw)}{extra}")


def _no_control_chars(text: str) -> None:
    """YAML escapes ("\\x01") can put control characters into a value that the file check missed."""
    bad = CONTROL_CHARS.search(text)
    if bad:
        raise Invalid(control_char_message(bad.group()))


class Text(FieldType):
    label = "text"

    def convert(self, raw, pos, ctx):
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise self.wrong(raw)
        text = " ".join(str(raw).split())
        if not text:
            raise Invalid("must not be empty")
        _no_control_chars(text)
        return text


class MarkdownText(FieldType):
    label = "Markdown text"

    def convert(self, raw, pos, ctx):
        text = Text().convert(raw, pos, ctx) if not isinstance(raw, str) else raw
        if not text.strip():
            raise Invalid("must not be empty")
        _no_control_chars(text)
        return ctx.markup.render(text, pos.path, pos.line, ctx.diags)


class Id(FieldType):
    label = "an id"
    example = "'skibby'"

    def convert(self, raw, pos, ctx):
        return check_slug(self.scalar_text(raw))


# Device names Windows reserves, also with an extension ("con.html"): ids and file names become
# folder names, which could then not be created or copied there.
WINDOWS_RESERVED = frozenset(["con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                              *(f"lpt{i}" for i in range(1, 10))])


def _windows_reserved(name: str) -> bool:
    return name.split(".", 1)[0].strip().lower() in WINDOWS_RESERVED


def check_slug(value: str) -> str:
    if SLUG_RE.match(value) and _windows_reserved(value):
        raise Invalid(
            f"'{value}' cannot be used as an id or file name: Windows reserves it for a device "
            "(CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9), so its folder could not be created there; "
            f"add a word, e.g. '{value}-1'"
        )
    if SLUG_RE.match(value):
        return value
    suggestion = slugify(value)
    hint = f" (did you mean '{suggestion}'?)" if suggestion and SLUG_RE.match(suggestion) else ""
    raise Invalid(
        f"'{value}' is not a valid id: use lowercase letters a-z, digits and single hyphens; "
        f"write æ, ø, å as ae, oe, aa{hint}"
    )


@dataclass
class Ref(Id):
    """An id of another record; resolved in site.py, once everything is loaded."""

    kind: str = ""
    example = ""

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"the id of {_a(self.kind)}"


class Date(FieldType):
    label = "a date"
    example = "2026-11-20"

    def convert(self, raw, pos, ctx):
        text = self.scalar_text(raw)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise Invalid(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(f"'{text}' is not a real date (check the month and the day)") from None


_DT_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?"
)


class DateOrTime(FieldType):
    """A date, or a date with a time: returns (aware datetime, has_time)."""

    label = "a date or a date and time"
    example = "2026-12-03T19:00"

    def convert(self, raw, pos, ctx):
        text = self.scalar_text(raw)
        m = _DT_RE.fullmatch(text)
        if not m:
            raise Invalid(
                f"'{text}' is not a date or time: write YYYY-MM-DD or YYYY-MM-DDTHH:MM, "
                "e.g. 2026-12-03T19:00"
            )
        day, hour, minute, second, offset = m.groups()
        try:
            date = dt.date.fromisoformat(day)
            if hour is None:
                return dt.datetime.combine(date, dt.time(), ctx.tz), False
            value = dt.datetime.combine(date, dt.time(int(hour), int(minute), int(second or 0)))
        except ValueError:
            what = "date" if hour is None else "date and time"
            raise Invalid(f"'{text}' is not a real {what} (check the numbers)") from None
        if offset:
            if offset == "Z":
                tz = dt.timezone.utc
            else:
                sign = 1 if offset[0] == "+" else -1
                digits = offset[1:].replace(":", "")
                tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
            return value.replace(tzinfo=tz), True
        return value.replace(tzinfo=ctx.tz), True


class Bool(FieldType):
    label = "true or false"

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, bool):
            raise self.wrong(raw)
        return raw


class PhoneNumber(FieldType):
    label = "a phone number"
    example = '"+45 72 58 12 34"'

    def convert(self, raw, pos, ctx):
        text = self.scalar_text(raw)
        try:
            number = phonenumbers.parse(text, "DK")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise Invalid(
                f"'{text}' is not a valid phone number: write a Danish number with 8 digits or an "
                "international number starting with +, e.g. \"+45 72 58 12 34\""
            )
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return model.Phone(display=display, uri=f"tel:{e164}")


class Email(FieldType):
    label = "an e-mail address"
    example = "navn@example.dk"

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, str):
            raise self.wrong(raw)
        text = raw.strip()
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise Invalid(f"'{text}' is not a valid e-mail address: {exc}") from None


class Url(FieldType):
    label = "a web address"
    example = "https://example.dk/"

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, str):
            raise self.wrong(raw)
        text = raw.strip()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
            raise Invalid(f"'{text}' is not a web address: it must start with https:// (or http://)")
        return text


class Postcode(FieldType):
    label = "a postcode"
    example = '"4050"'

    def convert(self, raw, pos, ctx):
        text = self.scalar_text(raw)
        if not re.fullmatch(r"\d{4}", text):
            raise Invalid(f"postcode '{text}' must be four digits in quotes, e.g. \"4050\"")
        return text


class Coordinates(FieldType):
    label = "[latitude, longitude]"
    example = "[55.7506, 11.9617]"

    def convert(self, raw, pos, ctx):
        if (
            not isinstance(raw, list)
            or len(raw) != 2
            or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in raw)
        ):
            raise Invalid("must be two numbers, [latitude, longitude], e.g. [55.7506, 11.9617]")
        lat, lon = float(raw[0]), float(raw[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Invalid(f"[{raw[0]}, {raw[1]}] is not a place on Earth: latitude first, then longitude")
        return (lat, lon)


@dataclass
class Choice(FieldType):
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"one of {one_of(self.choices)}"

    aliases: dict = field(default_factory=dict)  # words an editor may write -> the allowed value

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, str):
            raise self.wrong(raw)
        if raw not in self.choices:
            meant = self.aliases.get(slugify(raw))
            hint = f" (did you mean '{meant}'?)" if meant else did_you_mean(raw, self.choices)
            raise Invalid(f"'{raw}' is not allowed here: use {one_of(self.choices)}{hint}")
        return raw


@dataclass
class MediaFile(FieldType):
    label = "a path to an image in the media folder"
    example = "media/news/foto.jpg"

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, str):
            raise self.wrong(raw)
        problem, info = inspect_media(ctx.root, raw.strip(), is_image=True)
        if problem:
            raise Invalid(problem)
        return info


@dataclass
class ListOf(FieldType):
    item: FieldType = field(default_factory=Text)
    allow_single: bool = False  # `localities: skibby` is read as `[skibby]`

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"a list of {self.item.label}s"

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, YList):
            if self.allow_single and isinstance(raw, (str, int)) and not isinstance(raw, bool):
                raw = _single(raw, pos)
            else:
                raise Invalid(f"must be a list, e.g. [{self.item.example.strip(chr(39)) or '...'}]")
        if not raw:
            raise Invalid("must not be an empty list")
        out, ok = [], True
        for value, ipos in zip(raw, raw.item_pos):
            try:
                out.append(self.item.convert(value, ipos, ctx))
            except Invalid as exc:
                ctx.diags.error(ipos, f"{ctx.field_name}: {exc}")  # type: ignore[attr-defined]
                ok = False
        if not ok:
            raise _Reported()
        return tuple(out)


def _single(raw, pos) -> YList:
    lst = YList([raw])
    lst.pos = pos
    lst.item_pos = [pos]
    return lst


@dataclass
class Record(FieldType):
    spec: "RecordSpec" = None  # type: ignore[assignment]

    @property
    def label(self) -> str:  # type: ignore[override]
        return "a group of fields"

    def convert(self, raw, pos, ctx):
        value = convert_record(raw, self.spec, pos, ctx, prefix=ctx.field_name + ".")  # type: ignore[attr-defined]
        if value is None:
            raise _Reported()
        return value


@dataclass
class RecordList(FieldType):
    spec: "RecordSpec" = None  # type: ignore[assignment]

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"a list of {self.spec.name}"

    def convert(self, raw, pos, ctx):
        if not isinstance(raw, YList):
            raise Invalid(f"must be a list of {self.spec.name}, each starting with '- '")
        prefix = ctx.field_name + "."  # type: ignore[attr-defined]
        out = [convert_record(v, self.spec, p, ctx, prefix=prefix) for v, p in zip(raw, raw.item_pos)]
        if any(v is None for v in out):
            raise _Reported()
        return tuple(out)


class _Reported(Exception):
    """A nested value reported its own errors."""


# --------------------------------------------------------------------------------------------
# Record specs


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    doc: str
    required: bool = False


@dataclass(frozen=True)
class RecordSpec:
    name: str  # what an editor calls one record: "locality", "news item"
    cls: Optional[type]
    fields: tuple[Field, ...]
    doc: str = ""
    # builds the model object from converted values; default: cls(**values)
    build: Optional[Callable[[dict, "Ctx"], Any]] = None

    def field_named(self, name: str) -> Optional[Field]:
        return next((f for f in self.fields if f.name == name), None)


def convert_record(raw: Any, spec: RecordSpec, pos: Position, ctx: Ctx, prefix: str = "") -> Optional[dict]:
    """Convert one mapping. Returns its values (with 'pos' and 'field_pos'), or None on error."""
    if not isinstance(raw, YMap):
        what = f"'{prefix[:-1]}'" if prefix else _a(spec.name)
        ctx.diags.error(pos, f"{what} must be a group of fields (name: value), not {_kind(raw)}")
        return None
    pos = raw.pos
    errors_before = len(ctx.diags.errors)
    known = [f.name for f in spec.fields]
    misspelt: set[str] = set()
    for key in raw:
        if spec.field_named(key) is None:
            hint = did_you_mean(key, known)
            if hint:
                misspelt.add(hint.split("'")[1])
            ctx.diags.error(raw.key_pos[key], f"unknown field '{prefix}{key}' in {_a(spec.name)}{hint}")
    values: dict[str, Any] = {}
    field_pos: dict[str, Position] = {}
    for f in spec.fields:
        if f.name not in raw or raw[f.name] is None:
            if f.required and f.name not in misspelt:  # the misspelt field was reported already
                named = raw.get("id") or raw.get("name") or raw.get("title")
                which = f" '{named}'" if isinstance(named, str) else ""
                hint = f": add '{f.name}: ' with {f.type.label}" + (f", e.g. {f.type.example}" if f.type.example else "")
                ctx.diags.error(pos, f"missing required field '{prefix}{f.name}' in the {spec.name}{which}{hint}")
            continue
        vpos = raw.value_pos[f.name]
        field_pos[f.name] = vpos
        if isinstance(raw[f.name], YList):  # list items keep their own positions: "localities.2"
            for i, ipos in enumerate(raw[f.name].item_pos):
                field_pos[f"{f.name}.{i}"] = ipos
        ctx.field_name = prefix + f.name  # type: ignore[attr-defined]
        try:
            values[f.name] = f.type.convert(raw[f.name], vpos, ctx)
        except Invalid as exc:
            ctx.diags.error(vpos, f"{prefix}{f.name}: {exc}")
        except _Reported:
            pass
    if len(ctx.diags.errors) != errors_before:
        return None
    values["pos"] = pos
    values["field_pos"] = field_pos
    return values


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeio" else "a ") + noun


def _image(values: dict, ctx: Ctx, path_field: str, alt_field: str) -> bool:
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


def _make(cls, values: dict) -> Any:
    from types import MappingProxyType

    values = dict(values)
    values["field_pos"] = MappingProxyType(values["field_pos"])
    return cls(**values)


ID_DOC = "The id: lowercase letters a-z, digits and hyphens; æ, ø, å written as ae, oe, aa."

NEWSLETTER = RecordSpec("newsletter setting", model.NewsletterSettings, (
    Field("period", Choice(("month", "week")), "How often a newsletter issue is made: month (default) or week."),
    Field("from", Email(), "The sender address of newsletter e-mails (default nyhedsbrev@ and the "
          "site's host name); the display name is the site's title."),
    Field("reply_to", Email(), "Where replies to a newsletter go."),
    Field("unsubscribe_email", Email(), "Where a reader writes to unsubscribe (List-Unsubscribe: mailto)."),
    Field("unsubscribe_url", Url(), "An https address that unsubscribes with one click "
          "(List-Unsubscribe and List-Unsubscribe-Post, RFC 8058)."),
))

class RepoName(FieldType):
    label = "a repository name, owner/name"
    example = "nordsjaelland-politi/naerpoliti"

    def convert(self, raw, pos, ctx):
        text = self.scalar_text(raw)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+", text) or text.startswith(("http:", "https:")):
            raise Invalid(f"'{text}' is not a repository name: write owner/name, e.g. {self.example}")
        return text


CMS_BACKENDS = ("github", "gitlab", "git-gateway")

CMS = RecordSpec("cms setting", model.CmsSettings, (
    Field("backend", Choice(CMS_BACKENDS), "Where the browser editor (admin/) saves: github, gitlab or "
          "git-gateway (Netlify Identity).", True),
    Field("repo", RepoName(), "The repository, owner/name; required for github and gitlab."),
    Field("branch", Text(), "The branch the editor commits to (default main)."),
    Field("base_url", Url(), "The OAuth server that logs editors in (GitHub needs one outside Netlify)."),
), doc="The browser editor: with these settings every build emits admin/ (Decap CMS).")

SITE = RecordSpec("site setting", model.SiteConfig, (
    Field("title", Text(), "The name of the site, shown in every page header.", True),
    Field("base_url", Url(), "The address the site is published at; it may be a sub-path "
          "(https://example.dk/naerpoliti/).", True),
    Field("language", Choice(("da", "en")), "The language of the interface: da (default) or en."),
    Field("timezone", Text(), "The time zone of times written without an offset "
          "(default Europe/Copenhagen)."),
    Field("newsletter", Record(spec=NEWSLETTER), "Newsletter settings: {period: month} or {period: week}."),
    Field("description", Text(), "One sentence about the site, for search engines and the front page."),
    Field("alternate_language", Choice(("da", "en")), "Also publish the interface in this language, "
          "under /en/ (or /da/); content stays in the language it is written in."),
    Field("was_url", Url(), "The accessibility statement (tilgængelighedserklæring) on WAS-Tool; "
          "without it the site publishes its own at /tilgaengelighedserklaering/. /was/ leads to it."),
    Field("accessibility_contact", Email(), "Where to report an accessibility problem; shown in the "
          "site's own accessibility statement."),
    Field("cms", Record(spec=CMS), "The browser editor: {backend: github, repo: owner/name}; "
          "without it no admin/ is published."),
), doc="The settings of the whole site.")

DISTRICT = RecordSpec("district", model.District, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Nordsjællands Politi.", True),
    Field("url", Url(), "The district's own web page."),
), doc="A police district (politikreds).")

MUNICIPALITY = RecordSpec("municipality", model.Municipality, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Frederikssund Kommune.", True),
    Field("district", Ref(kind="district"), "The id of the police district it belongs to.", True),
), doc="A municipality (kommune).")

STATION = RecordSpec("station", model.Station, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Frederikssund Politistation.", True),
    Field("address", Text(), "Street address with postcode and town."),
    Field("opening_hours", Text(), "Opening hours as free text, e.g. \"Man-tor 10-14\"."),
    Field("phone", PhoneNumber(), "The station's phone number, if it has its own."),
    Field("coordinates", Coordinates(), "[latitude, longitude]."),
), doc="A police station, local station (nærpolitistation) or mobile police station.")

OFFICER = RecordSpec("officer", model.Officer, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "Full name.", True),
    Field("title", Text(), "Official title: Områdebetjent, Netværksbetjent, Lokalbetjent ...", True),
    Field("phone", PhoneNumber(), "Official phone number."),
    Field("email", Email(), "Official e-mail address."),
    Field("station", Ref(kind="station"), "The id of the station the officer works from."),
    Field("verified", Date(), "When the contact details were last checked (YYYY-MM-DD)."),
    Field("photo", MediaFile(), "A portrait in the media folder."),
    Field("photo_alt", Text(), "Alt text for the photo; required when photo is set."),
), doc="A contact officer, published in the official role.",
    build=lambda v, ctx: _make(model.Officer, v) if _image(v, ctx, "photo", "photo_alt") else None)

COUNCIL = RecordSpec("council", model.Council, (
    Field("name", Text(), "The name, e.g. Skibby Lokalråd.", True),
    Field("url", Url(), "Its web page."),
    Field("email", Email(), "Its public e-mail address."),
))

PRIORITY = RecordSpec("priority", model.Priority, (
    Field("issue", Text(), "The problem, e.g. Indbrud i villakvarterer.", True),
    Field("action", Text(), "What the police and the locality do about it."),
    Field("since", Date(), "Since when (YYYY-MM-DD)."),
))

LOCALITY = RecordSpec("locality", model.Locality, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "The name, e.g. Skibby.", True),
    Field("municipality", Ref(kind="municipality"), "The id of its municipality.", True),
    Field("postcodes", ListOf(item=Postcode(), allow_single=True), "Its postcodes, four digits each "
          "in quotes: [\"4050\"]. A postcode may belong to several localities.", True),
    Field("officer", Ref(kind="officer"), "The id of its contact officer.", True),
    Field("coordinates", Coordinates(), "[latitude, longitude]."),
    Field("description", MarkdownText(), "A short text about the locality (Markdown)."),
    Field("councils", RecordList(spec=COUNCIL), "Local councils and partners: name, url, email."),
    Field("priorities", RecordList(spec=PRIORITY), "What the police and the locality work on: issue, action, since."),
), doc="A locality (lokalsamfund).",
    build=lambda v, ctx: _make(model.Locality, {
        **v,
        "councils": tuple(_make(model.Council, c) for c in v.get("councils", ())),
        "priorities": tuple(_make(model.Priority, p) for p in v.get("priorities", ())),
    }))

LOCALITIES_FILE = RecordSpec("localities.yaml", None, (
    Field("site", Record(spec=SITE), SITE.doc, True),
    Field("districts", RecordList(spec=DISTRICT), DISTRICT.doc, True),
    Field("municipalities", RecordList(spec=MUNICIPALITY), MUNICIPALITY.doc, True),
    Field("stations", RecordList(spec=STATION), STATION.doc),
    Field("officers", RecordList(spec=OFFICER), OFFICER.doc, True),
    Field("localities", RecordList(spec=LOCALITY), LOCALITY.doc, True),
))

# Fields of an ambassador that a consent may name. photo_alt goes with photo.
CONSENT_FIELDS = ("name", "role", "phone", "email", "photo")

CONSENT = RecordSpec("consent", model.Consent, (
    Field("given", Date(), "The date the partnership agreement was signed. Without it nothing is published.", True),
    Field("fields", ListOf(item=Choice(CONSENT_FIELDS)), "Exactly the fields that may be published; "
          "must include name for anything to be published.", True),
    Field("expires", Date(), "The date the consent ends, if it does."),
    Field("withdrawn", Date(), "The date the person withdrew consent."),
), doc="The recorded consent from the signed partnership agreement (partnerskabsaftale).")

AMBASSADOR = RecordSpec("ambassador", model.Ambassador, (
    Field("id", Id(), ID_DOC, True),
    Field("name", Text(), "Full name.", True),
    Field("role", Text(), "Role in the locality, e.g. Formand for Skibby Borgerforening."),
    Field("phone", PhoneNumber(), "Phone number."),
    Field("email", Email(), "E-mail address."),
    Field("photo", MediaFile(), "A portrait in the media folder."),
    Field("photo_alt", Text(), "Alt text for the photo; required when photo is set."),
    Field("consent", Record(spec=CONSENT), CONSENT.doc),
), doc="A volunteer safety ambassador (tryghedsambassadør).")

SCOPE_FIELDS = (
    Field("localities", ListOf(item=Ref(kind="locality"), allow_single=True), "Ids of the localities it concerns."),
    Field("municipalities", ListOf(item=Ref(kind="municipality"), allow_single=True), "Ids of the municipalities it concerns (all their localities)."),
    Field("districts", ListOf(item=Ref(kind="district"), allow_single=True), "Ids of the districts it concerns (all their localities)."),
    Field("national", Bool(), "true: it concerns the whole site."),
)

NEWS = RecordSpec("news item", model.NewsItem, (
    Field("title", Text(), "The headline.", True),
    Field("date", DateOrTime(), "Publication date (YYYY-MM-DD) or date and time; "
          "an item dated after the build date is not published yet.", True),
    *SCOPE_FIELDS,
    Field("summary", Text(), "One or two sentences; else the first paragraph is used."),
    Field("author", Ref(kind="officer"), "The id of the officer who wrote it."),
    Field("image", MediaFile(), "An image in the media folder."),
    Field("image_alt", Text(), "Alt text for the image; required when image is set."),
    Field("draft", Bool(), "true: never published."),
), doc="A news item: content/news/<date>-<name>.md")

EVENT_KIND_ALIASES = {
    "aabent-lokalraadsmoede": "open-council-meeting", "lokalraadsmoede": "open-council-meeting",
    "aabent-moede": "open-council-meeting", "borgermoede": "citizen-meeting", "moede": "citizen-meeting",
    "mobil-politistation": "mobile-police-station", "den-mobile-politistation": "mobile-police-station",
    "mobile-politistation": "mobile-police-station", "andet": "other", "arrangement": "other",
}

EVENT = RecordSpec("event", model.Event, (
    Field("title", Text(), "The title.", True),
    Field("kind", Choice(model.EVENT_KINDS, aliases=EVENT_KIND_ALIASES), "open-council-meeting, citizen-meeting, "
          "mobile-police-station or other.", True),
    Field("start", DateOrTime(), "Start: YYYY-MM-DDTHH:MM, or YYYY-MM-DD for an all-day event.", True),
    Field("end", DateOrTime(), "End, same form as start; must not be before start."),
    Field("location", Text(), "Where: name, address, postcode and town.", True),
    *SCOPE_FIELDS,
    Field("summary", Text(), "One or two sentences; else the first paragraph is used."),
    Field("draft", Bool(), "true: never published."),
), doc="An event: content/events/<date>-<name>.md")

PAGE = RecordSpec("page", model.Page, (
    Field("title", Text(), "The title.", True),
    Field("summary", Text(), "One or two sentences; else the first paragraph is used."),
    Field("draft", Bool(), "true: never published."),
), doc="A free page: content/pages/<name>.md, published at /<name>/")

NEWSLETTER_INTRO = RecordSpec("newsletter intro", model.NewsletterIntro, (
    Field("title", Text(), "A title for the issue (optional)."),
), doc="An editorial intro for one newsletter issue: content/newsletters/<area>/<YYYY-MM>.md, where "
    "<area> is a locality id or a municipality id (when both have the id, the locality's).")


# --------------------------------------------------------------------------------------------
# Files


def _scope(values: dict) -> model.Scope:
    return model.Scope(
        localities=values.pop("localities", ()),
        municipalities=values.pop("municipalities", ()),
        districts=values.pop("districts", ()),
        national=values.pop("national", False),
    )


def load_content(root: Path, diags: Diagnostics, progress=None,
                 memo: Optional[FileMemo] = None) -> Optional[model.Content]:
    """Read and type every file of a site root. Returns None when localities.yaml is unusable.
    progress.lap() marks the phases: reading files, then checking fields (for the benchmark).
    With a FileMemo, files unchanged since the previous call are not read again."""
    lap = progress.lap if progress is not None else (lambda name: None)
    lap("reading files")
    if memo is not None:
        memo.root, memo.salt = root, None
        registry = memo(REGISTRY, diags, lambda d: load_registry(root, d))
        memo.salt = (memo.store.get(REGISTRY, (None,))[0], _media_salt(root))
    else:
        registry = load_registry(root, diags)
    if registry is None:
        return None
    config = registry["config"]
    try:
        tz = ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = dt.timezone.utc
    base_path = urlsplit(config.base_url).path
    markup = Markup(base_path, lambda p, pos, img: None)

    def ctx_for(relpath: str, d: Diagnostics) -> Ctx:
        c = Ctx(root, relpath, d, markup, tz)
        markup.check_media = c.check_media
        return c

    if memo is None:
        read = {folder: _read_docs(root, f"content/{folder}", diags) for folder in ("news", "events", "pages")}
        lap("checking fields")
        news = _type_docs(read["news"], NEWS, diags, ctx_for, _build_news)
        events = _type_docs(read["events"], EVENT, diags, ctx_for, _build_event)
        pages = _type_docs(read["pages"], PAGE, diags, ctx_for, _build_page)
    else:
        def docs(folder, spec, build) -> tuple:
            out: list = []
            for rel in _content_files(root, f"content/{folder}", ".md", diags):
                out += memo(rel, diags, lambda d, rel=rel: list(
                    _type_docs(_read_doc(root, rel, d), spec, d, ctx_for, build)))
            return tuple(out)
        news = docs("news", NEWS, _build_news)
        events = docs("events", EVENT, _build_event)
        pages = docs("pages", PAGE, _build_page)
    intros = _load_intros(root, config, diags, ctx_for, memo)
    ambassadors = _load_ambassadors(root, diags, ctx_for, memo)
    return model.Content(
        config=config,
        districts=registry["districts"],
        municipalities=registry["municipalities"],
        stations=registry["stations"],
        officers=registry["officers"],
        localities=registry["localities"],
        ambassadors=ambassadors,
        news=news,
        events=events,
        pages=pages,
        newsletter_intros=intros,
        invalid_ids={k: frozenset(v) for k, v in registry.get("invalid_ids", {}).items()},
    )


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


def _content_files(root: Path, folder: str, suffix: str, diags: Diagnostics) -> list[str]:
    """The files of a content folder and its sub-folders, by relative path (sorted as paths), without
    hidden files and folders; others than `suffix` are ignored with a warning. os.scandir, not
    pathlib: a national site has 20,000 news files and serve lists them after every save."""
    base = root / folder
    if not base.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str]] = []
    stack = [(str(base), ())]
    while stack:
        path, parts = stack.pop()
        with os.scandir(path) as entries:
            for e in entries:
                if e.name.startswith("."):
                    continue
                if e.is_dir():
                    stack.append((e.path, parts + (e.name,)))
                else:
                    found.append((parts + (e.name,), e.name))
    files = []
    for parts, name in sorted(found):  # as pathlib sorts paths: part by part
        rel = "/".join((folder, *parts))
        if not name.endswith(suffix) or name == suffix:
            diags.warning(Position(rel), f"ignored: only {suffix} files belong in {folder}/")
            continue
        files.append(rel)
    return files


def _read_docs(root, folder, diags) -> list:
    """Pass 1 of Markdown documents: read each file and parse its front matter."""
    parsed = []
    for rel in _content_files(root, folder, ".md", diags):
        parsed += _read_doc(root, rel, diags)
    return parsed


def _read_doc(root, rel, diags) -> list:
    slug = Path(rel).stem
    try:
        check_slug(slug)
    except Invalid as exc:
        diags.error(Position(rel), f"file name: {exc}")
        return []
    text = read_text(root, rel, diags)
    if text is None:
        return []
    parts = split_front_matter(text, rel, diags)
    if parts is None:
        return []
    fm_text, fm_line, body, body_line = parts
    errors_before = len(diags.errors)
    raw = parse_yaml(fm_text, rel, diags, line_offset=fm_line - 1)
    if raw is None:
        if len(diags.errors) != errors_before:
            return []
        raw = YMap()  # empty, or only comments: every required field is missing
        raw.pos, raw.key_pos, raw.value_pos = Position(rel, 1, 1), {}, {}
    return [(rel, slug, raw, body, body_line)]


def _no_memo(rel, diags, load):
    return load(diags)


class FileMemo:
    """What was loaded from each file, for a process that builds again and again (serve): a file
    whose size and modification time are as before, under the same `salt` (localities.yaml and
    the media folder as before), gives its records and diagnostics without being read again."""

    def __init__(self):
        self.store: dict[str, tuple] = {}
        self.salt: object = None

    def __call__(self, rel, diags, load):
        try:
            st = os.stat(os.path.join(self.root, rel))
            key = (st.st_size, st.st_mtime_ns, self.salt)
        except OSError:
            key = None
        hit = self.store.get(rel)
        if key is not None and hit is not None and hit[0] == key:
            diags.items.extend(hit[2])
            return hit[1]
        local = Diagnostics()
        result = load(local)
        diags.items.extend(local.items)
        if key is not None:
            self.store[rel] = (key, result, tuple(local.items))
        return result


def _media_salt(root: Path) -> tuple:
    """Sizes and times of the media files: Markdown and images are checked against them."""
    base = root / "content" / "media"
    if not base.is_dir():
        return ()
    found = []
    for dirpath, _dirs, names in os.walk(base):
        for name in names:
            st = os.stat(os.path.join(dirpath, name))
            found.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


def _type_docs(parsed, spec, diags, ctx_for, build) -> tuple:
    """Pass 2: check the fields, render the Markdown, make the records."""
    records = []
    for rel, slug, raw, body, body_line in parsed:
        ctx = ctx_for(rel, diags)
        ctx.field_name = ""  # type: ignore[attr-defined]
        values = convert_record(raw, spec, Position(rel, 1, 1), ctx)
        rendered = ctx.markup.render(body, rel, body_line, diags)
        if values is None:
            continue
        record = build(values, ctx, slug, rel, rendered)
        if record is not None:
            records.append(record)
    return tuple(records)


def _summary(values: dict, rendered: model.Rendered) -> str:
    return values.pop("summary", None) or rendered.first_paragraph


def _needs_scope(values: dict, ctx: Ctx, what: str) -> Optional[model.Scope]:
    scope = _scope(values)
    if scope.empty:
        ctx.diags.error(values["pos"], f"the {what} has no scope: add 'localities: [...]', "
                                       "'municipalities: [...]', 'districts: [...]' or 'national: true'")
        return None
    return scope


def _build_news(values, ctx, slug, rel, rendered):
    if not _image(values, ctx, "image", "image_alt"):
        return None
    scope = _needs_scope(values, ctx, "news item")
    if scope is None:
        return None
    when, has_time = values.pop("date")
    return _make(model.NewsItem, {
        **values, "slug": slug, "source": rel, "scope": scope, "body": rendered,
        "summary": _summary(values, rendered), "date": when.date(),
        "datetime": when if has_time else None,
    })


def _build_event(values, ctx, slug, rel, rendered):
    scope = _needs_scope(values, ctx, "event")
    if scope is None:
        return None
    start, start_has_time = values.pop("start")
    end = None
    if "end" in values:
        end, end_has_time = values.pop("end")
        epos = values["field_pos"]["end"]
        if end_has_time != start_has_time:
            ctx.diags.error(epos, "end: write the end the same way as the start: both with a time "
                                  "(YYYY-MM-DDTHH:MM) or both as a date (all-day event)")
            return None
        if end < start:
            ctx.diags.error(epos, f"end: the event ends ({_show(end, end_has_time)}) before it starts "
                                  f"({_show(start, start_has_time)})")
            return None
    return _make(model.Event, {
        **values, "slug": slug, "source": rel, "scope": scope, "body": rendered,
        "summary": _summary(values, rendered), "start": start, "end": end,
        "all_day": not start_has_time,
    })


def _show(value: dt.datetime, has_time: bool) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if has_time else value.strftime("%Y-%m-%d")


def _build_page(values, ctx, slug, rel, rendered):
    return _make(model.Page, {**values, "slug": slug, "source": rel, "body": rendered,
                              "summary": _summary(values, rendered)})


_PERIOD_RE = {"month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "week": re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")}
_PERIOD_EXAMPLE = {"month": "2026-11.md", "week": "2026-W47.md"}


def _load_intros(root, config, diags, ctx_for, memo=None) -> tuple:
    records = []
    memo = memo or _no_memo
    period = config.newsletter.period
    for rel in _content_files(root, "content/newsletters", ".md", diags):
        records += memo(rel, diags, lambda d, rel=rel: _intro_file(root, rel, period, d, ctx_for))
    return tuple(records)


def _intro_file(root, rel, period, diags, ctx_for) -> list:
    parts_ = Path(rel).relative_to("content/newsletters").parts
    if len(parts_) != 2:
        diags.error(Position(rel), "a newsletter intro belongs in content/newsletters/<locality-id>/"
                                   f"{_PERIOD_EXAMPLE[period]}")
        return []
    area, name = parts_[0], Path(parts_[1]).stem
    if not _PERIOD_RE[period].match(name):
        diags.error(Position(rel), f"file name: '{name}' is not a newsletter period: with "
                                   f"newsletter period '{period}' name the file like {_PERIOD_EXAMPLE[period]}")
        return []
    ctx = ctx_for(rel, diags)
    text = read_text(root, rel, diags)
    if text is None:
        return []
    parts = split_front_matter(text, rel, diags, required=False)
    if parts is None:
        return []
    fm_text, fm_line, body, body_line = parts
    errors_before = len(diags.errors)
    raw = parse_yaml(fm_text, rel, diags, line_offset=fm_line - 1)
    if raw is None:
        if len(diags.errors) != errors_before:
            return []
        raw = YMap()
        raw.pos, raw.key_pos, raw.value_pos = Position(rel, 1, 1), {}, {}
    ctx.field_name = ""  # type: ignore[attr-defined]
    values = convert_record(raw, NEWSLETTER_INTRO, Position(rel, 1, 1), ctx)
    rendered = ctx.markup.render(body, rel, body_line, diags)
    if values is None:
        return []
    return [_make(model.NewsletterIntro, {
        "title": values.get("title"), "pos": values["pos"], "field_pos": values["field_pos"],
        "area": area, "period": name, "source": rel, "body": rendered,
    })]


def _load_ambassadors(root, diags, ctx_for, memo=None) -> tuple:
    records = []
    memo = memo or _no_memo
    for rel in _content_files(root, "content/ambassadors", ".yaml", diags):
        records += memo(rel, diags, lambda d, rel=rel: _ambassador_file(root, rel, d, ctx_for))
    return tuple(records)


def _ambassador_file(root, rel, diags, ctx_for) -> list:
    records: list = []
    locality = Path(rel).stem
    if len(Path(rel).relative_to("content/ambassadors").parts) != 1:
        diags.error(Position(rel), "ambassador files belong directly in content/ambassadors/, "
                                   "named <locality-id>.yaml")
        return records
    ctx = ctx_for(rel, diags)
    text = read_text(root, rel, diags)
    if text is None:
        return records
    errors_before = len(diags.errors)
    raw = parse_yaml(text, rel, diags)
    if raw is None:
        if len(diags.errors) == errors_before:
            diags.warning(Position(rel), "the file lists no ambassadors")
        return records
    if not isinstance(raw, YList):
        diags.error(getattr(raw, "pos", Position(rel)),
                    "an ambassador file must be a list of ambassadors, each starting with '- id: ...'")
        return records
    for item, ipos in zip(raw, raw.item_pos):
        ctx.field_name = ""  # type: ignore[attr-defined]
        values = convert_record(item, AMBASSADOR, ipos, ctx)
        if values is None or not _image(values, ctx, "photo", "photo_alt"):
            continue
        consent = values.pop("consent", None)
        if consent is not None:
            consent = _make(model.Consent, consent)
            bad = [f for f in ("expires", "withdrawn")
                   if getattr(consent, f) is not None and getattr(consent, f) < consent.given]
            for f in bad:
                diags.error(consent.field_pos[f], f"consent.{f}: {getattr(consent, f)} is before "
                                                  f"consent.given {consent.given}: check both dates")
            if bad:
                continue
        records.append(_make(model.Ambassador, {**values, "consent": consent, "locality": locality}))
    return records
