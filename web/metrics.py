"""`GET /metrics` in Prometheus' text format, right across several gunicorn workers.

Each worker counts its own requests and searches; prometheus_client's multiprocess mode keeps
the counts in files of a folder shared by the workers (`PROMETHEUS_MULTIPROC_DIR`, which
`zhsearch serve` sets before any worker starts) and adds them up when scraped, whichever
worker answers. What the index holds (articles, bytes, the last commit, writes queued) is
read at scrape time rather than counted. Without that folder (a single process: the tests'
client, `flask run`) the counts are the process's own.
"""

from __future__ import annotations

import os
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from search.errors import IndexNotFound, ShardsUnavailable

from .engine import get_engine

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

bp = Blueprint("metrics", __name__)

REQUESTS = Counter(
    "zhsearch_requests", "HTTP requests answered, by endpoint and status", ["endpoint", "status"]
)
SEARCH_SECONDS = Histogram(
    "zhsearch_search_seconds",
    "Time to answer a search (page or API)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
NO_RESULTS = Counter("zhsearch_searches_no_results", "Searches that found nothing")


def observe_search(results) -> None:
    SEARCH_SECONDS.observe(results.took_ms / 1000)
    if results.total == 0:
        NO_RESULTS.inc()


class IndexCollector(Collector):
    """The index as it is at scrape time."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        with self.app.app_context():
            try:
                stats = get_engine().stats()
            except (IndexNotFound, ShardsUnavailable):
                return
        yield GaugeMetricFamily("zhsearch_articles", "Articles in the index", value=stats.articles)
        if stats.index_bytes is not None:  # None: on shard servers
            yield GaugeMetricFamily(
                "zhsearch_index_bytes", "Bytes of the index on disk", value=stats.index_bytes
            )
        if stats.last_commit:
            yield GaugeMetricFamily(
                "zhsearch_last_commit_timestamp_seconds",
                "When the index was last committed (Unix time)",
                value=datetime.fromisoformat(stats.last_commit).timestamp(),
            )
        yield GaugeMetricFamily(
            "zhsearch_writes_queued", "Writes accepted, not yet searchable", value=stats.queued
        )


def register(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.after_request
    def count(response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(endpoint, str(response.status_code)).inc()
        return response


@bp.get("/metrics")
def metrics():
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, SEARCH_SECONDS, NO_RESULTS):
            registry.register(collector)
    registry.register(IndexCollector(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
