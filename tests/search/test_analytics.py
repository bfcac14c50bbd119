"""The search log: counts per folded query, what found nothing, the popular threshold, the
bounds, and nothing in it that tells readers apart."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from dataclasses import replace

import pytest

from search import analytics
from search.analytics import SearchLog


@pytest.fixture
def log(tmp_path):
    return SearchLog(tmp_path)


def test_counts_are_per_query_as_the_analyser_folds_it(log):
    for query, total in [("广州", 3), ("廣州", 3), ("  广州 ", 2), ("ＡＩ 芯片", 5), ("江豚", 0)]:
        log.record(query, total, page=1, took_ms=4.0)
    assert [(c.query, c.count, c.last_total) for c in log.top()] == [
        ("广州", 3, 2),
        ("江豚", 1, 0),  # as often as the next, asked more recently
        ("ai 芯片", 1, 5),
    ]
    assert [c.query for c in log.top(limit=1)] == ["广州"]


def test_no_results_lists_what_found_nothing_the_last_time(log):
    log.record("江豚", 0, 1, 1.0)
    log.record("江豚", 0, 1, 1.0)
    log.record("白鳍豚", 0, 1, 1.0)
    log.record("白鳍豚", 4, 1, 1.0)  # found something since
    assert [(c.query, c.count) for c in log.no_results()] == [("江豚", 2)]


def test_popular_needs_a_few_askers_and_something_found(log, monkeypatch):
    monkeypatch.setattr(analytics, "ANALYTICS", replace(analytics.ANALYTICS, popular_min_count=3))
    for _ in range(3):
        log.record("冬奥会", 10, 1, 1.0)
        log.record("找不到的词", 0, 1, 1.0)
    log.record("只问两次", 5, 1, 1.0)
    log.record("只问两次", 5, 1, 1.0)
    assert log.popular() == ["冬奥会"]


def test_the_log_is_bounded_by_rows_and_by_age(log, monkeypatch):
    monkeypatch.setattr(analytics, "ANALYTICS", replace(analytics.ANALYTICS, max_rows=5))
    for n in range(8):
        log.record(f"查询{n}", 1, 1, 1.0)
    log.prune()
    assert sorted(c.query for c in log.top(limit=100)) == [f"查询{n}" for n in range(3, 8)]
    monkeypatch.setattr(time, "time", lambda: 10**10)  # a century later
    log.prune()
    assert log.top(days=10**5, limit=100) == []


def test_nothing_that_identifies_a_reader_is_stored(log):
    log.record("广州", 1, 2, 3.5)
    log.flush()
    columns = [row[1] for row in sqlite3.connect(log.path).execute("PRAGMA table_info(searches)")]
    assert columns == ["query", "normalized", "at", "total", "page", "took_ms"]


def test_a_search_is_written_by_the_logs_own_thread_soon_after(log):
    log.record("广州", 1, 1, 1.0)
    rows, deadline = [], time.monotonic() + 30
    while not rows and time.monotonic() < deadline:
        time.sleep(0.05)  # the reader's request did not wait for the disk
        with contextlib.suppress(sqlite3.OperationalError):  # the table not made yet
            rows = sqlite3.connect(log.path).execute("SELECT query FROM searches").fetchall()
    assert rows == [("广州",)]


def test_turned_off_with_one_setting(log, monkeypatch):
    monkeypatch.setattr(analytics, "ANALYTICS", replace(analytics.ANALYTICS, enabled=False))
    log.record("广州", 1, 1, 1.0)
    assert not log.path.exists()
