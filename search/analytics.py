"""What readers search for, kept in SQLite beside the index (`analytics.sqlite`).

Each search is one row: the query as typed, when, its total hits, the page asked for and the
time it took — no address, no cookie, nothing that tells readers apart. Queries are counted
as the analyser folds them (全角, case, traditional characters, spaces), so 广州 and 廣州 are
one query. The table is bounded (ANALYTICS.max_age_days, max_rows), pruned as it grows, and
written by every serving process at once (WAL: readers never wait for a writer).
"""

from __future__ import annotations

import atexit
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .config import ANALYTICS
from .normalize import fold

log = logging.getLogger(__name__)

FILE_NAME = "analytics.sqlite"
_PRUNE_EVERY = 1_000  # searches between prunings of one process
_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    query TEXT NOT NULL,       -- as typed
    normalized TEXT NOT NULL,  -- folded as the analyser folds, for counting
    at REAL NOT NULL,          -- Unix time
    total INTEGER NOT NULL,
    page INTEGER NOT NULL,
    took_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_at ON searches (at);
CREATE INDEX IF NOT EXISTS searches_normalized ON searches (normalized, at);
"""


def normalized(query: str) -> str:
    return " ".join(fold(query).split())


@dataclass(frozen=True)
class QueryCount:
    query: str  # the normalised query
    count: int
    last_total: int  # hits the latest of them found

    def to_dict(self) -> dict:
        return {"query": self.query, "count": self.count, "total": self.last_total}


class SearchLog:
    """The searches recorded for one index folder.

    A search is handed over in memory and written with others by a thread of this process
    every FLUSH_SECONDS, in one transaction: the reader's answer never waits for the disk
    (a write a search cost 2 ms, a tenth of a search). A killed process loses at most the
    searches of that last fraction of a second."""

    FLUSH_SECONDS = 0.2
    MAX_PENDING = 10_000  # handed over and not yet written (a locked file): the oldest go

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME
        self._local = threading.local()
        self._recorded = 0
        self._pending: list[tuple] = []
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a lost last search or two is no loss
            db.executescript(_SCHEMA)
            self._local.db = db
        return db

    def record(self, query: str, total: int, page: int, took_ms: float) -> None:
        if not ANALYTICS.enabled or not query.strip():
            return
        row = (query, normalized(query), time.time(), total, page, took_ms)
        with self._lock:
            self._pending.append(row)
            del self._pending[: -self.MAX_PENDING]
            if self._writer is None:
                atexit.register(self.flush)  # what the last fraction of a second handed over
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(
                    target=self._write_forever, name="search-log", daemon=True
                )
                self._writer.start()

    def _write_forever(self) -> None:
        while True:
            time.sleep(self.FLUSH_SECONDS)
            try:
                self.flush()
            except sqlite3.Error:
                log.exception("searches could not be recorded; retried")

    def flush(self) -> None:
        """Write what was handed over (done before every count, too)."""
        with self._lock:
            rows, self._pending = self._pending, []
        if not rows:
            return
        db = self._db()
        try:
            db.execute("BEGIN")
            db.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except sqlite3.Error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            with self._lock:
                self._pending[:0] = rows
            raise
        before = self._recorded
        self._recorded += len(rows)
        if before // _PRUNE_EVERY != self._recorded // _PRUNE_EVERY or before == 0:
            self.prune()

    def prune(self) -> None:
        """Drop searches older than the bound, then the oldest past the row bound."""
        db = self._db()
        db.execute(
            "DELETE FROM searches WHERE at < ?", (time.time() - ANALYTICS.max_age_days * 86400,)
        )
        db.execute(
            "DELETE FROM searches WHERE rowid <= (SELECT max(rowid) FROM searches) - ?",
            (ANALYTICS.max_rows,),
        )

    def top(self, days: float = 7, limit: int = 20, min_count: int = 1) -> list[QueryCount]:
        """The most asked queries of the past `days`, with what the latest of each found."""
        return self._counts(days, limit, min_count, "")

    def no_results(self, days: float = 7, limit: int = 20) -> list[QueryCount]:
        """The most asked queries of the past `days` whose latest search found nothing."""
        return self._counts(days, limit, 1, "HAVING last_total = 0")

    def popular(self) -> list[str]:
        """The home page's 热门搜索: often asked, finding something."""
        counts = self._counts(
            ANALYTICS.popular_days, ANALYTICS.popular_shown, ANALYTICS.popular_min_count, ""
        )
        return [c.query for c in counts if c.last_total > 0]

    def _counts(self, days: float, limit: int, min_count: int, having: str) -> list[QueryCount]:
        self.flush()
        if not self.path.exists():
            return []
        having = having or "HAVING 1"
        rows = self._db().execute(
            f"""SELECT normalized, count(*) AS n,
                       (SELECT total FROM searches l WHERE l.normalized = s.normalized
                        ORDER BY at DESC LIMIT 1) AS last_total
                FROM searches s WHERE at >= ? GROUP BY normalized
                {having} AND n >= ? ORDER BY n DESC, max(at) DESC LIMIT ?""",
            (time.time() - days * 86400, min_count, limit),
        )
        return [QueryCount(query, n, total) for query, n, total in rows]
