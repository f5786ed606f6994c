"""Full-text search of news, events, pages and localities with Pagefind: an output step of its own,
run by the builder over the pages it has written (not a renderer: it runs a program and writes
files).

Pagefind (https://pagefind.app, from the PyPI package `pagefind[bin]`) reads HTML files and writes
a static search index: a small JavaScript API (`pagefind.js`), a WebAssembly search engine and
compressed index chunks and fragments, fetched by the browser only when someone searches on the
search page (`templates/search.html`, `templates/assets/fulltext.js`).

The build stays atomic: as the writer (write.Staging) writes each page to index, it also links it
into a folder beside the output folder (write.link_folder), laid out as on the web server.
index_pages() runs Pagefind over that folder, in a temporary folder of its own, and returns its
bundle as Output objects under `pagefind/` (at the site's root path), which the writer then writes
like any other file. Only pages of the primary language whose main content carries
`data-pagefind-body` are linked (news items, events, free pages and, of a locality's page, its
name, places, postcodes and officer, marked `type:locality`), so the other pages (lists,
newsletters, 404, /was/) and the rest of a locality's page (its ambassadors) are never indexed.

The pages are linked at their paths on the server, the site's root path included, so the URLs in
the index are whole paths (/naerpoliti/nyheder/...): fulltext.js sets Pagefind's `baseUrl` to "/",
or Pagefind would put the folder it was loaded from in front of them a second time.

The pages are indexed in the interface language (`--force-language`), which has Pagefind use its
stemmer for it: with `da`, a search for "indbruddet" finds "indbrud". Given the same pages,
Pagefind's files are the same bytes (their names are hashes of their contents); the one file whose
key order varies from run to run, `pagefind-entry.json`, is written with sorted keys.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from .render import Output
from .render.keys import NO_REUSE, Keys, Reuse
from .site import SiteModel
from .urls import clean_path
from .write import check_output_path

BUNDLE = "pagefind"  # the folder of Pagefind's files, at the site's root path
PART = "del"  # pagefind/del-2/, ...: the further indexes of a big site
INDEXES = "naerpoliti-indexes.json"  # {"merge": [URL of each further index]}, read by fulltext.js
# Pages in one run of Pagefind: about 125 MB of memory and 1.5-2.3 CPU-seconds for 1,000 pages of a
# national site (2,500: 300 MB, 5.4 s). Smaller parts make an edit re-index less, but a search in
# the browser merges one index a part.
PAGES_PER_INDEX = int(os.environ.get("NAERPOLITI_PAGES_PER_INDEX", "1000"))
ENTRY = "pagefind-entry.json"
# Pagefind's ready-made interfaces, which the site does not use (fulltext.js talks to pagefind.js).
UNUSED = re.compile(r"pagefind-(ui|modular-ui|component-ui|highlight)\.(js|css)")
# An element of a page's <body> that holds what Pagefind indexes.
INDEXED = re.compile(rb"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s=/>]")
TIMEOUT = 600  # seconds


class FulltextError(RuntimeError):
    """Pagefind is missing or failed: the build stops and writes nothing."""


def pagefind_executable() -> Path:
    """The Pagefind binary: $PAGEFIND_BINARY_PATH, else the one shipped by `pagefind[bin]`."""
    try:
        from pagefind.service import get_executable
    except ImportError:  # pragma: no cover - pagefind is a dependency
        raise FulltextError("the Python package 'pagefind' is missing: pip install 'pagefind[bin]'") from None
    found = get_executable()
    if found is None or not Path(found).is_file():
        raise FulltextError("Pagefind's binary is missing: pip install 'pagefind[bin]' "
                            "(or set PAGEFIND_BINARY_PATH)")
    return Path(found)


def indexable(site: SiteModel) -> Callable[[str, bytes], bool]:
    """Whether an output (path, bytes) is a page for the index: an HTML page of the primary
    language whose main content carries `data-pagefind-body`, not the 404 page or /was/."""
    urls = site.urls
    others = tuple(f"{lang}/" for lang in site.config.languages if lang != site.config.language)
    skipped = {urls.output_path(urls.not_found()), urls.output_path(urls.was())}

    def check(path: str, data: bytes) -> bool:
        return (path.endswith(".html") and not path.startswith(others) and path not in skipped
                and INDEXED.search(data) is not None)
    return check


def pages_folder(root: Path, root_path: str) -> Path:
    """The folder under `root` that the pages to index are linked into: `root` and the site's root
    path, as on the web server. site.base_url's field type refuses a path that could lead
    elsewhere; it is refused here too, since this folder is written to."""
    folder = root / root_path.strip("/")
    if not clean_path(root_path) or not folder.resolve().is_relative_to(root.resolve()):
        raise FulltextError(f"the site's base path {root_path!r} leads outside the folder of the pages to index")
    return folder


def part_of(path: str, count: int) -> int:
    """The part of the index a page belongs to: by a digest of its path, so that an edited page
    changes one part, and a page added or removed one part (while the number of parts stays)."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).digest()) % count


def index_pages(site: SiteModel, source: Path, pages: Sequence[tuple[str, bytes]], scratch: Path,
                keys: Keys | None = None, reuse: Reuse = NO_REUSE, jobs: int = 1,
                gate: threading.Semaphore | None = None) -> list[Output]:
    """The Pagefind index of `pages` (output path, sha256 of its bytes), which lie in `source` (an
    output or staging folder) at their output paths. Each part to index is hard-linked into
    `scratch` (a folder on the same file system, write.link_folder), laid out as on the web server:
    the site's root path, then the output paths.

    Pagefind holds every page it indexes in memory (about 125 MB for 1,000 pages of a national
    site), so a big site is indexed in parts of at most PAGES_PER_INDEX pages: the first is
    /pagefind/, the others /pagefind/del-N/, and INDEXES lists the others for fulltext.js, which
    merges them into one search (Pagefind's mergeIndex). A page's part follows from its path
    (part_of). With `keys`, a part whose pages are the same as in the previous build is taken
    over (`reuse`) instead of indexed again; the other parts are indexed `jobs` at a time, and
    each only while it holds `gate` (the builder widens it when rendering is done)."""
    binary = pagefind_executable()
    count = max(1, -(-len(pages) // PAGES_PER_INDEX))
    parts: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
    for path, digest in sorted(pages):
        parts[part_of(path, count) if count > 1 else 0].append((path, digest))
    out: list[Output] = []
    todo = []
    for i, members in enumerate(parts):
        folder = BUNDLE if i == 0 else f"{BUNDLE}/{PART}-{i + 1}"
        unit = f"full-text index {i + 1} of {count}"
        key = keys.of("pagefind", site.config.language, site.urls.root_path, folder, members) if keys else ""
        taken = reuse.paths(unit, key, ()) if key else None
        if taken is not None:  # each file named as when it was made (read_bundle)
            out += [Output(p, origin=f"the Pagefind index ({site.urls.root_path}{p})", unit=unit, key=key,
                           reused=True) for p in taken]
        else:
            todo.append((i, folder, unit, key, members))

    def index(job: tuple[int, str, str, str, list[tuple[str, bytes]]]) -> list[Output]:
        with gate or contextlib.nullcontext():
            return index_part(*job)

    def index_part(i: int, folder: str, unit: str, key: str, members: list[tuple[str, bytes]]) -> list[Output]:
        part_source = scratch / f"site-{i}"
        link_part(source, [path for path, _digest in members], pages_folder(part_source, site.urls.root_path))
        bundle = scratch / f"bundle-{i}"
        run_pagefind(binary, part_source, bundle, site.config.language, cwd=scratch)
        made = [dataclasses.replace(o, unit=unit, key=key) for o in read_bundle(bundle, site.urls.root_path, folder)]
        shutil.rmtree(part_source, ignore_errors=True)
        shutil.rmtree(bundle, ignore_errors=True)
        return made

    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        for made in pool.map(index, todo):  # in the order of the parts
            out += made
    merged = [f"{site.urls.root_path}{BUNDLE}/{PART}-{i + 1}/" for i in range(1, count)]
    out.append(Output(f"{BUNDLE}/{INDEXES}", (json.dumps({"merge": merged}) + "\n").encode("utf-8"),
                      origin=f"the list of Pagefind indexes ({site.urls.root_path}{BUNDLE}/{INDEXES})"))
    return out


def link_part(source: Path, pages: Sequence[str], into: Path) -> None:
    """The pages (output paths) of `source` hard-linked into `into` at the same paths; a path that
    could lead out of either folder is refused (write.check_output_path)."""
    made_dirs: set[Path] = set()
    for path in pages:
        problem = check_output_path(path)
        if problem:
            raise FulltextError(f"a page to index: {problem}")
        target = into / path
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        os.link(source / path, target)


def run_pagefind(binary: Path, source: Path, bundle: Path, language: str, cwd: Path) -> str:
    """Run Pagefind over `source`, writing its files to `bundle`; returns its log."""
    # Settings come from the command line only: no pagefind.yml (cwd is the empty temporary
    # folder) and no PAGEFIND_* variables, so the index depends on the pages alone.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    command = [str(binary), "--site", str(source), "--output-path", str(bundle),
               "--force-language", language]
    try:
        proc = subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, encoding="utf-8", errors="replace",
                              timeout=TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise FulltextError(f"could not run Pagefind ({binary}): {exc}") from None
    log = proc.stdout + proc.stderr
    if proc.returncode != 0 or not (bundle / "pagefind.js").is_file():
        tail = "\n".join(log.strip().splitlines()[-10:])
        raise FulltextError(f"Pagefind failed (exit status {proc.returncode}):\n{tail}")
    return log


def read_bundle(bundle: Path, root_path: str, folder: str = BUNDLE) -> list[Output]:
    out: list[Output] = []
    for f in sorted(bundle.rglob("*")):
        if not f.is_file():
            continue
        rel = f.relative_to(bundle).as_posix()
        if UNUSED.fullmatch(rel):
            continue
        data = f.read_bytes()
        if rel == ENTRY:
            data = _sorted_json(data)
        out.append(Output(f"{folder}/{rel}", data, origin=f"the Pagefind index ({root_path}{folder}/{rel})"))
    return out


def _sorted_json(data: bytes) -> bytes:
    """pagefind-entry.json with its keys in a fixed order (Pagefind writes them in hash order)."""
    value = json.loads(data)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

