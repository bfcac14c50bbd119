"""Bounded least-recently-used caches of what is read once per index segment.

A Whoosh segment never changes once written (deletions are kept beside it), so values read
from one (posting arrays, field lengths, facet columns) stay true for as long as it exists.
Its random id is the key; a reader with no segment (an empty index) is never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

import numpy as np

V = TypeVar("V")

MB = 1024 * 1024
# What one entry holds beside its arrays (its key's tuple and strings, the value's tuple, the
# dictionary's node), measured: ~300 bytes. Counted, because a term a segment lacks is cached
# too, as an entry of empty arrays: a search for rare words over a hundred small segments
# adds a hundred such entries a word, and counted as nothing they grew a server's workers
# without bound under a steady stream of writes.
ENTRY_BYTES = 320


def weight_in_bytes(*arrays: np.ndarray) -> int:
    """What an entry of these arrays costs, for caches whose limit is in bytes."""
    return ENTRY_BYTES + sum(array.nbytes for array in arrays)


def segment_key(reader) -> str | None:
    """The id of the segment `reader` reads, or None for a reader without one."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


def _first(key: Hashable) -> tuple[str]:
    """The segment a key names: a segment id, or a tuple that starts with one."""
    return (key,) if isinstance(key, str) else (key[0],)


class SegmentCache(Generic[V]):
    """Values by key, the least recently used dropped once their total weight passes `limit`.

    `segments_of` gives the segment ids a key names (by default a key is a segment id, or a
    tuple that starts with one), for `forget`.
    """

    def __init__(
        self,
        limit: int,
        weigh: Callable[[V], int] = lambda value: 1,
        segments_of: Callable[[Hashable], Iterable[str]] = _first,
    ):
        self.limit = limit
        self.weigh = weigh
        self.segments_of = segments_of
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._weight = 0
        self._by_segment: dict[str, set[Hashable]] = {}  # the keys that name each segment
        self._lock = threading.Lock()
        _CACHES.append(self)

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
                for segment in self.segments_of(key):
                    self._by_segment.setdefault(segment, set()).add(key)
            while self._weight > self.limit and len(self._values) > 1:
                self._drop(next(iter(self._values)))
        return value

    def has(self, key: Hashable) -> bool:
        """Whether `key` is cached (without counting as a use)."""
        with self._lock:
            return key in self._values

    def forget(self, segment_ids: Iterable[str]) -> None:
        """Drop every value of these segments (merged away: they will not be read again)."""
        with self._lock:
            for segment in segment_ids:
                for key in self._by_segment.get(segment, set()).copy():
                    self._drop(key)

    def _drop(self, key: Hashable) -> None:
        self._weight -= self.weigh(self._values.pop(key))
        for segment in self.segments_of(key):
            keys = self._by_segment.get(segment)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_segment[segment]


# Every cache of this process, for `forget_segments`: a clearly named registry of caches.
_CACHES: list[SegmentCache] = []


def forget_segments(segment_ids: Iterable[str]) -> None:
    """Drop what every cache holds of these segments.

    Called when a refreshed searcher no longer has them: under a stream of writes segments
    come and go every second, and values of merged-away ones would otherwise stay until the
    caches' limits pushed them out, growing each worker by hundreds of MB.
    """
    segment_ids = list(segment_ids)
    if segment_ids:
        for cache in _CACHES:
            cache.forget(segment_ids)
