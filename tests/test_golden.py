"""The small site's whole output, byte for byte. Refresh: python tests/refresh.py golden"""
from pathlib import Path

from conftest import build, tree

HERE = Path(__file__).parent


def test_small_site_matches_the_golden_tree(tmp_path):
    out = tmp_path / "site"
    result = build(HERE / "sites" / "small", out)
    assert not result.failed
    expected = tree(HERE / "golden" / "small")
    actual = tree(out)
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], f"{path} differs: run python tests/refresh.py golden and read the diff"

