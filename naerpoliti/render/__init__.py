"""Pure functions SiteModel -> [Output]. Nothing here reads the clock or writes a file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Output:
    """One file of the site: its path relative to the output folder and its bytes, or the source
    file whose bytes it copies (media and theme assets, read only when written)."""

    path: str
    data: bytes | None = None
    source: Path | None = None
    origin: str = ""  # what produced it, for the error when two outputs claim one path
    # render keys (render/keys.py): the unit that made it and the digest of what the unit was made
    # from; `reused`: no bytes, the previous build's file of this unit, whose key was the same
    unit: str = ""
    key: str = ""
    reused: bool = False
    count: int = 0  # the newsletter issues a page holds (the build's summary counts them)
    # a group of units whose keys a cheaper key stands for (an area's newsletter pages): when
    # the group's key is the previous build's, its units are taken over without their keys
    group: str = ""
    group_key: str = ""
