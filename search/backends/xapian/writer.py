"""Writing articles to the Xapian shards: each to the shard of its id's hash.

Every shard is opened for writing at the start (a shard that is down is a clear error before
anything is written), each article replaces the one of its id on its shard (or is added), and
a commit commits every shard. Xapian commits each shard on its own: a commit interrupted
between two shards leaves the first committed, which a run that writes the same articles again
mends (replacing an article with itself changes nothing a search sees).
"""

from __future__ import annotations

from collections.abc import Iterable

from search.config import XAPIAN
from search.documents import Article

from . import import_xapian
from .connections import ShardsUnavailable
from .documents import shard_of, to_document, unique_term
from .shards import ShardAddress


class ShardWriter:
    """Adds, replaces and deletes articles on the shards; commits them on leaving a `with`
    block without an error, and drops what was not committed otherwise."""

    def __init__(self, addresses: list[ShardAddress], timeout_ms: int | None = None):
        xapian = import_xapian()
        self.addresses = list(addresses)
        timeout = timeout_ms if timeout_ms is not None else XAPIAN.timeout_ms
        self._databases = []
        for address in self.addresses:
            try:
                database = xapian.remote_open_writable(address.host, address.port, timeout, timeout)
            except xapian.Error as exc:
                self.close()
                raise ShardsUnavailable(
                    f"分片无法写入 (shard {address} cannot be written to: {exc.get_msg()})"
                ) from None
            # Writes wait in a transaction until `commit`: closed without one, they are dropped
            # (Xapian commits a database closed outside a transaction).
            database.begin_transaction(True)
            self._databases.append(database)

    def _shard(self, article_id: str):
        return self._databases[shard_of(article_id, len(self._databases))]

    def holds(self, article_id: str) -> bool:
        """Whether the article's shard holds it (as committed, or written in this session)."""
        return self._shard(article_id).term_exists(unique_term(article_id))

    def update(self, article: Article) -> None:
        """Add the article, or replace the one with its id."""
        self._shard(article.id).replace_document(unique_term(article.id), to_document(article))

    add = update  # replacing by the id term adds where there is nothing to replace

    def delete(self, ids: Iterable[str]) -> int:
        """Delete these articles; how many of them the shards held."""
        deleted = 0
        for article_id in ids:
            if self.holds(article_id):
                self._shard(article_id).delete_document(unique_term(article_id))
                deleted += 1
        return deleted

    def commit(self) -> None:
        """Make the writes so far searchable, shard by shard."""
        for database in self._databases:
            database.commit_transaction()
            database.begin_transaction(True)

    def cancel(self) -> None:
        """Drop the writes not committed yet."""
        for database in self._databases:
            database.cancel_transaction()
            database.begin_transaction(True)

    def close(self) -> None:
        for database in self._databases:
            database.close()
        self._databases = []

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self.commit()
        finally:
            self.close()
