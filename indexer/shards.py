"""An indexing run into Xapian shards: the files read as for the Whoosh index, each article
written to the shard of its id's hash, committed every `commit_every` changes.

The source files' digests are kept in the frontend's folder (`home`), so a re-run skips the
files that did not change, as it does for the Whoosh index; an id is known when its shard holds
it (one lookup an article, on the shard it goes to).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from search.backends.xapian.shards import ShardAddress
from search.backends.xapian.writer import ShardWriter
from search.config import INDEXING
from search.documents import Article
from search.userdict import load_for_index

from .pipeline import IndexRun, IndexSummary
from .progress import Progress
from .readers import find_files


class _HeldIds:
    """The ids the shards hold, asked of the shards (a set of them all could not be had)."""

    def __init__(self, writer: ShardWriter):
        self.writer = writer

    def __contains__(self, article_id: str) -> bool:
        return self.writer.holds(article_id)

    def add(self, article_id: str) -> None:
        pass  # written: its shard holds it now

    def __isub__(self, ids) -> _HeldIds:
        return self  # deleted from its shard


class _CommittingWriter:
    """The writer as an indexing run uses it, committing every `every` changes."""

    def __init__(self, writer: ShardWriter, every: int, on_commit: Callable[[], None]):
        self.writer, self.every, self.on_commit = writer, every, on_commit
        self.changes = 0

    def _changed(self, n: int = 1) -> None:
        self.changes += n
        if self.changes >= self.every:
            self.commit()

    def commit(self) -> None:
        self.writer.commit()
        self.changes = 0
        self.on_commit()

    def update(self, article: Article) -> None:
        self.writer.update(article)
        self._changed()

    add = update

    def delete(self, ids: Iterable[str]) -> int:
        deleted = self.writer.delete(ids)
        self._changed(deleted)
        return deleted


def index_into_shards(
    paths: list[Path],
    home: Path,
    addresses: list[ShardAddress],
    commit_every: int | None = None,
    prune: bool = False,
    progress_interval: float | None = None,
) -> IndexSummary:
    """Index the new and changed supported files under `paths` into the shards; raises
    ShardsUnavailable (nothing written) where a shard cannot be written to."""
    started = time.monotonic()
    files = list(find_files(paths))
    sizes = {f: f.stat().st_size if f.exists() else 0 for f in files}
    progress = Progress(len(files), sum(sizes.values()), interval=progress_interval)
    Path(home).mkdir(parents=True, exist_ok=True)
    load_for_index(home)  # the frontend's user dictionary (userdict.txt), as searches load it
    writer = ShardWriter(addresses)
    run = IndexRun(home, _HeldIds(writer))
    session = _CommittingWriter(writer, commit_every or INDEXING.commit_every, run.record_committed)
    try:
        run.index_files(session, files, sizes, progress, prune)
    except KeyboardInterrupt:
        run.summary.interrupted = True
    try:
        session.commit()  # what was handed over, interrupted or not
    finally:
        writer.close()
    progress.finish()
    run.summary.seconds = time.monotonic() - started
    return run.summary
