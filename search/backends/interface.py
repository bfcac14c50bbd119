"""What a backend gives the rest of zhsearch: an engine to search, a session to write.

The web layer, the command line and the write path hold these, never a backend's own classes;
`open_engine` gives the engine, `search.writes.route` the writing session. Analysis, query
reading, page order, highlighting and facet counting are shared: a backend turns the compiled
query into its own, keeps the articles and their terms, and answers these calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from search.documents import Article, Hit, IndexStats, Ranking, SearchResults
from search.filters import Filters
from search.suggest import Suggestion


class SearchBackend(Protocol):
    """Searching the articles: a page of hits, batch rankings, one article, its neighbours."""

    def search(
        self,
        text: str,
        page: int = 1,
        size: int | None = None,
        sort: str = "relevance",
        filters: Filters | None = None,
    ) -> SearchResults:
        """One page of ranked, highlighted hits for a reader's query, with facets."""

    def ranked_ids(self, text: str, limit: int) -> Ranking:
        """The top `limit` ids and scores in page order, unhighlighted (batch runs)."""

    def document(self, doc_id: str) -> Article | None:
        """The stored article of an id, or None."""

    def related(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Articles about what the article of `doc_id` is about."""

    def suggest(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Completions of what a reader has typed so far."""

    def did_you_mean(self, text: str) -> str | None:
        """A query like `text` that finds something, where `text` finds nothing."""

    def terms_to_mark(self, text: str) -> set[str]:
        """The terms an article page marks for the query it was reached from."""

    def doc_count(self) -> int:
        """How many live articles there are."""

    def stats(self) -> IndexStats:
        """Articles, size on disk (where the backend can tell) and the last change."""

    def close(self) -> None:
        """Let go of readers and connections."""


class WriterSession(Protocol):
    """Writing articles: each call is part of the next commit; leaving the `with` block
    commits what was handed over (an interrupted run included)."""

    def update(self, article: Article) -> None:
        """Add the article, replacing any with its id."""

    def add(self, article: Article) -> None:
        """Add an article known to be new (no lookup of an older version)."""

    def delete(self, ids: Iterable[str]) -> int:
        """Delete the articles of these ids; how many there were."""

    def commit(self) -> None:
        """Make everything handed over so far searchable and durable."""

    def cancel(self) -> None:
        """Drop what was handed over since the last commit."""

    def __enter__(self) -> WriterSession: ...

    def __exit__(self, kind, value, traceback) -> None: ...
