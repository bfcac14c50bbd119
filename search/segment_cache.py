"""Bounded least-recently-used caches of what is read once per index segment.

A Whoosh segment never changes once written (deletions are kept beside it), so values read
from one (posting arrays, field lengths, facet columns) stay true for as long as it exists.
Its random id is the key; a reader with no segment (an empty index) is never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


def segment_key(reader) -> str | None:
    """The id of the segment `reader` reads, or None for a reader without one."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


class SegmentCache(Generic[V]):
    """Values by key, the least recently used dropped once their total weight passes `limit`."""

    def __init__(self, limit: int, weigh: Callable[[V], int] = lambda value: 1):
        self.limit = limit
        self.weigh = weigh
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable | None, build: Callable[[], V]) -> V:
        """The cached value for `key`, built (outside the lock) when missing; None: not cached."""
        if key is None:
            return build()
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = build()
        with self._lock:
            if key not in self._values:
                self._values[key] = value
                self._weight += self.weigh(value)
            while self._weight > self.limit and len(self._values) > 1:
                _, dropped = self._values.popitem(last=False)
                self._weight -= self.weigh(dropped)
        return value
