"""The only code that touches the output folder.

A build is written into a staging folder beside the output folder, then the two are swapped in
one step (renameat2 RENAME_EXCHANGE on Linux), so a reader, a failed build or a build killed
half-way never sees a half-written site. Files whose bytes did not change are hard-linked from
the previous build, so they keep their inode and modification time and cost no copy.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Optional

from .render import Output

MARKER = ".naerpoliti"
MARKER_TEXT = b"This folder is written by 'naerpoliti build', which replaces all of it on every build.\n"


class WriteError(Exception):
    """The output folder cannot be used; nothing was changed."""


@dataclass(frozen=True)
class WriteStats:
    files: int
    changed: int  # new or different bytes
    removed: int
    swapped: bool  # False when the previous build was identical and nothing was touched


def check_output_path(path: str) -> Optional[str]:
    """Why an output path is unsafe, or None. Paths are relative, POSIX, inside the folder."""
    p = PurePosixPath(path)
    if not path or p.is_absolute() or "\\" in path or any(part in ("", ".", "..") for part in path.split("/")):
        return f"output path {path!r} is not inside the output folder"
    if any(ord(ch) < 32 or ch == "\x7f" for ch in path):
        return f"output path {path!r} contains a control character"
    return None


def _existing_files(out: Path) -> dict[str, Path]:
    files = {}
    for dirpath, _dirs, names in os.walk(out):
        for name in names:
            full = Path(dirpath, name)
            files[full.relative_to(out).as_posix()] = full
    return files


def _same(output: Output, existing: Path) -> bool:
    try:
        if output.data is not None:
            if existing.stat().st_size != len(output.data):
                return False
            return existing.read_bytes() == output.data
        assert output.source is not None
        if output.source.stat().st_size != existing.stat().st_size:
            return False
        return output.source.read_bytes() == existing.read_bytes()
    except OSError:
        return False


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


def _clean_leftovers(out: Path) -> None:
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


def write_site(out: Path, outputs: Iterable[Output]) -> WriteStats:
    out = prepare_out(out)
    outputs = sorted(outputs, key=lambda o: o.path)
    for o in outputs:
        problem = check_output_path(o.path)
        if problem:
            raise WriteError(problem)
    wanted = {o.path for o in outputs} | {MARKER}
    existing = _existing_files(out) if out.is_dir() else {}
    same = {o.path for o in outputs if o.path in existing and _same(o, existing[o.path])}
    removed = len(set(existing) - wanted)
    changed = len(outputs) - len(same)
    if out.parent.is_dir():
        _clean_leftovers(out)  # a killed build's staging folder may hold unpublished content
    if changed == 0 and removed == 0 and MARKER in existing:
        return WriteStats(len(outputs), 0, 0, swapped=False)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        staging.mkdir()
        (staging / MARKER).write_bytes(MARKER_TEXT)
        made_dirs: set[Path] = {staging}
        for o in outputs:
            target = staging / o.path
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            if o.path in same:
                try:
                    os.link(existing[o.path], target)
                    continue
                except OSError:
                    pass  # a file system without hard links: copy instead
            if o.data is not None:
                target.write_bytes(o.data)
            else:
                shutil.copyfile(o.source, target)
        if out.exists():
            if not _libc_exchange(staging, out):
                old = out.parent / f".{out.name}.tmp-old-{os.getpid()}"
                os.rename(out, old)
                os.rename(staging, out)
                staging = old
        else:
            os.rename(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return WriteStats(len(outputs), changed, removed, swapped=True)
