"""The command line as an editor uses it: exit codes 0, 1, 2, dates, roots, reproducibility."""
import os
import subprocess
import sys

import pytest

from conftest import REPO, news, tree
from naerpoliti.cli import main


def run_cli(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "naerpoliti", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_build_exit_0_and_summary(site_root, tmp_path):
    root = site_root({"content/news/a.md": news()})
    p = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--today", "2026-11-22")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("naerpoliti build: ") and "; 0 errors, 0 warnings; " in p.stdout
    assert (tmp_path / "out/nyheder/a/index.html").is_file()


def test_content_error_exit_1_lists_errors_and_writes_nothing(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(scope="localities: [skiby]")})
    p = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--today", "2026-11-22")
    assert p.returncode == 1
    assert p.stderr.splitlines() == [
        "content/news/a.md:4:14: error: localities: unknown locality 'skiby' (did you mean 'skibby'?)",
        "naerpoliti: 1 error, 0 warnings; nothing was written",
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [
    [], ["publish"], ["build", "--today", "22-11-2026"], ["build", "--nonsense"],
    ["check", "--root", "/nonexistent-folder"],
])
def test_usage_errors_exit_2(args, site_root):
    root = site_root()
    p = run_cli(*args, cwd=root)
    assert p.returncode == 2, (args, p.stdout, p.stderr)
    assert p.stderr


def test_no_root_found_is_a_usage_error(tmp_path):
    p = run_cli("check", cwd=tmp_path)
    assert p.returncode == 2 and "no site root here" in p.stderr


def test_root_is_found_from_a_subfolder(site_root):
    root = site_root({"content/news/a.md": news()})
    p = run_cli("check", "--today", "2026-11-22", cwd=root / "content" / "news")
    assert p.returncode == 0 and "newsletter issues would be built" in p.stdout
    assert not (root / "site").exists()  # check writes nothing


def test_bad_source_date_epoch_is_a_usage_error(site_root):
    p = run_cli("check", cwd=site_root(), env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert p.returncode == 2 and "SOURCE_DATE_EPOCH" in p.stderr


def test_source_date_epoch_fixes_the_build_date(site_root, tmp_path):
    root = site_root({"content/news/a.md": news("Fremtid", "2026-11-23")})
    # 2026-11-22 23:30 UTC is already 2026-11-23 in Copenhagen
    p = run_cli("build", "--out", str(tmp_path / "o"), cwd=root, env={"SOURCE_DATE_EPOCH": "1795390200"})
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "o/nyheder/a/index.html").exists()
    # 2026-11-22 22:30 UTC is 23:30 on the 22nd in Copenhagen
    p = run_cli("build", "--out", str(tmp_path / "p"), cwd=root, env={"SOURCE_DATE_EPOCH": "1795386600"})
    assert not (tmp_path / "p/nyheder/a").exists()


def test_two_builds_with_the_same_date_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert main(["build", "--root", str(REPO), "--out", str(out), "--today", "2026-11-22"]) == 0
    assert tree(a) == tree(b) and len(tree(a)) > 40


def test_strict_turns_warnings_into_a_failure(tmp_path):
    # the demo content has warnings on purpose (withdrawn consent, an old verification date)
    assert main(["build", "--root", str(REPO), "--out", str(tmp_path / "s"), "--today", "2026-11-22",
                 "--strict"]) == 1
    assert not (tmp_path / "s").exists()


def test_python_build_py_is_naerpoliti_build(tmp_path):
    p = subprocess.run([sys.executable, "build.py", "--out", str(tmp_path / "site"), "--today", "2026-11-22"],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "site/lokalsamfund/skibby/index.html").is_file()


def test_out_must_not_contain_the_root(site_root):
    root = site_root()
    assert main(["build", "--root", str(root), "--out", str(root.parent)]) == 2
    assert main(["build", "--root", str(root), "--out", str(root)]) == 2


def test_summary_counts_what_was_written(site_root, tmp_path):
    root = site_root({"content/news/a.md": news(),
                      "content/events/2026-12-01-m.md": "---\ntitle: Møde\nkind: other\nstart: 2026-12-01T19:00\n"
                                                        "location: Hallen\nlocalities: [skibby]\n---\nTekst.\n"})
    out = tmp_path / "out"
    p = run_cli("build", "--root", str(root), "--out", str(out), "--today", "2026-11-22")
    assert p.returncode == 0, p.stderr
    files = [f.relative_to(out).as_posix() for f in out.rglob("*") if f.is_file()]
    pages = sum(1 for f in files if f.endswith(".html"))
    feeds = sum(1 for f in files if f.rsplit("/", 1)[-1] in ("rss.xml", "atom.xml", "feed.json"))
    calendars = sum(1 for f in files if f.endswith(".ics"))
    # the issues are sections of the year pages: November of Skibby and of its municipality
    issues = sum(page.read_text().count('class="section newsletter-issue"') for page in out.rglob("nyhedsbrev/*/index.html"))
    assert pages > 10 and feeds > 3 and calendars > 1 and issues == 2
    assert p.stdout.startswith(f"naerpoliti build: {pages} pages, {feeds} feeds, {calendars} calendars, "
                               f"{issues} newsletter issues; 0 errors, 0 warnings; ")
    # every file but the marker that says naerpoliti wrote the folder
    assert f"; {len(files) - 1} files in " in p.stdout and (out / ".naerpoliti").is_file()


def test_github_annotations_name_file_line_and_column(site_root):
    root = site_root({"content/news/a.md": news(scope="localities: [skiby]")})
    env = {"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(root.parent)}
    p = run_cli("check", "--root", str(root), "--today", "2026-11-22", env=env)
    assert p.returncode == 1
    # the workspace is the repository; the root is a folder in it
    assert p.stdout.splitlines() == [
        f"::error file={root.name}/content/news/a.md,line=4,col=14,title=naerpoliti::"
        "localities: unknown locality 'skiby' (did you mean 'skibby'?)"]
    assert "content/news/a.md:4:14: error:" in p.stderr  # the plain lines stay for people
    quiet = run_cli("check", "--root", str(root), "--today", "2026-11-22", env={"GITHUB_ACTIONS": ""})
    assert quiet.stdout == ""


def test_annotation_escapes_what_would_end_the_command():
    from naerpoliti.commands.build import github_annotation
    from naerpoliti.errors import Diagnostic, Position
    d = Diagnostic(Position("content/news/a,b:c.md", 3, 1), "warning", "50% done\nnext::line")
    line = github_annotation(d, REPO)
    assert line == ("::warning file=content/news/a%2Cb%3Ac.md,line=3,col=1,title=naerpoliti::"
                    "50%25 done%0Anext::line")
    assert "\n" not in line


def test_progress_bar_on_a_terminal_and_lines_in_a_log(site_root, tmp_path):
    import io
    import pty
    from naerpoliti import progress
    from naerpoliti.build import run
    root = site_root({"content/news/a.md": news()})
    master, slave = pty.openpty()
    with open(slave, "w", closefd=True) as tty:
        assert isinstance(progress.for_stream(tty), progress.TerminalProgress)
        bar = progress.TerminalProgress(tty, after=0)
        assert not run(root, tmp_path / "a", progress=bar).failed
        tty.flush()
        shown = os.read(master, 65536).decode("utf-8", "replace")
    os.close(master)
    assert "pages" in shown and "\x1b[" in shown  # drawn with terminal control sequences
    log = io.StringIO()
    assert isinstance(progress.for_stream(log), progress.LineProgress)
    assert not run(root, tmp_path / "b", progress=progress.LineProgress(log, after=0)).failed
    lines = log.getvalue().splitlines()
    assert lines and all(line.startswith("naerpoliti: [") for line in lines)
    assert any(line.endswith("pages") for line in lines) and lines[-1].endswith("writing")
    counts = [line.split("] ", 1)[1].split(" ", 1)[0] for line in lines]  # "n/total", or "n" before it is known
    totals = [tuple(map(int, c.split("/"))) for c in counts if "/" in c]
    assert totals and all(n <= total for n, total in totals) and totals[-1][0] == totals[-1][1], counts
    assert "\x1b" not in log.getvalue()
    quiet = io.StringIO()  # a short build stays silent in a log
    assert not run(root, tmp_path / "c", progress=progress.LineProgress(quiet)).failed
    assert quiet.getvalue() == ""


def test_timings_measure_each_step_of_a_build(site_root, tmp_path):
    from naerpoliti.build import run
    from naerpoliti.progress import Timings
    timings = Timings()
    result = run(site_root({"content/news/a.md": news()}), tmp_path / "out", progress=timings)
    assert not result.failed
    # the phases, in this process: they are parts of the whole
    assert {"reading files", "checking fields", "site model", "rendering", "checking links",
            "writing"} <= set(timings.seconds)
    assert all(s >= 0 for s in timings.seconds.values())
    assert sum(timings.seconds.values()) <= result.seconds
    # the rendering tasks, wherever they ran (a small site: in this process, within "rendering")
    assert {"pages", "feeds", "newsletters", "calendars", "sitemap and site files"} <= set(timings.tasks)
    assert sum(timings.tasks.values()) <= result.seconds
