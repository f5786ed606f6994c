"""Newsletter issues: web page, email.html, email.txt and a ready-to-send .eml; archives.

For every issue (see naerpoliti/newsletter.py for which issues there are), beside its web page
`.../nyhedsbrev/PERIOD/`:

- email.html: a 600 px table layout for Gmail, Outlook and Apple Mail, every style inlined
  (css-inline) except a few media queries, absolute URLs only, a hidden preheader;
- email.txt: the same as plain text, wrapped at 72 columns, links written out;
- nyhedsbrev.eml: both as multipart/alternative, with List-* headers (RFC 2369, 2919, 8058),
  byte for byte the same for the same content: no clock, no random boundary.

And an archive page per locality and municipality, even with no issues yet.
"""
from __future__ import annotations

import datetime as dt
import re
import textwrap
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from html.parser import HTMLParser
from urllib.parse import quote
from zoneinfo import ZoneInfo

import css_inline
import jinja2
from markupsafe import Markup

from .. import newsletter
from ..newsletter import Area, Issue
from ..site import SiteModel
from ..urls import Urls
from . import Output

WIDTH = 72  # columns of email.txt
EML_NAME = "nyhedsbrev.eml"

_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_SITE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]+')
# SMTP (CRLF, lines folded at 78) that leaves headers set with set_raw as written
_POLICY = SMTP.clone(refold_source="none")


def render_newsletters(site: SiteModel, env: jinja2.Environment, urls: Urls) -> list[Output]:
    out: list[Output] = []
    common = {"site": site, "config": site.config, "urls": urls, "alternates": [],
              "statement_url": site.config.was_url or urls.statement()}
    strings = env.get_template("email/macros.html").make_module(common)
    language = env.globals["language"]

    def page(template: str, url_path: str, origin: str, feeds, **context) -> None:
        html = env.get_template(template).render(**common, **context, page_url=url_path, feeds=feeds,
                                                 canonical=urls.absolute(url_path))
        out.append(Output(urls.output_path(url_path), html.encode("utf-8"), origin=origin))

    for area, issues in newsletter.all_issues(site):
        feeds = (area.kind, area.id)
        officers = newsletter.contact_officers(site, area.kind, area.id)
        page("newsletter_archive.html", urls.newsletter_archive(area.kind, area.id),
             f"the newsletter archive of {area.kind} '{area.id}'", feeds,
             area=area, issues=issues, officers=officers, crumbs=_crumbs(site, urls, area),
             period_name=lambda i: newsletter.period_words(i.period, language),
             contact=site.config.newsletter.unsubscribe_email or newsletter.sender(site.config))
        for issue in issues:
            url_path = urls.newsletter_issue(area.kind, area.id, issue.period)
            origin = f"newsletter '{issue.key}'"
            period_name = newsletter.period_words(issue.period, language)
            unsubscribe_subject = Markup(strings.unsubscribe_subject(area.name)).unescape().strip()
            context = dict(
                issue=issue, area=area, period_name=period_name,
                subject=f"{site.config.title} – {area.name}, {period_name}",
                preheader=newsletter.preheader(issue),
                web_url=urls.absolute(url_path),
                archive_url=urls.absolute(urls.newsletter_archive(area.kind, area.id)),
                area_url=urls.absolute(urls.area(area.kind, area.id)),
                unsubscribe_url=newsletter.unsubscribe_link(site.config, unsubscribe_subject),
                intro_html=Markup(_absolute_links(issue.intro.body.html, urls.origin)) if issue.intro else "",
                intro_text=html_to_text(issue.intro.body.html, urls.origin) if issue.intro else "",
                stations={o.id: site.stations.get(o.station) if o.station else None for o in issue.officers},
                email_files=[(name, url_path + name) for name in ("email.html", "email.txt", EML_NAME)],
            )
            page("newsletter_issue.html", url_path, origin, feeds, crumbs=_crumbs(site, urls, area),
                 **context)
            raw_html = env.get_template("email/email.html").render(**common, **context)
            raw_text = env.get_template("email/email.txt").render(**common, **context)
            html, text, message = _email_files(site, issue, context["subject"], raw_text, raw_html,
                                               context["archive_url"], unsubscribe_subject)
            base = urls.output_path(url_path)[: -len("index.html")]
            out.append(Output(base + "email.html", html, origin=origin))
            out.append(Output(base + "email.txt", text, origin=origin))
            out.append(Output(base + EML_NAME, message, origin=origin))
    return out


# The finished e-mail files by everything they are made from, for the life of the process: inlining
# the CSS and encoding the message were a third of a `serve` rebuild, and most issues do not change.
_EMAILS: dict[tuple, tuple[bytes, bytes, bytes]] = {}


def _email_files(site: SiteModel, issue: Issue, subject: str, raw_text: str, raw_html: str, archive_url: str,
                 unsubscribe_subject: str) -> tuple[bytes, bytes, bytes]:
    key = (site.config, issue.date, issue.key, issue.area.name, issue.area.key, subject, raw_text, raw_html,
           archive_url, unsubscribe_subject)
    made = _EMAILS.get(key)
    if made is None:
        html, text = inline_css(raw_html), wrap(raw_text)
        made = (html.encode("utf-8"), text.encode("utf-8"),
                eml(site, issue, subject, text, html, archive_url, unsubscribe_subject))
        if len(_EMAILS) > 20000:  # a long preview session: start afresh rather than grow without end
            _EMAILS.clear()
        _EMAILS[key] = made
    return made


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


def _absolute_links(html: str, origin: str) -> str:
    """Site links in rendered Markdown are root-relative (/sub/...): e-mail needs https://host/sub/..."""
    return _SITE_LINK.sub(lambda m: m.group(1) + origin + "/", html)


class _TextWriter(HTMLParser):
    """Rendered Markdown -> plain text: paragraphs, '- ' list items, links as 'text (URL)'."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "ul", "ol",
              "dl", "dt", "dd", "hr", "div", "section"}

    def __init__(self, origin: str):
        super().__init__(convert_charrefs=True)
        self.origin = origin
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []
        self.in_item = 0

    def _break(self, tag: str) -> None:
        if tag in self.BLOCKS and not (self.in_item and tag == "p"):
            self.parts.append("\n\n")

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._break(tag)
        if tag == "li":
            self.in_item += 1
            self.parts.append("\n- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.links.append((a.get("href") or "", len(self.parts)))
        elif tag == "img" and a.get("alt"):
            self.parts.append(f"[{a['alt']}]")

    def handle_endtag(self, tag):
        if tag == "li":
            self.in_item -= 1
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if href.startswith("/") and not href.startswith("//"):
                href = self.origin + href
            if href and not href.startswith("#") and label != href and f"mailto:{label}" != href:
                self.parts.append(f" ({href})")
        self._break(tag)

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        raw = "".join(self.parts)
        lines = [line.strip() for line in raw.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, origin: str) -> str:
    writer = _TextWriter(origin)
    writer.feed(html)
    writer.close()
    return writer.text()


def wrap(text: str, width: int = WIDTH) -> str:
    """Wrap every long line at `width` columns, keeping its indent and '- ' bullet; URLs and
    other long words are never broken."""
    out = []
    for line in text.split("\n"):
        line = line.rstrip()
        if len(line) <= width:
            out.append(line)
            continue
        indent = re.match(r"\s*(?:[-*] )?", line).group(0)
        out.append(textwrap.fill(line[len(indent):], width, initial_indent=indent,
                                 subsequent_indent=" " * len(indent),
                                 break_long_words=False, break_on_hyphens=False))
    return "\n".join(out).strip("\n") + "\n"


# --- the message


def _phrase(name: str) -> str:
    """A display name safe without quoting (RFC 5322 specials become spaces)."""
    return " ".join(_SPECIALS.sub(" ", name).split())


def _header_text(value: str, name: str) -> str:
    """Header text we encode ourselves. Python's email package (before 3.11.10) decodes an
    encoded word written in a display name or subject ("=?utf-8?q?=0D=0ABcc:...?=") while folding,
    which injects headers; text that is not plain ASCII, or looks like an encoded word, becomes
    encoded words here, so nothing in it is read as header syntax."""
    if value.isascii() and "=?" not in value and value.isprintable():
        return value
    return Header(value, "utf-8", header_name=name).encode()


def _ascii_url(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def eml(site: SiteModel, issue: Issue, subject: str, text: str, html: str, archive_url: str,
        unsubscribe_subject: str) -> bytes:
    """The ready-to-send message: multipart/alternative, text/plain then text/html, UTF-8,
    quoted-printable (7-bit clean, short lines), CRLF. The sender replaces the To placeholder."""
    config = site.config
    host = newsletter.host(config)
    msg = EmailMessage(policy=SMTP)
    msg.set_raw("Subject", _header_text(subject, "Subject"))
    msg.set_raw("From", f"{_header_text(_phrase(config.title), 'From')} <{newsletter.sender(config)}>")
    msg["To"] = "undisclosed-recipients:;"
    if config.newsletter.reply_to:
        msg["Reply-To"] = config.newsletter.reply_to
    noon = dt.datetime.combine(issue.date, dt.time(12), tzinfo=ZoneInfo(config.timezone))
    msg["Date"] = format_datetime(noon)
    msg["Message-ID"] = f"<{issue.key}@{host}>"
    msg.set_raw("List-Id", f"{_header_text(_phrase(issue.area.name), 'List-Id')} <{issue.area.key}.{host}>")  # RFC 2919
    # URLs are written as they are: the email package would fold a long one into encoded words
    msg.set_raw("List-Unsubscribe", ",\n ".join(  # RFC 2369
        f"<{_ascii_url(uri)}>" for uri in newsletter.list_unsubscribe(config, unsubscribe_subject)))
    if (config.newsletter.unsubscribe_url or "").startswith("https://"):
        msg.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")  # RFC 8058
    msg.set_raw("List-Archive", f"<{_ascii_url(archive_url)}>")
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # "=_" never occurs in quoted-printable text, so the boundary cannot collide with a part
    msg.set_boundary(f"=_naerpoliti_{issue.key}")
    return msg.as_bytes(policy=_POLICY)
