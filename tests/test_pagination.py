"""Archive pagination links the first and last page and two pages on each side of the current one:
every page is reachable, each page's size does not grow with the number of pages, and the links
are right on a site at / and in a sub-path."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import REGISTRY, TODAY, build, news


@pytest.mark.parametrize("base", ["https://example.dk/", "https://example.dk/naerpoliti/"])
def test_archive_pages_link_a_window_and_every_page_is_reachable(base, site_root, tmp_path):
    files = {f"content/news/n{i:03d}.md": news(f"Nyhed {i}", (TODAY - dt.timedelta(days=i)).isoformat())
             for i in range(230)}  # 12 pages of 20
    root = site_root(files, REGISTRY.replace("https://test.example.dk/", base))
    out = tmp_path / "site"
    assert not build(root, out).failed
    prefix = base.removeprefix("https://example.dk")
    pages = {n: (out / "nyheder" / ("index.html" if n == 1 else f"side/{n}/index.html")).read_text("utf-8")
             for n in range(1, 13)}

    def linked(html: str) -> set[int]:
        nav = html[html.index('class="pagination"'):]
        nav = nav[: nav.index("</nav>")]
        found = set()
        for href in re.findall(r'href="([^"]+)"', nav):
            assert href.startswith(prefix + "nyheder/"), href
            m = re.fullmatch(re.escape(prefix) + r"nyheder/(?:side/(\d+)/)?", href)
            assert m, href
            found.add(int(m.group(1) or 1))
        return found

    assert linked(pages[6]) == {1, 4, 5, 6, 7, 8, 12}
    assert linked(pages[1]) == {1, 2, 3, 12}
    assert pages[6].count("pagination-gap") == 2
    # every page can be reached from the first by following the links
    seen, todo = {1}, [1]
    while todo:
        for n in linked(pages[todo.pop()]) - seen:
            seen.add(n)
            todo.append(n)
    assert seen == set(pages)
