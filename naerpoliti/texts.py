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
