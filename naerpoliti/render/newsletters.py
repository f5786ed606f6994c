"""Newsletter issues: web page, email.html, email.txt and a ready-to-send .eml; archives.

Scaffold: being written (issue 4); returns nothing yet.
"""
from __future__ import annotations

import jinja2

from ..site import SiteModel
from ..urls import Urls
from . import Output


def render_newsletters(site: SiteModel, env: jinja2.Environment, urls: Urls) -> list[Output]:
    return []
