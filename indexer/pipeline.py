"""An indexing run: find files, read articles, write them into the index, summarise."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from search.config import INDEXING
from search.index import IndexWriterSession, open_or_create_index
from search.userdict import load_for_index

from .progress import Progress
from .readers import find_files, read_file


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
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def indexed(self) -> int:
        return self.added + self.updated

    def lines(self) -> list[str]:
        out = [
            f"完成 done: 文件 files {self.files}, 新增 added {self.added}, "
            f"更新 updated {self.updated}, 失败 failed {len(self.failures)}, "
            f"用时 {self.seconds:.1f} s"
            + (f" ({self.indexed / self.seconds:,.0f} articles/s)" if self.seconds > 0 else "")
        ]
        if self.interrupted:
            out.append("已中断：已提交完成的部分 (interrupted: what was finished is committed)")
        out += [f"  跳过 skipped {f.path}: {f.reason}" for f in self.failures]
        return out


def index_paths(
    paths: list[Path],
    index_dir: Path,
    progress: Progress | None = None,
    commit_every: int | None = None,
) -> IndexSummary:
    """Index every supported file under `paths` into the index at `index_dir`."""
    started = time.monotonic()
    summary = IndexSummary()
    files = list(find_files(paths))
    sizes = {f: f.stat().st_size if f.exists() else 0 for f in files}
    progress = progress or Progress(len(files), sum(sizes.values()))
    index = open_or_create_index(index_dir)
    load_for_index(index_dir)  # cut the articles with the index's own user dictionary
    with index.reader() as reader:
        known_ids = set(reader.field_terms("id")) if "id" in reader.indexed_field_names() else set()

    parallel = sum(sizes.values()) >= INDEXING.parallel_min_bytes and (os.cpu_count() or 1) > 1
    procs = min(os.cpu_count() or 1, INDEXING.max_procs) if parallel else 1
    try:
        with IndexWriterSession(index, commit_every=commit_every, procs=procs) as session:
            for path in files:
                result = read_file(path)
                summary.files += 1
                summary.failures += [Failure(str(path), e) for e in result.errors]
                for article in result.articles:
                    if article.id in known_ids:
                        session.update(article)
                        summary.updated += 1
                    else:
                        session.add(article)
                        summary.added += 1
                        known_ids.add(article.id)
                    progress.article_done()
                progress.file_done(sizes[path])
    except KeyboardInterrupt:
        summary.interrupted = True
    progress.finish()
    summary.seconds = time.monotonic() - started
    return summary
