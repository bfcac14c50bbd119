"""Speed and memory at archive scale: zhsearch against the naive Whoosh + jieba setup and FTS5.

    python -m bench.perf [--queries N] [--workdir DIR] [--skip-naive-index]

One run measures, side by side:
- indexing ../shared/corpora/xwlb (19,540 articles): wall time, articles/s, MB/s, peak RSS and
  index size, each system in its own child process;
- query latency (p50/p95/p99, highlighting of the top 10 included) for short keyword queries on
  that index and for CMRC questions on the CMRC passages + news index;
- HTTP throughput of `zhsearch serve` at 1 and 8 concurrent clients (loopback only; `wrk` as
  the load generator when it is installed, else bounded Python clients);
- start-up (serve → first answer, one-shot `zhsearch search`) and the memory of the server's
  processes after 1,000 queries;
- writes over HTTP to a copy of the xwlb index (`--only writes` runs just these): the time
  from each `202` to a search finding the article under a steady 20 writes/s, writes/s
  accepted at 1 and 8 clients (single articles and batches of 100), how fast the committer
  applies a backlog beside the direct `zhsearch index` of the same articles, and the
  server's memory while writing.
Ratios are against the naive baseline (the direct CLI run, for writes) measured in the same run.
`--backend xapian` compares the Xapian backend on 1 and 3 shards with the Whoosh index instead
(bench/xapian.py).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench.common import (
    ROOT,
    ZHSEARCH,
    Fts5Searcher,
    NaiveSearcher,
    read_jsonl,
    read_topics,
    require_shared,
)


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def child_run(args: list[str]) -> tuple[float, int]:
    """Run a child process; its wall seconds and peak RSS in bytes (its own, via wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, args)
    return seconds, usage.ru_maxrss * 1024


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "mean": statistics.mean(ordered) * 1000,
    }


# ---------------------------------------------------------------- indexing (child processes)


def naive_index_main(source: str, target: str) -> None:
    from bench.common import naive_index

    naive_index(Path(target), list(read_jsonl(Path(source))))


def fts5_index_main(source: str, target: str) -> None:
    from bench.common import fts5_index

    fts5_index(Path(target), list(read_jsonl(Path(source))))


def indexing(work: Path, source: Path, skip_naive: bool) -> dict[str, dict]:
    articles = sum(1 for _ in read_jsonl(source))
    megabytes = sum(len(r["title"]) + len(r["text"]) for r in read_jsonl(source)) * 3 / 1e6
    rows = {}
    jobs = {
        "zhsearch": (work / "xwlb-zhsearch", [*ZHSEARCH, "index", "--index"]),
        "naive": (work / "xwlb-naive", [sys.executable, "-m", "bench.perf", "--child", "naive"]),
        "fts5": (work / "xwlb-fts5.db", [sys.executable, "-m", "bench.perf", "--child", "fts5"]),
    }
    for name, (target, command) in jobs.items():
        if name == "naive" and skip_naive and target.exists():
            continue
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
        if name == "zhsearch":
            seconds, rss = child_run([*command, str(target), str(source)])
        else:
            seconds, rss = child_run([*command, str(source), str(target)])
        rows[name] = {
            "seconds": seconds,
            "articles/s": articles / seconds,
            "MB/s": megabytes / seconds,
            "peak RSS MB": rss / 2**20,
            "index MB": du(target) / 2**20,
        }
    return rows


# ---------------------------------------------------------------- query latency


def keyword_queries(source: Path, n: int) -> list[str]:
    """Short queries as readers type them: 2–8 characters taken from headline words."""
    from search.analysis import query_words
    from search.stopwords import STOPWORDS

    rng = random.Random(5)
    titles = [r["title"] for r in read_jsonl(source) if r.get("title")]
    queries = []
    while len(queries) < n:
        words = [w for w in query_words(rng.choice(titles)) if w not in STOPWORDS and len(w) > 1]
        if not words:
            continue
        start = rng.randrange(len(words))
        query = "".join(words[start : start + rng.choice((1, 2))])
        if 2 <= len(query) <= 8:
            queries.append(query)
    return queries


def time_queries(search, queries: list[str], repeat: int) -> dict[str, float]:
    samples: list[float] = []
    for query in queries[:20]:
        search(query)  # warm up
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            search(query)
            samples.append(time.perf_counter() - started)
    return percentiles(samples)


def latency(work: Path, index_dirs: dict[str, Path], queries: list[str], repeat: int) -> dict:
    from search.backends.whoosh.engine import SearchEngine
    from search.query import QueryError

    engine = SearchEngine(index_dirs["zhsearch"])

    def zhsearch(q: str):
        try:
            return engine.search(q, size=10)
        except QueryError:
            return None

    rows = {"zhsearch": time_queries(zhsearch, queries, repeat)}
    if index_dirs["naive"].exists():
        naive = NaiveSearcher(index_dirs["naive"])

        def naive_search(q: str):
            results = naive.search(q, 10)
            return [(hit.highlights("title"), hit.highlights("text")) for hit in results]

        rows["naive"] = time_queries(naive_search, queries, repeat)
    if index_dirs["fts5"].exists():
        fts5 = Fts5Searcher(index_dirs["fts5"])
        rows["fts5"] = time_queries(lambda q: fts5.ranked_with_snippets(q, 10), queries, repeat)
    return rows


# ---------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, deadline: float) -> bool:
    while time.perf_counter() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.02)
    return False


def wait_for_suggestions(port: int, deadline: float) -> bool:
    path = "/api/suggest?" + urllib.parse.urlencode({"q": "中国"})
    while time.perf_counter() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        if json.loads(conn.getresponse().read()).get("suggestions"):
            return True
        time.sleep(0.2)
    return False


def load(port: int, queries: list[str], clients: int, per_client: int) -> dict[str, float]:
    """A bounded Python load: each client sends `per_client` requests, one after another."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(per_client):
            path = "/api/search?" + urllib.parse.urlencode({"q": rng.choice(queries)})
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "requests/s": len(latencies) / seconds,
        **percentiles(latencies),
        "errors": errors[0],
    }


_WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%f %%f %%f %%f %%f %%d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.mean / 1e3,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def wrk_load(port: int, script: Path, clients: int, seconds: float) -> dict[str, float]:
    """`wrk` (C, one thread) with `clients` connections for `seconds`, the queries in turn."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:.0f}s", "--timeout", "10s"]
        + ["-s", str(script), f"http://127.0.0.1:{port}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    requests, duration, p50, p95, p99, mean, errors = line.split()[1:]
    return {
        "requests": int(requests),
        "requests/s": int(requests) / float(duration),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "mean": float(mean),
        "errors": int(errors),
    }


def wrk_script(work: Path, queries: list[str]) -> Path:
    paths = ",".join(
        json.dumps("/api/search?" + urllib.parse.urlencode({"q": q}), ensure_ascii=True)
        for q in queries
    )
    script = work / "queries.lua"
    script.write_text(_WRK_SCRIPT % paths, encoding="utf-8")
    return script


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (the server and its workers)."""
    tree, i = [pid], 0
    while i < len(tree):
        children = Path(f"/proc/{tree[i]}/task/{tree[i]}/children")
        if children.exists():
            tree += [int(c) for c in children.read_text().split()]
        i += 1
    return tree


def memory_mb(pid: int) -> dict[str, float]:
    """Memory of a server and its workers: their RSS added up, and their proportional share
    (PSS: pages shared between them counted once), the largest one process's RSS, and the PSS
    of the processes among them that come and go under writes: segment merges and builds of
    the suggestion lexicon."""

    def field(path: str, name: str) -> float:
        for line in Path(path).read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    tree = process_tree(pid)
    rss = [field(f"/proc/{p}/status", "VmRSS") for p in tree]
    pss = {p: field(f"/proc/{p}/smaps_rollup", "Pss") for p in tree}
    background = (b"search.writes.merging", b"search.backends.whoosh.lexicon_file")
    passing = [
        p for p in tree if any(b in Path(f"/proc/{p}/cmdline").read_bytes() for b in background)
    ]
    return {
        "processes": len(tree),
        "rss_sum": sum(rss),
        "pss_sum": sum(pss.values()),
        "rss_max": max(rss),
        "pss_background": sum(pss[p] for p in passing),
    }


def serving(work: Path, index_dir: Path, queries: list[str], seconds: float) -> dict:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [*ZHSEARCH, "serve", "--index", str(index_dir), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = "/api/search?" + urllib.parse.urlencode({"q": queries[0]})
        if not wait_for(port, first, started + 60):
            raise RuntimeError("zhsearch serve did not answer within 60 s")
        startup = time.perf_counter() - started
        # Load is measured on a warmed server, as the latency sets are: once the suggestion
        # lexicon, built in the background after start, is ready, and after a first round.
        if not wait_for_suggestions(port, time.perf_counter() + 60):
            raise RuntimeError("zhsearch serve built no suggestion lexicon within 60 s")
        if shutil.which("wrk"):
            generator = "wrk (one thread)"
            script = wrk_script(work, queries)
            wrk_load(port, script, 8, 5)

            def run(clients: int) -> dict[str, float]:
                return wrk_load(port, script, clients, seconds)
        else:
            generator = "Python threads (install wrk for a generator that takes less CPU)"
            load(port, queries, 8, 40)
            per_second = 40  # about what one client gets through

            def run(clients: int) -> dict[str, float]:
                return load(port, queries, clients, int(seconds * per_second / clients) + 1)

        rows = {"1 client": run(1), "8 clients": run(8)}
        done = sum(row["requests"] for row in rows.values())
        if done < 1000:
            load(port, queries, 4, (1000 - done) // 4 + 1)
        return {
            "startup_s": startup,
            "memory": memory_mb(server.pid),
            "load": rows,
            "generator": generator,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def one_shot(index_dir: Path, query: str, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [*ZHSEARCH, "search", "--index", str(index_dir), query],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


# ---------------------------------------------------------------- writes over HTTP

WRITE_SOURCE = "写入基准"  # the source of every article the write benchmark sends


class Writer:
    """Sends writes to a server with a key, counting what was accepted."""

    def __init__(self, port: int, key: str, articles: list[dict]):
        self.port = port
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.articles = articles
        self.sent = 0
        self.lock = threading.Lock()

    def article(self) -> dict:
        with self.lock:
            n = self.sent
            self.sent += 1
        base = self.articles[n % len(self.articles)]
        doc_id = f"w{n:07d}"
        return {
            "id": doc_id,
            "title": f"{_token(doc_id)} {base['title']}",
            "text": base["text"],
            "source": WRITE_SOURCE,
            "date": base.get("date"),
        }

    def request(self, method: str, path: str, body) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, json.dumps(body, ensure_ascii=False).encode(), self.headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def put(self) -> tuple[int, str, int]:
        article = self.article()
        status, body = self.request("PUT", f"/api/documents/{article['id']}", article)
        return status, article["id"], body.get("seq", 0)

    def post(self, size: int) -> tuple[int, int]:
        status, body = self.request("POST", "/api/documents", [self.article() for _ in range(size)])
        return status, body.get("accepted", 0)


def _token(doc_id: str) -> str:
    """A word only this written article holds: letters alone (w0000107 → tokwaaaabah), since a
    word of letters and digits is also found by its runs (tokw, 0000107) that others share."""
    return "tok" + doc_id.translate(str.maketrans("0123456789", "abcdefghij"))


def _stream_latency(port: int, writer: Writer, rate: float, seconds: float) -> dict:
    """Single writes at `rate` a second; how long after its 202 a search first finds each.

    A reader searches for the words of the writes not found yet, all at once (`a OR b …`),
    as often as it can: a light query, so the watching takes little from the server.
    """
    acked: dict[str, float] = {}
    found: dict[str, float] = {}
    lock = threading.Lock()
    done = threading.Event()

    def watch() -> None:
        give_up = None
        while True:
            with lock:
                # 15 words and 14 ORs: within the query's 40-word bound
                pending = [i for i in acked if i not in found][:15]
            if done.is_set():
                give_up = give_up or time.perf_counter() + 30
                if not pending or time.perf_counter() > give_up:
                    return  # whatever is still missing counts as never found
            if not pending:
                time.sleep(0.01)
                continue
            query = " OR ".join(_token(i) for i in pending)
            path = "/api/search?" + urllib.parse.urlencode({"q": query, "size": 15})
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            response = conn.getresponse()
            body = json.loads(response.read())
            if response.status != 200:
                raise RuntimeError(f"the watching search failed: {response.status} {body}")
            hits = body["hits"]
            now = time.perf_counter()
            with lock:
                for hit in hits:
                    found.setdefault(hit["id"], now)
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    n = 0
    while time.perf_counter() - started < seconds:
        due = started + n / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        status, doc_id, _ = writer.put()
        if status == 202:
            with lock:
                acked[doc_id] = time.perf_counter()
        n += 1
    done.set()
    watcher.join()
    delays = [found[i] - t for i, t in acked.items() if i in found]
    missing = len(acked) - len(delays)
    within = sum(d <= 1.0 for d in delays) / max(len(acked), 1)
    # The same share for each minute of the stream: whether it holds, or falls behind.
    minutes: dict[int, list[bool]] = {}
    for doc_id, at in acked.items():
        late = doc_id not in found or found[doc_id] - at > 1.0
        minutes.setdefault(int((at - started) // 60), []).append(not late)
    by_minute = [sum(v) / len(v) for _, v in sorted(minutes.items())]
    return {
        "writes": len(acked),
        "missing": missing,
        "within_1s": within,
        "by_minute": by_minute,
        **percentiles(delays),
    }


def _accept_rate(clients: int, requests: int, send) -> float:
    """Writes accepted a second while `clients` threads make `requests` calls of `send` (each
    returns how many writes it had accepted) between them."""
    counts = [0] * clients
    left = [requests]
    lock = threading.Lock()

    def client(n: int) -> None:
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            counts[n] += send()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def _drain(port: int, deadline: float = 600) -> float:
    """Seconds until the server's write queue is empty."""
    started = time.perf_counter()
    answer = None
    while time.perf_counter() - started < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/stats")
        answer = json.loads(conn.getresponse().read())
        if answer.get("queued") == 0:
            return time.perf_counter() - started
        time.sleep(0.1)
    raise RuntimeError(f"the write queue did not drain: {answer}")


def writes(work: Path, index_dir: Path, source: Path, seconds: float) -> dict:
    from search.backends.whoosh.index import open_index
    from search.keys import KeyStore

    target = work / "writes-zhsearch"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(index_dir, target)
    key = KeyStore(target).create("bench", "write")
    articles = [r for _, r in zip(range(5000), read_jsonl(source), strict=False)]

    # Baseline: the same articles (new ids) through the direct CLI run, into another copy.
    direct = work / "writes-direct"
    if direct.exists():
        shutil.rmtree(direct)
    shutil.copytree(index_dir, direct)
    export = work / "writes-direct.jsonl"
    with export.open("w", encoding="utf-8") as out:
        for n, r in enumerate(articles):
            out.write(json.dumps({**r, "id": f"direct{n}"}, ensure_ascii=False) + "\n")
    direct_seconds, _ = child_run([*ZHSEARCH, "index", "--index", str(direct), str(export)])

    port = free_port()
    log = (work / "writes-server.log").open("wb")  # what the server said, should a write fail
    server = subprocess.Popen(
        [*ZHSEARCH, "serve", "--index", str(target), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    log.close()  # the server has it
    peak = {"rss_sum": 0.0, "pss_sum": 0.0}
    # PSS of all serving processes, and of the passing ones (merges, lexicon builds) among
    # them, every half second of writing
    samples: list[tuple[float, float]] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            with contextlib.suppress(OSError, ValueError):
                now = memory_mb(server.pid)
                for name in peak:
                    peak[name] = max(peak[name], now[name])
                samples.append((now["pss_sum"], now["pss_background"]))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample)
    try:
        if not wait_for(port, "/healthz", time.perf_counter() + 60):
            raise RuntimeError("zhsearch serve did not answer within 60 s")
        # Measured on a warmed server, as the search figures are: its suggestion lexicon
        # built (seconds of CPU after start) and each worker past its first searches.
        if not wait_for_suggestions(port, time.perf_counter() + 60):
            raise RuntimeError("zhsearch serve built no suggestion lexicon within 60 s")
        load(port, keyword_queries(source, 50), 4, 10)
        sampler.start()
        writer = Writer(port, key, articles)
        first = len(samples)
        result = {"stream": _stream_latency(port, writer, 20, seconds)}
        result["segments"] = len(open_index(target)._segments())  # as the stream ends
        steady = samples[first:]  # PSS while a writer sends 20 a second, on and on
        _drain(port)
        single = {c: _accept_rate(c, 400, lambda: writer.put()[0] == 202) for c in (1, 8)}
        _drain(port)

        def batch() -> int:
            status, accepted = writer.post(100)
            return accepted if status == 202 else 0

        batches = {}
        for clients in (1, 8):  # 4,000 articles each time, then until they are all searchable
            started = time.perf_counter()
            accepted = _accept_rate(clients, 40, batch)
            applied = 4000 / (time.perf_counter() - started + _drain(port))
            batches[clients] = (accepted, applied)
        result.update(
            single=single,
            batches=batches,
            direct_rate=len(articles) / direct_seconds,
            memory=dict(peak),
            pss_over_time=[steady[int(len(steady) * f)] for f in (0.1, 0.5, 0.9)],
            # at the end of each minute: without the merges and lexicon builds, and of those
            pss_by_minute=[(total - passing, passing) for total, passing in steady[119::120]],
        )
        return result
    finally:
        sampling.set()
        if sampler.is_alive():
            sampler.join()
        server.terminate()
        server.wait(timeout=10)


def report_writes(result: dict) -> None:
    stream = result["stream"]
    print(
        f"\nWRITES over HTTP (`zhsearch serve`, default workers, a copy of the xwlb index)\n"
        f"  steady 20 writes/s: {stream['writes']} writes, 202 → found by a search:"
        f" p50 {stream['p50']:.0f} ms, p95 {stream['p95']:.0f} ms, p99 {stream['p99']:.0f} ms;"
        f" {stream['within_1s']:.1%} within 1 s, {stream['missing']} never found\n"
        f"  within 1 s, minute by minute: "
        + " ".join(f"{share:.0%}" for share in stream["by_minute"])
        + f"; {result['segments']} segments as the stream ended"
    )
    for clients, rate in result["single"].items():
        print(f"  single PUTs, {clients} client(s): {rate:.0f} writes/s accepted (400 writes)")
    for clients, (accepted, applied) in result["batches"].items():
        print(
            f"  batches of 100, {clients} client(s): {accepted:.0f} articles/s accepted,"
            f" {applied:.0f} articles/s searchable (4,000 articles, until all were searchable)"
        )
    direct = result["direct_rate"]
    applied = result["batches"][8][1]
    print(
        f"  baseline: `zhsearch index` of 5,000 of the same articles, direct: {direct:.0f}"
        f" articles/s → the committer applies {applied / direct:.2f}x that rate"
    )
    memory = result["memory"]
    over_time = " / ".join(
        f"{total:.0f} ({total - passing:.0f} + merges and lexicon builds {passing:.0f})"
        for total, passing in result["pss_over_time"]
    )
    print(
        f"  memory while writing (all serving processes: gunicorn, workers, committer, merges,"
        f" lexicon builds): peak RSS {memory['rss_sum']:.0f} MB, peak PSS"
        f" {memory['pss_sum']:.0f} MB added up; PSS at 10 % / 50 % / 90 % of the steady stream"
        f" {over_time} MB\n"
        f"  PSS at the end of each minute of the stream, without the merges and lexicon builds"
        f" (those): "
        + " ".join(f"{pss:.0f} ({passing:.0f})" for pss, passing in result["pss_by_minute"])
        + " MB"
    )


# ---------------------------------------------------------------- report


def table(title: str, rows: dict[str, dict], baseline: str | None = "naive", lower_better=True):
    columns = list(next(iter(rows.values())).keys())
    print(f"\n{title}")
    print(f"{'system':<12}" + "".join(f"{c:>14}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<12}" + "".join(f"{row[c]:>14.2f}" for c in columns))
    if baseline in rows and "zhsearch" in rows:
        key = columns[0]
        ratio = rows[baseline][key] / rows["zhsearch"][key]
        if not lower_better:
            ratio = 1 / ratio
        print(
            f"zhsearch vs {baseline}: {ratio:.2f}x on {key}"
            + (" (higher is better)" if not lower_better else " (faster/smaller is better)")
        )


def report_serving(work: Path, index_dir: Path, keyword: list[str], args) -> None:
    served = serving(work, index_dir, keyword, args.http_seconds)
    print(
        f"\nHTTP /api/search on xwlb (`zhsearch serve`, default workers, loopback; "
        f"load: {served['generator']}), ms"
    )
    for name, row in served["load"].items():
        print(f"  {name:<10} " + "  ".join(f"{k} {v:.1f}" for k, v in row.items()))
    print(
        f"\nSTART-UP: serve → first answer {served['startup_s']:.2f} s; one-shot "
        f"`zhsearch search` {one_shot(index_dir, keyword[0], 3):.2f} s (median of 3)"
    )
    memory = served["memory"]
    print(
        f"MEMORY after ≥1,000 queries: {memory['processes']} serving processes, RSS "
        f"{memory['rss_sum']:.0f} MB added up, PSS {memory['pss_sum']:.0f} MB added up "
        f"(shared pages once), largest process RSS {memory['rss_max']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=int, default=300, help="queries per latency set")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each query set")
    parser.add_argument("--http-seconds", type=float, default=10, help="per HTTP load run")
    parser.add_argument(
        "--write-seconds", type=float, default=30, help="of the steady 20 writes/s stream"
    )
    parser.add_argument(
        "--only",
        choices=["all", "writes", "http"],
        default="all",
        help="only the write figures, or only HTTP search, start-up and memory",
    )
    parser.add_argument(
        "--backend",
        choices=["whoosh", "xapian"],
        default="whoosh",
        help="xapian: the Xapian backend on 1 and 3 shards beside the Whoosh index"
        " (bench/xapian.py)",
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / ".work" / "perf")
    parser.add_argument(
        "--skip-naive-index",
        action="store_true",
        help="reuse a naive index left by an earlier run (its time is not shown)",
    )
    args = parser.parse_args()
    if args.child:
        kind, source, target = args.child
        {"naive": naive_index_main, "fts5": fts5_index_main}[kind](source, target)
        return
    shared = require_shared()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    xwlb = shared / "xwlb" / "articles.jsonl.gz"
    print(f"zhsearch performance — {os.cpu_count()} cores, queries x{args.repeat} repetitions")

    if args.backend == "xapian":
        from bench.xapian import report

        report(work, xwlb, shared / "cmrc2018" / "queries.tsv", args)
        return

    if args.only == "writes":
        if not (work / "xwlb-zhsearch").exists():
            child_run([*ZHSEARCH, "index", "--index", str(work / "xwlb-zhsearch"), str(xwlb)])
        report_writes(writes(work, work / "xwlb-zhsearch", xwlb, args.write_seconds))
        return

    if args.only == "http":
        if not (work / "xwlb-zhsearch").exists():
            child_run([*ZHSEARCH, "index", "--index", str(work / "xwlb-zhsearch"), str(xwlb)])
        report_serving(work, work / "xwlb-zhsearch", keyword_queries(xwlb, args.queries), args)
        return

    rows = indexing(work, xwlb, args.skip_naive_index)
    table("INDEXING xwlb (19,540 articles)", rows)

    keyword = keyword_queries(xwlb, args.queries)
    xwlb_dirs = {
        "zhsearch": work / "xwlb-zhsearch",
        "naive": work / "xwlb-naive",
        "fts5": work / "xwlb-fts5.db",
    }
    table(
        f"KEYWORD QUERIES on xwlb ({len(keyword)} queries of 2–8 characters), ms",
        latency(work, xwlb_dirs, keyword, args.repeat),
    )

    cmrc = ROOT / "bench" / ".work" / "quality" / "cmrc"
    if (cmrc / "zhsearch").exists():
        questions = [t for _, t in read_topics(shared / "cmrc2018" / "queries.tsv", args.queries)]
        cmrc_dirs = {
            "zhsearch": cmrc / "zhsearch",
            "naive": cmrc / "naive",
            "fts5": cmrc / "fts5.db",
        }
        table(
            f"QUESTIONS on CMRC + news ({len(questions)} questions), ms",
            latency(work, cmrc_dirs, questions, args.repeat),
        )
    else:
        print("\n(questions skipped: run `python -m bench.quality --sets cmrc` first)")

    report_serving(work, xwlb_dirs["zhsearch"], keyword, args)
    report_writes(writes(work, xwlb_dirs["zhsearch"], xwlb, args.write_seconds))


if __name__ == "__main__":
    main()
