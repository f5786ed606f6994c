"""Command line: argv -> the command's module in naerpoliti/commands/, which returns the exit code.

0: success. 1: content errors (or warnings with --strict); nothing was written. 2: usage error.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from . import __version__
from .commands import build, init, new, send, serve

_COMMANDS = {"build": build.main, "check": build.main, "serve": serve.main, "new": new.main,
             "newsletter": send.main, "init": init.main}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="naerpoliti",
        description="Build the community-policing site of a site root (localities.yaml and content/).")
    parser.add_argument("--version", action="version", version=f"naerpoliti {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    build.add_parsers(sub)
    build.add_common(serve.add_parser(sub))
    new.add_parser(sub)
    send.add_parser(sub)
    init.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # exits with 2 on a usage error
    return _COMMANDS[args.command](args)


# Commands after which the process only has to end: its model is not torn down object by object
# (a national site's few million objects take most of a second to free, for nothing).
_QUICK_EXIT = {"build", "check"}


def entry() -> None:  # pragma: no cover - the console script; tests/test_cli.py runs it
    """The `naerpoliti` command: main(), and the exit."""
    args = _parser().parse_args()
    code = _COMMANDS[args.command](args)
    if args.command in _QUICK_EXIT:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a reader gone, or a stream closed
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
