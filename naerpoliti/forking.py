"""What forked worker processes share (build.py's rendering, loadcache.py's loading)."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys


def die_with_parent(parent: int) -> None:
    """A killed build (SIGKILL) cannot end its workers: on Linux the kernel ends each one when its
    parent dies; elsewhere, and if the parent died before this, the worker ends itself here."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)
