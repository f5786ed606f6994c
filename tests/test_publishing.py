"""The publishing workflows (.github/workflows/publish.yml, .gitlab-ci.yml): they validate against
their schemas (check-jsonschema's builtin, offline copies), they do what the handbook promises,
and the shell commands they run work on a fresh copy of the demo site root."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TODAY, sitemap_text

GITHUB = REPO / ".github" / "workflows" / "publish.yml"
GITLAB = REPO / ".gitlab-ci.yml"
BIN = Path(sys.executable).parent  # the virtualenv's scripts: naerpoliti, check-jsonschema


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True)


@pytest.mark.parametrize("schema, path", [("vendor.github-workflows", GITHUB), ("vendor.gitlab-ci", GITLAB)])
def test_workflows_validate_against_their_schemas(schema, path):
    done = check_jsonschema(schema, path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("schema, path, old, new", [
    ("vendor.github-workflows", GITHUB, "runs-on: ubuntu-latest\n    steps:", "run-on: ubuntu-latest\n    steps:"),
    ("vendor.gitlab-ci", GITLAB, "  artifacts:\n    paths:", "  artifact:\n    paths:"),
])
def test_the_schema_check_catches_a_misspelt_key(schema, path, old, new, tmp_path):
    text = path.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / path.name
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert check_jsonschema(schema, broken).returncode == 1


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def github_steps() -> list[dict]:
    return load(GITHUB)["jobs"]["build"]["steps"]


def step_running(steps: list[dict], command: str) -> int:
    found = [i for i, s in enumerate(steps) if re.search(rf"^\s*{command}\b", s.get("run", ""), re.M)]
    assert len(found) == 1, f"one step runs {command!r}"
    return found[0]


def test_github_workflow_checks_builds_and_deploys_main_with_the_whole_history():
    wf = load(GITHUB)
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads the key `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers and triggers["schedule"]
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"]["group"] == "pages"
    steps = github_steps()
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert tuple(map(int, python["with"]["python-version"].split("."))) >= (3, 11)
    assert python["with"]["cache"] == "pip"
    check, build = step_running(steps, "naerpoliti check"), step_running(steps, "naerpoliti build")
    upload = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert check < build < upload
    assert "--out site" in steps[build]["run"] and steps[upload]["with"]["path"] == "site"
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [s["uses"] for s in deploy["steps"]] == ["actions/deploy-pages@v4"]
    for job in wf["jobs"].values():
        for s in job["steps"]:
            if "uses" in s:
                assert re.fullmatch(r"actions/[\w-]+@v\d+", s["uses"]), f"pin {s['uses']} to a major version"


def test_gitlab_pipeline_checks_everywhere_and_publishes_the_default_branch():
    ci = load(GITLAB)
    assert str(ci["variables"]["GIT_DEPTH"]) == "0"
    assert not re.search(r"slim|alpine", ci["image"]), "the image needs git for the dates"
    stages = ci["stages"]
    check, pages = ci["check"], ci["pages"]
    assert "rules" not in check and check["script"] == ["naerpoliti check"]
    assert stages.index(check["stage"]) < stages.index(pages["stage"])
    assert pages["script"] == ["naerpoliti build --out public"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert ci["default"]["before_script"] == ["python -m pip install ."]


# --- the commands themselves, on a fresh copy of the demo content

@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    """The demo site root as CI checks it out: its content, committed, with the whole history."""
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy(REPO / "localities.yaml", root)
    shutil.copytree(REPO / "content", root / "content")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="CI", GIT_AUTHOR_EMAIL="ci@example.dk", GIT_COMMITTER_NAME="CI",
               GIT_COMMITTER_EMAIL="ci@example.dk", GIT_AUTHOR_DATE="2026-09-30T10:00:00+02:00",
               GIT_COMMITTER_DATE="2026-09-30T10:00:00+02:00", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CONFIG_NOSYSTEM="1")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo"]):
        subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=root, env=env, check=True)
    return root


def run_step(script: str, root: Path, tmp_path: Path, github: bool = False) -> subprocess.CompletedProcess:
    """A step's script as GitHub and GitLab run it: bash -e, in the checkout, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))}
    if github:  # what the runner sets
        env.update(GITHUB_ACTIONS="true", GITHUB_WORKSPACE=str(root))
    epoch = int(dt.datetime.combine(TODAY, dt.time(12), dt.timezone.utc).timestamp())
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", RUNNER_TEMP=str(tmp_path),
               SOURCE_DATE_EPOCH=str(epoch))  # the demo content is written for this date
    return subprocess.run(["bash", "-e", "-c", script], cwd=root, env=env, capture_output=True, text=True)


def test_github_steps_check_and_build_the_demo(demo_repo, tmp_path):
    steps = github_steps()
    check = run_step(steps[step_running(steps, "naerpoliti check")]["run"], demo_repo, tmp_path, github=True)
    assert check.returncode == 0, check.stderr
    # the demo's warnings (unpublished ambassadors...) all become annotations on their lines
    annotations = re.findall(r"^::warning file=([^,]+),line=(\d+),col=(\d+),title=naerpoliti::(.+)$",
                             check.stdout, re.M)
    assert ("content/ambassadors/skibby.yaml", "34", "3") in [a[:3] for a in annotations]
    assert len(annotations) == check.stderr.count(": warning: ") > 0  # each one, once
    build = run_step(steps[step_running(steps, "naerpoliti build")]["run"], demo_repo, tmp_path)
    assert build.returncode == 0, build.stderr
    site = demo_repo / "site"
    assert (site / "index.html").is_file()
    # the dates come from the history the checkout fetched
    assert "<lastmod>2026-09-30</lastmod>" in sitemap_text(site)
    assert 'Senest opdateret <time datetime="2026-09-30">' in (site / "lokalsamfund/skibby/index.html").read_text()


def test_github_check_step_fails_on_an_error_and_annotates_it(demo_repo, tmp_path):
    registry = demo_repo / "localities.yaml"
    registry.write_text(registry.read_text(encoding="utf-8").replace("municipality: frederikssund",
                                                                      "municipality: frederiksund", 1))
    steps = github_steps()
    check = run_step(steps[step_running(steps, "naerpoliti check")]["run"], demo_repo, tmp_path, github=True)
    assert check.returncode == 1
    assert re.search(r"^::error file=localities\.yaml,line=\d+,col=\d+,title=naerpoliti::municipality: unknown municipality "
                     r"'frederiksund'", check.stdout, re.M), check.stdout


def test_gitlab_scripts_check_and_build_the_demo(demo_repo, tmp_path):
    ci = load(GITLAB)
    for line in ci["check"]["script"]:
        done = run_step(line, demo_repo, tmp_path)
        assert done.returncode == 0, done.stderr
        assert "warning:" in done.stderr  # listed in the job log
    for line in ci["pages"]["script"]:
        done = run_step(line, demo_repo, tmp_path)
        assert done.returncode == 0, done.stderr
    public = demo_repo / ci["pages"]["artifacts"]["paths"][0]
    assert (public / "index.html").is_file() and (public / "sitemap.xml").is_file()
    assert "<lastmod>2026-09-30</lastmod>" in sitemap_text(public)


def test_the_workflows_keep_the_build_cache_and_the_previous_site_between_runs():
    """A push or a night with one change is incremental in CI too (issue 16): the build's cache
    (NAERPOLITI_CACHE) and the output folder are restored before the build and saved after it."""
    steps = github_steps()
    build = step_running(steps, "naerpoliti build --out site")
    assert steps[build]["env"]["NAERPOLITI_CACHE"] == ".naerpoliti-cache"
    cache = next(i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/cache@"))
    assert cache < build
    assert set(steps[cache]["with"]["path"].split()) == {".naerpoliti-cache", "site", ".site.spare"}
    assert steps[cache]["with"]["restore-keys"]  # a new run starts from the newest saved one
    # the check, which runs first, uses what the last build loaded too
    check = step_running(steps, "naerpoliti check")
    assert cache < check < build and steps[check]["env"]["NAERPOLITI_CACHE"] == ".naerpoliti-cache"
    gitlab_check = load(GITLAB)["check"]
    assert gitlab_check["variables"]["NAERPOLITI_CACHE"] == "$CI_PROJECT_DIR/.naerpoliti-cache"
    assert any(c["key"] == "naerpoliti-build" and c["paths"] == [".naerpoliti-cache"] and c["policy"] == "pull"
               for c in gitlab_check["cache"])
    pages = load(GITLAB)["pages"]
    assert pages["variables"]["NAERPOLITI_CACHE"] == "$CI_PROJECT_DIR/.naerpoliti-cache"
    assert any(set(c["paths"]) == {".naerpoliti-cache", "public", ".public.spare"} for c in pages["cache"])
    assert "naerpoliti build --out public" in pages["script"]
