"""How a command-line run writes an index: straight into it, or through a server's journal.

While `zhsearch serve` commits an index, a `zhsearch index`, `delete` or `dict` run against it
hands its writes to the server's journal and waits until they are searchable: one writer, in
the order the writes came. With no server, the run takes the writer lock itself, first applies
what the journal still holds (writes a crashed server acknowledged), then writes directly with
the fast, parallel writer. Either way the caller sees the same `update` / `add` / `delete`.

The same holds for a frontend over Xapian shards (`shards`: host:port,…): its folder keeps the
writer lock and the journal, and the direct writer is the shards' (`ShardSession`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..backends.interface import WriterSession
from ..backends.whoosh.index import (
    IndexWriterSession,
    index_exists,
    open_index,
    open_or_create_index,
)
from ..documents import Article
from ..errors import locked
from . import journal as journal_ops
from .committer import committer_for
from .journal import Journal, JournalFull
from .lock import CLI, SERVER, WriterLock, current_holder


@dataclass
class JournalReport:
    """What a run handed to the server's journal, for its closing summary."""

    first_seq: int = 0
    last_seq: int = 0
    writes: int = 0
    searchable: bool = False

    def line(self) -> str:
        state = "均已可搜索 all searchable" if self.searchable else "排队中 still queued"
        return (
            f"经由服务器的写入日志 through the server's journal: {self.writes} writes"
            f" (seq {self.first_seq}–{self.last_seq}), {state}"
        )


class JournalWrites:
    """Writes handed to a serving zhsearch's journal, in chunks, waited for at the end."""

    via_journal = True

    def __init__(
        self,
        index_dir: Path,
        chunk: int,
        on_commit: Callable[[], None] | None,
        shards: str = "",
    ):
        self.index_dir = Path(index_dir)
        self.shards = shards
        self.journal = Journal(self.index_dir)
        self.chunk = chunk
        self.on_commit = on_commit
        self.report = JournalReport()
        self._buffer: list[tuple[str, str, str | None]] = []

    def update(self, article: Article) -> None:
        self._buffer.append(journal_ops.put(article))
        if len(self._buffer) >= self.chunk:
            self.flush()

    add = update  # the server replaces by id either way

    def delete(self, ids: Iterable[str]) -> int:
        """Journal deletes of the ids; returns how many of them the index held (counted
        first: the server may apply them at once)."""
        ids = list(ids)
        held = count_held(self.index_dir, ids, self.shards)
        self._buffer += [journal_ops.delete(doc_id) for doc_id in ids]
        self.flush()
        return held

    def flush(self) -> None:
        """Journal the buffered writes, waiting while the server's backlog is full."""
        if not self._buffer:
            return
        while True:
            try:
                seq = self.journal.append(self._buffer)
                break
            except JournalFull:
                time.sleep(0.5)  # the server catches up; a CLI run is patient, not refused
        self.report.first_seq = self.report.first_seq or seq - len(self._buffer) + 1
        self.report.last_seq = seq
        self.report.writes += len(self._buffer)
        self._buffer.clear()

    def wait_searchable(self, notice_every: float = 5.0) -> None:
        """Wait until the server has applied everything handed over; apply it here if the
        server went away meanwhile."""
        target = self.report.last_seq
        shown = time.monotonic()
        while not self.journal.wait_applied(target, timeout=0.5):
            holder = current_holder(self.index_dir)
            if holder is None:
                take_over_journal(self.index_dir, shards=self.shards)
                continue
            if time.monotonic() - shown >= notice_every:
                shown = time.monotonic()
                queued = self.journal.backlog().writes
                print(
                    f"等待服务器写入 waiting for the server to apply: {queued} queued",
                    file=sys.stderr,
                    flush=True,
                )
        self.report.searchable = True
        if self.on_commit is not None:
            self.on_commit()


class DirectWrites:
    """Writes straight into the index, holding its writer lock."""

    via_journal = False
    report = None

    def __init__(self, session: WriterSession):
        self.session = session
        self.update = session.update
        self.add = session.add
        self.delete = session.delete


def written_ids(index_dir: Path, shards: str, stack: ExitStack):
    """The ids already written, as a run's set of them (`in`, `add`, `-=`): the index's, or
    those the shards hold (asked of the shard each id goes to; `stack` keeps the reader)."""
    if shards:
        from ..backends.xapian.reader import ShardReader
        from ..backends.xapian.shards import parse_shards
        from ..backends.xapian.written_ids import ShardIds

        Path(index_dir).mkdir(parents=True, exist_ok=True)
        return ShardIds(stack.enter_context(ShardReader(parse_shards(shards))))
    with open_or_create_index(index_dir).reader() as reader:
        return set(reader.field_terms("id"))


def count_held(index_dir: Path, ids: list[str], shards: str = "") -> int:
    """How many of the ids the index (or the shards) holds, as committed."""
    if shards:
        from ..backends.xapian.reader import ShardReader
        from ..backends.xapian.shards import parse_shards

        with ShardReader(parse_shards(shards)) as reader:
            return reader.count_held(ids)
    if not index_exists(index_dir):
        return 0
    with open_index(index_dir).searcher() as searcher:
        return sum(searcher.document_number(id=doc_id) is not None for doc_id in ids)


def take_over_journal(index_dir: Path, timeout: float = 0.0, shards: str = "") -> bool:
    """Apply the journal here if nobody else is writing; whether it was done."""
    lock = WriterLock(index_dir, CLI)
    if not lock.acquire(timeout):
        return False
    try:
        committer_for(index_dir, shards).drain()
    finally:
        lock.release()
    return True


def serving_writer(index_dir: Path, settle: float = 1.0) -> bool:
    """Whether a serving zhsearch holds the index's writer lock."""
    deadline = time.monotonic() + settle
    while True:
        holder = current_holder(index_dir)
        if holder is None or holder.role in (SERVER, CLI) or time.monotonic() >= deadline:
            return holder is not None and holder.role == SERVER
        time.sleep(0.05)  # just taken: its holder file is being written


def _writer_lock_or_server(index_dir: Path, timeout: float) -> WriterLock | None:
    """The writer lock for this run, or None when a serving zhsearch holds it (then the run
    writes through its journal); IndexLocked when another run holds it past `timeout`."""
    lock = WriterLock(index_dir, CLI)
    deadline = time.monotonic() + timeout
    while True:
        if serving_writer(index_dir):
            return None
        if lock.acquire(timeout=min(0.5, max(deadline - time.monotonic(), 0))):
            return lock
        if time.monotonic() >= deadline:
            holder = current_holder(index_dir)
            raise locked(timeout, holder.describe() if holder else "")


@contextmanager
def index_writes(
    index_dir: Path,
    *,
    commit_every: int | None = None,
    procs: int = 1,
    lock_timeout: float = 10.0,
    on_commit: Callable[[], None] | None = None,
    shards: str = "",
) -> Iterator[JournalWrites | DirectWrites]:
    """Writes for one CLI run: through the server's journal while one serves, else direct.

    Leaving through an exception (Ctrl-C included) keeps what was handed over: committed when
    direct, journaled (and applied by the server) otherwise. `shards`: the Xapian shards
    (host:port,…) whose frontend folder `index_dir` is, "" for the Whoosh index there.
    """
    index_dir = Path(index_dir)
    lock = _writer_lock_or_server(index_dir, lock_timeout)
    if lock is None:
        writes = JournalWrites(index_dir, commit_every or 1000, on_commit, shards)
        try:
            yield writes
        finally:
            writes.flush()
        writes.wait_searchable()
        return
    try:
        if journal_ops.exists(index_dir) and Journal(index_dir).backlog().writes:
            # acknowledged writes first
            committer_for(index_dir, shards, lock_timeout=lock_timeout).drain()
        if shards:
            yield from _shard_writes(shards, commit_every, on_commit)
            return
        session = IndexWriterSession(
            open_or_create_index(index_dir),
            commit_every=commit_every,
            timeout=lock_timeout,
            procs=procs,
            on_commit=on_commit,
        )
        with session:
            yield DirectWrites(session)
    finally:
        lock.release()


def _shard_writes(shards: str, commit_every: int | None, on_commit) -> Iterator[DirectWrites]:
    from ..backends.xapian.shards import parse_shards
    from ..backends.xapian.writer import ShardSession
    from ..config import INDEXING

    with ShardSession(
        parse_shards(shards), commit_every or INDEXING.commit_every, on_commit
    ) as session:
        yield DirectWrites(session)
