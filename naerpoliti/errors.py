"""Content diagnostics: errors and warnings that name file, line and column.

Every phase reports problems to one Diagnostics collector instead of raising, so an editor sees
all problems of a build at once.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# What a terminal or a CI log could take as a command: C0 and C1 controls (ESC, BEL, line ends), the
# line and paragraph separators, and the bidirectional overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` with every control character written as an escape (ESC as \\u001b): a message shows
    what content holds on one line, and cannot move the cursor, set the clipboard or the window
    title, or start a new line that a CI runner would read as a command."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True, order=True)
class Position:
    """Where something was written: a path relative to the site root, 1-based line and column."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{visible(self.path)}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    position: Position
    severity: str  # "error" or "warning"
    message: str

    def __str__(self) -> str:
        return f"{self.position}: {self.severity}: {visible(self.message)}"


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, position: Position, message: str) -> Diagnostic:
        d = Diagnostic(position, "error", message)
        self.items.append(d)
        return d

    def warning(self, position: Position, message: str) -> Diagnostic:
        d = Diagnostic(position, "warning", message)
        self.items.append(d)
        return d

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        # Deduplicate: the same problem can be reached from two paths (e.g. a shared YAML node).
        # localities.yaml first: its mistakes are often the cause of the others.
        return sorted(set(self.items), key=lambda d: (d.position.path != "localities.yaml", d))


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(str(value), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(choices: Iterable[str]) -> str:
    items = [f"'{c}'" for c in choices]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
