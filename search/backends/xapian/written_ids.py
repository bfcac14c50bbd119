"""What an indexing run into Xapian shards knows of the ids already written: asked of the
shard each id goes to (a set of them all could not be had at this size), and remembered for
the ids this run wrote or deleted, which may not be committed yet."""

from __future__ import annotations

from collections.abc import Iterable

from .reader import ShardReader


class ShardIds:
    """The ids the shards hold, as a run's `known_ids` (`in`, `add`, `-=`)."""

    def __init__(self, reader: ShardReader):
        self.reader = reader
        self.written: set[str] = set()
        self.removed: set[str] = set()

    def __contains__(self, article_id: str) -> bool:
        if article_id in self.written:
            return True
        return article_id not in self.removed and self.reader.holds(article_id)

    def add(self, article_id: str) -> None:
        self.written.add(article_id)
        self.removed.discard(article_id)

    def __isub__(self, ids: Iterable[str]) -> ShardIds:
        ids = set(ids)
        self.written -= ids
        self.removed |= ids
        return self
