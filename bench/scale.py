"""Archive scale: index, serve and keep up to date a synthetic archive of N articles.

    python -m bench.scale [--articles N] [--workdir DIR]
        [--only baseline,index,serve,upkeep,consistency] [--backend xapian [--shards 3]]

The archive is deterministic (`--seed`): articles of 4–18 real sentences of ../shared/corpora
(xwlb, chinanews_sohu, cmrc2018) in paragraphs, a real headline, a date over 2008–2026, one of
a handful of sources and categories, written as one `.jsonl.gz` file, the way a CMS export
arrives. One run measures:
- a baseline: the first 1 % of the archive indexed alone, the same way (the machine's speed
  that day: the full run's rate is given as a ratio to it);
- indexing with the real `zhsearch index`: total time, articles/s in each tenth of the run
  (as a ratio to the first tenth), the longest stretch without a progress line (a commit or
  merge pause), the final commit, peak RSS and PSS of all its processes, index size per MB of
  the articles' text (UTF-8 bytes of titles and texts);
- serving with the real `zhsearch serve` over HTTP, after a warm-up: p50/p95/p99 of keyword
  queries, questions, quoted phrases, a filtered query sorted by date, page 50 of a broad
  query, an article with its related articles, suggestions; searches/s at 8 clients;
  start-up to the first answer; PSS of the server's processes after 1,000 searches;
- upkeep while the server runs (its journal takes the CLI's writes): a re-run with nothing
  changed, 10,000 changed articles, 10,000 deleted, with the p95 of searches sent meanwhile;
- one run or many: 20,000 of the articles indexed in one run, and in ten runs followed by a
  tenth of them sent again; how many of 300 keyword queries get the same top 10 from both.
Each figure is printed beside the target for 10⁶ articles; the indexing tenths as ratios to
the first tenth of the same run. With `--backend xapian` every index of the run is in
`--shards` real shard servers on this machine (`bench/stores.py`), whose memory and disk are
counted beside zhsearch's.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import random
import re
import subprocess
import threading
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import ROOT, SHARED, ZHSEARCH, read_jsonl, read_topics, require_shared
from bench.perf import (
    free_port,
    keyword_queries,
    load,
    memory_mb,
    percentiles,
    process_tree,
    wait_for,
)
from bench.stores import ShardStore, WhooshStore

SOURCES = ("新华社", "人民日报", "中新网", "央视网", "新京报", "澎湃新闻")
CATEGORIES = ("时政", "经济", "社会", "国际", "科技", "文化", "体育")
FIRST_DAY, LAST_DAY = datetime(2008, 1, 1), datetime(2026, 12, 31, 23, 59)
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]+[”’」』）)]*")
ARTICLES_DONE = re.compile(r"articles (\d+)")
CHANGED = 10_000  # articles changed, then deleted, in the upkeep part
SAMPLES = 200  # requests a latency set sends, one after another

TARGETS = {  # for 10⁶ articles on a 2-core machine
    "index_minutes": 40,
    "tenth_ratio": 0.70,
    "pause_s": 60,
    "peak_rss_gb": 2.0,
    "index_per_text": 4.0,
    "keyword": 100,
    "question": 200,
    "filtered, newest first": 150,
    "searches_per_s": 100,
    "startup_s": 3.0,
    "serving_pss_gb": 1.5,
    "rerun_s": 30,
    "updates_s": 120,
    "p95_while_writing": 300,
}


# ---------------------------------------------------------------- the archive


def _pools(shared: Path) -> tuple[list[str], list[str]]:
    """Real sentences and headlines to build articles from."""
    sources = [
        shared / "xwlb" / "articles.jsonl.gz",
        shared / "chinanews_sohu" / "articles.jsonl.gz",
        shared / "cmrc2018" / "passages.jsonl",
    ]
    sentences: list[str] = []
    titles: list[str] = []
    for source in sources:
        for record in read_jsonl(source):
            if record.get("title"):
                titles.append(record["title"])
            found = SENTENCE.findall(record.get("text", ""))
            sentences += [s.strip() for s in found if 8 <= len(s.strip()) <= 200]
    return sentences, titles


def generate(path: Path, articles: int, seed: int) -> dict:
    """Write the archive (once: it is kept beside its description and reused)."""
    meta_path = path.with_suffix(".meta.json")
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["articles"] == articles and meta["seed"] == seed:
            return meta
    sentences, titles = _pools(require_shared())
    rng = random.Random(seed)
    span = int((LAST_DAY - FIRST_DAY).total_seconds() // 60)
    text_bytes = 0
    started = time.perf_counter()
    part = path.with_suffix(".part")
    with gzip.open(part, "wt", encoding="utf-8", compresslevel=1) as out:
        for n in range(articles):
            picked = rng.choices(sentences, k=rng.randint(4, 18))
            paragraphs, i = [], 0
            while i < len(picked):
                step = rng.randint(1, 4)
                paragraphs.append("".join(picked[i : i + step]))
                i += step
            record = {
                "id": f"a{n:07d}",
                "title": rng.choice(titles),
                "text": "\n".join(paragraphs),
                "date": (FIRST_DAY + timedelta(minutes=rng.randrange(span))).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "source": rng.choice(SOURCES),
                "category": rng.choice(CATEGORIES),
            }
            text_bytes += len(record["title"].encode()) + len(record["text"].encode())
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    part.rename(path)
    meta = {"articles": articles, "seed": seed, "text_bytes": text_bytes}
    meta_path.write_text(json.dumps(meta))
    print(
        f"archive: {articles:,} articles, {text_bytes / 1e6:,.0f} MB of text, "
        f"{path.stat().st_size / 1e6:,.0f} MB gzipped, in {time.perf_counter() - started:.0f} s"
    )
    return meta


def changed_articles(source: Path, articles: int, path: Path, count: int, seed: int) -> list[str]:
    """`count` of the archive's articles with their paragraphs in reverse order: same ids,
    new content. Returns their ids."""
    rng = random.Random(seed + 1)
    chosen = set(rng.sample(range(articles), min(count, articles)))
    ids = []
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n, record in enumerate(read_jsonl(source)):
            if n in chosen:
                record["text"] = (
                    "\n".join(reversed(record["text"].split("\n"))) + "\n（本文有更新）"
                )
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                ids.append(record["id"])
    return ids


# ---------------------------------------------------------------- indexing


class TreeSampler:
    """Samples the summed RSS and PSS of a process and its descendants, keeps the peaks."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                memory = memory_mb(self.pid)
            except (OSError, ValueError):
                continue  # a worker came or went between listing and reading
            self.peak_rss = max(self.peak_rss, memory["rss_sum"])
            self.peak_pss = max(self.peak_pss, memory["pss_sum"])

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_with_progress(args: list[str]) -> tuple[int, list[tuple[float, int]], float, TreeSampler]:
    """Run a `zhsearch index` child; its exit status, (seconds, articles) of each progress
    line, total seconds and the memory sampler."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(child.pid)
    points: list[tuple[float, int]] = []
    output: list[str] = []

    def read_progress() -> None:
        for line in child.stderr:
            found = ARTICLES_DONE.search(line)
            if found:
                points.append((time.perf_counter() - started, int(found.group(1))))
                if len(points) % 30 == 0:
                    print("  " + line.strip(), flush=True)
            else:
                output.append(line)

    reader = threading.Thread(target=read_progress)
    reader.start()
    output += child.stdout.readlines()
    status = child.wait()
    reader.join()
    seconds = time.perf_counter() - started
    sampler.stop()
    print("".join("  " + line for line in output[-4:]), end="")
    return status, points, seconds, sampler


def tenths(points: list[tuple[float, int]], total: int) -> list[float]:
    """Articles/s in each tenth of the articles, the time each tenth ended read off the
    progress lines (between two lines, in proportion; the first tenth includes start-up)."""

    def time_at(goal: float) -> float | None:
        for (t0, n0), (t1, n1) in itertools.pairwise(points):
            if n0 <= goal <= n1 and n1 > n0:
                return t0 + (t1 - t0) * (goal - n0) / (n1 - n0)
        return None

    points = [(0.0, 0), *points]  # from the start of the run
    ends = [time_at(total * k / 10) for k in range(11)]
    return [
        total / 10 / (b - a)
        for a, b in itertools.pairwise(ends)
        if a is not None and b is not None and b > a
    ]


def baseline(store, work: Path, source: Path, meta: dict) -> dict:
    """The first 1 % of the archive indexed alone, the same way, in the same run: how fast this
    machine indexes a small archive today, to read the full run's rate against (the machine's
    speed varies from day to day by a factor of 2–3)."""
    count = max(1_000, meta["articles"] // 100)
    first = work / f"first-{count}.jsonl.gz"
    if not first.exists():
        part = first.with_suffix(".part")
        with gzip.open(part, "wt", encoding="utf-8", compresslevel=1) as out:
            for record in itertools.islice(read_jsonl(source), count):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        part.rename(first)
    index_dir = work / "baseline-index"
    print(f"baseline: indexing the first {count:,} articles alone …", flush=True)
    _, seconds, _ = index_fresh(store, index_dir, first)
    store.fresh(index_dir)
    return {"articles": count, "seconds": seconds, "rate": count / seconds}


def index_fresh(
    store, index_dir: Path, source: Path
) -> tuple[list[tuple[float, int]], float, TreeSampler]:
    """`zhsearch index` of `source` into a new `index_dir` (of `store`): its progress points,
    seconds and memory sampler (see `run_with_progress`)."""
    store.fresh(index_dir)
    args = [*ZHSEARCH, "index", *store.args(index_dir), "--progress-every", "1", str(source)]
    status, points, seconds, sampler = run_with_progress(args)
    if status != 0:
        raise RuntimeError(f"zhsearch index exited {status}")
    return points, seconds, sampler


def indexing(store, work: Path, source: Path, meta: dict) -> dict:
    index_dir = work / "index"
    print(f"indexing {source.name} ({meta['articles']:,} articles) into {store.label} …")
    points, seconds, sampler = index_fresh(store, index_dir, source)
    # The last line comes once the run has committed everything: the stretch before it is
    # the final write-out of the segments being built, the others are pauses mid-run.
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(points)]
    rates = tenths(points, meta["articles"])
    size = store.disk_bytes(index_dir)
    return {
        "servers_memory": store.servers_memory(index_dir),
        "seconds": seconds,
        "rate": meta["articles"] / seconds,
        "tenths": rates,
        "longest_pause_s": max(gaps[:-1], default=0.0),
        "final_commit_s": gaps[-1] if gaps else seconds,
        "peak_rss_mb": sampler.peak_rss,
        "peak_pss_mb": sampler.peak_pss,
        "index_mb": size / 1e6,
        "index_per_text": size / meta["text_bytes"],
    }


def report_baseline(result: dict) -> None:
    print(
        f"\nBASELINE the first {result['articles']:,} articles alone: {result['seconds']:.0f} s,"
        f" {result['rate']:.0f} articles/s"
    )


def report_indexing(result: dict, articles: int, base: dict | None = None) -> None:
    first = result["tenths"][0] if result["tenths"] else float("nan")
    ratios = [rate / first for rate in result["tenths"]]
    print(f"\nINDEXING {articles:,} articles (target at 10⁶: ≤ {TARGETS['index_minutes']} min)")
    print(f"  total            {result['seconds']:8.0f} s  {result['rate']:6.0f} articles/s")
    if base:
        print(
            f"  against baseline {result['rate'] / base['rate']:8.2f} ×  the rate of the first"
            f" {base['articles']:,} articles indexed alone ({base['rate']:.0f}/s)"
        )
    print("  tenths           " + " ".join(f"{r:5.0f}" for r in result["tenths"]) + "  articles/s")
    print(
        "  ratio to first   "
        + " ".join(f"{r:5.2f}" for r in ratios)
        + f"  (lowest {min(ratios, default=float('nan')):.2f}; target ≥ {TARGETS['tenth_ratio']})"
    )
    print(
        f"  longest pause    {result['longest_pause_s']:8.1f} s  (target ≤ {TARGETS['pause_s']} s;"
        f" progress lines every 1 s)"
    )
    print(
        f"  final write-out  {result['final_commit_s']:8.1f} s  (from the last article handed"
        f" over to the last commit)"
    )
    print(
        f"  peak memory      RSS {result['peak_rss_mb']:,.0f} MB summed, PSS"
        f" {result['peak_pss_mb']:,.0f} MB (target ≤ {TARGETS['peak_rss_gb']} GB)"
    )
    print(
        f"  index on disk    {result['index_mb']:,.0f} MB = {result['index_per_text']:.2f} × the"
        f" text (target ≤ {TARGETS['index_per_text']} ×)"
    )
    if result["servers_memory"]:
        shards = result["servers_memory"]
        print(
            f"  shard servers    RSS {shards['rss_sum']:,.0f} MB summed at the end, PSS"
            f" {shards['pss_sum']:,.0f} MB (beside the indexing run's)"
        )


# ---------------------------------------------------------------- serving


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return time.perf_counter() - started, response.status


def _search(q: str, **params) -> str:
    return "/api/search?" + urllib.parse.urlencode({"q": q, **params})


def request_sets(source: Path, seed: int) -> dict[str, list[str]]:
    """The paths of each kind of request: keywords from real headlines (as `bench.perf`
    makes them), CMRC questions, phrases and articles from the archive itself."""
    from search.analysis import query_words
    from search.stopwords import STOPWORDS

    rng = random.Random(seed + 2)
    keywords = keyword_queries(SHARED / "xwlb" / "articles.jsonl.gz", SAMPLES)
    questions = [q for _, q in read_topics(SHARED / "cmrc2018" / "queries.tsv", SAMPLES, seed)]
    sample = list(itertools.islice(read_jsonl(source), 5000))
    phrases = []
    while len(phrases) < SAMPLES:
        words = [w for w in query_words(rng.choice(sample)["text"][:200]) if w not in STOPWORDS]
        if len(words) >= 3:
            start = rng.randrange(len(words) - 2)
            phrases.append('"' + "".join(words[start : start + 2]) + '"')
    broad = ["中国", "发展", "记者", "建设", "工作", "经济", "国家", "表示"]
    return {
        "keyword": [_search(q) for q in keywords],
        "question": [_search(q) for q in questions],
        "phrase": [_search(q) for q in phrases],
        "filtered, newest first": [
            _search(q, source=rng.choice(SOURCES), sort="newest") for q in keywords
        ],
        "page 50": [_search(rng.choice(broad), page=50) for _ in range(SAMPLES)],
        "article + related": ["/api/documents/" + rng.choice(sample)["id"] for _ in range(SAMPLES)],
        "suggestions": ["/api/suggest?" + urllib.parse.urlencode({"q": q[:2]}) for q in keywords],
    }


def latency_sets(port: int, sets: dict[str, list[str]]) -> dict[str, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rows = {}
    for name, paths in sets.items():
        samples, errors = [], 0
        for path in paths:
            seconds, status = _get(conn, path)
            samples.append(seconds)
            errors += status != 200
        rows[name] = {**percentiles(samples), "errors": errors}
    return rows


def start_server(store, index_dir: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [*ZHSEARCH, "serve", *store.args(index_dir), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def serving(sets: dict[str, list[str]], port: int, server, servers_memory=None) -> dict:
    """`servers_memory`: read the shard servers' memory after the searches, if any."""
    started = time.perf_counter()
    if not wait_for(port, sets["keyword"][0], started + 300):
        raise RuntimeError("zhsearch serve did not answer within 300 s")
    startup = time.perf_counter() - started
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for path in sets["keyword"][:100]:
        _get(warm, path)
    rows = latency_sets(port, sets)
    keywords = [urllib.parse.parse_qs(p.split("?", 1)[1])["q"][0] for p in sets["keyword"]]
    throughput = load(port, keywords, 8, 80)
    done = sum(len(p) for p in sets.values()) + 100 + throughput["requests"]
    if done < 1000:
        load(port, keywords, 4, (1000 - done) // 4 + 1)
    return {
        "startup_s": startup,
        "sets": rows,
        "8 clients": throughput,
        "memory": memory_mb(server.pid),
        "servers_memory": servers_memory() if servers_memory else None,
    }


def report_serving(result: dict) -> None:
    print(f"\nSERVING over HTTP ({SAMPLES} requests a set, one client, after a warm-up)")
    print(f"  {'':26} {'p50':>7} {'p95':>7} {'p99':>7}  ms   target p95")
    for name, row in result["sets"].items():
        target = TARGETS.get(name)
        print(
            f"  {name:26} {row['p50']:7.1f} {row['p95']:7.1f} {row['p99']:7.1f}"
            f"       {'≤ ' + str(target) if target else ''}"
            + (f"  ({row['errors']} errors)" if row["errors"] else "")
        )
    eight = result["8 clients"]
    print(
        f"  8 clients: {eight['requests/s']:.1f} searches/s, p95 {eight['p95']:.0f} ms"
        f" (target ≥ {TARGETS['searches_per_s']})"
    )
    print(
        f"  start-up to first answer {result['startup_s']:.1f} s"
        f" (target ≤ {TARGETS['startup_s']} s)"
    )
    memory = result["memory"]
    print(
        f"  after 1,000+ requests: PSS {memory['pss_sum']:,.0f} MB in {memory['processes']}"
        f" processes (target ≤ {TARGETS['serving_pss_gb']} GB)"
    )
    if result["servers_memory"]:
        shards = result["servers_memory"]
        print(
            f"  and the shard servers: PSS {shards['pss_sum']:,.0f} MB in"
            f" {shards['processes']} processes"
        )


# ---------------------------------------------------------------- upkeep


class BackgroundSearches:
    """One client searching in a loop, its latencies kept by when they were sent."""

    def __init__(self, port: int, paths: list[str]):
        self.port, self.paths = port, paths
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = 0
        while not self._stop.is_set():
            sent = time.perf_counter()
            seconds, _ = _get(conn, self.paths[i % len(self.paths)])
            self.samples.append((sent, seconds))
            i += 1

    def p95_between(self, start: float, end: float) -> float:
        within = [s for t, s in self.samples if start <= t <= end]
        return percentiles(within)["p95"] if within else float("nan")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _timed_cli(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*ZHSEARCH, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def upkeep(store, work: Path, index_dir: Path, source: Path, meta: dict, port: int, sets) -> dict:
    changes = work / "changes.jsonl.gz"
    ids = changed_articles(source, meta["articles"], changes, CHANGED, meta["seed"])
    searches = BackgroundSearches(port, sets["keyword"])
    index = store.args(index_dir)
    rows = {}
    try:
        for name, args in (
            ("re-run, nothing changed", ["index", *index, str(source)]),
            (f"{len(ids):,} changed articles", ["index", *index, str(changes)]),
            (f"{len(ids):,} deleted", ["delete", *index, *ids]),
        ):
            started = time.perf_counter()
            seconds = _timed_cli(args)
            rows[name] = {
                "seconds": seconds,
                "p95": searches.p95_between(started, started + seconds),
            }
            print(f"  {name}: {seconds:.1f} s", flush=True)
    finally:
        searches.stop()
    return rows


def report_upkeep(rows: dict) -> None:
    print("\nUPKEEP while serving (writes through the server's journal, until searchable)")
    targets = [f"(target ≤ {TARGETS['rerun_s']} s)", f"(target ≤ {TARGETS['updates_s']} s)", ""]
    for (name, row), target in zip(rows.items(), targets, strict=True):
        print(
            f"  {name:26} {row['seconds']:7.1f} s {target:18} searches meanwhile p95"
            f" {row['p95']:6.0f} ms (target ≤ {TARGETS['p95_while_writing']})"
        )


# ---------------------------------------------------------------- one run or many


CONSISTENCY_ARTICLES = 20_000  # of the archive, indexed both ways
CONSISTENCY_RUNS = 10
CONSISTENCY_QUERIES = 300


def consistency(store, work: Path, source: Path) -> dict:
    """The same articles indexed in one run, and in many small runs followed by updates of
    some of them (the same content again): the top 10 of keyword queries on both."""
    folder = work / "consistency"
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    folder.mkdir()
    records = list(itertools.islice(read_jsonl(source), CONSISTENCY_ARTICLES))
    whole = folder / "all.jsonl"
    whole.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    step = len(records) // CONSISTENCY_RUNS
    parts = []
    for n in range(CONSISTENCY_RUNS):
        part = folder / f"part-{n:02d}.jsonl"
        chunk = records[n * step : (n + 1) * step]
        part.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk))
        parts.append(part)
    again = folder / "again.jsonl"  # a tenth of the articles sent again, unchanged
    again.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records[::CONSISTENCY_RUNS])
    )
    one, many = folder / "one-run", folder / "many-runs"
    store.fresh(one)
    store.fresh(many)
    _timed_cli(["index", *store.args(one), str(whole)])
    for part in parts:
        _timed_cli(["index", *store.args(many), str(part)])
    _timed_cli(["index", *store.args(many), str(again)])
    queries = keyword_queries(SHARED / "xwlb" / "articles.jsonl.gz", CONSISTENCY_QUERIES)
    engines = store.engine(one), store.engine(many)
    same = same_set = 0
    for query in queries:
        first, second = (engine.ranked_ids(query, 10).ids for engine in engines)
        same += first == second
        same_set += set(first) == set(second)
    return {"queries": len(queries), "same": same, "same_set": same_set}


def report_consistency(result: dict) -> None:
    print(
        f"\nONE RUN OR MANY ({CONSISTENCY_ARTICLES:,} articles; {CONSISTENCY_RUNS} runs, then a"
        f" tenth of them again): the same top 10 for {result['same']} of {result['queries']}"
        f" keyword queries, the same ten articles for {result['same_set']}"
    )


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--only", default="baseline,index,serve,upkeep,consistency")
    parser.add_argument("--backend", choices=("whoosh", "xapian"), default="whoosh")
    parser.add_argument(
        "--shards", type=int, default=3, help="with --backend xapian: shard servers an index"
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    work = args.workdir or ROOT / "bench" / ".work" / "scale" / str(args.articles)
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"archive-{args.articles}.jsonl.gz"
    meta = generate(source, args.articles, args.seed)
    if args.backend == "xapian":
        # The archive is shared; the indexes go beside it, apart from the Whoosh ones.
        work = work / f"xapian-{args.shards}"
        work.mkdir(exist_ok=True)
        store = ShardStore(args.shards)
    else:
        store = WhooshStore()
    try:
        run(store, work, source, meta, parts, args.seed)
    finally:
        store.close()


def run(store, work: Path, source: Path, meta: dict, parts: set[str], seed: int) -> None:
    print(f"on {store.label}", flush=True)
    index_dir = work / "index"
    base = baseline(store, work, source, meta) if "baseline" in parts else None
    if base:
        report_baseline(base)
    if "index" in parts:
        report_indexing(indexing(store, work, source, meta), meta["articles"], base)
    if "consistency" in parts:
        report_consistency(consistency(store, work, source))
    if not parts & {"serve", "upkeep"}:
        return
    sets = request_sets(source, seed)
    port = free_port()
    server = start_server(store, index_dir, port)
    try:
        if "serve" in parts:
            report_serving(serving(sets, port, server, lambda: store.servers_memory(index_dir)))
        elif not wait_for(port, sets["keyword"][0], time.perf_counter() + 300):
            raise RuntimeError("zhsearch serve did not answer within 300 s")
        if "upkeep" in parts:
            report_upkeep(upkeep(store, work, index_dir, source, meta, port, sets))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for pid in process_tree(server.pid):
                subprocess.run(["kill", "-9", str(pid)], check=False)


if __name__ == "__main__":
    main()
