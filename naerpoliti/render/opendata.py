"""Open data: JSON files of the site's public data, each with a JSON Schema, and a page about reuse.

Scaffold: being written (issue 5); returns nothing yet.
"""
from __future__ import annotations

import jinja2

from ..site import SiteModel
from ..urls import Urls
from . import Output


def render_open_data(site: SiteModel, env: jinja2.Environment, urls: Urls) -> list[Output]:
    return []
