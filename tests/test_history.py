"""'Last updated' dates from git history (naerpoliti/history.py), with real git in tmp repositories:
commit dates on pages and in the sitemap, one locality's lines, uncommitted edits, the fallbacks
(not a repository, a shallow clone, a root nested in a larger repository), reproducibility, and
the cost of the history step on a large repository."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REGISTRY, TODAY, build, make_site, news, sitemap_text, tree
from naerpoliti import history as history_module
from naerpoliti.errors import Diagnostics
from naerpoliti.history import read_history, updated_dates
from naerpoliti.schema import load_content

EVENT = """\
---
title: Borgermøde
kind: citizen-meeting
start: 2026-12-03T19:00
location: Skibby Hallen
localities: [skibby]
---
Kom og hør.
"""
PAGE = "---\ntitle: Om ordningen\n---\nTekst.\n"
AMBASSADORS = """\
- id: birthe
  name: Birthe Jensen
  consent:
    given: 2026-03-01
    fields: [name]
"""


def git(repo: Path, *args: str, date: str = "2026-01-01T12:00:00+01:00") -> str:
    """Run git in a tmp repository, isolated from the machine's configuration, at a fixed date."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Redaktør", GIT_AUTHOR_EMAIL="red@example.dk", GIT_COMMITTER_NAME="Redaktør",
               GIT_COMMITTER_EMAIL="red@example.dk", GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date,
               GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=repo, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


def commit(repo: Path, date: str, message: str = "edit") -> None:
    git(repo, "add", "-A", date=date)
    git(repo, "commit", "-q", "-m", message, date=date)


def edit_registry(root: Path, old: str, new: str) -> None:
    path = root / "localities.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


SLANGERUP = "  - id: slangerup\n    name: Slangerup\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A site root with four commits on different days (times in UTC; the site is in Copenhagen)."""
    root = tmp_path / "root"
    root.mkdir()
    git(root, "init", "-q")
    make_site(root, {"content/news/a.md": news("Gammel nyhed", date="2026-02-20"),
                     "content/events/moede.md": EVENT, "content/pages/om.md": PAGE})
    commit(root, "2026-03-01T10:00:00Z", "first")
    (root / "content/news/a.md").write_text(news("Gammel nyhed", date="2026-02-20", body="Rettet."))
    (root / "content/news/b.md").write_text(news("Ny nyhed", date="2026-05-10"))
    commit(root, "2026-05-10T12:00:00Z", "a corrected, b added")
    # 23:30 UTC is 01:30 the next day in Copenhagen: the date is the site's, not UTC's
    edit_registry(root, SLANGERUP, SLANGERUP + "    description: Byen ved Slangerup Å.\n")
    commit(root, "2026-07-01T23:30:00Z", "Slangerup described")
    (root / "content/ambassadors").mkdir()
    (root / "content/ambassadors/skibby.yaml").write_text(AMBASSADORS)
    commit(root, "2026-08-15T09:00:00Z", "an ambassador in Skibby")
    return root


def dates(root: Path, today: dt.date = TODAY) -> dict[str, dt.date]:
    diags = Diagnostics()
    content = load_content(root, diags)
    assert content is not None and not diags.errors, [str(d) for d in diags.errors]
    return updated_dates(root, content, today)


def shown(html: str) -> list[str]:
    """The 'Senest opdateret' dates a page shows, as datetime attributes."""
    return re.findall(r'<p class="meta last-updated"[^>]*>Senest opdateret <time datetime="([\d-]+)">', html)


def lastmod(out: Path) -> dict[str, str]:
    sitemap = sitemap_text(out)
    return dict(re.findall(r"<loc>https://test\.example\.dk/([^<]*)</loc><lastmod>([\d-]+)</lastmod>", sitemap))


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def test_pages_and_sitemap_show_the_dates_of_the_last_commits(repo, tmp_path):
    out = tmp_path / "site"
    assert not build(repo, out).failed
    # a corrected news item says so; one committed on its own date shows only that date
    assert shown(page(out, "nyheder/a")) == ["2026-05-10"]
    assert "10. maj 2026" in page(out, "nyheder/a")
    assert shown(page(out, "nyheder/b")) == []
    assert shown(page(out, "arrangementer/moede")) == ["2026-03-01"]
    assert shown(page(out, "om")) == ["2026-03-01"]
    # Skibby: its lines are from the first commit, its ambassadors file from the last
    assert shown(page(out, "lokalsamfund/skibby")) == ["2026-08-15"]
    assert shown(page(out, "lokalsamfund/slangerup")) == ["2026-07-02"]
    assert shown(page(out, "kommune/frederikssund")) == ["2026-08-15"]
    assert shown(page(out, "politikreds/nordsjaelland")) == ["2026-08-15"]
    assert lastmod(out) == {
        "": "2026-08-15",
        "nyheder/": "2026-05-10", "nyheder/a/": "2026-05-10", "nyheder/b/": "2026-05-10",
        "arrangementer/": "2026-03-01", "arrangementer/moede/": "2026-03-01", "om/": "2026-03-01",
        "lokalsamfund/": "2026-08-15", "lokalsamfund/skibby/": "2026-08-15",
        "lokalsamfund/slangerup/": "2026-07-02", "kommune/frederikssund/": "2026-08-15",
        "politikreds/nordsjaelland/": "2026-08-15", "postnummer/": "2026-08-15",
        "postnummer/4050/": "2026-08-15", "postnummer/3550/": "2026-07-02",
    }


def test_editing_one_locality_changes_only_its_date_and_its_areas(repo):
    before = dates(repo)
    assert before["locality/skibby"] == dt.date(2026, 8, 15)  # the ambassadors file
    edit_registry(repo, "    postcodes: [\"3550\"]\n", "    postcodes: [\"3550\", \"3560\"]\n")
    commit(repo, "2026-10-05T08:00:00Z")
    after = dates(repo)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"locality/slangerup", "municipality/frederikssund", "district/nordsjaelland"}
    assert after["locality/slangerup"] == dt.date(2026, 10, 5)
    # the officer is shown on both locality pages: editing it touches both
    edit_registry(repo, "    title: Områdebetjent\n", "    title: Lokalbetjent\n")
    commit(repo, "2026-10-20T08:00:00Z")
    final = dates(repo)
    assert final["locality/skibby"] == final["locality/slangerup"] == dt.date(2026, 10, 20)
    assert final["content/news/a.md"] == before["content/news/a.md"]


def test_uncommitted_and_untracked_files_show_the_build_date(repo, tmp_path):
    (repo / "content/news/b.md").write_text(news("Ny nyhed", date="2026-05-10", body="Ikke committet."))
    (repo / "content/pages/ny.md").write_text("---\ntitle: Ny side\n---\nKladde.\n")
    edit_registry(repo, "    name: Skibby\n", "    name: Skibby By\n")
    out = tmp_path / "site"
    assert not build(repo, out).failed
    assert shown(page(out, "nyheder/b")) == [TODAY.isoformat()]
    assert shown(page(out, "ny")) == [TODAY.isoformat()]
    assert shown(page(out, "lokalsamfund/skibby")) == [TODAY.isoformat()]
    assert shown(page(out, "lokalsamfund/slangerup")) == ["2026-07-02"]  # its lines are committed
    assert shown(page(out, "nyheder/a")) == ["2026-05-10"]


def test_dates_are_never_after_the_build_date(repo):
    early = dt.date(2026, 6, 1)
    found = dates(repo, early)
    assert found["locality/slangerup"] == early and found["content/news/a.md"] == dt.date(2026, 5, 10)


def content_only(out: Path) -> None:
    """What a build shows without history: news dates in the sitemap, no 'last updated' line."""
    assert not any(shown(p.read_text(encoding="utf-8")) for p in out.rglob("*.html"))
    assert lastmod(out) == {"": "2026-05-10", "nyheder/": "2026-05-10", "nyheder/a/": "2026-02-20",
                            "nyheder/b/": "2026-05-10"}


def test_without_a_repository_dates_come_from_the_content(repo, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    assert read_history(plain) is None
    out = tmp_path / "site"
    assert not build(plain, out).failed
    content_only(out)


def test_a_shallow_clone_falls_back_to_content_dates(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
    assert read_history(clone) is None
    out, plain_out = tmp_path / "site", tmp_path / "plain-site"
    assert not build(clone, out).failed
    content_only(out)
    # the same bytes as a build of the same files outside any repository
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    build(plain, plain_out)
    assert tree(out) == tree(plain_out)


def test_a_full_clone_gives_the_same_dates(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", repo.as_uri(), str(clone))
    a, b = tmp_path / "a", tmp_path / "b"
    build(repo, a)
    build(clone, b)
    assert tree(a) == tree(b)


def test_a_root_nested_in_a_larger_repository_uses_content_dates(tmp_path):
    outer = tmp_path / "project"
    outer.mkdir()
    git(outer, "init", "-q")
    root = make_site(outer / "tests/site", {"content/news/a.md": news(date="2026-02-20"),
                                            "content/pages/om.md": PAGE})
    commit(outer, "2026-09-09T09:00:00Z")
    (root / "content/pages/om.md").write_text(PAGE + "Ændret, ikke committet.\n")
    assert read_history(root) is None
    out = tmp_path / "site"
    assert not build(root, out).failed
    assert shown(page(out, "om")) == [] and shown(page(out, "lokalsamfund/skibby")) == []


def test_two_builds_are_byte_identical(repo, tmp_path):
    (repo / "content/news/b.md").write_text(news("Ny nyhed", date="2026-05-10", body="Ikke committet."))
    first, second = tmp_path / "one", tmp_path / "two"
    assert not build(repo, first).failed
    assert not build(repo, second).failed
    assert tree(first) == tree(second)
    assert not (repo / "site").exists()


def test_a_repository_without_commits_shows_the_build_date(tmp_path):
    root = make_site(tmp_path / "root", {"content/news/a.md": news(date="2026-02-20")})
    git(root, "init", "-q")
    found = dates(root)
    assert found["content/news/a.md"] == TODAY and found["locality/skibby"] == TODAY


def test_history_of_a_large_repository_takes_few_git_calls(tmp_path, monkeypatch):
    """5,000 files in 200 commits: the history is read with one log, one status (and the one
    rev-parse that finds the repository), whatever the number of files."""
    root = tmp_path / "big"
    root.mkdir()
    git(root, "init", "-q")
    base = int(dt.datetime(2025, 1, 1, 12, tzinfo=dt.timezone.utc).timestamp())
    stream = []
    for i in range(200):
        files = [f"content/news/n{i * 25 + j:05}.md" for j in range(25)]  # 25 new files a commit
        files += [f"content/news/n{(i * 37) % (i * 25 + 1):05}.md"]  # and one older file edited
        stream.append(f"commit refs/heads/main\ncommitter R <r@example.dk> {base + i * 86400} +0000\n"
                      f"data 1\nx\n")
        for f in files:
            body = f"{f} {i}\n"
            stream.append(f"M 100644 inline {f}\ndata {len(body.encode())}\n{body}")
        stream.append("\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="".join(stream).encode(),
                   env=env, check=True)
    git(root, "reset", "-q", "--hard", "main")

    calls = []
    real_git = history_module._git

    def counted(root, *args):
        calls.append(args[0] if args[0] != "-c" else args[2])
        return real_git(root, *args)

    monkeypatch.setattr(history_module, "_git", counted)
    history = read_history(root)
    assert history is not None and not history.dirty
    assert len(history.commit_time) == 5000
    assert history.commit_time["content/news/n00000.md"] == base  # never edited again
    assert history.commit_time["content/news/n04999.md"] == base + 199 * 86400
    edited = (199 * 37) % (199 * 25 + 1)
    assert history.commit_time[f"content/news/n{edited:05}.md"] == base + 199 * 86400
    # counted rather than timed: a git call per file is the cost to avoid, and a slow machine is no fault
    assert calls == ["rev-parse", "log", "status"], calls


def test_registry_test_fixture_names_the_lines_the_tests_edit():
    # the tests above edit these lines of conftest's REGISTRY; fail clearly if it changes
    for line in (SLANGERUP, "    title: Områdebetjent\n", "    name: Skibby\n", "    postcodes: [\"3550\"]\n"):
        assert REGISTRY.count(line) == 1, line
