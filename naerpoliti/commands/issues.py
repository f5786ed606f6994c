"""naerpoliti newsletter render and list: an issue's e-mail files, made on demand from the site root.

The e-mails are not part of the published site. `render ISSUE` loads the site root (as a build
does, but renders nothing else), makes that one issue's email.html, email.txt and nyhedsbrev.eml
(render/newsletters.py's render_emails: the same bytes every time for the same content and date)
and writes them into a folder of their own, by default ROOT/newsletters/KIND-ID-PERIOD/, which the
site's .gitignore leaves out. `send` renders the issue the same way before it sends it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..build import model_of
from ..errors import Diagnostics, visible
from ..newsletter import Area, all_issues, area_of, issue_of
from ..render.environment import make_environment
from ..render.newsletters import EMAIL_FILES, EML_NAME, render_emails
from ..site import SiteModel
from ..write import MARKER
from .common import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, UsageError, check_epoch, date_option, resolve_root

ISSUE_ID_RE = re.compile(r"^(lokalsamfund|kommune)/([a-z0-9]+(?:-[a-z0-9]+)*)/([0-9]{4}-(?:W)?[0-9]{2})/?$")
AREA_RE = re.compile(r"^(lokalsamfund|kommune)/([a-z0-9]+(?:-[a-z0-9]+)*)/?$")
KINDS = {"lokalsamfund": "locality", "kommune": "municipality"}  # as in the site's URLs -> the model's
FOLDERS = {kind: folder for folder, kind in KINDS.items()}
EMAILS_FOLDER = "newsletters"  # ROOT/newsletters/KIND-ID-PERIOD/: the rendered e-mails of each issue


class ContentError(Exception):
    """The site root has errors, or names no such issue: exit 1."""


@dataclass(frozen=True)
class Rendered:
    """An issue's e-mail files, written."""

    root: Path
    label: str  # the issue id, lokalsamfund/skibby/2026-11
    slug: str  # lokalsamfund-skibby-2026-11: the default folder's and the send log's name
    folder: Path

    @property
    def eml(self) -> Path:
        return self.folder / EML_NAME


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `render` and `list` to the subcommands of `newsletter`."""
    p = sub.add_parser(
        "render", allow_abbrev=False, help="make the e-mail files of one newsletter issue",
        description="Make one newsletter issue's e-mail files (email.html, email.txt and the ready-to-send "
                    "nyhedsbrev.eml) from the site root, and say where they are. They are not part of the "
                    "published site.")
    p.add_argument("issue", metavar="ISSUE", help="an issue id such as lokalsamfund/skibby/2026-11 or "
                                                  "kommune/frederikssund/2026-W47 (see: naerpoliti newsletter list)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help=f"the folder for the files (default: ROOT/{EMAILS_FOLDER}/KIND-ID-PERIOD)")
    add_site_options(p)
    p = sub.add_parser(
        "list", allow_abbrev=False, help="list the newsletter areas, or the issues of one area",
        description="Without AREA: every area with a newsletter, its number of issues and the newest. "
                    "With AREA (lokalsamfund/ID or kommune/ID): the id of each of its issues, newest first.")
    p.add_argument("area", metavar="AREA", nargs="?", help="an area such as lokalsamfund/skibby")
    add_site_options(p)


def add_site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, metavar="DIR",
                   help="the site root (default: the nearest folder, from here upwards, with a localities.yaml)")
    p.add_argument("--today", type=date_option, metavar="YYYY-MM-DD",
                   help="the build date (default: $SOURCE_DATE_EPOCH, else today)")


def main(args: argparse.Namespace) -> int:
    try:
        check_epoch()
        if args.newsletter_command == "render":
            made = render_issue(args.issue, args.root, args.today, args.out)
            print(f"naerpoliti newsletter render: {made.label} in {made.folder}/")
            for name in EMAIL_FILES:
                print(made.folder / name)
            return EXIT_OK
        return _list(args.area, args.root, args.today)
    except UsageError as exc:
        print(f"naerpoliti: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        print(f"naerpoliti: error: {visible(str(exc))}", file=sys.stderr)
        return EXIT_CONTENT


def load_site(root: Path, today: dt.date | None) -> SiteModel:
    """The site model of a root, or ContentError after printing its errors."""
    diags = Diagnostics()
    _, site, _ = model_of(root, today, diags)
    if site is None or diags.errors:
        for d in diags.sorted():
            if d.severity == "error":
                print(d, file=sys.stderr)
        n = len(diags.errors)
        raise ContentError(f"{n} error{'s' * (n != 1)} in the site root {root}: fix them first "
                           f"(naerpoliti check)")
    return site


def _how_to_list(root: Path, kind: str, id: str) -> str:
    return f"naerpoliti newsletter list {FOLDERS[kind]}/{id} --root {root}"


def render_issue(text: str, root_arg: Path | None, today: dt.date | None, out: Path | None) -> Rendered:
    """Renders the issue ISSUE (KIND/ID/PERIOD) of a site root into `out` (or its default folder)."""
    m = ISSUE_ID_RE.match(text)
    if not m:
        raise UsageError(f"ISSUE '{text}' is not an issue id such as lokalsamfund/skibby/2026-11 or "
                         f"kommune/frederikssund/2026-W47")
    folder_name, id, period = m.groups()
    kind = KINDS[folder_name]
    root = resolve_root(root_arg)
    label, slug = f"{folder_name}/{id}/{period}", f"{folder_name}-{id}-{period}"
    folder = (out if out is not None else root / EMAILS_FOLDER / slug).resolve()
    _check_not_published(folder)
    site = load_site(root, today)
    area = area_of(site, kind, id)
    if area is None:
        raise ContentError(f"there is no newsletter issue {label}: the site has no {kind} '{id}'; list the "
                           f"areas with: naerpoliti newsletter list --root {root}")
    issue = issue_of(site, area, period)
    if issue is None:
        raise ContentError(f"there is no newsletter issue {label} as of {site.today}; list the issues of "
                           f"{area.name} with: {_how_to_list(root, kind, id)}")
    env = make_environment(root, site.config.language)
    [files] = render_emails(site, env, site.urls, area, [issue])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in zip(EMAIL_FILES, files, strict=True):
            (folder / name).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write the e-mail files into {folder}: {exc.strerror or exc}") from None
    return Rendered(root, label, slug, folder)


def _check_not_published(folder: Path) -> None:
    """The e-mails are not for the public: never into a built site (a folder with the marker)."""
    for above in (folder, *folder.parents):
        if (above / MARKER).is_file():
            raise UsageError(f"--out {folder}: it lies in the built site {above}, which is published; "
                             f"the e-mail files belong outside it")


def _list(text: str | None, root_arg: Path | None, today: dt.date | None) -> int:
    root = resolve_root(root_arg)
    only: list[Area] | None = None
    if text is not None:
        m = AREA_RE.match(text)
        if not m:
            raise UsageError(f"AREA '{text}' is not an area such as lokalsamfund/skibby or kommune/frederikssund")
        site = load_site(root, today)
        area = area_of(site, KINDS[m.group(1)], m.group(2))
        if area is None:
            raise ContentError(f"the site has no {KINDS[m.group(1)]} '{m.group(2)}' with a newsletter; list "
                               f"the areas with: naerpoliti newsletter list --root {root}")
        only = [area]
    else:
        site = load_site(root, today)
    for area, issues in all_issues(site, only):
        name = f"{FOLDERS[area.kind]}/{area.id}"
        if only is not None:
            for issue in issues:
                print(f"{name}/{issue.period}")
        else:
            newest = f", newest {name}/{issues[0].period}" if issues else ""
            print(f"{name}\t{len(issues)} issue{'s' * (len(issues) != 1)}{newest}")
    return EXIT_OK
