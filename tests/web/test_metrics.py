"""`/metrics` over a real `zhsearch serve` with two workers: Prometheus' own parser reads it,
and the counts of both worker processes add up."""

from __future__ import annotations

import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import running_server

BATCH = 16


def _samples(text: str) -> dict:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _workers_that_searched(folder) -> set[str]:
    """The worker processes whose own count of answered searches is above zero (each keeps
    its counts in a file of its own, created as it starts)."""
    workers = set()
    for path in folder.glob("counter_*.db"):
        values = MmapedDict.read_all_values_from_file(str(path))
        if any('"/api/search"' in key and value > 0 for key, value, *_ in values):
            workers.add(path.stem.split("_")[-1])
    return workers


def test_counts_from_both_workers_add_up_and_the_index_is_described(tmp_path):
    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder)}
    with running_server(index_dir, workers=2, env=env) as server:

        def search(query: str) -> int:
            return server.get("/api/search?q=" + urllib.parse.quote(query))[0]

        sent = 0
        deadline = time.monotonic() + 60
        # Batches at once until both workers have answered some (which one takes a
        # connection is the kernel's choice), every search counted.
        while len(_workers_that_searched(folder)) < 2 and time.monotonic() < deadline:
            with ThreadPoolExecutor(8) as pool:
                queries = ["北京"] * (BATCH - 1) + ["不存在的词语"]
                assert list(pool.map(search, queries)) == [200] * BATCH
            sent += BATCH
        status, raw = server.get("/metrics")
        assert status == 200
        workers_that_searched = _workers_that_searched(folder)
        samples = _samples(raw.decode("utf-8"))

    assert len(workers_that_searched) == 2  # each worker counted searches of its own …
    key = ("zhsearch_requests_total", (("endpoint", "/api/search"), ("status", "200")))
    assert samples[key] == sent  # … and the scrape added them up
    assert samples[("zhsearch_search_seconds_count", ())] == sent
    assert samples[("zhsearch_searches_no_results_total", ())] == sent / BATCH
    assert samples[("zhsearch_articles", ())] == len(SAMPLE_ARTICLES)
    assert samples[("zhsearch_index_bytes", ())] > 0
    assert samples[("zhsearch_writes_queued", ())] == 0
