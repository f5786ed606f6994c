"""What feeds, calendars, e-mails and open data share: the areas that have subscriptions, their
titles and descriptions, and absolute links in rendered Markdown."""
from __future__ import annotations

import re
from collections.abc import Iterator

from babel.support import NullTranslations
from markupsafe import escape

from ..markup import bounded_summary
from ..site import SiteModel
from ..texts import N_
from .environment import translations

Area = tuple[str | None, str | None]  # (kind, id); (None, None) is the whole site

# Root-relative URLs in rendered Markdown (href="/lokalsamfund/x/", src="/media/..."): a feed
# reader or a mail app shows the HTML away from the site, so they become absolute.
_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/))')

FEED_DESCRIPTION = N_("News and events from %(area)s")
CALENDAR_DESCRIPTION = N_("Events in %(area)s: open council meetings, citizens' meetings and visits of "
                          "the mobile police station.")


# One item reaches the feeds of every area it concerns (a national one: every area, in three
# formats) and the newsletters of each: what it carries there is bounded, whatever its file holds.
# Beyond FULL_CONTENT_MAX bytes of HTML an entry carries its summary and a link instead of its
# text; a summary has at most fieldtypes.SUMMARY_MAX characters (SECURITY.md states the bound).
FULL_CONTENT_MAX = 20_000


def bounded_content(html: str, summary: str, url: str) -> tuple[str, str]:
    """An entry's (HTML, summary) for a feed: the HTML when it is at most FULL_CONTENT_MAX bytes,
    else the summary and a link to the whole text; the summary bounded either way."""
    summary = bounded_summary(summary)
    if len(html) <= FULL_CONTENT_MAX // 4 or len(html.encode("utf-8")) <= FULL_CONTENT_MAX:
        return html, summary
    link = escape(url)
    return f'<p>{escape(summary)}</p>\n<p><a href="{link}">{link}</a></p>\n', summary


def absolutize(html: str, origin: str) -> str:
    """Rendered Markdown with its site links and media made absolute."""
    return _ROOT_RELATIVE.sub(lambda m: m.group(1) + origin + m.group(2), html)


def areas(site: SiteModel) -> Iterator[Area]:
    """The site, then every district, municipality and locality: each has feeds and a calendar."""
    yield (None, None)
    for d in site.districts:
        yield ("district", d.id)
    for m in site.municipalities:
        yield ("municipality", m.id)
    for loc in site.localities:
        yield ("locality", loc.id)


def area_title(site: SiteModel, kind: str | None, id: str | None) -> str:
    """The title of an area's feed or calendar: "Skibby – Nærpoliti", the site's own title."""
    name = site.area_name(kind, id)
    return name if kind is None else f"{name} – {site.config.title}"


def catalog(site: SiteModel, given: NullTranslations | None) -> NullTranslations:
    """The catalog of the site's language: the one given (the build's, with a site's own
    templates/locale/ on top), else the theme's."""
    return given if given is not None else translations(None, site.config.language)
