"""Which segments a command-line commit merges: Whoosh's small-segment policy, with a bound.

Whoosh's MERGE_SMALL merges the smallest segments up to the first point where their total is
under a Fibonacci number of their count. Among a few segments that means a few small ones;
among the dozens of 50,000-article segments a large batch leaves (`builders.py`) it is
satisfied only far up the list, and then merges nearly all of them: with twenty such segments
(10⁶ articles) and ten small ones from later runs, one small run's commit would merge 760,000
articles in the foreground, at Whoosh's 100–200 articles a second. Here the same rule is
applied to the segments under `INDEXING.segment_docs` articles, and a merge stops short of that
many: a commit merges at most one segment's worth, and never the large segments.
"""

from __future__ import annotations

from whoosh.reading import SegmentReader
from whoosh.util import fib

from search.config import INDEXING

_FEWEST = 5  # Whoosh's rule merges no fewer (its `i > 3`)


def small_merge(segments, cap: int | None = None) -> list:
    """The segments to merge (none, or at least five), by Whoosh's rule over the segments
    smaller than `cap` articles, their total under `cap`."""
    cap = cap or INDEXING.segment_docs
    small = sorted(
        (s for s in segments if s.doc_count_all() < cap), key=lambda s: s.doc_count_all()
    )
    chosen, total = [], 0
    for i, segment in enumerate(small):
        total += segment.doc_count_all()
        if total >= cap:
            return []
        chosen.append(segment)
        if i >= _FEWEST - 1 and total < fib(i + 5):
            return chosen
    return []


def bounded_merge_small(writer, segments) -> list:
    """A Whoosh `mergetype`: merge `small_merge`'s choice into the writer's new segment."""
    chosen = small_merge(segments)
    if not chosen:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    merged = {s.segment_id() for s in chosen}
    return [s for s in segments if s.segment_id() not in merged]
