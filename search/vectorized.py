"""Relevance scores of whole posting lists at once, with numpy: what Whoosh's matchers would give.

Whoosh scores a query one posting at a time in Python, walking a tree of matchers; a short
query of frequent words ("国际 联播" is in nearly every article of a news broadcast archive)
then costs hundreds of milliseconds. Here the same query is evaluated per segment over arrays:
each term's posting list is read once (block by block, kept in a cache since segments never
change), scored with Whoosh's own BM25F statistics (idf, average field length, B, K1), and
combined the way Whoosh combines matchers: OR sums the scores of the parts that match, with
its coordination bonus when the query asks for one; AND keeps the documents in every part;
AND NOT removes; a constant-score part gives its constant. Any other query (phrases read
positions) is run through Whoosh's matcher for that part alone, inside the same deadline.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher

_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)


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


# Caches: a segment's postings and field lengths never change once written.
_POSTINGS_CACHE: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_POSTINGS_CACHE_LIMIT = 4_000_000  # postings kept, ~64 MB
_postings_cached = [0]
_LENGTHS_CACHE: OrderedDict[tuple, np.ndarray] = OrderedDict()
_LENGTHS_CACHE_SIZE = 256
_cache_lock = threading.Lock()


def _segment_key(reader) -> str | None:
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else None


def _read_postings(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """All document numbers and weights of a term in a segment, deleted documents included."""
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deletions are applied by the caller, from the live mask
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
        return np.concatenate(ids), np.concatenate(weights)
    if isinstance(matcher, ListMatcher) and matcher._weights is not None:
        return (
            np.asarray(matcher._ids, dtype=np.int64),
            np.asarray(matcher._weights, dtype=np.float64),
        )
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


def postings(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    segment = _segment_key(reader)
    if segment is None:
        return _read_postings(reader, fieldname, text)
    key = (segment, fieldname, text)
    with _cache_lock:
        found = _POSTINGS_CACHE.get(key)
        if found is not None:
            _POSTINGS_CACHE.move_to_end(key)
            return found
    found = _read_postings(reader, fieldname, text)
    with _cache_lock:
        if key not in _POSTINGS_CACHE:
            _POSTINGS_CACHE[key] = found
            _postings_cached[0] += len(found[0])
        while _postings_cached[0] > _POSTINGS_CACHE_LIMIT and len(_POSTINGS_CACHE) > 1:
            _, (docs, _weights) = _POSTINGS_CACHE.popitem(last=False)
            _postings_cached[0] -= len(docs)
    return found


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in the field, as BM25F reads it (Whoosh keeps it in a byte)."""
    segment = _segment_key(reader)
    key = (segment, fieldname)
    with _cache_lock:
        found = _LENGTHS_CACHE.get(key) if segment is not None else None
    if found is not None:
        return found
    count = reader.doc_count_all()
    found = np.fromiter(
        (reader.doc_field_length(d, fieldname, 1) for d in range(count)),
        dtype=np.float64,
        count=count,
    )
    if segment is not None:
        with _cache_lock:
            _LENGTHS_CACHE[key] = found
            while len(_LENGTHS_CACHE) > _LENGTHS_CACHE_SIZE:
                _LENGTHS_CACHE.popitem(last=False)
    return found


def _union(parts: list[Scored]) -> Scored:
    """Every document of any part; scores and matched-term counts added up."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Scored.empty()
    if len(parts) == 1:
        only = parts[0]
        return Scored(only.docs, only.scores, only.terms, only.leaves)
    docs = np.concatenate([p.docs for p in parts])
    unique, where = np.unique(docs, return_inverse=True)
    scores = np.bincount(where, np.concatenate([p.scores for p in parts]), len(unique))
    terms = np.bincount(where, np.concatenate([p.terms for p in parts]), len(unique))
    leaves = sum(p.leaves for p in parts)
    return Scored(unique, scores, terms.astype(np.int64), leaves)


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


class SegmentScorer:
    """Evaluates queries over one segment of `top` (a Whoosh searcher) with arrays."""

    def __init__(self, top, subsearcher, context):
        self.top = top
        self.sub = subsearcher
        self.reader = subsearcher.reader()
        self.context = context
        self.weighting = top.weighting
        count = self.reader.doc_count_all()
        deleted = self.reader.deleted_docs_set if self.reader.has_deletions() else ()
        self.live = np.ones(count, dtype=bool)
        if deleted:
            self.live[np.fromiter(deleted, dtype=np.int64)] = False
        self.has_deletions = bool(deleted)

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
        leaves = sum(p.leaves for p in parts)
        combined = self._boosted(_union(parts), boost)
        combined.leaves = leaves
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
        schema = self.top.schema
        fieldname = query.fieldname
        if fieldname not in schema:
            return Scored.empty()
        field = schema[fieldname]
        try:
            text = field.to_bytes(query.text)
        except ValueError:
            return Scored.empty()
        if (fieldname, text) not in self.reader:
            return Scored.empty()
        docs, weights = postings(self.reader, fieldname, text)
        if self.has_deletions:
            live = self.live[docs]
            docs, weights = docs[live], weights[live]
        if field.scorable:
            idf = self.top.idf(fieldname, text)
            average = self.top.avg_field_length(fieldname) or 1
            b = self.weighting._field_B.get(fieldname, self.weighting.B)
            k1 = self.weighting.K1
            lengths = field_lengths(self.reader, fieldname)[docs]
            norm = k1 * ((1 - b) + b * lengths / average)
            scores = idf * ((weights * (k1 + 1)) / (weights + norm))  # Whoosh's bm25()
        else:
            scores = weights
        if query.boost != 1.0:
            scores = scores * query.boost
        return Scored(docs, scores, np.ones(len(docs), dtype=np.int64), 1)

    def _through_whoosh(self, query: wq.Query) -> Scored:
        """A query the arrays do not model (a phrase, say): Whoosh's own matcher, read out."""
        matcher = query.matcher(self.sub, self.context)
        leaves = len(list(matcher.term_matchers()))
        docs, scores, terms = [], [], []
        while matcher.is_active():
            docs.append(matcher.id())
            scores.append(matcher.score())
            terms.append(sum(1 for _ in matcher.matching_terms()))
            matcher.next()
        return Scored(
            np.asarray(docs, dtype=np.int64),
            np.asarray(scores, dtype=np.float64),
            np.asarray(terms, dtype=np.int64),
            leaves,
        )
