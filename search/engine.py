"""Running a query against the index: tiered ranking, paging, highlighted hits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from whoosh import collectors
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from .config import LIMITS, RANKING
from .documents import Article, Hit, SearchResults, format_date
from .highlight import highlight, snippet
from .index import article_from_stored, open_index
from .query import (
    ALL_WORDS,
    Node,
    has_soft_conjunction,
    parse,
    positive_terms,
    ranking_query,
    to_whoosh,
)
from .schema import SEARCH_FIELDS
from .userdict import load_for_index

SORTS = ("relevance", "newest", "oldest")


class SearchEngine:
    """Searches one index folder; safe to share between threads.

    Each thread keeps its own Whoosh searcher and refreshes it before every query, so a
    commit by a running indexer is picked up without a restart.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self._index = open_index(self.index_dir)
        load_for_index(self.index_dir)
        self._local = threading.local()
        self._weighting = BM25F(B=RANKING.bm25_b, K1=RANKING.bm25_k1)

    def searcher(self) -> Searcher:
        """This thread's searcher, on the newest commit of the index."""
        current = getattr(self._local, "searcher", None)
        if current is None:
            current = self._index.searcher(weighting=self._weighting)
        elif not current.up_to_date():
            load_for_index(self.index_dir)  # words added since are in the new commit too
            current = current.refresh()
        self._local.searcher = current
        return current

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def search(
        self, text: str, page: int = 1, size: int | None = None, sort: str = "relevance"
    ) -> SearchResults:
        """One page of ranked, highlighted results for a user's query string."""
        started = time.perf_counter()
        size = size or LIMITS.default_page_size
        searcher = self.searcher()
        node = parse(text, self._vocabulary(searcher))
        docnums, scores, total = self._rank(searcher, node, page, size, sort)
        terms = set(positive_terms(node))
        hits = [self._hit(searcher, d, s, terms) for d, s in zip(docnums, scores, strict=True)]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResults(text, total, page, size, took_ms, hits)

    def ranked_ids(self, text: str, limit: int) -> list[tuple[str, float]]:
        """(id, score) of the top `limit` articles, without highlighting: for batch runs."""
        searcher = self.searcher()
        node = parse(text, self._vocabulary(searcher))
        docnums, scores, _ = self._rank(searcher, node, 1, limit, "relevance")
        return [(searcher.stored_fields(d)["id"], s) for d, s in zip(docnums, scores, strict=True)]

    @staticmethod
    def _vocabulary(searcher: Searcher):
        """Whether the index holds a term, in the title or the text."""
        reader = searcher.reader()

        def known(word: str) -> bool:
            return any(reader.doc_frequency(field, word) for field in SEARCH_FIELDS)

        return known

    def _rank(
        self, searcher: Searcher, node: Node, page: int, size: int, sort: str
    ) -> tuple[list[int], list[float], int]:
        if sort == "relevance":
            return self._ranked(searcher, node, page, size)
        return self._by_date(searcher, node, page, size, sort)

    def _ranked(
        self, searcher: Searcher, node: Node, page: int, size: int
    ) -> tuple[list[int], list[float], int]:
        """One page of the relevance ranking (see `ranking_query`), with the exact total."""
        offset, wanted = (page - 1) * size, page * size
        # No skipping or matcher replacement: the collector then sees, and counts, every
        # match in the same pass, so the total is exact without a second search.
        collector = collectors.TopCollector(wanted, usequality=False, replace=0)
        searcher.search_with_collector(ranking_query(node), collector)
        results = collector.results()
        hits = list(results)[offset:wanted]
        scores = [h.score - ALL_WORDS if h.score >= ALL_WORDS else h.score for h in hits]
        return [h.docnum for h in hits], scores, len(results)

    def _by_date(
        self, searcher: Searcher, node: Node, page: int, size: int, sort: str
    ) -> tuple[list[int], list[float], int]:
        """Matching articles by date; all plain words required unless none has them all."""
        query = to_whoosh(node, strict=True)
        if has_soft_conjunction(node) and searcher.search(query, limit=1).is_empty():
            query = to_whoosh(node, strict=False)
        results = searcher.search_page(
            query, page, pagelen=size, sortedby="date", reverse=sort == "newest"
        )
        hits = list(results)
        return [h.docnum for h in hits], [h.score or 0.0 for h in hits], len(results)

    def _hit(self, searcher: Searcher, docnum: int, score: float, terms: set[str]) -> Hit:
        stored = searcher.stored_fields(docnum)
        title = stored.get("title", "")
        return Hit(
            id=stored["id"],
            title=title,
            url=stored.get("url", ""),
            date=format_date(stored.get("date")),
            score=round(float(score), 4),
            title_html=highlight(title, terms),
            snippet_html=snippet(stored.get("text", ""), terms, LIMITS.snippet_chars),
            author=stored.get("author", ""),
            source=stored.get("source", ""),
            category=stored.get("category", ""),
        )

    def document(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        stored = self.searcher().document(id=doc_id)
        return article_from_stored(stored) if stored is not None else None

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
