"""Relevance scores of whole posting lists at once, with numpy: what Whoosh's matchers would give.

Whoosh scores a query one posting at a time in Python, walking a tree of matchers; a short
query of frequent words ("国际 联播" is in nearly every article of a news broadcast archive)
then costs hundreds of milliseconds. Here the same query is evaluated over arrays, for a run
of segments at once: each term's posting list is read once per segment (block by block, kept
in a cache since segments never change), joined across the run, scored with Whoosh's own BM25F
statistics (idf, average field length, B, K1), and combined the way Whoosh combines matchers:
OR sums the scores of the parts that match, with its coordination bonus when the query asks
for one; AND keeps the documents in every part; AND NOT removes; a constant-score part gives
its constant; a phrase finds its words in order from their positions (read once too). Any
other query is run through Whoosh's matcher for that part alone, inside the same deadline.

One difference from Whoosh, on purpose: the coordination bonus counts the query's terms that
the run of segments holds, where Whoosh counts those of the article's own segment, so an
article's score does not depend on which segment it was written to.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher

from ...config import SERVING
from . import column_arrays
from .bounded import SearchTimeout
from .segment_cache import MB, SegmentCache, segment_key, weight_in_bytes

_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)
_EMPTY_DOCS.flags.writeable = _EMPTY_SCORES.flags.writeable = False


@dataclass
class Scored:
    """The matches of a query in one segment: sorted document numbers and their scores.

    `terms` counts, per match, the term postings that matched (for the coordination bonus);
    `leaves` is how many term posting lists the query has in this segment.
    """

    docs: np.ndarray
    scores: np.ndarray
    terms: np.ndarray
    leaves: int

    @classmethod
    def empty(cls, leaves: int = 0) -> Scored:
        return cls(_EMPTY_DOCS, _EMPTY_SCORES, _EMPTY_DOCS, leaves)

    def __len__(self) -> int:
        return len(self.docs)


_POSTINGS_CACHE: SegmentCache[tuple[np.ndarray, np.ndarray]] = SegmentCache(
    SERVING.postings_cache_mb * MB, weigh=lambda found: weight_in_bytes(*found)
)
_LENGTHS_CACHE: SegmentCache[np.ndarray] = SegmentCache(64 * MB, weigh=weight_in_bytes)
_POSITIONS_CACHE: SegmentCache[tuple[np.ndarray, np.ndarray]] = SegmentCache(
    SERVING.positions_cache_mb * MB, weigh=lambda found: weight_in_bytes(*found)
)


def _unfiltered(matcher):
    """A segment's posting matcher without its filter of deleted documents, from the start.

    Deletions are applied by the caller, from the live mask. The filter has already moved its
    child past the deleted documents a posting list begins with, so the child is reset: else
    a term whose first postings were deleted had more documents than positions lists.
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
        matcher.reset()
    return matcher


def _read_postings(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """All document numbers and weights of a term in a segment, deleted documents included,
    as compactly as they are exact (`_compact`).

    Empty for a term the segment lacks (cached too, so looking it up again costs nothing).
    """
    if (fieldname, text) not in reader:
        return _EMPTY_DOCS, _EMPTY_SCORES
    matcher = _unfiltered(reader.postings(fieldname, text))
    ids: list = []
    weights: list = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()  # a whole block at a time
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
        if not ids:
            return _EMPTY_DOCS, _EMPTY_SCORES
        return _compact(np.concatenate(ids), np.concatenate(weights))
    if isinstance(matcher, ListMatcher) and matcher._weights is not None:
        return _compact(
            np.asarray(matcher._ids, dtype=np.int64),
            np.asarray(matcher._weights, dtype=np.float64),
        )
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return _compact(np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64))


def _compact(docs: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers in 32 bits (a segment holds fewer than 2³¹), and weights too where
    they lose nothing (term counts): half the memory a posting takes in the cache, so that
    at 10⁶ articles, whose frequent words have hundreds of thousands of postings a field,
    a query's words stay in it. Scores are computed in 64 bits all the same (`_read_bm25`)."""
    narrow = weights.astype(np.float32)
    return docs.astype(np.int32), narrow if np.array_equal(narrow, weights) else weights


def postings(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights in a segment, read once (shared: read-only)."""

    def read() -> tuple[np.ndarray, np.ndarray]:
        docs, weights = _read_postings(reader, fieldname, text)
        docs.flags.writeable = weights.flags.writeable = False
        return docs, weights

    key = segment_key(reader)
    return _POSTINGS_CACHE.get(key and (key, fieldname, text), read)


def positions(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Where a term stands in each document of its posting list, in the order of `postings`.

    Returns (counts, flat): posting i's positions are the next counts[i] values of `flat`.
    """

    def read() -> tuple[np.ndarray, np.ndarray]:
        matcher = _unfiltered(reader.postings(fieldname, text))  # as `postings` reads them
        decode = reader.schema[fieldname].format.decode_positions
        counts: list[int] = []
        flat: list[int] = []
        while matcher.is_active():
            found = decode(matcher.value())
            counts.append(len(found))
            flat.extend(found)
            matcher.next()
        result = np.asarray(counts, dtype=np.int32), np.asarray(flat, dtype=np.int32)
        result[0].flags.writeable = result[1].flags.writeable = False
        return result

    key = segment_key(reader)
    return _POSITIONS_CACHE.get(key and (key, fieldname, text), read)


# Positions of a term are read for all of its postings (and cached) when at least one in this
# many is wanted; else only the wanted ones are decoded, the others skipped block by block.
_READ_ALL_SHARE = 4


def positions_in(
    reader, fieldname: str, text: bytes, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`positions` of a term in just the `wanted` documents of a segment (sorted, each one
    holding the term), skipping the blocks that hold none of them by their headers; cached
    by the documents wanted (a query asked again wants the same ones)."""

    def read() -> tuple[np.ndarray, np.ndarray]:
        result = _read_positions_in(reader, fieldname, text, wanted)
        result[0].flags.writeable = result[1].flags.writeable = False
        return result

    key = segment_key(reader)
    wanted_key = hashlib.blake2b(wanted.tobytes(), digest_size=16).digest()
    return _POSITIONS_CACHE.get(key and (key, fieldname, text, wanted_key), read)


def _read_positions_in(
    reader, fieldname: str, text: bytes, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    matcher = _unfiltered(reader.postings(fieldname, text))
    decode = reader.schema[fieldname].format.decode_positions
    docs = wanted.tolist()
    counts: list[int] = []
    flat: list[int] = []

    def take(value: bytes) -> None:
        found = decode(value)
        counts.append(len(found))
        flat.extend(found)

    if not isinstance(matcher, W3LeafMatcher):  # a short list kept with the term
        for doc in docs:
            matcher.skip_to(doc)
            take(matcher.value())
    else:
        at = 0
        while at < len(docs):
            if matcher.block_max_id() >= docs[at]:
                matcher._read_ids()
                matcher._read_values()
                index = {doc: i for i, doc in enumerate(matcher._ids)}
                stop = bisect.bisect_right(docs, matcher.block_max_id(), at)
                for doc in docs[at:stop]:
                    take(matcher._values[index[doc]])
                at = stop
            if at >= len(docs) or matcher._lastblock:
                break
            matcher._next_block()
    return np.asarray(counts, dtype=np.int32), np.asarray(flat, dtype=np.int32)


def term_bytes(schema, fieldname: str, word: str) -> bytes | None:
    """A word as the field stores its terms; None if the schema has no such field or value."""
    if fieldname not in schema:
        return None
    try:
        return schema[fieldname].to_bytes(word)
    except ValueError:
        return None


def live_mask(reader) -> np.ndarray | None:
    """Which of a segment's documents are not deleted; None when none is."""
    if not reader.has_deletions():
        return None
    live = np.ones(reader.doc_count_all(), dtype=bool)
    live[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
    return live


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in the field, as BM25F reads it (Whoosh keeps it in a byte)."""

    def read() -> np.ndarray:
        lengths = column_arrays.field_lengths(reader, fieldname)
        lengths.flags.writeable = False
        return lengths

    key = segment_key(reader)
    return _LENGTHS_CACHE.get(key and (key, fieldname), read)


def _union(parts: list[Scored], size: int) -> Scored:
    """Every document of any part; scores, matched terms and term lists added up.

    `size`: the documents that can occur. Long parts are added up in arrays of that size
    (no sorting); short ones are sorted together.
    """
    leaves = sum(p.leaves for p in parts)
    parts = [p for p in parts if len(p)]
    if not parts:
        return Scored.empty(leaves)
    if len(parts) == 1:
        only = parts[0]
        return Scored(only.docs, only.scores, only.terms, leaves)
    docs = np.concatenate([p.docs for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    terms = np.concatenate([p.terms for p in parts])
    if len(docs) * 16 >= size:
        present = np.bincount(docs, minlength=size)
        unique = np.flatnonzero(present)
        summed = np.bincount(docs, scores, size)[unique]
        counted = np.bincount(docs, terms, size)[unique]
    else:
        unique, where = np.unique(docs, return_inverse=True)
        summed = np.bincount(where, scores, len(unique))
        counted = np.bincount(where, terms, len(unique))
    return Scored(unique, summed, counted.astype(np.int64), leaves)


def _intersection(parts: list[Scored]) -> Scored:
    leaves = sum(p.leaves for p in parts)
    docs = parts[0].docs
    for part in parts[1:]:
        docs = np.intersect1d(docs, part.docs, assume_unique=True)
    scores = np.zeros(len(docs))
    terms = np.zeros(len(docs), dtype=np.int64)
    for part in parts:
        at = np.searchsorted(part.docs, docs)
        scores += part.scores[at]
        terms += part.terms[at]
    return Scored(docs, scores, terms, leaves)


# One segment of a searcher: its subsearcher and the number of its first document.
Leaf = tuple[Any, int]


def segment_groups(searcher, max_docs: int) -> list[list[Leaf]]:
    """The searcher's segments in runs of consecutive ones, each of at most `max_docs` documents
    (a larger segment stands alone)."""
    groups: list[list[Leaf]] = []
    size = 0
    for sub, offset in searcher.leaf_searchers():
        count = sub.reader().doc_count_all()
        if not groups or size + count > max_docs:
            groups.append([])
            size = 0
        groups[-1].append((sub, offset))
        size += count
    return groups


class GroupScorer:
    """Evaluates queries with arrays over a run of segments of `top` (a Whoosh searcher).

    The segments' postings are joined end to end, so a query costs the same handful of array
    operations however many segments the run holds. Document numbers are counted from the
    run's first document (`base` in the searcher).
    """

    def __init__(self, top, leaves: list[Leaf], context, statistics):
        self.top = top
        self.statistics = (
            statistics  # of the whole index's live articles (search.backends.whoosh.statistics)
        )
        self.context = context
        self.weighting = top.weighting
        self.base = leaves[0][1] if leaves else 0
        self.leaves = [(sub, sub.reader(), offset - self.base) for sub, offset in leaves]
        self.size = sum(reader.doc_count_all() for _, reader, _ in self.leaves)
        self._scored_terms: dict[tuple[str, str], tuple[np.ndarray, np.ndarray] | None] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self.live: np.ndarray | None = None  # which documents are not deleted, if any are
        if any(reader.has_deletions() for _, reader, _ in self.leaves):
            self.live = np.ones(self.size, dtype=bool)
            for _, reader, offset in self.leaves:
                if (live := live_mask(reader)) is not None:
                    self.live[offset : offset + len(live)] = live

    def evaluate(self, query: wq.Query) -> Scored:
        if isinstance(query, wq.Term):
            return self._term(query)
        if isinstance(query, wq.Or | wq.And):
            subs = query.subqueries
            if not subs:
                return Scored.empty()
            if len(subs) == 1:  # Whoosh uses the part itself, without boost or bonus
                return self.evaluate(subs[0])
            if query.__class__ is wq.And:
                parts = [self.evaluate(q) for q in subs]
                if any(not len(p) for p in parts):
                    return Scored.empty(sum(p.leaves for p in parts))
                return self._boosted(_intersection(parts), query.boost)
            if query.__class__ is wq.Or and not query.minmatch:
                return self._or([self.evaluate(q) for q in subs], query.boost, query.scale)
        if isinstance(query, wq.AndNot):
            positive = self.evaluate(query.a)
            negative = self.evaluate(query.b)
            if not len(negative):
                return positive
            keep = ~np.isin(positive.docs, negative.docs, assume_unique=True)
            return Scored(
                positive.docs[keep], positive.scores[keep], positive.terms[keep], positive.leaves
            )
        if isinstance(query, wq.Phrase) and self._has_positions(query.fieldname):
            return self._phrase(query)
        if isinstance(query, wq.ConstantScoreQuery):
            inner = self.evaluate(query.child)
            scores = np.full(len(inner), float(query.score))
            return Scored(inner.docs, scores, np.zeros(len(inner), dtype=np.int64), 0)
        return self._through_whoosh(query)

    def _boosted(self, scored: Scored, boost: float) -> Scored:
        if boost != 1.0:
            scored.scores = scored.scores * boost
        return scored

    def _or(self, parts: list[Scored], boost: float, scale: float | None) -> Scored:
        combined = self._boosted(_union(parts, self.size), boost)
        leaves = combined.leaves
        if scale and leaves:
            # Whoosh's CoordMatcher: a bonus for each matched term, over the query's terms
            if leaves == scale:
                combined.scores = np.zeros(len(combined))
            else:
                combined.scores = (
                    combined.scores + (combined.terms - 1) / (leaves - scale) ** 2
                ) * ((leaves - 1) / leaves)
        return combined

    def _term(self, query: wq.Term) -> Scored:
        found = self._bm25(query.fieldname, query.text)
        if found is None:
            return Scored.empty()
        docs, scores = found
        if query.boost != 1.0:
            scores = scores * query.boost
        return Scored(docs, scores, np.ones(len(docs), dtype=np.int64), 1)

    def _bm25(self, fieldname: str, word: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's live documents in this segment and their BM25F scores; None if absent.

        Kept for the query: a word is often scored in several parts of it (as a word, in a
        phrase, in the all-words part).
        """
        key = (fieldname, word)
        if key not in self._scored_terms:
            found = self._read_bm25(fieldname, word)
            if found is not None:
                found[1].flags.writeable = False  # shared by the parts that use it
            self._scored_terms[key] = found
        return self._scored_terms[key]

    def _read_bm25(self, fieldname: str, word: str) -> tuple[np.ndarray, np.ndarray] | None:
        text = term_bytes(self.top.schema, fieldname, word)
        if text is None:
            return None
        field = self.top.schema[fieldname]
        docs, weights = self._postings(fieldname, text)
        if not len(docs):  # not in these segments (a term always has postings where it is)
            return None
        if self.live is not None:
            live = self.live[docs]
            docs, weights = docs[live], weights[live]
        # In 64 bits from here, whatever the cache holds: scores, and document numbers
        # shifted into keys (`_phrase`), as they always were.
        docs, weights = docs.astype(np.int64, copy=False), weights.astype(np.float64, copy=False)
        if not field.scorable:
            return docs, weights
        idf = self.statistics.idf(fieldname, text)
        average = self.statistics.avg_field_length(fieldname) or 1
        b = self.weighting._field_B.get(fieldname, self.weighting.B)
        k1 = self.weighting.K1
        lengths = self._field_lengths(fieldname)[docs]
        norm = k1 * ((1 - b) + b * lengths / average)
        return docs, idf * ((weights * (k1 + 1)) / (weights + norm))  # Whoosh's bm25()

    def _postings(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
        """A term's document numbers and weights in the run, deleted documents included."""
        found = [
            (docs + offset if offset else docs, weights)
            for _, reader, offset in self.leaves
            for docs, weights in [postings(reader, fieldname, text)]
            if len(docs)
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            return _EMPTY_DOCS, _EMPTY_SCORES
        return np.concatenate([d for d, _ in found]), np.concatenate([w for _, w in found])

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        if fieldname not in self._lengths:
            parts = [field_lengths(reader, fieldname) for _, reader, _ in self.leaves]
            self._lengths[fieldname] = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return self._lengths[fieldname]

    def _has_positions(self, fieldname: str) -> bool:
        if fieldname not in self.top.schema:
            return False
        field_format = self.top.schema[fieldname].format
        return bool(field_format) and field_format.supports("positions")

    def _phrase(self, query: wq.Phrase) -> Scored:
        """Articles with the words in order, each 1 to `slop` positions after the last.

        Scored as Whoosh's phrase matcher does: the words' own scores, added up, boosted.
        """
        words = [term_bytes(self.top.schema, query.fieldname, word) for word in query.words]
        if None in words:
            return Scored.empty()
        if not words or not all(self._bm25(query.fieldname, word) for word in query.words):
            return Scored.empty()
        # Positions are read only in the live articles that hold every word: reading them is
        # the slow part, and a frequent word's list is mostly of articles lacking the others.
        # Each word's documents are sorted and distinct: told so, intersect1d does not sort
        # and deduplicate them again (at 10⁶ articles, most of a phrase's time went there).
        together = functools.reduce(
            lambda a, b: np.intersect1d(a, b, assume_unique=True),
            (self._bm25(query.fieldname, word)[0] for word in query.words),
        )
        if not len(together):
            return Scored.empty(len(words))
        # Spans as (document, first position, last position), extended word by word.
        docs, flat = self._occurrences(query.fieldname, words[0], together)
        starts = ends = flat
        for word in words[1:]:
            next_docs, next_flat = self._occurrences(query.fieldname, word, together)
            found = (next_docs << 32) | next_flat
            extended = [
                (docs[hit], starts[hit], ends[hit] + gap)
                for gap in range(1, query.slop + 1)
                if (hit := np.isin((docs << 32) | (ends + gap), found)).any()
            ]
            if not extended:
                return Scored.empty(len(words))
            docs, starts, ends = (np.concatenate(part) for part in zip(*extended, strict=True))
        matched = np.unique(docs)
        if self.live is not None:
            matched = matched[self.live[matched]]
        scores = np.zeros(len(matched))
        for word in query.words:
            word_docs, word_scores = self._bm25(query.fieldname, word)
            scores += word_scores[np.searchsorted(word_docs, matched)]
        terms = np.full(len(matched), len(words), dtype=np.int64)
        return self._boosted(Scored(matched, scores, terms, len(words)), query.boost)

    def _occurrences(
        self, fieldname: str, text: bytes, within: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every (document, position) of a term in the run's documents `within` (sorted), as
        two parallel arrays."""
        deadline = getattr(self.top, "deadline", None)
        if deadline is not None and time.perf_counter() > deadline:
            raise SearchTimeout
        docs, flats = [], []
        for _, reader, offset in self.leaves:
            segment_docs, _weights = postings(reader, fieldname, text)
            if not len(segment_docs):
                continue
            wanted = np.isin(segment_docs + offset, within, assume_unique=True)
            if not wanted.any():
                continue
            if wanted.sum() * _READ_ALL_SHARE >= len(segment_docs):
                counts, flat = positions(reader, fieldname, text)  # all of them, cached
                flat = flat[np.repeat(wanted, counts)]
                counts = counts[wanted]
            else:
                counts, flat = positions_in(reader, fieldname, text, segment_docs[wanted])
            docs.append(np.repeat(segment_docs[wanted].astype(np.int64) + offset, counts))
            flats.append(flat.astype(np.int64))
        if len(docs) <= 1:
            return (docs[0], flats[0]) if docs else (_EMPTY_DOCS, _EMPTY_DOCS)
        return np.concatenate(docs), np.concatenate(flats)

    def _through_whoosh(self, query: wq.Query) -> Scored:
        """A query the arrays do not model: Whoosh's own matcher per segment, read out."""
        docs, scores, terms = [], [], []
        leaves = 0
        for sub, _, offset in self.leaves:
            matcher = query.matcher(sub, self.context)
            leaves = max(leaves, len(list(matcher.term_matchers())))
            while matcher.is_active():
                docs.append(matcher.id() + offset)
                scores.append(matcher.score())
                terms.append(sum(1 for _ in matcher.matching_terms()))
                matcher.next()
        return Scored(
            np.asarray(docs, dtype=np.int64),
            np.asarray(scores, dtype=np.float64),
            np.asarray(terms, dtype=np.int64),
            leaves,
        )
