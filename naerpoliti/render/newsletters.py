"""Newsletter issues: the web pages of the site, and the e-mail files of one issue on demand.

The site has, for every locality and municipality (see naerpoliti/newsletter.py for which issues
there are), an archive page `.../nyhedsbrev/` (even with no issues yet) and a page per year
`.../nyhedsbrev/YEAR/` with that year's issues, newest first, each a section whose id is its
period. They are written in every language version of the site (under /en/ too). An issue's web
form is lighter than its e-mail: news and events as title, date and link.

The e-mail files of an issue are not part of the site: `naerpoliti newsletter render` and `send`
make them for the one issue at hand (render_emails), in the site's language:

- email.html: a 600 px table layout for Gmail, Outlook and Apple Mail, every style inlined
  (css-inline) except a few media queries, absolute URLs only, a hidden preheader;
- email.txt: the same as plain text, wrapped at 72 columns, links written out;
- nyhedsbrev.eml: both as multipart/alternative, with List-* headers (RFC 2369, 2919, 8058),
  byte for byte the same for the same content: no clock, no random boundary.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import textwrap
from collections.abc import Callable, Sequence
from email import quoprimime
from email.header import Header
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import css_inline
import jinja2
from markupsafe import Markup

from .. import newsletter
from ..markup import plain_text
from ..newsletter import Area, Issue
from ..site import SiteModel
from ..site import host as site_host
from ..urls import Urls
from . import Output
from .environment import store_of
from .keys import NO_REUSE, Keys, Reuse
from .pages import Version, alternates
from .shared import absolutize

WIDTH = 72  # columns of email.txt
EML_NAME = "nyhedsbrev.eml"
EMAIL_FILES = ("email.html", "email.txt", EML_NAME)  # what render_emails makes of an issue, in order

_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_INDENT = re.compile(r"\s*(?:[-*] |\d+\. |(?:> )+)?")  # what continues a wrapped line
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]+')
# SMTP (CRLF, lines folded at 78) that leaves headers set with set_raw as written: the policy
# the .eml has always been written with (see eml())
_POLICY = SMTP.clone(refold_source="none")


def year_of(issue: Issue) -> str:
    """The year whose page shows an issue: a month's, or the ISO year of a week."""
    return issue.period[:4]


def by_year(issues: Sequence[Issue]) -> list[tuple[str, list[Issue]]]:
    """Issues (newest first) grouped by the year whose page shows them, newest first."""
    return [(year, list(group)) for year, group in itertools.groupby(issues, key=year_of)]


class _WebPages:
    """The archive and year pages of one language version."""

    def __init__(self, site: SiteModel, version: Version, other: Version | None, keys: Keys | None = None,
                 reuse: Reuse = NO_REUSE, fragments: dict[Any, Any] | None = None):
        self.site, self.keys, self.reuse = site, keys, reuse
        self.counting = other is None or version[0] == site.config.language  # the primary version counts issues
        self.language, env, self.urls = version
        self.env = env
        self.other = (other[0], other[2]) if other else None
        self.common = {"site": site, "config": site.config, "urls": self.urls,
                       "statement_url": site.config.was_url or self.urls.statement()}
        self.archive_page = env.get_template("newsletter_archive.html")
        self.year_page = env.get_template("newsletter_year.html")
        self.period_names: dict[str, str] = {}  # period -> its words; Babel formats a date slowly
        # what shared() and shared_each() made once for these pages (the build's store, when given)
        self.fragments: dict[Any, Any] = {} if fragments is None else fragments

    def period_name(self, period: str) -> str:
        name = self.period_names.get(period)
        if name is None:
            name = self.period_names[period] = newsletter.period_words(period, self.language)
        return name

    def render(self, template: jinja2.Template, url_path: str, area: Area, **context: Any) -> str:
        return template.render(**self.common, **context, fragments=self.fragments, area=area, page_url=url_path,
                               feeds=(area.kind, area.id),
                               crumbs=_crumbs(self.site, self.urls, area), canonical=self.urls.absolute(url_path),
                               alternates=alternates(url_path, self.language, self.urls, self.other))

    def _page(self, template: jinja2.Template, url_path: str, origin: str, made_from: tuple[object, ...],
              make: Callable[[], str], count: int = 0, group: tuple[str, str] = ("", "")) -> Output:
        """A page, or the previous build's file of it when its render key (made from the area's
        issues, which hold what they show) is the same."""
        path = self.urls.output_path(url_path)
        key = ""
        if self.keys is not None:
            assert template.name is not None
            key = self.keys.of(self.keys.template(self.env, template.name), url_path, self.language, self.other,
                               *made_from)
        taken = self.reuse.taken(path, key, (path,), origin, count, group)
        if taken is not None:
            return taken[0]
        return Output(path, make().encode("utf-8"), origin=origin, unit=path, key=key, count=count,
                      group=group[0], group_key=group[1])

    def group_part(self) -> tuple[object, ...]:
        """What this version adds to the group key of an area's pages (render_newsletters)."""
        assert self.keys is not None and self.archive_page.name and self.year_page.name
        return (self.language, self.urls, self.other, self.counting,
                self.keys.template(self.env, self.archive_page.name), self.keys.template(self.env, self.year_page.name))

    def archive(self, area: Area, issues: Sequence[Issue], group: tuple[str, str] = ("", "")) -> Output:
        url_path = self.urls.newsletter_archive(area.kind, area.id)
        return self._page(self.archive_page, url_path, f"the newsletter archive of {area.kind} '{area.id}'",
                          (area, issues), lambda: self.render(
                              self.archive_page, url_path, area, issues=issues, years=by_year(issues),
                              officers=newsletter.contact_officers(self.site, area.kind, area.id),
                              period_name=lambda i: self.period_name(i.period)), group=group)

    def years(self, area: Area, issues: Sequence[Issue], group: tuple[str, str] = ("", "")) -> list[Output]:
        """The page of each year with issues, newest first (the issues are newest first)."""
        grouped = by_year(issues)
        years = [year for year, _ in grouped]
        officers = issues[0].officers if issues else ()
        stations = {o.id: self.site.stations.get(o.station) if o.station else None for o in officers}
        out = []
        for year, its_issues in grouped:
            url_path = self.urls.newsletter_year(area.kind, area.id, year)
            out.append(self._page(
                self.year_page, url_path, f"the newsletters of {area.kind} '{area.id}' of {year}",
                (area, year, years, its_issues, officers, stations),
                functools.partial(self.render, self.year_page, url_path, area, year=year, years=years,
                                  issues=its_issues, officers=officers, stations=stations,
                                  period_name=self.period_name),
                count=len(its_issues) if self.counting else 0, group=group))
        return out


def render_newsletters(site: SiteModel, env: jinja2.Environment, urls: Urls,
                       areas: Sequence[Area] | None = None, alternate: Version | None = None,
                       keys: Keys | None = None, reuse: Reuse = NO_REUSE,
                       fragments: dict[Any, Any] | None = None) -> list[Output]:
    """The archive and year pages of every area; with `alternate` (the other language version),
    its archive and year pages too. `areas` (from newsletter.areas(site)) renders only those, with
    exactly the outputs the full call makes for them: nothing here is shared between areas, so a
    build can split the areas between processes. With `keys`, a page whose render key the previous
    build recorded (`reuse`) is taken over.

    An area's pages in every version are a group (Output.group) whose key is made from what its
    issues are made from (its scope's lists of news and events, digested once a build, its
    intros, the date) rather than from the issues: when it is the previous build's, the pages are
    taken over without working out the issues, which on a national site is most of the time of
    a rebuild after an edit that concerns a few areas.

    `fragments`: a store of what shared() and shared_each() made, kept from one call to the next
    of one build (in each process that renders), under ("newsletters", language), as render_pages()
    keeps its own."""
    primary: Version = (str(env.globals["language"]), env, urls)
    versions = [_WebPages(site, version, other, keys, reuse, store_of(fragments, "newsletters", version[0]))
                for version, other in ((primary, alternate), (alternate, primary)) if version is not None]
    chosen = list(areas) if areas is not None else newsletter.areas(site)
    made: list[list[Output]] = [[] for _ in chosen]
    missed: list[tuple[int, tuple[str, str]]] = []
    for n, area in enumerate(chosen):
        group = ("", "")
        if keys is not None:
            group = (f"newsletters of {area.kind} {area.id}", group_key(site, area, versions, keys))
            taken = reuse.group(*group, f"the newsletters of {area.kind} '{area.id}'")
            if taken is not None:
                made[n] = taken
                continue
        missed.append((n, group))
    made_issues = newsletter.all_issues(site, [chosen[n] for n, _ in missed])
    for (n, group), (area, issues) in zip(missed, made_issues, strict=True):
        for version in versions:
            made[n].append(version.archive(area, issues, group))
            made[n] += version.years(area, issues, group)
    return [o for outputs in made for o in outputs]


def group_key(site: SiteModel, area: Area, versions: Sequence[_WebPages], keys: Keys) -> str:
    """What an area's newsletter pages are made from, without working out its issues
    (newsletter.issues_for): the area, the date, its intros, the lists of news and events in its
    scope, and each version's language, URLs and templates (the registry, its priorities, officers
    and stations are in every key)."""
    intros = tuple(i for i in site.newsletter_intros if i.area == area.id)
    return keys.of("newsletters", area, site.today, intros, [v.group_part() for v in versions],
                   keys.scope(area.kind, area.id))


def render_emails(site: SiteModel, env: jinja2.Environment, urls: Urls, area: Area,
                  issues: Sequence[Issue]) -> list[tuple[bytes, bytes, bytes]]:
    """The e-mail files (EMAIL_FILES) of some issues of an area, in the site's language (`env`):
    what `naerpoliti newsletter render` and `send` make of the issue at hand."""
    config = site.config
    web = _WebPages(site, (str(env.globals["language"]), env, urls), None)
    common = {**web.common, "alternates": []}
    strings: Any = env.get_template("email/macros.html").make_module(common)  # its macros, as attributes
    email_html = env.get_template("email/email.html")
    email_text = env.get_template("email/email.txt")
    # the same for every issue of the area
    archive_url = urls.absolute(urls.newsletter_archive(area.kind, area.id))
    area_url = urls.absolute(urls.area(area.kind, area.id))
    unsubscribe_subject = Markup(strings.unsubscribe_subject(area.name)).unescape().strip()
    unsubscribe_url = newsletter.unsubscribe_link(config, unsubscribe_subject)
    out = []
    for issue in issues:
        words = web.period_name(issue.period)
        context: dict[str, Any] = {
            "issue": issue, "area": area, "period_name": words,
            "subject": f"{config.title} – {area.name}, {words}",
            "preheader": newsletter.preheader(issue, urls.origin),
            "web_url": urls.absolute(urls.newsletter_issue(area.kind, area.id, issue.period)),
            "archive_url": archive_url,
            "area_url": area_url,
            "unsubscribe_url": unsubscribe_url,
            "intro_html": Markup(absolutize(issue.intro.body.html, urls.origin)) if issue.intro else "",
            "intro_text": plain_text(issue.intro.body, urls.origin) if issue.intro else "",
            # "What we did" in the e-mails: each update's text with absolute links
            "done": [(d, Markup(absolutize(d.update.text.html, urls.origin)),
                      plain_text(d.update.text, urls.origin)) for d in issue.updates],
            "stations": {o.id: site.stations.get(o.station) if o.station else None for o in issue.officers},
        }
        raw_html = email_html.render(**common, **context)
        raw_text = email_text.render(**common, **context)
        html, text = inline_css(raw_html), wrap(raw_text)
        out.append((html.encode("utf-8"), text.encode("utf-8"),
                    eml(site, issue, context["subject"], text, html, archive_url, unsubscribe_subject)))
    return out


def _crumbs(site: SiteModel, urls: Urls, area: Area) -> list[tuple[str, str]]:
    """The breadcrumbs between Home and an area's newsletters: district, municipality, locality."""
    if area.kind == "locality":
        loc = site.locality_by_id[area.id]
        mun = site.municipality_by_id[loc.municipality]
    else:
        loc, mun = None, site.municipality_by_id[area.id]
    district = site.district_by_id[mun.district]
    items = [(district.name, urls.district(district.id)), (mun.name, urls.municipality(mun.id))]
    if loc:
        items.append((loc.name, urls.locality(loc.id)))
    return items


# --- HTML and text


def inline_css(html: str) -> str:
    """Move the <style> rules into style attributes; only @media rules stay in <style>."""
    return _INLINER.inline(html).rstrip("\n") + "\n"


def wrap(text: str, width: int = WIDTH) -> str:
    """Wrap every long line at `width` columns, keeping its indent, its bullet ('- ', '1. ') or
    quote mark ('> '); URLs and other long words are never broken."""
    out = []
    for line in text.split("\n"):
        line = line.rstrip()
        out.append(line if len(line) <= width else _wrap_line(line, width))
    return "\n".join(out).strip("\n") + "\n"


@functools.lru_cache(maxsize=4096)  # the same long lines recur in issue after issue: the police
def _wrap_line(line: str, width: int) -> str:  # numbers, the footer, a news summary in every area
    indent = _INDENT.match(line).group(0)  # type: ignore[union-attr]  # it matches any line
    rest = indent if indent.endswith("> ") else " " * len(indent)
    return textwrap.fill(line[len(indent):], width, initial_indent=indent, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


# --- the message


def _phrase(name: str) -> str:
    """A display name safe without quoting (RFC 5322 specials become spaces)."""
    return " ".join(_SPECIALS.sub(" ", name).split())


@functools.lru_cache(maxsize=1024)  # the From name is the same in every issue, List-Id in an area's
def _header_text(value: str, name: str) -> str:
    """Header text we encode ourselves. Python's email package (before 3.11.10) decodes an
    encoded word written in a display name or subject ("=?utf-8?q?=0D=0ABcc:...?=") while folding,
    which injects headers; text that is not plain ASCII, or looks like an encoded word, becomes
    encoded words here, so nothing in it is read as header syntax."""
    plain = value.isascii() and "=?" not in value and value.isprintable()
    if plain and max(map(len, value.split(" "))) <= _WORD_MAX:
        return value  # _raw() folds it between words
    return Header(value, "utf-8", header_name=name).encode()  # encoded words, lines within 76


def _ascii_url(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


# The message is written out here rather than built with EmailMessage: the email package's header
# registry, set_content() and generator were more than half the time of rendering the newsletters.
# Its bytes are exactly those of the EmailMessage(policy=SMTP) this replaced, which
# tests/test_newsletters.py keeps as the reference and compares against: headers set with
# set_raw() as written, the others folded by the header registry itself (_folded), the bodies
# encoded as contentmanager.set_text_content() did (_quoted_printable), parts and boundaries laid
# out as email.generator does, and even the MIME-Version header that add_alternative() gave the
# second part.

_NL = "\r\n"
_MAX_LINE = 78  # the SMTP policy's max_line_length, for headers and quoted-printable lines alike
_PLAIN_ID = re.compile(r"<[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*>\Z")
_PLAIN_BOUNDARY = re.compile(r"[A-Za-z0-9=_.-]+\Z")


_WORD_MAX = 70  # a longer word of plain header text is written as encoded words, which fold
_HARD_LIMIT = 998  # RFC 5322: no line of a message longer, CRLF not counted


def _raw(name: str, value: str) -> str:
    """A header set with set_raw() under refold_source="none": its lines as written, except that
    a line longer than 78 is folded between words (the first word stays beside the name), and a
    word too long for even 998 characters, which can only be a URL in <> (names and subjects
    with long words are encoded words, ids are kept short), is broken with folding white space,
    which RFC 2369 has readers ignore inside the <>."""
    lines: list[str] = []
    for i, line in enumerate(value.splitlines()):
        line = f"{name}: {line}" if i == 0 else line
        lines += _fold(line) if len(line) > _MAX_LINE else [line]
    return _NL.join(lines) + _NL


def _fold(line: str) -> list[str]:
    """A long header line folded before spaces, each line at most 78 where its words allow; the
    first word stays on the line it starts (beside the name, or after the leading white space)."""
    body = line.lstrip(" \t")
    if body is line:  # the header's first line: "Name: first-word" stay together
        name, _, body = line.partition(": ")
        lead = name + ": "
    else:
        lead = line[:len(line) - len(body)]
    words = body.split(" ")
    out = [lead + words[0]]
    for word in words[1:]:
        if len(out[-1]) + 1 + len(word) <= _MAX_LINE:
            out[-1] += " " + word
        else:
            out.append(" " + word)
    return [piece for folded in out for piece in _break(folded)]


def _break(line: str) -> list[str]:
    """A line cut into pieces of 78, each after the first starting with a space, if it is over 998."""
    if len(line) <= _HARD_LIMIT:
        return [line]
    pieces = [line[:_MAX_LINE]]
    rest = line[_MAX_LINE:]
    while rest:
        pieces.append(" " + rest[:_MAX_LINE - 1])
        rest = rest[_MAX_LINE - 1:]
    return pieces


def _short_id(text: str, limit: int = 64) -> str:
    """An id for a Message-ID or List-Id: as it is, or when longer than `limit` (an area id has no
    length limit) its start and a hash of all of it, so the header stays short and unique."""
    if len(text) <= limit:
        return text
    return text[:limit - 17] + "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def boundary_of(key: str) -> str:
    """The MIME boundary of an issue: short (RFC 2046 allows 70 characters, and a long one would be
    written in RFC 2231 pieces, which some mail apps do not read), the same in every build, and
    beginning with "=_", which never occurs in quoted-printable text, so no part can contain it."""
    return "=_naerpoliti_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@functools.lru_cache(maxsize=1024)  # To, Reply-To, the few dates, the part headers: mostly the same
def _folded(name: str, value: str) -> str:
    """A header set with msg[name] = value: parsed by the header registry, folded at 78."""
    return str(_POLICY.fold(*_POLICY.header_store_parse(name, value)))


def _message_id(value: str) -> str:
    line = f"Message-ID: {value}"
    if len(line) <= _MAX_LINE and _PLAIN_ID.match(value):
        return line + _NL  # what the registry writes for a short <dot-atom@dot-atom>
    return _folded("Message-ID", value)


def _multipart_type(boundary: str) -> str:
    value = f'multipart/alternative; boundary="{boundary}"'
    if _PLAIN_BOUNDARY.match(boundary):
        # what the registry writes for a plain boundary: on one line if it fits, else on the
        # next, as long as that line stays under 78 (beyond, it switches to RFC 2231 pieces)
        if len("Content-Type: ") + len(value) <= _MAX_LINE:
            return f"Content-Type: {value}{_NL}"
        if len(f' boundary="{boundary}"') < _MAX_LINE:
            return f'Content-Type: multipart/alternative;{_NL} boundary="{boundary}"{_NL}'
    return _folded("Content-Type", value)


class _QuotedCharacters(dict[str, str]):
    """A character -> its UTF-8 bytes as quoted-printable "=XX"s, computed once per character
    (for the first few thousand distinct characters: a text can use a great many)."""

    def __missing__(self, char: str) -> str:
        quoted = "".join(f"={byte:02X}" for byte in char.encode("utf-8"))
        if len(self) < 5000:
            self[char] = quoted
        return quoted


# What email.quoprimime's body map quotes besides "=": everything but printable ASCII, tab and
# line ends. Quoting the characters this way, rather than as quoprimime does with str.translate()
# over each byte of the UTF-8 text, was most of the time saved.
_QP_UNSAFE = re.compile(r"[^\t\n -~]")
_QP_QUOTED = _QuotedCharacters()


def _quoted_printable(text: str) -> str:
    """A text body as set_content(text, charset="utf-8", cte="quoted-printable") under the SMTP
    policy wrote it: UTF-8, lines ended by CRLF, soft breaks keeping every line within 78
    characters. The same as encoding with email.quoprimime.body_encode(), step for step."""
    # contentmanager's normal_body(): lines as bytes.splitlines() splits them, each ended by "\n"
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    body = _QP_UNSAFE.sub(lambda m: _QP_QUOTED[m.group()], body.replace("=", "=3D"))
    soft_break = "=" + _NL
    maxlinelen1 = _MAX_LINE - 1  # leave room for the "=" of a soft break
    encoded: list[str] = []
    append = encoded.append
    # body ends with "\n", so the last piece is "": body_encode's final empty line
    for line in body.split("\n"):
        if len(line) <= _MAX_LINE and not line.endswith((" ", "\t")):
            append(line)  # most lines: nothing to break or quote
            continue
        start = 0
        laststart = len(line) - 1 - _MAX_LINE
        while start <= laststart:
            stop = start + maxlinelen1
            if line[stop - 2] == "=":  # never split an =XX
                append(line[start:stop - 1])
                start = stop - 2
            elif line[stop - 1] == "=":
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + "=")
                start = stop
        if line and line[-1] in " \t":  # whitespace at the end of a line is quoted
            room = start - laststart
            if room >= 3:
                q = quoprimime.quote(line[-1])
            elif room == 2:
                q = line[-1] + soft_break
            else:
                q = soft_break + quoprimime.quote(line[-1])
            append(line[start:-1] + q)
        else:
            append(line[start:])
    return _NL.join(encoded)


def eml(site: SiteModel, issue: Issue, subject: str, text: str, html: str, archive_url: str,
        unsubscribe_subject: str) -> bytes:
    """The ready-to-send message: multipart/alternative, text/plain then text/html, UTF-8,
    quoted-printable (7-bit clean, short lines), CRLF. The sender replaces the To placeholder."""
    config = site.config
    host = site_host(config)
    noon = dt.datetime.combine(issue.date, dt.time(12), tzinfo=ZoneInfo(config.timezone))
    boundary = boundary_of(issue.key)
    headers = [
        _raw("Subject", _header_text(subject, "Subject")),
        _raw("From", f"{_header_text(_phrase(config.title), 'From')} <{newsletter.sender(config)}>"),
        _folded("To", "undisclosed-recipients:;"),
    ]
    if config.newsletter.reply_to:
        headers.append(_folded("Reply-To", config.newsletter.reply_to))
    headers += [
        _folded("Date", format_datetime(noon)),
        _message_id(f"<{_short_id(issue.key)}@{host}>"),
        _raw("List-Id", f"{_header_text(_phrase(issue.area.name), 'List-Id')} "  # RFC 2919
                        f"<{_short_id(issue.area.key)}.{host}>"),
        # URLs are written as they are: the email package would fold a long one into encoded words
        _raw("List-Unsubscribe", ",\n ".join(  # RFC 2369
            f"<{_ascii_url(uri)}>" for uri in newsletter.list_unsubscribe(config, unsubscribe_subject))),
    ]
    if (config.newsletter.unsubscribe_url or "").startswith("https://"):
        headers.append(_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))  # RFC 8058
    headers += [
        _raw("List-Archive", f"<{_ascii_url(archive_url)}>"),
        _folded("MIME-Version", "1.0"),
        _multipart_type(boundary),
    ]
    parts = [
        _folded("Content-Type", 'text/plain; charset="utf-8"')
        + _folded("Content-Transfer-Encoding", "quoted-printable")
        + _NL + _quoted_printable(text),
        _folded("Content-Type", 'text/html; charset="utf-8"')
        + _folded("Content-Transfer-Encoding", "quoted-printable")
        + _folded("MIME-Version", "1.0")  # as add_alternative() wrote it: harmless, and kept
        + _NL + _quoted_printable(html),
    ]
    delimiter = f"{_NL}--{boundary}{_NL}"
    message = ("".join(headers) + _NL + f"--{boundary}{_NL}" + delimiter.join(parts)
               + f"{_NL}--{boundary}--{_NL}")
    # as the generator's BytesGenerator writes headers: ASCII, anything else kept as surrogates
    return message.encode("ascii", "surrogateescape")
