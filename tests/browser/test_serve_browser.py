"""`naerpoliti serve` as an editor sees it in Chromium: a save shows in the open page by itself; a
mistake shows at the top of the page, with the last good site below it. How soon a save shows is
measured by bench/serve_latency.py, not here: a loaded machine is slower, not wrong."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from servehelp import Serving, copy_demo, save  # noqa: E402

NEWS = "content/news/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud.md"
PAGE = "/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/"
# Milliseconds for a rebuild to show in the page: far beyond any machine's time, so only a reload
# that never comes (or a build that hangs) fails.
HANG_MS = 60_000


@pytest.fixture
def served(tmp_path):
    server = Serving(copy_demo(tmp_path / "root"))
    yield server
    assert server.stop() == 0


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems
    yield page
    context.close()


def test_a_save_reloads_the_open_page(served, page):
    """Each save rebuilds the site and the open page reloads by itself with the new text."""
    page.goto(served.url + PAGE[1:])
    path = served.root / NEWS
    original = path.read_text(encoding="utf-8")
    for i in range(2):  # the second save also reaches the page that the first one reloaded
        title = f"Indbrud – version {i + 2}"
        save(path, original.replace("title: ", f"title: {title} ", 1))
        page.wait_for_function("t => (document.querySelector('h1')?.textContent || '').includes(t)",
                               arg=title, timeout=HANG_MS)
    assert page.problems == []


def test_an_error_shows_in_the_page_and_goes_away_when_fixed(served, page):
    page.goto(served.url + "lokalsamfund/skibby/")
    heading = page.locator("h1").inner_text()
    path = served.root / NEWS
    good = path.read_text(encoding="utf-8")
    save(path, good.replace("date: ", "date: 2026-11-31 #", 1))
    alert = page.locator("#naerpoliti-live[role=alert]")
    alert.wait_for(timeout=HANG_MS)
    text = alert.inner_text()
    assert "naerpoliti: 1 fejl" in text
    assert f"{NEWS}:3:7" in text and "is not a real date" in text
    assert page.locator("h1").inner_text() == heading  # the last good page is still there, below
    box = alert.bounding_box()
    assert box and box["y"] < 50 and box["height"] > 40  # at the top, visible
    page.goto(served.url + "nyheder/")  # every page of the preview shows it
    page.locator("#naerpoliti-live").wait_for(timeout=HANG_MS)
    save(path, good)
    page.locator("#naerpoliti-live").wait_for(state="detached", timeout=HANG_MS)
    assert page.problems == []
