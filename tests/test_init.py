"""`naerpoliti init`: a new site repository that builds and passes `check --strict` at once, with
workflows pinned to the engine that made it; and the engine apart from its own repository: a wheel
built from the working tree, installed into a fresh virtualenv, runs a site of its own."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TODAY
from naerpoliti import __version__
from naerpoliti.cli import main
from naerpoliti.commands.init import source_url

BIN = Path(sys.executable).parent
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.dk", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.dk", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
EPOCH = "1795348800"  # 2026-11-22, the tests' build date
WORKFLOWS = (".github/workflows/publish.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml")


@pytest.fixture(autouse=True)
def fixed_env(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def init(capsys, *args) -> tuple[int, str, str]:
    code = main(["init", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def cli(capsys, root: Path, *args) -> tuple[int, str, str]:
    code = main([*args, "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_new_site_builds_and_passes_the_strict_check_at_once(tmp_path, capsys):
    code, out, err = init(capsys, tmp_path / "mysite", "--base-url", "https://example.dk/naerpoliti")
    site = tmp_path / "mysite"
    assert code == 0, err
    assert out == f"{site}\n"
    assert (site / "localities.yaml").is_file() and (site / "README.md").is_file()
    assert (site / ".gitignore").read_text(encoding="utf-8").splitlines().count("/site/") == 1
    for folder in ("news", "events", "pages", "ambassadors", "newsletters", "media"):
        assert (site / "content" / folder).is_dir()
    [item] = (site / "content/news").glob("*.md")
    assert item.name == f"{TODAY.isoformat()}-velkommen.md"
    assert cli(capsys, site, "check", "--strict")[0] == 0
    code, out, err = cli(capsys, site, "build", "--strict")
    assert code == 0, err
    page = (site / "site/index.html").read_text(encoding="utf-8")
    assert 'href="https://example.dk/naerpoliti/"' in page or "/naerpoliti/" in page
    assert f'<meta name="generator" content="naerpoliti {__version__}">' in page
    assert (site / "site/nyheder" / item.stem / "index.html").is_file()
    # the comments tell an editor what to replace
    registry = (site / "localities.yaml").read_text(encoding="utf-8")
    assert registry.count("ERSTAT") >= 5 and "base_url: https://example.dk/naerpoliti/" in registry


def test_the_first_commit_holds_the_whole_site(tmp_path, capsys):
    code, _, err = init(capsys, tmp_path / "s", "--base-url", "https://example.dk/")
    assert code == 0, err
    git = lambda *a: subprocess.run(["git", *a], cwd=tmp_path / "s", capture_output=True, text=True, check=True).stdout
    assert git("status", "--porcelain") == ""
    files = set(git("ls-files").split())
    assert {"localities.yaml", "README.md", ".gitignore", *WORKFLOWS, "content/media/.gitkeep"} <= files
    assert git("log", "--format=%s") == f"A new naerpoliti site (naerpoliti {__version__} init)\n"


def test_no_git_makes_no_repository(tmp_path, capsys):
    assert init(capsys, tmp_path / "s", "--base-url", "https://example.dk/", "--no-git")[0] == 0
    assert not (tmp_path / "s/.git").exists()


def test_without_git_identity_the_site_is_made_and_the_user_told(tmp_path, capsys, monkeypatch):
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("EMAIL", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.gitconfig
    code, out, err = init(capsys, tmp_path / "s", "--base-url", "https://example.dk/")
    assert code == 0 and out == f"{tmp_path / 's'}\n"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path / "s", capture_output=True, text=True)
    if head.returncode == 0:  # git found an identity of its own (user@host with a domain)
        return
    assert "not the first commit" in err and "git commit" in err
    assert (tmp_path / "s/.git").is_dir()


def test_the_workflows_install_exactly_this_engine_version(tmp_path, capsys):
    assert init(capsys, tmp_path / "s", "--base-url", "https://example.dk/")[0] == 0
    site = tmp_path / "s"
    gh = yaml.safe_load((site / WORKFLOWS[0]).read_text(encoding="utf-8"))
    installs = [s["run"] for s in gh["jobs"]["build"]["steps"] if "pip install" in s.get("run", "")]
    assert installs == [f'python -m pip install "naerpoliti=={__version__}"']
    gl = yaml.safe_load((site / WORKFLOWS[1]).read_text(encoding="utf-8"))
    assert gl["default"]["before_script"] == [f'python -m pip install "naerpoliti=={__version__}"']
    pc = yaml.safe_load((site / WORKFLOWS[2]).read_text(encoding="utf-8"))
    assert pc == {"repos": [{"repo": source_url(), "rev": f"v{__version__}",
                             "hooks": [{"id": "naerpoliti-check"}]}]}
    for schema, name in (("vendor.github-workflows", WORKFLOWS[0]), ("vendor.gitlab-ci", WORKFLOWS[1])):
        done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(site / name)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    from pre_commit.clientlib import load_config
    load_config(str(site / WORKFLOWS[2]))  # raises on an invalid configuration


@pytest.mark.parametrize("name", WORKFLOWS[:2])
def test_a_sites_workflow_is_the_engines_own_but_for_the_install(tmp_path, capsys, name):
    """One workflow, written twice only where the engine repository installs itself."""
    assert init(capsys, tmp_path / "s", "--base-url", "https://example.dk/")[0] == 0

    def lines(path: Path) -> list[str]:
        return [line for line in path.read_text(encoding="utf-8").splitlines()
                if "pip install" not in line and "cache-dependency-path" not in line and not line.strip().startswith("#")]

    assert lines(tmp_path / "s" / name) == lines(REPO / name)


def test_demo_site(tmp_path, capsys):
    code, _, err = init(capsys, tmp_path / "d", "--demo", "--no-git")
    assert code == 0, err
    assert (tmp_path / "d/localities.yaml").read_bytes() == (REPO / "localities.yaml").read_bytes()
    news = sorted(p.name for p in (tmp_path / "d/content/news").iterdir())
    assert news == sorted(p.name for p in (REPO / "content/news").iterdir())
    assert cli(capsys, tmp_path / "d", "build")[0] == 0
    assert (tmp_path / "d/site/lokalsamfund/skibby/index.html").is_file()


def test_demo_site_at_another_address(tmp_path, capsys):
    assert init(capsys, tmp_path / "d", "--demo", "--no-git", "--base-url", "https://example.dk/bornholm/")[0] == 0
    registry = yaml.safe_load((tmp_path / "d/localities.yaml").read_text(encoding="utf-8"))
    assert registry["site"]["base_url"] == "https://example.dk/bornholm/"
    assert cli(capsys, tmp_path / "d", "check")[0] == 0


@pytest.mark.parametrize("prepare, args, message", [
    (lambda d: (d.mkdir(), (d / "x.txt").write_text("x")), ["--base-url", "https://example.dk/"], "is not empty"),
    (lambda d: (d.mkdir(), (d / ".git").mkdir()), ["--base-url", "https://example.dk/"], "is not empty"),
    (lambda d: d.write_text("x"), ["--base-url", "https://example.dk/"], "is not a folder"),
    (lambda d: None, [], "--base-url URL"),
    (lambda d: None, ["--base-url", "example.dk"], "is not a web address"),
    (lambda d: None, ["--base-url", "ftp://example.dk/"], "is not a web address"),
    (lambda d: None, ["--base-url", "https://exa mple.dk/"], "is not a web address"),
])
def test_refusals_exit_2_and_write_nothing(tmp_path, capsys, prepare, args, message):
    target = tmp_path / "s"
    prepare(target)
    before = sorted(p.name for p in tmp_path.iterdir())
    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, out, err = init(capsys, target, *args)
    assert code == 2 and out == "" and message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no staging folder left either
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == snapshot


def test_an_empty_folder_is_used(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    assert init(capsys, tmp_path / "s", "--base-url", "https://example.dk/", "--no-git")[0] == 0
    assert (tmp_path / "s/localities.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_new_adds_to_a_new_site(tmp_path, capsys, monkeypatch):
    assert init(capsys, tmp_path / "s", "--base-url", "https://example.dk/", "--no-git")[0] == 0
    monkeypatch.chdir(tmp_path / "s")
    assert main(["new", "locality", "Jyllinge", "--municipality", "frederikssund", "--postcode", "4040"]) == 0
    assert main(["new", "news", "Ny betjent i Jyllinge", "--locality", "jyllinge"]) == 0
    capsys.readouterr()
    code, _, err = cli(capsys, tmp_path / "s", "build", "--strict")
    assert code == 0, err
    assert (tmp_path / "s/site/lokalsamfund/jyllinge/index.html").is_file()


# --------------------------------------------------------------------------------------------
# The engine apart from its repository


def worktree_files(repo: Path = REPO) -> list[str]:
    """The files of the working tree that git tracks or would track: what a fresh clone holds, with
    the change under test."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=repo, capture_output=True, check=True).stdout.decode().split("\0")
    return [name for name in listed if name and (repo / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the working tree, without network (setuptools from the venv)."""
    import shutil

    src = tmp_path_factory.mktemp("src")
    for name in worktree_files():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run([str(BIN / "pyproject-build"), "--wheel", "--no-isolation", "--outdir", str(dist), str(src)],
                          cwd=dist, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [built] = dist.glob("naerpoliti-*.whl")
    assert built.name.startswith(f"naerpoliti-{__version__}-")
    return built


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> Path:
    """A new virtualenv with the wheel installed; its dependencies are those already installed here
    (a .pth line to this venv's site-packages), so no network is used."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # A path added by a .pth line does not run that folder's own .pth files: the editable install of
    # the working tree there stays out, so `import naerpoliti` can only find the wheel.
    Path(purelib, "deps-from-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = subprocess.run([str(py), "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return env


def run_in(env: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(env / "bin" / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True,
                          env={**clean, **GIT_ENV, "SOURCE_DATE_EPOCH": EPOCH}, timeout=600)


def test_the_wheel_runs_a_site_of_its_own(fresh, tmp_path):
    where = run_in(fresh, tmp_path, "python", "-c", "import naerpoliti; print(naerpoliti.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(fresh), where.stdout + where.stderr
    assert run_in(fresh, tmp_path, "python", "-m", "pip", "check").returncode == 0  # every dependency is there
    version = run_in(fresh, tmp_path, "naerpoliti", "--version")
    assert version.returncode == 0 and version.stdout == f"naerpoliti {__version__}\n"

    done = run_in(fresh, tmp_path, "naerpoliti", "init", "mysite", "--base-url", "https://example.dk/")
    assert done.returncode == 0, done.stderr
    site = tmp_path / "mysite"
    for args in (["build"], ["check", "--strict"]):
        done = run_in(fresh, site, "naerpoliti", *args)
        assert done.returncode == 0, done.stderr
    assert f"with naerpoliti {__version__}" in run_in(fresh, site, "naerpoliti", "build").stdout

    made = run_in(fresh, site, "naerpoliti", "new", "locality", "Jyllinge", "--municipality", "frederikssund",
                  "--postcode", "4040")
    assert made.returncode == 0, made.stderr
    for args in (["news", "Ny betjent i Jyllinge", "--locality", "jyllinge"], ["page", "Om os"]):
        made = run_in(fresh, site, "naerpoliti", "new", *args)
        assert made.returncode == 0, made.stderr

    # The documented way to change the theme: a file in the site's templates/ replaces the theme's.
    theme = run_in(fresh, site, "python", "-c", "from naerpoliti.render.environment import theme_dir; print(theme_dir())")
    theme_dir = Path(theme.stdout.strip())
    assert theme_dir.is_relative_to(fresh)
    page = (theme_dir / "page.html").read_text(encoding="utf-8")
    marker = "<p>Lokal version af sideskabelonen</p>"
    assert "{% block main %}" in page or "{% block content %}" in page
    block = "{% block main %}" if "{% block main %}" in page else "{% block content %}"
    (site / "templates").mkdir()
    (site / "templates/page.html").write_text(page.replace(block, block + marker, 1), encoding="utf-8")

    done = run_in(fresh, site, "naerpoliti", "build", "--strict")
    assert done.returncode == 0, done.stderr
    assert (site / "site/lokalsamfund/jyllinge/index.html").is_file()
    assert marker in (site / "site/om-os/index.html").read_text(encoding="utf-8")
    assert marker not in (site / "site/index.html").read_text(encoding="utf-8")
    assert not list(site.glob("**/*.orig"))


def test_the_wheel_writes_the_demo(fresh, tmp_path):
    done = run_in(fresh, tmp_path, "naerpoliti", "init", "demo", "--demo", "--no-git")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "demo/localities.yaml").read_bytes() == (REPO / "localities.yaml").read_bytes()
    done = run_in(fresh, tmp_path / "demo", "naerpoliti", "build")
    assert done.returncode == 0, done.stderr
    assert re.search(r"\d+ pages", done.stdout)
