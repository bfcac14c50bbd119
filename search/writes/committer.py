"""The committer: applies the journal's writes to the index, in order, many per commit.

One committer writes an index at a time, whoever asked for the writes: it holds the index's
writer lock (`search.writes.lock`). `zhsearch serve` forks a committer process of its own
before its workers (`fork_committer_process`): in a worker, the committer shared one
interpreter with the searches and each commit took several times as long. Every worker also
runs a committer thread that waits for the lock, so that if the committer process dies, the
kernel frees the lock and a worker takes over. A CLI run that writes directly holds the same
lock and first applies what the journal holds (`drain`), so writes are applied in the order
they were acknowledged.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import subprocess
import threading
import time
from pathlib import Path

from whoosh.searching import Searcher

from ..backends.whoosh.index import (
    IndexWriterSession,
    fresh_reader,
    index_exists,
    open_index,
    open_or_create_index,
)
from ..config import WRITING
from ..errors import IndexProblem
from ..records import article_from_json
from ..userdict import load_for_index
from ..writers import die_with_parent
from . import merging
from .disk import fsync_files
from .journal import Journal, Write
from .lock import SERVER, WriterLock

log = logging.getLogger(__name__)


def last_of_each_id(writes: list[Write]) -> list[Write]:
    """The last write of each id, in the order of those last writes: what the batch leaves."""
    latest: dict[str, Write] = {}
    for write in writes:
        latest.pop(write.doc_id, None)
        latest[write.doc_id] = write
    return list(latest.values())


def sync_index_files(index_dir: Path, segment_ids: set[str]) -> None:
    """fsync what a commit wrote (its segments' files, its table of contents), then the folder:
    the commit survives a power loss.

    Whoosh leaves its files to the page cache; the journal may drop writes only once the
    commit that holds them is on disk, as Lucene syncs a commit point.
    """
    index_dir = Path(index_dir)
    toc = max(index_dir.glob("_MAIN_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    names = [toc.name] + [
        name for name in os.listdir(index_dir) if name.startswith(tuple(segment_ids))
    ]
    fsync_files(index_dir, names)


class Committer:
    """Applies one index folder's journal; the caller must hold its writer lock."""

    def __init__(self, index_dir: Path, journal: Journal | None = None, lock_timeout: float = 5):
        self.index_dir = Path(index_dir)
        self.journal = journal or Journal(self.index_dir)
        self.lock_timeout = lock_timeout
        self._merges: dict[str, subprocess.Popen] = {}  # each lane's merge process, if any
        self._planned_at = None  # the index generation merges were last planned for
        self._written: set[str] = set()  # segments committed since the last fsync
        self._index = None  # for `tend_merges`, once the index exists
        self._reader = None  # of the last commit, its segment readers reused by the next

    def apply_batch(self, limit: int | None = None) -> int:
        """Commit the oldest pending writes (at most `limit`); how many were applied."""
        writes = self.journal.pending(limit or WRITING.commit_max_writes)
        if not writes:
            return 0
        failures: dict[int, tuple[str, str]] = {}
        try:
            self._commit(last_of_each_id(writes))
        except (IndexProblem, OSError):
            # Locked or missing, a full disk, a failing device: the machine's trouble, not any
            # one write's; the batch is retried as it is.
            raise
        except Exception:
            log.exception("a batch of %d writes failed; applying them one at a time", len(writes))
            failures = self._commit_one_by_one(last_of_each_id(writes))
        sync_index_files(self.index_dir, self._written)
        self._written = set()
        self.journal.mark_applied(writes[-1].seq, failures)
        return len(writes)

    def _commit(self, writes: list[Write]) -> None:
        """One commit of these writes (each id once), and of a finished merge if one waits.

        Without merging: that is done beside the committer (`search.writes.merging`).
        """
        index = open_or_create_index(self.index_dir)
        load_for_index(self.index_dir)  # cut text as `zhsearch dict` last taught
        session = IndexWriterSession(
            index,
            commit_every=10**9,  # one commit, when the session closes
            timeout=self.lock_timeout,
            merge=False,
            memory_mb=WRITING.committer_memory_mb,
        )
        with session:
            writer = session.writer()
            self._written.add(writer.newsegment.segment_id())
            # Every id the batch touches goes first (a put replaces), found with a reader kept
            # from commit to commit: Whoosh's own would open every segment again each time.
            session.delete([w.doc_id for w in writes], searcher=self._searcher(index, writer))
            for write in writes:
                if write.op == "put":
                    session.add(article_from_json(write.body))
            # After the deletions, so that the merge carries them too.
            installed = merging.install(writer, self.index_dir)
            self._written.update(installed.values())
        for lane in installed:
            merging.finished(self.index_dir, lane)

    def _searcher(self, index, writer) -> Searcher | None:
        """A searcher over the commit `writer` started from (None if it cannot be had)."""
        self._reader = fresh_reader(index, self._reader)
        if self._reader.generation() != writer.generation - 1:
            return None  # not the writer's commit: let the writer find them itself
        return Searcher(self._reader, closereader=False)

    def tend_merges(self) -> None:
        """Install finished merges; start a lane's merge process when one is due."""
        if merging.ready(self.index_dir):
            self._commit([])
            sync_index_files(self.index_dir, self._written)
            self._written = set()
            return
        if self._index is None:
            if not index_exists(self.index_dir):
                return
            self._index = open_index(self.index_dir)  # opened once: this runs many times a second
        generation = self._index.latest_generation()  # a look at the folder, no file read
        if generation == self._planned_at:  # only a new commit can make a merge due
            return
        self._planned_at = generation
        segments = self._index._segments()
        for lane in merging.LANES:
            if not self._lane_busy(lane) and merging.plan(segments, lane):
                self._merges[lane.name] = merging.start(self.index_dir, lane)

    def _lane_busy(self, lane: merging.Lane) -> bool:
        """Whether the lane's process runs (building, or, for a lane that stays, waiting for
        its next merge); one that ended is forgotten, with a warning if it failed."""
        process = self._merges.get(lane.name)
        if process is None:
            return False
        if process.poll() is None:
            return True
        if process.returncode:
            log.warning("a %s segment merge failed (exit %d)", lane.name, process.returncode)
        del self._merges[lane.name]
        return False

    def close(self, timeout: float = 10.0) -> None:
        """Stop the merge processes (a merge being built is redone by the next committer)."""
        for process in self._merges.values():
            process.terminate()
        for process in self._merges.values():
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("a segment merge did not stop when asked; killed")
                process.kill()
                process.wait()
        self._merges = {}

    def _commit_one_by_one(self, writes: list[Write]) -> dict[int, tuple[str, str]]:
        """Apply each write alone; those that fail even so are recorded, never retried forever.

        Only once a commit of no write at all has gone through, and never for an OSError: a
        failure that is not any one write's (a lock, a full disk) fails the batch, which is
        retried, and marks nothing.
        """
        self._commit([])
        failures = {}
        for write in writes:
            try:
                self._commit([write])
            except (IndexProblem, OSError):
                raise
            except Exception as exc:
                log.error("write %d (id %s) cannot be applied: %s", write.seq, write.doc_id, exc)
                failures[write.seq] = (write.doc_id, f"{type(exc).__name__}: {exc}")
        return failures

    def drain(self) -> int:
        """Apply everything the journal holds; how many writes were applied."""
        applied = 0
        while batch := self.apply_batch():
            applied += batch
        return applied


def committer_for(index_dir: Path, shards: str = "", lock_timeout: float = 10.0):
    """The committer of `index_dir`'s journal: into the Whoosh index there, or into the Xapian
    shards `shards` (host:port,…) whose frontend folder it is."""
    if not shards:
        return Committer(index_dir, lock_timeout=lock_timeout)
    from ..backends.xapian.committer import ShardCommitter
    from ..backends.xapian.shards import parse_shards

    return ShardCommitter(index_dir, parse_shards(shards))


class CommitterThread(threading.Thread):
    """A server process's committer: waits for the writer lock, then applies new writes as
    they arrive, a commit starting at most every `WRITING.commit_interval_seconds`."""

    def __init__(self, index_dir: Path, poll: float = 0.02, shards: str = ""):
        """`shards`: host:port,… where the articles live in Xapian shards (`index_dir` then
        holds the journal alone), "" for the Whoosh index in `index_dir`."""
        super().__init__(name="zhsearch-committer", daemon=True)
        self.index_dir = Path(index_dir)
        self.poll = poll
        self.shards = shards
        self.stopping = threading.Event()
        self.lock = WriterLock(self.index_dir, SERVER)

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.lock.acquire():
                break
            self.stopping.wait(1.0)  # another worker commits, or a CLI run writes
        else:
            return
        log.info("committer of %s started in process %d", self.index_dir, os.getpid())
        committer = self._committer()
        try:
            self._commit_forever(committer)
        finally:
            committer.close()
            self.lock.release()

    def _committer(self):
        return committer_for(self.index_dir, self.shards)

    def _commit_forever(self, committer: Committer) -> None:
        from ..errors import ShardsUnavailable

        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                applied = committer.apply_batch()
                committer.tend_merges()
            except (IndexProblem, ShardsUnavailable) as exc:
                log.warning("writes wait: %s", exc)
                self.stopping.wait(1.0)
                continue
            except Exception:
                log.exception("the committer failed; retrying in 1 s")
                self.stopping.wait(1.0)
                continue
            if not applied:
                self.stopping.wait(self.poll)  # a write that comes to an idle server goes at once
                continue
            # The next commit starts an interval after this one started, and what comes
            # meanwhile joins it; at once if this one took longer. (Waiting the interval after
            # each commit ended made a write that came during a commit wait for two: while
            # merges slowed commits under a steady stream, 70-85 % were searchable within 1 s.)
            self.stopping.wait(
                max(0.0, started + WRITING.commit_interval_seconds - time.monotonic())
            )

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout)


class SignalStop:
    """A stop flag raised by SIGTERM or SIGINT, for the committer process: the signals only
    raise the flag, so a commit under way always finishes, and wake a wait at once.

    Not a handler that sets a `threading.Event`: the handler runs in the thread it interrupts,
    and interrupting that thread inside the Event's own `wait` (holding the lock `set` needs)
    left committer processes hung for good, their server gone. Nor the signals blocked and
    taken by `signal.sigtimedwait`: a wait that a SIGSTOP and SIGCONT interrupt (Ctrl-Z and
    `fg`, a debugger or a profiler attaching) past its timeout returns a record never filled
    in, whose signal number is whatever the stack held — now and then SIGINT's, and the
    committer process ended silently. Here a wait is a `select` on the signals' wakeup pipe,
    which such an interruption only resumes; the pipe says which signal came.
    """

    SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})

    def __init__(self) -> None:
        self._set = False
        self._wakeup, write_end = os.pipe()
        os.set_blocking(self._wakeup, False)
        os.set_blocking(write_end, False)
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        for signum in self.SIGNALS:
            signal.signal(signum, self._raise_flag)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, self.SIGNALS)

    def _raise_flag(self, signum, frame) -> None:
        self._set = True

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set or self._signalled()

    def wait(self, timeout: float) -> bool:
        """Whether a stop signal has come, waiting up to `timeout` s for one."""
        deadline = time.monotonic() + timeout
        while not self.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            select.select([self._wakeup], [], [], left)  # woken by any signal with a handler
        return True

    def _signalled(self) -> bool:
        """Whether the wakeup pipe holds a stop signal's number (its handler may not have run
        yet: Python runs handlers between instructions, later than the C-level write)."""
        try:
            numbers = os.read(self._wakeup, 512)
        except BlockingIOError:
            return False
        self._set = self._set or any(n in self.SIGNALS for n in numbers)
        return self._set


def fork_committer_process(index_dir: Path, settle: float = 10.0, shards: str = "") -> int:
    """Fork a process that commits the index's journal until its parent dies or stops it
    (SIGTERM, SIGINT); returns its pid once it holds the writer lock (or `settle` s passed:
    then a CLI run holds the lock, and the committer takes it when that run ends).

    Call it before the process has other threads: the child runs from a copy of this one.
    """
    from .lock import current_holder

    pid = os.fork()
    if pid == 0:  # the committer
        status = 0
        try:
            committer = CommitterThread(index_dir, shards=shards)
            committer.stopping = SignalStop()  # before asking for SIGTERM at the parent's death
            die_with_parent(signal.SIGTERM)  # and finish the commit at hand
            committer.run()  # in this, the process's only thread
        except BaseException:
            log.exception("the committer process failed")
            status = 1
        finally:
            os._exit(status)
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        holder = current_holder(index_dir)
        if holder is not None and holder.pid == pid:
            break
        time.sleep(0.02)
    return pid
