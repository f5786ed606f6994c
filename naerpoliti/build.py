"""The pipeline: load -> check -> model -> render -> check outputs -> write.

Nothing is written unless every earlier phase succeeded without errors (and, with strict, without
warnings).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Optional
from zoneinfo import ZoneInfo

from .errors import Diagnostics, Position
from .history import updated_dates
from .progress import QUIET, Progress
from .render import Output
from .render.admin import render_admin
from .render.environment import make_environment, template_dirs
from .render.calendars import render_calendars
from .render.feeds import render_feeds
from .render.newsletters import render_newsletters
from .render.fulltext import render_fulltext
from .render.images import render_media
from .render.opendata import render_open_data
from .render.pages import render_pages, render_site_files
from .render.searchindex import render_search_index
from .urls import Urls
from .schema import load_content
from .site import SiteModel, build_site
from .write import WriteStats, check_output_path, write_site


@dataclass
class Result:
    diagnostics: Diagnostics
    site: Optional[SiteModel] = None
    outputs: list[Output] = field(default_factory=list)
    written: Optional[WriteStats] = None
    seconds: float = 0.0
    strict: bool = False

    @property
    def failed(self) -> bool:
        """Errors always fail a build; warnings only with --strict."""
        return bool(self.diagnostics.errors or (self.strict and self.diagnostics.warnings))


def build_date(today: Optional[dt.date], timezone: str) -> dt.date:
    """--today wins; then SOURCE_DATE_EPOCH; then the clock, in the site's time zone."""
    if today is not None:
        return today
    tz = ZoneInfo(timezone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz).date()
    return dt.datetime.now(tz).date()


def gather(root: Path, today: Optional[dt.date], diags: Diagnostics) -> Optional[SiteModel]:
    content = load_content(root, diags)
    if content is None:
        return None
    date = build_date(today, content.config.timezone)
    site = build_site(content, date, diags)
    if diags.errors:
        return None
    # "Last updated" dates: from git history when the root is a repository, else from the content
    return dataclasses.replace(site, updated=MappingProxyType(updated_dates(root, content, date)))


def render_site(site: SiteModel, root: Path, fulltext: bool = True, media: bool = True,
                progress: Progress = QUIET) -> list[Output]:
    """Every output of the site, in memory. `check` skips the full-text index and image encoding:
    the pages it would index were checked already, and images were checked when loaded."""
    config = site.config
    versions = [(lang, Urls(config.base_url, "" if lang == config.language else lang))
                for lang in config.languages]
    outputs: list[Output] = []
    envs = {lang: make_environment(root, lang) for lang, _ in versions}
    primary = envs[config.language]

    def pages(i: int) -> list[Output]:
        lang, urls = versions[i]
        other = versions[1 - i] if len(versions) == 2 else None
        return render_pages(site, envs[lang], urls, lang, other)

    def site_files() -> list[Output]:
        html = [o.path for o in outputs if o.path.endswith(".html") and not o.path.endswith("/email.html")]
        return render_site_files(site, primary, site.urls, html)

    steps = [(f"pages ({lang})" if len(versions) > 1 else "pages", lambda i=i: pages(i))
             for i, (lang, _) in enumerate(versions)]
    # Subscriptions and data exist once, in the primary language: content has one language.
    steps += [
        ("newsletters", lambda: render_newsletters(site, primary, site.urls)),
        ("open data", lambda: render_open_data(site, primary, site.urls)),
        ("sitemap and site files", site_files),
        ("feeds", lambda: render_feeds(site)),
        ("calendars", lambda: render_calendars(site)),
        ("search index", lambda: render_search_index(site)),
    ]
    if fulltext:
        steps.append(("full-text search", lambda: render_fulltext(site, outputs)))  # indexes the pages above
    steps.append(("browser editor", lambda: render_admin(site)))  # after sitemap and search: admin/ stays out
    if media:
        steps.append(("images", lambda: render_media(site.media, root)))  # re-encoded without metadata
    progress.start(len(steps) + 2)  # + checking links and writing, counted by run()
    for description, render in steps:
        progress.step(description)
        outputs += render()
    assets: dict[str, Path] = {}
    for folder in reversed(template_dirs(root)):  # the site's own templates/ win
        base = folder / "assets"
        if base.is_dir():
            for f in sorted(base.rglob("*")):
                if f.is_file() and not f.name.startswith("."):
                    assets[f.relative_to(base).as_posix()] = f
    for name, source in sorted(assets.items()):
        outputs.append(Output(f"assets/{name}", source=source, origin=f"templates/assets/{name}"))
    return outputs


def check_outputs(site: SiteModel, outputs: list[Output], diags: Diagnostics) -> None:
    """Two sources must not claim one output path; links written in Markdown must lead somewhere."""
    seen: dict[str, Output] = {}
    for o in outputs:
        problem = check_output_path(o.path)
        if problem:
            diags.error(Position(o.origin or "?"), problem)
        elif o.path in seen:
            diags.error(Position(o.origin or "?"),
                        f"writes the same file '{o.path}' as {seen[o.path].origin}: rename one of them")
        else:
            seen[o.path] = o
    urls = site.urls
    for rendered in site.documents():
        for target, pos in rendered.links:
            path = urls.base_path + target.split("#", 1)[0].split("?", 1)[0][1:]
            candidates = [path, path.rstrip("/") + "/"]
            if not any(urls.output_path(c) in seen for c in candidates if c.startswith(urls.base_path)):
                diags.error(pos, f"link to '{target}': there is no such page on the site")


def run(root: Path, out: Optional[Path], today: Optional[dt.date] = None, strict: bool = False,
        progress: Progress = QUIET) -> Result:
    """Build (out given) or only check (out None) one site root."""
    started = time.perf_counter()
    diags = Diagnostics()
    result = Result(diags)
    progress.step("reading content")
    site = gather(root, today, diags)
    if site is not None:
        result.site = site
        checking = out is None
        result.outputs = render_site(site, root, fulltext=not checking, media=not checking,
                                     progress=progress)
        progress.step("checking links")
        check_outputs(site, result.outputs, diags)
    result.strict = strict
    if out is not None and not result.failed:
        progress.step("writing")
        result.written = write_site(out, result.outputs)
    progress.done()
    result.seconds = time.perf_counter() - started
    return result
