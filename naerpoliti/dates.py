"""Dates and times in words, per interface language: the one place for the CLDR patterns (read by
Babel) that pages, e-mails, feeds, calendars and newsletters use."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Protocol

from babel import Locale
from babel.dates import format_date, format_time

LOCALES = {"da": "da_DK", "en": "en_GB"}

# CLDR patterns per interface language
_DATE = {"da": "d. MMMM y", "en": "d MMMM y"}  # 3. december 2026
_SHORT_DATE = {"da": "d. MMM y", "en": "d MMM y"}  # 3. dec. 2026
_WEEKDAY_DATE = {"da": "EEEE 'd.' d. MMMM y", "en": "EEEE d MMMM y"}  # torsdag d. 3. december 2026
_TIME = {"da": "'kl.' HH.mm", "en": "HH:mm"}  # kl. 19.00
_TIME_BARE = {"da": "HH.mm", "en": "HH:mm"}  # 19.00
_WEEK = {"da": "'uge' w 'i' Y", "en": "'week' w 'of' Y"}  # CLDR's "yw"; ISO weeks in da and en_GB
_MONTH = "LLLL y"  # november 2026


class Timed(Protocol):
    """What an event's time is made of (model.Event)."""

    @property
    def start(self) -> dt.datetime: ...
    @property
    def end(self) -> dt.datetime | None: ...
    @property
    def all_day(self) -> bool: ...


def language_of(language: str) -> str:
    """A language with patterns here; English for any other."""
    return language if language in LOCALES else "en"


class Formats:
    """The date and time formats of one interface language, its locale parsed once. A site has a
    few hundred distinct days, formatted again on page after page, so a day's words are
    remembered; anything but a plain date (a datetime: two equal ones may lie on different days in
    their time zones) is formatted every time."""

    def __init__(self, language: str):
        self.language = language_of(language)
        self.locale = Locale.parse(LOCALES[self.language])
        self.date = self._by_day(_DATE[self.language])
        self.short_date = self._by_day(_SHORT_DATE[self.language])
        self.weekday_date = self._by_day(_WEEKDAY_DATE[self.language])

    def _by_day(self, pattern: str) -> Callable[[dt.date], str]:
        locale = self.locale

        @functools.lru_cache(maxsize=4096)
        def remembered(day: dt.date) -> str:
            return format_date(day, pattern, locale=locale)

        def formatted(value: dt.date) -> str:
            if type(value) is dt.date:
                return remembered(value)
            return format_date(value, pattern, locale=locale)
        return formatted

    def time(self, value: dt.datetime | dt.time, bare: bool = False) -> str:
        """"kl. 19.00" ("19:00"); bare: "19.00"."""
        return format_time(value, (_TIME_BARE if bare else _TIME)[self.language], locale=self.locale)

    def period(self, first: dt.date, week: bool) -> str:
        """A newsletter period by its first day: "november 2026", "uge 47 i 2026"."""
        return format_date(first, _WEEK[self.language] if week else _MONTH, locale=self.locale)

    def event_when(self, event: Timed, tz: dt.tzinfo | None = None, long: bool = True) -> str:
        """When an event is: long (pages, e-mails) "torsdag d. 3. december 2026, kl. 19.00–21.00";
        short (feeds, calendars) "3. december 2026, 19.00–21.00". With tz, in that time zone;
        without, at the time as written."""
        start = event.start.astimezone(tz) if tz else event.start
        end = (event.end.astimezone(tz) if tz else event.end) if event.end else None
        day = self.weekday_date if long else self.date
        first = day(start.date())
        if event.all_day:
            if end and end.date() != start.date():
                return f"{first} – {day(end.date())}"
            return first
        text = f"{first}, {self.time(start, bare=not long)}"
        if end and end.date() == start.date():
            text += f"–{self.time(end, bare=True)}"
        elif end:
            text += f" – {day(end.date())}, {self.time(end, bare=not long)}"
        return text


@functools.lru_cache(maxsize=8)
def formats(language: str) -> Formats:
    """The formats of a language, made once per process."""
    return Formats(language)
