"""Command line: argv -> options -> build or check; prints diagnostics; exit codes 0, 1, 2.

0: success. 1: content errors (or warnings with --strict); nothing was written. 2: usage error.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__, consentreport, scaffold, send, serve
from .commands import init as init_command
from . import progress as progress_
from .build import run
from .errors import Diagnostic
from .render.fulltext import FulltextError
from .write import WriteError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def find_root(start: Path) -> Optional[Path]:
    """The nearest folder, from start upwards, that holds a localities.yaml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "localities.yaml").is_file():
            return folder
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="naerpoliti",
        description="Build the community-policing site of a site root (localities.yaml and content/).")
    parser.add_argument("--version", action="version", version=f"naerpoliti {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--root", type=Path, help="the site root (default: the nearest folder, from "
                                                 "here upwards, with a localities.yaml)")
        p.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                       help="the build date (default: $SOURCE_DATE_EPOCH, else today)")

    b = sub.add_parser("build", help="check the content and write the site")
    common(b)
    b.add_argument("--out", type=Path, help="the output folder (default: ROOT/site)")
    b.add_argument("--strict", action="store_true", help="warnings fail the build too")
    c = sub.add_parser("check", help="check the content and links; write nothing")
    common(c)
    c.add_argument("--strict", action="store_true", help="warnings fail the check too")
    c.add_argument("--consent", action="store_true",
                   help="print the consent report: who is published with which fields, who is not "
                        "and why, whose consent expires soon, and officers to verify")
    common(serve.add_parser(sub))  # serve
    scaffold.add_parser(sub)  # new
    send.add_parser(sub)  # newsletter send
    init_command.add_parser(sub)  # init
    return parser


def resolve_root(arg: Optional[Path]) -> Path:
    """--root as given, or the nearest root from the current folder upwards."""
    if arg is not None:
        if not (arg / "localities.yaml").is_file():
            raise UsageError(f"--root {arg}: there is no localities.yaml in that folder")
        return arg.resolve()
    root = find_root(Path.cwd())
    if root is None:
        raise UsageError("no site root here: run this in a folder with a localities.yaml "
                         "(or below one), or give --root DIR")
    return root


def _check_epoch() -> None:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value and not value.strip().isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds")


def github_annotation(d: Diagnostic, root: Path) -> str:
    """A GitHub Actions workflow command that shows a diagnostic on the line it is about."""
    path = root / d.position.path
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            path = path.resolve().relative_to(Path(workspace).resolve())
        except ValueError:
            pass
    else:
        path = Path(d.position.path)

    def prop(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")

    message = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return (f"::{d.severity} file={prop(path.as_posix())},line={d.position.line},"
            f"col={d.position.column},title=naerpoliti::{message}")


def summary(result, out: Optional[Path]) -> str:
    """One line: what was built (or would be), the problems and the time."""
    c = result.counts
    pages, feeds, calendars, newsletters = c["pages"], c["feeds"], c["calendars"], c["newsletters"]
    made = f"{pages} pages, {feeds} feeds, {calendars} calendars, {newsletters} newsletter issues"
    errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if out is None:
        return f"naerpoliti check: {counts}; {made} would be built ({result.seconds:.2f} s with naerpoliti {__version__})"
    w = result.written
    try:
        shown = out.relative_to(Path.cwd())
    except ValueError:
        shown = out
    change = f"{w.changed} changed, {w.removed} removed" if w.swapped else "nothing changed"
    return (f"naerpoliti build: {made}; {counts}; {w.files} files in {shown}/ ({change}) "
            f"in {result.seconds:.2f} s with naerpoliti {__version__}")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # exits with 2 on a usage error
    if args.command == "newsletter":
        return send.main(args)
    if args.command == "new":
        return scaffold.main(args)
    if args.command == "init":
        return init_command.main(args)
    try:
        _check_epoch()
        root = resolve_root(args.root)
        out = None
        if args.command in ("build", "serve"):
            out = args.out if args.out is not None else root / "site"
            out = out.resolve()
            if out == root or root.is_relative_to(out):
                raise UsageError(f"--out {out}: the output folder cannot be the site root or contain it")
        if args.command == "serve":
            return serve.serve(root, out, args.host, args.port, args.today, args.strict)
        if args.command == "check" and args.consent:
            return consentreport.main(root, args.today, sys.stdout, sys.stderr)
        shown = progress_.for_stream(sys.stderr) if out is not None else progress_.QUIET
        result = run(root, out, args.today, args.strict, progress=shown)
    except UsageError as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (WriteError, FulltextError) as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    diagnostics = result.diagnostics.sorted()
    for d in diagnostics:
        print(d, file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for d in diagnostics:
            print(github_annotation(d, root))
    errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if result.failed:
        why = "" if errors else " (warnings fail with --strict)"
        print(f"naerpoliti: {counts}{why}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    print(summary(result, out))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
