"""Running a query against the index: tiered ranking, paging, highlighted hits."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search.config import LIMITS, RANKING, SERVING
from search.dates import format_date
from search.documents import Article, Hit, IndexStats, Ranking, SearchResults
from search.filters import Filters
from search.hits import hit_of
from search.lenient import read_query
from search.page_order import in_page_order, ranking_depth
from search.query import (
    Node,
    QueryError,
    has_soft_conjunction,
    marked_terms,
    parse,
    ranking_query,
    to_whoosh,
)
from search.schema import SEARCH_FIELDS
from search.suggest import Lexicon, Suggestion, did_you_mean, is_key_term, read_vocabulary
from search.synonyms import SynonymStore, expand, expanded
from search.userdict import load_for_index
from search.writes.journal import Journal
from search.writes.journal import exists as journal_exists

from .bounded import BoundedSearcher, SearchTimeout
from .collect import Page, collect
from .index import article_from_stored, fresh_reader, open_index
from .lexicon_file import (
    LEXICON_FILE,
    build_in_subprocess,
    index_version,
    lexicon_path,
    open_lexicon,
)
from .statistics import live_statistics

log = logging.getLogger(__name__)


def _matches_any(searcher: Searcher, query: wq.Query | None) -> bool:
    """Whether any article matches: the first match is enough, no scoring, no counting.

    Out of time (SearchTimeout), the answer is no.
    """
    if query is None:
        return False
    context = searcher.boolean_context()
    try:
        return any(query.matcher(sub, context).is_active() for sub, _ in searcher.leaf_searchers())
    except SearchTimeout:
        return False


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
        # Searches take turns at the CPU work. Python runs one thread at a time anyway; left
        # to compete for it, 8 server threads answered half as many searches a second as one.
        self._turn = threading.Lock()
        self._weighting = BM25F(B=RANKING.bm25_b, K1=RANKING.bm25_k1)
        self._lexicon: Lexicon | None = None
        self._lexicon_lock = threading.Lock()
        self._lexicon_build: threading.Thread | None = None
        self._journal: Journal | None = None  # opened once a write was journaled
        self._synonyms = SynonymStore(self.index_dir)

    def _new_searcher(self, previous: BoundedSearcher | None = None) -> BoundedSearcher:
        reader = fresh_reader(self._index, previous.reader() if previous else None)
        return BoundedSearcher(reader, weighting=self._weighting, fromindex=self._index)

    @staticmethod
    @contextmanager
    def _time_limit(searcher: BoundedSearcher, seconds: float):
        """Searches on `searcher` inside the block stop (SearchTimeout) after `seconds`."""
        searcher.deadline = time.perf_counter() + seconds
        try:
            yield
        finally:
            searcher.deadline = None

    def searcher(self) -> BoundedSearcher:
        """This thread's searcher, on the newest commit of the index."""
        current = getattr(self._local, "searcher", None)
        if current is None:
            current = self._new_searcher()
        elif not current.up_to_date():
            load_for_index(self.index_dir)  # words added since are in the new commit too
            current = self._new_searcher(previous=current)
        self._local.searcher = current
        return current

    def _read(self, text: str, searcher: Searcher) -> tuple[Node, list]:
        """The query tree of what a reader typed, its synonyms attached, and the notes."""
        read = read_query(text, self._vocabulary(searcher))
        return expand(read.node, self._synonyms.rules()), list(read.notes)

    def terms_to_mark(self, text: str) -> set[str]:
        """The terms an article page marks for the query it was reached from."""
        try:
            node, _ = self._read(text, self.searcher())
        except QueryError:
            return set()
        return set(marked_terms(node))

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def search(
        self,
        text: str,
        page: int = 1,
        size: int | None = None,
        sort: str = "relevance",
        filters: Filters | None = None,
    ) -> SearchResults:
        """One page of ranked, highlighted results for a user's query string, with facets."""
        started = time.perf_counter()
        size = size or LIMITS.default_page_size
        searcher = self.searcher()
        node, notes = self._read(text, searcher)
        with self._turn, self._time_limit(searcher, LIMITS.search_seconds):
            page_of = self._collect(searcher, node, page, size, sort, filters or Filters())
            wants_help = page_of.total == 0 and not page_of.partial
            suggestion = self.did_you_mean(text) if wants_help else None
        terms = set(marked_terms(node))
        with self._turn:
            hits = [
                self._hit(searcher, d, s, terms)
                for d, s in zip(page_of.docnums, page_of.scores, strict=True)
            ]
        took_ms = (time.perf_counter() - started) * 1000
        return SearchResults(
            text,
            page_of.total,
            page,
            size,
            took_ms,
            hits,
            page_of.facets,
            suggestion,
            partial=page_of.partial,
            notes=notes,
            expanded=expanded(node),
        )

    def ranked_ids(self, text: str, limit: int) -> Ranking:
        """The ids and scores of the top `limit` articles in the order the page shows them,
        without highlighting: for batch runs."""
        searcher = self.searcher()
        node, notes = self._read(text, searcher)
        page_of = self._collect(searcher, node, 1, limit, "relevance", Filters())
        ids = [searcher.stored_fields(d)["id"] for d in page_of.docnums]
        return Ranking(ids, list(page_of.scores), notes)

    @staticmethod
    def _common_words(searcher: Searcher):
        """Whether a word is in a large share of the articles (see RANKING.common_share)."""
        statistics = live_statistics(searcher)
        threshold = RANKING.common_share * max(statistics.doc_count, 1)
        return lambda word: statistics.word_frequency("text", word) > threshold

    @staticmethod
    def _vocabulary(searcher: Searcher):
        """Whether a live article holds a term, in the title or the text."""
        statistics = live_statistics(searcher)

        def known(word: str) -> bool:
            return any(statistics.word_frequency(field, word) for field in SEARCH_FIELDS)

        return known

    def _collect(
        self, searcher: Searcher, node: Node, page: int, size: int, sort: str, filters: Filters
    ) -> Page:
        """One page of matches in the order asked for, the exact total and the facets.

        By relevance, the ranking of `ranking_query`; by date, the articles with all plain
        words (or, when none has them all, any of them) newest or oldest first.
        """
        offset, wanted = (page - 1) * size, page * size
        if sort == "relevance":
            query = ranking_query(node, self._common_words(searcher))
        else:
            query = to_whoosh(node, strict=True)
            if has_soft_conjunction(node) and not _matches_any(searcher, query):
                query = to_whoosh(node, strict=False)
        depth = ranking_depth(node, wanted) if sort == "relevance" else wanted
        found = collect(searcher, query, filters, depth, sort)
        docnums, scores = found.docnums, found.scores
        if sort == "relevance":

            def titles_and_texts(docs: list[int]) -> list[tuple[str, str]]:
                stored = [searcher.stored_fields(d) for d in docs]
                return [(s.get("title", ""), s.get("text", "")) for s in stored]

            docnums, scores = in_page_order(node, docnums, scores, titles_and_texts)
        return replace(found, docnums=docnums[offset:wanted], scores=scores[offset:wanted])

    def _hit(self, searcher: Searcher, docnum: int, score: float, terms: set[str]) -> Hit:
        return hit_of(article_from_stored(searcher.stored_fields(docnum)), score, terms)

    def lexicon(self, wait: float = 2.0) -> Lexicon:
        """The index's words and titles for suggestions, built in the background.

        A build takes seconds at tens of thousands of articles; it runs in a process of its own
        and writes a file beside the index that every server process reads (see
        `lexicon_file`). Until the first one is there (this waits up to `wait` seconds for it;
        a small index is ready by then) the lexicon is empty; after a new commit the
        previous one answers while the next is built.
        """
        version = index_version(self.searcher().reader())
        with self._lexicon_lock:
            if self._lexicon is None or self._lexicon.version != version:
                self._refresh_lexicon(version)
            lexicon, building = self._lexicon, self._lexicon_build
        if lexicon is None and building is not None:
            building.join(wait)
            with self._lexicon_lock:
                if self._lexicon is None and not building.is_alive():
                    self._refresh_lexicon(version)
                lexicon = self._lexicon
        return lexicon if lexicon is not None else Lexicon.empty()

    def _refresh_lexicon(self, version: str) -> None:
        """Take the file's lexicon if it is newer; build the current one unless a build runs.

        The file only ever moves forward (a build reads the index's latest commit), so one
        that differs from the lexicon at hand is newer.

        Called with the lexicon lock held.
        """
        if self._lexicon_build is not None and self._lexicon_build.is_alive():
            return
        on_disk = open_lexicon(self.index_dir)
        if on_disk is not None and (
            self._lexicon is None or on_disk.version != self._lexicon.version
        ):
            self._lexicon = on_disk
        if on_disk is None or (on_disk.version != version and self._lexicon_is_old()):
            self._lexicon_build = threading.Thread(target=self._build_lexicon, daemon=True)
            self._lexicon_build.start()

    def _lexicon_is_old(self) -> bool:
        """Whether the lexicon file is old enough to be built again (writes over HTTP commit
        every second; suggestions may lag a minute behind them)."""
        try:
            age = time.time() - lexicon_path(self.index_dir).stat().st_mtime
        except OSError:
            return True
        return age >= SERVING.lexicon_min_age_seconds

    def _build_lexicon(self) -> None:
        problem = build_in_subprocess(self.index_dir)
        if problem is None:
            return
        # The folder may be read-only to this process: then each process keeps its own.
        log.warning(
            "suggestion lexicon not written to %s (%s); built in memory", LEXICON_FILE, problem
        )
        reader = self.searcher().reader()
        built = Lexicon.build(*read_vocabulary(reader), version=index_version(reader))
        with self._lexicon_lock:
            self._lexicon = built

    def suggest(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Completions of what the user is typing: indexed words (also by pinyin), titles."""
        return self.lexicon().complete(typed[: LIMITS.max_query_chars], limit)

    def did_you_mean(self, text: str) -> str | None:
        """For a query that found nothing: a corrected query, or fewer words, that finds some."""
        searcher = self.searcher()
        lexicon = self.lexicon(wait=0.5)  # a search waits less
        return did_you_mean(text, lexicon, lambda words: self._finds_any(searcher, words))

    def _finds_any(self, searcher: Searcher, text: str) -> bool:
        try:
            node = parse(text, self._vocabulary(searcher))
        except QueryError:
            return False
        return _matches_any(searcher, to_whoosh(node, strict=False))

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one (its most telling words), best first."""
        searcher = self.searcher()
        stored = searcher.document(id=doc_id)
        if stored is None:
            return []
        text = f"{stored.get('title', '')}\n{stored.get('text', '')}"
        key_terms = [
            (word, weight)
            for word, weight in searcher.key_terms_from_text("text", text, numterms=40)
            if is_key_term(word)
        ][: RANKING.related_terms]
        if not key_terms:
            return []
        query = wq.Or([wq.Term("text", word, boost=weight) for word, weight in key_terms])
        try:
            with self._time_limit(searcher, LIMITS.search_seconds):
                results = searcher.search(
                    query, limit=limit * 3, mask=wq.Term("id", doc_id), terms=True
                )
        except SearchTimeout:
            return []
        # One shared word (第四 in 第四年 and 第四名) does not make two articles related.
        alike = [h for h in results if len(h.matched_terms()) >= RANKING.related_min_shared]
        return [self._hit(searcher, hit.docnum, hit.score, set()) for hit in alike[:limit]]

    def stats(self) -> IndexStats:
        """How many articles the index holds, its size on disk, when it last changed, and how
        many acknowledged writes are not searchable yet."""
        # Stat'ed once: a commit may remove files (merged segments) while this reads them.
        files = {}
        for entry in os.scandir(self.index_dir):
            with contextlib.suppress(FileNotFoundError):
                if entry.is_file():
                    files[entry.name] = entry.stat()
        # The suggestion lexicon is written after a commit, not by it; the journal, keys and
        # lock files change without the articles changing.
        changed = (st.st_mtime for name, st in files.items() if name.startswith(("_", "MAIN_")))
        last = max(changed, default=None)
        tocs = [st.st_mtime for name, st in files.items() if name.endswith(".toc")]

        def when(stamp: float | None) -> str | None:
            return format_date(datetime.fromtimestamp(stamp).astimezone()) if stamp else None

        return IndexStats(
            articles=self.doc_count(),
            index_bytes=sum(st.st_size for st in files.values()),
            last_update=when(last),
            queued=self._queued_writes(),
            last_commit=when(max(tocs, default=None)),
        )

    def _queued_writes(self) -> int:
        """Writes acknowledged over HTTP and not yet searchable (0 where none were ever sent)."""
        if self._journal is None:
            if not journal_exists(self.index_dir):
                return 0
            self._journal = Journal(self.index_dir)
        return self._journal.backlog().writes

    def document(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        stored = self.searcher().document(id=doc_id)
        return article_from_stored(stored) if stored is not None else None

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
