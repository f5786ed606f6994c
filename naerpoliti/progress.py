"""Progress of a long build: a rich progress bar on a terminal, plain lines elsewhere.

Short builds (a pre-commit check, the demo) stay quiet: nothing is shown until a build has run for
a moment, so only builds long enough to make someone wonder get a bar or progress lines.
"""
from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import TaskID


class Progress:
    """Steps of a build. The base class shows nothing; builds and tests use it as is."""

    def start(self, total: int) -> None:
        """`total` steps are still to come (the count is known only once the build knows its tasks)."""

    def step(self, description: str) -> None:
        pass

    def task_done(self, description: str, seconds: float) -> None:
        """A rendering task finished (in this or a worker process), after `seconds`."""
        self.step(description)

    def lap(self, description: str) -> None:
        """A part of the current step starts (the build's phases, for Timings only)."""

    def done(self) -> None:
        pass


QUIET = Progress()


class TerminalProgress(Progress):
    """A rich bar on stderr, shown once the build has run for `after` seconds, gone when done."""

    def __init__(self, stream: TextIO, after: float = 0.5) -> None:
        from rich.console import Console  # imported only on a terminal
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=Console(file=stream), transient=True,
                        auto_refresh=False)  # drawn at each step: no thread, nothing drawn between
        self._after = after
        self._started = time.perf_counter()
        self._task: TaskID | None = None  # set once the bar is shown
        self._total = 0
        self._completed = 0
        self._description = ""

    def start(self, total: int) -> None:
        self._total = self._completed + (1 if self._description else 0) + total
        if self._task is not None:
            self._bar.update(self._task, total=self._total)

    def step(self, description: str) -> None:
        if self._description:
            self._completed += 1
        self._description = description
        if self._task is None and time.perf_counter() - self._started >= self._after:
            self._bar.start()
            self._task = self._bar.add_task(description, total=self._total, completed=self._completed)
        elif self._task is not None:
            self._bar.update(self._task, description=description, completed=self._completed)
        if self._task is not None:
            self._bar.refresh()

    def done(self) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=self._total)
            self._bar.refresh()
            self._bar.stop()


class LineProgress(Progress):
    """Plain lines for logs (CI): one a step, once the build has run for `after` seconds."""

    def __init__(self, stream: TextIO, after: float = 2.0) -> None:
        self._stream = stream
        self._after = after
        self._started = time.perf_counter()
        self._n = 0
        self._total = 0

    def start(self, total: int) -> None:
        self._total = self._n + total  # the steps so far and those to come

    def step(self, description: str) -> None:
        self._n += 1
        elapsed = time.perf_counter() - self._started
        if elapsed >= self._after:
            count = f"{self._n}/{self._total}" if self._total else f"{self._n}"  # a total once known
            print(f"naerpoliti: [{elapsed:5.1f} s] {count} {description}", file=self._stream, flush=True)


def for_stream(stream: TextIO = sys.stderr) -> Progress:
    """A bar when stream is a terminal, plain lines otherwise."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return TerminalProgress(stream) if tty else LineProgress(stream)


class Timings(Progress):
    """Seconds spent in each step, for the benchmark and for profiling: `seconds` by step and phase
    (wall time of this process; they add up to at most the build's time), `tasks` by kind of
    rendering task (time in whichever process ran it; in a parallel build they add up to more than
    the wall time of the step "rendering")."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.tasks: dict[str, float] = {}
        self._current: str | None = None
        self._since = 0.0

    def _close(self) -> None:
        if self._current is not None:
            now = time.perf_counter()
            self.seconds[self._current] = self.seconds.get(self._current, 0.0) + now - self._since
            self._current = None

    def step(self, description: str) -> None:
        self._close()
        self._current = description
        self._since = time.perf_counter()

    lap = step

    def task_done(self, description: str, seconds: float) -> None:
        self.tasks[description] = self.tasks.get(description, 0.0) + seconds

    def done(self) -> None:
        self._close()
