"""What every command shares: exit codes, the usage error, finding the site root, option types."""
from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

# 0: success. 1: content errors (or warnings with --strict), or a stopped send; nothing was written.
# 2: usage error. 130: interrupted (Ctrl-C).
EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """A wrong command line or a refusal: exit 2, nothing written."""


def date_option(text: str) -> dt.date:
    """An argparse type: YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def find_root(start: Path) -> Path | None:
    """The nearest folder, from start upwards, that holds a localities.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "localities.yaml").is_file():
            return folder
    return None


def resolve_root(arg: Path | None, near: Path | None = None) -> Path:
    """--root as given, or the nearest root from the current folder upwards (then from `near`)."""
    if arg is not None:
        if not (arg / "localities.yaml").is_file():
            raise UsageError(f"--root {arg}: there is no localities.yaml in that folder")
        return arg.resolve()
    root = find_root(Path.cwd()) or (find_root(near) if near is not None else None)
    if root is None:
        raise UsageError("no site root here: run this in a folder with a localities.yaml "
                         "(or below one), or give --root DIR")
    return root


def check_epoch() -> None:
    """SOURCE_DATE_EPOCH, when set, must be a number of seconds."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value and not value.strip().isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds")
