"""Writing articles to the Xapian shards: each to the shard of its id's hash.

Every shard is opened for writing at the start (a shard that is down is a clear error before
anything is written), each article replaces the one of its id on its shard (or is added), and
a commit commits every shard. Xapian commits each shard on its own: a commit interrupted
between two shards leaves the first committed, which a run that writes the same articles again
mends (replacing an article with itself changes nothing a search sees).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable

from search.config import XAPIAN
from search.documents import Article

from . import import_xapian
from .connections import ShardsUnavailable
from .documents import shard_of, to_document, unique_term
from .shards import ShardAddress

# The shard's metadata key for when a commit last changed it (seconds since the epoch).
LAST_UPDATE_KEY = "zhsearch.last_update"


class ShardWriter:
    """Adds, replaces and deletes articles on the shards; commits them on leaving a `with`
    block without an error, and drops what was not committed otherwise."""

    def __init__(self, addresses: list[ShardAddress], timeout_ms: int | None = None):
        xapian = import_xapian()
        self.addresses = list(addresses)
        timeout = timeout_ms if timeout_ms is not None else XAPIAN.timeout_ms
        self._databases = []
        self._changed: set[int] = set()  # the shards written to since the last commit
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

    def _changing(self, article_id: str):
        shard = shard_of(article_id, len(self._databases))
        self._changed.add(shard)
        return self._databases[shard]

    def holds(self, article_id: str) -> bool:
        """Whether the article's shard holds it (as committed, or written in this session)."""
        return self._shard(article_id).term_exists(unique_term(article_id))

    def update(self, article: Article) -> None:
        """Add the article, or replace the one with its id."""
        self._changing(article.id).replace_document(unique_term(article.id), to_document(article))

    add = update  # replacing by the id term adds where there is nothing to replace

    def delete(self, ids: Iterable[str]) -> int:
        """Delete these articles; how many of them the shards held."""
        deleted = 0
        for article_id in ids:
            if self.holds(article_id):
                self._changing(article_id).delete_document(unique_term(article_id))
                deleted += 1
        return deleted

    def commit(self) -> None:
        """Make the writes so far searchable, shard by shard."""
        now = f"{time.time():.6f}"
        for shard, database in enumerate(self._databases):
            if shard in self._changed:
                database.set_metadata(LAST_UPDATE_KEY, now)
            database.commit_transaction()
            database.begin_transaction(True)
        self._changed.clear()

    def cancel(self) -> None:
        """Drop the writes not committed yet."""
        for database in self._databases:
            database.cancel_transaction()
            database.begin_transaction(True)
        self._changed.clear()

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


class ShardSession:
    """The shards' writer as a command-line run uses it (as `IndexWriterSession` for the
    Whoosh index): `update` / `add` / `delete`, a commit every `commit_every` changes and one
    on leaving the `with` block, an interrupted run included — what was handed over is kept."""

    def __init__(
        self,
        addresses: list[ShardAddress],
        commit_every: int,
        on_commit: Callable[[], None] | None = None,
    ):
        self.writer = ShardWriter(addresses)
        self.commit_every = commit_every
        self.on_commit = on_commit
        self.changes = 0

    def _changed(self, n: int = 1) -> None:
        self.changes += n
        if self.changes >= self.commit_every:
            self.commit()

    def commit(self) -> None:
        self.writer.commit()
        self.changes = 0
        if self.on_commit is not None:
            self.on_commit()

    def update(self, article: Article) -> None:
        self.writer.update(article)
        self._changed()

    add = update

    def delete(self, ids: Iterable[str]) -> int:
        deleted = self.writer.delete(ids)
        self._changed(deleted)
        return deleted

    def cancel(self) -> None:
        self.writer.cancel()
        self.changes = 0

    def __enter__(self) -> ShardSession:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self.commit()
            else:
                # What was handed over is kept, whatever ended the run (Ctrl-C included);
                # the error that ended it is the one to see, not a commit's that follows it.
                with contextlib.suppress(Exception):
                    self.commit()
        finally:
            self.writer.close()
