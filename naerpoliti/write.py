"""The only code that touches the output folder.

A build is written into a staging folder beside the output folder, then the two are swapped in
one step (renameat2 RENAME_EXCHANGE on Linux), so a reader, a failed build or a build killed
half-way never sees a half-written site. Files whose bytes did not change are hard-linked from
the previous build, so they keep their inode and modification time and cost no copy.
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import marshal
import os
import re
import shutil
import stat
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from .forking import die_with_parent
from .render import Output

MARKER = ".naerpoliti"
MARKER_TEXT = b"This folder is written by 'naerpoliti build', which replaces all of it on every build.\n"


class WriteError(Exception):
    """The output folder cannot be used; nothing was changed."""


def write_error(exc: OSError, out: Path) -> WriteError:
    """An OSError met while writing a build beside the output folder, said for whoever runs it."""
    where = f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc.strerror or exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return WriteError(f"the disk is full: {where}; the site in {out} is unchanged: free some space and "
                          "build again")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return WriteError(f"cannot write beside the output folder: {where}; a build writes the new site into "
                          f"a folder beside {out} and swaps the two, so {out.parent} must be writable "
                          "(choose another --out, or make it writable)")
    return WriteError(f"cannot write the site: {where}; the site in {out} is unchanged")


def swap_error(exc: OSError, out: Path) -> WriteError:
    """The staging folder cannot be renamed into place: `out` is a mount point (EBUSY), or on
    another file system than its parent (EXDEV), as a bind-mounted web root is."""
    if exc.errno in (errno.EXDEV, errno.EBUSY):
        return WriteError(f"cannot swap the new site into {out}: {exc.strerror}; it is a mount point or on "
                          "another file system than the folder above it, and a build replaces the output "
                          "folder by renaming: build into a folder beside it and copy that into place "
                          "(e.g. rsync -a --delete), or mount the folder above it instead")
    return write_error(exc, out)


@dataclass(frozen=True)
class WriteStats:
    files: int
    changed: int  # new or different bytes
    removed: int
    swapped: bool  # False when the previous build was identical and nothing was touched
    folder_id: str = ""  # marker_id() of the folder this build left in place (see commit())
    reused: int = 0  # taken over from the previous build by render key, not rendered


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAMELESS = frozenset({"", ".", ".."})


def check_output_path(path: str) -> str | None:
    """Why an output path is unsafe, or None. Paths are relative, POSIX, inside the folder."""
    if not path or path[0] == "/" or "\\" in path or not _NAMELESS.isdisjoint(path.split("/")):
        return f"output path {path!r} is not inside the output folder"
    if _CONTROL.search(path):
        return f"output path {path!r} contains a control character"
    return None


def walk_files(base: Path, follow_links: bool = True) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file under base as (path relative to base, its directory entry), in no fixed order.
    Folders linked to are followed, unless `follow_links` is false: then every link is an entry of
    its own. A folder or file that cannot be read is left out (it may be removed while we walk).
    The one walker of the output folder, its spare folder and a build's inputs."""
    stack: list[tuple[str, str]] = [(str(base), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=follow_links):
                    stack.append((e.path, f"{prefix}{e.name}/"))
                    continue
            except OSError:
                continue
            yield prefix + e.name, e


def _existing_files(out: Path) -> dict[str, Path]:
    return {rel: Path(entry.path) for rel, entry in walk_files(out)}


def _libc_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE). False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _swap(staging: Path, out: Path) -> Path:
    """Put the staging folder in the output folder's place; returns where the previous site now is
    (to be removed). When the swap fails, the previous site is where it was."""
    if not out.exists():
        os.rename(staging, out)
        return staging
    if _libc_exchange(staging, out):
        return staging
    old = out.parent / f".{out.name}.tmp-old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)  # the previous site back in place
        raise
    return old


def prepare_out(out: Path) -> Path:
    """Check the output folder may be replaced; returns its resolved path."""
    out = out.resolve()
    if out.exists():
        if not out.is_dir():
            raise WriteError(f"{out} exists and is not a folder")
        if not (out / MARKER).is_file() and any(out.iterdir()):
            raise WriteError(
                f"{out} is not empty and was not written by naerpoliti; refusing to replace it "
                "(choose another --out, or empty the folder first)")
    return out


def marker_id(folder: Path) -> str:
    """Who put a site in place: the modification time of its marker file, to the nanosecond. Each
    build writes the marker anew into its staging folder, which becomes the output folder in the
    swap, so the marker names the swap that put the folder's site there; "" without one. Not the
    inode: a CI cache that restores the folder (tar keeps modification times) restores its name."""
    try:
        st = os.stat(folder / MARKER, follow_symlinks=False)
    except OSError:
        return ""
    return f"{st.st_mtime_ns}"


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold `.OUT.lock` beside the output folder: builds into one folder (`build` and `serve`,
    or two of either) run one after another, so none swaps or records between another's swap and
    record. File systems without locks (ENOLCK: some network mounts) build unlocked: the marker
    check (marker_id) still keeps a build from trusting a folder another one replaced."""
    path = out.parent / f".{out.name}.lock"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise WriteError(f"cannot lock the output folder: {path}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP):
                raise WriteError(f"cannot lock the output folder: {path}: {exc.strerror}") from None
        yield
    finally:
        os.close(fd)  # the lock goes with the file's last descriptor


def clean_leftovers(out: Path) -> None:
    """Remove staging folders of builds that were killed; leave those of builds still running."""
    for stale in out.parent.glob(f".{out.name}.tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
            continue
        shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cache_dir() -> Path:
    """Where builds keep what they know between runs (never inside the site root or the output
    folder: nothing there to commit or to publish). $NAERPOLITI_CACHE, else the user's cache."""
    configured = os.environ.get("NAERPOLITI_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "naerpoliti"


def cache_file(out: Path, what: str) -> Path:
    """One cache file of one output folder (output folders are told apart by their path)."""
    key = hashlib.sha256(os.fsencode(out)).hexdigest()[:24]
    return cache_dir() / f"{key}.{what}"


@dataclass(frozen=True)
class Written:
    """One file of a build as written (or, in a check, as it would be): no bytes kept."""

    path: str
    origin: str
    digest: bytes  # sha256 of the bytes
    indexed: bool = False  # handed to the full-text index
    unchanged: bool = False  # the previous build's file, hard-linked
    stat: tuple[int, int, int] = (0, 0, 0)  # size, mtime_ns, inode as written (for the manifest)
    unit: str = ""  # Output.unit and Output.key, for the RenderRecord
    key: str = ""
    reused: bool = False  # taken over by render key (Staging._take_over), not rendered
    count: int = 0  # Output.count
    group: str = ""  # Output.group and Output.group_key, for the RenderRecord
    group_key: str = ""


_RECORD = b"naerpoliti record 1"  # the first line of a manifest or render record, with its folder


def _save_record(out: Path, what: str, folder: str, value: Any) -> None:
    """A manifest or render record in the cache, for the folder whose marker_id() is `folder`.
    marshal: 77,000 entries of a national site load in a twentieth of the time of text or JSON."""
    save_cache(cache_file(out, what), _RECORD + f" {folder}\n".encode() + marshal.dumps(value))


def _load_record(out: Path, what: str, folder_path: Path | None = None) -> object:
    """What _save_record saved, if it was saved for the folder now at `folder_path` (default
    `out`); else, or when damaged, None."""
    try:
        data = cache_file(out, what).read_bytes()
    except OSError:
        return None
    first, _, data = data.partition(b"\n")
    folder = marker_id(folder_path or out)
    if not folder or first != _RECORD + f" {folder}".encode():
        return None
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None


class Manifest:
    """What the previous build wrote: path -> (sha256, size, mtime_ns, inode) of each file. A file
    is taken as unchanged only when its stat still matches, so a file edited by hand since is
    compared byte for byte instead. Kept in the cache (cache_file(out, "manifest"))."""

    def __init__(self, entries: dict[str, tuple[bytes, int, int, int]] | None = None):
        self.entries = entries or {}

    @classmethod
    def of(cls, written: Iterable[Written]) -> Manifest:
        """The manifest of files as written."""
        return cls({w.path: (w.digest, *w.stat) for w in written})

    @classmethod
    def load(cls, out: Path, what: str = "manifest", folder_path: Path | None = None) -> Manifest:
        """The manifest of the folder now in place: empty when it was saved for another (a build
        overtaken between its swap and saving, an older version's manifest without a first line),
        or damaged. `what` and `folder_path`: the spare folder's manifest (spare_folder), kept beside it."""
        entries = _load_record(out, what, folder_path)
        if not isinstance(entries, dict) or not all(
                type(v) is tuple and len(v) == 4 for v in entries.values()):  # noqa: E721 - marshal gives exact types
            return cls()
        return cls(entries)

    def save(self, out: Path, folder: str, what: str = "manifest") -> None:
        """Saved for the folder whose marker_id() is `folder`; load() gives it only to that one."""
        _save_record(out, what, folder, self.entries)

    def matches(self, out: Path) -> bool:
        """Whether the folder still holds exactly these files as written: as many files, each
        with the size, modification time and inode it was written with (stat only, no reading),
        so a file deleted, added or edited by hand since is noticed."""
        if not self.entries:
            return False
        for path, (_digest, size, mtime, ino) in self.entries.items():
            try:
                st = os.stat(out / path)
            except OSError:
                return False
            if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime, ino):
                return False
        return sum(1 for _ in walk_files(out)) == len(self.entries) + 1  # and the marker


def atomic_write(path: Path, data: bytes) -> None:
    """Write beside the file, then rename over it: a reader sees the old file or the new one, never
    half of one. (`naerpoliti new` writes the editors' own files more carefully still: it never
    overwrites, keeps their mode and syncs to disk.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_cache(path: Path, data: bytes) -> None:
    """Write a cache file atomically; a cache that cannot be written is only slower next time."""
    with contextlib.suppress(OSError):
        atomic_write(path, data)


def remove_cache(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


SPARE = "spare"  # cache_file(out, SPARE): the manifest of the spare folder


def spare_folder(out: Path) -> Path:
    """The site a swap replaced, kept beside the output folder (`.NAME.spare`) for the next build
    to update into its staging folder (Staging)."""
    return out.parent / f".{out.name}.spare"


def _create(path: str, data: bytes) -> None:
    """A new file: never written into an existing one, which may share its inode with the live site."""
    with open(path, "xb") as f:
        f.write(data)


def _unknown_entries(folder: Path, known: Container[str]) -> set[str]:
    """The files and links under `folder` (links not followed) that `known` does not hold."""
    return {rel for rel, _ in walk_files(folder, follow_links=False) if rel not in known}


def _survey(folder: Path, known: Container[str], answer: Connection, parent: int) -> None:
    """Staging.survey()'s process: _unknown_entries, sent back."""
    die_with_parent(parent)
    answer.send(_unknown_entries(folder, known))
    answer.close()


def _is_folder(path: str) -> bool:
    """A folder, not a link to one (the spare folder's folders are taken as they are)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


class Staging:
    """A build being written: each file goes into a staging folder beside the output folder as soon
    as it is rendered (so a national build never holds all its bytes in memory), or is hard-linked
    from the previous build when its bytes are the same. commit() swaps the staging folder in;
    discard() removes it, leaving the output folder as it was.

    The staging folder is the spare folder when there is one: the site the previous swap replaced,
    which is then updated file by file (a file whose bytes are right is left alone, any other
    replaced, never written into: it may share its inode with the live site) and rid of the files
    the build does not write. Making a new folder of 77,000 links and 42,000 folders and removing
    the replaced one was most of a national rebuild's time.

    Several processes may put() into one staging folder at once (build.py renders on every core):
    each creates only its own files, and parent folders with exist_ok. Without an output folder
    (a check) nothing is written and put() only reports.
    """

    def __init__(self, out: Path | None, indexable: Callable[[str, bytes], bool] | None = None):
        self.out = prepare_out(out) if out is not None else None
        self.indexable = indexable  # which pages go to the full-text index (Written.indexed); None: none
        self.previous = Manifest()
        self.indexed_before: frozenset[str] = frozenset()  # the previous build's pages in the full-text index
        self.existing: set[str] = set()  # the output folder's files (output paths)
        self.path: Path | None = None
        self.spare: dict[str, tuple[bytes, int, int, int]] = {}  # what the adopted spare folder holds
        self._survey: tuple[BaseProcess, Connection] | None = None  # survey(): its process, its answer
        self.mirror: Path | None = None  # the spare folder a first build makes (see __init__)
        if self.out is None:
            return
        if self.out.parent.is_dir():
            clean_leftovers(self.out)  # a killed build's staging folder may hold unpublished content
        self.previous = Manifest.load(self.out)
        if self.previous.entries and (self.out / MARKER).is_file():
            # what the previous build wrote, without walking a folder of 100,000s of files; a file
            # that is gone since is written anew, one added by hand goes with the swap
            self.existing = {*self.previous.entries, MARKER}
        else:
            self.existing = set(_existing_files(self.out)) if self.out.is_dir() else set()
        self._out_root = f"{self.out}/"
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            self.path = self.out.parent / f".{self.out.name}.tmp-{os.getpid()}"
            adopted = self._adopt_spare(self.path)
            if adopted:
                (self.path / MARKER).unlink(missing_ok=True)
            else:
                self.path.mkdir()
            (self.path / MARKER).write_bytes(MARKER_TEXT)  # a new file: its marker_id() names this build
            if not adopted and not self.existing:
                # no site to keep as the spare folder after the swap: the first build links its
                # files into one as it goes, so that the next build need not link them all
                self.mirror = self.out.parent / f".{self.out.name}.tmp-mirror-{os.getpid()}"
                self.mirror.mkdir()
                os.link(self.path / MARKER, self.mirror / MARKER)
        except OSError as exc:
            self.discard()
            raise write_error(exc, self.out) from None
        self.folder_id = marker_id(self.path)
        self._root = f"{self.path}/"  # paths as strings: a national build puts 77,000 files
        self._dirs: set[str] = {""}  # folders made (or found) by this process, in the mirror too

    def _adopt_spare(self, path: Path) -> bool:
        """Rename the spare folder to `path` if its manifest is known; else remove it."""
        assert self.out is not None
        spare = spare_folder(self.out)
        if not os.path.lexists(spare):
            return False
        entries = Manifest.load(self.out, SPARE, spare).entries if spare.is_dir() and not spare.is_symlink() else {}
        remove_cache(cache_file(self.out, SPARE))  # it describes the folder only until it changes
        if entries:
            try:
                os.rename(spare, path)
                self.spare = entries
                return True
            except OSError:
                pass
        _remove_tree(spare)
        return False

    def survey(self) -> None:
        """Look for files in the adopted spare folder that its manifest does not know (added to
        the site by hand, or by serve in place), in a forked process while the build renders (a
        thread would take the building process's own rendering time), so commit() can remove
        them. Started by the builder once its rendering processes are forked; commit() surveys
        itself if no one did."""
        if not self.spare or self._survey is not None or self.path is None:
            return
        import multiprocessing

        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_survey, args=(self.path, self.spare, writer, os.getpid()),
                                  name="naerpoliti-survey", daemon=True)
        process.start()
        writer.close()
        self._survey = (process, reader)

    def _strays_found(self) -> set[str]:
        """What survey() found: the files and links of the spare folder not in its manifest."""
        assert self.path is not None
        if self._survey is None:
            return _unknown_entries(self.path, self.spare)
        process, reader = self._survey
        self._survey = None
        try:
            found: set[str] = reader.recv()
        except (EOFError, OSError):  # the surveying process died: look here instead
            found = _unknown_entries(self.path, self.spare)
        finally:
            reader.close()
            process.join()
        return found

    def put(self, o: Output) -> Written:
        problem = check_output_path(o.path)
        if problem:
            raise WriteError(problem)
        if o.reused:
            # in a check (no folder) a unit only says which file it would write (render/keys.PLAN)
            return self._take_over(o) if self.path is not None else Written(o.path, o.origin, b"", count=o.count,
                                                                            group=o.group, group_key=o.group_key)
        data = _bytes_of(o)
        digest = hashlib.sha256(data).digest()
        indexed = self.indexable is not None and self.indexable(o.path, data)
        if self.path is None:
            return Written(o.path, o.origin, digest, indexed, count=o.count, group=o.group, group_key=o.group_key)
        target = self._root + o.path
        try:
            self._folder_of(o.path)
            st = self._spare_has(o.path, digest, target)
            if st is not None:
                unchanged = self._out_has(o.path, digest, data)
            else:
                if self.spare:  # a new staging folder holds nothing in the way
                    self._clear(target)
                unchanged = self._link_unchanged(o.path, data, digest, target)
                if not unchanged:
                    try:
                        _create(target, data)
                    except FileExistsError:  # an output of the same path before (check_outputs says so)
                        self._clear(target)
                        _create(target, data)
                st = os.stat(target)
            if self.mirror is not None:
                self._mirror(o.path, target)
        except OSError as exc:  # a full disk: the builder discards the staging folder
            assert self.out is not None
            raise write_error(exc, self.out) from None
        return Written(o.path, o.origin, digest, indexed, unchanged, (st.st_size, st.st_mtime_ns, st.st_ino),
                       o.unit, o.key, count=o.count, group=o.group, group_key=o.group_key)

    def _folder_of(self, path: str) -> None:
        """Make the staging folder an output lies in, once per process."""
        folder = path.rpartition("/")[0]
        if folder not in self._dirs:
            self._make_folder(folder)

    def _mirror(self, path: str, target: str) -> None:
        assert self.mirror is not None
        os.link(target, f"{self.mirror}/{path}")  # its folder was made with the staging folder's

    def _make_folder(self, folder: str) -> None:
        """A folder of the staging folder (and of the mirror), its parents first: a real folder, not
        a link to one (in a spare folder, whatever is in the way is removed, never followed)."""
        parent = folder.rpartition("/")[0]
        if parent not in self._dirs:
            self._make_folder(parent)
        target = self._root + folder
        if self.spare and not _is_folder(target) and os.path.lexists(target):
            os.unlink(target)  # a file or a link of the spare folder
        for made in (target, f"{self.mirror}/{folder}") if self.mirror is not None else (target,):
            try:
                os.mkdir(made)
            except FileExistsError:  # the spare folder's, or made by another process just now
                if not _is_folder(made):
                    raise
        self._dirs.add(folder)

    @staticmethod
    def _clear(target: str) -> None:
        """Remove what the spare folder (or a clashing output) left at `target`."""
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
        except IsADirectoryError:
            shutil.rmtree(target)

    def _spare_has(self, path: str, digest: bytes, target: str) -> os.stat_result | None:
        """The stat of the adopted spare folder's file at `path` if it holds these bytes, as its
        manifest says and its size and modification time confirm (a file written since is
        replaced); else None. Not the inode: a CI cache that restores the folder gives every file
        a new one, and keeps the times."""
        known = self.spare.get(path)
        if known is None or known[0] != digest:
            return None
        try:
            st = os.stat(target, follow_symlinks=False)
        except OSError:
            return None
        return st if stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns) == known[1:3] else None

    def _out_has(self, path: str, digest: bytes, data: bytes) -> bool:
        """Whether the output folder's file at `path` holds these bytes (the previous build's)."""
        if path not in self.existing:
            return False
        old, known = self._out_root + path, self.previous.entries.get(path)
        try:
            st = os.stat(old)
        except OSError:
            return False
        if known is not None and (known[1], known[2], known[3]) == (st.st_size, st.st_mtime_ns, st.st_ino):
            return known[0] == digest
        try:
            with open(old, "rb") as f:
                return st.st_size == len(data) and f.read() == data
        except OSError:
            return False

    def _take_over(self, o: Output) -> Written:
        """The previous build's file of a unit whose render key is the same (RenderRecord.reusable
        checked that it is still as written): linked, not read."""
        assert self.out is not None and self.path is not None, "only a build with a previous one reuses"
        digest, indexed = self.previous.entries[o.path][0], o.path in self.indexed_before
        target = self._root + o.path
        try:
            self._folder_of(o.path)
            st = self._spare_has(o.path, digest, target)
            if st is None:
                self._clear(target)
                os.link(self._out_root + o.path, target)
                st = os.stat(target)
        except OSError as exc:
            raise write_error(exc, self.out) from None
        return Written(o.path, o.origin, digest, indexed, True, (st.st_size, st.st_mtime_ns, st.st_ino),
                       o.unit, o.key, reused=True, count=o.count, group=o.group, group_key=o.group_key)

    def _link_unchanged(self, path: str, data: bytes, digest: bytes, target: str) -> bool:
        same = self._out_has(path, digest, data)
        if same:
            try:
                os.link(self._out_root + path, target)
            except OSError:
                return False  # gone, or a file system without hard links: write instead
        return same

    def _leave_only(self, wanted: set[str]) -> None:
        """Remove the files of an adopted spare folder that this build did not write, and the
        folders they leave empty."""
        if not self.spare or self.path is None:
            return
        strays = self._strays_found()
        folders: set[str] = set()
        for rel in (self.spare.keys() | strays) - wanted:
            if not _is_folder(self._root + rel):  # a link surveyed may have become a folder since
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self._root + rel)
            folders.add(rel.rpartition("/")[0])
        for folder in sorted(folders, key=lambda f: -f.count("/")):  # the deepest first
            while folder:
                try:
                    os.rmdir(self.path / folder)
                except OSError:
                    break  # not empty, or gone
                folder = folder.rpartition("/")[0]

    def commit(self, written: list[Written]) -> WriteStats:
        """Swap the staging folder in (unless nothing changed) and remember what was written; the
        site it replaces is kept as the spare folder."""
        assert self.out is not None and self.path is not None
        wanted = {w.path for w in written} | {MARKER}
        changed = sum(1 for w in written if not w.unchanged)
        reused = sum(1 for w in written if w.reused)
        removed = len(set(self.existing) - wanted)
        same = changed == 0 and removed == 0 and MARKER in self.existing
        # ...and no file added by hand since (the swap removes it)
        kept = marker_id(self.out) if same and sum(1 for _ in walk_files(self.out)) == len(wanted) else ""
        self._leave_only(wanted)
        if kept:
            # the output folder's own files, as they were (a spare folder's file may be a copy)
            Manifest({w.path: (w.digest, *self.previous.entries.get(w.path, (b"", *w.stat))[1:])
                      for w in written}).save(self.out, kept)
            RenderRecord.save(self.out, kept, written)
            self._keep_spare(self.path, Manifest.of(written))
            self.path = None
            return WriteStats(len(written), 0, 0, swapped=False, folder_id=kept, reused=reused)
        folder_id = self.folder_id
        out, staging = self.out, self.path
        previous = self.previous if self.previous.entries and MARKER in self.existing else Manifest()
        try:
            staging = _swap(staging, out)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise swap_error(exc, out) from None
        finally:
            self.path = None
        if staging.is_dir() and staging != out:
            self._keep_spare(staging, previous)
        if self.mirror is not None:  # the same files as the new site, by the same inodes
            self._keep_spare(self.mirror, Manifest.of(written))
            self.mirror = None
        self.save_manifest(written, folder_id)
        return WriteStats(len(written), changed, removed, swapped=True, folder_id=folder_id, reused=reused)

    def _keep_spare(self, folder: Path, manifest: Manifest) -> None:
        """Keep `folder` as the spare folder, described by `manifest`; without one (the folder's
        files unknown), remove it."""
        assert self.out is not None
        spare = spare_folder(self.out)
        if manifest.entries and marker_id(folder):
            try:
                if os.path.lexists(spare):
                    _remove_tree(spare)
                os.rename(folder, spare)
                manifest.save(self.out, marker_id(spare), SPARE)
                return
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)

    def save_manifest(self, written: list[Written], folder: str) -> None:
        assert self.out is not None, "a check keeps no manifest"
        Manifest.of(written).save(self.out, folder)
        RenderRecord.save(self.out, folder, written)

    def previous_record(self) -> RenderRecord | None:
        """The render keys of the build in place, to take its files over (RenderRecord.reusable)."""
        if self.out is None:
            return None
        record = RenderRecord.load(self.out, self.previous)
        if record is not None:
            self.indexed_before = record.indexed
        return record

    def discard(self) -> None:
        if self._survey is not None:
            process, reader = self._survey
            self._survey = None
            reader.close()
            process.terminate()
            process.join()
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)
            self.mirror = None
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


def units_of(written: Iterable[Written]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """unit -> (its render key, its files) of what a build wrote."""
    units: dict[str, tuple[str, list[str]]] = {}
    for w in written:
        if w.unit:
            units.setdefault(w.unit, (w.key, []))[1].append(w.path)
    return {unit: (key, tuple(paths)) for unit, (key, paths) in units.items()}


def groups_of(written: Iterable[Written]) -> dict[str, tuple[str, dict[str, int]]]:
    """group -> (its key, {unit: the newsletter issues its files hold}) of what a build wrote."""
    groups: dict[str, tuple[str, dict[str, int]]] = {}
    for w in written:
        if w.group and w.unit:
            units = groups.setdefault(w.group, (w.group_key, {}))[1]
            units[w.unit] = units.get(w.unit, 0) + w.count
    return groups


class RenderRecord:
    """The render keys of the build whose folder is in place (render/keys.py): unit -> (key, its
    files), and which of its pages went to the full-text index. Kept in the cache beside the
    manifest (cache_file(out, "units")), and like it given only to the folder it was saved for."""

    def __init__(self, out: Path, manifest: Manifest, units: dict[str, tuple[str, tuple[str, ...]]],
                 indexed: frozenset[str], groups: dict[str, tuple[str, dict[str, int]]] | None = None):
        self.out, self.manifest, self.units, self.indexed = out, manifest, units, indexed
        self.groups = groups or {}
        self._root = f"{out}/"  # paths as strings: a national rebuild looks at 77,000 files

    @classmethod
    def load(cls, out: Path, manifest: Manifest) -> RenderRecord | None:
        """The record of the folder in place, given its manifest (Manifest.load)."""
        if not manifest.entries:
            return None
        saved = _load_record(out, "units")
        if not (isinstance(saved, tuple) and len(saved) == 3 and isinstance(saved[0], dict)
                and isinstance(saved[1], dict) and isinstance(saved[2], list)):
            return None  # none, or damaged: render everything
        units: dict[str, tuple[str, tuple[str, ...]]] = saved[0]
        groups: dict[str, tuple[str, dict[str, int]]] = saved[1]
        return cls(out, manifest, units, frozenset(saved[2]), groups)

    @classmethod
    def of(cls, out: Path, written: Iterable[Written]) -> RenderRecord:
        """The record of files now in the output folder as `written` says (serve's builds, which
        replace files in place)."""
        written = list(written)
        return cls(out, Manifest.of(written), units_of(written), frozenset(w.path for w in written if w.indexed),
                   groups_of(written))

    @staticmethod
    def save(out: Path, folder: str, written: Iterable[Written]) -> None:
        written = list(written)
        _save_record(out, "units", folder, (units_of(written), groups_of(written),
                                            sorted(w.path for w in written if w.indexed)))

    def group(self, group: str, key: str) -> list[tuple[str, str, tuple[str, ...], int]] | None:
        """The units of `group` as (unit, key, files, issues) if the previous build made the group
        from the same key and every unit's files are still as written (reusable); else None."""
        found = self.groups.get(group)
        if found is None or found[0] != key:
            return None
        taken = []
        for unit, count in found[1].items():
            known = self.units.get(unit)
            paths = self.reusable(unit, known[0]) if known is not None else None
            if known is None or paths is None:
                return None
            taken.append((unit, known[0], paths, count))
        return taken

    def reusable(self, unit: str, key: str) -> tuple[str, ...] | None:
        """The files of `unit` if the previous build made them from the same key and each is still
        as it wrote it (size and modification time; bytes compared with its digest otherwise, as
        after a CI cache restored the folder); else None."""
        found = self.units.get(unit)
        if found is None or found[0] != key:
            return None
        for path in found[1]:
            known = self.manifest.entries.get(path)
            if known is None:
                return None
            file = self._root + path
            try:
                st = os.stat(file)
                if (st.st_size, st.st_mtime_ns) != (known[1], known[2]) and (
                        st.st_size != known[1] or hashlib.sha256(Path(file).read_bytes()).digest() != known[0]):
                    return None
            except OSError:
                return None
        return found[1]



def write_site(out: Path, outputs: Iterable[Output]) -> WriteStats:
    """Write a whole site at once (the build streams through Staging instead)."""
    outputs = sorted(outputs, key=lambda o: o.path)
    for o in outputs:
        problem = check_output_path(o.path)
        if problem:
            raise WriteError(problem)
    staging = Staging(out)
    try:
        written = [staging.put(o) for o in outputs]
    except BaseException:
        staging.discard()
        raise
    return staging.commit(written)


# --- serve's fast path: single files replaced in the live output folder -------------------------

def _bytes_of(o: Output) -> bytes:
    if o.data is not None:
        return o.data
    assert o.source is not None, o.path
    return o.source.read_bytes()


def replace_file(out: Path, o: Output, before: Written) -> Written | None:
    """Replace one file of the output folder when its bytes differ from `before`'s: written beside
    it, then renamed over it, so a reader sees the old file or the new one, never half of one.
    None when the bytes are the same (nothing is touched)."""
    problem = check_output_path(o.path)
    if problem:
        raise WriteError(problem)
    data = _bytes_of(o)
    digest = hashlib.sha256(data).digest()
    if digest == before.digest:
        return None
    target = out / o.path
    atomic_write(target, data)
    st = os.stat(target)
    return Written(o.path, o.origin, digest, before.indexed, False, (st.st_size, st.st_mtime_ns, st.st_ino),
                   o.unit or before.unit, o.key or before.key, count=o.count or before.count,
                   group=o.group or before.group, group_key=o.group_key or before.group_key)


def remove_file(out: Path, path: str) -> None:
    """Remove one file of the output folder (gone already is fine)."""
    problem = check_output_path(path)
    if problem:
        raise WriteError(problem)
    (out / path).unlink(missing_ok=True)
