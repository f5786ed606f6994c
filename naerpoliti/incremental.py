"""Building one site root again and again, as `naerpoliti serve` does after every save.

A Builder keeps, between builds, what each content file gave (schema.FileMemo: a file whose size
and modification time did not change is not read again) and what the previous build wrote (path
-> digest). When a build finds that the only change is to the text of published news items -- not
their title, date, scope, summary, author, image, draft state or the media and pages their text
refers to, and nothing else in the root -- it renders only what shows that text: the item's page
(in every language), the feeds of the areas in its scope, the open-data news file and, if a
last-updated date moved, the sitemap; and it replaces just the files whose bytes changed, each
atomically (written beside it, then renamed over it). Anything else is a full build through
build.run(), with the staging folder and the swap.

The one output a text edit leaves behind is the full-text index (Pagefind): it is made over all
pages at once and takes seconds at national scale, so the preview keeps the previous index until
the next full build (any other kind of change, or `naerpoliti build`). The published site is
always made by a full build.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import time
from pathlib import Path
from typing import Optional

from .build import Result, check_links, forget, gather, run, stat_tree
from .errors import Diagnostics
from .model import NewsItem
from .progress import QUIET, Progress
from .render import Output
from .render.environment import make_environment, template_dirs
from .render.feeds import render_feeds
from .render.newsletters import remember_emails
from .render.opendata import render_open_data
from .render.pages import render_pages, render_site_files
from .schema import FileMemo
from .site import SiteModel
from .urls import Urls
from .write import Manifest, WriteStats, Written, check_output_path

# NewsItem fields that other pages show (lists, newsletters, calendars...): a change to any of
# them means a full build. The text (body) shows only on the item's page, its feeds and open data.
_LISTED = tuple(f.name for f in dataclasses.fields(NewsItem) if f.name not in ("body", "pos", "field_pos"))


@dataclasses.dataclass
class _Last:
    site: SiteModel
    written: dict[str, Written]


class Builder:
    """The builds of one root into one output folder, each knowing the previous one."""

    def __init__(self, root: Path, out: Path, today: Optional[dt.date] = None, strict: bool = False):
        self.root, self.out, self.today, self.strict = root, out.resolve(), today, strict
        self.memo = FileMemo()
        self.last: Optional[_Last] = None
        remember_emails(True)  # full rebuilds in this process reuse the unchanged newsletter e-mails
        self.templates = ""
        self.opendata: dict = {}  # each news item's line of data/news.json (render/opendata.py)

    def _keep_lines(self, site: SiteModel) -> None:
        """Forget the open-data lines of items that are gone (the memo holds them alive)."""
        self.opendata = {id(n): self.opendata[id(n)] for n in site.news if id(n) in self.opendata}

    def _prepare(self, site: SiteModel) -> None:
        """After a full build: the open-data lines of every item, so that the first text edit
        makes one line, not 20,000."""
        self.opendata = {}
        render_open_data(site, make_environment(self.root, site.config.language), site.urls,
                         names={"news"}, memo=self.opendata)

    def _templates_key(self) -> str:
        h = hashlib.sha256()
        for folder in template_dirs(self.root):
            stat_tree(h, folder, str(folder))
        return h.hexdigest()

    def build(self, progress: Progress = QUIET) -> Result:
        started = time.perf_counter()
        templates, self.templates = self.templates, self._templates_key()
        if self.last is not None and templates == self.templates:
            result = self._text_edit(started)
            if result is not None:
                return result
        result = run(self.root, self.out, self.today, self.strict, progress=progress, memo=self.memo)
        self.last = None
        if not result.failed and result.written is not None:
            if result.site is None:  # nothing had changed since the last `build`: load the model only
                site = gather(self.root, self.today, Diagnostics(), memo=self.memo)
                manifest = Manifest.load(self.out)
                if site is not None and manifest.entries:
                    self.last = _Last(site, {p: Written(p, "", e[0]) for p, e in manifest.entries.items()})
            else:
                self.last = _Last(result.site, {w.path: w for w in result.outputs})
            if self.last is not None:
                self._prepare(self.last.site)
        return result

    # --- the fast path ------------------------------------------------------------------------------

    def _text_edit(self, started: float) -> Optional[Result]:
        """The build when only news texts changed; None when a full build is needed."""
        last = self.last
        diags = Diagnostics()
        site = gather(self.root, self.today, diags, memo=self.memo)
        if site is None or diags.errors:
            return None  # the full build reports the errors (and writes nothing)
        if self.strict and diags.warnings:
            return None
        changed = _edited_texts(last.site, site)
        if changed is None:
            return None  # not only texts changed: a full build
        result = Result(diags, site=site, strict=self.strict)
        outputs = self._render(site, last.site, changed)
        check_links(site, [n.body for n in changed], set(last.written), diags)
        if result.failed:
            return None  # the full build reports it the same way, and writes nothing
        written = 0
        for o in outputs:
            problem = check_output_path(o.path)
            if problem or o.path not in last.written:
                return None  # a new file: the full build decides
            w = _write_in_place(self.out, o, last.written[o.path])
            if w is not None:
                last.written[o.path] = w
                written += 1
        if written:
            forget(self.out)  # a later `naerpoliti build` compares again rather than trusting the cache
        last.site = site
        result.outputs = list(last.written.values())
        result.written = WriteStats(len(result.outputs), written, 0, swapped=written > 0)
        result.incremental = True
        result.seconds = time.perf_counter() - started
        return result

    def _render(self, site: SiteModel, before: SiteModel, changed: list[NewsItem]) -> list[Output]:
        config = site.config
        versions = [(lang, Urls(config.base_url, "" if lang == config.language else lang))
                    for lang in config.languages]
        envs = {lang: make_environment(self.root, lang) for lang, _ in versions}
        slugs = {n.slug for n in changed}
        outputs: list[Output] = []
        for i, (lang, urls) in enumerate(versions):
            other = versions[1 - i] if len(versions) == 2 else None
            outputs += render_pages(site, envs[lang], urls, lang, other, only_news=slugs)
        outputs += render_feeds(site, only=_feed_areas(site, changed))
        outputs += render_open_data(site, envs[config.language], site.urls, names={"news"}, memo=self.opendata)
        self._keep_lines(site)
        if site.updated != before.updated:  # a date in the sitemap moved (git: an uncommitted edit)
            html = [p for p in self.last.written if p.endswith(".html") and not p.endswith("/email.html")
                    and not p.startswith("admin/")]
            outputs += render_site_files(site, envs[config.language], site.urls, html)
        return outputs


def _edited_texts(before: SiteModel, after: SiteModel) -> Optional[list[NewsItem]]:
    """The published news items whose text alone changed, if nothing else did; else None."""
    if after.today != before.today or after.config is not before.config:
        return None
    same = ("districts", "municipalities", "localities", "events", "pages", "newsletter_intros")
    for name in same:  # the FileMemo hands back the very same records for unchanged files
        a, b = getattr(before, name), getattr(after, name)
        if len(a) != len(b) or any(x is not y for x, y in zip(a, b)):
            return None
    if dict(before.officers) != dict(after.officers) or dict(before.stations) != dict(after.stations):
        return None
    if before.ambassadors_of != after.ambassadors_of or before.media != after.media:
        return None
    if len(before.news) != len(after.news):
        return None
    changed = []
    for old, new in zip(before.news, after.news):
        if old is new:
            continue
        if any(getattr(old, f) != getattr(new, f) for f in _LISTED) or old.body.media != new.body.media:
            return None
        changed.append(new)
    moved = {k for k in set(before.updated) | set(after.updated) if before.updated.get(k) != after.updated.get(k)}
    if moved - {n.source for n in changed}:
        return None  # other pages' dates moved (git history changed): a full build
    return changed


def _feed_areas(site: SiteModel, items: list[NewsItem]) -> set:
    """The areas whose feeds may show these items: the site, the areas each names, the areas
    above them and, for a municipality or a district, every area below."""
    areas: set = {(None, None)}
    for n in items:
        s = n.scope
        if s.national:
            areas |= {("district", d.id) for d in site.districts}
            areas |= {("municipality", m.id) for m in site.municipalities}
            areas |= {("locality", loc.id) for loc in site.localities}
            continue
        for lid in s.localities:
            loc = site.locality_by_id[lid]
            mun = site.municipality_by_id[loc.municipality]
            areas |= {("locality", lid), ("municipality", mun.id), ("district", mun.district)}
        for mid in s.municipalities:
            mun = site.municipality_by_id[mid]
            areas |= {("municipality", mid), ("district", mun.district)}
            areas |= {("locality", loc.id) for loc in site.localities_of.get(mid, ())}
        for did in s.districts:
            areas.add(("district", did))
            for mun in site.municipalities_of.get(did, ()):
                areas.add(("municipality", mun.id))
                areas |= {("locality", loc.id) for loc in site.localities_of.get(mun.id, ())}
    return areas


def _write_in_place(out: Path, o: Output, before: Written) -> Optional[Written]:
    """Replace one file of the output folder when its bytes changed: written beside it, then
    renamed over it, so a reader sees the old file or the new one, never half of one."""
    data = o.data if o.data is not None else o.source.read_bytes()
    digest = hashlib.sha256(data).digest()
    if digest == before.digest:
        return None
    target = out / o.path
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    st = os.stat(target)
    return Written(o.path, o.origin, digest, before.indexed, False, (st.st_size, st.st_mtime_ns, st.st_ino))
