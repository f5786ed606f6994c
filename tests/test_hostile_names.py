"""Names that content cannot safely use, and one typo reported once (issue 17)."""
from __future__ import annotations

import pytest

from conftest import REGISTRY, build, messages

SKIBBY = "  - id: skibby\n    name: Skibby\n    municipality: frederikssund\n    postcodes: [\"4050\"]\n"


@pytest.mark.parametrize("broken", [
    "    postcodes: [\"4050\"]\n",  # kept, as a control: nothing wrong
    "    postcodes: [\"40\"]\n",  # a bad postcode
    "    postcodes: [\"4050\"]\n    colour: blue\n",  # an unknown field
    "    postcodes: [\"4050\"]\n    coordinates: nord\n",  # a bad value of another field
])
def test_an_invalid_locality_is_reported_once_not_again_for_its_newsletter_folder(site_root, broken):
    registry = REGISTRY.replace(SKIBBY, "  - id: skibby\n    name: Skibby\n    municipality: frederikssund\n" + broken)
    root = site_root({"content/newsletters/skibby/2026-11.md": "Intro.\n"}, registry=registry)
    found = messages(build(root))
    assert not any("newsletters/skibby" in m and "unknown locality" in m for m in found), found
    if broken == "    postcodes: [\"4050\"]\n":
        assert not any(": error: " in m for m in found), found
    else:
        assert sum(": error: " in m for m in found) == 1, found


def test_an_invalid_locality_id_still_names_its_newsletter_folder(site_root):
    registry = REGISTRY.replace("  - id: skibby\n", "  - id: Skibby\n")
    root = site_root({"content/newsletters/skibby/2026-11.md": "Intro.\n"}, registry=registry)
    found = messages(build(root))
    assert not any("newsletters/skibby" in m for m in found), found


def test_a_newsletter_folder_of_no_locality_is_still_an_error(site_root):
    root = site_root({"content/newsletters/skiby/2026-11.md": "Intro.\n"})
    assert any("content/newsletters/skiby/2026-11.md" in m and "unknown locality or municipality 'skiby'" in m
               for m in messages(build(root)))
