"""`naerpoliti check --consent`: who is published with which fields, who is not and why (issue 7)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional, TextIO


def main(root: Path, today: Optional[dt.date], out: TextIO, err: TextIO) -> int:
    """Print the consent report of the site root to out (diagnostics to err); return the exit status."""
    raise NotImplementedError("the consent report is being written")
