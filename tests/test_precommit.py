"""The pre-commit hook as a site repository uses it: the real pre-commit installs naerpoliti from a
repository holding .pre-commit-hooks.yaml and runs `naerpoliti check` before a commit."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, news
from naerpoliti import __version__
from naerpoliti.cli import main
from naerpoliti.commands.init import source_url
from test_init import worktree_files

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.dk", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.dk", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def test_the_manifest_is_valid_for_pre_commit():
    from pre_commit.clientlib import load_manifest
    [hook] = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "naerpoliti-check" and hook["entry"] == "naerpoliti check"
    assert hook["pass_filenames"] is False  # the check is of the whole root, not of single files
    import re
    files = re.compile(hook["files"])
    for path in ("localities.yaml", "content/news/a.md", "content/ambassadors/skibby.yaml", "templates/base.html"):
        assert files.search(path), path
    for path in ("site/index.html", "README.md", "docs/index.md"):
        assert not files.search(path), path


@pytest.fixture(scope="module")
def tool_repo(tmp_path_factory) -> Path:
    """naerpoliti's repository as pre-commit sees it: what is needed to install it, committed."""
    repo = tmp_path_factory.mktemp("naerpoliti-tool")
    for name in worktree_files():  # as a clone of the release holds it, with the change under test
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "naerpoliti")
    git(repo, "tag", f"v{__version__}")  # the release tag that `naerpoliti init` pins
    return repo


def test_the_hook_checks_a_site_before_a_commit(tool_repo, tmp_path):
    # A site as `naerpoliti init` makes it, with the engine's repository at a local path
    assert main(["init", str(tmp_path / "site"), "--base-url", "https://example.dk/", "--no-git"]) == 0
    site = tmp_path / "site"
    for old in site.glob("content/news/*.md"):
        old.unlink()
    (site / "content/news/a.md").write_text(news(), encoding="utf-8")
    config = site / ".pre-commit-config.yaml"
    text = config.read_text(encoding="utf-8")
    assert f"  - repo: {source_url()}\n    rev: v{__version__}\n" in text
    config.write_text(text.replace(source_url(), str(tool_repo)), encoding="utf-8")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "content")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "SOURCE_DATE_EPOCH": "1795348800"}  # 2026-11-22
    started = time.monotonic()
    ok = subprocess.run([*PRE_COMMIT, "run", "--all-files"],
                        cwd=site, capture_output=True, text=True, env=env, timeout=900)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "naerpoliti check" in ok.stdout and "Passed" in ok.stdout
    print(f"\nfirst pre-commit run, installing naerpoliti: {time.monotonic() - started:.1f} s")

    (site / "content/news/b.md").write_text(news(title="B", scope="localities: [skiby]"), encoding="utf-8")
    git(site, "add", "content/news/b.md")
    started = time.monotonic()
    bad = subprocess.run([*PRE_COMMIT, "run"],
                         cwd=site, capture_output=True, text=True, env=env, timeout=300)
    seconds = time.monotonic() - started
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "content/news/b.md:4:14: error: localities: unknown locality 'skiby' (did you mean 'skibby'?)" in bad.stdout
    print(f"pre-commit run with the environment installed: {seconds:.1f} s")
    # installed as the git hook, it stops the commit itself
    subprocess.run([*PRE_COMMIT, "install"], cwd=site, check=True, capture_output=True, env=env)
    refused = subprocess.run(["git", "commit", "-qm", "b"], cwd=site, capture_output=True, text=True, env=env)
    assert refused.returncode != 0 and "unknown locality 'skiby'" in refused.stdout + refused.stderr
    committed = subprocess.run(["git", "ls-tree", "-r", "--name-only", "HEAD"], cwd=site, capture_output=True,
                               text=True, env=env).stdout
    assert "content/news/a.md" in committed and "content/news/b.md" not in committed

    (site / "README.md").write_text("Om sitet\n", encoding="utf-8")  # not content: the hook is skipped
    git(site, "rm", "-q", "--cached", "content/news/b.md")
    git(site, "add", "README.md")
    skipped = subprocess.run([*PRE_COMMIT, "run"],
                             cwd=site, capture_output=True, text=True, env=env, timeout=300)
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout, skipped.stdout + skipped.stderr
