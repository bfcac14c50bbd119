"""The committer of a frontend over shards: applies its journal's writes to the shards.

The write API journals a write before it answers (`search.writes.journal`, in the frontend's
folder), as on the Whoosh index; this committer applies the oldest writes in one batch, each
id once, and drops them from the journal only once every shard has committed them. A shard
that is down (or will not take a write) fails the batch: the writes wait in the journal, and
the next try, a second later, applies them once the shard is back.
"""

from __future__ import annotations

import logging
from pathlib import Path

from search.config import WRITING
from search.records import article_from_json
from search.userdict import load_for_index
from search.writes.committer import last_of_each_id
from search.writes.journal import Journal, Write

from . import import_xapian
from .connections import ShardsUnavailable
from .shards import ShardAddress
from .writer import ShardWriter

log = logging.getLogger(__name__)


class ShardCommitter:
    """Applies one frontend folder's journal to the shards; the caller holds its writer lock
    (`search.writes.lock`), so that one process at a time commits it."""

    def __init__(self, home: Path, addresses: list[ShardAddress], journal: Journal | None = None):
        self.home = Path(home)
        self.addresses = list(addresses)
        self.journal = journal or Journal(self.home)

    def apply_batch(self, limit: int | None = None) -> int:
        """Commit the oldest pending writes (at most `limit`) on the shards; how many were
        applied. Raises ShardsUnavailable, applying none, where some shard cannot be written."""
        writes = self.journal.pending(limit or WRITING.commit_max_writes)
        if not writes:
            return 0
        load_for_index(self.home)  # cut the articles as queries are cut (userdict.txt)
        failures = self._apply(last_of_each_id(writes))
        self.journal.mark_applied(writes[-1].seq, failures)
        return len(writes)

    def _apply(self, writes: list[Write]) -> dict[int, tuple[str, str]]:
        """Write and commit the batch; the writes that could not be applied at all."""
        xapian = import_xapian()
        failures: dict[int, tuple[str, str]] = {}
        try:
            with ShardWriter(self.addresses) as writer:
                for write in writes:
                    try:
                        if write.op == "put":
                            writer.update(article_from_json(write.body))
                        else:
                            writer.delete([write.doc_id])
                    except xapian.NetworkError:
                        raise
                    except (xapian.Error, ValueError) as exc:  # this write's own trouble
                        log.error(
                            "write %d (id %s) cannot be applied: %s", write.seq, write.doc_id, exc
                        )
                        failures[write.seq] = (write.doc_id, f"{type(exc).__name__}: {exc}")
        except xapian.NetworkError as exc:
            raise ShardsUnavailable(
                f"分片写入中断 (a shard stopped answering: {exc.get_msg()})"
            ) from None
        return failures

    def tend_merges(self) -> None:
        """Nothing to tend: each shard server's Xapian database merges as it commits."""

    def drain(self) -> int:
        """Apply everything the journal holds; how many writes were applied."""
        applied = 0
        while batch := self.apply_batch():
            applied += batch
        return applied

    def close(self, timeout: float = 10.0) -> None:
        pass
