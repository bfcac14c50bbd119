"""The Xapian backend beside the Whoosh index on the same articles: `bench.perf --backend xapian`.

xwlb (19,540 articles) is indexed through the real `zhsearch index` into the Whoosh index,
into one Xapian shard and into three (real `xapian-tcpsrv` servers on loopback, one core
shared with everything else on this machine); then, on each, keyword queries and CMRC
questions in-process (p50/p95, highlighting included) and HTTP `/api/search` at 1 and 8 clients
through `zhsearch serve`. Ratios are against the Whoosh index, measured in the same run.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path

from bench.common import ROOT, ZHSEARCH, read_jsonl, read_topics
from bench.perf import (
    child_run,
    free_port,
    keyword_queries,
    load,
    table,
    time_queries,
    wait_for,
)

SYSTEMS = ("whoosh", "xapian 1 shard", "xapian 3 shards")


def _engines(work: Path, shards: dict[str, str]):
    from search.backends import open_engine

    yield "whoosh", open_engine(work / "whoosh")
    for name, addresses in shards.items():
        yield name, open_engine(_home(work, name), "xapian", addresses)


def _backend_args(name: str, shards: dict[str, str]) -> list[str]:
    return ["--backend", "xapian", "--shards", shards[name]] if name in shards else []


def _home(work: Path, name: str) -> Path:
    return work / name.replace(" ", "-")


def _serve_load(work: Path, name: str, shards: dict[str, str], queries, seconds: float) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [*ZHSEARCH, "serve", "--index", str(_home(work, name)), "--port", str(port)]
        + _backend_args(name, shards),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = "/api/search?" + urllib.parse.urlencode({"q": queries[0]})
        if not wait_for(port, first, time.perf_counter() + 60):
            raise RuntimeError(f"zhsearch serve ({name}) did not answer within 60 s")
        load(port, queries, 8, 40)  # warm up
        per_second = 40
        return {
            clients: load(port, queries, clients, int(seconds * per_second / clients) + 1)
            for clients in (1, 8)
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def report(work: Path, xwlb: Path, cmrc_queries: Path, args) -> None:
    from search.backends.xapian.shards import running_shard
    from search.query import QueryError

    """Index, search and serve xwlb on each backend and print the tables."""
    work = work / "backends"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    articles = sum(1 for _ in read_jsonl(xwlb))
    with contextlib.ExitStack() as running:
        shards = {}
        for name, count in (("xapian 1 shard", 1), ("xapian 3 shards", 3)):
            servers = [
                running.enter_context(
                    running_shard(work / f"{count}-shards" / f"s{n}", free_port())
                )
                for n in range(count)
            ]
            shards[name] = ",".join(str(s.address) for s in servers)

        rows = {}
        for name in SYSTEMS:
            command = [*ZHSEARCH, "index", *_backend_args(name, shards), "--index"]
            seconds, rss = child_run([*command, str(_home(work, name)), str(xwlb)])
            rows[name] = {
                "seconds": seconds,
                "articles/s": articles / seconds,
                "CLI RSS MB": rss / 2**20,
            }
        _table(f"INDEXING xwlb ({articles:,} articles) through `zhsearch index`", rows)

        keyword = keyword_queries(xwlb, args.queries)
        questions = [t for _, t in read_topics(cmrc_queries, args.queries)]
        for title, queries in (
            (f"KEYWORD QUERIES on xwlb ({len(keyword)} of 2–8 characters), ms", keyword),
            (f"CMRC QUESTIONS on xwlb ({len(questions)}), ms", questions),
        ):
            rows = {}
            for name, engine in _engines(work, shards):

                def search(q: str, engine=engine):
                    try:
                        return engine.search(q, size=10)
                    except QueryError:
                        return None

                rows[name] = time_queries(search, queries, args.repeat)
            _table(title, rows)

        rows = {}
        for name in SYSTEMS:
            measured = _serve_load(work, name, shards, keyword, args.http_seconds)
            rows[name] = {
                "1 client /s": measured[1]["requests/s"],
                "8 clients /s": measured[8]["requests/s"],
                "8 p95 ms": measured[8]["p95"],
                "errors": measured[1]["errors"] + measured[8]["errors"],
            }
        _table(
            "HTTP /api/search through `zhsearch serve` (default workers), keywords",
            rows,
            higher=True,
        )


def _table(title: str, rows: dict, higher: bool = False) -> None:
    table(title, rows, baseline=None)
    key = next(iter(rows["whoosh"]))
    for name in SYSTEMS[1:]:
        ratio = rows[name][key] / rows["whoosh"][key]
        better = "higher is better" if higher else "lower is better"
        print(f"{name} vs whoosh: {ratio:.2f}x on {key} ({better})")
