"""Full-text search of news, events, pages and localities with Pagefind: an output step of its own,
run by the builder over the pages it has written (not a renderer: it runs a program and writes
files).

Pagefind (https://pagefind.app, from the PyPI package `pagefind[bin]`) reads HTML and writes a
static search index: a small JavaScript API (`pagefind.js`), a WebAssembly search engine and
compressed index chunks and fragments, fetched by the browser only when someone searches on the
search page (`templates/search.html`, `templates/assets/fulltext.js`).

Pagefind runs as a service (`pagefind --service`, the interface its Node and Python packages
drive): it is given each page's URL and HTML through a pipe and answers with the index's files.
Nothing is written but the output itself: run over a folder, Pagefind would need the pages linked
into one laid out as on the web server, and write its files there to be read back, and on a disk
where creating a file or folder costs a third of a millisecond a national site's 24,000 pages and
as many files of the index made that dearer than indexing them. The build stays atomic: index_pages()
returns the bundle as Output objects under `pagefind/` (at the site's root path), which the writer
writes like any other file. Only pages of the primary language whose main content carries
`data-pagefind-body` are indexed (news items, events, free pages and, of a locality's page, its
name, places, postcodes and officer, marked `type:locality`), so the other pages (lists,
newsletters, 404, /was/) and the rest of a locality's page (its ambassadors) are never indexed.

A page's URL in the index is its whole path (/naerpoliti/nyheder/...), the site's root path
included: fulltext.js sets Pagefind's `baseUrl` to "/", or Pagefind would put the folder it was
loaded from in front of them a second time.

The pages are indexed in the interface language (`force_language`), which has Pagefind use its
stemmer for it: with `da`, a search for "indbruddet" finds "indbrud". The pages are given in the
order of their paths, so the same pages make the same bytes (the index's file names are hashes of
their contents); the one file whose key order varies from run to run, `pagefind-entry.json`, is
written with sorted keys.
"""
from __future__ import annotations

import base64
import collections
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar, overload

from .render import Output
from .render.keys import NO_REUSE, Keys, Reuse
from .site import SiteModel
from .write import check_output_path

BUNDLE = "pagefind"  # the folder of Pagefind's files, at the site's root path
PART = "del"  # pagefind/del-2/, ...: the further indexes of a big site
INDEXES = "naerpoliti-indexes.json"  # {"merge": [URL of each further index]}, read by fulltext.js
# Pages in one index of Pagefind: about 125 MB of memory and 1.3 CPU-seconds for 1,000 pages of a
# national site. Smaller parts make an edit re-index less, but a search in the browser merges one
# index a part.
PAGES_PER_INDEX = int(os.environ.get("NAERPOLITI_PAGES_PER_INDEX", "1000"))
ENTRY = "pagefind-entry.json"
# Pagefind's ready-made interfaces, which the site does not use (fulltext.js talks to pagefind.js).
UNUSED = re.compile(r"pagefind-(ui|modular-ui|component-ui|highlight)\.(js|css)")
# An element of a page's <body> that holds what Pagefind indexes.
INDEXED = re.compile(rb"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s=/>]")
MARK = b"data-pagefind-body"
# The engine's templates write the attribute right after the tag's name, where no text or
# attribute value can put it (both escape "<"): what indexed_part() cuts out.
STRICT = re.compile(rb"<([a-zA-Z][a-zA-Z0-9]*) data-pagefind-body(?=[\s=/>])")
TIMEOUT = 600  # seconds for one part of the index


_T = TypeVar("_T")


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
                and marked(data))
    return check


def marked(page: bytes) -> bool:
    """Whether an element of the page carries `data-pagefind-body` (INDEXED). The attribute's
    first mention is found first, then the element it is in (if it is in one), which starts at the
    last "<" before it, as no "<" can be inside a tag: matching the whole page took 0.1 ms a page."""
    first = page.find(MARK)
    return first >= 0 and INDEXED.search(page, max(0, page.rfind(b"<", 0, first))) is not None


def indexed_part(page: bytes) -> bytes:
    """What Pagefind needs of a page: its `data-pagefind-body` elements in a bare document, which
    Pagefind indexes as it indexes the whole page (it reads nothing outside them), at a seventh of
    a news page's bytes: a national site's pages took 28 CPU-s of Pagefind and 7 to send whole.
    A page whose every mention of the attribute is not at the start of an element STRICT finds,
    or whose element's end is not found by counting its tag, is given whole."""
    found = list(STRICT.finditer(page))
    if not found or len(found) != page.count(MARK):
        return page
    parts, end = [], 0
    for match in found:
        start = match.start()
        if start < end:  # inside the element before
            continue
        name = match.group(1)
        tags = re.compile(rb"<(/?)" + re.escape(name) + rb"(?=[\s/>])", re.IGNORECASE)
        depth = 0
        for tag in tags.finditer(page, start):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                close = page.find(b">", tag.end())
                if close < 0:
                    return page
                end = close + 1
                break
        else:
            return page
        parts.append(page[start:end])
    return b"<!DOCTYPE html>\n<html><head></head><body>\n" + b"\n".join(parts) + b"\n</body></html>\n"


def part_of(path: str, count: int) -> int:
    """The part of the index a page belongs to: by a digest of its path, so that an edited page
    changes one part, and a page added or removed one part (while the number of parts stays)."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=8).digest()) % count


def page_url(root_path: str, path: str) -> str:
    """A page's URL in the index: its path on the server, without "index.html" (as Pagefind makes
    URLs of the files of a folder)."""
    return root_path + (path[:-len("index.html")] if path == "index.html" or path.endswith("/index.html") else path)


@overload
def index_pages(site: SiteModel, source: Path, pages: Sequence[tuple[str, bytes]], keys: Keys | None = None,
                reuse: Reuse = NO_REUSE, jobs: int = 1, gate: threading.Semaphore | None = None,
                put: None = None) -> list[Output]: ...


@overload
def index_pages(site: SiteModel, source: Path, pages: Sequence[tuple[str, bytes]], keys: Keys | None = None,
                reuse: Reuse = NO_REUSE, jobs: int = 1, gate: threading.Semaphore | None = None, *,
                put: Callable[[Output], _T]) -> list[_T]: ...


def index_pages(site: SiteModel, source: Path, pages: Sequence[tuple[str, bytes]], keys: Keys | None = None,
                reuse: Reuse = NO_REUSE, jobs: int = 1, gate: threading.Semaphore | None = None,
                put: Callable[[Output], Any] | None = None) -> list[Any]:
    """The Pagefind index of `pages` (output path, sha256 of its bytes), which lie in `source` (an
    output or staging folder) at their output paths; a path that could lead out of it is refused.
    With `put`, each part's files are handed to it as soon as the part is made (the writer: the
    files of one part are written while Pagefind makes the next) and what it gives is returned.

    Pagefind holds every page it indexes in memory (about 125 MB for 1,000 pages of a national
    site), so a big site is indexed in parts of at most PAGES_PER_INDEX pages: the first is
    /pagefind/, the others /pagefind/del-N/, and INDEXES lists the others for fulltext.js, which
    merges them into one search (Pagefind's mergeIndex). A page's part follows from its path
    (part_of). With `keys`, a part whose pages are the same as in the previous build is taken
    over (`reuse`) instead of indexed again; the other parts are indexed `jobs` at a time, and
    each only while it holds `gate` (the builder widens it when rendering is done)."""
    binary = pagefind_executable()
    for path, _digest in pages:
        problem = check_output_path(path)
        if problem:
            raise FulltextError(f"a page to index: {problem}")
    count = max(1, -(-len(pages) // PAGES_PER_INDEX))
    parts: list[list[tuple[str, bytes]]] = [[] for _ in range(count)]
    for path, digest in sorted(pages):
        parts[part_of(path, count) if count > 1 else 0].append((path, digest))
    root_path, language = site.urls.root_path, site.config.language
    hand: Callable[[Output], Any] = put if put is not None else (lambda o: o)
    out: list[Any] = []
    todo = []
    for i, members in enumerate(parts):
        folder = BUNDLE if i == 0 else f"{BUNDLE}/{PART}-{i + 1}"
        unit = f"full-text index {i + 1} of {count}"
        key = keys.of("pagefind", language, root_path, folder, members) if keys else ""
        taken = reuse.paths(unit, key, ()) if key else None
        if taken is not None:  # each file named as when it was made
            out += [hand(Output(p, origin=f"the Pagefind index ({root_path}{p})", unit=unit, key=key,
                                reused=True)) for p in taken]
        else:
            todo.append((folder, unit, key, members))

    def index(job: tuple[str, str, str, list[tuple[str, bytes]]]) -> list[Any]:
        folder, unit, key, members = job
        html = ((page_url(root_path, path), indexed_part((source / path).read_bytes())) for path, _digest in members)
        with gate or contextlib.nullcontext():
            files = pagefind_bundle(binary, language, html)
        return [hand(Output(f"{folder}/{name}", data, origin=f"the Pagefind index ({root_path}{folder}/{name})",
                            unit=unit, key=key)) for name, data in files]

    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        for made in pool.map(index, todo):  # in the order of the parts
            out += made
    merged = [f"{root_path}{BUNDLE}/{PART}-{i + 1}/" for i in range(1, count)]
    out.append(hand(Output(f"{BUNDLE}/{INDEXES}", (json.dumps({"merge": merged}) + "\n").encode("utf-8"),
                           origin=f"the list of Pagefind indexes ({root_path}{BUNDLE}/{INDEXES})")))
    return out


def pagefind_bundle(binary: Path, language: str, pages: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files of Pagefind's index (path in the bundle, bytes), sorted by path, of `pages` (URL,
    HTML), given in this order to one `pagefind --service` process, in `language`. Pagefind's
    ready-made interfaces are left out (UNUSED)."""
    # No PAGEFIND_* variables, and a working folder with no pagefind.yml (Pagefind looks for one
    # there even as a service): the engine's own. The index depends on the pages alone.
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    try:
        proc = subprocess.Popen([str(binary), "--service"], cwd=Path(__file__).parent, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise FulltextError(f"could not run Pagefind ({binary}): {exc}") from None
    with proc:  # closes the pipes and waits for it
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        log = _Tail(proc.stderr)
        timer = threading.Timer(TIMEOUT, proc.kill)
        timer.start()
        try:
            return _converse(proc.stdin, proc.stdout, language, pages)
        except FulltextError as exc:
            proc.kill()
            proc.wait()
            tail = log.text()
            why = f"it took longer than {TIMEOUT} s" if not timer.is_alive() else f"exit status {proc.returncode}"
            raise FulltextError(f"Pagefind failed ({why}): {exc}" + (f"\n{tail}" if tail else "")) from None
        finally:
            timer.cancel()
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the end of the conversation: the service ends
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()


class _Tail:
    """The last lines a process writes to a pipe, read in a thread so the pipe never fills."""

    def __init__(self, stream: IO[bytes]):
        self.lines: collections.deque[bytes] = collections.deque(maxlen=10)
        self.reader = threading.Thread(target=self._read, args=(stream,), name="naerpoliti-pagefind-log", daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):
            for line in stream:
                self.lines.append(line[:1000])

    def text(self) -> str:
        self.reader.join(5)
        return b"".join(self.lines).decode("utf-8", "replace").strip()


def _converse(requests: IO[bytes], replies: IO[bytes], language: str,
              pages: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The service's conversation: a new index, each page, then the index's files. Each message,
    either way, is base64 of its JSON followed by a comma; the service answers the messages one
    by one, in order. The pages are sent from a thread while the answers are read, so that
    neither pipe fills up while its reader waits on the other."""
    answers = _answers(replies)
    try:
        _send(requests, 0, {"type": "NewIndex", "config": {"force_language": language}})
    except OSError as exc:  # it has ended already
        raise FulltextError(f"it took no messages ({exc.strerror or exc})") from None
    index_id = _answer(answers, 0, ("NewIndex",))["index_id"]
    sent: list[int] = []
    failure: list[BaseException] = []

    def send_pages() -> None:
        try:
            number = 0
            for number, (url, html) in enumerate(pages, 1):
                _send(requests, number, {"type": "AddFile", "index_id": index_id, "url": url, "file_path": None,
                                         "file_contents": html.decode("utf-8", "replace")})
            sent.append(number)
            _send(requests, number + 1, {"type": "GetFiles", "index_id": index_id})
        except BaseException as exc:  # noqa: BLE001 - raised in the reading thread
            failure.append(exc)
            with contextlib.suppress(OSError):
                requests.close()  # the service ends, and the reader with it

    sender = threading.Thread(target=send_pages, name="naerpoliti-pagefind-pages", daemon=True)
    sender.start()
    try:
        number = 1  # the page whose answer comes next; the files follow the last page's
        while True:
            payload = _answer(answers, number, ("IndexedFile", "GetFiles"))
            if payload["type"] == "GetFiles":
                if not sent or number != sent[0] + 1:  # the sender counts its pages before it asks
                    raise FulltextError(f"unexpected answer {payload['type']!r} to message {number}")
                files = payload["files"]
                break
            number += 1
    except FulltextError:
        if failure:  # the service ended because the pages did (the caller ends it otherwise)
            raise _failure(failure[0]) from None
        raise
    sender.join()
    made = [(f["path"], base64.b64decode(f["content"])) for f in files if not UNUSED.fullmatch(f["path"])]
    return sorted((name, _sorted_json(data) if name == ENTRY else data) for name, data in made)


def _failure(exc: BaseException) -> FulltextError:
    return FulltextError(f"a page to index could not be read or given to Pagefind: {exc}")


def _send(requests: IO[bytes], number: int, payload: dict[str, Any]) -> None:
    message = json.dumps({"message_id": number, "payload": payload}, ensure_ascii=False)
    requests.write(base64.b64encode(message.encode("utf-8")) + b",")
    if payload["type"] != "AddFile":
        requests.flush()


def _answers(replies: IO[bytes]) -> Iterator[dict[str, Any]]:
    """The service's answers, as they come."""
    buffer = bytearray()
    start = 0  # where to look for the comma that ends the next answer
    while True:
        end = buffer.find(b",", start)
        if end < 0:
            start = len(buffer)
            chunk = replies.read1(1 << 20)  # type: ignore[attr-defined]
            if not chunk:
                return
            buffer += chunk
            continue
        try:
            answer = json.loads(base64.b64decode(bytes(buffer[:end]), validate=True))
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise FulltextError(f"an answer that is not Pagefind's: {bytes(buffer[:60])!r}")
        del buffer[:end + 1]
        start = 0
        yield answer


def _answer(answers: Iterator[dict[str, Any]], number: int, kinds: tuple[str, ...]) -> dict[str, Any]:
    """The next answer's payload, which must answer message `number` and be of one of `kinds`."""
    answer = next(answers, None)
    if answer is None:
        raise FulltextError("the service ended before it had answered")
    payload = answer.get("payload")
    if not isinstance(payload, dict):
        raise FulltextError(f"an answer that is not Pagefind's: {str(answer)[:60]}")
    if payload.get("type") == "Error":
        raise FulltextError(str(payload.get("message", "an error")))
    if answer.get("message_id") != number or payload.get("type") not in kinds:
        raise FulltextError(f"unexpected answer {payload.get('type')!r} to message {number}")
    return payload


def _sorted_json(data: bytes) -> bytes:
    """pagefind-entry.json with its keys in a fixed order (Pagefind writes them in hash order)."""
    value = json.loads(data)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
