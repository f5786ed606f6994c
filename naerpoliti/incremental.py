"""Building one site root again and again, as `naerpoliti serve` does after every save.

A Builder keeps, between builds, what each content file gave (schema.FileMemo: a file whose size
and modification time did not change is not read again) and what the previous build wrote (path
-> digest). When a build finds that the only change is to the text of published news items -- not
their title, date, scope, summary, author, image, draft state or the media and pages their text
refers to, and nothing else in the root -- it renders only what shows that text: the item's page
(in every language), the feeds of the areas in its scope, the open-data news file and, if a
last-updated date moved, the sitemap; and it replaces just the files whose bytes changed, each
atomically (written beside it, then renamed over it). Its model is the previous one with the edited
records in their places (nothing they are listed, sorted or counted by changed), so build_site
does not run either. Anything else is a full build through build.run(), with the staging folder
and the swap.

The one output a text edit leaves behind is the full-text index (Pagefind): it is made over all
pages at once and takes seconds at national scale. refresh_index() makes it anew afterwards, from
the pages as they are then, and replaces it file by file (serve runs it in the background, so the
edited page is there at once and its words are found a little later). After it, the output folder
is byte for byte what a full build of the same content writes.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from . import fulltext
from .build import Result, build_date, check_links, fewer_collections, forget, libraries, model_of, run, stat_tree
from .errors import Diagnostic, Diagnostics
from .history import updated_dates
from .model import Content, NewsItem
from .progress import QUIET, Progress
from .render import Output
from .render.cache import RenderCache
from .render.environment import make_environment, template_dirs, translations
from .render.feeds import render_feeds
from .render.keys import Keys, Reuse, base_digest
from .render.opendata import NewsMemo, render_open_data
from .render.pages import render_pages, render_site_files
from .schema import FileMemo, load_content
from .site import ScopeIndex, SiteModel
from .urls import Urls
from .write import (
    Manifest,
    RenderRecord,
    WriteStats,
    Written,
    cache_dir,
    check_output_path,
    output_lock,
    remove_file,
    replace_file,
)

# NewsItem fields that other pages show (lists, newsletters, calendars...): a change to any of
# them means a full build. The text (body) shows only on the item's page, its feeds and open data.
T = TypeVar("T")

_LISTED = tuple(f.name for f in dataclasses.fields(NewsItem) if f.name not in ("body", "pos", "field_pos"))


@dataclasses.dataclass
class _Last:
    site: SiteModel
    written: dict[str, Written]
    content: Content | None = None  # what the files gave (the FileMemo's records)
    model_diagnostics: tuple[Diagnostic, ...] = ()  # what the build reported beyond reading the files


class Builder:
    """The builds of one root into one output folder, each knowing the previous one."""

    def __init__(self, root: Path, out: Path, today: dt.date | None = None, strict: bool = False):
        self.root, self.out, self.today, self.strict = root, out.resolve(), today, strict
        self.memo = FileMemo()
        self.last: _Last | None = None
        # kept across the builds: environments and encoded images (render/cache.py has the bounds)
        self.cache = RenderCache(bytecode_dir=cache_dir())
        self.templates = ""
        self.opendata: NewsMemo = {}  # each news item's line of data/news.json (render/opendata.py)
        self.index_stale = False  # a text edit wrote pages that the full-text index does not know yet
        self.generation = 0  # builds so far: refresh_index() gives up when one came in between
        self._lock = threading.Lock()  # a build and refresh_index() writing the output folder

    def _keep_lines(self, site: SiteModel) -> None:
        """Forget the open-data lines of items that are gone (the memo holds them alive)."""
        self.opendata = {id(n): self.opendata[id(n)] for n in site.news if id(n) in self.opendata}

    def _prepare(self, site: SiteModel) -> None:
        """After a full build: the open-data lines of every item, so that the first text edit
        makes one line, not 20,000."""
        self.opendata = {}
        render_open_data(site, make_environment(self.root, site.config.language, self.cache), site.urls,
                         names={"news"}, memo=self.opendata)

    def _templates_key(self) -> str:
        h = hashlib.sha256()
        for folder in template_dirs(self.root):
            stat_tree(h, folder, str(folder))
        return h.hexdigest()

    def build(self, progress: Progress = QUIET) -> Result:
        with fewer_collections(), self._lock:
            self.generation += 1
            result = self._build(progress)
            if not result.incremental and result.written is not None:
                self.index_stale = False  # a full build made the index too
            elif result.incremental and result.written is not None and result.written.changed:
                self.index_stale = True
            return result

    def refresh_index(self) -> bool:
        """Make the full-text index anew from the pages as they are now and put it in place of the
        old one; Pagefind runs without holding up builds. False when the index was up to date or
        a build came in between (which then made it, or left it to the next refresh)."""
        with self._lock:
            last = self.last
            if last is None or not self.index_stale:
                return False
            generation, site = self.generation, last.site
            indexed = [(p, w.digest) for p, w in last.written.items() if w.indexed]
            pages = indexed or [(p, b"") for p in _index_candidates(site, self.out)]
            # only the parts of the index whose pages changed are made again (render/keys.py); a
            # build that comes in while they are made discards the result (generation, below)
            keys = Keys(site, base_digest(template_dirs(self.root), libraries())) if indexed else None
            in_place = Reuse(RenderRecord.of(self.out, last.written.values()))
        # the pages are read from the output folder while builds may change it: a build that came
        # in between makes the result void, and a page it removed is no error
        try:
            outputs = fulltext.index_pages(site, self.out, pages, keys, in_place)
        except fulltext.FulltextError:
            with self._lock:
                if self.generation != generation or self.last is not last:
                    return False
            raise
        with self._lock:
            if self.generation != generation or self.last is not last:
                return False
            # the new bundle's files first (their names are hashes of their contents), then the
            # entry points that lead to them, then the old files nothing leads to any more
            bundle = fulltext.BUNDLE
            entries = {f"{bundle}/{fulltext.ENTRY}", f"{bundle}/{fulltext.INDEXES}"}
            with output_lock(self.out):  # a `naerpoliti build` into the same folder waits
                for o in sorted(outputs, key=lambda o: (o.path in entries, o.path)):
                    if o.reused:  # a part whose pages did not change: its files are in place
                        continue
                    w = replace_file(self.out, o, last.written.get(o.path) or Written(o.path, o.origin, b""))
                    if w is not None:
                        last.written[o.path] = w
                made = {o.path for o in outputs}
                for path in [p for p in last.written if p.startswith(f"{bundle}/") and p not in made]:
                    remove_file(self.out, path)
                    del last.written[path]
            self.index_stale = False
            forget(self.out)
            return True

    def _build(self, progress: Progress) -> Result:
        started = time.perf_counter()
        templates, self.templates = self.templates, self._templates_key()
        if self.last is not None and templates == self.templates:
            result = self._text_edit(started)
            if result is not None:
                return result
        result = run(self.root, self.out, self.today, self.strict, progress=progress, memo=self.memo,
                     cache=self.cache)
        self.last = None
        if not result.failed and result.written is not None:
            if result.site is None:  # nothing had changed since the last `build`: load the model only
                content, site, model = model_of(self.root, self.today, Diagnostics(), memo=self.memo)
                manifest = Manifest.load(self.out)
                if site is not None and manifest.entries:
                    self.last = _Last(site, {p: Written(p, "", e[0]) for p, e in manifest.entries.items()},
                                      content, model)
            else:
                self.last = _Last(result.site, {w.path: w for w in result.outputs}, result.content,
                                  result.model_diagnostics)
            if self.last is not None:
                self._prepare(self.last.site)
        return result

    # --- the fast path ------------------------------------------------------------------------------

    def _text_edit(self, started: float) -> Result | None:
        """The build when only news texts changed; None when a full build is needed."""
        last = self.last
        if last is None or last.content is None:
            return None
        diags = Diagnostics()
        content = load_content(self.root, diags, memo=self.memo)
        if content is None or diags.errors:
            return None  # the full build reports the errors (and writes nothing)
        if build_date(self.today, content.config.timezone) != last.site.today:
            return None
        pairs = _edited_texts(last.content, content)
        if pairs is None:
            return None  # not only texts changed: a full build
        # The model is the previous one with the edited items in their places: nothing they are
        # listed, sorted or counted by has changed, so neither did anything build_site decides,
        # nor what it reported (the files' own diagnostics are read anew above).
        published = {id(n) for n in last.site.news}
        replaced = {id(old): new for old, new in pairs if id(old) in published}
        updated = updated_dates(self.root, content, last.site.today)
        before = last.site.updated
        moved = {k for k in set(before) | set(updated) if before.get(k) != updated.get(k)}
        if moved - {new.source for _old, new in pairs}:
            return None  # other pages' dates moved (git history changed): a full build
        site = _with_items(last.site, replaced, updated)
        diags.items.extend(last.model_diagnostics)
        if self.strict and diags.warnings:
            return None
        changed = list(replaced.values())
        last.content = content
        result = Result(diags, site=site, strict=self.strict)
        if not changed:  # drafts and items not yet published: nothing on the site shows them
            last.site = site
            result.outputs = list(last.written.values())
            result.written = WriteStats(len(result.outputs), 0, 0, swapped=False)
            result.incremental = True
            result.seconds = time.perf_counter() - started
            return result
        outputs = self._render(site, last.site, changed)
        check_links(site, [n.body for n in changed], set(last.written), diags)
        if result.failed:
            return None  # the full build reports it the same way, and writes nothing
        if any(check_output_path(o.path) or o.path not in last.written for o in outputs):
            return None  # a new file: the full build decides
        written = 0
        with output_lock(self.out):  # a `naerpoliti build` into the same folder waits
            for o in outputs:
                w = replace_file(self.out, o, last.written[o.path])
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
        envs = {lang: make_environment(self.root, lang, self.cache) for lang, _ in versions}
        slugs = {n.slug for n in changed}
        outputs: list[Output] = []
        for i, (lang, urls) in enumerate(versions):
            other = versions[1 - i] if len(versions) == 2 else None
            outputs += render_pages(site, envs[lang], urls, lang, other, only_news=slugs)
        outputs += render_feeds(site, only=_feed_areas(site, changed),
                                translations=translations(self.root, config.language))
        # only the news file of each edited item's year: the others show none of the edits
        outputs += render_open_data(site, envs[config.language], site.urls, names={"news"}, memo=self.opendata,
                                    news_years={n.date.year for n in changed})
        self._keep_lines(site)
        if site.updated != before.updated:  # a date in the sitemap moved (git: an uncommitted edit)
            assert self.last is not None  # _render runs for a text edit, which knows the last build
            html = [p for p in self.last.written if p.endswith(".html") and not p.startswith("admin/")]
            outputs += render_site_files(site, envs[config.language], site.urls, html)
        return outputs


def _edited_texts(before: Content, after: Content) -> list[tuple[NewsItem, NewsItem]] | None:
    """(old, new) of the news items whose text alone changed, if nothing else did; else None."""
    if after.config is not before.config or after.invalid_ids != before.invalid_ids:
        return None
    # the FileMemo hands back the very same records for unchanged files
    for name in ("districts", "municipalities", "stations", "officers", "localities"):
        if getattr(after, name) is not getattr(before, name):
            return None
    for name in ("events", "pages", "newsletter_intros", "ambassadors", "news"):
        a, b = getattr(before, name), getattr(after, name)
        if len(a) != len(b):
            return None
        if name != "news" and any(x is not y for x, y in zip(a, b, strict=True)):
            return None
    pairs = []
    for old, new in zip(before.news, after.news, strict=True):  # lengths compared above
        if old is new:
            continue
        if any(getattr(old, f) != getattr(new, f) for f in _LISTED) or old.body.media != new.body.media:
            return None
        pairs.append((old, new))
    return pairs


def _with_items(site: SiteModel, replaced: dict[int, NewsItem], updated: Mapping[str, dt.date]) -> SiteModel:
    """The model with some news items replaced (by id() of the old record) in every list."""
    def swap(items: tuple[T, ...]) -> tuple[T | NewsItem, ...]:
        return tuple(replaced.get(id(x), x) for x in items)

    index = site.news_index
    return dataclasses.replace(
        site, news=swap(site.news), updated=MappingProxyType(updated),
        news_index=ScopeIndex(MappingProxyType({k: swap(v) for k, v in index.direct.items()}),
                              MappingProxyType({k: swap(v) for k, v in index.below.items()}),
                              swap(index.national)))


def _feed_areas(site: SiteModel, items: list[NewsItem]) -> set[tuple[str | None, str | None]]:
    """The areas whose feeds may show these items: the site and every area in their scope."""
    return {(None, None), *(area for n in items for area in site.areas_showing(n))}


def _index_candidates(site: SiteModel, out: Path) -> list[str]:
    """The pages a full build indexes, when the Builder did not see that build (it found the site
    as the previous `naerpoliti build` left it): the primary language's news, events and pages."""
    urls = site.urls
    paths = [urls.output_path(urls.news(n.slug)) for n in site.news]
    paths += [urls.output_path(urls.event(e.slug)) for e in site.events]
    paths += [urls.output_path(urls.page(p.slug)) for p in site.pages]
    check = fulltext.indexable(site)
    return [p for p in paths if (out / p).is_file() and check(p, (out / p).read_bytes())]

