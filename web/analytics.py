"""What readers search for, over HTTP: each search recorded (search/analytics.py), the home
page's 热门搜索, and `GET /api/analytics/top` and `/api/analytics/no-results` for write-key
holders (what readers ask is the newsroom's business, not every visitor's)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from search.analytics import SearchLog
from search.config import ANALYTICS

from .params import bounded_int

bp = Blueprint("analytics", __name__)


def search_log() -> SearchLog:
    log = current_app.extensions.get("zhsearch_search_log")
    if log is None:
        log = SearchLog(Path(current_app.config["INDEX_DIR"]))
        current_app.extensions["zhsearch_search_log"] = log
    return log


def record(results) -> None:
    """Record a search that was answered; analytics never fail a search."""
    try:
        search_log().record(results.query, results.total, results.page, results.took_ms)
    except Exception:  # a full disk, a locked file: the reader still gets the answer
        current_app.logger.exception("a search could not be recorded")


_POPULAR_CACHE: dict[str, tuple[float, list[str]]] = {}  # index folder -> (when, queries)
_POPULAR_LOCK = threading.Lock()


def popular_queries() -> list[str]:
    """The home page's 热门搜索, re-read at most every ANALYTICS.popular_refresh_seconds."""
    if not ANALYTICS.enabled:
        return []
    key = str(current_app.config["INDEX_DIR"])
    with _POPULAR_LOCK:
        at, queries = _POPULAR_CACHE.get(key, (0.0, []))
        if time.monotonic() - at > ANALYTICS.popular_refresh_seconds:
            try:
                queries = search_log().popular()
            except Exception:
                current_app.logger.exception("the popular searches could not be read")
            # none yet (a new index): asked again next time rather than after the refresh
            _POPULAR_CACHE[key] = (time.monotonic() if queries else 0.0, queries)
        return queries


def _window() -> tuple[float, int]:
    days = bounded_int(request, "days", 7, 1, ANALYTICS.max_age_days)
    return days, bounded_int(request, "limit", 20, 1, 1000)


@bp.get("/api/analytics/top")
def top():
    days, limit = _window()
    counts = search_log().top(days, limit)
    return jsonify({"days": days, "queries": [c.to_dict() for c in counts]})


@bp.get("/api/analytics/no-results")
def no_results():
    days, limit = _window()
    counts = search_log().no_results(days, limit)
    return jsonify({"days": days, "queries": [c.to_dict() for c in counts]})
