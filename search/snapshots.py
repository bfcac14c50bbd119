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

A snapshot of Xapian shards (`search/backends/xapian/snapshots.py`) holds their articles
instead, as JSON Lines (`articles-N.jsonl.gz`, one a shard, described by `snapshot.json`),
beside the same files of the frontend's folder. Either kind restores into either backend:
articles are analysed again where the index files cannot be taken as they are.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .backends.whoosh.index import (
    IndexWriterSession,
    article_from_stored,
    open_index,
    open_or_create_index,
)
from .config import INDEXING
from .documents import Article
from .errors import IndexNotFound
from .keys import FILE_NAME as KEYS_FILE
from .records import article_from_json, article_to_json
from .synonyms import FILE_NAME as SYNONYMS_FILE
from .userdict import FILE_NAME as USERDICT_FILE
from .userdict import load_for_index
from .writes.journal import FILE_NAME as JOURNAL_FILE

# Copied as they are at that moment. sources.json is the indexer's (indexer/manifest.py).
SIDE_FILES = (USERDICT_FILE, SYNONYMS_FILE, KEYS_FILE, "sources.json")
_ATTEMPTS = 20
ARTICLES_MANIFEST = "snapshot.json"  # a snapshot of articles: how many, from where

Progress = Callable[[int, int], None]  # (articles done, articles in all)


class SnapshotProblem(ValueError):
    """A snapshot that cannot be taken or restored; the message says why."""


@dataclass(frozen=True)
class SnapshotSummary:
    generation: int | None  # the Whoosh commit copied; None for a snapshot of shards
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
    def fill(tar: tarfile.TarFile, scratch: Path) -> int:
        size = 0
        for name, handle in files.items():
            info = tarfile.TarInfo(name)
            info.size = os.fstat(handle.fileno()).st_size
            info.mtime = int(time.time())
            tar.addfile(info, handle)
            size += info.size
        add_side_files(tar, index_dir, scratch)
        return size

    return write_snapshot(out, fill)


def write_snapshot(out: Path, fill: Callable[[tarfile.TarFile, Path], int]) -> int:
    """Write the tar `out` whole or not at all: `fill(tar, scratch folder)` adds its entries
    and says how many bytes of articles or index they hold."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        with tarfile.open(partial, "w") as tar, tempfile.TemporaryDirectory() as scratch:
            size = fill(tar, Path(scratch))
        with partial.open("rb") as done:
            os.fsync(done.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return size


def add_side_files(tar: tarfile.TarFile, index_dir: Path, scratch: Path) -> None:
    """The files beside the articles: dictionary, synonyms, keys, source hashes, journal."""
    for name in SIDE_FILES:
        if (index_dir / name).exists():
            tar.add(index_dir / name, arcname=name)
    if (index_dir / JOURNAL_FILE).exists():
        copy = scratch / JOURNAL_FILE
        with sqlite3.connect(index_dir / JOURNAL_FILE) as source, sqlite3.connect(copy) as to:
            source.backup(to)
        tar.add(copy, arcname=JOURNAL_FILE)


def add_articles(
    tar: tarfile.TarFile, name: str, articles: Iterator[Article], scratch: Path
) -> tuple[int, int]:
    """An `articles-N.jsonl.gz` entry of these articles; (how many, bytes of JSON)."""
    path = scratch / name
    count = size = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for article in articles:
            line = article_to_json(article) + "\n"
            out.write(line)
            count += 1
            size += len(line.encode("utf-8"))
    tar.add(path, arcname=name)
    path.unlink()
    return count, size


def _refuse_used_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise SnapshotProblem(f"目标文件夹不是空的：{folder} (restore into a new or empty folder)")


def unpack(archive: Path, staging: Path) -> None:
    """Extract a snapshot into the folder `staging`, refusing what is not one."""
    try:
        with tarfile.open(archive, "r") as tar:
            for member in tar.getmembers():
                if not member.isfile() or "/" in member.name or member.name.startswith("."):
                    raise SnapshotProblem(f"快照中有意外的条目 (unexpected entry {member.name!r})")
            tar.extractall(staging, filter="data")
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise SnapshotProblem(f"不是快照文件 (not a snapshot: {archive}: {exc})") from None


@dataclass
class SnapshotArticles:
    """The articles of an unpacked snapshot, to be read once."""

    total: int
    json_bytes: int | None  # their size as JSON Lines, where the snapshot says it
    articles: Iterator[Article]


def unpacked_articles(staging: Path, archive: Path) -> SnapshotArticles:
    """The articles an unpacked snapshot of either kind holds."""
    manifest = staging / ARTICLES_MANIFEST
    if manifest.exists():
        try:
            described = json.loads(manifest.read_text(encoding="utf-8"))
            total, names = int(described["articles"]), list(described["files"])
            json_bytes = int(described["bytes"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SnapshotProblem(f"快照说明有误 (a bad {ARTICLES_MANIFEST}: {exc})") from None
        paths = [staging / Path(name).name for name in names]
        return SnapshotArticles(total, json_bytes, _articles_of_files(paths, archive))
    try:
        index = open_index(staging)
    except IndexNotFound:
        raise SnapshotProblem(f"快照中没有索引 (no index in {archive})") from None
    return SnapshotArticles(index.doc_count(), None, _stored_articles(index))


def _articles_of_files(paths: list[Path], archive: Path) -> Iterator[Article]:
    for path in paths:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                for line in lines:
                    yield article_from_json(line)
        except (OSError, EOFError, ValueError) as exc:
            raise SnapshotProblem(f"快照中的文章无法读取 ({archive}: {path.name}: {exc})") from None


def _stored_articles(index) -> Iterator[Article]:
    with index.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            yield article_from_stored(stored)


def restore(archive: Path, index_dir: Path, on_progress: Progress | None = None) -> int:
    """Unpack a snapshot into the new index folder `index_dir`; its article count.

    A snapshot of a Whoosh index is its files, as they were; one of shards' articles is
    indexed into a new index (`on_progress` is told as it goes).
    """
    archive, index_dir = Path(archive), Path(index_dir)
    _refuse_used_folder(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restoring-", dir=index_dir.parent.resolve()))
    try:
        unpack(archive, staging)
        found = unpacked_articles(staging, archive)
        if found.json_bytes is not None:
            _index_articles(staging, found, on_progress)
        if index_dir.exists():
            index_dir.rmdir()
        os.replace(staging, index_dir)
        return found.total
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _index_articles(folder: Path, found: SnapshotArticles, on_progress: Progress | None) -> None:
    """Index the articles into a new index in `folder`, cut with its dictionary, and leave
    the index alone there."""
    load_for_index(folder)
    large = (found.json_bytes or 0) >= INDEXING.parallel_min_bytes
    procs = min(os.cpu_count() or 1, INDEXING.max_procs) if large else 1
    with IndexWriterSession(open_or_create_index(folder), procs=procs) as session:
        for done, article in enumerate(found.articles, 1):
            session.add(article)  # a new index, and ids unique across shards
            if on_progress is not None and (done % 1000 == 0 or done == found.total):
                on_progress(done, found.total)
    for path in [*folder.glob("articles-*.jsonl.gz"), folder / ARTICLES_MANIFEST]:
        path.unlink()
