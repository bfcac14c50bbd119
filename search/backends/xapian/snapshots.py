"""Snapshots of Xapian shards, taken from the frontend over the shards' own protocol, and
restored into new shards (of any number) or, by `search.snapshots.restore`, a Whoosh index.

A shard's files are its server's, perhaps on another machine, so a snapshot holds the shards'
articles as JSON Lines, one entry a shard, with the frontend folder's own files (dictionary,
synonyms, keys, source hashes, journal). The journal is copied first: every write acknowledged
before the snapshot began is either on the shards as they are read, or pending in that copy
and applied again on restore (writing an article twice, or deleting it twice, is harmless);
writes acknowledged while it is taken may or may not be in it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from search.config import INDEXING
from search.snapshots import (
    ARTICLES_MANIFEST,
    JOURNAL_FILE,
    SIDE_FILES,
    Progress,
    SnapshotProblem,
    SnapshotSummary,
    add_articles,
    add_side_files,
    unpack,
    unpacked_articles,
    write_snapshot,
)
from search.userdict import load_for_index

from .committer import ShardCommitter
from .reader import ShardReader
from .shards import ShardAddress
from .writer import ShardSession

SIDE_NAMES = (*SIDE_FILES, JOURNAL_FILE)  # the frontend folder's files a snapshot holds


def take(
    home: Path, addresses: list[ShardAddress], out: Path, on_progress: Progress | None = None
) -> SnapshotSummary:
    """Write the shards' articles and the frontend folder's files to the tar file `out`.

    Raises ShardsUnavailable (nothing written) where a shard does not answer.
    """
    home = Path(home)
    started = time.perf_counter()
    counts: list[int] = []
    with ShardReader(addresses) as reader:
        total = sum(reader.doc_counts())
        read = 0

        def counted(articles):
            nonlocal read
            for article in articles:
                yield article
                read += 1
                if on_progress is not None and read % 1000 == 0:
                    on_progress(read, max(total, read))

        def fill(tar, scratch: Path) -> int:
            # The journal before the articles (see above): each shard is read at its newest
            # commit after the journal was copied.
            add_side_files(tar, home, scratch)
            names, json_bytes = [], 0
            for shard in range(len(addresses)):
                names.append(f"articles-{shard}.jsonl.gz")
                count, size = add_articles(tar, names[-1], counted(reader.articles(shard)), scratch)
                counts.append(count)
                json_bytes += size
            described = {
                "articles": sum(counts),
                "bytes": json_bytes,
                "files": names,
                "shards": [str(a) for a in addresses],
                "shard_articles": counts,
            }
            manifest = scratch / ARTICLES_MANIFEST
            manifest.write_text(json.dumps(described, indent=1), encoding="utf-8")
            tar.add(manifest, arcname=ARTICLES_MANIFEST)
            return json_bytes

        write_snapshot(out, fill)
    if on_progress is not None:
        on_progress(sum(counts), sum(counts))
    side = sum((home / name).exists() for name in SIDE_NAMES)
    files = len(counts) + 1 + side
    size = Path(out).stat().st_size  # compressed articles: the tar's size, not the JSON's
    return SnapshotSummary(None, sum(counts), files, size, time.perf_counter() - started)


def restore(
    archive: Path,
    home: Path,
    addresses: list[ShardAddress],
    on_progress: Progress | None = None,
) -> int:
    """Restore a snapshot of either kind onto the empty shards `addresses`, with `home` (new
    or empty) as their frontend folder; how many articles it holds.

    The articles are analysed again with the snapshot's dictionary and go to the shard of
    their id's hash among these shards — so a snapshot of 1 shard restores onto 3 — and the
    journal's pending writes are applied after them.
    """
    archive, home = Path(archive), Path(home)
    if home.exists() and any(home.iterdir()):
        raise SnapshotProblem(f"目标文件夹不是空的：{home} (restore into a new or empty folder)")
    with ShardReader(addresses) as reader:
        holding = [str(a) for a, n in zip(addresses, reader.doc_counts(), strict=True) if n]
    if holding:
        raise SnapshotProblem(
            f"分片不是空的 (restore onto empty shards; these hold articles: {', '.join(holding)})"
        )
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restoring-", dir=home.parent.resolve()))
    try:
        unpack(archive, staging)
        found = unpacked_articles(staging, archive)
        load_for_index(staging)  # the snapshot's dictionary cuts its articles
        with ShardSession(addresses, INDEXING.commit_every) as session:
            for done, article in enumerate(found.articles, 1):
                session.add(article)
                if on_progress is not None and (done % 1000 == 0 or done == found.total):
                    on_progress(done, found.total)
        home.mkdir(parents=True, exist_ok=True)
        for name in SIDE_NAMES:
            if (staging / name).exists():
                os.replace(staging / name, home / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    ShardCommitter(home, addresses).drain()
    return found.total
