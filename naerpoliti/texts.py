"""User-visible texts that Python code writes, as English msgids of the theme's message catalog.

The templates translate their texts with `_()`; feeds, calendars, newsletters and the browser
editor's configuration are written by Python and translate theirs here, through the same catalog
(templates/locale/, a site's own templates/locale/ first), so that every language version says
the same thing in the same words. `N_()` only marks a msgid for extraction (pybabel finds it in
naerpoliti/**.py); the text is translated where it is used, with the catalog of the output's
language.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a msgid for extraction; translate it later with a catalog's gettext."""
    return message


# The name of each event kind (model.EVENT_KINDS): shown on event pages and in lists, as a feed
# entry's category, a calendar event's CATEGORIES and a select option in the browser editor.
EVENT_KINDS: Mapping[str, str] = MappingProxyType({
    "open-council-meeting": N_("Open council meeting"),
    "citizen-meeting": N_("Citizens' meeting"),
    "mobile-police-station": N_("Mobile police station"),
    "other": N_("Event"),
})


def event_kind(kind: str, gettext: Gettext = str) -> str:
    """The name of an event kind in a catalog's language (without one: the English msgid); an
    unknown kind is named as "other"."""
    return gettext(EVENT_KINDS.get(kind, EVENT_KINDS["other"]))


# `naerpoliti serve`'s own words: the error overlay over the preview and the page shown before the
# first build succeeds (the preview speaks Danish, as the editors' handbook does).
SERVE_ERRORS = N_("naerpoliti: %(errors)s errors")
SERVE_ERRORS_AND_WARNINGS = N_("naerpoliti: %(errors)s errors, %(warnings)s warnings")
SERVE_LAST_GOOD = N_("The page below is the last one that could be built. Fix the errors and save; the page "
                     "is then built and reloaded.")
SERVE_FIX = N_("Fix the errors and save; the page is then built.")
SERVE_NO_SITE = N_("The site cannot be built yet. Fix the errors, and the page reloads.")

# The browser editor's hints that no field declaration carries.
ADMIN_BODY = N_("Body")
ADMIN_BODY_HINT = N_("The text in Markdown. Links to other pages of the site are written as /path/.")
ADMIN_CONSENT_HINT = N_("Only the fields named in the consent are published, and only while the consent holds.")
