"""What feeds, calendars, e-mails and open data share: the areas that have subscriptions, their
titles and descriptions, and absolute links in rendered Markdown."""
from __future__ import annotations

import re
from collections.abc import Iterator

from babel.support import NullTranslations

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
