"""Field types and field declarations: the content format described once.

A FieldType converts one raw YAML value to a typed value, or raises Invalid with a message for an
editor, and describes itself: its label in English and Danish, an example, its Decap widget. A
content field is declared once, beside its attribute in model.py, with `declare()`: its type,
whether it is required, its English doc and its Danish label and help. `spec_of(cls)` reads those
declarations into a RecordSpec, which the validator (convert_record), the field references and
the browser editor all read.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

import idna
import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .errors import Diagnostics, Position, did_you_mean, one_of
from .load import CONTROL_CHARS, YList, YMap, control_char_message
from .media import MAX_NAME_BYTES, MediaInfo, inspect_media, windows_reserved

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(text: str) -> str:
    """The id an editor most likely meant: 'Glumsø' -> 'glumsoe'."""
    text = str(text).translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


class Invalid(Exception):
    """A value is wrong; the message is for an editor and does not name the field."""


@dataclass(frozen=True)
class Phone:
    """A validated telephone number: `display` for people, `uri` (tel:+45...) for links."""

    display: str
    uri: str


class MarkdownRenderer(Protocol):
    """What Ctx needs of markup.Markup (named here without importing it: markup reads the model)."""

    def render(self, text: str, path: str, line: int, diags: Diagnostics) -> Any: ...


@dataclass
class Ctx:
    root: Path
    relpath: str
    diags: Diagnostics
    markup: MarkdownRenderer | None = None
    tz: dt.tzinfo = dt.UTC
    field_name: str = ""  # the field being converted, with its parents: "site.newsletter"

    def check_media(self, path: str, pos: Position, is_image: bool) -> MediaInfo | None:
        problem, info = inspect_media(self.root, path, is_image)
        if problem:
            self.diags.error(pos, problem)
        return info


class Form(Protocol):
    """What a field type needs from the browser editor to describe its widget (render/admin.py)."""

    def options(self, kind: str) -> list[dict[str, str]]: ...

    def choice_options(self, choice: Choice) -> list[dict[str, str]]: ...

    def fields(self, spec: RecordSpec) -> list[dict[str, Any]]: ...


class Docs(Protocol):
    """What a field type needs from the field references to link a group of fields (commands/reference.py)."""

    def anchor(self, spec: RecordSpec) -> str: ...

    def title_en(self, spec: RecordSpec) -> str: ...


# --------------------------------------------------------------------------------------------
# Field types. Each converts one raw YAML value or raises Invalid, and describes itself.

_KIND_NAMES: dict[type, str] = {dict: "a group of fields", list: "a list", bool: "yes/no", int: "a number",
                                float: "a number", str: "text", type(None): "empty"}


def _kind(raw: object) -> str:
    for t, name in _KIND_NAMES.items():
        if isinstance(raw, t):
            return name
    return type(raw).__name__


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeio" else "a ") + noun


def plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _code_list(choices: tuple[str, ...]) -> str:
    return ", ".join(f"`{c}`" for c in choices)


class FieldType:
    label = "value"  # English, for messages: "must be {label}"
    example = ""
    label_da = ""  # Danish, for the field reference (with the example, in `code`)
    plural_da = ""  # Danish, for a list of these; default: the label
    decap_widget: ClassVar[dict[str, Any] | None] = None  # the browser editor's widget, if it has one

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> Any:
        raise NotImplementedError

    def scalar_text(self, raw: object) -> str:
        """A value written as text or a whole number (YAML reads 4050 as a number), stripped."""
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise self.wrong(raw)
        return str(raw).strip()

    def wrong(self, raw: object) -> Invalid:
        hint = f", e.g. {self.example}" if self.example else ""
        extra = ""
        if isinstance(raw, bool):
            extra = " (yes/no/true/false/on/off are read as yes/no: put the text in quotes)"
        return Invalid(f"must be {self.label}{hint}, not {_kind(raw)}{extra}")

    # --- how the documentation and the browser editor describe it

    def text_da(self, docs: Docs) -> str:
        """What a value looks like, in Danish, with the example."""
        return self.label_da + (f", fx `{self.example}`" if self.example else "")

    def item_text_da(self, docs: Docs) -> str:
        """The values of a list of these, in Danish."""
        return self.plural_da or self.text_da(docs)

    def text_en(self, docs: Docs) -> str:
        """What a value looks like, in English, from the label and the example."""
        example = self.example.strip("'")
        return self.label + (f", e.g. `{example}`" if example else "")

    def item_text_en(self) -> str:
        return plural(self.label.removeprefix("an ").removeprefix("a "))

    def decap(self, form: Form) -> dict[str, Any]:
        """The Decap widget's settings; a type without one is not editable in the browser."""
        if self.decap_widget is None:
            raise TypeError(f"no Decap widget for {type(self).__name__}")
        return dict(self.decap_widget)

    def decap_list(self, form: Form) -> dict[str, Any]:
        """The widget for a list of these."""
        raise TypeError(f"no Decap widget for a list of {type(self).__name__}")

    # --- how the open data describes it

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        """The JSON Schema (draft 2020-12) of the value as the open data writes it; shared shapes are
        put in `defs` and referred to."""
        raise TypeError(f"no JSON Schema for {type(self).__name__}")


def _no_control_chars(text: str) -> None:
    """YAML escapes ("\\x01") can put control characters into a value that the file check missed."""
    bad = CONTROL_CHARS.search(text)
    if bad:
        raise Invalid(control_char_message(bad.group()))


# Simple checks in the browser editor's form; the validator checks properly.
def _pattern(regex: str, hint: str) -> dict[str, Any]:
    return {"widget": "string", "pattern": [regex, hint]}


# One-line texts are shown on many pages at once (a title on every list of every area it belongs
# to), so their length is bounded: one file cannot multiply the site's size (SECURITY.md).
TEXT_MAX = 300
SUMMARY_MAX = 600


@dataclass
class Text(FieldType):
    label: ClassVar[str] = "text"  # type: ignore[misc]
    label_da: ClassVar[str] = "tekst"  # type: ignore[misc]
    decap_widget = {"widget": "string"}
    max_length: int = TEXT_MAX

    def convert(self, raw: Any, pos: Position, ctx: Ctx | None) -> str:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise self.wrong(raw)
        text = " ".join(str(raw).split())
        if not text:
            raise Invalid("must not be empty")
        _no_control_chars(text)
        if len(text) > self.max_length:
            raise Invalid(f"is {len(text)} characters long: it may have at most {self.max_length} "
                          "(the text of the page can say more)")
        return text

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length}


class MarkdownText(FieldType):
    label = "Markdown text"
    label_da = "Markdown-tekst"
    decap_widget = {"widget": "markdown"}

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> Any:
        text = Text().convert(raw, pos, ctx) if not isinstance(raw, str) else raw
        if not text.strip():
            raise Invalid("must not be empty")
        _no_control_chars(text)
        assert ctx.markup is not None, "Markdown is converted only once the registry gave the base URL"
        return ctx.markup.render(text, pos.path, pos.line, ctx.diags)

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string"}  # the open data writes the HTML


class Id(FieldType):
    label = "an id"
    example = "'skibby'"
    decap_widget = _pattern(SLUG_RE.pattern, "Kun små bogstaver a-z, tal og enkelte bindestreger; "
                                             "skriv æ, ø, å som ae, oe, aa")

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> str:
        return check_slug(self.scalar_text(raw))

    def text_da(self, docs: Docs) -> str:
        return "id, fx `skibby`"

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return defs.ref("id", {"description": "An id: lowercase ASCII letters, digits and single hyphens.",
                               "type": "string", "pattern": SLUG_RE.pattern})


def check_slug(value: str) -> str:
    if len(value.encode("utf-8")) > MAX_NAME_BYTES:
        # an id or file name becomes a folder of the output; file systems allow 255 bytes a name
        raise Invalid(
            f"'{value[:40]}…' is too long for an id or file name: {len(value.encode('utf-8'))} bytes, at most "
            f"{MAX_NAME_BYTES} (a-z, digits and hyphens count one each, æ, ø, å two), as ids and file names "
            "become folder names of the site; shorten it")
    if SLUG_RE.match(value) and windows_reserved(value):
        raise Invalid(
            f"'{value}' cannot be used as an id or file name: Windows reserves it for a device "
            "(CON, PRN, AUX, NUL, COM1-COM9, LPT1-LPT9), so its folder could not be created there; "
            f"add a word, e.g. '{value}-1'"
        )
    if SLUG_RE.match(value):
        return value
    suggestion = slugify(value)
    fits = suggestion and SLUG_RE.match(suggestion) and len(suggestion) <= MAX_NAME_BYTES
    hint = f" (did you mean '{suggestion}'?)" if fits else ""
    raise Invalid(
        f"'{value}' is not a valid id: use lowercase letters a-z, digits and single hyphens; "
        f"write æ, ø, å as ae, oe, aa{hint}"
    )


# The records a Ref may name: (Danish, one), (Danish, several)
_REF_DA = {"district": ("en politikreds", "politikredse"), "municipality": ("en kommune", "kommuner"),
           "station": ("en station", "stationer"), "officer": ("en betjent", "betjente"),
           "locality": ("et lokalsamfund", "lokalsamfund")}


@dataclass
class Ref(Id):
    """An id of another record; resolved in site.py, once everything is loaded."""

    kind: str = ""
    example = ""

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"the id of {_a(self.kind)}"

    def text_da(self, docs: Docs) -> str:
        return f"id på {_REF_DA[self.kind][0]}"

    def item_text_da(self, docs: Docs) -> str:
        return f"id'er på {_REF_DA[self.kind][1]}"

    def item_text_en(self) -> str:
        return f"ids of {plural(self.kind)}"

    def decap(self, form: Form) -> dict[str, Any]:
        return {"widget": "select", "options": form.options(self.kind)}

    def decap_list(self, form: Form) -> dict[str, Any]:
        return {"widget": "select", "multiple": True, "options": form.options(self.kind)}


DAY_WIDGET = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "DD.MM.YYYY", "time_format": False}


class Date(FieldType):
    label = "a date"
    example = "2026-11-20"
    label_da = "dato"
    decap_widget = DAY_WIDGET

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> dt.date:
        text = self.scalar_text(raw)
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise Invalid(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-20")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise Invalid(f"'{text}' is not a real date (check the month and the day)") from None

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


_DT_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?)?"
)


def _offset(offset: str) -> dt.tzinfo:
    if offset == "Z":
        return dt.UTC
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


@dataclass
class DateOrTime(FieldType):
    """A date, or a date with a time: returns (aware datetime, has_time)."""

    label = "a date or a date and time"
    example = "2026-12-03T19:00"
    label_da = "dato eller dato og klokkeslæt"
    # the browser editor writes a day only (news are dated by the day)
    day_only_form: bool = False

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> tuple[dt.datetime, bool]:
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
        return value.replace(tzinfo=_offset(offset) if offset else ctx.tz), True

    def decap(self, form: Form) -> dict[str, Any]:
        if self.day_only_form:
            return dict(DAY_WIDGET)
        return {"widget": "datetime", "format": "YYYY-MM-DDTHH:mm", "date_format": "DD.MM.YYYY",
                "time_format": "HH:mm"}

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return defs.ref("moment", {
            "description": "A date (YYYY-MM-DD) for an all-day event, else a date and time with its UTC offset "
                           "(ISO 8601).",
            "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]})


class Bool(FieldType):
    label = "true or false"
    label_da = "`true` eller `false`"
    decap_widget = {"widget": "boolean"}

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> bool:
        if not isinstance(raw, bool):
            raise self.wrong(raw)
        return raw

    def text_en(self, docs: Docs) -> str:
        return "`true` or `false`"

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "boolean"}


class PhoneNumber(FieldType):
    label = "a phone number"
    example = '"+45 72 58 12 34"'
    label_da = "telefonnummer"
    decap_widget = _pattern(r"^\+?[0-9][0-9 -]{6,}[0-9]$",
                            "Skriv 8 cifre eller et internationalt nummer med +, fx +45 72 58 12 34")

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> Phone:
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
        return Phone(display=display, uri=f"tel:{e164}")

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return defs.ref("phone", closed_object("A telephone number.", {
            "e164": {"description": "The number in E.164 form, e.g. +4572581234.", "type": "string",
                     "pattern": r"^\+[1-9][0-9]{1,14}$"},
            "display": {"description": "The number as the site shows it.", "type": "string", "minLength": 1},
        }, ("e164", "display")))


@dataclass
class Email(FieldType):
    """An e-mail address, as email-validator normalises it. Pages show it as written (an IDN domain
    in Unicode; the mailto filter writes its ASCII form). `ascii_only`: an address written in mail
    headers (the newsletter's From, Reply-To, List-Unsubscribe), kept in its ASCII form, the
    domain as A-labels; a UTF-8 part before the @ is refused, since most mail servers cannot
    deliver it (SMTPUTF8) and the .eml would need UTF-8 headers."""

    label = "an e-mail address"
    example = "navn@example.dk"
    label_da = "e-mailadresse"
    decap_widget = _pattern(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "Skriv en e-mailadresse, fx navn@example.dk")
    ascii_only: bool = False

    def convert(self, raw: Any, pos: Position, ctx: Ctx | None) -> str:
        if not isinstance(raw, str):
            raise self.wrong(raw)
        text = raw.strip()
        try:
            valid = validate_email(text, check_deliverability=False)
        except EmailNotValidError as exc:
            raise Invalid(f"'{text}' is not a valid e-mail address: {exc}") from None
        if not self.ascii_only:
            return valid.normalized
        if valid.ascii_email is None:
            raise Invalid(f"'{text}' has letters outside a-z before the @: newsletter e-mails need an address "
                          "that every mail server can deliver; use one without æ, ø, å and the like before the @")
        return valid.ascii_email

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string", "format": "email"}


class Url(FieldType):
    label = "a web address"
    example = "https://example.dk/"
    label_da = "webadresse"
    decap_widget = _pattern(r"^https?://\S+$", "Skriv en webadresse, der begynder med https://")

    def convert(self, raw: Any, pos: Position, ctx: Ctx | None) -> str:
        if not isinstance(raw, str):
            raise self.wrong(raw)
        text = raw.strip()
        try:
            parts = urlsplit(text)
        except ValueError:  # "https://[x]/": brackets that hold no IP address
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
            raise Invalid(f"'{text}' is not a web address: it must start with https:// (or http://)")
        return web_address(text)

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string", "format": "uri"}


# A host as it may be written in ASCII: a DNS name (underscores tolerated) or an IP address.
_ASCII_HOST = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\]")


def web_address(text: str) -> str:
    """An http(s) address that is safe to publish and to put in a header: no control character or
    backslash, no user name or password (it would be published in every link), a valid port, and
    its host in ASCII (an IDN's A-labels, "nærpoliti.dk" -> "xn--nrpoliti-j0a.dk"), as mail
    headers, feeds and calendars require."""
    _no_control_chars(text)
    if "\\" in text:
        raise Invalid(f"'{text}' holds a backslash (\\): web addresses use / between folders")
    parts = urlsplit(text)
    if "@" in parts.netloc:
        raise Invalid(f"'{text}' holds a user name or password before the host: remove the part up to "
                      "and including @ (it would be published in every link)")
    try:
        port = parts.port
    except ValueError:
        port = 0
    host = parts.netloc if port is None else parts.netloc.rpartition(":")[0]
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise Invalid(f"'{text}' has no valid port after the host: a port is a number from 1 to 65535")
    if host.isascii():
        if not _ASCII_HOST.fullmatch(host):
            raise Invalid(f"'{text}' is not a web address: '{host}' is not a host name")
        return text
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise Invalid(f"'{text}' is not a web address: '{host}' is not a host name ({exc})") from None
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    return text.replace(parts.netloc, netloc, 1)


# A folder name of the site's address: RFC 3986's unreserved characters and %XX escapes, except
# the escapes of "/", "." and backslash and of control characters (a server or a file system may
# decode them into a path that leaves the folder).
_SEGMENT_TOKEN = re.compile(r"%[0-9A-Fa-f]{2}|.", re.S)
_SEGMENT_CHAR = re.compile(r"[A-Za-z0-9._~-]")
_UNSAFE_ESCAPES = frozenset({"%2F", "%2E", "%5C", "%7F"} | {f"%{n:02X}" for n in range(0x20)})


class BaseUrl(Url):
    """The address the site is published at. Every output path and URL starts with its path, so
    the path must be plain folder names: nothing a server or this program could resolve outside
    the output folder, and no query, fragment or user name to be published in every link."""

    def convert(self, raw: Any, pos: Position, ctx: Ctx | None) -> str:
        text = super().convert(raw, pos, ctx)
        parts = urlsplit(text)
        if "?" in text or "#" in text:
            raise Invalid(f"'{text}' has a query (?...) or a fragment (#...): the site's address ends with "
                          "its folder, e.g. https://example.dk/naerpoliti/")
        path = parts.path or "/"
        for segment in path[1:].removesuffix("/").split("/") if path != "/" else ():
            check_path_segment(text, segment)
        return text if text.endswith("/") else text + "/"


def check_path_segment(text: str, segment: str) -> None:
    """A folder of the site's address is a plain name (see _SEGMENT_TOKEN)."""
    if segment in ("", ".", ".."):
        raise Invalid(f"'{text}' has '/{segment}/' in its path: each folder of the site's address must be "
                      "a name, not empty, . or .. (e.g. https://example.dk/naerpoliti/)")
    for token in _SEGMENT_TOKEN.findall(segment):
        if token.upper() in _UNSAFE_ESCAPES if len(token) == 3 else not _SEGMENT_CHAR.fullmatch(token):
            raise Invalid(f"'{text}' has '{token}' in its path: the folders of the site's address may hold "
                          "only letters a-z, digits, - . _ ~ and %XX escapes (not of /, ., \\ or a control "
                          "character)")


class HttpsUrl(Url):
    """A web address that must be https: a form readers fill in (a newsletter sign-up)."""

    label = "an https address"
    label_da = "https-adresse"
    decap_widget = _pattern(r"^https://\S+$", "Skriv en webadresse, der begynder med https://")

    def convert(self, raw: Any, pos: Position, ctx: Ctx | None) -> str:
        text = super().convert(raw, pos, ctx)
        if urlsplit(text).scheme != "https":
            raise Invalid(f"'{text}' is not an https address: it must start with https://")
        return text


class Postcode(FieldType):
    label = "a postcode"
    example = '"4050"'
    label_da = "postnummer i anførselstegn"
    plural_da = "postnumre i anførselstegn"

    def convert(self, raw: Any, pos: Position, ctx: Ctx | None) -> str:
        text = self.scalar_text(raw)
        if not re.fullmatch(r"\d{4}", text):
            raise Invalid(f"postcode '{text}' must be four digits in quotes, e.g. \"4050\"")
        return text

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[0-9]{4}$"}


class Coordinates(FieldType):
    label = "[latitude, longitude]"
    example = "[55.7506, 11.9617]"
    label_da = "[breddegrad, længdegrad]"

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> tuple[float, float]:
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

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return defs.ref("coordinates", closed_object("A point in WGS 84.", {
            "latitude": {"description": "Latitude in decimal degrees.", "type": "number", "minimum": -90,
                         "maximum": 90},
            "longitude": {"description": "Longitude in decimal degrees.", "type": "number", "minimum": -180,
                          "maximum": 180},
        }, ("latitude", "longitude")))


@dataclass
class Choice(FieldType):
    choices: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)  # words an editor may write -> the allowed value

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"one of {one_of(self.choices)}"

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> str:
        if not isinstance(raw, str):
            raise self.wrong(raw)
        if raw not in self.choices:
            meant = self.aliases.get(slugify(raw))
            hint = f" (did you mean '{meant}'?)" if meant else did_you_mean(raw, self.choices)
            raise Invalid(f"'{raw}' is not allowed here: use {one_of(self.choices)}{hint}")
        return raw

    def text_da(self, docs: Docs) -> str:
        return f"én af {_code_list(self.choices)}"

    def item_text_da(self, docs: Docs) -> str:
        return f"en eller flere af {_code_list(self.choices)}"

    def text_en(self, docs: Docs) -> str:
        return "one of " + _code_list(self.choices)

    def item_text_en(self) -> str:
        return f"one or more of {_code_list(self.choices)}"

    def decap(self, form: Form) -> dict[str, Any]:
        return {"widget": "select", "options": form.choice_options(self)}

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"enum": list(self.choices)}

    def decap_list(self, form: Form) -> dict[str, Any]:
        return {"widget": "select", "multiple": True, "options": form.choice_options(self)}


class MediaFile(FieldType):
    label = "a path to an image in the media folder"
    example = "media/news/foto.jpg"
    label_da = "sti til et billede i mappen media"
    decap_widget = {"widget": "image", "choose_url": False}

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> MediaInfo | None:
        if not isinstance(raw, str):
            raise self.wrong(raw)
        problem, info = inspect_media(ctx.root, raw.strip(), is_image=True)
        if problem:
            raise Invalid(problem)
        return info

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        # the image with its alt text (declared as a field of its own, folded into one Image)
        size = {"type": "integer", "minimum": 1}
        return defs.ref("image", closed_object("An image.", {
            "url": {"description": "The image file.", "type": "string", "format": "uri"},
            "alt": {"description": "The image's text alternative.", "type": "string", "minLength": 1},
            "width": {"description": "Its width in pixels, when known.", **size},
            "height": {"description": "Its height in pixels, when known.", **size},
        }, ("url", "alt")))


class RepoName(FieldType):
    label = "a repository name, owner/name"
    example = "nordsjaelland-politi/naerpoliti"
    label_da = "repository som ejer/navn"

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> str:
        text = self.scalar_text(raw)
        if not re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+", text) or text.startswith(("http:", "https:")):
            raise Invalid(f"'{text}' is not a repository name: write owner/name, e.g. {self.example}")
        return text

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$"}


@dataclass
class ListOf(FieldType):
    item: FieldType = field(default_factory=Text)
    allow_single: bool = False  # `localities: skibby` is read as `[skibby]`
    unique: bool = False  # an item written twice (ignoring case, spaces and æ/ae) is an error

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"a list of {self.item.label}s"

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> tuple[Any, ...]:
        if not isinstance(raw, YList):
            if self.allow_single and isinstance(raw, (str, int)) and not isinstance(raw, bool):
                raw = _single(raw, pos)
            else:
                raise Invalid(f"must be a list, e.g. [{self.item.example.strip(chr(39)) or '...'}]")
        if not raw:
            raise Invalid("must not be an empty list")
        out, ok = [], True
        for value, ipos in zip(raw, raw.item_pos, strict=True):
            try:
                out.append(self.item.convert(value, ipos, ctx))
            except Invalid as exc:
                ctx.diags.error(ipos, f"{ctx.field_name}: {exc}")
                ok = False
        if ok and self.unique:
            ok = _no_repeats(out, raw.item_pos, ctx)
        if not ok:
            raise _Reported()
        return tuple(out)

    def text_da(self, docs: Docs) -> str:
        single = " (ét kan skrives uden klammer)" if self.allow_single else ""
        return f"liste med {self.item.item_text_da(docs)}, fx `[{self.item.example.strip(chr(39)) or '…'}]`{single}"

    def text_en(self, docs: Docs) -> str:
        example = self.item.example.strip("'")
        return (f"a list of {self.item.item_text_en()}" + (f", e.g. `[{example}]`" if example else "")
                + (" (one may be written without brackets)" if self.allow_single else ""))

    def decap(self, form: Form) -> dict[str, Any]:
        return self.item.decap_list(form)

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "array", "minItems": 1, "items": self.item.json_schema(defs)}


def _no_repeats(values: list[Any], positions: list[Position], ctx: Ctx) -> bool:
    """Reports each value written again in the same list (as slugify sees it); False if any was."""
    first: dict[str, int] = {}
    ok = True
    for i, (value, ipos) in enumerate(zip(values, positions, strict=True)):
        key = slugify(str(value)) or str(value)
        if key in first:
            ctx.diags.error(ipos, f"{ctx.field_name}: '{value}' is in the list twice "
                                  f"(also as item {first[key]}): remove one")
            ok = False
        first.setdefault(key, i)
    return ok


def _single(raw: str | int, pos: Position) -> YList:
    lst = YList([raw])
    lst.pos = pos
    lst.item_pos = [pos]
    return lst


@dataclass
class Record(FieldType):
    """A group of fields, declared by a record class (its spec is read when first needed)."""

    cls: type | None = None
    label_da = "gruppe af felter"

    @property
    def spec(self) -> RecordSpec:
        assert self.cls is not None
        return spec_of(self.cls)

    @property
    def label(self) -> str:  # type: ignore[override]
        return "a group of fields"

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> dict[str, Any]:
        value = convert_record(raw, self.spec, pos, ctx, prefix=ctx.field_name + ".")
        if value is None:
            raise _Reported()
        return value

    def text_da(self, docs: Docs) -> str:
        return f"gruppe af felter: [{self.spec.da[0].lower()}](#{docs.anchor(self.spec)})"

    def text_en(self, docs: Docs) -> str:
        return f"a group of fields: see [{docs.title_en(self.spec)}](#{docs.anchor(self.spec)})"

    def decap(self, form: Form) -> dict[str, Any]:
        return {"widget": "object", "collapsed": False, "fields": form.fields(self.spec)}

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        spec = self.spec
        return defs.ref(spec.name, record_schema(spec, defs))


@dataclass
class RecordList(Record):
    """A list of groups of fields, each starting with '- '."""

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"a list of {self.spec.name}"

    def convert(self, raw: Any, pos: Position, ctx: Ctx) -> tuple[dict[str, Any], ...]:  # type: ignore[override]
        if not isinstance(raw, YList):
            raise Invalid(f"must be a list of {self.spec.name}, each starting with '- '")
        prefix = ctx.field_name + "."
        out = [convert_record(v, self.spec, p, ctx, prefix=prefix) for v, p in zip(raw, raw.item_pos, strict=True)]
        if any(v is None for v in out):
            raise _Reported()
        return tuple(v for v in out if v is not None)

    def text_da(self, docs: Docs) -> str:
        return f"liste med [{self.spec.da[1].lower()}](#{docs.anchor(self.spec)}), hver begynder med `- `"

    def text_en(self, docs: Docs) -> str:
        return f"a list of [{plural(self.spec.name)}](#{docs.anchor(self.spec)}), each starting with `- `"

    def decap(self, form: Form) -> dict[str, Any]:
        raise TypeError("no Decap widget for a list of records")

    def json_schema(self, defs: JsonDefs) -> dict[str, Any]:
        return {"type": "array", "items": super().json_schema(defs)}  # may be empty


class _Reported(Exception):
    """A nested value reported its own errors."""


# --------------------------------------------------------------------------------------------
# Declarations and record specs


@dataclass(frozen=True)
class Export:
    """How a field goes into the open data (render/opendata.py): its description there, for a reuser
    of the data rather than an editor, and where the property differs from the field."""

    doc: str
    name: str = ""  # the property's name, when not the field's ("website" for a district's url)
    type: FieldType | None = None  # the value as written, when not the field's (a news item's day)
    always: bool = False  # written even when the content has none (an empty list): required


@dataclass(frozen=True)
class Field:
    """One field as an editor writes it in a file."""

    name: str
    type: FieldType
    doc: str  # English: the reference
    required: bool = False
    label_da: str = ""  # Danish: the handbook's field reference and the browser editor's form
    help_da: str = ""
    export: Export | None = None  # None: never in the open data


@dataclass(frozen=True)
class Declared:
    """The declaration of one attribute of a record class (dataclass field metadata)."""

    field: Field  # its name is the attribute's, unless `key` was given
    key: str = ""  # the name in the file, when it cannot be the attribute's (`from`)
    alt: Field | None = None  # an image's alt text, written as a field of its own after it


@dataclass(frozen=True)
class Inline:
    """The attribute's record class is written as fields at this level (a scope)."""

    cls: type


_DECLARATION = "naerpoliti"


def declare(type_: FieldType, doc: str, da: tuple[str, str], *, required: bool = False, key: str = "",
            alt: Field | None = None, export: str | Export | None = None) -> dict[str, Declared]:
    """Metadata for a dataclass field: the field as written in a file (see model.py). `export`: the
    open data publishes it, with this description (or these details)."""
    how = Export(export) if isinstance(export, str) else export
    return {_DECLARATION: Declared(Field(key, type_, doc, required, *da, export=how), key, alt)}


def declare_inline(cls: type) -> dict[str, Inline]:
    return {_DECLARATION: Inline(cls)}


@dataclass(frozen=True)
class RecordInfo:
    """What a record class is called (`RECORD` on the class): in English, then Danish one and several."""

    name: str
    da: tuple[str, str]
    doc: str = ""
    export: str = ""  # its description in the open data, where it has one


def fields_of(cls: type) -> tuple[Field, ...]:
    """The fields an editor writes for a record class, in its attributes' order."""
    return tuple(_fields(cls))


def _fields(cls: type) -> Iterator[Field]:
    for attr in dataclasses.fields(cls):
        decl = attr.metadata.get(_DECLARATION)
        if isinstance(decl, Inline):
            yield from _fields(decl.cls)
        elif isinstance(decl, Declared):
            yield dataclasses.replace(decl.field, name=decl.key or attr.name)
            if decl.alt is not None:
                yield decl.alt


@dataclass(frozen=True)
class RecordSpec:
    name: str  # what an editor calls one record: "locality", "news item"
    cls: type | None
    fields: tuple[Field, ...]
    doc: str = ""
    da: tuple[str, str] = ("", "")  # Danish: one record, several
    export: str = ""  # the open data's description of one record

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@functools.cache
def spec_of(cls: type) -> RecordSpec:
    """The spec of a record class with a `RECORD` and declared fields (model.py)."""
    info: RecordInfo = getattr(cls, "RECORD")  # noqa: B009 -- a class attribute mypy cannot see on `type`
    return RecordSpec(info.name, cls, fields_of(cls), info.doc, info.da, info.export)


# --------------------------------------------------------------------------------------------
# JSON Schemas of the open data, from the declarations


class JsonDefs:
    """The shared shapes (`$defs`) of one schema, in the order they were first needed."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        known = self.defs.setdefault(name, schema)
        assert known == schema, f"two shapes named {name!r}"
        return {"$ref": f"#/$defs/{name}"}


def closed_object(description: str, properties: dict[str, dict[str, Any]],
                  required: Iterable[str]) -> dict[str, Any]:
    """An object with exactly these properties (none other is allowed)."""
    return {"description": description, "type": "object", "required": list(required),
            "additionalProperties": False, "properties": properties}


@dataclass(frozen=True)
class Property:
    """A property of an exported object: a field's, or one the export derives (render/opendata.py)."""

    name: str
    description: str
    schema: Callable[[JsonDefs], dict[str, Any]]  # the value's schema, without the description
    required: bool = True


def exported_properties(spec: RecordSpec) -> tuple[Property, ...]:
    """The properties of a record's exported fields, in their declared order."""
    out = []
    for f in spec.fields:
        if f.export is not None:
            type_ = f.export.type or f.type
            out.append(Property(f.export.name or f.name, f.export.doc, type_.json_schema,
                                f.required or f.export.always))
    return tuple(out)


def object_schema(description: str, props: tuple[Property, ...], defs: JsonDefs) -> dict[str, Any]:
    properties = {p.name: {"description": p.description, **p.schema(defs)} for p in props}
    return closed_object(description, properties, (p.name for p in props if p.required))


def record_schema(spec: RecordSpec, defs: JsonDefs, derived: tuple[Property, ...] = ()) -> dict[str, Any]:
    """The schema of an exported record: its exported fields, then what the export derives."""
    return object_schema(spec.export, exported_properties(spec) + derived, defs)


def _missing_message(raw: YMap, f: Field, spec: RecordSpec, prefix: str) -> str:
    named = raw.get("id") or raw.get("name") or raw.get("title")
    which = f" '{named}'" if isinstance(named, str) else ""
    hint = f": add '{f.name}: ' with {f.type.label}" + (f", e.g. {f.type.example}" if f.type.example else "")
    return f"missing required field '{prefix}{f.name}' in the {spec.name}{which}{hint}"


def _unknown_fields(raw: YMap, spec: RecordSpec, ctx: Ctx, prefix: str) -> set[str]:
    """Reports every key the spec does not know; returns the fields they were likely meant as."""
    known = [f.name for f in spec.fields]
    misspelt: set[str] = set()
    for key in raw:
        if spec.field_named(key) is None:
            hint = did_you_mean(key, known)
            if hint:
                misspelt.add(hint.split("'")[1])
            ctx.diags.error(raw.key_pos[key], f"unknown field '{prefix}{key}' in {_a(spec.name)}{hint}")
    return misspelt


def convert_record(raw: object, spec: RecordSpec, pos: Position, ctx: Ctx,
                   prefix: str = "") -> dict[str, Any] | None:
    """Convert one mapping. Returns its values (with 'pos' and 'field_pos'), or None on error."""
    if not isinstance(raw, YMap):
        what = f"'{prefix[:-1]}'" if prefix else _a(spec.name)
        ctx.diags.error(pos, f"{what} must be a group of fields (name: value), not {_kind(raw)}")
        return None
    errors_before = len(ctx.diags.errors)
    misspelt = _unknown_fields(raw, spec, ctx, prefix)
    values: dict[str, Any] = {}
    field_pos: dict[str, Position] = {}
    for f in spec.fields:
        value = raw.get(f.name)
        if value is None and f.name in raw:
            # present without a value ("withdrawn:", ~, null): never read as absent, which for an
            # optional field would publish what the editor meant to restrict
            ctx.diags.error(raw.key_pos[f.name], f"{prefix}{f.name}: has no value: write one, or remove the line")
            continue
        if value is None:
            if f.required and f.name not in misspelt:  # the misspelt field was reported already
                ctx.diags.error(raw.pos, _missing_message(raw, f, spec, prefix))
            continue
        vpos = raw.value_pos[f.name]
        field_pos[f.name] = vpos
        if isinstance(value, YList):  # list items keep their own positions: "localities.2"
            field_pos.update((f"{f.name}.{i}", ipos) for i, ipos in enumerate(value.item_pos))
        ctx.field_name = prefix + f.name
        try:
            values[f.name] = f.type.convert(value, vpos, ctx)
        except Invalid as exc:
            ctx.diags.error(vpos, f"{prefix}{f.name}: {exc}")
        except _Reported:
            pass
    if len(ctx.diags.errors) != errors_before:
        return None
    values["pos"] = raw.pos
    values["field_pos"] = field_pos
    return values

