"""The write journal: every acknowledged write, on disk before it is acknowledged.

`journal.sqlite` in the index folder (SQLite in WAL mode, `synchronous=FULL`: a transaction is
fsynced when it commits) holds the writes that are not in the index yet, each numbered by a
`seq` that only grows (AUTOINCREMENT never hands out a number twice, even after rows are
deleted). The committer applies them in order, commits the index, and only then records the
highest `seq` applied and drops those rows, in one transaction. A crash between the index
commit and that record makes the next committer apply the same writes again, which changes
nothing: a put replaces the article with that id, a delete of a deleted id deletes nothing.
This is the part Elasticsearch's translog plays beside Lucene's commit points.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..config import WRITING
from ..documents import Article
from ..records import article_to_json

FILE_NAME = "journal.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS writes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL CHECK (op IN ('put', 'delete')),
    doc_id TEXT NOT NULL,
    body TEXT,               -- a put's article as JSON (search.records)
    size INTEGER NOT NULL,   -- bytes it takes in the backlog
    received REAL NOT NULL   -- Unix time it was acknowledged
);
CREATE TABLE IF NOT EXISTS failed (
    seq INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    error TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value);
INSERT OR IGNORE INTO state VALUES ('applied', 0), ('queued_writes', 0), ('queued_bytes', 0),
    ('last_commit', NULL);
"""


class JournalFull(Exception):
    """The backlog is at its bound: the caller should retry later (HTTP 429)."""


class UnknownTask(LookupError):
    """A `seq` the journal never handed out."""


@dataclass(frozen=True)
class Write:
    """One journaled write: a put of an article (as JSON) or a delete of an id."""

    seq: int
    op: str
    doc_id: str
    body: str | None = None


@dataclass(frozen=True)
class Backlog:
    writes: int
    bytes: int


def put(article: Article) -> tuple[str, str, str]:
    """A put as `Journal.append` takes it."""
    return ("put", article.id, article_to_json(article))


def delete(doc_id: str) -> tuple[str, str, None]:
    return ("delete", doc_id, None)


def exists(index_dir: Path) -> bool:
    return (Path(index_dir) / FILE_NAME).exists()


class Journal:
    """The journal of one index folder; safe to share between threads (one connection each)."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        db = self._connection()
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'state'").fetchone() is None:
            db.executescript(_SCHEMA)  # idempotent, should two processes create it at once

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed append survives power loss
            db.execute("PRAGMA journal_size_limit=67108864")
            self._local.db = db
        return db

    def _state(self, db: sqlite3.Connection, key: str):
        return db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()[0]

    def append(self, writes: Iterable[tuple[str, str, str | None]]) -> int:
        """Journal the writes (op, id, body) in one transaction; returns the last one's seq.

        Durable when this returns. Refuses (JournalFull) while the backlog is at its bound: a
        request is taken whole below it, so the backlog passes the bound by at most one request.
        """
        rows = [
            (op, doc_id, body, len(body.encode("utf-8")) if body else len(doc_id))
            for op, doc_id, body in writes
        ]
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            backlog = self._backlog(db)
            if (
                backlog.writes >= WRITING.max_queued_writes
                or backlog.bytes >= WRITING.max_queued_bytes
            ):
                raise JournalFull(
                    f"写入队列已满：{backlog.writes} 条待写入 (the write queue is full:"
                    f" {backlog.writes} writes, {backlog.bytes} bytes not yet searchable)"
                )
            now = time.time()
            db.executemany(
                "INSERT INTO writes (op, doc_id, body, size, received) VALUES (?, ?, ?, ?, ?)",
                [(*row, now) for row in rows],
            )
            db.execute(
                "UPDATE state SET value = value + ? WHERE key = 'queued_writes'", (len(rows),)
            )
            db.execute(
                "UPDATE state SET value = value + ? WHERE key = 'queued_bytes'",
                (sum(row[3] for row in rows),),
            )
            seq = self._last_seq(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return seq

    @staticmethod
    def _last_seq(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'writes'").fetchone()
        return row[0] if row else 0

    def last_seq(self) -> int:
        """The newest write's seq (0 before the first)."""
        return self._last_seq(self._connection())

    def applied(self) -> int:
        """The highest seq whose write is in the index (searchable)."""
        return self._state(self._connection(), "applied")

    def _backlog(self, db: sqlite3.Connection) -> Backlog:
        return Backlog(self._state(db, "queued_writes"), self._state(db, "queued_bytes"))

    def backlog(self) -> Backlog:
        """Writes acknowledged and not yet searchable."""
        return self._backlog(self._connection())

    def last_commit(self) -> float | None:
        """Unix time of the last commit that applied journaled writes."""
        return self._state(self._connection(), "last_commit")

    def pending(self, limit: int) -> list[Write]:
        """The oldest writes not yet applied, in order."""
        rows = self._connection().execute(
            "SELECT seq, op, doc_id, body FROM writes ORDER BY seq LIMIT ?", (limit,)
        )
        return [Write(*row) for row in rows]

    def mark_applied(self, seq: int, failures: dict[int, tuple[str, str]] | None = None) -> None:
        """The writes up to `seq` are committed to the index: drop them from the backlog.

        `failures`: seq → (id, reason) of writes that could not be applied at all (kept, with
        their reason, for `status`).
        """
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            count, size = db.execute(
                "SELECT count(*), coalesce(sum(size), 0) FROM writes WHERE seq <= ?", (seq,)
            ).fetchone()
            db.execute("DELETE FROM writes WHERE seq <= ?", (seq,))
            db.execute(
                "UPDATE state SET value = max(value - ?, 0) WHERE key = 'queued_writes'", (count,)
            )
            db.execute(
                "UPDATE state SET value = max(value - ?, 0) WHERE key = 'queued_bytes'", (size,)
            )
            db.execute("UPDATE state SET value = max(value, ?) WHERE key = 'applied'", (seq,))
            db.execute("UPDATE state SET value = ? WHERE key = 'last_commit'", (time.time(),))
            now = time.time()
            db.executemany(
                "INSERT OR REPLACE INTO failed VALUES (?, ?, ?, ?)",
                [(s, doc_id, reason, now) for s, (doc_id, reason) in (failures or {}).items()],
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def status(self, seq: int) -> dict:
        """`{"seq", "status"}`: queued, searchable, or failed (with the reason)."""
        db = self._connection()
        if not 0 < seq <= self._last_seq(db):
            raise UnknownTask(seq)
        if seq > self._state(db, "applied"):
            return {"seq": seq, "status": "queued"}
        failure = db.execute("SELECT error FROM failed WHERE seq = ?", (seq,)).fetchone()
        if failure:
            return {"seq": seq, "status": "failed", "error": failure[0]}
        return {"seq": seq, "status": "searchable"}

    def wait_applied(self, seq: int, timeout: float, poll: float = 0.02) -> bool:
        """Wait until the write `seq` is searchable; False if `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        while self.applied() < seq:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)
        return True

    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap to poll for new writes."""
        return self._connection().execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
