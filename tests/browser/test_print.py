"""A locality page prints as a one-page contact sheet: officer, 112/114, ambassadors, councils."""
import re

import pytest

from test_demo import LOCALITIES


@pytest.mark.parametrize("locality", LOCALITIES)
def test_locality_prints_on_one_a4_page(locality, browser, site_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site_server}/lokalsamfund/{locality}/", wait_until="load")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    text = page.inner_text("main")
    context.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert "112" in text and "114" in text
