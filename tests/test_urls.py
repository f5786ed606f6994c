import pytest

from naerpoliti.errors import Diagnostics, Position, did_you_mean, one_of
from naerpoliti.urls import Urls


def test_urls_in_a_sub_path_and_their_files():
    u = Urls("https://example.dk/politi/naer/")
    assert u.locality("skibby") == "/politi/naer/lokalsamfund/skibby/"
    assert u.news_archive(1) == "/politi/naer/nyheder/" and u.news_archive(3) == "/politi/naer/nyheder/side/3/"
    assert u.absolute(u.home()) == "https://example.dk/politi/naer/"
    assert u.output_path(u.home()) == "index.html"
    assert u.output_path(u.event("x")) == "arrangementer/x/index.html"
    assert u.output_path(u.not_found()) == "404.html"
    assert u.media("media/news/lås.png") == "/politi/naer/media/news/l%C3%A5s.png"
    with pytest.raises(ValueError):
        u.output_path("/elsewhere/")


def test_base_url_without_trailing_slash():
    assert Urls("https://example.dk/sub").base_path == "/sub/"
    assert Urls("https://example.dk").base_path == "/"


def test_diagnostics_format_sort_and_deduplicate():
    d = Diagnostics()
    d.warning(Position("content/b.md", 2, 1), "w")
    d.error(Position("content/a.md", 9, 3), "e")
    d.error(Position("localities.yaml", 5, 1), "r")
    d.error(Position("content/a.md", 9, 3), "e")
    assert [str(x) for x in d.sorted()] == [
        "localities.yaml:5:1: error: r", "content/a.md:9:3: error: e", "content/b.md:2:1: warning: w"]
    assert len(d.errors) == 3 and len(d.warnings) == 1


def test_did_you_mean_and_one_of():
    assert did_you_mean("skiby", ["skibby", "slangerup"]) == " (did you mean 'skibby'?)"
    assert did_you_mean("xyz", ["skibby"]) == ""
    assert one_of(["a", "b", "c"]) == "'a', 'b' or 'c'"
