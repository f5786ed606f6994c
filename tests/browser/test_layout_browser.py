"""Every page type fits a 320 px phone, element by element (headless Chromium).

test_quality.py checks that the document does not scroll sideways; a box can still stick out of the
viewport where `overflow: hidden` or `clip` hides the scrolling (and then its content is cut off).
Here every element's bounding box must end inside the viewport, unless it lies in a scroll
container (a wide table in its own scroll region) that itself ends inside the viewport. Visually
hidden elements (sr-only: clipped to 1 px) are left out. And the breadcrumbs wrap without a
separator at the start of a line.
"""
from __future__ import annotations

import pytest

from .conftest import PAGES, PageCase

WIDTH = 320

# The other language version of the page types conftest.PAGES has only in Danish.
EXTRA = [
    PageCase("en-district", "/en/politikreds/nordsjaelland/"),
    PageCase("en-municipality", "/en/kommune/frederikssund/"),
    PageCase("en-news", "/en/nyheder/2026-11-20-saadan-sikrer-du-dit-hjem-mod-indbrud/"),
    PageCase("en-page", "/en/bestil-en-betjent/"),
    PageCase("en-statement", "/en/tilgaengelighedserklaering/"),
    PageCase("en-search", "/en/soeg/"),
    PageCase("en-localities-a-z", "/en/lokalsamfund/"),
    PageCase("municipality-many", "/kommune/naestved/"),
]
CASES = [*PAGES, *EXTRA]

# Elements whose right edge is beyond the viewport and not inside a scroll container that fits.
STICKING_OUT = """(limit) => {
  const fits = (r) => r.right <= limit + 0.5 && r.left >= -0.5;
  const hidden = (el) => {
    const s = getComputedStyle(el);
    return s.visibility === 'hidden' || (s.position === 'absolute' && (s.clip === 'rect(0px, 0px, 0px, 0px)'
      || s.clipPath === 'inset(50%)' || (el.offsetWidth <= 1 && el.offsetHeight <= 1)));
  };
  const scroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll') return p;
    }
    return null;
  };
  const classes = (el) => typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
  const name = (el) => [el.tagName.toLowerCase() + (el.id ? '#' + el.id : ''), ...classes(el)].join('.');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if ((r.width === 0 && r.height === 0) || fits(r)) continue;
    let a = el, isHidden = false;
    for (; a && a !== document.body; a = a.parentElement) if (hidden(a)) { isHidden = true; break; }
    if (isHidden) continue;
    const box = scroller(el);
    if (box && fits(box.getBoundingClientRect())) continue;
    let path = [];
    for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement) path.unshift(name(e));
    out.push(`${path.join(' > ')}: ${Math.round(r.left)}..${Math.round(r.right)} px`);
  }
  return out;
}"""

# The breadcrumb separators that begin a line: a separator is drawn after its item, so it must be
# on the same line as the item's last text.
STRAY_SEPARATORS = """() => {
  const out = [];
  const items = [...document.querySelectorAll('.breadcrumbs__list-item')];
  items.forEach((li, i) => {
    if (i === items.length - 1) return;
    const next = items[i + 1].getClientRects()[0];
    const rects = [...li.getClientRects()];
    const last = rects[rects.length - 1];
    if (!last || !next) return;
    // the separator is inside li (::after), so li's last box holds it; it must not stand alone
    if (last.width < 24 && rects.length > 1) out.push(`${li.textContent.trim()}: separator alone on a line`);
  });
  return out;
}"""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_element_wider_than_a_320px_phone(case, visit):
    v = visit(case, WIDTH)
    out = v.page.evaluate(STICKING_OUT, WIDTH)
    if out:
        pytest.fail(f"{case.path} at {WIDTH} px: {len(out)} element(s) stick out of the viewport:\n"
                    + "\n".join(f"- {o}" for o in out[:15]), pytrace=False)


@pytest.mark.parametrize("case", [c for c in CASES if c.name in ("locality", "newsletter-year", "en-locality")],
                         ids=lambda c: c.name)
def test_breadcrumbs_wrap_without_stray_separators(case, visit):
    v = visit(case, WIDTH)
    assert v.page.locator(".breadcrumbs__list-item").count() >= 3
    assert v.page.evaluate(STRAY_SEPARATORS) == []
    # the trail reads "Forside / ... / Skibby": no separator before the first or after the last item
    text = " ".join(v.page.inner_text(".breadcrumbs").split())
    assert not text.startswith("/") and not text.endswith("/"), text


def test_the_municipality_table_stacks_on_a_phone(visit):
    case = next(c for c in PAGES if c.name == "municipality")
    v = visit(case, WIDTH)
    region = v.page.locator(".table-scroll")
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
    box = region.bounding_box()
    assert box and box["x"] + box["width"] <= WIDTH
    # each row a block of its own: the phone number sits under the officer's name, labelled
    label = v.page.evaluate("getComputedStyle(document.querySelector('.table--stacked td[data-label]'), "
                            "'::before').content")
    assert label.strip('"').endswith(": ")
    desktop = visit(case, 1280)
    assert desktop.page.evaluate("getComputedStyle(document.querySelector('.table--stacked tr')).display") \
        == "table-row"


def test_the_check_finds_what_sticks_out(visit):
    """Wide content cut off by overflow: hidden does not scroll the page, but the check finds it; in
    a scroll container that fits, it is allowed."""
    v = visit(PAGES[0], WIDTH)
    v.page.evaluate("""() => {
      document.body.style.overflowX = 'hidden';
      const wide = document.createElement('p'); wide.id = 'too-wide'; wide.style.width = '500px';
      wide.textContent = 'x'; document.querySelector('main').append(wide);
      const box = document.createElement('div'); box.style.overflowX = 'auto';
      const inner = document.createElement('p'); inner.id = 'scrolls'; inner.style.width = '500px';
      inner.textContent = 'y'; box.append(inner); document.querySelector('main').append(box);
    }""")
    out = v.page.evaluate(STICKING_OUT, WIDTH)
    assert any("p#too-wide" in o for o in out) and not any("p#scrolls" in o for o in out), out
