#!/usr/bin/env python3
"""python build.py [options] is the same as: naerpoliti build [options]"""
import os
import sys
from pathlib import Path

try:
    from naerpoliti.cli import main
except ImportError:
    # Run with a Python that lacks the dependencies: use the project's virtualenv when it has one.
    venv = Path(__file__).resolve().parent / ".venv"
    venv_python = venv / "bin" / "python"
    if venv_python.is_file() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])
    sys.exit("naerpoliti is not installed: run  python3 -m venv .venv && .venv/bin/pip install -e .")

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
