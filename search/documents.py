"""The data that flows through zhsearch: articles going in, hits coming out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from .dates import format_date

if TYPE_CHECKING:
    from .facets import Facets

# The orders a search can give its hits: by relevance, or by date either way.
SORTS = ("relevance", "newest", "oldest")


@dataclass
class Article:
    """One article as the indexer hands it to the index."""

    id: str
    title: str
    text: str
    url: str = ""
    date: datetime | None = None
    author: str = ""
    source: str = ""
    category: str = ""
    path: str = ""  # the file it came from, for incremental indexing

    def to_dict(self) -> dict:
        """The article as the API shows it (without the server-side file path)."""
        fields = asdict(self)
        del fields["path"]
        fields["date"] = format_date(self.date)
        return fields


@dataclass
class Hit:
    """One ranked result, with HTML-escaped, `<mark>`-highlighted title and snippet."""

    id: str
    title: str
    url: str
    date: str | None
    score: float
    title_html: str
    snippet_html: str
    author: str = ""
    source: str = ""
    category: str = ""

    def to_dict(self) -> dict:
        return dict(vars(self))  # flat: no nested values to convert, as asdict would


@dataclass
class SearchResults:
    """A page of results for one query."""

    query: str
    total: int
    page: int
    size: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    facets: Facets | None = None
    # A corrected query ("did you mean") when this one found little.
    suggestion: str | None = None
    # The search ran out of time (see SearchLimits.search_seconds): the hits are the best of
    # the articles it got to, the total and facets count those.
    partial: bool = False
    # How the query was read other than as typed (search.lenient): as plain words, or cut.
    notes: list = field(default_factory=list)
    # The synonyms each query word was also searched with (search.synonyms).
    expanded: dict[str, list[str]] = field(default_factory=dict)
    # The shards that did not answer (host:port), on a backend of shards: the hits, total and
    # facets are those of the others, and `partial` is true.
    missing_shards: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "took_ms": round(self.took_ms, 2),
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": self.facets.to_dict() if self.facets else None,
            "suggestion": self.suggestion,
            "partial": self.partial,
            "notes": [note.to_dict() for note in self.notes],
            "expanded": self.expanded,
            "missing_shards": self.missing_shards,
        }


@dataclass
class Ranking:
    """A query's top articles, in the order the page shows them (for batch runs)."""

    ids: list[str]
    # As the page shows them: ranking in tiers (all the words first) leaves them not always
    # decreasing down the list; `search.runs` writes them so that they are.
    scores: list[float]
    notes: list = field(default_factory=list)  # as SearchResults.notes


@dataclass
class IndexStats:
    articles: int
    index_bytes: int | None  # None where the articles are on shard servers
    last_update: str | None  # ISO 8601, +08:00
    queued: int = 0  # writes acknowledged over HTTP, not yet searchable
    last_commit: str | None = None  # when the index's newest commit was written

    def to_dict(self) -> dict:
        return asdict(self)
