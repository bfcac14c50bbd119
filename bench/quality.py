"""Ranking quality on real questions: zhsearch against the naive Whoosh + jieba setup and FTS5.

    python -m bench.quality [--sample N] [--workdir DIR] [--sets cmrc,drcd,news,sogou]

CMRC 2018 (simplified) and DRCD (traditional) passages are indexed together with the 3,586
chinanews/sohu articles as distractors, and each set's questions are run through zhsearch's
batch interface (the same query path as the search box), the naive baseline and SQLite FTS5,
on a fixed sample of the questions (the baselines take minutes per thousand); zhsearch then
answers every question of the set too, in a row of its own.
`news` asks each news headline to find its own article in an index without headlines;
`sogou` runs 1,374 real search-engine queries over 35,242 page titles with graded judgments,
reported over all of them and over two fixed halves (by query id): a "tune" half to try rules
on, and a "held-out" half to confirm them.
Metrics come from ir-measures. Indexes are kept in the work folder and reused when present.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import re
import shutil
from pathlib import Path

import ir_measures
from ir_measures import RR, R, nDCG

from bench.common import (
    ROOT,
    Fts5Searcher,
    NaiveSearcher,
    fts5_index,
    naive_index,
    read_jsonl,
    read_topics,
    require_shared,
    timed,
    write_jsonl,
    write_run,
    write_topics,
    zhsearch_index,
    zhsearch_run,
)

MEASURES = [RR @ 10, R @ 1, R @ 10, nDCG @ 10]
TAGS = re.compile(r"<[^>]+>")


def load_qrels(path: Path, qids: set[str]) -> list:
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
    return [ir_measures.Qrel(q, d, int(r)) for q, d, r in rows if q in qids]


def check_ranking_order(run_path: Path) -> None:
    """Refuse a run whose score column does not decrease strictly down each query's ranks:
    ir_measures (like trec_eval) orders by score, and would score another ranking."""
    last: dict[str, tuple[int, float]] = {}
    for number, line in enumerate(run_path.read_text(encoding="utf-8").splitlines(), start=1):
        qid, _, _, rank, score, _ = line.split()
        before = last.get(qid)
        if before is not None and not (int(rank) > before[0] and float(score) < before[1]):
            raise SystemExit(f"{run_path}:{number}: scores do not follow the ranks: {line}")
        last[qid] = (int(rank), float(score))


def evaluate(qrels: list, run_path: Path) -> dict[str, float]:
    check_ranking_order(run_path)
    scores = ir_measures.calc_aggregate(MEASURES, qrels, ir_measures.read_trec_run(str(run_path)))
    return {str(m): scores.get(m, 0.0) for m in MEASURES}


def half(qid: str) -> str:
    """A query's half of a set, fixed by its id: "tune" (rules are tried on it) or "held-out"."""
    return "tune" if hashlib.sha1(qid.encode()).digest()[0] % 2 == 0 else "held-out"


# The shard server of each work folder's `xapian` system (one shard: that three shards rank
# exactly as one is a test of its own), started when first asked for, stopped at the end.
_SHARDS = contextlib.ExitStack()
_SHARD_ARGS: dict[Path, tuple[str, ...]] = {}


def xapian_backend(work: Path) -> tuple[str, ...]:
    """The command-line arguments that put zhsearch on the work folder's Xapian shard."""
    if work not in _SHARD_ARGS:
        from bench.perf import free_port
        from search.backends.xapian.shards import running_shard

        server = _SHARDS.enter_context(running_shard(work / "xapian" / "shard-0", free_port()))
        _SHARD_ARGS[work] = ("--backend", "xapian", "--shards", str(server.address))
    return _SHARD_ARGS[work]


def build(work: Path, records: list[dict], systems: list[str]) -> dict[str, float]:
    """Build each system's index over `records` unless it is already there; seconds taken."""
    collection = write_jsonl(work / "collection.jsonl", records)
    seconds = {}
    if "zhsearch" in systems and not (work / "zhsearch").exists():
        seconds["zhsearch"] = zhsearch_index(work / "zhsearch", collection)
    if "xapian" in systems:
        backend = xapian_backend(work)
        if not (work / "xapian" / "home").exists():
            seconds["xapian"] = zhsearch_index(
                work / "xapian" / "home", collection, backend=backend
            )
    if "naive" in systems and not (work / "naive").exists():
        _, seconds["naive"] = timed(naive_index, work / "naive", records)
    if "fts5" in systems and not (work / "fts5.db").exists():
        _, seconds["fts5"] = timed(fts5_index, work / "fts5.db", records)
    return seconds


def runs(work: Path, topics: list[tuple[str, str]], systems: list[str]) -> dict[str, Path]:
    paths = {}
    if "zhsearch" in systems:
        topics_file = write_topics(work / "topics.tsv", topics)
        paths["zhsearch"] = work / "zhsearch.trec"
        zhsearch_run(work / "zhsearch", topics_file, paths["zhsearch"])
    if "xapian" in systems:
        topics_file = write_topics(work / "topics.tsv", topics)
        paths["xapian"] = work / "xapian.trec"
        home = work / "xapian" / "home"
        zhsearch_run(home, topics_file, paths["xapian"], backend=xapian_backend(work))
    for name, searcher_class, location in (
        ("naive", NaiveSearcher, work / "naive"),
        ("fts5", Fts5Searcher, work / "fts5.db"),
    ):
        if name in systems:
            searcher = searcher_class(location)
            ranked = {qid: searcher.ranked(text) for qid, text in topics}
            paths[name] = write_run(work / f"{name}.trec", ranked, name)
    return paths


def answer_in_snippet(work: Path, topics, answers: dict[str, list[str]], systems) -> dict:
    """How often the top hit's snippet contains an answer to the question."""
    from search.backends.whoosh.engine import SearchEngine
    from search.query import QueryError

    rates: dict[str, float] = {}
    if not topics:
        return rates
    if "zhsearch" in systems:
        engine = SearchEngine(work / "zhsearch")
        found = 0
        for qid, text in topics:
            try:
                hits = engine.search(text, size=1).hits
            except QueryError:
                hits = []
            snippet = TAGS.sub("", hits[0].snippet_html) if hits else ""
            found += any(a in snippet for a in answers.get(qid, []))
        rates["zhsearch"] = found / len(topics)
    if "naive" in systems:
        naive = NaiveSearcher(work / "naive")
        found = 0
        for qid, text in topics:
            results = naive.search(text, 1)
            snippet = TAGS.sub("", results[0].highlights("text")) if len(results) else ""
            found += any(a in snippet for a in answers.get(qid, []))
        rates["naive"] = found / len(topics)
    return rates


def print_table(title: str, metrics: dict[str, dict[str, float]], extra: dict[str, dict]):
    columns = [str(m) for m in MEASURES] + sorted({k for v in extra.values() for k in v})
    print(f"\n{title}")
    print(f"{'system':<10}" + "".join(f"{c:>18}" for c in columns))
    for system, values in metrics.items():
        row = {**values, **extra.get(system, {})}
        print(
            f"{system:<10}"
            + "".join(f"{row[c]:>18.4f}" if c in row else f"{'-':>18}" for c in columns)
        )


def question_set(name: str, shared: Path, distractors: list[dict], args) -> None:
    folder = shared / {"cmrc": "cmrc2018", "drcd": "drcd"}[name]
    work = args.workdir / name
    records = list(read_jsonl(folder / "passages.jsonl")) + distractors
    build_seconds = build(work, records, args.systems)
    topics = read_topics(folder / "queries.tsv", args.sample)
    qrels = load_qrels(folder / "qrels.tsv", {q for q, _ in topics})
    metrics = {s: evaluate(qrels, p) for s, p in runs(work, topics, args.systems).items()}
    answers = {r["qid"]: r["answers"] for r in read_jsonl(folder / "answers.jsonl")}
    snippet_topics = topics[: args.snippet_sample]
    rates = answer_in_snippet(work, snippet_topics, answers, args.systems)
    extra = {s: {"answer_in_snippet": rates[s]} for s in rates}
    for s, sec in build_seconds.items():
        extra.setdefault(s, {})["index_seconds"] = sec
    print_table(
        f"{name.upper()}: {len(records)} documents ({len(records) - len(distractors)} passages "
        f"+ {len(distractors)} news distractors), {len(topics)} questions; answer-in-snippet "
        f"over {len(snippet_topics)}",
        metrics,
        extra,
    )
    every = read_topics(folder / "queries.tsv")
    if "zhsearch" in args.systems and args.every and len(every) > len(topics):
        # The sample keeps the slow baselines to minutes; zhsearch answers all of them.
        every_work = work / "every"
        every_work.mkdir(exist_ok=True)
        run_path = every_work / "zhsearch.trec"
        zhsearch_run(work / "zhsearch", write_topics(every_work / "topics.tsv", every), run_path)
        scores = evaluate(load_qrels(folder / "qrels.tsv", {q for q, _ in every}), run_path)
        print(f"{'zhsearch':<10}" + "".join(f"{v:>18.4f}" for v in scores.values()), end="")
        print(f"   ← all {len(every)} questions")


def headline_set(distractors: list[dict], args) -> None:
    """Each news headline must find its own article; headlines are not indexed."""
    work = args.workdir / "news"
    records = [{**r, "title": ""} for r in distractors]
    systems = args.systems
    build(work, records, systems)
    topics = [(r["id"], r["title"]) for r in distractors if r.get("title")]
    if args.sample and args.sample < len(topics):
        topics = read_topics(write_topics(work / "all-topics.tsv", topics), args.sample)
    qrels = [ir_measures.Qrel(qid, qid, 1) for qid, _ in topics]
    metrics = {s: evaluate(qrels, p) for s, p in runs(work, topics, systems).items()}
    print_table(
        f"NEWS HEADLINES: {len(records)} articles indexed without headlines, "
        f"{len(topics)} headlines as queries (each must find its own article)",
        metrics,
        {},
    )


def sogou_set(shared: Path, args) -> None:
    """Real search-engine queries over 35,242 page titles, graded 0-3: nDCG@10 first."""
    folder = shared / "sogou_qt"
    work = args.workdir / "sogou"
    records = list(read_jsonl(folder / "docs.jsonl"))
    build_seconds = build(work, records, args.systems)
    topics = read_topics(folder / "queries.tsv")
    qrels = list(ir_measures.read_trec_qrels(str(folder / "qrels.tsv")))
    paths = runs(work, topics, args.systems)
    extra = {s: {"index_seconds": sec} for s, sec in build_seconds.items()}
    print_table(
        f"SOGOU QUERIES: {len(records)} page titles, {len(topics)} real queries with graded"
        " judgments (all of them)",
        {s: evaluate(qrels, p) for s, p in paths.items()},
        extra,
    )
    for name in ("tune", "held-out"):
        qids = {qid for qid, _ in topics if half(qid) == name}
        part = [q for q in qrels if q.query_id in qids]
        print(f"  {name} half ({len(qids)} queries):")
        for system, path in paths.items():
            values = evaluate(part, path)
            print(f"  {system:<8}" + "".join(f"{v:>18.4f}" for v in values.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sample", type=int, default=2000, help="questions per set, a fixed random sample (0: all)"
    )
    parser.add_argument("--snippet-sample", type=int, default=1000)
    parser.add_argument(
        "--no-every",
        dest="every",
        action="store_false",
        help="skip zhsearch's extra row over every question of a set",
    )
    parser.add_argument("--sets", default="cmrc,drcd,news,sogou")
    parser.add_argument(
        "--systems",
        default="zhsearch,naive,fts5",
        help="of zhsearch, naive, fts5 and xapian (zhsearch on one Xapian shard)",
    )
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / ".work" / "quality")
    parser.add_argument("--fresh", action="store_true", help="rebuild every index")
    args = parser.parse_args()
    args.systems = args.systems.split(",")
    args.sample = args.sample or None
    if args.fresh and args.workdir.exists():
        shutil.rmtree(args.workdir)
    shared = require_shared()
    with _SHARDS:
        run_sets(shared, args)


def run_sets(shared: Path, args) -> None:
    distractors = list(read_jsonl(shared / "chinanews_sohu" / "articles.jsonl.gz"))
    print(
        "Every figure is of the ranking users see: each run's scores are checked to decrease"
        " down its ranks (ir_measures orders a run by score)."
    )
    for name in args.sets.split(","):
        if name == "news":
            headline_set(distractors, args)
        elif name == "sogou":
            sogou_set(shared, args)
        else:
            question_set(name, shared, distractors, args)


if __name__ == "__main__":
    main()
