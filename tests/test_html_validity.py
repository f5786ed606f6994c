"""Every HTML and CSS file of the built demo site is valid, says the Nu Html Checker (vnu.jar, the
W3C validator), run once over all of them. scripts/setup-tests installs vnu.jar into tests/tools/."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

VNU_JAR = Path(__file__).resolve().parent / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def vnu_messages(demo_site: Path) -> dict[str, list[str]]:
    """The checker's errors, as 'FILE:LINE: message' lines, by kind of file ('html', 'css')."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail(f"needs java and {VNU_JAR.relative_to(Path(__file__).parent.parent)}: run scripts/setup-tests")
    html = sorted(demo_site.rglob("*.html"))
    css = sorted(demo_site.rglob("*.css"))
    assert html, f"no HTML files in {demo_site}"
    proc = subprocess.run(
        # -XX:-UsePerfData: no /tmp/hsperfdata_USER, which the JVM makes there whatever TMPDIR says
        [java, "-XX:-UsePerfData", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--also-check-css",
         *map(str, html + css)],
        capture_output=True, text=True, encoding="utf-8", timeout=600,
    )
    try:
        report = json.loads(proc.stderr)  # vnu writes its report to standard error
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar exited {proc.returncode} without a JSON report:\n{proc.stderr[-3000:]}")
    found: dict[str, list[str]] = {"html": [], "css": []}
    for m in report.get("messages", []):
        if m.get("type") == "info":  # not an error (--errors-only leaves none)
            continue
        path = Path(unquote(urlparse(m.get("url", "")).path))
        try:
            name = path.relative_to(demo_site).as_posix()
        except ValueError:
            name = m.get("url") or "?"
        kind = "css" if path.suffix == ".css" else "html"
        line = m.get("lastLine") or m.get("firstLine") or "?"
        found[kind].append(f"{name}:{line}: {m.get('type')}: {m.get('message')}")
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not any(found.values())):
        pytest.fail(f"vnu.jar exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return found


def test_html_is_valid(vnu_messages):
    errors = vnu_messages["html"]
    if errors:
        pytest.fail(f"{len(errors)} HTML error(s):\n" + "\n".join(errors), pytrace=False)


def test_css_is_valid(vnu_messages):
    errors = vnu_messages["css"]
    if errors:
        pytest.fail(f"{len(errors)} CSS error(s):\n" + "\n".join(errors), pytrace=False)
