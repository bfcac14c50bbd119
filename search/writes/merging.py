"""Merging the committer's small segments in the background, while it goes on committing.

Writes over HTTP are committed every fraction of a second, each commit a small segment of its
own, so segments must be merged or searches slow down segment by segment. Whoosh merges inside
a commit, holding the write lock: merging 4,400 articles took 24 s on this project's 2-core
machine (its merge re-sorts every posting in Python), and no write became searchable
meanwhile. So the committer commits without merging, and merges happen beside it, as
Lucene's concurrent merges do:

1. `plan` picks segments by tier (a tier is a power of ten of articles): the smallest tier
   that holds `WRITING.merge_factor` segments gives that many, if together they hold no more
   than `WRITING.merge_max_docs` articles, so a merge is bounded and most are small. The
   segments of 50,000 articles a large batch writes (`search/backends/whoosh/builders.py`) are
   never merged:
   ten of them, served from a 10⁶-article archive, made a background merge of 500,000 that
   held a core and 1.3 GB for as long as the server had been up, and more.
2. `build` (in a process of its own, `python -m search.writes.merging INDEX PID LANE`, no lock
   held) copies those segments' live articles into one new segment, their posting lists
   block by block (`MergingWriter` of `search.backends.whoosh.segment_writer`), written as a
   one-segment index in `merging/LANE/` inside the index folder, and notes which articles were
   deleted at that moment.
3. `install`, called by the committer inside its next commit (holding the lock), checks that
   the sources are still there, moves the new segment's files into the index, deletes in it
   what was deleted in the sources since step 2, and swaps it in for them. The commit's table
   of contents then names it, and Whoosh removes the sources' files.

Merges run in three lanes, each of its own segment sizes (`WRITING.small_merge_docs`,
`medium_merge_docs`), so that a large merge (25 s of work for 10,000 articles, minutes beside
a steady stream of writes) never holds up the smaller ones: while one ran alone, a steady 20
writes a second piled up 100 segments behind it. The small lane's process stays and waits for
the next merge (they come every few seconds under such a stream: starting an interpreter each
time cost more than the merge); the other lanes' end after one.

A merge that is no longer valid (a CLI run merged the index meanwhile) is dropped and planned
again; a crash at any step leaves either the old segments or the new one in the commit.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from ..backends.whoosh.index import open_index, read_toc
from ..backends.whoosh.segment_reader import open_segment
from ..backends.whoosh.segment_writer import MergingWriter
from ..config import WRITING
from ..writers import die_with_parent
from .disk import fsync_files

log = logging.getLogger(__name__)

FOLDER = "merging"  # inside the index folder: one folder a lane, its merge being built or built
PLAN_FILE = "plan.json"  # what was merged: the sources and their deletions at that moment
DONE_FILE = "done"  # written last: the merge is complete


@dataclass(frozen=True)
class Lane:
    """Merges of segments of `smallest` up to (not including) `largest` articles."""

    name: str
    smallest: int
    largest: int
    stays: bool  # whether its process waits for the next merge, or ends after one

    def holds(self, segment) -> bool:
        return self.smallest <= segment.doc_count_all() < self.largest


SMALL = Lane("small", 0, WRITING.small_merge_docs, stays=True)
MEDIUM = Lane("medium", WRITING.small_merge_docs, WRITING.medium_merge_docs, stays=False)
LARGE = Lane("large", WRITING.medium_merge_docs, WRITING.merge_max_docs, stays=False)
LANES = (SMALL, MEDIUM, LARGE)


def _tier(docs: int) -> int:
    return int(math.log10(max(docs, 1)))


def _folder(index_dir: Path, lane: Lane) -> Path:
    return Path(index_dir) / FOLDER / lane.name


def plan(segments, lane: Lane = SMALL) -> list:
    """The lane's segments to merge next (empty: none), by tier."""
    by_tier: dict[int, list] = {}
    for segment in sorted(filter(lane.holds, segments), key=lambda s: s.doc_count_all()):
        by_tier.setdefault(_tier(segment.doc_count_all()), []).append(segment)
    for tier in sorted(by_tier):
        chosen = by_tier[tier][: WRITING.merge_factor]
        total = sum(s.doc_count_all() for s in chosen)
        if len(chosen) >= WRITING.merge_factor and total <= WRITING.merge_max_docs:
            return chosen
    return []


def build(index_dir: Path, lane: Lane = SMALL) -> bool:
    """Build the lane's next merge into its folder (no lock: the sources never change but for
    deletions, which `install` carries over); whether there was one to build."""
    index_dir = Path(index_dir)
    folder = _folder(index_dir, lane)
    if ready(index_dir, lane):
        return False  # built, waiting to be installed
    ix = open_index(index_dir)
    toc = read_toc(ix)  # a commit of the committer's may replace it as it is read
    sources = plan(toc.segments, lane)
    if not sources:
        return False
    shutil.rmtree(folder, ignore_errors=True)  # what a killed build left
    folder.mkdir(parents=True)
    merged = whoosh_index.create_in(str(folder), toc.schema, indexname=ix.indexname)
    writer = MergingWriter(merged, limitmb=WRITING.merge_memory_mb, compound=False)
    deleted = {}
    readers = []
    try:
        for segment in sources:
            reader = open_segment(ix.storage, toc.schema, segment)
            readers.append(reader)
            deleted[segment.segment_id()] = sorted(segment.deleted_docs())
            writer.add_segment(reader)  # the live articles, in order
        writer.commit(merge=False)
    finally:
        for reader in readers:
            reader.close()
    plan_text = {
        "sources": [
            {"id": s.segment_id(), "docs": s.doc_count_all(), "deleted": deleted[s.segment_id()]}
            for s in sources
        ]
    }
    (folder / PLAN_FILE).write_text(json.dumps(plan_text))
    fsync_files(folder, os.listdir(folder))
    (folder / DONE_FILE).write_text("")
    return True


def install(writer, index_dir: Path) -> dict[Lane, str]:
    """Swap every finished merge in for its sources in `writer`'s segments (the committer's,
    about to commit); the merged segments' ids by lane, each lane to be `finished` after the
    commit.

    A merge that cannot be installed is dropped (and planned again), never a reason for the
    commit to fail."""
    installed = {}
    for lane in LANES:
        if not ready(index_dir, lane):
            continue
        try:
            merged = _install(writer, _folder(index_dir, lane), Path(index_dir))
        except Exception:
            log.exception("a finished segment merge could not be installed; dropped")
            merged = None
        if merged is None:
            finished(index_dir, lane)
        else:
            installed[lane] = merged
    return installed


def _install(writer, folder: Path, index_dir: Path) -> str | None:
    """One finished merge swapped in; the merged segment's id, or None if its sources changed."""
    planned = json.loads((folder / PLAN_FILE).read_text())["sources"]
    current = {s.segment_id(): s for s in writer.segments}
    if not all(source["id"] in current for source in planned):
        log.info("a merge's segments changed meanwhile; it is planned again")
        return None
    merged_ix = whoosh_index.open_dir(str(folder), indexname=writer.indexname)
    (merged,) = merged_ix._read_toc().segments
    # Articles deleted in a source since the merge read it are deleted in the merge too: the
    # merge holds each source's live articles of that moment, in order.
    base = 0
    for source in planned:
        segment = current[source["id"]]
        then = set(source["deleted"])
        live = [d for d in range(source["docs"]) if d not in then]
        position = {doc: base + n for n, doc in enumerate(live)}
        for doc in set(segment.deleted_docs()) - then:
            merged.delete_document(position[doc])
        base += len(live)
    for name in os.listdir(folder):
        if name.startswith(merged.segment_id()):
            os.replace(folder / name, index_dir / name)
    sources = {source["id"] for source in planned}
    first = min(i for i, s in enumerate(writer.segments) if s.segment_id() in sources)
    kept = [s for s in writer.segments if s.segment_id() not in sources]
    writer.segments = kept[:first] + [merged] + kept[first:]
    writer._setup_doc_offsets()
    return merged.segment_id()


def ready(index_dir: Path, lane: Lane | None = None) -> bool:
    """Whether a merge of the lane (of any lane: None) is built and waits to be installed."""
    return any(
        (_folder(index_dir, one) / DONE_FILE).exists()
        for one in (LANES if lane is None else [lane])
    )


def finished(index_dir: Path, lane: Lane) -> None:
    """After the commit that installed the lane's merge: its folder is no longer needed."""
    shutil.rmtree(_folder(index_dir, lane), ignore_errors=True)


def start(index_dir: Path, lane: Lane) -> subprocess.Popen:
    """The lane's merges in a process of its own (one would hold this process's interpreter for
    as long as it runs), which dies with this one; its errors go to this one's stderr."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search.writes.merging",
            str(index_dir),
            str(os.getpid()),
            lane.name,
        ],
        stdout=subprocess.DEVNULL,
    )


def behind(segments, lane: Lane) -> bool:
    """Whether the lane holds twice the segments a merge takes: its merges fall behind."""
    return sum(map(lane.holds, segments)) >= 2 * WRITING.merge_factor


def run(index_dir: Path, lane: Lane, poll: float = 0.1) -> None:
    """Build the lane's merges: one, or (a lane that stays) each as it falls due, for ever.

    A lane's merges run at a low CPU priority, out of the way of commits and searches, but
    at the normal one while the lane is `behind`: on a machine kept busy by searches, merges
    at the low one got a few per cent of the CPU, segments piled up (440 in 20 minutes of 20
    writes a second), every search slowed with them, and merges got less still. A process at
    the low priority whose lane falls behind ends, to be started again at the normal one
    (a process may lower its own priority, but not raise it again).
    """
    index = open_index(index_dir)
    niced = False
    while True:
        seen = index.latest_generation()  # a look at the folder, no file read
        if behind(read_toc(index).segments, lane):
            if niced:
                return  # the committer starts the lane again, at the normal priority
        elif not niced:
            os.nice(WRITING.merge_nice)
            niced = True
        build(index_dir, lane)
        if not lane.stays:
            return
        # Only a commit makes a merge due: the one that installs this lane's merge, or one
        # that adds a segment.
        while index.latest_generation() == seen or ready(index_dir, lane):
            time.sleep(poll)


if __name__ == "__main__":
    die_with_parent()
    if os.getppid() != int(sys.argv[2]):
        sys.exit(0)  # the parent died before we asked
    run(Path(sys.argv[1]), {lane.name: lane for lane in LANES}[sys.argv[3]])
