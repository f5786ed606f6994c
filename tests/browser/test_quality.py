"""Quality gate for every page type of the demo site, in a real browser (headless Chromium).

Each test runs once per entry of conftest.PAGES: accessibility (axe-core, WCAG 2.0/2.1 A and AA), no
script or console errors, no failed or foreign requests, no horizontal scrolling on narrow phones, the
structure a screen reader reads (one h1, no skipped heading levels, landmarks, named links, lang), no
cookies or web storage, and full-page screenshots in test-artifacts/screenshots/ to look at.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import PageCase

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_TARGETS_SHOWN = 5
DESKTOP = 1280  # the width visit() opens pages at unless told
PHONES = [320, 375]  # the narrowest phones in use, and the most common small one
SCREENSHOT_WIDTHS = [375, DESKTOP]


# --- Accessibility ------------------------------------------------------------------------------------------

def axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        nodes = v.get("nodes", [])
        lines.append(f"- {v['id']} [{v.get('impact')}] {v.get('help')} ({len(nodes)} elements)")
        lines.extend(f"    {' '.join(map(str, n.get('target', [])))}" for n in nodes[:AXE_TARGETS_SHOWN])
        if len(nodes) > AXE_TARGETS_SHOWN:
            lines.append(f"    (+{len(nodes) - AXE_TARGETS_SHOWN} more)")
    return "\n".join(lines)


@pytest.mark.parametrize("width", [375, DESKTOP])
def test_axe_finds_no_wcag_violations(page_case, width, visit):
    check_axe(page_case, width, visit)


def check_axe(page_case: PageCase, width: int, visit) -> None:
    v = visit(page_case, width)
    results = Axe().run(v.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                          "resultTypes": ["violations"]})
    violations = results.response["violations"]
    if violations:
        pytest.fail(f"{page_case.path} at {width} px: axe-core ({', '.join(AXE_TAGS)}) found "
                    f"{len(violations)} violation(s):\n{axe_report(violations)}", pytrace=False)


# --- Errors and requests ------------------------------------------------------------------------------------

def test_no_errors_and_no_foreign_or_failed_requests(page_case, visit, site_server):
    v = visit(page_case, wait="networkidle")
    own = site_server + "/"
    # data: and blob: URLs are made inside the page; they reach no host.
    foreign = [u for u in v.requests if not u.startswith(own) and not u.startswith(("data:", "blob:"))]
    problems = (
        [f"console error: {e}" for e in v.console_errors]
        + [f"page error: {e}" for e in v.page_errors]
        + [f"failed request: {e}" for e in v.failed_requests]
        + [f"request to another host: {u}" for u in foreign]
    )
    if problems:
        pytest.fail(f"{page_case.path}:\n" + "\n".join(f"- {p}" for p in problems), pytrace=False)


# --- Layout ----------------------------------------------------------------------------------------------------

# What sticks out to the right of the viewport, to fix: the outermost such elements, and text that
# runs out of its box (a long word or address that does not wrap).
OVERFLOWING = """() => {
  const limit = window.innerWidth + 0.5, out = [], seen = new Set();
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\\s+/).join('.');
    return s;
  };
  const where = (el) => {
    const path = [];
    for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement) path.unshift(describe(e));
    return path.join(' > ');
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right <= limit || r.width === 0) continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && parent.getBoundingClientRect().right > limit) continue;
    seen.add(el);
    out.push(`${where(el)}: right edge at ${Math.round(r.right)} px, ${Math.round(r.width)} px wide`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim() || seen.has(t.parentElement)) continue;
    range.selectNodeContents(t);
    const right = Math.max(0, ...Array.from(range.getClientRects(), (r) => r.right));
    if (right <= limit) continue;
    seen.add(t.parentElement);
    const text = t.textContent.trim().replace(/\\s+/g, ' ');
    out.push(`${where(t.parentElement)}: its text runs to ${Math.round(right)} px: "${text.slice(0, 60)}"`);
  }
  return out.slice(0, 10);
}"""


@pytest.mark.parametrize("width", PHONES)
def test_no_horizontal_scrolling_on_phones(page_case, width, visit):
    v = visit(page_case, width)
    scroll_width, inner_width = v.page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        culprits = v.page.evaluate(OVERFLOWING)
        pytest.fail(f"{page_case.path} at {width} px scrolls sideways: the page is {scroll_width} px wide; "
                    f"sticking out:\n" + "\n".join(f"- {c}" for c in culprits), pytrace=False)


def test_screenshots(page_case, visit, screenshot_dir: Path):
    for width in SCREENSHOT_WIDTHS:
        v = visit(page_case, width)
        path = screenshot_dir / f"{page_case.name}-{width}.png"
        v.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0, path


# --- What a screen reader reads -------------------------------------------------------------------------

def accessibility_tree(page) -> list[dict]:
    """Chromium's own accessibility tree, in reading order, without ignored (hidden) nodes, as
    {"role", "name", "level", "url"} dicts."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    by_id = {n["nodeId"]: n for n in nodes}
    stack = [n for n in nodes if not n.get("parentId")][::-1]
    out = []
    while stack:
        n = stack.pop()
        if not n.get("ignored"):
            props = {p["name"]: p.get("value", {}).get("value") for p in n.get("properties", [])}
            out.append({
                "role": n.get("role", {}).get("value", ""),
                "name": str(n.get("name", {}).get("value", "") or ""),
                "level": props.get("level"),
                "url": props.get("url") or "",
            })
        stack.extend(by_id[c] for c in reversed(n.get("childIds", [])) if c in by_id)
    return out


def test_structure_read_aloud(page_case, visit):
    check_structure(page_case, visit)


def check_structure(page_case: PageCase, visit) -> None:
    v = visit(page_case)
    tree = accessibility_tree(v.page)
    problems = []

    lang = v.page.evaluate("document.documentElement.getAttribute('lang')")
    if not (lang or "").strip():
        problems.append("<html> has no lang")

    headings = [(int(n["level"] or 0), n["name"]) for n in tree if n["role"] == "heading"]
    h1s = [name for level, name in headings if level == 1]
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 headings, expected exactly one: {h1s}")
    previous = 0  # the page starts above h1: the first heading is the h1
    for level, name in headings:
        if level > previous + 1:
            problems.append(f"heading level skipped: h{level} {name!r} after "
                            + (f"h{previous}" if previous else "the start of the page"))
        previous = level

    roles = [n["role"] for n in tree]
    landmarks = (("main", "main"), ("banner", "header"), ("contentinfo", "footer")) if page_case.web_page else ()
    for role, element in landmarks:
        count = roles.count(role)
        if count != 1:
            problems.append(f"{count} {role} landmarks (<{element}>), expected exactly one")

    for n in tree:
        if n["role"] == "link" and not n["name"].strip():
            problems.append(f"link without accessible text: {n['url'] or '(no href)'}")

    outline = "\n".join(f"  h{level} {name}" for level, name in headings)
    if problems:
        pytest.fail(f"{page_case.path}:\n" + "\n".join(f"- {p}" for p in problems)
                    + f"\nheadings in reading order:\n{outline}", pytrace=False)


# --- Privacy --------------------------------------------------------------------------------------------------

def test_no_cookies_and_no_web_storage(page_case, visit):
    v = visit(page_case, wait="networkidle")
    cookies = [f"{c['name']} ({c['domain']})" for c in v.context.cookies()]
    local, session = v.page.evaluate(
        "[Object.keys(localStorage), Object.keys(sessionStorage)]")
    if cookies or local or session:
        pytest.fail(f"{page_case.path} stores data in the browser: cookies {cookies}, "
                    f"localStorage {local}, sessionStorage {session}", pytrace=False)
