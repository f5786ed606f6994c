"""Feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1) per area and for the whole site, and OPML lists.

Scaffold: being written (issue 4); returns nothing yet.
"""
from __future__ import annotations

from ..site import SiteModel
from . import Output


def render_feeds(site: SiteModel) -> list[Output]:
    return []
