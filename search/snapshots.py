"""Snapshots: a consistent copy of one commit of an index, taken while it serves and is written.

A commit is its table of contents (`_MAIN_<generation>.toc`) and the segments it names, and a
segment's files never change once written — a later commit only adds segments and, once it
no longer names a segment, deletes its files. So a snapshot reads the newest table of
contents, opens every file of its segments at once, and copies from those open files: a file
deleted meanwhile stays readable through its open descriptor. Should one already be gone
before it could be opened (a commit landed in between), it starts over from the new newest
commit. Beside the commit go the files that are the index's too: the user dictionary,
synonyms, keys (hashed), the indexer's source hashes, and the write journal (copied with
SQLite's backup, consistent while the committer writes). The output is one `.tar`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .index import IndexNotFound, open_index
from .keys import FILE_NAME as KEYS_FILE
from .synonyms import FILE_NAME as SYNONYMS_FILE
from .userdict import FILE_NAME as USERDICT_FILE
from .writes.journal import FILE_NAME as JOURNAL_FILE

# Copied as they are at that moment. sources.json is the indexer's (indexer/manifest.py).
SIDE_FILES = (USERDICT_FILE, SYNONYMS_FILE, KEYS_FILE, "sources.json")
_ATTEMPTS = 20


class SnapshotProblem(ValueError):
    """A snapshot that cannot be taken or restored; the message says why."""


@dataclass(frozen=True)
class SnapshotSummary:
    generation: int
    articles: int
    files: int
    bytes: int
    seconds: float


def take(index_dir: Path, out: Path) -> SnapshotSummary:
    """Write the index's newest commit, and the files beside it, to the tar file `out`."""
    index_dir, out = Path(index_dir), Path(out)
    started = time.perf_counter()
    for _ in range(_ATTEMPTS):
        with ExitStack() as stack:
            commit = _open_newest_commit(index_dir, stack)
            if commit is None:
                continue  # a commit removed a file before it was opened: the newer one
            generation, articles, files = commit
            size = _write_tar(index_dir, out, files)
            return SnapshotSummary(
                generation, articles, len(files), size, time.perf_counter() - started
            )
    raise SnapshotProblem(
        f"索引提交过于频繁，无法取得快照 (the index changed {_ATTEMPTS} times while it was read)"
    )


def _open_newest_commit(index_dir: Path, stack: ExitStack):
    """(generation, articles, {name: open file}) of the newest commit, or None if it or one of
    its files went before it could be opened."""
    try:
        ix = open_index(index_dir)
        toc = ix._read_toc()
    except FileNotFoundError:
        return None  # the table of contents read was replaced by a newer one meanwhile
    toc_name = f"_{ix.indexname}_{toc.generation}.toc"
    prefixes = tuple(segment.segment_id() for segment in toc.segments)
    names = [toc_name] + [n for n in os.listdir(index_dir) if n.startswith(prefixes)]
    files = {}
    try:
        for name in names:
            files[name] = stack.enter_context((index_dir / name).open("rb"))
    except FileNotFoundError:
        return None
    articles = sum(segment.doc_count() for segment in toc.segments)
    return toc.generation, articles, files


def _write_tar(index_dir: Path, out: Path, files: dict) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    size = 0
    with tarfile.open(partial, "w") as tar, tempfile.TemporaryDirectory() as scratch:
        for name, handle in files.items():
            info = tarfile.TarInfo(name)
            info.size = os.fstat(handle.fileno()).st_size
            info.mtime = int(time.time())
            tar.addfile(info, handle)
            size += info.size
        for name in SIDE_FILES:
            if (index_dir / name).exists():
                tar.add(index_dir / name, arcname=name)
        if (index_dir / JOURNAL_FILE).exists():
            copy = Path(scratch) / JOURNAL_FILE
            with sqlite3.connect(index_dir / JOURNAL_FILE) as source, sqlite3.connect(copy) as to:
                source.backup(to)
            tar.add(copy, arcname=JOURNAL_FILE)
    with partial.open("rb") as done:
        os.fsync(done.fileno())
    os.replace(partial, out)
    return size


def restore(archive: Path, index_dir: Path) -> int:
    """Unpack a snapshot into the new index folder `index_dir`; its article count."""
    archive, index_dir = Path(archive), Path(index_dir)
    if index_dir.exists() and any(index_dir.iterdir()):
        raise SnapshotProblem(
            f"目标文件夹不是空的：{index_dir} (restore into a new or empty folder)"
        )
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restoring-", dir=index_dir.parent.resolve()))
    try:
        try:
            with tarfile.open(archive, "r") as tar:
                for member in tar.getmembers():
                    if not member.isfile() or "/" in member.name or member.name.startswith("."):
                        raise SnapshotProblem(
                            f"快照中有意外的条目 (unexpected entry {member.name!r})"
                        )
                tar.extractall(staging, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise SnapshotProblem(f"不是快照文件 (not a snapshot: {archive}: {exc})") from None
        try:
            articles = open_index(staging).doc_count()
        except IndexNotFound:
            raise SnapshotProblem(f"快照中没有索引 (no index in {archive})") from None
        if index_dir.exists():
            index_dir.rmdir()
        os.replace(staging, index_dir)
        return articles
    finally:
        shutil.rmtree(staging, ignore_errors=True)
