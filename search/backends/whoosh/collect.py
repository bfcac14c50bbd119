"""One page of matches in the order asked for, with the exact total and the facets.

The index's segments are scored in runs, each run's matches at once with arrays
(`vectorized`), filtered and counted for the facets (`facet_arrays`); the best of each run are
merged into the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from search.config import LIMITS
from search.facets import Facets
from search.filters import Filters

from .bounded import SearchTimeout
from .facet_arrays import FacetCounter, segment_facts
from .statistics import live_statistics
from .tie_keys import SearchTieKeys, tie_breaks
from .vectorized import GroupScorer, segment_groups


@dataclass
class Page:
    docnums: list[int]
    scores: list[float]
    total: int
    facets: Facets
    partial: bool = False


def collect(searcher, query: wq.Query, filters: Filters, wanted: int, order: str) -> Page:
    """The first `wanted` matches of `query` that pass `filters`, by `order`.

    `order`: "relevance" (highest score first), "newest" or "oldest" (undated last); equals
    in the order of their ids' hashes (`search.id_order`). A search past its deadline (the
    searcher's, checked between runs of segments and as terms are read) returns what the
    finished runs found, flagged partial.
    """
    counter = FacetCounter(filters)
    context = searcher.context(weighting=searcher.weighting)
    docs: list[np.ndarray] = []
    scores: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    statistics = live_statistics(searcher)
    tie_keys = SearchTieKeys(searcher)
    partial = False
    deadline = getattr(searcher, "deadline", None)
    try:
        for n, run in enumerate(segment_groups(searcher, LIMITS.scoring_run_docs)):
            if n and deadline is not None and time.perf_counter() > deadline:
                raise SearchTimeout
            scorer = GroupScorer(searcher, run, context, statistics)
            scored = scorer.evaluate(query)
            facts = segment_facts([reader for _, reader, _ in scorer.leaves])
            allowed = counter.allowed(facts, scored.docs)
            matched, matched_scores = scored.docs[allowed], scored.scores[allowed]
            if order == "relevance":
                key = -matched_scores
            else:
                key = facts.date_keys(matched, newest=order == "newest")
            best = _first(matched, key, wanted, lambda d, base=scorer.base: tie_keys(d + base))
            docs.append(matched[best] + scorer.base)
            scores.append(matched_scores[best])
            keys.append(key[best])
    except SearchTimeout:
        partial = True
    if not docs:
        return Page([], [], counter.total, counter.facets(), partial)
    all_docs, all_keys = np.concatenate(docs), np.concatenate(keys)
    ties = tie_breaks(all_keys, all_docs, tie_keys)
    best = np.lexsort((ties, all_keys))[:wanted]
    page_scores = np.concatenate(scores)[best] if order == "relevance" else np.zeros(len(best))
    return Page(
        all_docs[best].tolist(), page_scores.tolist(), counter.total, counter.facets(), partial
    )


def _first(
    docs: np.ndarray, key: np.ndarray, n: int, tie_keys: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Where the first `n` of `docs` stand, by ascending `key`, ties by `tie_keys` of the docs."""
    candidates = np.arange(len(key))
    if len(key) > n:
        # Only the keys up to the n-th smallest (ties included) can make the page.
        nth = np.partition(key, n - 1)[n - 1]
        candidates = np.flatnonzero(key <= nth)
    keys = key[candidates]
    ties = tie_breaks(keys, docs[candidates], tie_keys)
    return candidates[np.lexsort((ties, keys))][:n]
