"""When each page's content last changed ("Senest opdateret", sitemap <lastmod>).

Where the dates come from:

- **git**, when the site root is the top level of a git work tree and the clone is not shallow:
  the newest commit (committer date) that touched a page's source. Four git calls, whatever the
  size of the site: `git rev-parse` (where the work tree is, whether it is shallow); `git log
  --name-only -z` over the whole history, parsed once; `git status` for the files with
  uncommitted changes or untracked ones (those get the build date, so a preview shows "today");
  and `git blame --line-porcelain localities.yaml`, because every locality, municipality,
  district, officer and station shares that one file and a record's date is the newest commit
  touching *its own lines* (a record runs from its first line to the next record or top-level
  key). About 0.5 s for 20,000 files in 1,000 commits.
- **the content** otherwise (not a repository, git missing, a shallow clone whose history would
  give wrong dates, or a root nested inside a larger repository): a news item's `date`; nothing
  for other pages, which then show no date. Never file modification times: a fresh checkout
  touches every file, and dates must be the same on every machine.

A root nested in a larger repository (e.g. tests/sites/small in the engine's own repository) uses
content dates: its files' history is the outer project's, and a build must not depend on whether
that project has uncommitted changes. So git is used only when the root *is* the work tree's top
level, which is how an editors' repository is laid out.

What a page's date covers (the newest of):

- news item: its file's commit, and never earlier than the item's own `date` (an item committed
  ahead of its publication date was not "updated" before it was published);
- event, free page: its file;
- locality: its lines in localities.yaml, its officer's and that officer's station's lines (the
  page shows them), and its ambassadors file;
- municipality: its own lines and its localities' dates (the page lists them with their officers);
- district: its own lines and its municipalities' dates.

News and events shown on an area page do not count: they have their own dates, and one national
news item would otherwise make every area page "updated" at once. Dates are calendar days in the
site's time zone and never after the build date.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

from .model import Content, District, Event, Locality, Municipality, NewsItem, Page

# Variables with which an enclosing git process (a hook, `git rebase --exec`) would point git at
# another repository than the one the root is in.
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE")
# Where page sources live: `git status` looks no further (not at the output, caches of CI jobs).
SOURCES = ("localities.yaml", "content")
_BLAME_HEADER = re.compile(rb"^([0-9a-f]{40,64}) \d+ \d+")  # SHA-1 or SHA-256; all zeros: not committed
_TOP_LEVEL_KEY = re.compile(r"^[^\s#\-]")  # a line that starts a top-level key of a YAML file


def updated_key(item) -> Optional[str]:
    """The key of a page's source in SiteModel.updated: the source path of news, events and
    pages; 'locality/<id>', 'municipality/<id>', 'district/<id>' for the pages of areas."""
    if isinstance(item, (NewsItem, Event, Page)):
        return item.source
    for cls, kind in ((Locality, "locality"), (Municipality, "municipality"), (District, "district")):
        if isinstance(item, cls):
            return f"{kind}/{item.id}"
    return None


def _git(root: Path, *args: str) -> Optional[bytes]:
    """stdout of one git command run in root, or None when git is missing or fails."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # `git status` must not write the index of the editor's repository
    env["LC_ALL"] = "C"
    try:
        done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, check=False)
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class History:
    """What git knows about the files of a site root (paths relative to the root, POSIX)."""

    commit_time: dict[str, int]  # newest commit touching each path, Unix seconds
    dirty: frozenset[str]  # changed in the work tree or index, or untracked
    lines: dict[str, list[Optional[int]]]  # per line of a blamed file: its commit time, None = uncommitted
    texts: dict[str, list[str]]  # the blamed files' lines, as blame saw them


def read_history(root: Path, blamed: Iterable[str] = ()) -> Optional[History]:
    """The git history of a root, or None when dates must come from the content."""
    info = _git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository")
    if info is None:
        return None
    top, shallow = (os.fsdecode(line) for line in info.splitlines()[:2])
    if shallow != "false" or Path(top).resolve() != root.resolve():
        return None

    commit_time: dict[str, int] = {}
    log = _git(root, "-c", "log.showSignature=false", "log", "-z", "--name-only", "--no-renames",
               "--no-color", "--format=%x01%ct")  # a pathspec here would make it slower, not faster
    # A repository without commits fails here: then every file is untracked, hence "today".
    for chunk in (log or b"").split(b"\x01")[1:]:
        stamp, _, names = chunk.partition(b"\0")
        when = int(stamp)
        for raw in names.removeprefix(b"\n").split(b"\0"):
            if raw:
                path = os.fsdecode(raw)
                if when > commit_time.get(path, -1):
                    commit_time[path] = when

    status = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
                  "--ignore-submodules", "--", *SOURCES)
    if status is None:
        return None
    dirty = frozenset(os.fsdecode(entry[3:]) for entry in status.split(b"\0") if len(entry) > 3)

    lines: dict[str, list[Optional[int]]] = {}
    texts: dict[str, list[str]] = {}
    for rel in blamed:
        out = _git(root, "blame", "--line-porcelain", "--", rel)
        if out is None:  # untracked or not there: the file's own date decides
            continue
        times: list[Optional[int]] = []
        text: list[str] = []
        sha, when = b"", None
        for line in out.split(b"\n"):
            if line.startswith(b"\t"):
                times.append(None if not sha.strip(b"0") else when)
                text.append(line[1:].decode("utf-8", "replace"))
            elif line.startswith(b"committer-time "):
                when = int(line.split(b" ", 1)[1])
            else:
                header = _BLAME_HEADER.match(line)
                if header:
                    sha = header.group(1)
        lines[rel], texts[rel] = times, text
    return History(commit_time, dirty, lines, texts)


def updated_dates(root: Path, content: Content, today: dt.date) -> dict[str, dt.date]:
    """Every page source's last-updated date, by updated_key(); see the module docstring."""
    registry = [*content.districts, *content.municipalities, *content.stations, *content.officers,
                *content.localities]
    history = read_history(root, sorted({r.pos.path for r in registry if r.pos.path != "?"}))
    if history is None:
        return {n.source: n.date for n in content.news}

    tz = ZoneInfo(content.config.timezone)

    def day(seconds: int) -> dt.date:
        return min(dt.datetime.fromtimestamp(seconds, tz).date(), today)

    def file_date(path: str) -> Optional[dt.date]:
        if path in history.dirty:
            return today
        seconds = history.commit_time.get(path)
        return None if seconds is None else day(seconds)

    # A record of localities.yaml runs from its first line to the next record or top-level key.
    ends: dict[tuple[str, int], int] = {}
    for path, text in history.texts.items():
        starts = {r.pos.line for r in registry if r.pos.path == path}
        starts |= {i + 1 for i, line in enumerate(text) if _TOP_LEVEL_KEY.match(line)}
        if content.config.pos.path == path:
            starts.add(content.config.pos.line)
        ordered = sorted(starts)
        for first, after in zip(ordered, [*ordered[1:], len(text) + 1]):
            ends[(path, first)] = after

    def record_date(record) -> Optional[dt.date]:
        path, first = record.pos.path, record.pos.line
        times = history.lines.get(path)
        if times is None:
            return file_date(path)
        span = times[first - 1: ends.get((path, first), first + 1) - 1]
        if any(t is None for t in span):
            return today
        return day(max(span)) if span else None

    def newest(*dates: Optional[dt.date]) -> Optional[dt.date]:
        known = [d for d in dates if d is not None]
        return max(known) if known else None

    out: dict[str, dt.date] = {}

    def put(key: str, date: Optional[dt.date]) -> None:
        if date is not None:
            out[key] = date

    for n in content.news:
        put(n.source, newest(file_date(n.source), n.date))
    for doc in (*content.events, *content.pages):
        put(doc.source, file_date(doc.source))

    officers = {o.id: o for o in content.officers}
    stations = {s.id: s for s in content.stations}
    ambassador_files: dict[str, set[str]] = {}
    for a in content.ambassadors:
        ambassador_files.setdefault(a.locality, set()).add(a.pos.path)
    by_area: dict[str, list[dt.date]] = {}
    for loc in content.localities:
        officer = officers.get(loc.officer)
        station = stations.get(officer.station) if officer and officer.station else None
        date = newest(record_date(loc), officer and record_date(officer), station and record_date(station),
                      *(file_date(p) for p in sorted(ambassador_files.get(loc.id, ()))))
        put(f"locality/{loc.id}", date)
        if date:
            by_area.setdefault(f"municipality/{loc.municipality}", []).append(date)
    for m in content.municipalities:
        date = newest(record_date(m), *by_area.get(f"municipality/{m.id}", ()))
        put(f"municipality/{m.id}", date)
        if date:
            by_area.setdefault(f"district/{m.district}", []).append(date)
    for d in content.districts:
        put(f"district/{d.id}", newest(record_date(d), *by_area.get(f"district/{d.id}", ())))
    return out
