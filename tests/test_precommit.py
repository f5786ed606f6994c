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

from conftest import REPO, make_site, news

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
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "naerpoliti", repo / "naerpoliti", ignore=ignore)
    shutil.copytree(REPO / "templates", repo / "templates", ignore=ignore)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "naerpoliti")
    return repo


def test_the_hook_checks_a_site_before_a_commit(tool_repo, tmp_path):
    site = make_site(tmp_path / "site", {"content/news/a.md": news()})
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tool_repo, capture_output=True, text=True,
                         check=True).stdout.strip()
    # the configuration the handbook shows, with the naerpoliti repository at a local path
    (site / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {tool_repo}\n    rev: {rev}\n    hooks:\n      - id: naerpoliti-check\n",
        encoding="utf-8")
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
