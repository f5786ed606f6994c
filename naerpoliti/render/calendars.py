"""iCalendar files per area, for the whole site and per event.

Scaffold: being written (issue 4); returns nothing yet.
"""
from __future__ import annotations

from ..site import SiteModel
from . import Output


def render_calendars(site: SiteModel) -> list[Output]:
    return []
