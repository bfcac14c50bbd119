"""Merging the committer's small segments in the background, while it goes on committing.

Writes over HTTP are committed every fraction of a second, each commit a small segment of its
own, so segments must be merged or searches slow down segment by segment. Whoosh merges inside
a commit, holding the write lock: merging 4,400 articles took 24 s on this project's 2-core
machine (its merge re-sorts every posting in Python), and no write became searchable
meanwhile. So the committer commits without merging, and merges happen beside it, as
Lucene's concurrent merges do:

1. `plan` picks segments by tier (a tier is a power of ten of articles): the smallest tier
   that holds `WRITING.merge_factor` segments gives that many, never one over
   `WRITING.merge_max_docs` articles, so a merge is bounded and most are small.
2. `build` (in a process of its own, `python -m search.writes.merging INDEX`, no lock held)
   copies those segments' live articles into one new segment, written as a one-segment index
   in `merging/` inside the index folder, and notes which articles were deleted at that moment.
3. `install`, called by the committer inside its next commit (holding the lock), checks that
   the sources are still there, moves the new segment's files into the index, deletes in it
   what was deleted in the sources since step 2, and swaps it in for them. The commit's table
   of contents then names it, and Whoosh removes the sources' files.

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
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from ..config import WRITING
from ..index import open_index
from ..writers import die_with_parent
from .disk import fsync_files

log = logging.getLogger(__name__)

FOLDER = "merging"  # inside the index folder: a merge being built, or built and not installed
PLAN_FILE = "plan.json"  # what was merged: the sources and their deletions at that moment
DONE_FILE = "done"  # written last: the merge is complete


def _tier(docs: int) -> int:
    return int(math.log10(max(docs, 1)))


def plan(segments) -> list:
    """The segments to merge next (empty: none), by tier."""
    small = [s for s in segments if s.doc_count_all() < WRITING.merge_max_docs]
    by_tier: dict[int, list] = {}
    for segment in sorted(small, key=lambda s: s.doc_count_all()):
        by_tier.setdefault(_tier(segment.doc_count_all()), []).append(segment)
    for tier in sorted(by_tier):
        if len(by_tier[tier]) >= WRITING.merge_factor:
            return by_tier[tier][: WRITING.merge_factor]
    return []


def build(index_dir: Path) -> bool:
    """Build the next merge into `merging/` (no lock: the sources never change but for
    deletions, which `install` carries over); whether there was one to build."""
    index_dir = Path(index_dir)
    folder = index_dir / FOLDER
    if ready(index_dir):
        return False  # built, waiting to be installed
    ix = open_index(index_dir)
    toc = ix._read_toc()
    sources = plan(toc.segments)
    if not sources:
        return False
    shutil.rmtree(folder, ignore_errors=True)  # what a killed build left
    folder.mkdir()
    merged = whoosh_index.create_in(str(folder), toc.schema, indexname=ix.indexname)
    writer = merged.writer(limitmb=WRITING.merge_memory_mb, compound=False)
    deleted = {}
    for segment in sources:
        reader = SegmentReader(ix.storage, toc.schema, segment)
        deleted[segment.segment_id()] = sorted(segment.deleted_docs())
        writer.add_reader(reader)  # the live articles, in order
        reader.close()
    writer.commit(merge=False)
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


def install(writer, index_dir: Path) -> str | None:
    """Swap a finished merge in for its sources in `writer`'s segments (the committer's, about
    to commit); the merged segment's id, or None if none was installed."""
    folder = Path(index_dir) / FOLDER
    if not ready(index_dir):
        return None
    planned = json.loads((folder / PLAN_FILE).read_text())["sources"]
    current = {s.segment_id(): s for s in writer.segments}
    if not all(source["id"] in current for source in planned):
        log.info("a merge's segments changed meanwhile; it is planned again")
        shutil.rmtree(folder, ignore_errors=True)
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
            os.replace(folder / name, Path(index_dir) / name)
    sources = {source["id"] for source in planned}
    first = min(i for i, s in enumerate(writer.segments) if s.segment_id() in sources)
    kept = [s for s in writer.segments if s.segment_id() not in sources]
    writer.segments = kept[:first] + [merged] + kept[first:]
    writer._setup_doc_offsets()
    return merged.segment_id()


def ready(index_dir: Path) -> bool:
    """Whether a merge is built and waits to be installed."""
    return (Path(index_dir) / FOLDER / DONE_FILE).exists()


def finished(index_dir: Path) -> None:
    """After the commit that installed a merge: its folder is no longer needed."""
    shutil.rmtree(Path(index_dir) / FOLDER, ignore_errors=True)


def start_build(index_dir: Path) -> subprocess.Popen:
    """A merge build in a process of its own (it would hold this process's interpreter for
    as long as it runs), which dies with this one."""
    return subprocess.Popen(
        [sys.executable, "-m", "search.writes.merging", str(index_dir), str(os.getpid())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


if __name__ == "__main__":
    die_with_parent()  # a stopped server's merge is simply redone
    if os.getppid() != int(sys.argv[2]):
        sys.exit(0)  # the parent died before we asked
    os.nice(10)  # background work: commits and searches come first
    build(Path(sys.argv[1]))
