"""The `zhsearch` command line: index, search, serve, shard, delete, keys, dict, synonyms,
analytics, snapshot, restore, extract."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from search.config import INDEXING, SERVING, default_index_dir
from search.errors import IndexProblem
from search.query import QueryError

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder (default: $ZHSEARCH_INDEX or ./index).",
)


def _index_dir(value: Path | None) -> Path:
    return value or default_index_dir()


def backend_options(command):
    """--backend and --shards: the embedded Whoosh index, or Xapian shards."""
    command = click.option(
        "--shards",
        default=None,
        help="With --backend xapian: the shards, host:port,… in routing order"
        " [default: xapian.shards].",
    )(command)
    return click.option(
        "--backend",
        type=click.Choice(["whoosh", "xapian"]),
        default="whoosh",
        show_default=True,
        help="Where the articles are: the index folder, or Xapian shards (--shards; the index"
        " folder then holds the frontend's own files: keys, synonyms, search log).",
    )(command)


def _shards(backend: str, shards: str | None) -> str:
    """The shard list of a --backend xapian command, checked; "" for the Whoosh index."""
    if backend != "xapian":
        if shards:
            raise click.UsageError(
                "--shards 需要 --backend xapian (--shards goes with --backend xapian)"
            )
        return ""
    from search.backends.xapian import XapianMissing, import_xapian
    from search.backends.xapian.shards import ShardError, parse_shards
    from search.config import XAPIAN

    try:
        import_xapian()
        parse_shards(shards or XAPIAN.shards)
    except (XapianMissing, ShardError) as exc:
        raise click.ClickException(str(exc)) from None
    return shards or XAPIAN.shards


def _apply_config(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """--config FILE: applied at once, before the command touches the index or binds a port;
    passed on ($ZHSEARCH_CONFIG) to the processes the command starts."""
    if value is None or ctx.resilient_parsing:
        return
    from search.config import SECTIONS
    from search.settings import ENV, SettingsError, apply_file

    try:
        apply_file(value, SECTIONS)
    except SettingsError as exc:
        raise click.BadParameter(str(exc), param=param) from None
    os.environ[ENV] = str(value.resolve())


def _config_option() -> click.Option:
    return click.Option(
        ["--config"],
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_apply_config,
        expose_value=False,
        is_eager=True,
        help="A settings file (TOML; default $ZHSEARCH_CONFIG): see `zhsearch config show`.",
    )


@click.group()
@click.version_option(package_name="zhsearch", prog_name="zhsearch")
def main() -> None:
    """zhsearch: full-text search for Chinese articles."""


@main.command("index")
@index_option
@click.option("--strict", is_flag=True, help="Exit non-zero if any file or line failed.")
@click.option("--prune", is_flag=True, help="Remove articles whose source files are gone.")
@click.option(
    "--commit-every",
    type=click.IntRange(1),
    default=None,
    help="Commit after this many changes; a crash loses at most one such batch (in a"
    " parallel run: the segment each process builds)"
    f" [default: indexing.commit_every, {INDEXING.commit_every};"
    f" parallel: indexing.segment_docs, {INDEXING.segment_docs}].",
)
@click.option(
    "--procs",
    type=click.IntRange(1, 16),
    default=None,
    help="Processes that analyse and write [default: several for batches over 4 MB].",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=10.0,
    show_default=True,
    help="Seconds to wait for another indexing run to release the index.",
)
@click.option(
    "--progress-every",
    type=click.FloatRange(0.05),
    default=None,
    help="Seconds between progress lines [default: 0.2 on a terminal, else 5].",
)
@backend_options
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def index_command(
    index_dir: Path | None,
    strict: bool,
    prune: bool,
    commit_every: int,
    procs: int | None,
    lock_timeout: float,
    progress_every: float | None,
    backend: str,
    shards: str | None,
    paths: tuple[Path, ...],
) -> None:
    """Index the new and changed articles in PATHS (files or folders: .jsonl[.gz], .html,
    .htm, .txt, .md). Unchanged files are skipped."""
    from indexer.pipeline import index_paths
    from search.backends.whoosh.builders import WorkerDied
    from search.errors import ShardsUnavailable

    shards = _shards(backend, shards)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"路径不存在 (no such file or folder): {', '.join(missing)}")
    try:
        summary = index_paths(
            list(paths),
            _index_dir(index_dir),
            commit_every=commit_every,
            prune=prune,
            procs=procs,
            lock_timeout=lock_timeout,
            progress_interval=progress_every,
            shards=shards,
        )
    except (IndexProblem, WorkerDied, ShardsUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    for line in summary.lines():
        click.echo(line)
    if summary.interrupted:
        sys.exit(130)
    if summary.failures and not (summary.indexed or summary.deleted):
        click.echo("没有索引任何文章 (nothing was indexed, and files failed)", err=True)
        sys.exit(1)
    if strict and summary.failures:
        sys.exit(1)


def _engine(index_dir: Path | None, backend: str = "whoosh", shards: str | None = None):
    from search.backends import open_engine

    shards = _shards(backend, shards)
    try:
        return open_engine(_index_dir(index_dir), backend, shards)
    except IndexProblem as exc:
        raise click.ClickException(str(exc)) from None


def _run_topics(engine, topics: Path, run: Path, limit: int) -> None:
    """Batch mode: one query per `qid<TAB>query` line, results as a TREC run file."""
    from search.runs import trec_lines

    refused = read_otherwise = 0
    with topics.open(encoding="utf-8") as lines, run.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            qid, sep, text = line.partition("\t")
            if not sep:
                raise click.ClickException(
                    f"{topics}:{number}: 需要 qid<TAB>query (expected qid<TAB>query)"
                )
            try:
                ranking = engine.ranked_ids(text, limit)
            except QueryError as exc:  # nothing to search for in it at all
                refused += 1
                click.echo(f"{qid}: {exc}", err=True)
                continue
            for note in ranking.notes:
                click.echo(f"{qid}: {note.message}", err=True)
            read_otherwise += bool(ranking.notes)
            out.writelines(trec_lines(qid, ranking))
    if read_otherwise:
        click.echo(
            f"{read_otherwise} 个查询按普通词语或截短后搜索"
            f" (queries searched as plain words or cut to the limit)",
            err=True,
        )
    if refused:
        click.echo(
            f"{refused} 个查询没有可搜索的词语 (queries with nothing to search for)", err=True
        )


@main.command("search")
@index_option
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON, as the API does.")
@click.option(
    "--topics",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Batch mode: a file of qid<TAB>query lines.",
)
@click.option(
    "--run",
    "run_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Batch mode: where to write the TREC run.",
)
@backend_options
@click.argument("query", required=False)
def search_command(index_dir, limit, as_json, topics, run_file, backend, shards, query) -> None:
    """Search the index for QUERY, or run every query of --topics into --run."""
    from search.errors import ShardsUnavailable

    if (topics is None) != (run_file is None):
        raise click.UsageError("--topics 和 --run 需要一起使用 (--topics and --run go together)")
    if topics is None and not query:
        raise click.UsageError("请给出查询 (give a QUERY, or --topics and --run)")
    engine = _engine(index_dir, backend, shards)
    try:
        if topics is not None:
            _run_topics(engine, topics, run_file, limit)
            return
        results = engine.search(query, size=limit)
    except (QueryError, ShardsUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if results.missing_shards:
        click.echo(
            f"部分结果：分片无响应 (partial results: no answer from"
            f" {', '.join(results.missing_shards)})",
            err=True,
        )
    if as_json:
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{results.total} 条结果 results ({results.took_ms:.0f} ms)")
    for rank, hit in enumerate(results.hits, start=1):
        date = (hit.date or "")[:10]
        click.echo(f"{rank:>3}. {hit.title}  [{hit.id}] {date} {hit.source}".rstrip())


@main.command("serve")
@index_option
@click.option("--host", default=None, help=f"[default: serving.host, {SERVING.host}]")
@click.option("--port", default=None, type=int, help=f"[default: serving.port, {SERVING.port}]")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes [default: serving.workers, else one per core, at most"
    f" serving.max_workers, {SERVING.max_workers}].",
)
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1, 64),
    help=f"Threads per worker [default: serving.threads, {SERVING.threads}].",
)
@click.option(
    "--require-key",
    is_flag=True,
    help="Every call but /healthz needs a read or write key (see `zhsearch keys`).",
)
@backend_options
def serve_command(index_dir, host, port, workers, threads, require_key, backend, shards) -> None:
    """Serve the search page and the JSON API (reads and, with a write key, writes)."""
    from web.server import serve

    shards = _shards(backend, shards)
    # the settings file (--config) is applied by now: its values are the defaults
    host, port = host or SERVING.host, port or SERVING.port
    workers, threads = workers or SERVING.default_workers(), threads or SERVING.threads
    where = f"shards: {shards}" if shards else f"index: {_index_dir(index_dir)}"
    click.echo(
        f"zhsearch 正在服务 serving http://{host}:{port}/  ({where}, "
        f"{workers} 个进程 workers × {threads} threads"
        f"{', 需要密钥 keys required' if require_key else ''})"
    )
    serve(
        _index_dir(index_dir),
        host,
        port,
        workers,
        threads,
        require_key=require_key,
        backend=backend,
        shards=shards,
    )


@main.group("shard")
def shard_group() -> None:
    """Xapian shards: serve one with xapian-tcpsrv, show how they all are."""


@shard_group.command("serve")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(1, 65535), default=6431, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. The protocol has no authentication: keep it on loopback or"
    " a private network.",
)
def shard_serve_command(folder: Path, port: int, host: str) -> None:
    """Serve the shard in FOLDER (a new, empty one if there is none) until Ctrl-C or SIGTERM."""
    from search.backends.xapian import XapianMissing
    from search.backends.xapian.shards import ShardError, serve_shard

    try:
        status = serve_shard(folder, port, host, ready=click.echo)
    except (XapianMissing, ShardError) as exc:
        raise click.ClickException(str(exc)) from None
    sys.exit(status)


@shard_group.command("status")
@click.option("--shards", default=None, help="host:port,… [default: xapian.shards].")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def shard_status_command(shards: str | None, as_json: bool) -> None:
    """Each shard's health and articles; exit status 1 if any is down."""
    from search.backends.xapian import XapianMissing
    from search.backends.xapian.shards import ShardError, parse_shards, shards_status
    from search.config import XAPIAN

    try:
        statuses = shards_status(parse_shards(shards or XAPIAN.shards), XAPIAN.timeout_ms)
    except (XapianMissing, ShardError) as exc:
        raise click.ClickException(str(exc)) from None
    up = [s for s in statuses if s.up]
    if as_json:
        rows = [
            {
                "shard": str(s.address),
                "up": s.up,
                "articles": s.articles,
                "ms": None if s.milliseconds is None else round(s.milliseconds, 1),
                "message": s.message,
            }
            for s in statuses
        ]
        total = sum(s.articles or 0 for s in up)
        click.echo(json.dumps({"shards": rows, "up": len(up), "articles": total}))
    else:
        for s in statuses:
            if s.up:
                click.echo(
                    f"{s.address!s:<22} 正常 up    {s.articles:>12,} 篇 articles"
                    f"  {s.milliseconds:.0f} ms"
                )
            else:
                click.echo(f"{s.address!s:<22} 不可用 down  {s.message}")
        click.echo(
            f"{len(up)}/{len(statuses)} 个分片正常 shards up,"
            f" {sum(s.articles or 0 for s in up):,} 篇 articles"
        )
    if len(up) < len(statuses):
        sys.exit(1)


@main.command("delete")
@index_option
@backend_options
@click.argument("ids", nargs=-1, required=True)
def delete_command(index_dir, backend, shards, ids) -> None:
    """Delete articles by id (through the server's journal while one serves the index)."""
    from search.backends.whoosh.index import index_exists
    from search.errors import IndexNotFound, ShardsUnavailable
    from search.writes.route import index_writes

    shards = _shards(backend, shards)
    index_dir = _index_dir(index_dir)
    try:
        if not shards and not index_exists(index_dir):
            raise IndexNotFound(f"索引不存在：{index_dir} (no index at {index_dir})")
        with index_writes(index_dir, shards=shards) as writes:
            deleted = writes.delete(ids)
    except (IndexProblem, ShardsUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已删除 deleted {deleted} / {len(ids)}")
    if writes.report is not None:
        click.echo(writes.report.line())


@main.group("keys")
def keys_group() -> None:
    """API keys: `write` keys may change the index over HTTP, `read` keys may search when
    `serve --require-key` is given. Kept hashed in the index folder."""


def _keys(index_dir: Path | None):
    from search.keys import KeyStore

    return KeyStore(_index_dir(index_dir))


@keys_group.command("create")
@index_option
@click.option("--scope", type=click.Choice(["write", "read"]), default="write", show_default=True)
@click.argument("name")
def keys_create(index_dir, scope, name) -> None:
    """Create a key called NAME and print it (only the key, on stdout): it is shown once."""
    from search.keys import KeyProblem

    try:
        key = _keys(index_dir).create(name, scope)
    except KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(key)
    click.echo(
        f"已创建 {scope} 密钥 {name}；请妥善保存，它不会再次显示 (created {scope} key {name};"
        " keep it now, it is not shown again)",
        err=True,
    )


@keys_group.command("list")
@index_option
def keys_list(index_dir) -> None:
    """List the keys by name, scope and creation time (never the keys themselves)."""
    keys = _keys(index_dir).all()
    if not keys:
        click.echo("没有密钥 (no keys)", err=True)
    for key in keys:
        click.echo(f"{key.name}\t{key.scope}\t{key.created}")


@keys_group.command("revoke")
@index_option
@click.argument("name")
def keys_revoke(index_dir, name) -> None:
    """Revoke the key called NAME: a running server refuses it from its next request."""
    from search.keys import KeyProblem

    try:
        _keys(index_dir).revoke(name)
    except KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"已撤销 revoked {name}", err=True)


@main.group("dict")
def dict_group() -> None:
    """The index's user dictionary (words jieba should keep whole)."""


def _add_entries(index_dir: Path | None, entries, backend: str, shards: str | None) -> None:
    from search.errors import ShardsUnavailable
    from search.writes.words import add_words

    shards = _shards(backend, shards)
    try:
        changed = add_words(_index_dir(index_dir), entries, shards=shards)
    except (IndexProblem, ShardsUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"已添加 added {len(entries)} 个词 words; 重新分析 re-analysed {changed} 篇文章 articles"
    )


@dict_group.command("add")
@index_option
@backend_options
@click.argument("words", nargs=-1, required=True)
def dict_add(index_dir, backend, shards, words) -> None:
    """Add WORDS to the index's dictionary and re-analyse the articles that contain them."""
    from search.userdict import Entry

    _add_entries(index_dir, [Entry(w) for w in words], backend, shards)


@dict_group.command("load")
@index_option
@backend_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def dict_load(index_dir, backend, shards, file) -> None:
    """Add the words of a jieba user-dictionary FILE (`word [freq] [tag]` a line)."""
    from search.userdict import DictionaryError, read_entries

    try:
        entries = read_entries(file)
    except DictionaryError as exc:
        raise click.ClickException(str(exc)) from None
    _add_entries(index_dir, entries, backend, shards)


@main.group("synonyms")
def synonyms_group() -> None:
    """Synonyms and abbreviations (广州 穗 羊城): applied to queries at once, no reindexing.
    Kept in the index folder as synonyms.txt, one rule a line."""


def _synonyms(index_dir: Path | None):
    from search.synonyms import SynonymStore

    return SynonymStore(_index_dir(index_dir))


def _save_synonyms(store, change) -> None:
    from search.synonyms import SynonymError, unreached
    from search.userdict import load_for_index

    try:
        rules = change(store.rules())
    except SynonymError as exc:
        raise click.ClickException(str(exc)) from None
    store.save(rules)
    load_for_index(store.path.parent)  # the words the index's dictionary keeps whole
    for warning in unreached(rules):
        click.echo(f"注意 warning: {warning}", err=True)


@synonyms_group.command("add")
@index_option
@click.option("--one-way", is_flag=True, help="The first word also finds the others, not they it.")
@click.argument("words", nargs=-1, required=True)
def synonyms_add(index_dir, one_way, words) -> None:
    """Add WORDS that mean the same (each finds the others), or with --one-way a rule."""
    store = _synonyms(index_dir)
    if one_way:
        _save_synonyms(store, lambda rules: rules.with_one_way(words[0], list(words[1:])))
        click.echo(f"已添加 added: {words[0]} => {' '.join(words[1:])}", err=True)
    else:
        _save_synonyms(store, lambda rules: rules.with_set(list(words)))
        click.echo(f"已添加 added: {' '.join(words)}", err=True)


@synonyms_group.command("list")
@index_option
def synonyms_list(index_dir) -> None:
    """Print the rules in the synonyms file's format."""
    text = _synonyms(index_dir).rules().to_text()
    if not text:
        click.echo("没有同义词 (no synonyms)", err=True)
    click.echo(text, nl=False)


@synonyms_group.command("remove")
@index_option
@click.argument("words", nargs=-1, required=True)
def synonyms_remove(index_dir, words) -> None:
    """Drop every set and rule that names one of WORDS."""
    store = _synonyms(index_dir)
    kept, removed = store.rules().without(list(words))
    store.save(kept)
    click.echo(f"已删除 removed {removed} 条 rules", err=True)


@synonyms_group.command("load")
@index_option
@click.option("--replace", is_flag=True, help="Replace every rule rather than add to them.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def synonyms_load(index_dir, replace, file) -> None:
    """Add the rules of FILE (one a line: `广州 穗 羊城`, or `新冠 => 新型冠状病毒`)."""
    from search.synonyms import Rules, SynonymError, parse_rules

    try:
        loaded = parse_rules(file.read_text(encoding="utf-8"), source=file.name)
    except (SynonymError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from None
    store = _synonyms(index_dir)
    _save_synonyms(
        store,
        lambda current: Rules(
            (() if replace else current.sets) + loaded.sets,
            (() if replace else current.one_way) + loaded.one_way,
        ),
    )
    count = len(loaded.sets) + len(loaded.one_way)
    click.echo(f"已载入 loaded {count} 条 rules from {file}", err=True)


@main.group("analytics")
def analytics_group() -> None:
    """What readers search for (recorded beside the index; nothing that identifies them)."""


def _print_counts(counts, as_json: bool, days: int) -> None:
    if as_json:
        click.echo(
            json.dumps({"days": days, "queries": [c.to_dict() for c in counts]}, ensure_ascii=False)
        )
        return
    if not counts:
        click.echo("没有记录 (no searches recorded)", err=True)
    for count in counts:
        click.echo(f"{count.count}\t{count.last_total}\t{count.query}")


def _counts_options(command):
    """The options of the analytics commands: index, window, how many, JSON."""
    for option in reversed(
        [
            index_option,
            click.option("--days", default=7, show_default=True, type=click.IntRange(1)),
            click.option("--limit", default=20, show_default=True, type=click.IntRange(1)),
            click.option("--json", "as_json", is_flag=True, help="Print JSON, as the API does."),
        ]
    ):
        command = option(command)
    return command


@analytics_group.command("top")
@_counts_options
def analytics_top(index_dir, days, limit, as_json) -> None:
    """The most asked queries: count, hits the latest found, query (folded)."""
    from search.analytics import SearchLog

    _print_counts(SearchLog(_index_dir(index_dir)).top(days, limit), as_json, days)


@analytics_group.command("no-results")
@_counts_options
def analytics_no_results(index_dir, days, limit, as_json) -> None:
    """The most asked queries that found nothing (what the archive or the synonyms lack)."""
    from search.analytics import SearchLog

    _print_counts(SearchLog(_index_dir(index_dir)).no_results(days, limit), as_json, days)


@main.command("snapshot")
@index_option
@backend_options
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def snapshot_command(index_dir, backend, shards, out) -> None:
    """Write a consistent copy of the index's newest commit to the tar file OUT (while it
    serves and is written): segments, table of contents, dictionary, synonyms, keys, source
    hashes, journal. Of Xapian shards: their articles, and the frontend folder's files."""
    from indexer.progress import CountProgress
    from search.errors import IndexNotFound, ShardsUnavailable
    from search.snapshots import SnapshotProblem, take

    shards = _shards(backend, shards)
    progress = CountProgress("文章 articles")
    try:
        if shards:
            from search.backends.xapian import snapshots
            from search.backends.xapian.shards import parse_shards

            summary = snapshots.take(_index_dir(index_dir), parse_shards(shards), out, progress)
        else:
            summary = take(_index_dir(index_dir), out)
    except (SnapshotProblem, IndexNotFound, ShardsUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    progress.finish()
    of = "分片 shards" if summary.generation is None else f"第 {summary.generation} 次提交 commit"
    click.echo(
        f"快照 snapshot {out}: {of}, {summary.articles} 篇文章"
        f" articles, {summary.files} 个文件 files, {summary.bytes / 1e6:.1f} MB"
        f" in {summary.seconds:.1f} s"
    )


@main.command("restore")
@index_option
@backend_options
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(index_dir, backend, shards, archive) -> None:
    """Unpack the snapshot ARCHIVE into a new (or empty) index folder --index; with
    --backend xapian, onto empty shards (of any number), --index their frontend folder. A
    snapshot of either backend restores into either."""
    from indexer.progress import CountProgress
    from search.errors import ShardsUnavailable
    from search.snapshots import SnapshotProblem, restore

    shards = _shards(backend, shards)
    target = _index_dir(index_dir)
    progress = CountProgress("文章 articles")
    try:
        if shards:
            from search.backends.xapian import snapshots
            from search.backends.xapian.shards import parse_shards

            articles = snapshots.restore(archive, target, parse_shards(shards), progress)
        else:
            articles = restore(archive, target, progress)
    except (SnapshotProblem, ShardsUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    progress.finish()
    onto = f" onto {shards}" if shards else ""
    click.echo(f"已恢复 restored {articles} 篇文章 articles into {target}{onto}")


@main.command("extract")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def extract_command(as_json, file) -> None:
    """Show what would be extracted from an HTML page."""
    from indexer.html import read_html

    page = read_html(file.read_bytes())
    fields = {
        "title": page.title,
        "publish_time": page.date.isoformat() if page.date else None,
        "author": page.author,
        "source": page.source,
        "url": page.url,
        "text": page.text,
    }
    if as_json:
        click.echo(json.dumps(fields, ensure_ascii=False, indent=2))
    else:
        for key, value in fields.items():
            click.echo(f"{key}: {value}" if key != "text" else f"\n{value}")


@main.group("config")
def config_group() -> None:
    """The settings in force: search/config.py's defaults, under a settings file."""


@config_group.command("show")
def config_show() -> None:
    """Print every setting, its value and where it came from (the default or the file)."""
    from search.config import SECTIONS
    from search.settings import in_force

    for name, value, source in in_force(SECTIONS):
        click.echo(f"{name} = {json.dumps(value, ensure_ascii=False)}\t# {source}")


def _every_command(group: click.Group):
    for command in group.commands.values():
        yield command
        if isinstance(command, click.Group):
            yield from _every_command(command)


# Every command (and the group itself) takes --config, wherever on the line it is given.
for _command in [main, *_every_command(main)]:
    _command.params.append(_config_option())
