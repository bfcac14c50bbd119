"""The hashes of tied articles' ids (`search.id_order`), read from a segment's stored ids
one by one, or all at once from its id terms.

A few tied articles are looked up one by one (their stored id); a segment's keys are all read
at once from its `id` terms (one term an article, in the term index) once its lookups would
have cost as much, and then kept for as long as the segment lives. Reading them all costs
~5 µs an article: ~5 s for an archive of 10⁶, which the first search with ties would wait for
after `serve` starts, while such a search needs the keys of a few dozen articles.
"""

from __future__ import annotations

import numpy as np

from search.id_order import id_key

from .segment_cache import MB, SegmentCache, segment_key, weight_in_bytes
from .vectorized import postings

_ID_KEYS_CACHE: SegmentCache[np.ndarray] = SegmentCache(64 * MB, weigh=weight_in_bytes)
# How many articles of each segment were looked up one by one: a one-item list to count in.
_LOOKUPS_CACHE: SegmentCache[list[int]] = SegmentCache(4096)
# One article's stored id costs about as much to read as the keys of eight articles from the
# id terms (measured: ~75 µs against ~10 µs on a loaded machine).
LOOKUP_COST = 8


def id_keys(searcher, docnums: np.ndarray) -> np.ndarray:
    """`id_key` of each of the searcher's documents `docnums` (any order)."""
    keys = np.zeros(len(docnums), dtype=np.int64)
    for reader, offset in searcher.reader().leaf_readers():
        inside = (docnums >= offset) & (docnums < offset + reader.doc_count_all())
        if inside.any():
            keys[inside] = _segment_keys(reader, docnums[inside] - offset)
    return keys


class SearchTieKeys:
    """`id_keys` for one search: a document tied in its segment and again among all segments'
    best is looked up once."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.known: dict[int, int] = {}

    def __call__(self, docnums: np.ndarray) -> np.ndarray:
        missing = [d for d in docnums.tolist() if d not in self.known]
        if missing:
            found = id_keys(self.searcher, np.array(missing, dtype=np.int64))
            self.known.update(zip(missing, found.tolist(), strict=True))
        return np.array([self.known[d] for d in docnums.tolist()], dtype=np.int64)


def _segment_keys(reader, docnums: np.ndarray) -> np.ndarray:
    """`id_key` of these documents of one segment, looked up or from all the segment's keys.

    Like renting skis until their price is spent and then buying: the one-by-one lookups a
    segment has had add up to at most what reading all its keys costs, before they are read.
    """
    segment = segment_key(reader)
    if segment is None or _ID_KEYS_CACHE.has((segment, "id")):
        return segment_id_keys(reader)[docnums]
    looked_up = _LOOKUPS_CACHE.get(segment, lambda: [0])
    if (looked_up[0] + len(docnums)) * LOOKUP_COST > reader.doc_count_all():
        return segment_id_keys(reader)[docnums]
    looked_up[0] += len(docnums)
    return np.array([id_key(reader.stored_fields(int(d))["id"]) for d in docnums], dtype=np.int64)


def segment_id_keys(reader) -> np.ndarray:
    """`id_key` of every document of a segment, deleted ones included."""

    def read() -> np.ndarray:
        keys = np.zeros(reader.doc_count_all(), dtype=np.int64)
        for text, info in reader.iter_field("id"):
            key = id_key(text.decode("utf-8"))
            if info.doc_frequency() == 1:
                keys[info.min_id()] = key
            else:  # an article replaced within the segment: every version has its id
                keys[postings(reader, "id", text)[0]] = key
        keys.flags.writeable = False
        return keys

    segment = segment_key(reader)
    return _ID_KEYS_CACHE.get(segment and (segment, "id"), read)


def tie_breaks(keys: np.ndarray, docs: np.ndarray, keys_of) -> np.ndarray:
    """What orders `docs` of equal `keys`: `keys_of` their docnums where another doc has the
    same key, 0 where none has (so only tied articles are looked up)."""
    breaks = np.zeros(len(keys), dtype=np.int64)
    if len(keys) > 1:
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        tied = counts[inverse] > 1
        if tied.any():
            breaks[tied] = keys_of(docs[tied])
    return breaks
