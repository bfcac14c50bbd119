"""The on-disk Whoosh index: opening it, and writing articles into it in committed batches."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.writing import IndexWriter

from search.config import INDEXING
from search.dates import to_china_time
from search.documents import Article
from search.errors import IndexNotFound, locked
from search.schema import build_schema
from search.writers import clear_holder, describe_holder, record_holder

from .builders import SegmentBuilders, install, interrupt_deferred
from .merge_policy import bounded_merge_small
from .segment_cache import forget_segments
from .segment_reader import open_segment
from .segment_writer import SegmentWriter

T = TypeVar("T")


def index_exists(index_dir: Path) -> bool:
    if not Path(index_dir).is_dir():
        return False
    try:
        return whoosh_index.exists_in(str(index_dir))  # which opens the newest commit
    except FileNotFoundError:  # one a writer replaced as it was read: there is a newer one
        return True


def open_index(index_dir: Path) -> Index:
    """Open an existing index, or say clearly that there is none."""
    if not index_exists(index_dir):
        raise IndexNotFound(
            f"索引不存在：{index_dir}（请先运行 zhsearch index）"
            f" (no index at {index_dir}; run `zhsearch index` first)"
        )
    return _on_newer_commits(lambda: whoosh_index.open_dir(str(index_dir)))  # reads the newest


def _on_newer_commits(read: Callable[[], T]) -> T:
    """`read()` of the index's newest commit, done again on the next one (up to ten times in
    all) while a writer replaces or removes files of the commit being read."""
    for _ in range(9):
        try:
            return read()
        except OSError:
            time.sleep(0.05)
    return read()


def open_or_create_index(index_dir: Path) -> Index:
    index_dir = Path(index_dir)
    if index_exists(index_dir):
        return whoosh_index.open_dir(str(index_dir))
    index_dir.mkdir(parents=True, exist_ok=True)
    return whoosh_index.create_in(str(index_dir), build_schema())


def fresh_reader(index: Index, previous: IndexReader | None = None) -> IndexReader:
    """A reader of the index's newest commit, reusing `previous`'s segment readers where both
    the segment and its deletions are unchanged (`previous` must not be used afterwards).

    Not Whoosh's `reader(reuse=...)`: that also keeps the segments a merge removed, and reuses
    a segment's reader after articles in it were deleted, so a refreshed searcher went on
    finding replaced and deleted articles, some twice.
    """
    reusable: dict[tuple[str, int], IndexReader] = {}
    held: set[str] = set()  # the segments `previous` reads
    if previous is not None:
        for leaf, _ in previous.leaf_readers():
            segment = leaf.segment() if isinstance(leaf, SegmentReader) else None
            if segment is not None:
                reusable[(segment.segment_id(), segment.deleted_count())] = leaf
                held.add(segment.segment_id())
    try:
        toc, readers = _read_commit(index, reusable)
    finally:
        for unused in reusable.values():
            unused.close()
    # What the caches hold of segments a merge removed will never be read again.
    forget_segments(held - {segment.segment_id() for segment in toc.segments})
    if not readers:
        return EmptyReader(toc.schema)
    return MultiReader(readers, generation=toc.generation)


def read_toc(index: Index):
    """The newest commit's table of contents, should a writer replace it as it is read."""
    return _on_newer_commits(index._read_toc)


def _read_commit(index: Index, reusable: dict[tuple[str, int], IndexReader]):
    """The newest commit's table of contents and a reader of each of its segments, taken from
    `reusable` where it has one (and then no longer offered there)."""

    def read():
        toc = index._read_toc()
        readers, opened = [], []
        try:
            for segment in toc.segments:
                reader = reusable.get((segment.segment_id(), segment.deleted_count()))
                if reader is None:
                    reader = open_segment(index.storage, toc.schema, segment, toc.generation)
                    opened.append(reader)
                readers.append(reader)
        except OSError:
            for reader in opened:
                reader.close()
            raise
        return toc, readers

    toc, readers = _on_newer_commits(read)
    for reader in readers:
        reusable.pop((reader.segment().segment_id(), reader.segment().deleted_count()), None)
    return toc, readers


def article_fields(article: Article) -> dict:
    """The Whoosh field values of an article."""
    fields = {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "url": article.url,
        "author": article.author,
        "source": article.source,
        "category": article.category,
        "path": article.path,
    }
    if article.date is not None:
        # Stored as China Standard Time without the zone: Whoosh sorts naive datetimes.
        fields["date"] = to_china_time(article.date).replace(tzinfo=None)
    return {k: v for k, v in fields.items() if v not in ("", None)}


def article_from_stored(stored: dict) -> Article:
    """The Article whose stored fields these are (the inverse of `article_fields`)."""
    date = stored.get("date")
    return Article(
        id=stored["id"],
        title=stored.get("title", ""),
        text=stored.get("text", ""),
        url=stored.get("url", ""),
        date=to_china_time(date) if date else None,
        author=stored.get("author", ""),
        source=stored.get("source", ""),
        category=stored.get("category", ""),
        path=stored.get("path", ""),
    )


class IndexWriterSession:
    """Writes articles and deletions, committing every `commit_every` changes.

    Use as a context manager: leaving normally commits what is pending, leaving through an
    exception (Ctrl-C included) still commits the articles already handed over, so a crash
    loses at most the current batch and never corrupts what was committed.

    With `procs` > 1, articles are analysed and written by that many worker processes, each
    building segments of `commit_every` articles that are committed as each is finished
    (`builders.py`); `on_commit` is then called only once everything handed over is in.
    """

    def __init__(
        self,
        index: Index,
        commit_every: int | None = None,
        timeout: float = 10.0,
        procs: int = 1,
        on_commit: Callable[[], None] | None = None,
        merge: bool = True,
        memory_mb: int | None = None,
    ):
        self.index = index
        self.index_dir = Path(index.storage.folder)
        default_every = INDEXING.segment_docs if procs > 1 else INDEXING.commit_every
        self.commit_every = commit_every or default_every
        self.timeout = timeout
        self.procs = procs
        self.on_commit = on_commit  # called after each commit, e.g. to record what it holds
        self.merge = merge  # False: commits never merge segments (see search.writes.merging)
        self.memory_mb = memory_mb or INDEXING.writer_memory_mb
        self._writer: IndexWriter | None = None
        self._builders: SegmentBuilders | None = None
        self._pending = 0
        self._uncommitted_ids: set[str] = set()
        self._replacing: set[str] = set()  # handed to the builders, to replace older versions
        self._lost = False  # whether a finished segment failed to be committed
        self._holding = False  # whether this session recorded itself as the lock holder

    def _open_writer(self) -> IndexWriter:
        if self._writer is None:
            self._writer = self._lock_writer()
        return self._writer

    def _lock_writer(self) -> SegmentWriter:
        # compound=False: segment files stay separate and are memory-mapped when read;
        # a compound file is copied into memory by every searcher that opens it.
        try:
            writer = SegmentWriter(
                self.index,
                limitmb=self.memory_mb,
                timeout=self.timeout,
                delay=0.25,
                compound=False,
            )
        except LockError as exc:
            raise locked(self.timeout, describe_holder(self.index_dir)) from exc
        self._hold()
        return writer

    def _hold(self) -> None:
        if not self._holding:
            record_holder(self.index_dir)
            self._holding = True

    def _add_fields(self, fields: dict, replace: bool) -> None:
        """Hand an article's fields to the writer, or to the builders in a parallel session."""
        if self.procs <= 1:
            writer = self._open_writer()
            (writer.update_document if replace else writer.add_document)(**fields)
            return
        if self._builders is None:
            self._builders = SegmentBuilders(
                self.index, self.procs, self.commit_every, self.memory_mb
            )
            self._hold()
        if replace:
            self._replacing.add(fields["id"])
        self._builders.add(fields)
        self._install(self._builders.finished())

    def _install(self, built: list) -> None:
        """Commit finished segments into the index, with the deletions of what they replace."""
        if not built:
            return
        writer = self._lock_writer()
        try:
            with interrupt_deferred():  # Ctrl-C waits: the segments are in, or still built
                for segment in built:
                    install(writer, segment, self._replacing)
                writer.commit(merge=False)
        except BaseException:
            self._lost = True  # these articles are not in: the run's files stay unrecorded
            with contextlib.suppress(Exception):
                writer.cancel()
            raise
        for segment in built:
            self._replacing.difference_update(segment.ids)
            self._uncommitted_ids.difference_update(segment.ids)

    def update(self, article: Article) -> None:
        """Add the article, replacing any article with the same id."""
        if article.id in self._uncommitted_ids:
            self.commit()  # a writer only replaces committed documents
        self._add_fields(article_fields(article), replace=True)
        self._uncommitted_ids.add(article.id)
        self._count_change()

    def add(self, article: Article) -> None:
        """Add an article whose id the index does not hold yet (cheaper than `update`)."""
        self._add_fields(article_fields(article), replace=False)
        self._uncommitted_ids.add(article.id)
        self._count_change()

    def delete(self, ids: Iterable[str], searcher=None) -> int:
        """Delete articles by id; returns how many were deleted.

        `searcher`: one over the commit the writer started from, to find them with (else the
        writer opens a reader of every segment).
        """
        ids = list(ids)
        if self._builders is not None:
            if self._uncommitted_ids.intersection(ids):
                self.commit()  # they must be in the index to be deleted from it
            writer = self._lock_writer()
            deleted = sum(writer.delete_by_term("id", doc_id) for doc_id in ids)
            writer.commit(merge=False)
            return deleted
        writer = self._open_writer()
        deleted = sum(writer.delete_by_term("id", doc_id, searcher=searcher) for doc_id in ids)
        self._count_change(deleted)
        return deleted

    def _count_change(self, n: int = 1) -> None:
        self._pending += n
        if self._builders is None and self._pending >= self.commit_every:
            self.commit()  # (builders commit each segment as it is finished)

    def writer(self) -> IndexWriter:
        """The open Whoosh writer (opened now if need be), for what the session has no verb."""
        return self._open_writer()

    def commit(self) -> None:
        if self._builders is not None:
            self._install(self._builders.finish())
            self._pending = 0
            self._uncommitted_ids.clear()
            if self.on_commit is not None and not self._lost:
                self.on_commit()
        if self._writer is not None:
            try:
                if self.merge:
                    self._writer.commit(mergetype=bounded_merge_small)
                else:
                    self._writer.commit(merge=False)
            except BaseException:
                self._abandon()
                raise
            self._writer = None
            self._pending = 0
            self._uncommitted_ids.clear()
            if self.on_commit is not None:
                self.on_commit()

    def _abandon(self) -> None:
        """After a failed commit: Whoosh keeps the index lock then, which would lock out every
        later writer of this process (a committer retrying after a full disk, say)."""
        writer, self._writer = self._writer, None
        self._pending = 0
        self._uncommitted_ids.clear()
        with contextlib.suppress(Exception):
            writer._close_segment()
        with contextlib.suppress(Exception):
            writer._finish()
        if writer.writelock is not None:
            with contextlib.suppress(Exception):
                writer.writelock.release()

    def cancel(self) -> None:
        if self._builders is not None:
            self._builders.kill()
            self._builders = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
        self._pending = 0
        self._uncommitted_ids.clear()

    def __enter__(self) -> IndexWriterSession:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.commit()
        finally:
            if self._builders is not None:
                self._builders.stop()
                self._builders = None
            if self._holding:
                clear_holder(self.index_dir)
                self._holding = False
