"""An indexing run: find files, read the new and changed ones, write their articles, summarise."""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from search.config import INDEXING
from search.userdict import load_for_index
from search.writes.route import (
    DirectWrites,
    JournalReport,
    JournalWrites,
    index_writes,
    written_ids,
)

from .manifest import SourceManifest, file_digest
from .progress import Progress
from .readers import find_files, stream_file


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class IndexSummary:
    """What a run did, for the closing summary and for `--strict`."""

    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0  # files skipped because their content did not change
    deleted: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    journal: JournalReport | None = None  # set when the run wrote through a server's journal

    @property
    def indexed(self) -> int:
        return self.added + self.updated

    def lines(self) -> list[str]:
        rate = f" ({self.indexed / self.seconds:,.0f} articles/s)" if self.seconds > 0 else ""
        out = [
            f"完成 done: 文件 files {self.files}, 新增 added {self.added}, "
            f"更新 updated {self.updated}, 未变 unchanged {self.unchanged} files, "
            f"删除 deleted {self.deleted}, 失败 failed {len(self.failures)}, "
            f"用时 {self.seconds:.1f} s{rate}"
        ]
        if self.journal is not None:
            out.append(self.journal.line())
        if self.interrupted:
            out.append("已中断：已提交完成的部分 (interrupted: what was finished is committed)")
        out += [f"  跳过 skipped {f.path}: {f.reason}" for f in self.failures]
        return out


class IndexRun:
    """The state of one indexing run: which ids are known, which files are done."""

    def __init__(self, manifest_dir: Path, known_ids):
        """`known_ids`: the ids already written (`in`, `add`, `-=`, as a set has them);
        `manifest_dir`: where the source files' digests are kept."""
        self.known_ids = known_ids
        self.manifest = SourceManifest(manifest_dir)
        self.finished: dict[Path, tuple[str, list[str]]] = {}  # since the last commit
        self.summary = IndexSummary()

    def record_committed(self) -> None:
        """After a commit: the files finished before it are now safely in the index."""
        for path, (digest, ids) in self.finished.items():
            self.manifest.record(path, digest, ids)
        self.finished.clear()
        self.manifest.save()

    def index_file(
        self, session: DirectWrites | JournalWrites, path: Path, progress: Progress
    ) -> None:
        summary = self.summary
        summary.files += 1
        try:
            digest = file_digest(path)
        except OSError as exc:
            summary.failures.append(Failure(str(path), f"无法读取文件 (cannot read file: {exc})"))
            return
        if self.manifest.unchanged(path, digest):
            summary.unchanged += 1
            return
        stream = stream_file(path)
        ids: list[str] = []
        for article, read in stream.articles:
            ids.append(article.id)
            if article.id in self.known_ids:
                session.update(article)
                summary.updated += 1
            else:
                session.add(article)
                summary.added += 1
                self.known_ids.add(article.id)
            progress.article_done(within_file=read)
        summary.failures += [Failure(str(path), e) for e in stream.errors]
        if not ids:
            return  # recorded nowhere, so the next run tries the file again
        stale = set(self.manifest.ids_of(path)) - set(ids)
        if stale:
            summary.deleted += session.delete(sorted(stale))
            self.known_ids -= stale
        self.finished[path] = (digest, ids)

    def index_files(
        self, session, files: list[Path], sizes: dict[Path, int], progress: Progress, prune: bool
    ) -> None:
        """Index each file in turn through `session` (anything with update, add and delete),
        then, with `prune`, delete the articles of files that are gone."""
        for path in files:
            self.index_file(session, path, progress)
            progress.file_done(sizes[path])
        if prune:
            self.prune(session)

    def prune(self, session: DirectWrites | JournalWrites) -> None:
        """Delete the articles of source files that no longer exist."""
        for key in self.manifest.vanished():
            self.summary.deleted += session.delete(self.manifest.ids_of(key))
            self.manifest.forget(key)


def index_paths(
    paths: list[Path],
    index_dir: Path,
    progress: Progress | None = None,
    commit_every: int | None = None,
    prune: bool = False,
    procs: int | None = None,
    lock_timeout: float = 10.0,
    progress_interval: float | None = None,
    shards: str = "",
) -> IndexSummary:
    """Index the new and changed supported files under `paths` into the index at `index_dir`,
    or into the Xapian shards `shards` (host:port,…) whose frontend folder `index_dir` is.

    `procs`: processes that analyse and write (default: several for a large batch; one into
    shards); `progress_interval`: seconds between progress lines (default: Progress's).
    Raises ShardsUnavailable, nothing written, where a shard does not answer.
    """
    started = time.monotonic()
    files = list(find_files(paths))
    sizes = {f: f.stat().st_size if f.exists() else 0 for f in files}
    progress = progress or Progress(len(files), sum(sizes.values()), interval=progress_interval)
    with ExitStack() as stack:
        run = IndexRun(index_dir, written_ids(index_dir, shards, stack))
        load_for_index(index_dir)  # cut the articles with the index's own user dictionary
        if shards:
            procs = 1  # the shards' writer is one connection a shard
        elif procs is None:
            large = sum(sizes.values()) >= INDEXING.parallel_min_bytes
            procs = min(os.cpu_count() or 1, INDEXING.max_procs) if large else 1
        writes = index_writes(
            index_dir,
            commit_every=commit_every,
            procs=procs,
            lock_timeout=lock_timeout,
            on_commit=run.record_committed,
            shards=shards,
        )
        via_journal = False
        try:
            with writes as session:
                via_journal = session.via_journal
                run.summary.journal = session.report
                run.index_files(session, files, sizes, progress, prune)
        except KeyboardInterrupt:
            run.summary.interrupted = True
        if not (via_journal and run.summary.interrupted):
            # Manifest changes that needed no commit (a prune of nothing). Journaled writes
            # are recorded only once searchable: else a re-run reads their files again.
            run.record_committed()
    progress.finish()
    run.summary.seconds = time.monotonic() - started
    return run.summary
