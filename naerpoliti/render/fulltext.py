"""Full-text search of news, events and pages with Pagefind, run over the rendered pages.

Scaffold: being written (issue 5); returns nothing yet.
"""
from __future__ import annotations

from ..site import SiteModel
from . import Output


def render_fulltext(site: SiteModel, outputs: list[Output]) -> list[Output]:
    """The Pagefind index and its files, made from the HTML pages among `outputs`."""
    return []
