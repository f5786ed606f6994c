"""Whether the output fits the host it is published on (site.host): the figures a build reports,
the warnings over a limit (errors with --strict, which keep the previous site), and that a check
says nothing about it."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from conftest import REGISTRY, REPO, build, messages, news, tree
from naerpoliti import hosts
from naerpoliti.cli import main

CLOUDFLARE_FREE = REGISTRY.replace("site:\n", "site:\n  host: cloudflare-pages-free\n", 1)
HOST_AT = "localities.yaml:2:9"  # where site.host's value is in CLOUDFLARE_FREE


def lower(monkeypatch, host: str, **limits) -> None:
    """Lower a host's limits for this test, so that a tiny site is over them."""
    monkeypatch.setitem(hosts.HOSTS, host, dataclasses.replace(hosts.HOSTS[host], **limits))


def files_in(out: Path) -> dict[str, int]:
    """Every file the build wrote, by path, with its size (the marker is naerpoliti's own)."""
    return {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*")
            if p.is_file() and p.name != ".naerpoliti"}


def test_the_figures_are_those_of_the_written_folder(tmp_path):
    """The demo, as GitHub Pages would take it: total, files and largest file as on disk."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    (root / "localities.yaml").write_text((REPO / "localities.yaml").read_text(encoding="utf-8").replace(
        "site:\n", "site:\n  host: github-pages\n", 1), encoding="utf-8")
    out = tmp_path / "site"
    result = build(root, out)
    assert not result.failed, messages(result)
    on_disk = files_in(out)
    fit = result.fit
    assert fit is not None and fit.host == "github-pages"
    assert fit.files == len(on_disk) and fit.total_bytes == sum(on_disk.values())
    biggest = max(on_disk.values())
    assert fit.largest[1] == biggest and on_disk[fit.largest[0]] == biggest
    line = fit.summary()
    assert line.startswith(f"output on GitHub Pages: {hosts.size_text(fit.total_bytes)} of 1 GB, "
                           f"{len(on_disk):,} files, largest {fit.largest[0]} ")
    assert line.endswith(" of 100 MiB")
    assert not any("site.host" in m for m in messages(result))


def test_over_a_limit_warns_at_site_host_and_the_summary_shows_it(site_root, tmp_path, monkeypatch, capsys):
    lower(monkeypatch, "cloudflare-pages-free", files=10)
    root = site_root({"content/news/a.md": news()}, registry=CLOUDFLARE_FREE)
    out = tmp_path / "out"
    assert main(["build", "--root", str(root), "--out", str(out), "--today", "2026-11-22"]) == 0
    captured = capsys.readouterr()
    count = len(files_in(out))
    assert (f"{HOST_AT}: warning: site.host: the site has {count:,} files, more than Cloudflare Pages "
            "(Free plan) takes (10): the host will not publish it; choose another host or plan") in captured.err
    summary = captured.out.splitlines()
    assert summary[0].startswith("naerpoliti build: ") and "0 errors, 1 warning;" in summary[0]
    assert summary[1].startswith(f"output on Cloudflare Pages (Free plan): ") and f", {count:,} files of 10, " in summary[1]
    assert summary[1].endswith(" of 25 MiB")


def test_strict_fails_over_a_limit_and_keeps_the_previous_site(site_root, tmp_path, monkeypatch, capsys):
    root = site_root({"content/news/a.md": news()}, registry=CLOUDFLARE_FREE)
    out = tmp_path / "out"
    args = ["build", "--root", str(root), "--out", str(out), "--today", "2026-11-22", "--strict"]
    assert main(args) == 0  # within the real limits
    before = tree(out)
    (root / "content/news/b.md").write_text(news("Ny nyhed"), encoding="utf-8")
    lower(monkeypatch, "cloudflare-pages-free", file_bytes=1000)
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{HOST_AT}: warning: site.host: " in err and "more than Cloudflare Pages (Free plan) takes in one file (1 kB)" in err
    assert "naerpoliti: 0 errors, 1 warning (warnings fail with --strict); nothing was written" in err
    assert tree(out) == before
    assert not (out / "nyheder/b/index.html").exists()


@pytest.mark.parametrize(("host", "limits", "expected"), [
    ("github-pages", {"total_bytes": 2000}, "site.host: the site is {total}, more than GitHub Pages takes (2 kB): "
                                            "the host will not publish it; publish less (fewer or smaller images) "
                                            "or choose another host"),
    ("netlify", {"folder_entries": 3}, "site.host: the folder {fullest}/ holds {entries} files and folders, more "
                                       "than Netlify takes in one folder (3): the host will not publish it; "
                                       "choose another host"),
])
def test_each_limit_has_its_warning(site_root, tmp_path, monkeypatch, host, limits, expected):
    lower(monkeypatch, host, **limits)
    root = site_root({"content/news/a.md": news()}, registry=REGISTRY.replace("site:\n", f"site:\n  host: {host}\n", 1))
    result = build(root, tmp_path / "out")
    fit = result.fit
    assert fit is not None
    text = expected.format(total=hosts.size_text(fit.total_bytes), fullest=fit.fullest[0] or ".",
                           entries=f"{fit.fullest[1]:,}")
    assert [m for m in messages(result) if "site.host" in m] == [f"{HOST_AT}: warning: {text}"]


def test_within_the_limits_nothing_is_said(site_root, tmp_path):
    result = build(site_root({"content/news/a.md": news()}, registry=CLOUDFLARE_FREE), tmp_path / "out")
    assert not result.diagnostics.warnings and result.fit is not None
    assert result.fit.summary().startswith("output on Cloudflare Pages (Free plan): ")


def test_check_says_nothing_about_limits(site_root, monkeypatch, capsys):
    lower(monkeypatch, "cloudflare-pages-free", files=1, file_bytes=1)
    root = site_root({"content/news/a.md": news()}, registry=CLOUDFLARE_FREE)
    assert main(["check", "--root", str(root), "--today", "2026-11-22", "--strict"]) == 0
    captured = capsys.readouterr()
    assert "site.host" not in captured.err and "output" not in captured.out


def test_an_unknown_host_is_an_error_naming_the_hosts(site_root):
    root = site_root(registry=REGISTRY.replace("site:\n", "site:\n  host: github\n", 1))
    [message] = [m for m in messages(build(root)) if "site.host" in m]
    assert message.startswith("localities.yaml:2:9: error: site.host: 'github' is not allowed here: use ")
    assert "github-pages" in message and "cloudflare-pages-free" in message


def test_measure_counts_files_folders_and_the_fullest_folder():
    files = [("index.html", 10), ("a/index.html", 30), ("a/b/index.html", 30), ("a/b/c.json", 5), ("d.xml", 1)]
    fit = hosts.measure("github-pages", files)
    assert (fit.total_bytes, fit.files, fit.largest) == (76, 5, ("a/b/index.html", 30))  # ties: the first path
    assert fit.fullest == ("", 3)  # index.html, d.xml and the folder a/
    assert hosts.measure("gitlab-pages", files).files == 7  # GitLab counts the folders a/ and a/b/ too
    assert hosts.Fit.of_json(fit.as_json()) == fit
    assert hosts.Fit.of_json(None) is None and hosts.Fit.of_json({"host": "x"}) is None


@pytest.mark.parametrize(("n", "binary", "text"), [
    (930, False, "930 B"), (846_000, False, "846 kB"), (1_400_000_000, False, "1.4 GB"),
    (812_300_000, False, "812 MB"), (25 * 1024**2, True, "25 MiB"), (14_700_000, True, "14 MiB"),
])
def test_size_text(n, binary, text):
    assert hosts.size_text(n, binary) == text
