"""What the benchmarks share: where the corpora are, building collections, the baselines."""

from __future__ import annotations

import gzip
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ZHSEARCH_SHARED", ROOT.parent / "shared")) / "corpora"
ZHSEARCH = [sys.executable, "-m", "zhsearch"]


def require_shared() -> Path:
    if not SHARED.exists():
        sys.exit(f"the shared corpora are not at {SHARED} (set ZHSEARCH_SHARED)")
    return SHARED


def read_jsonl(path: Path) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_topics(path: Path, sample: int | None = None, seed: int = 13) -> list[tuple[str, str]]:
    """(qid, query) pairs; a fixed random sample of them when `sample` is given."""
    topics = []
    for line in path.read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        if text.strip():
            topics.append((qid, text.strip()))
    if sample and sample < len(topics):
        topics = random.Random(seed).sample(topics, sample)
    return topics


def write_topics(path: Path, topics: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"{qid}\t{text}\n" for qid, text in topics), encoding="utf-8")
    return path


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


# ---------------------------------------------------------------- zhsearch through its CLI


def zhsearch_index(index_dir: Path, *paths: Path, backend: tuple[str, ...] = ()) -> float:
    """Index with the real `zhsearch index` (`backend`: e.g. --backend xapian --shards …);
    returns wall seconds."""
    started = time.perf_counter()
    subprocess.run(
        [*ZHSEARCH, "index", *backend, "--index", str(index_dir), *map(str, paths)],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def zhsearch_run(
    index_dir: Path, topics: Path, run: Path, limit: int = 10, backend: tuple[str, ...] = ()
) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            *ZHSEARCH,
            "search",
            *backend,
            "--index",
            str(index_dir),
            "--topics",
            str(topics),
            "--run",
            str(run),
            "--limit",
            str(limit),
        ],
        check=True,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


# ---------------------------------------------------------------- the naive baseline


def naive_index(index_dir: Path, records: list[dict]) -> None:
    """What people build in an afternoon: Whoosh + jieba's ChineseAnalyzer, default writer."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    analyzer = ChineseAnalyzer()
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=analyzer),
        text=TEXT(stored=True, analyzer=analyzer),
    )
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    for r in records:
        writer.add_document(id=r["id"], title=r.get("title", ""), text=r["text"])
    writer.commit()


class NaiveSearcher:
    """Default MultifieldParser over title and text with OR grouping, default BM25F."""

    def __init__(self, index_dir: Path):
        from whoosh import index
        from whoosh.qparser import MultifieldParser, OrGroup

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "text"], self.ix.schema, group=OrGroup)

    def search(self, text: str, limit: int = 10):
        return self.searcher.search(self.parser.parse(text), limit=limit)

    def ranked(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        return [(hit["id"], hit.score) for hit in self.search(text, limit)]


# ---------------------------------------------------------------- SQLite FTS5


def _segment_for_search(text: str) -> str:
    import rjieba  # the same tokens as jieba.cut_for_search, faster

    return " ".join(w for w in rjieba.cut_for_search(text) if w.strip() and w.isalnum())


def fts5_index(db_path: Path, records: list[dict]) -> None:
    """BM25 in SQLite FTS5 over jieba-segmented (space-joined) title and text."""
    db_path.unlink(missing_ok=True)
    con = sqlite3.connect(db_path)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, text)")
    con.executemany(
        "INSERT INTO docs VALUES (?, ?, ?)",
        (
            (r["id"], _segment_for_search(r.get("title", "")), _segment_for_search(r["text"]))
            for r in records
        ),
    )
    con.commit()
    con.close()


class Fts5Searcher:
    def __init__(self, db_path: Path):
        self.con = sqlite3.connect(db_path)

    def ranked(self, text: str, limit: int = 10) -> list[tuple[str, float]]:
        words = dict.fromkeys(_segment_for_search(text).split())
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = self.con.execute(
            "SELECT id, bm25(docs) AS s FROM docs WHERE docs MATCH ? ORDER BY s LIMIT ?",
            (match, limit),
        ).fetchall()
        return [(doc_id, -score) for doc_id, score in rows]

    def ranked_with_snippets(self, text: str, limit: int = 10) -> list[tuple[str, str]]:
        """The top hits with FTS5's own highlighted snippets, as a search page would show."""
        words = dict.fromkeys(_segment_for_search(text).split())
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return self.con.execute(
            "SELECT id, snippet(docs, 2, '<mark>', '</mark>', '…', 32) FROM docs "
            "WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
            (match, limit),
        ).fetchall()


def write_run(path: Path, runs: dict[str, list[tuple[str, float]]], tag: str) -> Path:
    """A baseline's run, written as zhsearch writes its own (`search.runs`): ties and all,
    the scores decrease strictly down the ranking the baseline returned."""
    from search.documents import Ranking
    from search.runs import trec_lines

    with path.open("w", encoding="utf-8") as out:
        for qid, ranked in runs.items():
            ranking = Ranking([d for d, _ in ranked], [float(s) for _, s in ranked])
            out.writelines(trec_lines(qid, ranking, tag))
    return path
