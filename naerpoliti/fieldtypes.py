"""Field types: each converts one raw YAML value to a typed value, or raises Invalid with a message
for an editor; and RecordSpec/Field, a record kind as data, with convert_record() that checks one
mapping against it."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from . import model
from .errors import Diagnostics, Position, did_you_mean, one_of
from .load import CONTROL_CHARS, YList, YMap, control_char_message
from .markup import Markup
from .media import inspect_media, windows_reserved

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

def check_slug(value: str) -> str:
    if SLUG_RE.match(value) and windows_reserved(value):
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


class RepoName(FieldType):
    label = "a repository name, owner/name"
    example = "nordsjaelland-politi/naerpoliti"

    def convert(self, raw, pos, ctx):
        text = self.scalar_text(raw)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+", text) or text.startswith(("http:", "https:")):
            raise Invalid(f"'{text}' is not a repository name: write owner/name, e.g. {self.example}")
        return text


