"""The benchmark corpus generator (bench/corpus.py): deterministic, counted right, and valid content."""
import importlib.util
import sys

import yaml

from conftest import REPO, tree
from naerpoliti.build import run


def _load_corpus():
    name = "naerpoliti_bench_corpus"
    if name not in sys.modules:  # bench/ is not a package
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


corpus = _load_corpus()


def test_same_arguments_give_byte_identical_trees(tmp_path):
    a = corpus.generate(tmp_path / "a", "small", fraction=0.05, seed=3)
    b = corpus.generate(tmp_path / "b", "small", fraction=0.05, seed=3)
    assert a == b
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    corpus.generate(tmp_path / "c", "small", fraction=0.05, seed=4)
    assert tree(tmp_path / "c") != tree(tmp_path / "a")


def test_counts_match_the_files(tmp_path):
    root = tmp_path / "corpus"
    counts = corpus.generate(root, "small", fraction=0.05)
    registry = yaml.safe_load((root / "localities.yaml").read_text(encoding="utf-8"))
    for kind in ("districts", "municipalities", "stations", "officers", "localities"):
        assert len(registry[kind]) == counts[kind], kind
    assert counts["districts"] == 12
    assert "alternate_language" not in registry["site"] and "cms" not in registry["site"]
    district_of = {m["id"]: m["district"] for m in registry["municipalities"]}
    officer_districts = {}
    for loc in registry["localities"]:
        officer_districts.setdefault(loc["officer"], set()).add(district_of[loc["municipality"]])
    assert all(len(d) == 1 for d in officer_districts.values())  # an officer works in one district
    content = root / "content"
    news = corpus.news_files(root)
    assert news == sorted(news) and len(news) == counts["news"]
    assert len(list((content / "events").glob("*.md"))) == counts["events"]
    assert len(list((content / "pages").glob("*.md"))) == counts["pages"]
    assert len(list((content / "newsletters").glob("*/*.md"))) == counts["newsletter_intros"]
    files = sorted((content / "ambassadors").glob("*.yaml"))
    assert len(files) == counts["ambassador_files"]
    people = [a for f in files for a in yaml.safe_load(f.read_text(encoding="utf-8"))]
    assert len(people) == counts["ambassadors"]
    assert len({a["id"] for a in people}) == len(people)  # unique site-wide
    assert not (content / "media").exists()
    assert sum(1 for p in root.rglob("*") if p.is_file()) == counts["files"]


def test_fraction_scales_linearly(tmp_path):
    tenth = corpus.generate(tmp_path / "a", "small", fraction=0.1)
    third = corpus.generate(tmp_path / "b", "small", fraction=0.3)
    for kind, full in corpus.SIZES["small"].items():
        if kind in ("localities", "news", "events", "ambassadors"):
            assert tenth[kind] == round(full * 0.1) and third[kind] == round(full * 0.3), kind
    per_officer = corpus.LOCALITIES_PER_OFFICER
    # one officer per 4 localities; a group never crosses a district, so at most 12 more
    assert third["localities"] / per_officer <= third["officers"] <= third["localities"] / per_officer + 12


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("")
    try:
        corpus.generate(tmp_path / "x", "small", fraction=0.05)
    except FileExistsError:
        pass
    else:
        raise AssertionError("generate wrote into a folder that was not empty")


def test_the_corpus_checks_without_errors(tmp_path):
    root = tmp_path / "corpus"
    counts = corpus.generate(root, "small", fraction=0.05)
    result = run(root, None, today=corpus.TODAY)
    assert not result.diagnostics.errors, [str(d) for d in result.diagnostics.errors][:20]
    warnings = [str(d) for d in result.diagnostics.warnings]
    assert all("is not published" in w for w in warnings), warnings
    assert len(warnings) == counts["unpublished_ambassadors"]
    site = result.site
    assert len(site.localities) == counts["localities"]
    assert 0 < len(site.news) < counts["news"]  # drafts and items after TODAY are not published


def test_the_places_are_denmarks():
    assert len(corpus.DISTRICTS) == 12
    assert len(corpus.MUNICIPALITIES) == corpus.SIZES["national"]["municipalities"] == 98
    ids = [corpus.slugify(m[1]) for m in corpus.MUNICIPALITIES]
    assert len(set(ids)) == 98
    assert {m[0] for m in corpus.MUNICIPALITIES} == {d for d, _ in corpus.DISTRICTS}
    assert corpus.slugify("Sydsjællands og Lolland-Falsters Politi") == "sydsjaellands-og-lolland-falsters-politi"
