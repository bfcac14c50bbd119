"""Reading the shards whole, one shard at a time: which ids they hold, every article a query
matches, every article a shard holds (for a snapshot), and when each shard last changed.

Unlike a search, which answers with the shards that answer, these readings must be complete:
a shard that is down is a clear error before anything is read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from search.config import XAPIAN
from search.documents import Article

from . import import_xapian
from .connections import ShardsUnavailable
from .documents import from_document, shard_of, unique_term
from .shards import ShardAddress
from .writer import LAST_UPDATE_KEY

_BATCH = 1000  # matches read a page at a time (MSet.fetch() is avoided: see engine.py)


class ShardReader:
    """Read-only connections to every shard, each on its own; close it (or use `with`)."""

    def __init__(self, addresses: list[ShardAddress], timeout_ms: int | None = None):
        xapian = import_xapian()
        self.addresses = list(addresses)
        timeout = timeout_ms if timeout_ms is not None else XAPIAN.timeout_ms
        self._databases = []
        for address in self.addresses:
            try:
                self._databases.append(
                    xapian.remote_open(address.host, address.port, timeout, timeout)
                )
            except xapian.Error as exc:
                self.close()
                raise ShardsUnavailable(
                    f"分片无响应 (shard {address} does not answer: {exc.get_msg()})"
                ) from None

    def holds(self, article_id: str) -> bool:
        """Whether the article's shard holds it, as committed."""
        database = self._databases[shard_of(article_id, len(self._databases))]
        return database.term_exists(unique_term(article_id))

    def count_held(self, ids: list[str]) -> int:
        return sum(self.holds(article_id) for article_id in ids)

    def term_frequency(self, term: str) -> int:
        """How many articles hold the term (a Xapian term: prefixed, as documents.py has it)."""
        return sum(database.get_termfreq(term) for database in self._databases)

    def matching(self, query) -> list[Article]:
        """Every stored article the Xapian query matches, on every shard."""
        xapian = import_xapian()
        found: list[Article] = []
        for database in self._databases:
            enquire = xapian.Enquire(database)
            enquire.set_query(query)
            enquire.set_docid_order(xapian.Enquire.ASCENDING)
            enquire.set_weighting_scheme(xapian.BoolWeight())
            start = 0
            while True:
                page = enquire.get_mset(start, _BATCH)
                found += [from_document(item.document) for item in page]
                if page.size() < _BATCH:
                    break
                start += _BATCH
        return found

    def articles(self, shard: int) -> Iterator[Article]:
        """Every article shard `shard` holds at its newest commit (as of this call), in the
        order it was first written.

        A long read that a writer overtakes (Xapian keeps the revision a reader opened only
        until two more commits) reopens the shard and goes on after the last article read:
        what changed meanwhile may or may not be seen, what was committed before is.
        """
        xapian = import_xapian()
        database = self._databases[shard]
        database.reopen()  # what was committed before this call, whenever the reader opened
        last = 0
        while True:
            try:
                for docid in [p.docid for p in database.postlist("")]:
                    if docid > last:
                        with contextlib.suppress(xapian.DocNotFoundError):  # deleted since
                            article = from_document(database.get_document(docid))
                            yield article
                        last = docid
                return
            except xapian.DatabaseModifiedError:
                database.reopen()

    def doc_counts(self) -> list[int]:
        return [database.get_doccount() for database in self._databases]

    def close(self) -> None:
        xapian = import_xapian()
        for database in self._databases:
            with contextlib.suppress(xapian.Error):
                database.close()
        self._databases = []

    def __enter__(self) -> ShardReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def last_update(database) -> float | None:
    """When a commit last changed this shard (seconds since the epoch), or None if none has
    said so."""
    value = database.get_metadata(LAST_UPDATE_KEY)
    return float(value) if value else None
