"""Parallel writing for large batches: worker processes that each build segments of their own,
which the parent installs into the index as each one is finished.

Whoosh's multi-process writer makes every worker finish its segment at every commit, and then
merges segments in the parent (its MERGE_SMALL policy), on one core, while the workers wait:
indexing a 10⁵-article archive (bench/scale.py), one such commit stood still for more than ten
minutes at 41,000 articles, and such merges grow with the archive. Here instead:

- each worker analyses the articles it is given and writes them into a one-segment index of its
  own in `building/` inside the index folder, and finishes that segment after `segment_docs`
  articles, on its own schedule. The workers' first segments are of staggered sizes, so they
  never all finish at once: while one writes its segment out (the larger part of Whoosh's
  work), the others go on taking articles, and the run never stands still;
- the parent installs each finished segment with a commit that moves its files into the index
  and names it in the table of contents, and deletes from the older segments the articles it
  replaces: an updated article is found once, in its old version until its new one is in;
- nothing is merged while a batch is written: segments of tens of thousands of articles are
  searched as they are (bench/scale.py measures it), and merging them would cost about as
  much as writing them did.

A crash leaves the committed segments; what the workers were building is dropped from
`building/` by the next parallel run.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import Process, Queue
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from search.writers import die_with_parent

from .segment_writer import SegmentWriter

FOLDER = "building"  # inside the index folder: one one-segment index a segment being built
BATCH = 50  # articles handed to a worker at a time
QUEUED_BATCHES = 4  # per worker: a worker writing out its segment takes no more than this
_FINISH = "finish"  # a worker finishes its segment now (and says so)
_STOP = "stop"  # a worker ends


class WorkerDied(RuntimeError):
    """A worker process ended while it still had articles to write (killed, out of memory)."""


@dataclass
class Built:
    """A finished segment, in its own folder, and the ids of the articles it holds."""

    folder: Path
    ids: list[str]


def _work(
    index: Index,
    worker: int,
    jobs: Queue,
    results: Queue,
    first: int,
    size: int,
    memory_mb: int,
    parent_pid: int,
) -> None:
    """A worker's loop: add the articles it is given, finishing a segment every `size`
    articles (the first after `first`)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent decides what to commit
    if os.getppid() != parent_pid:
        return  # the parent died before we asked
    building = Path(index.storage.folder) / FOLDER
    schema = index.schema
    writer, ids, goal, count = None, [], first, 0

    def finish() -> None:
        nonlocal writer, ids, goal
        writer.commit(merge=False)
        results.put((worker, Built(folder, ids)))
        writer, ids, goal = None, [], size

    while True:
        job = jobs.get()
        if job in (_FINISH, _STOP):
            if writer is not None:
                finish()
            results.put((worker, job))
            if job == _STOP:
                return
            continue
        for fields in job:
            if writer is None:
                folder = building / f"{worker}-{count}"
                count += 1
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                segment_index = whoosh_index.create_in(
                    str(folder), schema, indexname=index.indexname
                )
                writer = SegmentWriter(segment_index, limitmb=memory_mb, compound=False)
            writer.add_document(**fields)
            ids.append(fields["id"])
            if len(ids) >= goal:
                finish()


def first_segment_sizes(procs: int, segment_docs: int) -> list[int]:
    """The size of each worker's first segment: staggered (1/procs, 2/procs … of the full
    size), so that the workers, fed alike, never write theirs out at the same time."""
    return [max(1, segment_docs * (worker + 1) // procs) for worker in range(procs)]


class SegmentBuilders:
    """`procs` worker processes building segments of `segment_docs` articles for `index`."""

    def __init__(self, index: Index, procs: int, segment_docs: int, memory_mb: int):
        self.index = index
        folder = Path(index.storage.folder) / FOLDER
        shutil.rmtree(folder, ignore_errors=True)  # what a crashed run left
        self.results: Queue = Queue()
        self.jobs: list[Queue] = []
        self.workers: list[Process] = []
        self._batch: list[dict] = []
        self._built: list[Built] = []
        parent = os.getpid()
        for worker, first in enumerate(first_segment_sizes(procs, segment_docs)):
            jobs: Queue = Queue(QUEUED_BATCHES)
            process = Process(
                target=_work,
                args=(index, worker, jobs, self.results, first, segment_docs, memory_mb, parent),
                daemon=True,
            )
            process.start()
            self.jobs.append(jobs)
            self.workers.append(process)

    def add(self, fields: dict) -> None:
        self._batch.append(fields)
        if len(self._batch) >= BATCH:
            self._hand_over()

    def _hand_over(self) -> None:
        """The batch to the first worker with room for it: not one busy writing its segment."""
        while True:
            for jobs in sorted(self.jobs, key=lambda q: q.qsize()):
                with interrupt_deferred():  # handed over exactly once, or not at all
                    try:
                        jobs.put(self._batch, timeout=0.02)
                    except queue.Full:
                        continue
                    self._batch = []
                return
            self._check_alive()
            self._collect()

    def finished(self) -> list[Built]:
        """The segments finished since the last call (without waiting)."""
        self._collect()
        built, self._built = self._built, []
        return built

    def finish(self) -> list[Built]:
        """Every worker finishes the segment it is building now; all segments not yet handed
        out, once they are written."""
        if self._batch:
            self._hand_over()
        self._signal_all(_FINISH)
        return self.finished()

    def stop(self) -> None:
        """End the workers (after `finish`, nothing is lost)."""
        with contextlib.suppress(Exception):
            self._signal_all(_STOP)
        for process in self.workers:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()

    def kill(self) -> None:
        for process in self.workers:
            process.kill()
            process.join()

    def _signal_all(self, signal_: str) -> None:
        waiting = set(range(len(self.workers)))
        for jobs in self.jobs:
            while True:
                try:
                    jobs.put(signal_, timeout=1.0)
                    break
                except queue.Full:
                    self._check_alive()
        while waiting:
            worker, result = self._next_result(timeout=1.0)
            if result == signal_:
                waiting.discard(worker)

    def _collect(self) -> None:
        """Keep the segments finished so far (without waiting)."""
        while True:
            try:
                _, result = self.results.get_nowait()
            except queue.Empty:
                return
            if isinstance(result, Built):
                self._built.append(result)

    def _next_result(self, timeout: float):
        while True:
            try:
                worker, result = self.results.get(timeout=timeout)
            except queue.Empty:
                self._check_alive()
                continue
            if isinstance(result, Built):
                self._built.append(result)
            return worker, result

    def _check_alive(self) -> None:
        dead = [p for p in self.workers if not p.is_alive()]
        if dead:
            raise WorkerDied(
                f"索引工作进程意外退出，已提交的部分保留，请重新运行"
                f" (an indexing worker died, exit status {dead[0].exitcode}; what was committed"
                f" stays, run the command again)"
            )


@contextlib.contextmanager
def interrupt_deferred() -> Iterator[None]:
    """Ctrl-C waits until the block is done (in the main thread, where signals arrive)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt
    elif caught and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


def install(writer: SegmentWriter, built: Built, replacing: set[str]) -> None:
    """Add a finished segment to `writer`'s segments (to be committed), deleting from the
    segments before it the articles it holds whose ids are in `replacing`."""
    for doc_id in replacing.intersection(built.ids):
        writer.delete_by_term("id", doc_id)
    (segment,) = (
        whoosh_index.open_dir(str(built.folder), indexname=writer.indexname)._read_toc().segments
    )
    index_dir = Path(writer.storage.folder)
    for name in os.listdir(built.folder):
        if name.startswith(segment.segment_id()):
            os.replace(built.folder / name, index_dir / name)
    shutil.rmtree(built.folder, ignore_errors=True)
    writer.segments.append(segment)
    writer._setup_doc_offsets()
