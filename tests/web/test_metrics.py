"""`/metrics` over a real `zhsearch serve` with two workers: Prometheus' own parser reads it,
and the counts of both worker processes add up."""

from __future__ import annotations

import os
import signal
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import child_processes, running_server
from tests.shard_servers import eventually

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


def test_a_killed_server_s_metrics_folder_is_removed_when_the_next_server_starts(tmp_path):
    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    running = temp / f"zhsearch-metrics-{os.getpid()}-abc"  # a server still running: kept
    running.mkdir()
    with running_server(index_dir, env=env) as first:
        (killed,) = temp.glob(f"zhsearch-metrics-{first.process.pid}-*")
        first.process.kill()  # SIGKILL: it cannot remove its own folder
        first.process.wait(timeout=10)
    assert killed.exists()
    with running_server(index_dir, env=env) as second:
        assert not killed.exists() and running.exists()
        (own,) = temp.glob(f"zhsearch-metrics-{second.process.pid}-*")
    assert not own.exists()  # a server stopped cleanly removes its own


def test_a_worker_that_stops_on_its_own_leaves_the_metrics_to_the_others(tmp_path):
    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    temp = tmp_path / "tmp"
    temp.mkdir()
    with running_server(index_dir, workers=2, env={"TMPDIR": str(temp)}) as server:
        assert server.get("/api/search?q=" + urllib.parse.quote("北京"))[0] == 200
        # The two workers and the committer: gunicorn may fork the second worker a moment
        # after the first answers.
        assert eventually(lambda: len(child_processes(server.process.pid)) == 3)
        os.kill(server.process.pid, signal.SIGTTOU)  # gunicorn: one worker fewer, stopped in turn
        assert eventually(lambda: len(child_processes(server.process.pid)) == 2)
        status, body = server.get("/metrics")
        assert status == 200 and b'zhsearch_requests_total{endpoint="/api/search"' in body
        assert list(temp.glob("zhsearch-metrics-*"))
