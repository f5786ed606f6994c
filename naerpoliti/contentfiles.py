"""Content files: news, events and pages (Markdown with front matter), ambassadors and newsletter
intros, read and typed after the registry; and the memo that lets serve skip unchanged files."""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import model
from .errors import Diagnostic, Diagnostics, Position
from .fieldtypes import Ctx, Invalid, RecordSpec, check_slug, convert_record
from .load import YList, YMap, parse_yaml, read_text, split_front_matter
from .markup import Markup, bounded_summary
from .media import name_clashes
from .progress import Progress
from .records import AMBASSADOR, EVENT, NEWS, NEWSLETTER_INTRO, PAGE, fold_image, fold_scope, make
from .registry import REGISTRY, load_registry

T = TypeVar("T")
R = TypeVar("R")
# A Markdown document read and parsed: (path, slug, front matter, body, the body's first line)
Doc = tuple[str, str, object, str, int]
CtxFor = Callable[[str, Diagnostics], Ctx]
# Makes a record of a document's checked fields: (values, ctx, slug, path, rendered body)
Builder = Callable[[dict[str, Any], Ctx, str, str, model.Rendered], R | None]


class Memo(Protocol):
    """A FileMemo, or loading every time (_no_memo)."""

    def __call__(self, rel: str, diags: Diagnostics, load: Callable[[Diagnostics], T]) -> T: ...


def load_content(root: Path, diags: Diagnostics, progress: Progress | None = None,
                 memo: FileMemo | None = None, loader: Loader | None = None) -> model.Content | None:
    """Read and type every file of a site root. Returns None when localities.yaml is unusable.
    progress.lap() marks the phases: reading files, then checking fields (for the benchmark).
    Each content file is loaded on its own (what it gives depends only on itself, the registry
    and the media files): by `loader` (loadcache.py: on every core, with the persistent cache),
    else here one after another, with a FileMemo skipping files unchanged since its last call."""
    lap: Callable[[str], None] = progress.lap if progress is not None else (lambda name: None)
    lap("reading files")
    loader = loader if loader is not None else SerialLoader(memo)
    registry = loader.registry(root, diags)
    if registry is None:
        return None
    config = registry["config"]
    jobs = [(kind, rel) for kind, suffix in CONTENT_KINDS
            for rel in _content_files(root, f"content/{kind}", suffix, diags)]
    for rel, other in name_clashes(root):
        diags.warning(Position(rel), f"'{rel}' and '{other}' differ only in capital letters or in how a letter "
                                     "is encoded (å as one character or as a + ring): on macOS and Windows "
                                     "they are one file, so one would be lost there; rename one of them")
    lap("checking fields")
    load = functools.partial(load_file, root, _contexts(root, config), config.newsletter.period)
    records: dict[str, list[Any]] = {kind: [] for kind, _ in CONTENT_KINDS}
    for (kind, _rel), made in zip(jobs, loader.files(jobs, load, diags), strict=True):
        records[kind] += made
    return model.Content(
        config=config,
        districts=registry["districts"],
        municipalities=registry["municipalities"],
        stations=registry["stations"],
        officers=registry["officers"],
        localities=registry["localities"],
        ambassadors=tuple(records["ambassadors"]),
        news=tuple(records["news"]),
        events=tuple(records["events"]),
        pages=tuple(records["pages"]),
        newsletter_intros=tuple(records["newsletters"]),
        invalid_ids={k: frozenset(v) for k, v in registry.get("invalid_ids", {}).items()},
    )


# The folders of content/ by kind of record, with the files each holds, in the order they are loaded.
CONTENT_KINDS = (("news", ".md"), ("events", ".md"), ("pages", ".md"), ("newsletters", ".md"),
                 ("ambassadors", ".yaml"))
# One content file to load: (kind, path relative to the site root)
Job = tuple[str, str]
# Loads one content file: its records, its problems reported to the Diagnostics given
LoadFile = Callable[[Job, Diagnostics], list[Any]]


class Loader(Protocol):
    """How load_content loads the registry and the content files: SerialLoader, or loadcache.py's."""

    def registry(self, root: Path, diags: Diagnostics) -> dict[str, Any] | None: ...

    def files(self, jobs: Sequence[Job], load: LoadFile, diags: Diagnostics) -> list[list[Any]]:
        """What load(job) gives for each job, in order; each job's problems reported to diags, in order."""


class SerialLoader:
    """Every file in this process, one after another; with a FileMemo (serve's), only the changed ones."""

    def __init__(self, memo: FileMemo | None = None) -> None:
        self.memo = memo

    def registry(self, root: Path, diags: Diagnostics) -> dict[str, Any] | None:
        memo = self.memo
        if memo is None:
            return load_registry(root, diags)
        memo.root, memo.salt = root, None
        registry = memo(REGISTRY, diags, lambda d: load_registry(root, d))
        memo.salt = (memo.store.get(REGISTRY, (None,))[0], _media_salt(root))
        return registry

    def files(self, jobs: Sequence[Job], load: LoadFile, diags: Diagnostics) -> list[list[Any]]:
        memo: Memo = self.memo or _no_memo
        return [memo(job[1], diags, functools.partial(load, job)) for job in jobs]


def load_file(root: Path, ctx_for: CtxFor, period: str, job: Job, diags: Diagnostics) -> list[Any]:
    """The records of one content file; its problems go to diags."""
    kind, rel = job
    if kind == "newsletters":
        return _intro_file(root, rel, period, diags, ctx_for)
    if kind == "ambassadors":
        return _ambassador_file(root, rel, diags, ctx_for)
    spec, build = _DOCUMENTS[kind]
    return _typed_doc(root, rel, spec, ctx_for, build, diags)


def _content_files(root: Path, folder: str, suffix: str, diags: Diagnostics) -> list[str]:
    """The files of a content folder and its sub-folders, by relative path (sorted as paths), without
    hidden files and folders; others than `suffix` are ignored with a warning. os.scandir, not
    pathlib: a national site has 20,000 news files and serve lists them after every save."""
    base = root / folder
    if not base.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(str(base), ())]
    while stack:
        path, parts = stack.pop()
        with os.scandir(path) as entries:
            for e in entries:
                if e.name.startswith("."):
                    continue
                # a linked folder is not followed (it could loop, or lead out of the site folder):
                # as a file, read_text() refuses or reads what it links to
                if e.is_dir(follow_symlinks=False):
                    stack.append((e.path, parts + (e.name,)))
                else:
                    found.append((parts + (e.name,), e.name))
    files = []
    for parts, name in sorted(found):  # as pathlib sorts paths: part by part
        rel = "/".join((folder, *parts))
        if not name.endswith(suffix) or name == suffix:
            diags.warning(Position(rel), f"ignored: only {suffix} files belong in {folder}/")
            continue
        files.append(rel)
    return files


def _read_doc(root: Path, rel: str, diags: Diagnostics) -> list[Doc]:
    slug = Path(rel).stem
    try:
        check_slug(slug)
    except Invalid as exc:
        diags.error(Position(rel), f"file name: {exc}")
        return []
    parsed = _front_matter(root, rel, diags, required=True)
    if parsed is None:
        return []
    raw, body, body_line = parsed
    return [(rel, slug, raw, body, body_line)]


def _front_matter(root: Path, rel: str, diags: Diagnostics, required: bool) -> tuple[object, str, int] | None:
    """A Markdown file's front matter (empty, or only comments: a group without fields, so every
    required field is reported missing), its body and the body's first line; None on errors."""
    text = read_text(root, rel, diags)
    if text is None:
        return None
    parts = split_front_matter(text, rel, diags, required=required)
    if parts is None:
        return None
    fm_text, fm_line, body, body_line = parts
    errors_before = len(diags.errors)
    raw = parse_yaml(fm_text, rel, diags, line_offset=fm_line - 1)
    if raw is None:
        if len(diags.errors) != errors_before:
            return None
        raw = YMap()
        raw.pos, raw.key_pos, raw.value_pos = Position(rel, 1, 1), {}, {}
    return raw, body, body_line


def _no_memo(rel: str, diags: Diagnostics, load: Callable[[Diagnostics], T]) -> T:
    return load(diags)


class FileMemo:
    """What was loaded from each file, for a process that builds again and again (serve): a file
    whose size and modification time are as before, under the same `salt` (localities.yaml and
    the media folder as before), gives its records and diagnostics without being read again."""

    def __init__(self) -> None:
        self.root = Path()  # the site root, set by each load_content
        # path -> (size, time and salt; what loading it gave; its diagnostics)
        self.store: dict[str, tuple[object, Any, tuple[Diagnostic, ...]]] = {}
        self.salt: object = None

    def __call__(self, rel: str, diags: Diagnostics, load: Callable[[Diagnostics], T]) -> T:
        try:
            st = os.stat(os.path.join(self.root, rel))
            key = (st.st_size, st.st_mtime_ns, self.salt)
        except OSError:
            key = None
        hit = self.store.get(rel)
        if key is not None and hit is not None and hit[0] == key:
            diags.items.extend(hit[2])
            result: T = hit[1]
            return result
        local = Diagnostics()
        result = load(local)
        diags.items.extend(local.items)
        if key is not None:
            self.store[rel] = (key, result, tuple(local.items))
        return result


def _media_salt(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Sizes and times of the media files: Markdown and images are checked against them."""
    base = root / "content" / "media"
    if not base.is_dir():
        return ()
    found: list[tuple[str, int, int]] = []
    for dirpath, _dirs, names in os.walk(base):
        for name in names:
            st = os.stat(os.path.join(dirpath, name))
            found.append((os.path.join(dirpath, name), st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


def _type_docs(parsed: Sequence[Doc], spec: RecordSpec, diags: Diagnostics, ctx_for: CtxFor,
               build: Builder[R]) -> tuple[R, ...]:
    """Pass 2: check the fields, render the Markdown, make the records."""
    records: list[R] = []
    for rel, slug, raw, body, body_line in parsed:
        ctx = ctx_for(rel, diags)
        ctx.field_name = ""
        values = convert_record(raw, spec, Position(rel, 1, 1), ctx)
        rendered = _render(ctx, body, rel, body_line)
        if values is None:
            continue
        record = build(values, ctx, slug, rel, rendered)
        if record is not None:
            records.append(record)
    return tuple(records)


def _render(ctx: Ctx, body: str, rel: str, line: int) -> model.Rendered:
    assert ctx.markup is not None  # ctx_for gives every context the site's Markup
    rendered: model.Rendered = ctx.markup.render(body, rel, line, ctx.diags)
    return rendered


def _typed_doc(root: Path, rel: str, spec: RecordSpec, ctx_for: CtxFor, build: Builder[R],
               diags: Diagnostics) -> list[R]:
    """One Markdown document read and typed (what a FileMemo keeps of it)."""
    return list(_type_docs(_read_doc(root, rel, diags), spec, diags, ctx_for, build))


def _summary(values: dict[str, Any], rendered: model.Rendered) -> str:
    summary: str | None = values.pop("summary", None)
    return summary or bounded_summary(rendered.first_paragraph)


def _needs_scope(values: dict[str, Any], ctx: Ctx, what: str) -> model.Scope | None:
    scope = fold_scope(values)
    if scope.empty:
        ctx.diags.error(values["pos"], f"the {what} has no scope: add 'localities: [...]', "
                                       "'municipalities: [...]', 'districts: [...]' or 'national: true'")
        return None
    return scope


def _build_news(values: dict[str, Any], ctx: Ctx, slug: str, rel: str,
                rendered: model.Rendered) -> model.NewsItem | None:
    if not fold_image(values, ctx, "image", "image_alt"):
        return None
    scope = _needs_scope(values, ctx, "news item")
    if scope is None:
        return None
    when, has_time = values.pop("date")
    return make(model.NewsItem, {
        **values, "slug": slug, "source": rel, "scope": scope, "body": rendered,
        "summary": _summary(values, rendered), "date": when.date(),
        "datetime": when if has_time else None,
    })


def _build_event(values: dict[str, Any], ctx: Ctx, slug: str, rel: str,
                 rendered: model.Rendered) -> model.Event | None:
    scope = _needs_scope(values, ctx, "event")
    if scope is None:
        return None
    start, start_has_time = values.pop("start")
    end = None
    if "end" in values:
        end, end_has_time = values.pop("end")
        epos = values["field_pos"]["end"]
        if end_has_time != start_has_time:
            ctx.diags.error(epos, "end: write the end the same way as the start: both with a time "
                                  "(YYYY-MM-DDTHH:MM) or both as a date (all-day event)")
            return None
        if end < start:
            ctx.diags.error(epos, f"end: the event ends ({_show(end, end_has_time)}) before it starts "
                                  f"({_show(start, start_has_time)})")
            return None
    return make(model.Event, {
        **values, "slug": slug, "source": rel, "scope": scope, "body": rendered,
        "summary": _summary(values, rendered), "start": start, "end": end,
        "all_day": not start_has_time,
    })


def _show(value: dt.datetime, has_time: bool) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if has_time else value.strftime("%Y-%m-%d")


def _build_page(values: dict[str, Any], ctx: Ctx, slug: str, rel: str, rendered: model.Rendered) -> model.Page:
    return make(model.Page, {**values, "slug": slug, "source": rel, "body": rendered,
                              "summary": _summary(values, rendered)})


# The Markdown documents: how each kind's fields are checked and its records made.
_DOCUMENTS: dict[str, tuple[RecordSpec, Builder[Any]]] = {
    "news": (NEWS, _build_news), "events": (EVENT, _build_event), "pages": (PAGE, _build_page)}


_PERIOD_RE = {"month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "week": re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")}
_PERIOD_EXAMPLE = {"month": "2026-11.md", "week": "2026-W47.md"}


def _intro_file(root: Path, rel: str, period: str, diags: Diagnostics,
                ctx_for: CtxFor) -> list[model.NewsletterIntro]:
    parts_ = Path(rel).relative_to("content/newsletters").parts
    if len(parts_) != 2:
        diags.error(Position(rel), "a newsletter intro belongs in content/newsletters/<locality-id>/"
                                   f"{_PERIOD_EXAMPLE[period]}")
        return []
    area, name = parts_[0], Path(parts_[1]).stem
    if not _PERIOD_RE[period].match(name):
        diags.error(Position(rel), f"file name: '{name}' is not a newsletter period: with "
                                   f"newsletter period '{period}' name the file like {_PERIOD_EXAMPLE[period]}")
        return []
    ctx = ctx_for(rel, diags)
    parsed = _front_matter(root, rel, diags, required=False)
    if parsed is None:
        return []
    raw, body, body_line = parsed
    ctx.field_name = ""
    values = convert_record(raw, NEWSLETTER_INTRO, Position(rel, 1, 1), ctx)
    rendered = _render(ctx, body, rel, body_line)
    if values is None:
        return []
    return [make(model.NewsletterIntro, {
        "title": values.get("title"), "pos": values["pos"], "field_pos": values["field_pos"],
        "area": area, "period": name, "source": rel, "body": rendered,
    })]


def _ambassador_file(root: Path, rel: str, diags: Diagnostics, ctx_for: CtxFor) -> list[model.Ambassador]:
    records: list[model.Ambassador] = []
    if len(Path(rel).relative_to("content/ambassadors").parts) != 1:
        diags.error(Position(rel), "ambassador files belong directly in content/ambassadors/, "
                                   "named <locality-id>.yaml")
        return records
    text = read_text(root, rel, diags)
    if text is None:
        return records
    return _ambassadors_of_text(text, rel, diags, ctx_for)


def ambassadors_in(root: Path, rel: str, text: str, config: model.SiteConfig) -> list[model.Ambassador]:
    """The valid ambassadors of one version of an ambassador file, its problems not reported:
    history.py compares what each committed version would publish."""
    return _ambassadors_of_text(text, rel, Diagnostics(), _contexts(root, config))


def _contexts(root: Path, config: model.SiteConfig) -> CtxFor:
    """Makes the context of each file's fields, with the site's Markdown renderer and time zone."""
    tz: dt.tzinfo
    try:
        tz = ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    markup = Markup(urlsplit(config.base_url).path, lambda p, pos, img: None)

    def ctx_for(relpath: str, d: Diagnostics) -> Ctx:
        c = Ctx(root, relpath, d, markup, tz)
        markup.check_media = c.check_media
        return c
    return ctx_for


def _ambassadors_of_text(text: str, rel: str, diags: Diagnostics, ctx_for: CtxFor) -> list[model.Ambassador]:
    records: list[model.Ambassador] = []
    locality = Path(rel).stem
    ctx = ctx_for(rel, diags)
    errors_before = len(diags.errors)
    raw = parse_yaml(text, rel, diags)
    if raw is None:
        if len(diags.errors) == errors_before:
            diags.warning(Position(rel), "the file lists no ambassadors")
        return records
    if not isinstance(raw, YList):
        diags.error(getattr(raw, "pos", Position(rel)),
                    "an ambassador file must be a list of ambassadors, each starting with '- id: ...'")
        return records
    for item, ipos in zip(raw, raw.item_pos, strict=True):
        ctx.field_name = ""
        values = convert_record(item, AMBASSADOR, ipos, ctx)
        if values is None or not fold_image(values, ctx, "photo", "photo_alt"):
            continue
        consent = values.pop("consent", None)
        if consent is not None:
            consent = make(model.Consent, consent)
            bad = [f for f in ("expires", "withdrawn")
                   if getattr(consent, f) is not None and getattr(consent, f) < consent.given]
            for f in bad:
                diags.error(consent.field_pos[f], f"consent.{f}: {getattr(consent, f)} is before "
                                                  f"consent.given {consent.given}: check both dates")
            if bad:
                continue
        records.append(make(model.Ambassador, {**values, "consent": consent, "locality": locality}))
    return records

