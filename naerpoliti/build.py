"""The pipeline: load -> check -> model -> render -> check outputs -> write (-> full-text index).

Nothing is written unless every earlier phase succeeded without errors (and, with strict, without
warnings).
"""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import pickle
import queue
import threading
import time
import traceback
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from . import __version__, fulltext, hosts, newsletter
from .errors import Diagnostic, Diagnostics, Position
from .forking import die_with_parent as _die_with_parent
from .history import updated_dates
from .loadcache import LOAD_DEPENDENCIES, CachedLoader
from .model import Content, Rendered
from .progress import QUIET, Progress
from .render import Output
from .render.admin import render_admin
from .render.cache import RenderCache
from .render.calendars import render_calendars
from .render.environment import make_environment, template_dirs, theme_dir, translations
from .render.feeds import render_feeds
from .render.images import render_media
from .render.keys import NO_REUSE, PLAN, Keys, Reuse, base_digest
from .render.newsletters import render_newsletters
from .render.opendata import render_open_data
from .render.pages import render_pages, render_site_files
from .render.searchindex import render_search_index
from .schema import FileMemo, load_content
from .site import SiteModel, build_site
from .urls import Urls
from .write import (
    Manifest,
    Staging,
    WriteStats,
    Written,
    cache_dir,
    cache_file,
    check_output_path,
    clean_leftovers,
    marker_id,
    output_lock,
    remove_cache,
    save_cache,
    walk_files,
)

if TYPE_CHECKING:
    import jinja2

# A rendering task: its name (for progress) and the function that renders its Outputs
Task = tuple[str, Callable[[], list[Output]]]


@dataclass
class Result:
    diagnostics: Diagnostics
    site: SiteModel | None = None
    outputs: list[Written] = field(default_factory=list)  # what was written (paths, digests)
    written: WriteStats | None = None
    seconds: float = 0.0
    strict: bool = False
    # a build that found its inputs as the previous build left them and did nothing: what that
    # build made (counts of outputs, root_path), from the cache
    reused: dict[str, Any] | None = None  # the cache file's JSON (_remember)
    incremental: bool = False  # rendered and written only what changed (incremental.Builder)
    content: Content | None = None  # what the files gave
    model_diagnostics: tuple[Diagnostic, ...] = ()  # what making the SiteModel from it reported
    fit: hosts.Fit | None = None  # the output against site.host's limits (a build's, not a check's)

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        """What was built: pages, feeds, calendars, newsletter issues and files (counted once: the
        issues are counted in the model, which takes a national site a second or two)."""
        if self.reused is not None:
            return dict(self.reused["counts"])
        paths = [o.path for o in self.outputs]
        return {
            "pages": sum(1 for p in paths if p.endswith(".html")),
            "feeds": sum(1 for p in paths if p.rsplit("/", 1)[-1] in ("rss.xml", "atom.xml", "feed.json")),
            "calendars": sum(1 for p in paths if p.endswith(".ics")),
            # issues are sections of the year pages, which say how many they hold (Output.count;
            # their e-mails are made only by `newsletter render` and `send`)
            "newsletters": sum(o.count for o in self.outputs),
            "files": len(paths),
        }

    @property
    def root_path(self) -> str | None:
        if self.site is not None:
            return self.site.urls.root_path
        return self.reused["root_path"] if self.reused is not None else None

    @property
    def failed(self) -> bool:
        """Errors always fail a build; warnings only with --strict."""
        return bool(self.diagnostics.errors or (self.strict and self.diagnostics.warnings))


def build_date(today: dt.date | None, timezone: str) -> dt.date:
    """--today wins; then SOURCE_DATE_EPOCH; then the clock, in the site's time zone."""
    if today is not None:
        return today
    tz = ZoneInfo(timezone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz).date()
    return dt.datetime.now(tz).date()


def gather(root: Path, today: dt.date | None, diags: Diagnostics,
           progress: Progress = QUIET, memo: FileMemo | None = None) -> SiteModel | None:
    return model_of(root, today, diags, progress, memo)[1]


def model_of(root: Path, today: dt.date | None, diags: Diagnostics, progress: Progress = QUIET,
             memo: FileMemo | None = None,
             freeze: bool = False) -> tuple[Content | None, SiteModel | None, tuple[Diagnostic, ...]]:
    """The content as the files give it, the SiteModel (None on errors), and the diagnostics of
    making the model from the content (those after reading the files). Without a memo (serve's),
    the files are loaded on every core and through the persistent cache (loadcache.py). `freeze`:
    what the cache gives is kept from the collector (gc.freeze) until the caller unfreezes it (run())."""
    loader = None
    if memo is None:
        loading = "\0".join(f"{d} {dependency_version(d)}" for d in LOAD_DEPENDENCIES)
        loader = CachedLoader(root, f"{libraries()}\0{loading}", freeze=freeze)
    content = load_content(root, diags, progress, memo, loader)
    if content is None:
        return None, None, ()
    loaded = len(diags.items)
    date = build_date(today, content.config.timezone)
    progress.lap("site model")
    site = build_site(content, date, diags)
    if diags.errors:
        return content, None, ()
    # "Last updated" dates: from git history when the root is a repository, else from the content
    progress.lap("history")
    site = dataclasses.replace(site, updated=MappingProxyType(updated_dates(root, content, date)))
    return content, site, tuple(diags.items[loaded:])


# Sites at least this big (news items, events and ten times the localities: roughly the pages
# and newsletter issues they make) render on every core; smaller ones in this process, where
# starting workers would cost more than it saves.
PARALLEL_FROM = 3000
NEWSLETTER_AREAS_PER_TASK = 10
PIECES = 32  # the least number of pieces a big site's steps are cut into (render_site)


def _size(site: SiteModel) -> int:
    return len(site.news) + len(site.events) + 10 * len(site.localities)


def jobs_for(site: SiteModel) -> int:
    """How many processes render: $NAERPOLITI_JOBS, else one per core for a big site."""
    configured = os.environ.get("NAERPOLITI_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, os.cpu_count() or 1) if _size(site) >= PARALLEL_FROM else 1


def own_templates(root: Path) -> bool:
    """Whether the site has templates of its own (ROOT/templates/ with a template in it)."""
    folder = root / "templates"
    return folder.is_dir() and folder.resolve() != theme_dir().resolve() and any(
        p.suffix in (".html", ".txt", ".xml") for p in folder.rglob("*") if p.is_file())


def libraries() -> str:
    """The versions of the libraries that shape the output, for fingerprints and render keys."""
    return "\0".join(f"{d} {dependency_version(d)}" for d in OUTPUT_DEPENDENCIES)


def render_tasks(site: SiteModel, root: Path, envs: dict[str, jinja2.Environment], media: bool, parts: int,
                 cache: RenderCache | None, keys: Keys | None, reuse: Reuse,
                 fragments: dict[Any, Any]) -> list[Task]:
    """The rendering as independent tasks, each a function returning a list of Outputs. The big
    steps are cut into `parts` pieces (every n-th page, area...), so that the processes of a
    parallel build share them out, and a task holds only its piece's bytes until they are written;
    a serial build runs the same tasks one after another. With `keys`, the units that carry render
    keys take the previous build's files over where `reuse` knows their key (render/keys.py).
    `fragments`: the store of what the tasks make once and use in many (the parts shared() and
    shared_each() make: a news item's line is on hundreds of pages; a feed's entries; an event's
    VEVENT), kept from task to task: each process that renders fills its own copy (a forked
    worker's is its own); the caller empties it when the tasks are done."""
    config = site.config
    versions = [(lang, Urls(config.base_url, "" if lang == config.language else lang))
                for lang in config.languages]
    primary = envs[config.language]
    areas = newsletter.areas(site)
    texts = translations(root, config.language)  # the theme's catalog with the site's own on top
    tasks: list[Task] = []
    for i, (lang, urls) in enumerate(versions):
        other = versions[1 - i] if len(versions) == 2 else None
        name = f"pages ({lang})" if len(versions) > 1 else "pages"
        tasks += [(name, functools.partial(render_pages, site, envs[lang], urls, lang, other, part=(k, parts),
                                           keys=keys, reuse=reuse, fragments=fragments))
                  for k in range(parts)]
    # Subscriptions and data exist once, in the primary language: content has one language; the
    # newsletter and open-data web pages in every language version (`alternate`).
    # newsletter pages are many on a big site (a national one: ~2,800 areas, a page per year of
    # each): in tasks of a few areas each, so that a worker holds only a few files' bytes at a time
    alternate = next(((lang, envs[lang], urls) for lang, urls in versions if lang != config.language), None)
    shares = parts if parts == 1 else max(parts, len(areas) // NEWSLETTER_AREAS_PER_TASK)
    tasks += [("newsletters", functools.partial(render_newsletters, site, primary, site.urls, areas=areas[k::shares],
                                                alternate=alternate, keys=keys, reuse=reuse,
                                                fragments=fragments))
              for k in range(shares)]
    tasks += [("feeds", functools.partial(render_feeds, site, part=(k, parts), translations=texts, keys=keys,
                                          reuse=reuse, fragments=fragments))
              for k in range(parts)]
    tasks += [("calendars", functools.partial(render_calendars, site, part=(k, parts), translations=texts,
                                              keys=keys, reuse=reuse, fragments=fragments))
              for k in range(parts)]
    tasks += [
        ("open data", lambda: render_open_data(site, primary, site.urls, alternate=alternate, keys=keys, reuse=reuse)),
        ("search index", lambda: render_search_index(site)),
    ]
    if media:
        tasks.append(("images", lambda: render_media(site.media, root, cache)))  # re-encoded without metadata
    return tasks


@dataclass
class _Work:
    """The rendering tasks of the build in progress and the staging folder they write into."""

    tasks: list[Task]
    staging: Staging
    cache: RenderCache

    def run(self, i: int) -> tuple[int, list[Written], float]:
        started = time.perf_counter()
        # each Output is written as soon as it is rendered, and its bytes dropped
        with template_errors():
            written = [self.staging.put(o) for o in self.tasks[i][1]()]
        return i, written, time.perf_counter() - started


class TemplateProblem(Exception):
    """A template that does not compile or fails while rendering (a site's own, or a theme's):
    where (the template file and line, as far as the traceback tells) and why, for a diagnostic."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(path, line, message)
        self.path, self.line, self.message = path, line, message


@contextlib.contextmanager
def template_errors() -> Iterator[None]:
    """Turn a Jinja error into a TemplateProblem naming the template's file and line: the last
    frame of the traceback in a template file (Jinja maps its frames to template lines)."""
    import jinja2

    try:
        yield
    except jinja2.TemplateError as exc:
        path, line = getattr(exc, "filename", None) or "", getattr(exc, "lineno", None) or 0
        tb = exc.__traceback__
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if name.endswith((".html", ".txt", ".xml")) and os.path.isfile(name):
                path, line = name, tb.tb_lineno
            tb = tb.tb_next
        if not path and getattr(exc, "name", None):  # a syntax error of a template loaded by name
            path = f"templates/{exc.name}"  # type: ignore[attr-defined]
        raise TemplateProblem(path or "templates", line or 1, getattr(exc, "message", None) or str(exc)) from None


def _worker(work: _Work, todo: multiprocessing.SimpleQueue[int | None],
            done: multiprocessing.Queue[bytes], parent: int) -> None:
    """A forked rendering process. `work` is the parent's object, inherited by fork (a Process's
    arguments are not pickled with the fork start method): the workers share the parent's
    SiteModel, and its RenderCache, without copying them. Replies are pickled here, so that one
    that cannot be pickled is reported rather than lost."""
    _die_with_parent(parent)
    work.cache.freeze()  # a worker's memory ends with the build: what it would keep is lost
    for i in iter(todo.get, None):
        try:
            reply = pickle.dumps(("done", work.run(i)))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
            exc.add_note(f"in the rendering process of task {work.tasks[i][0]!r}:\n{traceback.format_exc()}")
            try:
                reply = pickle.dumps(("failed", exc))
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                reply = pickle.dumps(("failed", RuntimeError(f"{type(exc).__name__}: {exc}")))
            done.put(reply)
            return
        done.put(reply)


def _render_parallel(work: _Work, jobs: int) -> Iterator[tuple[int, list[Written], float]]:
    """Run the tasks in this process and `jobs - 1` forked ones; yields each task's result as it
    is done. This process renders too rather than only wait: a forked process soon holds its own
    copy of most of the model (reading an object writes its reference count), so one process
    fewer is a copy fewer."""
    context = multiprocessing.get_context("fork")
    todo: multiprocessing.SimpleQueue[int | None] = context.SimpleQueue()
    done: multiprocessing.Queue[bytes] = context.Queue()
    workers = [context.Process(target=_worker, args=(work, todo, done, os.getpid()), daemon=True)
               for _ in range(jobs - 1)]
    for w in workers:
        w.start()
    work.staging.survey()  # a thread: only now that the workers are forked
    # a step in one task (open data: 1.3 s on a national site) is handed out first: last, it kept
    # one process busy while the others had nothing left; the steps cut in pieces fill the end
    pieces = collections.Counter(name for name, _ in work.tasks)
    order = sorted(range(len(work.tasks)), key=lambda i: pieces[work.tasks[i][0]] > 1)
    try:
        for i in [*order, *[None] * jobs]:  # a None for each process
            todo.put(i)
        pending = len(work.tasks)
        for i in iter(todo.get, None):  # this process's share, as long as there are tasks
            yield work.run(i)
            pending -= 1
            for reply in _replies(done):  # the others', as they come
                pending -= 1
                yield _result(reply)
        for _ in range(pending):
            yield _result(_reply(done, workers))
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()  # after a failure: the others' work is not wanted
            w.join()
        done.close()


def _result(reply: bytes) -> tuple[int, list[Written], float]:
    kind, value = pickle.loads(reply)
    if kind == "failed":
        raise value
    return value  # type: ignore[no-any-return]


def _replies(done: multiprocessing.Queue[bytes]) -> Iterator[bytes]:
    """The replies that have come, without waiting."""
    while True:
        try:
            yield done.get_nowait()
        except queue.Empty:
            return


def _reply(done: multiprocessing.Queue[bytes], workers: Sequence[BaseProcess]) -> bytes:
    """The next reply of a worker; an error when a worker died without one (killed, out of memory)."""
    while True:
        try:
            return done.get(timeout=1)
        except queue.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead:
                raise RuntimeError(f"a rendering process ended unexpectedly (exit status {dead[0]})") from None


def render_site(site: SiteModel, root: Path, staging: Staging, media: bool = True, progress: Progress = QUIET,
                jobs: int = 1, cache: RenderCache | None = None, keys: Keys | None = None,
                reuse: Reuse = NO_REUSE, on_pages: Callable[[list[Written]], None] | None = None) -> list[Written]:
    """Render every output of the site and put it into `staging` (which writes it, or in a check
    only reports it). `check` skips image encoding: images were checked when loaded. Units whose
    render key is the one the previous build in the output folder recorded are taken over.
    `on_pages` is called with what is written so far once the page tasks are done (the full-text
    index starts then, while the other tasks render)."""
    cache = cache if cache is not None else RenderCache()
    envs = {lang: make_environment(root, lang, cache) for lang in site.config.languages}
    primary = envs[site.config.language]
    # a big site in many pieces even on one core: a task holds its piece's bytes until written
    parts = max(4 * jobs, PIECES) if _size(site) >= PARALLEL_FROM else 4 * jobs if jobs > 1 else 1
    if keys is not None:
        keys.warm()  # before the workers fork: they share the records' digests
    fragments: dict[Any, Any] = {}  # emptied when rendering is done (render_tasks)
    work = _Work(render_tasks(site, root, envs, media, parts, cache, keys, reuse, fragments), staging, cache)
    # rendering, its tasks, site files and the sitemap, editor, assets, links; a build adds the
    # full-text index (its step and its task) and writing
    progress.start(len(work.tasks) + 6 + (3 if staging.path is not None else 0))
    progress.step("rendering")
    results: list[list[Written]] = [[] for _ in work.tasks]
    pages = {i for i, (name, _) in enumerate(work.tasks) if name.startswith("pages")}

    def done(i: int, written: list[Written], seconds: float) -> None:
        results[i] = written
        progress.task_done(work.tasks[i][0], seconds)
        pages.discard(i)
        if not pages and on_pages is not None and i in pages_of:
            on_pages([w for r in results for w in r])

    pages_of = frozenset(pages)
    if jobs > 1:
        # what exists now is only read by the workers: keep the collector from touching it, so
        # that its memory stays shared with them instead of being copied page by page
        gc.freeze()
        try:
            for i, written, seconds in _render_parallel(work, jobs):
                done(i, written, seconds)
        finally:
            gc.unfreeze()
    else:
        staging.survey()
        for i in range(len(work.tasks)):
            done(*work.run(i))
    fragments.clear()  # for what comes after rendering, in this process
    outputs: list[Written] = [w for written in results for w in written]  # in task order: deterministic
    progress.step("site files")
    html = [o.path for o in outputs if o.path.endswith(".html")]
    _put(staging, outputs, progress, "sitemap and site files", render_site_files(site, primary, site.urls, html))
    return outputs


def _put(staging: Staging, outputs: list[Written], progress: Progress, step: str, made: list[Output]) -> None:
    started = time.perf_counter()
    outputs.extend(staging.put(o) for o in made)
    progress.task_done(step, time.perf_counter() - started)


class FulltextIndex:
    """The full-text index of a build's pages. In a rebuild that took most pages over, it is made
    in a thread of its own from when the page tasks are done (start()), while the other tasks
    still render: one part at a time until rendering is done, then `jobs` at a time (widen());
    otherwise after rendering (outputs())."""

    def __init__(self, site: SiteModel, staging: Staging, keys: Keys | None, reuse: Reuse, jobs: int):
        self.site, self.staging = site, staging
        self.keys, self.reuse, self.jobs = keys, reuse, jobs
        self.gate, self.wide = threading.Semaphore(1), False
        self.pages: list[tuple[str, bytes]] | None = None
        self.made: list[Output] = []
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.writing = 0.0  # seconds spent writing the index's files (its task in the progress)
        self.timing = threading.Lock()

    @staticmethod
    def pages_of(outputs: Iterable[Written]) -> list[tuple[str, bytes]]:
        return sorted((o.path, o.digest) for o in outputs if o.indexed)

    def start(self, outputs: list[Written]) -> None:
        pages = self.pages_of(outputs)
        # only a build that took most of its pages over (an edit) indexes while it renders: one
        # that renders them all indexes after, so Pagefind's memory adds to no renderer's
        taken = sum(1 for o in outputs if o.reused)
        if not pages or self.staging.path is None or taken * 2 < len(outputs):
            return
        self.pages = pages
        folder = self.staging.path

        def run() -> None:  # the files are kept, not written: outputs() may find other pages
            try:
                self.made = fulltext.index_pages(self.site, folder, pages, self.keys, self.reuse, self.jobs,
                                                 self.gate)
            except BaseException as exc:  # noqa: BLE001 - raised again in outputs()
                self.error = exc

        self.thread = threading.Thread(target=run, name="naerpoliti-index", daemon=True)
        self.thread.start()

    def widen(self) -> None:
        if self.jobs > 1 and not self.wide:
            self.wide = True
            self.gate.release(self.jobs - 1)

    def join(self) -> None:
        if self.thread is not None:
            self.widen()
            self.thread.join()
            self.thread = None

    def outputs(self, outputs: list[Written]) -> list[Written]:
        """The index of the pages in `outputs`, written: the one started, if it had the same
        pages; else made now, each part written as it is made (while the next is made)."""
        self.join()
        if self.error is not None:
            raise self.error
        pages = self.pages_of(outputs)
        if not pages:  # Pagefind cannot make an empty index (fulltext.js says so)
            return []
        if pages == self.pages:
            return [self.put(o) for o in self.made]
        assert self.staging.path is not None
        return fulltext.index_pages(self.site, self.staging.path, pages, self.keys, self.reuse, self.jobs,
                                    put=self.put)

    def put(self, output: Output) -> Written:
        """Write a file of the index (from the index's threads too), timing it."""
        started = time.perf_counter()
        written = self.staging.put(output)
        with self.timing:
            self.writing += time.perf_counter() - started
        return written


def finish_site(site: SiteModel, root: Path, staging: Staging, outputs: list[Written], progress: Progress = QUIET,
                index: FulltextIndex | None = None, cache: RenderCache | None = None) -> None:
    """The outputs made from what was written: the full-text index of the written pages (none in
    a check), then the browser editor and the assets, which stay out of the sitemap and the index."""
    if index is not None and staging.path is not None:
        progress.step("full-text search")
        outputs.extend(index.outputs(outputs))
        progress.task_done("full-text search", index.writing)
    primary = make_environment(root, site.config.language, cache)
    _put(staging, outputs, progress, "browser editor", render_admin(site, primary))
    assets: dict[str, Path] = {}
    for folder in reversed(template_dirs(root)):  # the site's own templates/ win
        base = folder / "assets"
        if base.is_dir():
            for f in sorted(base.rglob("*")):
                if f.is_file() and not f.name.startswith("."):
                    assets[f.relative_to(base).as_posix()] = f
    _put(staging, outputs, progress, "assets",
         [Output(f"assets/{name}", source=source, origin=f"templates/assets/{name}")
          for name, source in sorted(assets.items())])


class Claim(Protocol):
    """An output path and what produced it: a rendered Output or a Written file."""

    @property
    def path(self) -> str: ...

    @property
    def origin(self) -> str: ...


def check_outputs(site: SiteModel, outputs: Iterable[Claim], diags: Diagnostics) -> None:
    """Two sources must not claim one output path; links written in Markdown must lead somewhere."""
    seen: dict[str, Claim] = {}
    for o in outputs:
        problem = check_output_path(o.path)
        if problem:
            diags.error(Position(o.origin or "?"), problem)
        elif o.path in seen:
            diags.error(Position(o.origin or "?"),
                        f"writes the same file '{o.path}' as {seen[o.path].origin}: rename one of them")
        else:
            seen[o.path] = o
    check_links(site, site.documents(), seen, diags)


def check_links(site: SiteModel, documents: Iterable[Rendered], paths: Container[str], diags: Diagnostics) -> None:
    """Links written in the Markdown of `documents` must lead to one of `paths` (output paths)."""
    urls = site.urls
    for rendered in documents:
        for target, pos in rendered.links:
            path = urls.base_path + target.split("#", 1)[0].split("?", 1)[0][1:]
            candidates = [path, path.rstrip("/") + "/"]
            if not any(urls.output_path(c) in paths for c in candidates if c.startswith(urls.base_path)):
                diags.error(pos, f"link to '{target}': there is no such page on the site")


# --- a build whose inputs did not change since the previous one does nothing -------------------------

class Digest(Protocol):
    """What stat_tree() feeds: a hashlib object."""

    def update(self, data: bytes, /) -> None: ...


def stat_tree(h: Digest, base: Path, label: str) -> None:
    """Every file under base, by relative path, size and modification time (in a fixed order)."""
    if not base.is_dir():
        h.update(f"{label}: none\n".encode())
        return
    found = []
    for rel, entry in walk_files(base):
        try:
            st = entry.stat()
        except OSError:
            continue
        found.append(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}")
    found.sort()
    h.update(f"{label}\n".encode())
    h.update("\n".join(found).encode("utf-8", "surrogateescape"))


# The libraries whose version can change what a build writes (Markdown, templates and their
# escaping, feeds and the XML library that writes them, calendars and the time zones in them,
# images, e-mails, the full-text index, phone and e-mail checks): an upgrade rebuilds, and render
# keys (render/keys.py) made with other versions are never used.
OUTPUT_DEPENDENCIES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "pyyaml", "feedgen", "lxml",
                       "icalendar", "tzdata", "pillow", "babel", "css-inline", "pagefind", "phonenumbers",
                       "email-validator")


def dependency_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def inputs_fingerprint(root: Path, out: Path, date: dt.date, strict: bool) -> str:
    """A digest of everything a build reads: the site root's files (by size and modification time:
    a checkout or a save changes them), the engine, its theme and the versions of the libraries
    that shape the output, the build date and options, and where git history stands (the
    last-updated dates come from it)."""
    h = hashlib.sha256()
    h.update(f"{root.resolve()}\0{out}\0{date.isoformat()}\0{strict}\0"
             f"{os.environ.get('PAGEFIND_BINARY_PATH', '')}\n".encode())
    h.update(f"naerpoliti {__version__}\0{libraries()}\n".encode())
    engine = Path(__file__).resolve().parent
    stat_tree(h, engine, "engine")  # the package with its shipped theme and schemas
    stat_tree(h, theme_dir(), "theme")  # the repository's templates/ when run from a checkout
    registry = root / "localities.yaml"
    try:
        st = registry.stat()
        h.update(f"localities.yaml\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    except OSError:
        h.update(b"localities.yaml: none\n")
    for folder in ("content", "templates"):
        stat_tree(h, root / folder, folder)
    git = root / ".git"
    for name in ("HEAD", "index", "packed-refs", "shallow"):
        try:
            st = (git / name).stat()
            h.update(f"git {name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            pass
    stat_tree(h, git / "refs", "git refs")
    return h.hexdigest()


def _saved_inputs(out: Path) -> dict[str, Any]:
    """What the previous build into `out` remembered (_remember), or {}."""
    try:
        saved = json.loads(cache_file(out, "inputs").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def _reusable(out: Path, saved: dict[str, Any], fingerprint: str) -> bool:
    """Whether the previous build had this fingerprint, the folder is still the one its swap put in
    place (its marker, not one of a build that swapped after it), and every file in it is still
    as written (Manifest.matches: stat only)."""
    folder = saved.get("folder")
    return (saved.get("fingerprint") == fingerprint and isinstance(folder, str) and bool(folder)
            and marker_id(out) == folder and Manifest.load(out).matches(out))


def _remember(out: Path, fingerprint: str, result: Result, timezone: str) -> None:
    """Record which inputs made the folder that this build left in place, by its marker_id()
    taken before the swap (WriteStats.folder_id): never whatever folder is there now."""
    folder = result.written.folder_id if result.written is not None else ""
    if not folder:
        return
    saved = {"fingerprint": fingerprint, "folder": folder, "timezone": timezone, "counts": result.counts,
             "root_path": result.root_path, "fit": result.fit.as_json() if result.fit else None,
             "diagnostics": [[d.position.path, d.position.line, d.position.column, d.severity, d.message]
                             for d in result.diagnostics.items]}
    save_cache(cache_file(out, "inputs"), json.dumps(saved, ensure_ascii=False).encode("utf-8"))


def forget(out: Path | None) -> None:
    if out is not None:
        remove_cache(cache_file(out, "inputs"))


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """A build makes millions of objects and keeps most of them to the end: the collector's full
    passes over them cost about a sixth of loading a national site, and find little."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.unfreeze()  # what loading (CachedLoader) and render_site froze
        gc.set_threshold(*thresholds)


def run(root: Path, out: Path | None, today: dt.date | None = None, strict: bool = False,
        progress: Progress = QUIET, jobs: int | None = None, memo: FileMemo | None = None,
        cache: RenderCache | None = None) -> Result:
    """Build (out given) or only check (out None) one site root. A memo and a cache
    (incremental.Builder's) spare reading files that did not change since its previous build and
    rendering again what it rendered then; without a cache, the build has one of its own."""
    if cache is None:
        cache = RenderCache(bytecode_dir=cache_dir())
    # one build at a time per output folder: from looking for changes to recording what it swapped in
    with fewer_collections(), output_lock(out.resolve()) if out is not None else contextlib.nullcontext():
        return _run(root, out, today, strict, progress, jobs, memo, cache)


def _run(root: Path, out: Path | None, today: dt.date | None, strict: bool, progress: Progress,
         jobs: int | None, memo: FileMemo | None, cache: RenderCache) -> Result:
    started = time.perf_counter()
    diags = Diagnostics()
    result = Result(diags)
    result.strict = strict
    fingerprint = None
    if out is not None:
        out = out.resolve()
        progress.step("looking for changes")
        # the date in the time zone of the previous build (the fingerprint covers localities.yaml)
        saved = _saved_inputs(out)
        timezone = saved.get("timezone") or "Europe/Copenhagen"
        fingerprint = inputs_fingerprint(root, out, build_date(today, timezone), strict)
        if _reusable(out, saved, fingerprint):
            clean_leftovers(out)  # a killed build's staging folder may hold unpublished content
            for path, line, column, severity, message in saved["diagnostics"]:
                (diags.error if severity == "error" else diags.warning)(Position(path, line, column), message)
            result.reused = saved
            result.fit = hosts.Fit.of_json(saved.get("fit"))
            result.written = WriteStats(saved["counts"]["files"], 0, 0, swapped=False)
            progress.done()
            result.seconds = time.perf_counter() - started
            return result
    progress.step("reading content")
    result.content, site, result.model_diagnostics = model_of(root, today, diags, progress, memo, freeze=True)
    if site is None:
        progress.done()
        result.seconds = time.perf_counter() - started
        return result
    result.site = site
    if fingerprint is not None and site.today != build_date(today, timezone):
        fingerprint = None  # keyed on another day than the site's (its time zone changed): not kept
    checking = out is None
    staging = Staging(out, None if out is None else fulltext.indexable(site))
    # what the previous build in the folder rendered, by render key (render/keys.py)
    record = staging.previous_record()
    keys = None if checking else Keys(site, base_digest(template_dirs(root), libraries()))
    jobs = jobs or jobs_for(site)
    # a check renders only what it must to find what a build would refuse: a site's own
    # templates (which only rendering can test); the engine's are tested with the engine
    previous = Reuse(record)
    reuse = PLAN if checking and not own_templates(root) else previous
    # a check makes no full-text index: the pages it would index were checked already
    index = None if out is None else FulltextIndex(site, staging, keys, previous, jobs)
    try:
        with template_errors():
            result.outputs = render_site(site, root, staging, media=not checking, progress=progress,
                                         jobs=jobs, cache=cache, keys=keys, reuse=reuse,
                                         on_pages=index.start if index is not None else None)
            finish_site(site, root, staging, result.outputs, progress, index, cache)
        progress.step("checking links")
        check_outputs(site, result.outputs, diags)
        if out is not None:  # over a limit of site.host: a warning, so --strict keeps the old site
            config = site.config
            result.fit = hosts.check(config.host, config.field_pos.get("host", config.pos),
                                     ((o.path, o.stat[0]) for o in result.outputs), diags)
        if out is not None and not result.failed:
            progress.step("writing")
            forget(out)  # until the new site is in place
            result.written = staging.commit(result.outputs)
            if fingerprint is not None:
                _remember(out, fingerprint, result, site.config.timezone)
    except TemplateProblem as problem:
        shown = problem.path
        with contextlib.suppress(ValueError):
            shown = Path(problem.path).resolve().relative_to(root.resolve()).as_posix()
        diags.error(Position(shown, problem.line), f"template error: {problem.message}")
        result.outputs = []
    finally:
        if index is not None:
            index.join()  # it reads the staging folder
        staging.discard()
    progress.done()
    result.seconds = time.perf_counter() - started
    return result
