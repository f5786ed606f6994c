"""What rendering keeps from one build to the next, in one object with bounds, owned by the builder.

build.run() makes a RenderCache for each build unless it is given one; serve's incremental.Builder
keeps one for all its rebuilds. Render functions take it as a parameter (None: nothing is kept),
so no render module holds state of its own between calls.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    import jinja2

    from ..media import Rendition

K = TypeVar("K")
V = TypeVar("V")

MB = 1024 * 1024


class LRU(Generic[K, V]):
    """A mapping of at most `count` entries whose sizes (`size`) add up to at most `max_bytes`: the
    least recently used entries go first. A frozen one answers but keeps nothing new."""

    def __init__(self, count: int, max_bytes: int | None = None, size: Callable[[V], int] | None = None):
        self.count, self.max_bytes, self.size = count, max_bytes, size
        self.bytes = 0
        self.frozen = False
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0]

    def put(self, key: K, value: V) -> None:
        if self.frozen or self.count == 0:
            return
        weight = self.size(value) if self.size is not None else 0
        if self.max_bytes is not None and weight > self.max_bytes:
            return  # bigger than the whole cache: not worth pushing everything else out
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        self._entries[key] = (value, weight)
        self.bytes += weight
        while len(self._entries) > self.count or (self.max_bytes is not None and self.bytes > self.max_bytes):
            _key, (_value, gone) = self._entries.popitem(last=False)
            self.bytes -= gone

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


def _image_size(renditions: tuple[tuple[int, int, int], list[tuple[Rendition, bytes]]]) -> int:
    return sum(len(data) for _rendition, data in renditions[1])


class RenderCache:
    """The caches of rendering, each bounded:

    - `environments`: the Jinja environment of each (root, language) with the signature of the
      template folders and catalogs it was made from (render/environment.py). Compiling the
      templates is most of a small site's build; at most ENVIRONMENTS of them.
    - `images`: the encoded renditions of each image by its file's size, mtime and inode
      (render/images.py): re-encoding unchanged images was a tenth of a rebuild. At most
      IMAGE_BYTES.
    - `bytecode_dir`: where Jinja keeps compiled templates on disk for the next process (None:
      not kept).

    A build's forked rendering processes inherit the builder's RenderCache by fork and freeze()
    it: what they would add ends with them.
    """

    ENVIRONMENTS = 8
    IMAGES = 10_000
    IMAGE_BYTES = 256 * MB

    def __init__(self, bytecode_dir: Path | None = None):
        self.bytecode_dir = bytecode_dir
        self.environments: LRU[tuple[str, str], tuple[tuple[Any, ...], jinja2.Environment]] = LRU(self.ENVIRONMENTS)
        self.images: LRU[tuple[str, str], tuple[tuple[int, int, int], list[tuple[Rendition, bytes]]]] = LRU(
            self.IMAGES, self.IMAGE_BYTES, _image_size)

    def freeze(self) -> None:
        """Keep nothing new (a forked worker's additions would be lost with it)."""
        for lru in (self.environments, self.images):
            lru.frozen = True
