"""The input side at national scale: the content files loaded on every core, and what each file
gave kept in the cache folder between runs, so that `check` and `build` after one edit read and
check only the edited file.

A content file's records and diagnostics depend on the file itself, on localities.yaml (the site
settings: base URL, time zone, newsletter period) and on the media files it refers to (an image's
size, whether a linked file exists), never on the build date or on other content files: references
between records are resolved later, in site.py. So an entry of the cache is used only when

- the cache was written by the same engine (version and the digest of its source files), the same
  Python and the same versions of the libraries that shape what loading gives (a different key:
  the whole cache is ignored);
- the file has the same size and SHA-256 of its bytes (a checkout can keep size and time, and
  gives every file a new time). The digest is not made again when the file also has the inode,
  modification time and change time it had: no checkout, copy or edit keeps a change time;
- localities.yaml has the same bytes, and every media file the same path, size, modification time
  and bytes (a media file's digest is kept with its inode and change time, which no checkout or
  copy preserves, so that unchanged media are not hashed again).

Only regular files are cached: a link or a special file is read and checked every time.
"""
from __future__ import annotations

import contextlib
import copyreg
import ctypes
import gc
import hashlib
import multiprocessing
import os
import pickle
import stat
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .contentfiles import Job, LoadFile
from .errors import Diagnostic, Diagnostics
from .forking import die_with_parent
from .registry import REGISTRY, load_registry
from .render.keys import engine_digest
from .write import cache_file, save_cache

# Sites with at least this many content files load on every core; smaller ones in this process,
# where starting processes costs more than it saves ($NAERPOLITI_JOBS overrides, as for rendering).
PARALLEL_FROM = 2000
# Files a loading process sends back at a time: the parent holds one such message's bytes at once.
BATCH = 500
# The cache of a site root is a folder of this many files, each holding the entries whose path
# falls into it: after one edit, one of them is written again, not the whole cache (95 MB for a
# national site, two seconds of pickling).
SHARDS = 64
_MAGIC = b"naerpoliti content cache 1\n"
RACY = 2_000_000_000  # ns: see stamp_of


# Records keep their field positions in read-only MappingProxyTypes, which pickle cannot copy by itself.
def read_only(values: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(values)


def _reduce_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return read_only, (dict(proxy),)


copyreg.pickle(MappingProxyType, _reduce_proxy)


def load_jobs(count: int) -> int:
    """How many processes load `count` content files: $NAERPOLITI_JOBS, else one per core for a big site."""
    configured = os.environ.get("NAERPOLITI_JOBS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, os.cpu_count() or 1) if count >= PARALLEL_FROM else 1


# Libraries that shape what loading gives besides those that shape the output (build.py's
# OUTPUT_DEPENDENCIES, which has tzdata: which time zones exist): domain names in URLs and e-mail
# addresses.
LOAD_DEPENDENCIES = ("idna",)


def engine_key(libraries: str) -> bytes:
    """What the cache was written by: render/keys.py's engine digest (the engine's version and its
    own source files, since a developer's checkout changes without a new version, Python, and
    `libraries`: the versions of those that shape the output and of LOAD_DEPENDENCIES)."""
    return engine_digest(libraries).hex().encode()


# --- what each file gave, and whether it can be used again ------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """A regular file as found: size, modification time and the SHA-256 of its bytes, and the
    inode and change time that tell the file was not written since (stamp_of)."""

    size: int
    mtime_ns: int
    digest: bytes
    ctime_ns: int = 0
    ino: int = 0


@dataclass(frozen=True)
class Entry:
    """What loading one file gave, under which stamp and salt (localities.yaml and the media).
    Pickled as its stamp, salt and `blob`, the pickle of what it gave: made by the loading process
    that loaded it, so that the parent only writes those bytes into the cache, or else when the
    cache is written. Read back from the cache, it is a Stored entry until it is used."""

    stamp: Stamp
    salt: bytes
    result: Any
    diagnostics: tuple[Diagnostic, ...]
    blob: bytes = field(default=b"", compare=False, repr=False)

    def __reduce__(self) -> tuple[Any, tuple[Stamp, bytes, bytes]]:
        blob = self.blob or pickle.dumps((self.result, self.diagnostics), protocol=pickle.HIGHEST_PROTOCOL)
        return _unpickle_entry, (self.stamp, self.salt, blob)


@dataclass(frozen=True)
class Stored:
    """An Entry as the cache holds it, what it gave still pickled: only the entries that are used
    are unpickled. After a localities.yaml edit none is (the salt differs), and unpickling them
    all would leave the building process a fifth bigger for its whole run (a national site)."""

    stamp: Stamp
    salt: bytes
    blob: bytes = field(repr=False)

    def __reduce__(self) -> tuple[Any, tuple[Stamp, bytes, bytes]]:
        return _unpickle_entry, (self.stamp, self.salt, self.blob)

    def entry(self) -> Entry:
        result, diagnostics = pickle.loads(self.blob)
        return Entry(self.stamp, self.salt, result, diagnostics, self.blob)


def _unpickle_entry(stamp: Stamp, salt: bytes, blob: bytes) -> Stored:
    return Stored(stamp, salt, blob)


def stamp_of(path: str, known: Stamp | None = None, hashed: bool = True) -> Stamp | None:
    """The stamp of a regular file, or None (a link, a special file, missing, unreadable: not
    cached). Without `hashed`, or when its size differs from `known` (it changed), the file is
    not hashed at all: the stamp has no digest yet (the loading process makes it). One with
    `known`'s inode, modification and change time is not either (it was not written since: the
    change time follows every write and cannot be set back). Otherwise the bytes decide, not the
    time: a fresh checkout (CI) gives every file a new one."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        if not hashed or (known is not None and known.size != st.st_size):
            return Stamp(st.st_size, st.st_mtime_ns, b"")
        if known is not None and known.digest and known.ino and (
                known.mtime_ns, known.ctime_ns, known.ino) == (st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
            return known  # 23,000 files of a national site are not read on every build
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).digest()
    except OSError:
        return None
    # a file changed less than RACY ago could change again within its time stamp's tick (a few ms)
    # and keep every stamp: it is hashed again next time (as git does with its "racily clean" files)
    settled = time.time_ns() - st.st_ctime_ns > RACY
    return Stamp(st.st_size, st.st_mtime_ns, digest, st.st_ctime_ns, st.st_ino if settled else 0)


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """Unpickling makes millions of objects that all live on: the collector's passes over them
    would cost three times the unpickling itself, and find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_cache(path: Path, key: bytes) -> dict[str, Any]:
    """The saved entries, or {} when there are none, they were written under another key, or the
    file is damaged (truncated, or not ours): a cache that cannot be used is only slower."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    head = _MAGIC + key + b"\n"
    if not data.startswith(head):
        return {}
    try:
        with _no_collections():
            saved = pickle.loads(memoryview(data)[len(head):])
    except Exception:  # noqa: BLE001 - whatever a damaged pickle raises, the cache is not used
        return {}
    return saved if isinstance(saved, dict) else {}


def write_cache(path: Path, key: bytes, entries: dict[str, Any]) -> None:
    save_cache(path, _MAGIC + key + b"\n" + pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL))


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogateescape")) % SHARDS


def read_shards(folder: Path, key: bytes) -> dict[str, Any]:
    """The entries of every shard of a cache folder that can be used (read_cache)."""
    entries: dict[str, Any] = {}
    for shard in range(SHARDS):
        entries.update(read_cache(folder / f"{shard:02d}", key))
    return entries


# --- loading on every core ------------------------------------------------------------------------


# What loading one file gave: its records and its diagnostics
Loaded = tuple[list[Any], tuple[Diagnostic, ...]]


def _load_one(load: LoadFile, job: Job) -> Loaded:
    local = Diagnostics()
    return load(job, local), tuple(local.items)


def _stamped(path: str | None) -> Stamp | None:
    """The stamp of a file about to be loaded (stamp_of), or None when it is not to be stamped."""
    return stamp_of(path) if path is not None else None


def load_all(jobs: Sequence[Job], load: LoadFile, processes: int,
             stamp: Sequence[str | None] | None = None) -> list[tuple[Loaded, bytes, Stamp | None]]:
    """What each job gave, in order, with its pickle when a loading process made it (else b"")
    and the stamp of the file `stamp` names for it (stamp_of, taken right before it is loaded;
    None where it names none): here, or in `processes` forked processes that each load a
    consecutive share of the jobs and send back each job's result pickled (a share per process,
    so that the results come back in the order of the jobs without sorting). The loading
    processes hash the files, not this one: a first build reads 23,000 files of a national site."""
    paths = list(stamp) if stamp is not None else [None] * len(jobs)
    if processes <= 1 or len(jobs) < 2 * processes:
        return [(_load_one(load, job), b"", made) for job, path in zip(jobs, paths, strict=True)
                for made in (_stamped(path),)]
    context = multiprocessing.get_context("fork")
    bounds = [len(jobs) * k // processes for k in range(processes + 1)]
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
    for k in range(processes):
        receive, send = context.Pipe(duplex=False)
        others = [earlier for _, earlier in workers]  # closed in the worker: only the parent reads them
        share = slice(bounds[k], bounds[k + 1])
        process = context.Process(target=_worker, args=(jobs[share], paths[share], load, send, others, os.getpid()),
                                  daemon=True)
        process.start()
        send.close()  # the worker holds the only sending end: its end is an EOFError here
        workers.append((process, receive))
    shares: list[list[tuple[Loaded, bytes, Stamp | None]]] = [[] for _ in workers]
    try:
        # every pipe read as its messages come: a worker waiting for its turn would stop working
        # as soon as its pipe is full
        reading = dict(enumerate(receive for _, receive in workers))
        while reading:
            ready = wait(list(reading.values()))
            for k in [k for k, receive in reading.items() if receive in ready]:
                part = _receive(*workers[k])
                if part is None:
                    del reading[k]
                else:
                    shares[k] += part
    finally:
        for worker, receive in workers:
            if worker.is_alive():
                worker.terminate()  # after a failure: the others' work is not wanted
            worker.join()
            receive.close()
    return [loaded for share in shares for loaded in share]


def _receive(worker: multiprocessing.process.BaseProcess,
             receive: Connection) -> list[tuple[Loaded, bytes, Stamp | None]] | None:
    """The next batch of a loading process, each result with its pickle and its file's stamp;
    None when it is done."""
    try:
        message = receive.recv_bytes()
    except EOFError:
        worker.join()
        raise RuntimeError(f"a loading process ended unexpectedly (exit status {worker.exitcode})") from None
    with _no_collections():
        kind, value = pickle.loads(message)
        del message
        if kind == "failed":
            raise value
        if kind == "end":
            return None
        return [(pickle.loads(blob), blob, made) for blob, made in value]


def _worker(jobs: Sequence[Job], paths: Sequence[str | None], load: LoadFile, send: Connection,
            others: list[Connection], parent: int) -> None:
    """A forked loading process: `load` and what it refers to (the registry, the Markdown renderer)
    are the parent's, inherited by fork, never pickled. It ends with a killed parent."""
    die_with_parent(parent)
    for other in others:
        other.close()
    try:
        for start in range(0, len(jobs), BATCH):
            blobs = [(pickle.dumps(_load_one(load, job), protocol=pickle.HIGHEST_PROTOCOL), made)
                     for job, path in zip(jobs[start:start + BATCH], paths[start:start + BATCH], strict=True)
                     for made in (_stamped(path),)]
            send.send_bytes(pickle.dumps(("part", blobs), protocol=pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps(("end", None)))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            reply = pickle.dumps(("failed", exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            reply = pickle.dumps(("failed", RuntimeError(f"{type(exc).__name__}: {exc}")))
        with contextlib.suppress(OSError):  # the parent is gone
            send.send_bytes(reply)


# --- the loader -------------------------------------------------------------------------------------


class CachedLoader:
    """load_content's loader for `build` and `check`: the registry and each content file from the
    cache when nothing it depends on changed, the others loaded (on every core when many), and the
    cache saved again when anything changed. cache=False: load everything, save nothing."""

    def __init__(self, root: Path, libraries: str, cache: bool = True, jobs: int | None = None,
                 freeze: bool = False):
        self.root = root
        self.freeze = freeze  # see registry()
        self.path = cache_file(root.resolve(), "content") if cache else None  # a folder of SHARDS files
        self.key = engine_key(libraries) if cache else b""
        self.jobs = jobs
        self.old: dict[str, Any] = {}
        self.new: dict[str, Any] = {}
        self.salt = b""
        self.loaded = 0  # files loaded (not from the cache), for tests and the benchmark
        self.reused = 0
        self.fresh: set[str] = set()  # the entries made in this run (not from the cache)

    def registry(self, root: Path, diags: Diagnostics) -> dict[str, Any] | None:
        if self.path is not None:
            self.old = read_shards(self.path, self.key)
        media = self._media_salt(root)
        entry = self._entry(REGISTRY, media, lambda d: load_registry(root, d))
        diags.items.extend(entry.diagnostics)
        self.salt = hashlib.sha256(entry.stamp.digest + media).digest() if entry.stamp.digest and media else b""
        result: dict[str, Any] | None = entry.result
        if result is None:  # nothing else is loaded: keep what the cache knows of the other files
            self.new = {**self.old, **self.new}
            self._save()
        return result

    def files(self, jobs: Sequence[Job], load: LoadFile, diags: Diagnostics) -> list[list[Any]]:
        entries: list[Entry | None] = []
        stamps: list[Stamp | None] = []
        with _no_collections():
            for _kind, rel in jobs:
                entry, stamp = self._lookup(rel, self.salt, hashed=False)
                entries.append(entry)
                stamps.append(stamp)
            if self.freeze:
                # a build keeps what the cache gives to its end (build.run unfreezes it): the
                # collector need not walk its millions of objects as they age. Only these: the
                # garbage of parsing changed files must stay collectable
                gc.freeze()
        todo = [i for i, e in enumerate(entries) if e is None]
        processes = self.jobs or load_jobs(len(todo))
        # a file to load whose stamp has no digest yet is hashed where it is loaded
        unhashed = [os.path.join(self.root, jobs[i][1]) if (stamp := stamps[i]) is not None and not stamp.digest
                    else None for i in todo]
        made = load_all([jobs[i] for i in todo], load, processes, unhashed)
        for i, path, ((result, problems), blob, stamp) in zip(todo, unhashed, made, strict=True):
            if path is not None:
                stamps[i] = stamp  # None: it is gone or no longer a regular file, and not cached
            entries[i] = Entry(stamps[i] or Stamp(0, 0, b""), self.salt, result, problems, blob)
            self.fresh.add(jobs[i][1])
        self.loaded += len(todo)
        self.reused += len(jobs) - len(todo)
        out = []
        for (_kind, rel), entry, stamp in zip(jobs, entries, stamps, strict=True):
            assert entry is not None
            diags.items.extend(entry.diagnostics)
            out.append(entry.result)
            if stamp is not None and self.salt:
                self.new[rel] = entry
        self._save()
        entries.clear()  # with their pickles: none is needed now
        _give_back()
        return out

    def _lookup(self, rel: str, salt: bytes, hashed: bool = True) -> tuple[Entry | None, Stamp | None]:
        """The cached entry of a file if it can be used, and the file's stamp; without `hashed`,
        the stamp of a file that must be loaded has no digest (the loading process makes it)."""
        if self.path is None:
            return None, None
        old = self.old.get(rel)
        old = old if isinstance(old, Stored) else None
        # a file with no entry is to be loaded, and hashed then; one with an entry is hashed here,
        # to tell whether the entry can be used
        stamp = stamp_of(os.path.join(self.root, rel), old.stamp if old is not None else None,
                         hashed=hashed or old is not None)
        if (old is not None and stamp is not None and (stamp.size, stamp.digest) == (old.stamp.size, old.stamp.digest)
                and old.salt == salt and salt):
            return old.entry(), stamp
        if stamp is not None and not stamp.digest and hashed:  # changed: hash it for the new entry
            stamp = stamp_of(os.path.join(self.root, rel))
        return None, stamp

    def _entry(self, rel: str, salt: bytes, load: Callable[[Diagnostics], Any]) -> Entry:
        entry, stamp = self._lookup(rel, salt)
        if entry is None:
            self.loaded += 1
            local = Diagnostics()
            entry = Entry(stamp or Stamp(0, 0, b""), salt, load(local), tuple(local.items))
            self.fresh.add(rel)
        else:
            self.reused += 1
        if stamp is not None:
            self.new[rel] = entry
        return entry

    def _media_salt(self, root: Path) -> bytes:
        """The digest of every media file (path, size and bytes). A file's digest is kept
        (under "media:PATH") with its inode and change time, which no checkout or copy keeps."""
        if self.path is None:
            return b""  # without a cache nothing is compared with it
        h = hashlib.sha256()
        base = root / "content" / "media"
        for dirpath, dirs, names in os.walk(base):
            if os.path.islink(dirpath) or any(os.path.islink(os.path.join(dirpath, d)) for d in dirs):
                return b""  # what a linked folder holds can change unseen: nothing is cached
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(dirpath, name)
                h.update(os.fsencode(os.path.relpath(full, root)) + b"\0" + self._media_digest(full))
        return h.digest()

    def _media_digest(self, full: str) -> bytes:
        try:
            st = os.stat(full)  # through a link: what it leads to (media.py checks where)
            link = os.readlink(full) if os.path.islink(full) else ""
        except OSError:
            return b"unreadable"
        ident = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, link)
        key = "media:" + full
        known = self.old.get(key)
        if isinstance(known, tuple) and len(known) == 2 and known[0] == ident:
            digest: bytes = known[1]
        elif not stat.S_ISREG(st.st_mode):
            digest = b"not a file"
        else:
            try:
                with open(full, "rb") as f:
                    digest = hashlib.file_digest(f, "sha256").digest()
            except OSError:
                return b"unreadable"
            self.fresh.add(key)
        self.new[key] = (ident, digest)
        # size and bytes, not the time: a fresh checkout (CI) gives every file a new one
        return repr(ident[:1]).encode() + link.encode("utf-8", "surrogateescape") + digest

    def _save(self) -> None:
        """Write the shards that changed: an entry made anew, or one gone."""
        if self.path is None:
            return
        changed = {shard_of(k) for k in self.fresh | (self.old.keys() - self.new.keys())}
        shards: dict[int, dict[str, Any]] = {shard: {} for shard in changed}
        for k, entry in self.new.items():
            shard = shard_of(k)
            if shard in shards:
                shards[shard][k] = entry
        for shard, entries in sorted(shards.items()):
            write_cache(self.path / f"{shard:02d}", self.key, entries)
        self.old, self.new = {}, {}  # the records live on in the content; the entries' bytes need not


def _give_back() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; elsewhere nothing). The
    cache's 23,000 pickles of a national site, freed after loading, left holes between what lives
    on, which the heap kept: the building process started rendering 100 MB bigger, and its forked
    process copied much of that."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)

