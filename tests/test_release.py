"""The release: the sdist and the wheel built from the working tree pass `twine check --strict` and
carry the version of naerpoliti/__init__.py, the licence, the theme, the open-data schemas and the
demo site; a wheel built from the sdist is the same wheel; the installed wheel builds the golden
site; and the release workflow (.github/workflows/release.yml) is valid and refuses a tag that is
not v + that version."""
from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

import naerpoliti
from conftest import REPO, TODAY, tree

BIN = Path(sys.executable).parent  # the virtualenv's scripts: pyproject-build, twine, check-jsonschema
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
VERSION = naerpoliti.__version__
URL = "https://github.com/naerpoliti/naerpoliti"
CHECK = "Check that the tag is v + the package's version, which the changelog names"  # the step's name


def run(*args, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def pyproject_build(source: Path, out: Path, *what: str) -> None:
    # Not `python -m build` in the repository: that imports the repository's own build.py. No
    # isolation: setuptools comes from the test extra rather than a download at every run.
    run(BIN / "pyproject-build", "--no-isolation", *what, "--outdir", out, source, cwd=out.parent)


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A copy of the working tree as git would commit it (tracked and new files, not ignored ones):
    building in the repository itself would write build/ and egg-info into a shared tree."""
    work = tmp_path_factory.mktemp("release")
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (work / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, work / "src" / name)
    (work / "dist").mkdir()
    pyproject_build(work / "src", work / "dist", "--sdist", "--wheel")
    return work


@pytest.fixture(scope="module")
def sdist(work) -> Path:
    (found,) = (work / "dist").glob("*.tar.gz")
    return found


@pytest.fixture(scope="module")
def wheel(work) -> Path:
    (found,) = (work / "dist").glob("*.whl")
    return found


def wheel_files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def metadata(files: dict[str, bytes]):
    return email.parser.BytesParser().parsebytes(files[f"naerpoliti-{VERSION}.dist-info/METADATA"])


def test_distributions_are_named_with_the_version(sdist, wheel):
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert sdist.name == f"naerpoliti-{VERSION}.tar.gz"
    assert wheel.name == f"naerpoliti-{VERSION}-py3-none-any.whl"


def test_twine_check_strict_passes(sdist, wheel):
    done = run(BIN / "twine", "check", "--strict", sdist, wheel, cwd=sdist.parent)
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_wheel_metadata(wheel):
    meta = metadata(wheel_files(wheel))
    assert meta["Name"] == "naerpoliti" and meta["Version"] == VERSION
    assert meta["License-Expression"] == "MIT" and meta.get_all("License-File") == ["LICENSE"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta["Requires-Python"] == ">=3.11"
    assert sorted(meta.get_all("Project-URL")) == [
        f"Changelog, {URL}/blob/main/CHANGELOG.md", f"Homepage, {URL}", f"Issues, {URL}/issues", f"Source, {URL}"]


def test_wheel_holds_the_package_licence_theme_schemas_and_demo(work, wheel):
    files = wheel_files(wheel)
    src = work / "src"
    assert files[f"naerpoliti-{VERSION}.dist-info/licenses/LICENSE"] == (src / "LICENSE").read_bytes()
    assert "MIT License" in (src / "LICENSE").read_text(encoding="utf-8")

    def shipped(folder: Path, prefix: str, pattern: str = "*") -> dict[str, bytes]:
        return {prefix + p.relative_to(folder).as_posix(): p.read_bytes()
                for p in folder.rglob(pattern) if p.is_file()}

    # every file of the package (modules, open-data schemas, init's skeleton), of the default theme
    # (templates, message catalogs, assets, fonts) and of the demo site (for `init --demo`), byte
    # for byte: a new subpackage or data file that the packaging does not list fails here
    expected = {**shipped(src / "naerpoliti", "naerpoliti/"), **shipped(src / "templates", "naerpoliti/theme/"),
                **shipped(src / "content", "naerpoliti/demo/content/"),
                "naerpoliti/demo/localities.yaml": (src / "localities.yaml").read_bytes()}
    expected = {n: data for n, data in expected.items() if not any(part.startswith(".") for part in n.split("/"))}
    for name in ("base.html", "locale/da/LC_MESSAGES/messages.mo", "assets/naerpoliti.css"):
        assert f"naerpoliti/theme/{name}" in expected
    # the open-data schemas are generated from the declarations (render/opendata.py), not shipped as files
    assert "naerpoliti/render/opendata.py" in expected and "naerpoliti/fieldtypes.py" in expected
    package = {n: data for n, data in files.items() if not n.startswith(f"naerpoliti-{VERSION}.dist-info/")}
    assert sorted(package) == sorted(expected)
    for name, data in expected.items():
        assert package[name] == data, name


def test_a_wheel_built_from_the_sdist_is_the_same_wheel(work, sdist, wheel):
    """The sdist holds all a wheel build needs (what pip does when it installs from the sdist)."""
    unpacked = work / "from-sdist"
    with tarfile.open(sdist) as tar:
        tar.extractall(unpacked, filter="data")
    (out := work / "from-sdist-dist").mkdir()
    pyproject_build(unpacked / f"naerpoliti-{VERSION}", out, "--wheel")
    (again,) = out.glob("*.whl")
    assert again.name == wheel.name
    first, second = wheel_files(wheel), wheel_files(again)
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], f"{name} differs in the wheel built from the sdist"


def test_the_installed_wheel_builds_the_golden_site(work, wheel):
    """Installed, the theme is naerpoliti/theme in site-packages: the small site comes out byte for
    byte as the golden tree, <meta name="generator"> included."""
    target = work / "installed"
    run(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", target, wheel,
        cwd=work)
    env = {**os.environ, "PYTHONPATH": str(target)}  # before the editable install of the repository
    where = run(sys.executable, "-c", "import naerpoliti.render.environment as e; print(e.__file__); "
                "print(e.theme_dir())", cwd=work, env=env).stdout.splitlines()
    assert [Path(p).resolve() for p in where] == [
        (target / "naerpoliti/render/environment.py").resolve(), (target / "naerpoliti/theme").resolve()]
    out = work / "site"
    run(sys.executable, "-m", "naerpoliti", "build", "--root", REPO / "tests/sites/small", "--out", out,
        "--today", TODAY.isoformat(), cwd=work, env=env)
    expected, actual = tree(REPO / "tests/golden/small"), tree(out)
    assert sorted(actual) == sorted(expected)
    for path in expected:
        assert actual[path] == expected[path], path


def test_every_web_page_names_the_engine_and_its_version():
    """Each HTML page of the golden tree (the newsletter e-mails, which are not web pages, are not
    in the site: tests/test_newsletters.py checks them)."""
    meta = f'<meta name="generator" content="naerpoliti {VERSION}">'
    pages = list((REPO / "tests/golden/small").rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        head = page.read_text(encoding="utf-8").split("</head>")[0]
        assert head.count(meta) == 1, f"{page}: run python tests/refresh.py golden"


# --- .github/workflows/release.yml

def load() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps(job: str) -> list[dict]:
    return load()["jobs"][job]["steps"]


def step(job: str, name: str) -> dict:
    (found,) = [s for s in steps(job) if s.get("name") == name]
    return found


def test_release_workflow_validates_against_its_schema():
    done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           str(WORKFLOW)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_release_workflow_checks_builds_publishes_and_releases_a_version_tag():
    wf = load()
    assert wf.get("on", wf.get(True)) == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads `on` as true
    assert wf["permissions"] == {"contents": "read"}  # write access only in the job that needs it
    build, pypi, release = wf["jobs"]["build"], wf["jobs"]["pypi"], wf["jobs"]["github-release"]
    assert "permissions" not in build
    names = [s.get("name") for s in build["steps"]]
    order = [CHECK, "Build the sdist and the wheel", "Check the distributions"]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    built = step("build", "Build the sdist and the wheel")["run"]
    assert built.startswith("pyproject-build ") and "python -m build" not in built
    assert step("build", "Check the distributions")["run"] == "twine check --strict dist/*"

    assert pypi["needs"] == "build" and pypi["environment"]["name"] == "pypi"
    assert pypi["permissions"] == {"id-token": "write"}
    assert [s["uses"] for s in pypi["steps"]][-1] == "pypa/gh-action-pypi-publish@release/v1"
    assert release["needs"] == "pypi" and release["permissions"] == {"contents": "write"}
    assert re.search(r'gh release create "\$GITHUB_REF_NAME" dist/\*', release["steps"][-1]["run"])
    for job in wf["jobs"].values():
        for s in job["steps"]:
            if s.get("uses", "").startswith("actions/"):
                assert re.fullmatch(r"actions/[\w-]+@v\d+", s["uses"]), f"pin {s['uses']} to a major version"


CHANGELOG = f"""# Changelog

## [Unreleased]

- Not yet.

## [{VERSION}] - 2026-12-01

### Added

- `naerpoliti init`.

## [0.1.0] - not published

- The first version.
"""


def run_step(script: str, checkout: Path, **env_vars: str) -> subprocess.CompletedProcess:
    """A step's script as the runner runs it: bash -e, in the checkout, with the runner's variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    env.update(env_vars, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return subprocess.run(["bash", "-e", "-c", script], cwd=checkout, env=env, capture_output=True, text=True)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """What the version check reads of a checkout: the package's __init__.py and the changelog."""
    (tmp_path / "naerpoliti").mkdir()
    shutil.copy(REPO / "naerpoliti" / "__init__.py", tmp_path / "naerpoliti")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("tag, changelog, error", [
    (f"v{VERSION}", CHANGELOG, None),
    ("v0.0.1", CHANGELOG, "::error::the tag v0.0.1 is not v"),
    (VERSION, CHANGELOG, f"::error::the tag {VERSION} is not v"),
    (f"v{VERSION}rc1", CHANGELOG, "::error::the tag"),
    # the release must be named in the changelog: Unreleased not yet renamed, or a heading without a date
    (f"v{VERSION}", CHANGELOG.replace(f"## [{VERSION}] - 2026-12-01", "### Also"), "::error file=CHANGELOG.md::"),
    (f"v{VERSION}", CHANGELOG.replace(f"## [{VERSION}] - 2026-12-01", f"## [{VERSION}]"), "::error file=CHANGELOG.md::"),
    (f"v{VERSION}", CHANGELOG.replace(f"## [{VERSION}]", f"## [{VERSION}1]"), "::error file=CHANGELOG.md::"),
])
def test_release_workflow_refuses_a_tag_that_is_not_the_version_of_a_changelog_section(tag, changelog, error, checkout):
    (checkout / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    script = step("build", CHECK)["run"]
    done = run_step(script, checkout, GITHUB_REF_NAME=tag)
    if error is None:
        assert done.returncode == 0, done.stdout + done.stderr
    else:
        assert done.returncode == 1 and done.stdout.startswith(error), done.stdout + done.stderr


def test_release_notes_are_the_versions_changelog_section(checkout, tmp_path_factory):
    runner_temp = tmp_path_factory.mktemp("runner")
    done = run_step(step("github-release", "Release notes from CHANGELOG.md")["run"], checkout,
                    GITHUB_REF_NAME=f"v{VERSION}", RUNNER_TEMP=str(runner_temp))
    assert done.returncode == 0, done.stderr
    assert (runner_temp / "notes.md").read_text(encoding="utf-8") == "\n### Added\n\n- `naerpoliti init`.\n\n"
    release = step("github-release", "Create the release with the files")["run"]
    assert '--notes-file "$RUNNER_TEMP/notes.md"' in release


def test_changelog_starts_with_unreleased_then_one_section_per_version():
    """New lines go under Unreleased; a released version's heading is [X.Y.Z] - DATE (the release
    workflow reads it), newest first, none newer than the version in naerpoliti/__init__.py."""
    headings = re.findall(r"^## (.*)$", (REPO / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert headings[0] == "[Unreleased]"
    versions = []
    for heading in headings[1:]:
        m = re.fullmatch(r"\[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d\d-\d\d|not published)", heading)
        assert m, f"CHANGELOG.md: {heading!r} is not '[X.Y.Z] - YYYY-MM-DD'"
        versions.append(tuple(map(int, m.groups()[:3])))
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert versions and versions[0] <= tuple(map(int, VERSION.split(".")))
