"""`naerpoliti new KIND ...`: scaffold a content file with every required field (issue 7).

Files are written from text templates rather than dumped YAML, so that editors get comments
explaining the optional fields; records are added to existing YAML files by inserting text, never
by re-dumping the file, so comments, order and formatting stay as the editor wrote them. Every
result is checked with the validator's own specs before anything is written, and written
atomically: an interrupted run leaves the old file or the whole new one, never half a file.

stdout gets only the path of the created or changed file (so `$EDITOR "$(naerpoliti new ...)"`
works); reminders and errors go to stderr.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from .. import schema
from ..build import build_date
from ..errors import Diagnostics, Position, did_you_mean
from ..load import YList, YMap, parse_yaml, split_front_matter
from ..model import EVENT_KINDS
from ..urls import RESERVED
from .common import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, UsageError, date_option, resolve_root

KINDS = ("news", "event", "page", "ambassador", "locality")
MAX_SLUG = 60  # characters of the title that make a file name: long enough to recognise it

# Which options each kind takes; any other option given is a usage error, not silently ignored.
_SCOPE = ("locality", "municipality", "district", "national")
_OPTIONS = {
    "news": (*_SCOPE, "date"),
    "event": (*_SCOPE, "start", "end", "event_kind", "location"),
    "page": (),
    "ambassador": ("locality",),
    "locality": ("municipality", "postcode", "officer"),
}
_FLAG = {"event_kind": "--kind"}


Usage = UsageError  # a wrong command line or a refusal; exit 2, nothing written


class ContentProblem(Exception):
    """The site root itself has errors that must be fixed first; exit 1, nothing written."""

    def __init__(self, diags: Diagnostics, why: str):
        super().__init__(why)
        self.diags = diags


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "new", help="create a content file with the required fields",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Create a news item, event or page, or add an ambassador or a locality, with every "
                    "required field filled in.\nPrints the path of the file; never overwrites one.",
        epilog="examples:\n"
               '  naerpoliti new news "Sådan sikrer du dit hjem" --locality skibby\n'
               '  naerpoliti new event "Borgermøde om indbrud" --locality glumsoe --start 2026-12-03T19:00 \\\n'
               '      --end 2026-12-03T21:00 --kind citizen-meeting --location "Hallen, Skolevej 10, 4171 Glumsø"\n'
               '  naerpoliti new page "Bestil en betjent"\n'
               '  naerpoliti new ambassador "Birthe Jensen" --locality skibby\n'
               '  naerpoliti new locality "Jyllinge" --municipality roskilde --postcode 4040')
    p.add_argument("kind", choices=KINDS)
    p.add_argument("title", metavar="TITLE",
                   help="the title (news, event, page) or the name (ambassador, locality)")
    p.add_argument("--locality", action="append", default=[], metavar="ID",
                   help="scope of a news item or event (repeatable); the locality of an ambassador")
    p.add_argument("--municipality", action="append", default=[], metavar="ID",
                   help="scope of a news item or event (repeatable); the municipality of a locality")
    p.add_argument("--district", action="append", default=[], metavar="ID",
                   help="scope of a news item or event (repeatable)")
    p.add_argument("--national", action="store_true", help="a news item or event for the whole site")
    p.add_argument("--date", type=date_option, metavar="YYYY-MM-DD",
                   help="date of a news item (default: today in the site's time zone)")
    p.add_argument("--start", metavar="YYYY-MM-DDTHH:MM",
                   help="start of an event (YYYY-MM-DD for an all-day event)")
    p.add_argument("--end", metavar="YYYY-MM-DDTHH:MM", help="end of an event, the same form as --start")
    p.add_argument("--kind", dest="event_kind", metavar="KIND",
                   help=f"kind of event: {', '.join(EVENT_KINDS)} (default: other)")
    p.add_argument("--location", metavar="TEXT", help="where an event is: name, address, postcode and town")
    p.add_argument("--postcode", action="append", default=[], metavar="NNNN",
                   help="a postcode of a locality (repeatable; at least one)")
    p.add_argument("--officer", metavar="ID", help="the contact officer of a locality (default: the "
                                                    "officer of the municipality's other localities)")
    p.add_argument("--root", type=Path, metavar="DIR",
                   help="the site root (default: the nearest folder, from here upwards, with a localities.yaml)")


def main(args: argparse.Namespace) -> int:
    try:
        _check_options(args)
        root = resolve_root(args.root)
        reg = Registry.load(root)
        path, reminder = _MAKERS[args.kind](root, reg, args)
    except Usage as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentProblem as exc:
        for d in exc.diags.sorted():
            print(d, file=sys.stderr)
        print(f"naerpoliti: {exc}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    print(_shown(path))
    if reminder:
        print(f"naerpoliti: {reminder}", file=sys.stderr)
    return EXIT_OK


def _check_options(args: argparse.Namespace) -> None:
    allowed = _OPTIONS[args.kind]
    for name in ("locality", "municipality", "district", "national", "date", "start", "end",
                 "event_kind", "location", "postcode", "officer"):
        if name not in allowed and getattr(args, name) not in (None, [], False):
            flag = _FLAG.get(name, "--" + name)
            raise Usage(f"{flag} is not used with 'naerpoliti new {args.kind}'"
                        + (f"; it takes {', '.join(_FLAG.get(o, '--' + o) for o in allowed)}" if allowed else ""))


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)


# --------------------------------------------------------------------------------------------
# What localities.yaml defines


@dataclass
class Registry:
    root: Path
    timezone: str
    ids: dict[str, dict[str, Any]]  # "localities" -> {id: record}
    invalid: dict[str, frozenset[str]]  # ids of records with errors: they exist, so they are taken

    @classmethod
    def load(cls, root: Path) -> Registry:
        diags = Diagnostics()
        reg = schema.load_registry(root, diags)
        if reg is None or diags.errors:
            raise ContentProblem(diags, "localities.yaml has errors: fix them first (naerpoliti check)")
        ids = {kind: {r.id: r for r in reg[kind]}
               for kind in ("districts", "municipalities", "stations", "officers", "localities")}
        return cls(root, reg["config"].timezone, ids,
                   {k: frozenset(v) for k, v in reg.get("invalid_ids", {}).items()})

    @property
    def tz(self) -> dt.tzinfo:
        return ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        try:
            return build_date(None, self.timezone)  # SOURCE_DATE_EPOCH too, like a build
        except ValueError:
            raise Usage(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH')!r} is not a number "
                        "of seconds") from None

    def resolve(self, value: str, kind: str, flag: str) -> str:
        """The id meant by an option's value; 'Glumsø' is taken for 'glumsoe'."""
        table = self.ids[kind]
        for candidate in (value, schema.slugify(value)):
            if candidate in table:
                return candidate
        singular = {"localities": "locality", "municipalities": "municipality", "districts": "district",
                    "officers": "officer"}[kind]
        hint = did_you_mean(value, table) or did_you_mean(schema.slugify(value), table)
        known = ", ".join(sorted(table)) if len(table) <= 12 else f"{len(table)} {kind} are defined"
        raise Usage(f"{flag} {value}: unknown {singular} '{value}'{hint}; the {kind} in localities.yaml: {known}")


# --------------------------------------------------------------------------------------------
# Names


def _slug(title: str, what: str, prefix: str = "", limit: int = MAX_SLUG) -> str:
    """prefix + the id made from a title or name, checked as the validator checks ids and file names."""
    slug = schema.slugify(title)
    if len(slug) > limit:  # cut at a word boundary
        cut = slug[: limit + 1].rsplit("-", 1)[0]
        slug = cut if cut else slug[:limit]
    if not slug:
        raise Usage(f"cannot make an id from '{title}': the {what} needs letters or digits")
    try:
        return schema.check_slug(prefix + slug)
    except schema.Invalid as exc:
        raise Usage(f"the {what} '{title}' gives the id '{prefix + slug}', which cannot be used: {exc}") from None


def _text(value: str, what: str) -> str:
    """A one-line value as the validator reads it, or a usage error in its words."""
    try:
        return schema.Text().convert(value, Position("?"), None)
    except schema.Invalid as exc:
        sep = " " if str(exc).startswith("must") else ": "
        raise Usage(f"the {what}{sep}{exc}") from None


def _kv(key: str, value: Any) -> str:
    """'key: value' with the quoting YAML needs ('title: "Lås døren: sådan"')."""
    return yaml.safe_dump({key: value}, allow_unicode=True, width=10**6, sort_keys=False).rstrip("\n")


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


# --------------------------------------------------------------------------------------------
# News, events, pages: new Markdown files


def _scope(reg: Registry, args: argparse.Namespace, what: str) -> list[str]:
    lines = []
    for flag, kind in (("locality", "localities"), ("municipality", "municipalities"),
                       ("district", "districts")):
        ids: list[str] = []
        for value in getattr(args, flag):
            resolved = reg.resolve(value, kind, "--" + flag)
            if resolved not in ids:
                ids.append(resolved)
        if ids:
            lines.append(f"{kind}: {_flow(ids)}")
    if args.national:
        lines.append("national: true")
    if not lines:
        raise Usage(f"the {what} needs a scope: say where it belongs with --locality ID (repeatable), "
                    "--municipality ID (all its localities), --district ID (all its localities) or "
                    "--national (the whole site)")
    return lines


def _author_hint(reg: Registry, args: argparse.Namespace) -> str:
    for value in args.locality:
        loc = reg.ids["localities"].get(reg.resolve(value, "localities", "--locality"))
        if loc is not None:
            officer: str = loc.officer
            return officer
    return next(iter(sorted(reg.ids["officers"])), "betjentens-id")


def _new_news(root: Path, reg: Registry, args: argparse.Namespace) -> tuple[Path, str]:
    title = _text(args.title, "title")
    scope = _scope(reg, args, "news item")
    date = args.date or reg.today()
    rel = f"content/news/{_slug(title, 'title', prefix=date.isoformat() + '-')}.md"
    text = "\n".join([
        "---",
        _kv("title", title),
        f"date: {date.isoformat()}",
        *scope,
        "# Valgfrie felter: slet '# ' foran dem, du vil bruge.",
        "# summary: En eller to sætninger om nyheden (ellers bruges det første afsnit)",
        f"# author: {_author_hint(reg, args)}    # id på den betjent, der har skrevet nyheden",
        "# image: media/news/billede.jpg    # et billede i content/media/",
        "# image_alt: Kort beskrivelse af, hvad billedet viser    # skal med, når der er et billede",
        "# draft: true    # true: nyheden udgives ikke",
        "---",
        "Skriv nyheden her. Det første afsnit bruges som resumé, hvis der ikke står et 'summary' ovenfor.",
        "",
    ])
    _check_doc(root, reg, rel, text, schema.NEWS)
    return _create(root / rel, text), ""


def _when(reg: Registry, text: str, flag: str) -> tuple[dt.datetime, bool, str]:
    """(aware datetime, has a time, the text to write) of --start or --end."""
    try:
        value, has_time = schema.DateOrTime().convert(text.strip(), Position("?"),
                                                      schema.Ctx(reg.root, "?", Diagnostics(), tz=reg.tz))
    except schema.Invalid as exc:
        raise Usage(f"{flag}: {exc}") from None
    return value, has_time, text.strip().replace(" ", "T", 1)


def _new_event(root: Path, reg: Registry, args: argparse.Namespace) -> tuple[Path, str]:
    title = _text(args.title, "title")
    scope = _scope(reg, args, "event")
    today = reg.today()
    guessed = []
    # A start or place that is not given cannot be guessed honestly. A made-up value that passes
    # the check would be published as if it were true, so the event is written as a draft: the
    # site still builds, nothing wrong reaches citizens, and the TODO says what to fill in.
    if args.start:
        start, has_time, start_text = _when(reg, args.start, "--start")
        start_line = f"start: {start_text}"
    else:
        start, has_time = dt.datetime.combine(today, dt.time(19, 0), reg.tz), True
        start_line = f"start: {start.strftime('%Y-%m-%dT%H:%M')}    # TODO: ret dato og klokkeslæt"
        guessed.append("start")
    if args.end:
        end, end_has_time, end_text = _when(reg, args.end, "--end")
        if end_has_time != has_time:
            raise Usage("--end: write the end the same way as the start: both with a time "
                        "(YYYY-MM-DDTHH:MM) or both as a date (an all-day event)")
        if end < start:
            raise Usage(f"--end: the event ends ({end_text}) before it starts ({start.strftime('%Y-%m-%d %H:%M')})")
        end_line = f"end: {end_text}"
    else:
        example = (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M") if has_time else start.date().isoformat()
        end_line = f"# end: {example}    # valgfri: hvornår det slutter, skrevet som start"
    if args.location:
        location_line = _kv("location", _text(args.location, "location"))
    else:
        location_line = 'location: "TODO: sted, adresse, postnummer og by"'
        guessed.append("location")
    kind = "other"
    if args.event_kind:
        raw = args.event_kind.strip()
        kind = raw if raw in EVENT_KINDS else schema.EVENT_KIND_ALIASES.get(schema.slugify(raw), "")
        if not kind:
            raise Usage(f"--kind {raw}: use one of {', '.join(EVENT_KINDS)}{did_you_mean(raw, EVENT_KINDS)}")
    lines = [
        "---",
        _kv("title", title),
        f"kind: {kind}    # open-council-meeting, citizen-meeting, mobile-police-station eller other",
        start_line,
        end_line,
        location_line,
        *scope,
    ]
    if guessed:
        lines.append("draft: true    # TODO: slet denne linje, når start og sted er rettet; før udgives "
                     "arrangementet ikke")
    lines += [
        "# Valgfrie felter: slet '# ' foran dem, du vil bruge.",
        "# summary: En eller to sætninger om arrangementet (ellers bruges det første afsnit)",
    ]
    if not guessed:
        lines.append("# draft: true    # true: arrangementet udgives ikke")
    lines += [
        "---",
        "Skriv her, hvad der skal ske, hvem der kommer, og om man skal tilmelde sig.",
        "",
    ]
    text = "\n".join(lines)
    rel = f"content/events/{_slug(title, 'title', prefix=start.date().isoformat() + '-')}.md"
    _check_doc(root, reg, rel, text, schema.EVENT)
    reminder = ""
    if guessed:
        missing = " and ".join({"start": "--start", "location": "--location"}[g] for g in guessed)
        reminder = (f"no {missing} given: the event is a draft (not published) until you fill in the "
                    "lines marked TODO and delete 'draft: true'")
    return _create(root / rel, text), reminder


def _new_page(root: Path, reg: Registry, args: argparse.Namespace) -> tuple[Path, str]:
    title = _text(args.title, "title")
    slug = _slug(title, "title")
    if slug in RESERVED:
        raise Usage(f"a page named '{slug}' would take an address the site itself uses "
                    f"(/{slug}/): give the page another title")
    rel = f"content/pages/{slug}.md"
    text = "\n".join([
        "---",
        _kv("title", title),
        "# Valgfrie felter: slet '# ' foran dem, du vil bruge.",
        "# summary: En eller to sætninger om siden (ellers bruges det første afsnit)",
        "# draft: true    # true: siden udgives ikke",
        "---",
        "Skriv siden her. Brug ## for overskrifter i teksten.",
        "",
    ])
    _check_doc(root, reg, rel, text, schema.PAGE)
    return _create(root / rel, text), f"the page will be published at /{slug}/"


def _check_doc(root: Path, reg: Registry, rel: str, text: str, spec: schema.RecordSpec) -> None:
    """The front matter as the validator reads it; a failure here is a bad option value."""
    diags = Diagnostics()
    parts = split_front_matter(text, rel, diags)
    raw = parse_yaml(parts[0], rel, diags, line_offset=parts[1] - 1) if parts else None
    if raw is not None:
        ctx = schema.Ctx(root, rel, diags, tz=reg.tz)
        ctx.field_name = ""
        schema.convert_record(raw, spec, Position(rel, 1, 1), ctx)
    if diags.errors or raw is None:
        raise Usage("; ".join(d.message for d in diags.errors) or "the file could not be made")


# --------------------------------------------------------------------------------------------
# Ambassadors and localities: a record added to a YAML list


_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _lines(text: str) -> list[str]:
    """The lines of a file with their own line ends, as the YAML parser counts them."""
    return _LINE_RE.findall(text)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _read_raw(path: Path) -> str:
    """The file's text exactly as stored (line ends kept), for text insertion."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Usage(f"cannot read {_shown(path)}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Usage(f"{_shown(path)} is not UTF-8 text: save it as UTF-8 first") from None


def _parse(text: str, rel: str, ours: bool = False) -> Any:
    """The YAML of a file as the loader reads it; ours: text this command made, so an error is a
    refusal (the file is left alone), not the editor's to fix."""
    diags = Diagnostics()
    normal = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raw = parse_yaml(normal, rel, diags)
    if diags.errors and ours:
        raise Usage(f"{rel}: the record could not be added without changing what is there "
                    f"({diags.errors[0].message}): add it by hand")
    if diags.errors:
        raise ContentProblem(diags, f"{rel} has errors: fix them first (naerpoliti check)")
    return raw


def _dash_indent(lines: list[str], item_pos: Position) -> tuple[int, int] | None:
    """(column of '-', column of the item's fields) of a block list item, 0-based; None if unusual."""
    line = lines[item_pos.line - 1].lstrip("\ufeff") if item_pos.line <= len(lines) else ""
    m = re.fullmatch(r"( *)- +", line[: item_pos.column - 1])
    return (len(m.group(1)), item_pos.column - 1) if m else None


def _indent(block: str, dash: int, fields: int) -> list[str]:
    """A record written as '- first: ...' and then its other lines at column 0, moved to the file's
    columns: '-' at column dash, every field at column fields."""
    first, *rest = block.split("\n")
    return [" " * dash + "-" + " " * (fields - dash - 1) + first[2:],
            *(" " * fields + line if line else line for line in rest)]


def _same_except_added(old: Any, new: Any) -> bool:
    """Whether the new list is the old one plus one item at the end (values, not positions)."""
    return isinstance(new, YList) and len(new) == len(old or []) + 1 and list(new[:-1]) == list(old or [])


def _new_ambassador(root: Path, reg: Registry, args: argparse.Namespace) -> tuple[Path, str]:
    if len(args.locality) != 1:
        raise Usage("an ambassador belongs to one locality: give --locality ID once")
    locality = reg.resolve(args.locality[0], "localities", "--locality")
    name = _text(args.title, "name")
    aid = _slug(name, "name")
    rel = f"content/ambassadors/{locality}.yaml"
    path = root / rel

    # Ambassador ids are unique across all files (site.py); a broken other file cannot hide one.
    folder = root / "content" / "ambassadors"
    for other in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        other_rel = other.relative_to(root).as_posix()
        raw = _parse(_read_raw(other), other_rel)
        if not isinstance(raw, YList):
            continue
        for item, ipos in zip(raw, raw.item_pos, strict=True):
            if isinstance(item, YMap) and str(item.get("id")) in (aid,):
                raise Usage(f"there is already an ambassador with the id '{aid}' ({other_rel}:{ipos.line}): "
                            "if it is another person, add them by hand with another id, e.g. "
                            f"'{aid}-2'; nothing was written")

    entry = "\n".join([
        f"- id: {aid}",
        _kv("name", name),
        "# Valgfrie felter: slet '# ' foran dem, du vil bruge.",
        "# role: Formand for borgerforeningen",
        '# phone: "+45 12 34 56 78"',
        "# email: navn@example.dk",
        f"# photo: media/ambassadors/{aid}.jpg",
        f"# photo_alt: Portræt af {name}",
        "# Intet om personen offentliggøres, før samtykket fra den underskrevne",
        "# partnerskabsaftale er skrevet her. Slet '# ' foran linjerne og udfyld dem:",
        "# consent:",
        "#   given: ÅÅÅÅ-MM-DD    # den dato, aftalen blev underskrevet",
        "#   fields: [name]    # præcis de felter, aftalen tillader: name, role, phone, email, photo",
        "#   expires: ÅÅÅÅ-MM-DD    # valgfri: hvis aftalen udløber",
    ])
    if path.exists():
        old_text = _read_raw(path)
        old = _parse(old_text, rel)
        if old is not None and not isinstance(old, YList):
            raise Usage(f"{rel} is not a list of ambassadors ('- id: ...'): add the ambassador by hand")
        nl = _newline(old_text)
        lines = _lines(old_text)
        cols = _dash_indent(lines, old.item_pos[-1]) if old else (0, 2)
        if cols is None:
            raise Usage(f"{rel}: the list is written in a way this command cannot extend: add the "
                        "ambassador by hand")
        head = old_text
        if head and not head.endswith(("\n", "\r")):
            head += nl
        if head.strip() and not head.endswith(nl + nl):
            head += nl  # a blank line between records, as in the demo files
        new_text = head + nl.join(_indent(entry, *cols)) + nl
    else:
        old = old_text = None
        new_text = "\n".join([
            f"# Tryghedsambassadører i {reg.ids['localities'][locality].name}.",
            "# Kun det, der står i consent.fields, må offentliggøres, og kun mens samtykket gælder.",
            "",
            *_indent(entry, 0, 2),
            "",
        ])
    new = _parse(new_text, rel, ours=True)
    if not _same_except_added(old, new) or new[-1].get("id") != aid:
        raise Usage(f"{rel}: the ambassador could not be added without changing what is there: "
                    "add it by hand")
    _check_record(root, reg, rel, new[-1], new.item_pos[-1], schema.AMBASSADOR)
    _replace(path, old_text, new_text)
    return path, (f"nothing about {name} is published until the consent from the signed partnership "
                  f"agreement is recorded: fill in 'consent:' in {_shown(path)}")


def _postcodes(given: list[str]) -> list[str]:
    """--postcode as the validator reads postcodes, each once, in the order given."""
    if not given:
        raise Usage("give the locality's postcodes with --postcode NNNN (repeatable): they cannot be "
                    "guessed, and the postcode search finds the locality by them")
    postcodes: list[str] = []
    for text in given:
        try:
            code = schema.Postcode().convert(text, Position("?"), None)
        except schema.Invalid as exc:
            raise Usage(f"--postcode: {exc}") from None
        if code not in postcodes:
            postcodes.append(code)
    return postcodes


def _locality_officer(reg: Registry, given: str | None, municipality: str) -> str:
    """--officer, or the officer who already covers the municipality's localities when there is
    exactly one."""
    if given:
        return reg.resolve(given, "officers", "--officer")
    officers: list[str] = sorted({loc.officer for loc in reg.ids["localities"].values()
                                  if loc.municipality == municipality and loc.officer in reg.ids["officers"]})
    if len(officers) != 1:
        known = ", ".join(officers or sorted(reg.ids["officers"]))
        raise Usage(f"give the locality's contact officer with --officer ID ({known})")
    return officers[0]


def _new_locality(root: Path, reg: Registry, args: argparse.Namespace) -> tuple[Path, str]:
    if len(args.municipality) != 1:
        raise Usage("a locality belongs to one municipality: give --municipality ID once")
    municipality = reg.resolve(args.municipality[0], "municipalities", "--municipality")
    name = _text(args.title, "name")
    lid = _slug(name, "name")
    existing = reg.ids["localities"].get(lid)
    if existing is not None or lid in reg.invalid.get("localities", ()):
        where = f" (localities.yaml:{existing.pos.line})" if existing is not None else ""
        raise Usage(f"there is already a locality with the id '{lid}'{where}; nothing was written")
    postcodes = _postcodes(args.postcode)
    officer = _locality_officer(reg, args.officer, municipality)

    rel = schema.REGISTRY
    path = root / rel
    old_text = _read_raw(path)
    raw = _parse(old_text, rel)
    lst = raw.get("localities") if isinstance(raw, YMap) else None
    if not isinstance(lst, YList):
        raise Usage("localities.yaml has no 'localities:' list to add to: add the locality by hand")
    lines = _lines(old_text)
    nl = _newline(old_text)
    if not lst:
        # 'localities: []', as a new site starts: that line becomes the head of a block list.
        key_line = raw.key_pos["localities"].line
        if not re.fullmatch(r"localities:\s*\[\s*\]\s*(#.*)?", lines[key_line - 1].strip()):
            raise Usage("the 'localities:' list is written in a way this command cannot extend: "
                        "add the locality by hand")
        cols = (2, 4)
        head = "".join(lines[:key_line - 1]) + "localities:" + nl
        end, gap = key_line, ""
    else:
        found = _dash_indent(lines, lst.item_pos[-1])
        if found is None:
            raise Usage("the 'localities:' list is written in a way this command cannot extend: "
                        "add the locality by hand")
        cols = found
        dash = cols[0]
        # The last item ends before the next top-level field (or the end of the file), less the blank
        # lines and the comments at the list's indentation or less: those introduce what follows.
        last_line = lst.item_pos[-1].line
        after = [p.line for p in raw.key_pos.values() if p.line > last_line]
        end = (min(after) - 1) if after else len(lines)  # 1-based, inclusive
        while end > last_line:
            line = lines[end - 1]
            stripped = line.strip()
            if stripped and not (stripped.startswith("#") and len(line) - len(line.lstrip(" ")) <= dash):
                break
            end -= 1
        head = "".join(lines[:end])
        if not head.endswith(("\n", "\r")):
            head += nl
        first = lines[lst.item_pos[-1].line - 2] if len(lst) > 1 else ""
        gap = nl if len(lst) > 1 and not first.strip() else ""  # blank lines between items, as in the file
    entry = "\n".join([
        f"- id: {lid}",
        _kv("name", name),
        f"municipality: {municipality}",
        f"postcodes: {_flow([chr(34) + c + chr(34) for c in postcodes])}",
        f"officer: {officer}",
        "# Valgfrie felter: slet '# ' foran dem, du vil bruge.",
        "# coordinates: [55.7506, 11.9617]    # breddegrad og længdegrad",
        "# description: |",
        "#   Kort tekst om lokalområdet.",
        "# councils:",
        f"#   - name: {name} Lokalråd",
        "#     url: https://example.dk/",
        "#     email: kontakt@example.dk",
        "# priorities:",
        "#   - issue: Det, politiet og lokalområdet har aftalt at arbejde med",
        "#     action: Hvad der bliver gjort",
        f"#     since: {reg.today().isoformat()}",
    ])
    new_text = head + gap + nl.join(_indent(entry, *cols)) + nl + "".join(lines[end:])
    new = _parse(new_text, rel, ours=True)
    unchanged = isinstance(new, YMap) and list(new) == list(raw) and all(
        new[k] == raw[k] for k in raw if k != "localities")
    if not unchanged or not _same_except_added(lst, new.get("localities")) or new["localities"][-1].get("id") != lid:
        raise Usage("the locality could not be added without changing what is there: add it by hand")
    _check_record(root, reg, rel, new["localities"][-1], new["localities"].item_pos[-1], schema.LOCALITY)
    _replace(path, old_text, new_text)
    return path, ""


def _check_record(root: Path, reg: Registry, rel: str, raw: Any, pos: Position, spec: schema.RecordSpec) -> None:
    diags = Diagnostics()
    ctx = schema.Ctx(root, rel, diags, tz=reg.tz)
    ctx.field_name = ""
    schema.convert_record(raw, spec, pos, ctx)
    if diags.errors:
        raise Usage("; ".join(d.message for d in diags.errors))


# --------------------------------------------------------------------------------------------
# Atomic writes


def _temp_beside(path: Path, data: bytes, mode: int = 0o666) -> Path:
    """A new file with the data, in the same folder; its name starts with '.', which the loader skips."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)  # mode: less the umask
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _exists_message(path: Path) -> str:
    return f"{_shown(path)} already exists: nothing was written (edit that file, or choose another title)"


def _create(path: Path, text: str) -> Path:
    """Write a new file whole, never over an existing one."""
    if path.exists():
        raise Usage(_exists_message(path))
    tmp = _temp_beside(path, text.encode("utf-8"))
    try:
        try:
            os.link(tmp, path)  # atomic, and fails when the file exists (no race with a check)
        except FileExistsError:
            raise Usage(_exists_message(path)) from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise Usage(_exists_message(path)) from None
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _replace(path: Path, old_text: str | None, new_text: str) -> None:
    """Replace a file whole, or create it; refuses if it changed since it was read."""
    if old_text is None:
        _create(path, new_text)
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    tmp = _temp_beside(path, new_text.encode("utf-8"), mode)
    try:
        os.chmod(tmp, mode)
        if _read_raw(path) != old_text:
            raise Usage(f"{_shown(path)} changed while this command ran: nothing was written; run it again")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


_MAKERS = {
    "news": _new_news,
    "event": _new_event,
    "page": _new_page,
    "ambassador": _new_ambassador,
    "locality": _new_locality,
}
