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
  page shows them), and the newest commit of its ambassadors file that changed what the file
  publishes: each committed version is read and put through `consent.decide` (as of the build
  date), and a commit counts only when the published ambassadors differ from the version before.
  An ambassador added without consent, or an edit of a field without consent, leaves the date
  alone, so the date tells nothing of who is recorded but not published (uncommitted changes to
  the file count as "today" only when they change what is published). Consent that runs out
  without a commit changes the page but not its date;
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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from . import consent
from .contentfiles import ambassadors_in
from .model import Content, District, Event, Locality, Municipality, NewsItem, Officer, Page, Station

# Variables with which an enclosing git process (a hook, `git rebase --exec`) would point git at
# another repository than the one the root is in.
_GIT_LOCATION_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                      "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE")
# Where page sources live: `git status` looks no further (not at the output, caches of CI jobs).
SOURCES = ("localities.yaml", "content")
AMBASSADORS = "content/ambassadors"
_NO_BLOB = "0" * 40
_BLAME_HEADER = re.compile(rb"^([0-9a-f]{40,64}) \d+ \d+")  # SHA-1 or SHA-256; all zeros: not committed
_TOP_LEVEL_KEY = re.compile(r"^[^\s#\-]")  # a line that starts a top-level key of a YAML file


def updated_key(item: object) -> str | None:
    """The key of a page's source in SiteModel.updated: the source path of news, events and
    pages; 'locality/<id>', 'municipality/<id>', 'district/<id>' for the pages of areas."""
    if isinstance(item, (NewsItem, Event, Page)):
        return item.source
    for cls, kind in ((Locality, "locality"), (Municipality, "municipality"), (District, "district")):
        if isinstance(item, cls):
            return f"{kind}/{item.id}"
    return None


def _git(root: Path, *args: str) -> bytes | None:
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
    lines: dict[str, list[int | None]]  # per line of a blamed file: its commit time, None = uncommitted
    texts: dict[str, list[str]]  # the blamed files' lines, as blame saw them


def read_history(root: Path, blamed: Iterable[str] = ()) -> History | None:
    """The git history of a root, or None when dates must come from the content."""
    info = _git(root, "rev-parse", "--show-toplevel", "--is-shallow-repository")
    if info is None:
        return None
    top, shallow = (os.fsdecode(line) for line in info.splitlines()[:2])
    if shallow != "false" or Path(top).resolve() != root.resolve():
        return None

    # (a pathspec in `git log` would make it slower, not faster)
    commit_time = _commit_times(_git(root, "-c", "log.showSignature=false", "log", "-z", "--name-only",
                                     "--no-renames", "--no-color", "--format=%x01%ct"))
    status = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames",
                  "--ignore-submodules", "--", *SOURCES)
    if status is None:
        return None
    dirty = frozenset(os.fsdecode(entry[3:]) for entry in status.split(b"\0") if len(entry) > 3)

    lines: dict[str, list[int | None]] = {}
    texts: dict[str, list[str]] = {}
    for rel in blamed:
        out = _git(root, "blame", "--line-porcelain", "--", rel)
        if out is None:  # untracked or not there: the file's own date decides
            continue
        lines[rel], texts[rel] = _blamed_lines(out)
    return History(commit_time, dirty, lines, texts)


def _commit_times(log: bytes | None) -> dict[str, int]:
    """The newest commit time of each path in `git log -z --name-only --format=%x01%ct`.
    A repository without commits has no log: then every file is untracked, hence "today"."""
    commit_time: dict[str, int] = {}
    for chunk in (log or b"").split(b"\x01")[1:]:
        stamp, _, names = chunk.partition(b"\0")
        when = int(stamp)
        for raw in names.removeprefix(b"\n").split(b"\0"):
            if raw:
                path = os.fsdecode(raw)
                if when > commit_time.get(path, -1):
                    commit_time[path] = when
    return commit_time


def _blamed_lines(out: bytes) -> tuple[list[int | None], list[str]]:
    """Each line's commit time (None: not committed) and text, from `git blame --line-porcelain`."""
    times: list[int | None] = []
    text: list[str] = []
    sha, when = b"", None  # the current line's commit and its committer time
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
    return times, text


# What localities.yaml holds, one record each: blamed line by line.
_Record = District | Municipality | Station | Officer | Locality


def updated_dates(root: Path, content: Content, today: dt.date) -> dict[str, dt.date]:
    """Every page source's last-updated date, by updated_key(); see the module docstring."""
    registry: list[_Record] = [*content.districts, *content.municipalities, *content.stations,
                               *content.officers, *content.localities]
    history = read_history(root, sorted({r.pos.path for r in registry if r.pos.path != "?"}))
    if history is None:
        return {n.source: n.date for n in content.news}
    dates = _Dates(history, content, today, _record_ends(history, content, registry))
    dates.ambassadors = _ambassador_dates(root, content, today, dates)
    return dates.of_documents() | dates.of_areas()


def _file_versions(root: Path) -> dict[str, list[tuple[int, str]]]:
    """Every committed version of each ambassador file, oldest first: (commit time, blob id; "" when
    the commit removed the file). One `git log --raw` over the ambassador folder."""
    log = _git(root, "-c", "log.showSignature=false", "log", "-z", "--raw", "--no-abbrev", "--no-renames",
               "--no-color", "--reverse", "--format=%x01%ct", "--", AMBASSADORS)
    versions: dict[str, list[tuple[int, str]]] = {}
    for chunk in (log or b"").split(b"\x01")[1:]:
        stamp, _, rest = chunk.partition(b"\0")
        fields = rest.lstrip(b"\n").split(b"\0")
        for status, name in zip(fields[0::2], fields[1::2], strict=False):
            parts = status.split()
            if len(parts) >= 4 and parts[0].startswith(b":"):
                blob = parts[3].decode()
                versions.setdefault(os.fsdecode(name), []).append((int(stamp), "" if not blob.strip("0") else blob))
    return versions


def _blobs(root: Path, ids: Iterable[str]) -> dict[str, bytes]:
    """The contents of git blobs, by id, from one `git cat-file --batch`."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    try:
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=root, env=env, capture_output=True, check=False,
                             input="".join(f"{b}\n" for b in wanted).encode()).stdout
    except OSError:
        return {}
    found: dict[str, bytes] = {}
    pos = 0
    for blob in wanted:
        header_end = out.find(b"\n", pos)
        header = out[pos:header_end].split()
        if len(header) != 3:  # "<id> missing"
            pos = header_end + 1
            continue
        size = int(header[2])
        found[blob] = out[header_end + 1: header_end + 1 + size]
        pos = header_end + 1 + size + 1
    return found


def _ambassador_dates(root: Path, content: Content, today: dt.date, dates: _Dates) -> dict[str, dt.date]:
    """Per locality, the day of the newest commit that changed what its ambassador file publishes
    (today, when the uncommitted file publishes otherwise than the last commit)."""
    versions = _file_versions(root)
    if not versions and not any(p.startswith(AMBASSADORS + "/") for p in dates.history.dirty):
        return {}
    blobs = _blobs(root, (b for vs in versions.values() for _, b in vs if b))

    def published(rel: str, data: bytes | None) -> tuple[consent.PublicAmbassador, ...]:
        if not data:
            return ()
        text = data.decode("utf-8", "replace")
        return tuple(d.public for a in ambassadors_in(root, rel, text, content.config)
                     if (d := consent.decide(a, today)).public is not None)

    out: dict[str, dt.date] = {}
    dirty = {p for p in dates.history.dirty if p.startswith(AMBASSADORS + "/")}
    for rel in sorted(set(versions) | dirty):
        if not rel.endswith(".yaml"):
            continue
        before: tuple[consent.PublicAmbassador, ...] = ()
        changed: int | None = None
        for seconds, blob in versions.get(rel, ()):
            now = published(rel, blobs.get(blob) if blob else None)
            if now != before:
                changed = seconds
            before = now
        date = None if changed is None else dates.day(changed)
        if rel in dirty:
            try:
                current = (root / rel).read_bytes() if (root / rel).is_file() else None
            except OSError:
                current = None
            if published(rel, current) != before:
                date = today
        if date is not None:
            out[Path(rel).stem] = date
    return out


def _record_ends(history: History, content: Content, registry: list[_Record]) -> dict[tuple[str, int], int]:
    """(path, first line) -> the line after the record: a record of localities.yaml runs from its
    first line to the next record or top-level key."""
    ends: dict[tuple[str, int], int] = {}
    for path, text in history.texts.items():
        starts = {r.pos.line for r in registry if r.pos.path == path}
        starts |= {i + 1 for i, line in enumerate(text) if _TOP_LEVEL_KEY.match(line)}
        if content.config.pos.path == path:
            starts.add(content.config.pos.line)
        ordered = sorted(starts)
        for first, after in zip(ordered, [*ordered[1:], len(text) + 1], strict=True):
            ends[(path, first)] = after
    return ends


def _newest(*dates: dt.date | None) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


class _Dates:
    """The dates of one site's pages from its git history."""

    def __init__(self, history: History, content: Content, today: dt.date,
                 ends: dict[tuple[str, int], int]) -> None:
        self.history, self.content, self.today, self.ends = history, content, today, ends
        self.tz = ZoneInfo(content.config.timezone)
        self.ambassadors: dict[str, dt.date] = {}  # by locality id: see _ambassador_dates

    def day(self, seconds: int) -> dt.date:
        return min(dt.datetime.fromtimestamp(seconds, self.tz).date(), self.today)

    def file_date(self, path: str) -> dt.date | None:
        if path in self.history.dirty:
            return self.today
        seconds = self.history.commit_time.get(path)
        return None if seconds is None else self.day(seconds)

    def record_date(self, record: _Record | None) -> dt.date | None:
        if record is None:
            return None
        path, first = record.pos.path, record.pos.line
        times = self.history.lines.get(path)
        if times is None:
            return self.file_date(path)
        span = times[first - 1: self.ends.get((path, first), first + 1) - 1]
        committed = [t for t in span if t is not None]
        if len(committed) < len(span):
            return self.today
        return self.day(max(committed)) if committed else None

    def of_documents(self) -> dict[str, dt.date]:
        out: dict[str, dt.date] = {}
        for n in self.content.news:
            _put(out, n.source, _newest(self.file_date(n.source), n.date))
        sources = [e.source for e in self.content.events] + [p.source for p in self.content.pages]
        for source in sources:
            _put(out, source, self.file_date(source))
        return out

    def of_areas(self) -> dict[str, dt.date]:
        content = self.content
        officers = {o.id: o for o in content.officers}
        stations = {s.id: s for s in content.stations}
        out: dict[str, dt.date] = {}
        by_area: dict[str, list[dt.date]] = {}
        for loc in content.localities:
            officer = officers.get(loc.officer)
            station = stations.get(officer.station) if officer and officer.station else None
            date = _newest(self.record_date(loc), self.record_date(officer), self.record_date(station),
                           self.ambassadors.get(loc.id))
            _put(out, f"locality/{loc.id}", date)
            if date:
                by_area.setdefault(f"municipality/{loc.municipality}", []).append(date)
        for m in content.municipalities:
            date = _newest(self.record_date(m), *by_area.get(f"municipality/{m.id}", ()))
            _put(out, f"municipality/{m.id}", date)
            if date:
                by_area.setdefault(f"district/{m.district}", []).append(date)
        for d in content.districts:
            _put(out, f"district/{d.id}", _newest(self.record_date(d), *by_area.get(f"district/{d.id}", ())))
        return out


def _put(out: dict[str, dt.date], key: str, date: dt.date | None) -> None:
    if date is not None:
        out[key] = date
