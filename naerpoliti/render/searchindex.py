"""The small index of localities behind the instant "find your officer" search.

Scaffold: being written (issue 5); returns nothing yet.
"""
from __future__ import annotations

from ..site import SiteModel
from . import Output


def render_search_index(site: SiteModel) -> list[Output]:
    return []
