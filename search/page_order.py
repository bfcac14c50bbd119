"""The order a page shows the matches of a ranking query in, whatever engine scored them.

`search.query.ranking_query` marks the articles that hold all the words by adding ALL_WORDS to
their scores, so an engine's best-first order puts them first; the page shows the scores
without the mark, and a plain-word query's best `RANKING.rerank_depth` are ordered again by how
much of the query their titles and texts hold (`search.rerank`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .config import RANKING
from .query import ALL_WORDS, Node, Words
from .rerank import reranked

Doc = TypeVar("Doc")


def reranks(node: Node) -> bool:
    """Whether a query's best matches are ordered again by how much of it they hold: plain
    words, in no one field (search/rerank.py)."""
    return isinstance(node, Words) and node.field is None and RANKING.rerank_depth > 0


def ranking_depth(node: Node, wanted: int) -> int:
    """How many of the best matches to fetch to show the first `wanted` in page order."""
    return max(wanted, RANKING.rerank_depth) if reranks(node) else wanted


def in_page_order(
    node: Node,
    docs: Sequence[Doc],
    scores: Sequence[float],
    titles_and_texts: Callable[[Sequence[Doc]], list[tuple[str, str]]],
) -> tuple[list[Doc], list[float]]:
    """`docs` (best first by their marked `scores`) as the page shows them, with their scores
    as shown; `titles_and_texts` gives the title and text of the first few, for reranking."""
    tiers = [s >= ALL_WORDS for s in scores]  # the articles with all the words first
    shown = [s - ALL_WORDS if tier else s for s, tier in zip(scores, tiers, strict=True)]
    docs = list(docs)
    if not (reranks(node) and docs):
        return docs, shown
    # Only the first `rerank_depth` by score, whatever page is asked for: every page then cuts
    # the same order, and none repeats an article of another.
    head = min(len(docs), RANKING.rerank_depth)
    fields = titles_and_texts(docs[:head])
    titles = [title for title, _ in fields]
    texts = [text[: RANKING.rerank_text_chars] for _, text in fields]
    order = reranked(node.text, shown[:head], titles, tiers[:head], texts)
    order += range(head, len(docs))
    return [docs[i] for i in order], [shown[i] for i in order]
