"""`naerpoliti build` and `naerpoliti check`: run the pipeline, print the diagnostics and a summary."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

from .. import __version__
from .. import progress as progress_
from ..build import Result, run
from ..errors import Diagnostic, visible
from ..fulltext import FulltextError
from ..write import WriteError
from .common import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, UsageError, check_epoch, date_option, resolve_root


def add_common(p: argparse.ArgumentParser) -> None:
    """--root and --today, which every command that reads the site takes."""
    p.add_argument("--root", type=Path, help="the site root (default: the nearest folder, from "
                                             "here upwards, with a localities.yaml)")
    p.add_argument("--today", type=date_option, metavar="YYYY-MM-DD",
                   help="the build date (default: $SOURCE_DATE_EPOCH, else today)")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("build", help="check the content and write the site")
    add_common(b)
    b.add_argument("--out", type=Path, help="the output folder (default: ROOT/site)")
    b.add_argument("--strict", action="store_true", help="warnings fail the build too")
    c = sub.add_parser("check", help="check the content and links; write nothing")
    add_common(c)
    c.add_argument("--strict", action="store_true", help="warnings fail the check too")
    c.add_argument("--consent", action="store_true",
                   help="print the consent report: who is published with which fields, who is not "
                        "and why, whose consent expires soon, and officers to verify")


def output_folder(root: Path, arg: Path | None) -> Path:
    """--out, or ROOT/site; never the root itself or a folder holding it."""
    out = (arg if arg is not None else root / "site").resolve()
    if out == root or root.is_relative_to(out):
        raise UsageError(f"--out {out}: the output folder cannot be the site root or contain it")
    return out


def github_annotation(d: Diagnostic, root: Path) -> str:
    """A GitHub Actions workflow command that shows a diagnostic on the line it is about."""
    path = root / d.position.path
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        with contextlib.suppress(ValueError):  # outside the workspace: the absolute path
            path = path.resolve().relative_to(Path(workspace).resolve())
    else:
        path = Path(d.position.path)

    # GitHub's escaping for any value (line ends as %0A, which GitHub shows as line ends), then every
    # other control character made visible: the annotation stays one line, and neither its
    # properties nor its message can end early or reach the log's terminal
    def data(text: str) -> str:
        return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    return (f"::{d.severity} file={prop(path.as_posix())},line={d.position.line},"
            f"col={d.position.column},title=naerpoliti::{data(d.message)}")


def _counts(result: Result) -> str:
    errors, warnings = len(result.diagnostics.errors), len(result.diagnostics.warnings)
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def summary(result: Result, out: Path | None) -> str:
    """What was built (or would be), the problems and the time; after a build, a second line
    with the output's size, files and largest file against site.host's limits."""
    c = result.counts
    made = (f"{c['pages']} pages, {c['feeds']} feeds, {c['calendars']} calendars, "
            f"{c['newsletters']} newsletter issues")
    if out is None:
        return (f"naerpoliti check: {_counts(result)}; {made} would be built "
                f"({result.seconds:.2f} s with naerpoliti {__version__})")
    w = result.written
    assert w is not None, "a build with an output folder reports what it wrote"
    try:
        shown = out.relative_to(Path.cwd())
    except ValueError:
        shown = out
    change = f"{w.changed} changed, {w.removed} removed" if w.swapped else "nothing changed"
    if w.reused:
        change += f"; {w.reused} taken over from the previous build"
    line = (f"naerpoliti build: {made}; {_counts(result)}; {w.files} files in {shown}/ ({change}) "
            f"in {result.seconds:.2f} s with naerpoliti {__version__}")
    # the output against site.host's limits, as a second line (a check writes nothing to measure)
    return line if result.fit is None else f"{line}\n{result.fit.summary()}"


def check_epoch_range() -> None:
    """SOURCE_DATE_EPOCH must also be a time a date can be made of (not 10**20 seconds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        if value:
            dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a time a date can be made of: "
                         "give the seconds since 1970-01-01") from None


def main(args: argparse.Namespace) -> int:
    try:
        check_epoch()
        check_epoch_range()
        root = resolve_root(args.root)
        out = output_folder(root, args.out) if args.command == "build" else None
        if args.command == "check" and args.consent:
            from .consent_report import main as report  # here: only this option needs it

            return report(root, args.today, sys.stdout, sys.stderr)
        shown = progress_.for_stream(sys.stderr) if out is not None else progress_.QUIET
        result = run(root, out, args.today, args.strict, progress=shown)
    except (UsageError, WriteError, FulltextError) as exc:  # may name a file: shown visibly
        print(f"naerpoliti: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a file-system fault no step turned into a message: one line, no traceback
        problem = UsageError(f"cannot build the site: {exc}")
        print(f"naerpoliti: error: {visible(str(problem))}", file=sys.stderr)
        return EXIT_USAGE

    diagnostics = result.diagnostics.sorted()
    for d in diagnostics:
        print(d, file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for d in diagnostics:
            print(github_annotation(d, root))
    if result.failed:
        why = "" if result.diagnostics.errors else " (warnings fail with --strict)"
        print(f"naerpoliti: {_counts(result)}{why}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    print(summary(result, out))
    return EXIT_OK
