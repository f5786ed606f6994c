"""`naerpoliti init DIR`: a new site repository that builds and passes `check --strict` at once.

The files come from naerpoliti/skeleton/ (the demo site's with --demo), with the engine version that
runs this command written into the publishing workflows and the pre-commit configuration, so a site
is checked and built in CI with exactly the engine its editors started with. The folder is made
beside DIR under a hidden name and renamed into place: an interrupted run leaves no half a site.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from .. import __version__, schema
from ..build import build_date
from ..errors import Position
from .common import EXIT_OK, EXIT_USAGE, UsageError

SKELETON = Path(__file__).resolve().parent.parent / "skeleton"
# Skeleton files whose names start with '.' are stored as 'dot-…': package data globs skip dotfiles.
_DOT = "dot-"


Usage = UsageError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init", help="make a new site repository",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Make a new site repository in DIR: localities.yaml with one example of each "
                    "record, content/ with one news item, the publishing workflows for GitHub and "
                    "GitLab Pages and a pre-commit configuration pinned to this engine version, a "
                    "README for the editors, and a first git commit.",
        epilog="examples:\n"
               "  naerpoliti init nordsjaelland --base-url https://nordsjaelland.github.io/naerpoliti/\n"
               "  naerpoliti init demo --demo")
    p.add_argument("dir", metavar="DIR", type=Path, help="the new folder (it must not exist, or be empty)")
    p.add_argument("--base-url", metavar="URL",
                   help="the address the site will be published at, e.g. https://OWNER.github.io/REPO/ "
                        "(required, except with --demo)")
    p.add_argument("--demo", action="store_true", help="write the demo site (invented people in real places)")
    p.add_argument("--no-git", action="store_true", help="do not make a git repository and a first commit")


def source_url() -> str:
    """The engine's repository, as the package metadata names it (pyproject.toml [project.urls])."""
    try:
        for entry in metadata.metadata("naerpoliti").get_all("Project-URL") or ():
            label, _, url = str(entry).partition(",")
            if label.strip().lower() == "source":
                return url.strip()
    except metadata.PackageNotFoundError:  # a source tree used without installing it
        pass
    import tomllib  # here: only that case reads pyproject.toml

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["urls"]["Source"])


def demo_dir() -> Path:
    """The demo site: shipped inside the package when installed, the repository root in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "demo", here.parent):
        if (candidate / "localities.yaml").is_file() and (candidate / "content").is_dir():
            return candidate
    raise RuntimeError(f"naerpoliti's demo site is missing (looked in {here / 'demo'})")


def _base_url(text: str) -> str:
    """--base-url as the validator reads site.base_url, ending in '/'."""
    try:
        url = schema.BaseUrl().convert(text, Position("--base-url"), None)
    except schema.Invalid as exc:
        raise Usage(f"--base-url: {exc}") from None
    return url if url.endswith("/") else url + "/"


def _yaml_scalar(text: str) -> str:
    """A URL as a YAML value: plain when that reads back the same, else double-quoted (JSON is YAML)."""
    return text if re.fullmatch(r"[A-Za-z0-9:/._~%+-]+", text) else json.dumps(text, ensure_ascii=False)


def _target(path: Path) -> Path:
    """DIR, refused when it is anything but a missing or empty folder."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise Usage(f"{path}: exists and is not a folder; nothing was written")
    if path.is_dir() and any(path.iterdir()):
        raise Usage(f"{path}: the folder is not empty; give a new or an empty folder (nothing was written)")
    if not path.parent.is_dir():
        raise Usage(f"{path.parent}: there is no such folder; nothing was written")
    return path.resolve()


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def _copy_skeleton(dest: Path, values: dict[str, str], demo: bool) -> None:
    for src in sorted(SKELETON.rglob("*")):
        if not src.is_file() or "__pycache__" in src.parts:
            continue
        rel = src.relative_to(SKELETON).as_posix()
        if demo and (rel == "localities.yaml" or rel.startswith("content/")):
            continue  # the demo's own
        rel = "/".join("." + part[len(_DOT):] if part.startswith(_DOT) else part for part in rel.split("/"))
        target = dest / _fill(rel, values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_fill(src.read_text(encoding="utf-8"), values), encoding="utf-8")
    if demo:
        source = demo_dir()
        shutil.copy2(source / "localities.yaml", dest / "localities.yaml")
        shutil.copytree(source / "content", dest / "content", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".*", "__pycache__"))
        if values.get("BASE_URL"):
            registry = dest / "localities.yaml"
            text, n = re.subn(r"(?m)^(  base_url: ).*$", lambda m: m.group(1) + values["BASE_URL"],
                              registry.read_text(encoding="utf-8"), count=1)
            assert n == 1, "the demo's localities.yaml has no site.base_url line"
            registry.write_text(text, encoding="utf-8")
    # Empty content folders are kept in git by a hidden file (the loader skips hidden files).
    for folder in ("news", "events", "pages", "ambassadors", "newsletters", "media"):
        path = dest / "content" / folder
        path.mkdir(parents=True, exist_ok=True)
        if not any(path.iterdir()):
            (path / ".gitkeep").touch()


def _git(dest: Path) -> str | None:
    """git init and a first commit; a note for the user when that could not be done, else None."""
    if shutil.which("git") is None:
        return "git is not installed: no repository was made (install git, then run git init)"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=dest, capture_output=True, text=True, stdin=subprocess.DEVNULL)

    made = run("init", "-q", "-b", "main")
    if made.returncode != 0:
        made = run("init", "-q")  # a git older than 2.28 has no -b
    if made.returncode != 0:
        return f"git init failed: {made.stderr.strip()}"
    run("add", "-A")
    committed = run("commit", "-q", "-m", f"A new naerpoliti site (naerpoliti {__version__} init)")
    if committed.returncode != 0:
        why = committed.stderr.strip().splitlines()
        return ("the repository was made, but not the first commit (git said: "
                f"{why[-1] if why else 'nothing'}); make it with: git commit -m 'Første version'")
    return None


def init(args: argparse.Namespace) -> Path:
    dest = _target(args.dir)
    if args.base_url is None and not args.demo:
        raise Usage("give the address the site will be published at with --base-url URL, e.g. "
                    "https://OWNER.github.io/REPO/ on GitHub Pages (it can be changed later in "
                    "localities.yaml, site.base_url)")
    base_url = _base_url(args.base_url) if args.base_url is not None else ""
    try:
        today = build_date(None, "Europe/Copenhagen")
    except ValueError:
        raise Usage(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH')!r} is not a number of seconds") from None
    source = source_url().rstrip("/")
    values = {
        "VERSION": __version__,
        "BASE_URL": _yaml_scalar(base_url) if base_url else "",
        "TODAY": today.isoformat(),
        "SOURCE": source,
        "HANDBOOK": f"{source}/blob/v{__version__}/docs/",
        "TITLE": "Nærpoliti" if not args.demo else "Nærpoliti (demo)",
    }
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.init-", dir=dest.parent))
    try:
        _copy_skeleton(staging, values, args.demo)
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, dest)  # replaces an empty folder; fails if one appeared meanwhile
    except OSError as exc:
        raise Usage(f"{dest}: cannot be written ({exc.strerror}); nothing was written") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return dest


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main(args: argparse.Namespace) -> int:
    try:
        dest = init(args)
    except Usage as exc:
        print(f"naerpoliti: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    note = None if args.no_git else _git(dest)
    print(dest)
    if note:
        print(f"naerpoliti: note: {note}", file=sys.stderr)
    print(f"naerpoliti: a new site is in {dest} (naerpoliti {__version__}). Next: cd into it, replace the "
          "examples in localities.yaml, and run 'naerpoliti serve' to see it; README.md says how to "
          "publish it.", file=sys.stderr)
    return EXIT_OK
