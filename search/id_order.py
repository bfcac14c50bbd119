"""The order of articles that rank equal: by a hash of their id, whatever segment holds them.

BM25 gives many articles the very same score (the same count of a word in texts whose lengths
Whoosh keeps in the same byte), and dates tie by the day. Ordered by document number, equals
came in the order they were indexed — so an archive indexed in one run and the same archive
indexed in many runs and updated showed different pages. A hash of the id is the same on both,
spreads a source's articles (ids often count up), and the same for every worker.

A segment's keys are read from its `id` terms (one term an article, in the term index) the
first time one of its articles ties with another, and kept for as long as the segment lives.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .segment_cache import MB, SegmentCache, segment_key, weight_in_bytes
from .vectorized import postings

_ID_KEYS_CACHE: SegmentCache[np.ndarray] = SegmentCache(64 * MB, weigh=weight_in_bytes)


def id_key(article_id: str) -> int:
    """An article's place among equals (a 63-bit hash of its id)."""
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def id_keys(searcher, docnums: np.ndarray) -> np.ndarray:
    """`id_key` of each of the searcher's documents `docnums` (any order)."""
    keys = np.zeros(len(docnums), dtype=np.int64)
    for reader, offset in searcher.reader().leaf_readers():
        inside = (docnums >= offset) & (docnums < offset + reader.doc_count_all())
        if inside.any():
            keys[inside] = segment_id_keys(reader)[docnums[inside] - offset]
    return keys


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


def has_ties(keys: np.ndarray) -> bool:
    return len(keys) > 1 and len(np.unique(keys)) < len(keys)
