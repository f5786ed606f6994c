"""Refresh the expected outputs of the tests after an intended change:

    python tests/refresh.py            # both
    python tests/refresh.py invalid    # tests/sites/invalid/*/expected.txt
    python tests/refresh.py golden     # tests/golden/small/ from tests/sites/small/
    python tests/refresh.py docs       # docs/felter.md and docs/reference/fields.md from naerpoliti/schema.py

Then read `git diff tests/`: the tests compare against these files byte for byte.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from naerpoliti.cli import main  # noqa: E402

TODAY = "2026-11-22"


def refresh_invalid() -> None:
    for case in sorted(p for p in (HERE / "sites" / "invalid").iterdir() if p.is_dir()):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["check", "--root", str(case), "--today", TODAY])
        lines = [line for line in err.getvalue().splitlines() if not line.startswith("naerpoliti:")]
        (case / "expected.txt").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"{case.name}: exit {code}, {len(lines)} line(s)" + ("" if code == 1 else "  <-- NOT 1"))


def refresh_golden() -> None:
    out = HERE / "golden" / "small"
    if out.exists():
        shutil.rmtree(out)
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", "--root", str(HERE / "sites" / "small"), "--out", str(out), "--today", TODAY])
    from naerpoliti.write import spare_folder
    shutil.rmtree(spare_folder(out), ignore_errors=True)  # no next build: the spare kept for one is not wanted
    print(f"golden: exit {code}, {sum(1 for p in out.rglob('*') if p.is_file())} files in {out}")


def refresh_docs() -> None:
    from naerpoliti.commands.reference import GENERATED
    for path, generate in GENERATED.items():
        (HERE.parent / path).write_text(generate(), encoding="utf-8")
        print(f"{path} written")


if __name__ == "__main__":
    which = sys.argv[1:] or ["invalid", "golden", "docs"]
    if "docs" in which:
        refresh_docs()
    if "invalid" in which:
        refresh_invalid()
    if "golden" in which:
        refresh_golden()
