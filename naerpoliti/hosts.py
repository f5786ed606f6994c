"""The static hosts a site may be published on (`site.host`), each host's published limits, and
whether a build's output fits them: its total size, number of files, largest file and fullest
folder. The build reports the figures and warns when one is over (`build.run`, before the swap)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from .errors import Diagnostics, Position

KB, MB, GB = 1000, 1000**2, 1000**3
KIB, MIB, GIB = 1024, 1024**2, 1024**3


@dataclass(frozen=True)
class Limits:
    """What one host accepts of a published site; None: no published limit."""

    name: str  # as the summary and the warnings name it
    total_bytes: int | None = None
    files: int | None = None
    file_bytes: int | None = None  # one file
    folder_entries: int | None = None  # files and folders directly in one folder
    folders_count: bool = False  # the host counts folders among the files


# Each figure with where it is published (read 2026-12; the hosts change them: check the source).
HOSTS: dict[str, Limits] = {
    "github-pages": Limits(
        "GitHub Pages",
        # "Published GitHub Pages sites may be no larger than 1 GB."
        # https://docs.github.com/en/pages/getting-started-with-github-pages/github-pages-limits
        total_bytes=1 * GB,
        # a site published from a branch is a repository: "GitHub blocks files larger than 100 MiB."
        # https://docs.github.com/en/repositories/working-with-files/managing-large-files/about-large-files-on-github
        file_bytes=100 * MIB),
    "gitlab-pages": Limits(
        "GitLab Pages",
        # GitLab.com: maximum size of a Pages site 1 GB (the setting is in MiB: 1024), and at most
        # 200,000 file entries, "including directories and symlinks".
        # https://docs.gitlab.com/user/gitlab_com/#gitlab-pages
        # https://gitlab.com/gitlab-org/gitlab/-/issues/405048, https://gitlab.com/gitlab-org/gitlab/-/issues/500273
        total_bytes=1 * GIB, files=200_000, folders_count=True),
    "cloudflare-pages": Limits(
        "Cloudflare Pages",
        # paid plans: "up to 100,000 files per Pages site" (with PAGES_WRANGLER_MAJOR_VERSION=4 set in
        # the project) https://developers.cloudflare.com/changelog/post/2026-01-23-pages-file-limit-increase/
        # "The maximum file size for a single Cloudflare Pages site asset is 25 MiB."
        # https://developers.cloudflare.com/pages/platform/limits/#file-size
        files=100_000, file_bytes=25 * MIB),
    "cloudflare-pages-free": Limits(
        "Cloudflare Pages (Free plan)",
        # "The Free plan remains at 20,000 files per site." (the changelog above); 25 MiB as above
        # https://developers.cloudflare.com/pages/platform/limits/#files
        files=20_000, file_bytes=25 * MIB),
    "netlify": Limits(
        "Netlify",
        # "While Netlify doesn't have a limit on the number of files per deploy, we do have a limit
        # of 54,000 files per directory." https://docs.netlify.com/site-deploys/overview/#files-per-directory-limit
        # No published limit of a deploy's total size or of one file's.
        folder_entries=54_000),
    "other": Limits("another host"),
}


@dataclass(frozen=True)
class Fit:
    """A build's output measured against its host's limits."""

    host: str  # a key of HOSTS
    total_bytes: int
    files: int  # files, and folders where the host counts them
    largest: tuple[str, int]  # path, bytes
    fullest: tuple[str, int]  # folder ('' for the top), entries directly in it

    @property
    def limits(self) -> Limits:
        return HOSTS[self.host]

    def summary(self) -> str:
        """'output: 812 MB of 1 GB, 61,204 files of 100,000, largest data/news.json 14 MiB of 25 MiB'."""
        lim = self.limits
        files = "files and folders" if lim.folders_count else "files"
        parts = [_of(self.total_bytes, lim.total_bytes), f"{self.files:,} {files}" + _count_of(lim.files),
                 f"largest {self.largest[0]} {_of(self.largest[1], lim.file_bytes)}"]
        if lim.folder_entries is not None:
            parts.append(f"fullest folder {self.fullest[0] or '.'}/ {self.fullest[1]:,} entries"
                         + _count_of(lim.folder_entries))
        where = "" if self.host == "other" else f" on {lim.name}"
        return f"output{where}: " + ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of_json(cls, data: Any) -> Fit | None:
        """A Fit saved by as_json(), or None when there is none (a cache from an older version)."""
        try:
            return cls(data["host"], int(data["total_bytes"]), int(data["files"]),
                       (str(data["largest"][0]), int(data["largest"][1])),
                       (str(data["fullest"][0]), int(data["fullest"][1])))
        except (KeyError, IndexError, TypeError, ValueError):
            return None


def size_text(n: int, binary: bool = False) -> str:
    """Bytes for a reader: '812 MB', '1.4 GB', '25 MiB', '930 B'."""
    units = (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)) if binary else (("GB", GB), ("MB", MB), ("kB", KB))
    for unit, size in units:
        if n >= size:
            value = n / size
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{n} B"


def _binary(limit: int | None) -> bool:
    """Whether a limit is written in binary units (25 MiB), so that the size beside it is too."""
    return limit is not None and limit % KIB == 0


def _of(n: int, limit: int | None) -> str:
    binary = _binary(limit)
    return size_text(n, binary) + ("" if limit is None else f" of {size_text(limit, binary)}")


def _count_of(limit: int | None) -> str:
    return "" if limit is None else f" of {limit:,}"


def measure(host: str, files: Iterable[tuple[str, int]]) -> Fit:
    """The figures of an output of (path, bytes), as `host` counts them."""
    total = count = 0
    largest = ("", -1)
    entries: Counter[str] = Counter()
    folders: set[str] = set()
    for path, size in files:
        total += size
        count += 1
        if size > largest[1] or (size == largest[1] and path < largest[0]):
            largest = (path, size)
        parent = path.rpartition("/")[0]
        entries[parent] += 1
        # the folders above the file, each an entry of its own parent
        while parent and parent not in folders:
            folders.add(parent)
            parent, _, _ = parent.rpartition("/")
            entries[parent] += 1
    if HOSTS[host].folders_count:
        count += len(folders)
    fullest = min(entries.items(), key=lambda e: (-e[1], e[0]), default=("", 0))
    return Fit(host, total, count, (largest[0], max(largest[1], 0)), fullest)


def check(host: str, position: Position, files: Iterable[tuple[str, int]], diags: Diagnostics) -> Fit:
    """Measure the output and warn, at `site.host`, of each of the host's limits it is over: the
    host would refuse the site (a warning, so that `--strict` keeps the previous site in place)."""
    fit = measure(host, files)
    lim = fit.limits
    if lim.total_bytes is not None and fit.total_bytes > lim.total_bytes:
        binary = _binary(lim.total_bytes)
        diags.warning(position, f"site.host: the site is {size_text(fit.total_bytes, binary)}, more than {lim.name} "
                                f"takes ({size_text(lim.total_bytes, binary)}): the host will not publish it; "
                                "publish less (fewer or smaller images) or choose another host")
    if lim.files is not None and fit.files > lim.files:
        diags.warning(position, f"site.host: the site has {fit.files:,} files, more than {lim.name} takes "
                                f"({lim.files:,}): the host will not publish it; choose another host or plan")
    if lim.file_bytes is not None and fit.largest[1] > lim.file_bytes:
        binary = _binary(lim.file_bytes)
        diags.warning(position, f"site.host: {fit.largest[0]} is {size_text(fit.largest[1], binary)}, more than "
                                f"{lim.name} takes in one file ({size_text(lim.file_bytes, binary)}): "
                                "the host will not publish it; make the file smaller or choose another host")
    if lim.folder_entries is not None and fit.fullest[1] > lim.folder_entries:
        diags.warning(position, f"site.host: the folder {fit.fullest[0] or '.'}/ holds {fit.fullest[1]:,} files "
                                f"and folders, more than {lim.name} takes in one folder ({lim.folder_entries:,}): "
                                "the host will not publish it; choose another host")
    return fit
