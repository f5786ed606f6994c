"""`naerpoliti check` without rendering: it lists the files every unit would write (the same code
that renders them, render/keys.PLAN) and refuses what a build refuses -- clashing paths, broken
links, and a site's own templates that do not compile or fail while rendering (those it renders)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY, news

from naerpoliti.build import run


def copy_demo(tmp_path: Path, base_url: str | None = None) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    registry = (REPO / "localities.yaml").read_text(encoding="utf-8")
    if base_url:
        registry = registry.replace("base_url: https://naerpoliti.example.dk/", f"base_url: {base_url}")
        assert base_url in registry
    (root / "localities.yaml").write_text(registry, encoding="utf-8")
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.mark.parametrize("base_url", [None, "https://example.dk/naerpoliti/"])
def test_check_lists_exactly_the_files_a_build_writes(base_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NAERPOLITI_CACHE", str(tmp_path / "cache"))
    root = copy_demo(tmp_path, base_url)
    checked = run(root, None, TODAY)
    built = run(root, tmp_path / "site", TODAY)
    assert not checked.failed and not built.failed
    # a check makes no full-text index and encodes no images
    made = {w.path for w in built.outputs if not w.path.startswith(("pagefind/", "media/"))}
    assert {w.path for w in checked.outputs if not w.path.startswith("media/")} == made
    assert checked.counts == {**built.counts, "files": checked.counts["files"]}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "naerpoliti", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("template, message", [
    ("{{ item.title | nosuchfilter }}", "templates/page.html:3:1: error: template error: No filter named 'nosuchfilter'"),
    ("{{ item.title.nosuch.deeper }}", "templates/page.html:3:1: error: template error: 'str object' has no attribute"),
    ("{% if %}", "templates/page.html:3:1: error: template error: Expected an expression"),
])
def test_check_and_build_refuse_a_broken_own_template_alike(template, message, tmp_path):
    root = copy_demo(tmp_path)
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text(
        '{% extends "base.html" %}{% block content %}\n<p>\n' + template + "</p>{% endblock %}", encoding="utf-8")
    out = tmp_path / "site"
    for args in (["check"], ["build", "--out", str(out)]):
        p = _cli(*args, "--root", str(root), "--today", TODAY.isoformat())
        assert p.returncode == 1, p.stderr
        assert message in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
    assert not out.exists()


def test_check_and_build_refuse_a_broken_link_alike(tmp_path):
    root = copy_demo(tmp_path)
    (root / "content/news/2026-11-20-link.md").write_text(
        news("Et link", "2026-11-20", body="Se [siden](/nyheder/findes-ikke/)."), encoding="utf-8")
    for out in (None, tmp_path / "site"):
        result = run(root, out, TODAY)
        assert [str(d) for d in result.diagnostics.errors] == [
            "content/news/2026-11-20-link.md:6:12: error: link to '/nyheder/findes-ikke/': "
            "there is no such page on the site"]
