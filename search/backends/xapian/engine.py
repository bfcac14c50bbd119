"""Searching the Xapian shards: the same queries, page order, hits and facets as the Whoosh
index's `SearchEngine`, over the shards that answer.

What a reader typed is read and compiled by `search.query` and `search.lenient` exactly as for
the Whoosh index, the compiled query translated (`query.to_xapian`), ranked by Xapian's BM25
with the shards' statistics merged, put in page order by `search.page_order` and shown by
`search.hits`. A search that some shard did not answer is flagged partial, the missing shards
named (or refused, see `XAPIAN.partial_results`).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from search.config import LIMITS, RANKING, SERVING, XAPIAN
from search.dates import format_date
from search.documents import Article, Hit, IndexStats, Ranking, SearchResults
from search.facets import Facets
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
from search.suggest import Lexicon, Suggestion, did_you_mean
from search.synonyms import Rules, SynonymStore, expand, expanded
from search.userdict import load_for_index
from search.writes.journal import Journal
from search.writes.journal import exists as journal_exists

from . import import_xapian
from .connections import ShardConnections, ShardRecoveries, ShardsUnavailable
from .documents import NEWEST_SLOT, OLDEST_SLOT, TIE_SLOT, from_document, unique_term
from .facets import FacetSpies, filtered
from .query import term_name, to_xapian
from .reader import last_update
from .shards import ShardAddress
from .vocabulary import Stopped, key_terms, read_vocabulary

log = logging.getLogger(__name__)

# Lexicon builds run in daemon threads; one still inside Xapian when the interpreter finalizes
# crashes it (SWIG's thread state is gone), so at exit they are told to stop and joined.
_EXITING = threading.Event()
_BUILDS: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


@atexit.register
def _stop_lexicon_builds() -> None:
    _EXITING.set()
    for thread in list(_BUILDS):
        thread.join(10)


@dataclass
class XapianPage:
    articles: list[Article]
    scores: list[float]
    total: int
    facets: Facets | None


def weighting():
    """BM25 as the Whoosh index ranks with it (k1, b); Xapian's document length is of the
    whole article, where Whoosh's is each field's."""
    xapian = import_xapian()
    return xapian.BM25Weight(RANKING.bm25_k1, 0.0, 1.0, RANKING.bm25_b, 0.5)


class XapianEngine:
    """Searches the articles of Xapian shards as one database; safe to share between threads
    (each thread keeps its own connections)."""

    def __init__(self, addresses: list[ShardAddress], home: Path | None = None):
        """`addresses` in routing order; `home`, a folder for the synonyms (as an index folder
        holds them for the Whoosh backend), or None for none."""
        self.addresses = list(addresses)
        self._local = threading.local()
        self._recoveries = ShardRecoveries()  # shared by every thread's connections
        self._lexicon: Lexicon | None = None
        self._lexicon_at = 0.0  # when the last build started
        self._lexicon_build: threading.Thread | None = None
        self._lexicon_lock = threading.Lock()
        self._home = Path(home) if home is not None else None
        self._synonyms = SynonymStore(self._home) if self._home is not None else None

    # -- the shards ------------------------------------------------------------------------

    def _connections(self) -> ShardConnections:
        connections = getattr(self._local, "connections", None)
        if connections is None:
            connections = ShardConnections(
                self.addresses, XAPIAN.timeout_ms, XAPIAN.retry_seconds, self._recoveries
            )
            self._local.connections = connections
        return connections

    def _run(self, work):
        """`work(database)` over the shards that answer; its result and the missing shards.

        Raises ShardsUnavailable where none answered, or some did not and partial results
        are refused.
        """
        connections = self._connections()
        result, missing = connections.run(work)
        if missing and not XAPIAN.partial_results:
            raise ShardsUnavailable(connections.message())
        return result, missing

    # -- reading a query -------------------------------------------------------------------

    def _read(self, text: str, database) -> tuple[Node, list]:
        """The query tree of what a reader typed, its synonyms attached, and the notes."""
        if self._home is not None:
            load_for_index(self._home)  # cut queries as the articles were cut (userdict.txt)
        read = read_query(text, _vocabulary(database))
        rules = self._synonyms.rules() if self._synonyms is not None else Rules()
        return expand(read.node, rules), list(read.notes)

    def terms_to_mark(self, text: str) -> set[str]:
        """The terms an article page marks for the query it was reached from."""
        try:
            (node, _), _ = self._run(lambda database: self._read(text, database))
        except (QueryError, ShardsUnavailable):
            return set()
        return set(marked_terms(node))

    # -- searching -------------------------------------------------------------------------

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
        filters = filters or Filters()

        def work(database):
            node, notes = self._read(text, database)
            return node, notes, _collect(database, node, page, size, sort, filters)

        (node, notes, found), missing = self._run(work)
        wants_help = found.total == 0 and not missing
        suggestion = self.did_you_mean(text) if wants_help else None
        terms = set(marked_terms(node))
        hits = [hit_of(a, s, terms) for a, s in zip(found.articles, found.scores, strict=True)]
        return SearchResults(
            text,
            found.total,
            page,
            size,
            (time.perf_counter() - started) * 1000,
            hits,
            found.facets,
            suggestion,
            partial=bool(missing),
            notes=notes,
            expanded=expanded(node),
            missing_shards=[str(a) for a in missing],
        )

    def ranked_ids(self, text: str, limit: int) -> Ranking:
        """The ids and scores of the top `limit` articles in the order the page shows them."""

        def work(database):
            node, notes = self._read(text, database)
            found = _collect(database, node, 1, limit, "relevance", Filters(), facets=False)
            return Ranking([a.id for a in found.articles], found.scores, notes)

        ranking, _ = self._run(work)
        return ranking

    def lexicon(self, wait: float = 2.0) -> Lexicon:
        """The shards' words and titles for suggestions, built in the background (in memory,
        in each server process), again at most every `SERVING.lexicon_min_age_seconds` while
        the shards change. Until the first is built (this waits up to `wait` seconds for it)
        the lexicon is empty."""
        with self._lexicon_lock:
            lexicon, building = self._lexicon, self._lexicon_build
            due = lexicon is None or time.monotonic() - self._lexicon_at >= (
                SERVING.lexicon_min_age_seconds
            )
            if due and (building is None or not building.is_alive()) and not _EXITING.is_set():
                self._lexicon_at = time.monotonic()
                building = threading.Thread(target=self._build_lexicon, daemon=True)
                self._lexicon_build = building
                _BUILDS.add(building)
                building.start()
        if lexicon is None and building is not None:
            building.join(wait)
            lexicon = self._lexicon
        return lexicon if lexicon is not None else Lexicon.empty()

    def _build_lexicon(self) -> None:
        def build(database) -> Lexicon | None:
            version = f"{database.get_doccount()}:{database.get_lastdocid()}"
            if self._lexicon is not None and self._lexicon.version == version:
                return None  # nothing changed since
            return Lexicon.build(*read_vocabulary(database, _EXITING), version=version)

        try:
            built, _ = self._run(build)
        except ShardsUnavailable as exc:
            log.warning("suggestion lexicon not built: %s", exc)
            return
        except Stopped:
            return
        finally:
            self.close()  # this thread's connections, before the thread ends
        if built is not None:
            with self._lexicon_lock:
                self._lexicon = built

    def suggest(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Completions of what the user is typing: indexed words (also by pinyin), titles."""
        return self.lexicon().complete(typed[: LIMITS.max_query_chars], limit)

    def did_you_mean(self, text: str) -> str | None:
        """For a query that found nothing: a corrected query, or fewer words, that finds some."""
        lexicon = self.lexicon(wait=0.5)

        def finds_any(words: str) -> bool:
            try:
                found, _ = self._run(lambda database: _finds_any(database, words))
            except ShardsUnavailable:
                return False
            return found

        return did_you_mean(text, lexicon, finds_any)

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one (the words that tell it apart most), best first."""
        xapian = import_xapian()

        def work(database) -> list[Hit]:
            enquire = xapian.Enquire(database)
            enquire.set_query(xapian.Query(unique_term(doc_id)))
            found = enquire.get_mset(0, 1)
            if found.empty():
                return []
            telling = key_terms(database, found[0].docid)[: RANKING.related_terms]
            if not telling:
                return []
            Q = xapian.Query
            query = Q(
                Q.OP_AND_NOT,
                Q(Q.OP_OR, [Q(Q.OP_SCALE_WEIGHT, Q(w), weight) for w, weight in telling]),
                Q(unique_term(doc_id)),
            )
            enquire = xapian.Enquire(database)
            enquire.set_weighting_scheme(weighting())
            enquire.set_query(query)
            enquire.set_sort_by_relevance_then_value(TIE_SLOT, False)
            hits = []
            for item in enquire.get_mset(0, limit * 3):
                shared = sum(1 for _ in enquire.matching_terms(item))
                # One shared word (第四 in 第四年 and 第四名) does not make two articles related.
                if shared >= RANKING.related_min_shared and len(hits) < limit:
                    hits.append(hit_of(from_document(item.document), item.weight, set()))
            return hits

        try:
            hits, _ = self._run(work)
        except ShardsUnavailable:
            return []
        return hits

    def document(self, doc_id: str) -> Article | None:
        """The stored article with this id, or None."""
        xapian = import_xapian()

        def work(database) -> Article | None:
            enquire = xapian.Enquire(database)
            enquire.set_query(xapian.Query(unique_term(doc_id)))
            found = enquire.get_mset(0, 1)
            return None if found.empty() else from_document(found[0].document)

        article, _ = self._run(work)
        return article

    def doc_count(self) -> int:
        count, _ = self._run(lambda database: database.get_doccount())
        return count

    def stats(self) -> IndexStats:
        """How many articles the shards that answer hold, when a commit last changed one,
        and how many acknowledged writes wait in the journal (the shards' size on disk is
        each shard server's, not told over its protocol)."""
        queued = 0
        if self._home is not None and journal_exists(self._home):
            queued = Journal(self._home).backlog().writes
        updates, _ = self._connections().run_each(last_update)
        last = max((u for u in updates if u is not None), default=None)
        when = format_date(datetime.fromtimestamp(last).astimezone()) if last else None
        return IndexStats(
            articles=self.doc_count(),
            index_bytes=None,
            last_update=when,
            queued=queued,
            last_commit=when,
        )

    def close(self) -> None:
        connections = getattr(self._local, "connections", None)
        if connections is not None:
            connections.close()


def _vocabulary(database):
    """Whether an article holds a term, in the title or the text."""

    def known(word: str) -> bool:
        return any(database.term_exists(term_name(field, word)) for field in ("title", "text"))

    return known


def _finds_any(database, text: str) -> bool:
    try:
        node = parse(text, _vocabulary(database))
    except QueryError:
        return False
    return _matches_any(database, to_xapian(to_whoosh(node, strict=False)))


def _common_words(database):
    """Whether a word is in a large share of the articles (see RANKING.common_share)."""
    threshold = RANKING.common_share * max(database.get_doccount(), 1)
    return lambda word: database.get_termfreq(term_name("text", word)) > threshold


def _matches_any(database, query) -> bool:
    xapian = import_xapian()
    enquire = xapian.Enquire(database)
    enquire.set_query(query)
    return not enquire.get_mset(0, 1).empty()


def _collect(
    database,
    node: Node,
    page: int,
    size: int,
    sort: str,
    filters: Filters,
    facets: bool = True,
) -> XapianPage:
    """One page of matches in the order asked for, the exact total and the facets.

    By relevance, the ranking of `ranking_query`, equals by the hash of their ids; by date,
    the articles with all plain words (or, when none has them all, any of them) newest or
    oldest first — as `SearchEngine._collect` orders them.
    """
    xapian = import_xapian()
    offset, wanted = (page - 1) * size, page * size
    if sort == "relevance":
        query = to_xapian(ranking_query(node, _common_words(database)))
    else:
        query = to_xapian(to_whoosh(node, strict=True))
        if has_soft_conjunction(node) and not _matches_any(database, query):
            query = to_xapian(to_whoosh(node, strict=False))
    spies = FacetSpies(filters)
    enquire = xapian.Enquire(database)
    enquire.set_weighting_scheme(weighting())
    enquire.set_query(filtered(query, spies.parts, spies.parts))
    if sort == "relevance":
        enquire.set_sort_by_relevance_then_value(TIE_SLOT, False)
    else:
        enquire.set_sort_by_value(NEWEST_SLOT if sort == "newest" else OLDEST_SLOT, False)
    if facets:
        spies.attach(enquire)
    depth = ranking_depth(node, wanted) if sort == "relevance" else wanted
    # Every match is checked: the total is exact and the spies count them all.
    found = enquire.get_mset(0, depth, database.get_doccount())
    # The documents are read as needed (the page's, the reranked head's), one at a time: see
    # vocabulary.read_vocabulary on MSet.fetch().
    items = list(found)
    articles: dict[int, Article] = {}

    def article(n: int) -> Article:
        if n not in articles:
            articles[n] = from_document(items[n].document)
        return articles[n]

    if sort == "relevance":
        order, scores = in_page_order(
            node,
            range(len(items)),
            [item.weight for item in items],
            lambda ns: [(article(n).title, article(n).text) for n in ns],
        )
    else:
        order, scores = list(range(len(items))), [0.0] * len(items)
    page_of = order[offset:wanted]
    return XapianPage(
        [article(n) for n in page_of],
        scores[offset:wanted],
        found.get_matches_estimated(),
        spies.facets(database, query, weighting()) if facets else None,
    )
