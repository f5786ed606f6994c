"""Fixtures that mirror the pipeline: a site root written inline, then built or checked."""
from __future__ import annotations

import atexit
import datetime as dt
import os
import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from naerpoliti.build import run

REPO = Path(__file__).resolve().parent.parent
# A run leaves nothing outside the repository: what the tests and the programs they start write
# beyond their tmp_path goes into one folder, removed when the session ends (when whatever imported
# this file exits). TMPDIR: pytest's tmp_path folders, the builds' temporary folders (also those a
# killed build leaves), Chromium's profiles. NAERPOLITI_CACHE: what builds remember (write.cache_dir).
# XDG_CACHE_HOME, XDG_CONFIG_HOME: what other programs keep in ~/.cache and ~/.config (Chromium, pip
# under pre-commit). To keep the tests' folders for a look after a failure: pytest --basetemp=DIR.
SESSION_DIR = Path(tempfile.mkdtemp(prefix="naerpoliti-tests-"))
for _name, _sub in (("TMPDIR", "tmp"), ("NAERPOLITI_CACHE", "naerpoliti-cache"),
                    ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
    (SESSION_DIR / _sub).mkdir()
    os.environ[_name] = str(SESSION_DIR / _sub)
tempfile.tempdir = os.environ["TMPDIR"]  # this process too, should it have asked before
atexit.register(shutil.rmtree, SESSION_DIR, ignore_errors=True)
TODAY = dt.date(2026, 11, 22)

# tests/test_fuzz.py's profiles: a few fixed examples in every run; many random ones, shrunk, with
# NAERPOLITI_FUZZ=long (the nightly job)
_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example,
         HealthCheck.function_scoped_fixture]
settings.register_profile("naerpoliti-fuzz-short", max_examples=20, deadline=None, derandomize=True,
                          phases=[Phase.explicit, Phase.generate], suppress_health_check=_SLOW, database=None)
settings.register_profile("naerpoliti-fuzz-long", max_examples=int(os.environ.get("NAERPOLITI_FUZZ_EXAMPLES", "2000")),
                          deadline=None, suppress_health_check=_SLOW, print_blob=True)

REGISTRY = """\
site:
  title: Testpoliti
  base_url: https://test.example.dk/
districts:
  - id: nordsjaelland
    name: Nordsjællands Politi
municipalities:
  - id: frederikssund
    name: Frederikssund Kommune
    district: nordsjaelland
stations:
  - id: frederikssund-politistation
    name: Frederikssund Politistation
    address: Eksempelvej 1, 3600 Frederikssund
officers:
  - id: skibby-betjent
    name: Mette Testesen
    title: Områdebetjent
    phone: "+45 72 58 12 34"
    email: mette@example.dk
    station: frederikssund-politistation
localities:
  - id: skibby
    name: Skibby
    municipality: frederikssund
    postcodes: ["4050"]
    officer: skibby-betjent
  - id: slangerup
    name: Slangerup
    municipality: frederikssund
    postcodes: ["3550"]
    officer: skibby-betjent
"""


def news(title="Nyhed", date="2026-11-20", scope="localities: [skibby]", body="Brødtekst.", extra=""):
    return f"---\ntitle: {title}\ndate: {date}\n{scope}\n{extra}---\n{body}\n"


def make_site(root: Path, files: dict[str, str | bytes] | None = None, registry: str = REGISTRY) -> Path:
    """Write a site root: the default registry plus the given files (path -> text or bytes)."""
    files = {"localities.yaml": registry, **(files or {})}
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data) if rel != "localities.yaml" else data, encoding="utf-8")
    return root


@pytest.fixture
def site_root(tmp_path: Path):
    def factory(files=None, registry: str = REGISTRY) -> Path:
        return make_site(tmp_path / "root", files, registry)
    return factory


def messages(result) -> list[str]:
    return [str(d) for d in result.diagnostics.sorted()]


def build(root: Path, out: Path | None = None, today: dt.date = TODAY, strict: bool = False):
    return run(root, out, today, strict)


def render_all_emails(root: Path, dest: Path, today: dt.date = TODAY) -> Path:
    """The e-mail files of every newsletter issue of a root, as `naerpoliti newsletter render`
    makes them one at a time (render_emails), in dest/KIND/ID/nyhedsbrev/PERIOD/ (KIND as in the
    site's URLs): the tests' way to look at all of them."""
    from naerpoliti.commands.issues import FOLDERS, load_site
    from naerpoliti.newsletter import all_issues
    from naerpoliti.render.environment import make_environment
    from naerpoliti.render.newsletters import EMAIL_FILES, render_emails

    site = load_site(root, today)
    env = make_environment(root, site.config.language)
    for area, issues in all_issues(site):
        for issue, files in zip(issues, render_emails(site, env, site.urls, area, issues), strict=True):
            folder = dest / FOLDERS[area.kind] / area.id / "nyhedsbrev" / issue.period
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in zip(EMAIL_FILES, files, strict=True):
                (folder / name).write_bytes(data)
    return dest


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sitemap_text(site: Path) -> str:
    """Every part of a built site's sitemap, in the order its index (sitemap.xml) lists them."""
    index = (site / "sitemap.xml").read_text(encoding="utf-8")
    names = re.findall(r"<loc>[^<]*/(sitemap-\d+\.xml)</loc>", index)
    assert names, f"no part in the sitemap index:\n{index}"
    return "".join((site / name).read_text(encoding="utf-8") for name in names)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The repository's demo content, built once for the session."""
    out = tmp_path_factory.mktemp("demo") / "site"
    result = run(REPO, out, TODAY)
    assert not result.failed, [str(d) for d in result.diagnostics.errors]
    return out


@pytest.fixture(scope="session")
def demo_emails(tmp_path_factory) -> Path:
    """The e-mail files of every newsletter issue of the demo (render_all_emails), once a session."""
    return render_all_emails(REPO, tmp_path_factory.mktemp("demo-emails"))
