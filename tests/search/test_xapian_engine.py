"""Searching Xapian shards served by real `xapian-tcpsrv` processes: the same matches, totals,
facets and date orders as the Whoosh index of the same articles; the same page from one shard
as from three; a shard that goes down, drops its connection or comes back."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from search.backends.whoosh.engine import SearchEngine
from search.config import XAPIAN
from search.documents import Article
from search.filters import Filters
from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import child_processes
from tests.shard_servers import eventually, require_xapian, shard_port


@pytest.fixture(scope="module", autouse=True)
def xapian_installed():
    require_xapian()


# The sample articles and one without a date (sorted last whichever way dates go).
ARTICLES = [
    *SAMPLE_ARTICLES,
    Article("u1", "北京没有日期的稿件", "这篇北京的稿件没有日期。", source="示例日报"),
]
QUERIES = [
    "北京",
    "北京大学",
    "北京 大学",
    "北京 -烤鸭",
    "北京 OR 长江",
    '"北京大学"',
    "title:长江",
    "长江 江豚 数量",
    "臺灣高鐵",
    "source:示例日报",
    "火星",
]
FILTERS = [
    Filters(),
    Filters(sources=("示例日报",)),
    Filters(categories=("教育", "社会")),
    Filters(date_from=date(2024, 1, 1)),
    Filters(date_to=date(2024, 6, 30)),
    Filters(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31), sources=("示例日报",)),
]


def _write(addresses, articles) -> None:
    from search.backends.xapian.writer import ShardWriter

    with ShardWriter(addresses) as writer:
        for article in articles:
            writer.update(article)


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Two databases of the same articles: one shard, and three."""
    from search.backends.xapian.shards import running_shard

    folder = tmp_path_factory.mktemp("shards")
    with contextlib.ExitStack() as running:
        servers = [
            running.enter_context(running_shard(folder / f"s{n}", shard_port())) for n in range(4)
        ]
        one, three = [servers[0].address], [s.address for s in servers[1:]]
        _write(one, ARTICLES)
        _write(three, ARTICLES)
        yield one, three


@pytest.fixture(scope="module")
def engines(shards):
    from search.backends.xapian.engine import XapianEngine

    one, three = shards
    return XapianEngine(one), XapianEngine(three)


@pytest.fixture(scope="module")
def whoosh(tmp_path_factory) -> SearchEngine:
    return SearchEngine(build_index(tmp_path_factory.mktemp("whoosh") / "index", ARTICLES))


def page(results) -> list[tuple[str, float]]:
    return [(hit.id, hit.score) for hit in results.hits]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize("text", QUERIES)
def test_three_shards_give_the_page_one_shard_gives(text, sort, engines):
    one, three = engines
    for filters in FILTERS:
        a, b = (
            one.search(text, sort=sort, filters=filters),
            three.search(text, sort=sort, filters=filters),
        )
        assert page(a) == page(b)
        assert (a.total, a.facets) == (b.total, b.facets)
        assert not a.partial and not b.partial


@pytest.mark.parametrize("text", QUERIES)
def test_matches_totals_and_facets_are_the_whoosh_index_s(text, engines, whoosh):
    _, three = engines
    for filters in FILTERS:
        ours, theirs = three.search(text, filters=filters), whoosh.search(text, filters=filters)
        assert {h.id for h in ours.hits} == {h.id for h in theirs.hits}
        assert ours.total == theirs.total
        assert ours.facets == theirs.facets
        assert ours.notes == theirs.notes


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_dates_sort_as_on_the_whoosh_index_undated_last(sort, engines, whoosh):
    _, three = engines
    for text in ("北京", "大学 OR 长江 OR 北京"):
        ids = [h.id for h in three.search(text, sort=sort).hits]
        assert ids == [h.id for h in whoosh.search(text, sort=sort).hits]
        assert ids[-1] == "u1"


def test_all_the_words_come_first_and_scores_show_without_the_tier_mark(engines):
    _, three = engines
    results = three.search("北京 大学")
    assert {h.id for h in results.hits[:2]} == {"a1", "a4"}  # both words (大学生 holds 大学)
    assert all(0 < h.score < 1000 for h in results.hits)


def test_pages_cut_one_order(engines):
    _, three = engines
    whole = [h.id for h in three.search("北京 OR 长江 OR 大学", size=10).hits]
    pages = [
        h.id for n in (1, 2, 3) for h in three.search("北京 OR 长江 OR 大学", page=n, size=2).hits
    ]
    assert pages == whole[:6] and len(set(pages)) == len(pages)


def test_hits_are_highlighted_and_the_stored_article_comes_back_whole(engines):
    _, three = engines
    hit = three.search("江豚").hits[0]
    assert hit.id == "a3" and "<mark>江豚</mark>数量" in hit.snippet_html
    article = three.document("a1")
    original = next(a for a in ARTICLES if a.id == "a1")
    assert (article.title, article.text, article.url) == (
        original.title,
        original.text,
        original.url,
    )
    assert article.date == datetime.fromisoformat("2024-09-01T09:00:00+08:00")
    assert three.document("no-such-id") is None
    assert three.doc_count() == len(ARTICLES)


def test_ranked_ids_are_the_page_s_order(engines):
    _, three = engines
    ranking = three.ranked_ids("北京 大学", 10)
    assert ranking.ids == [h.id for h in three.search("北京 大学").hits]
    assert [round(s, 4) for s in ranking.scores] == [
        h.score for h in three.search("北京 大学").hits
    ]


def test_a_bad_query_is_the_same_clear_error(engines):
    from search.query import QueryError

    _, three = engines
    with pytest.raises(QueryError):
        three.search("AND")


def _started_shards(folder: Path, idle_timeout_ms: int | None = None):
    """Three shards of the sample articles, for a test that stops and starts them."""
    from search.backends.xapian.shards import ShardServer

    servers = [
        ShardServer(folder / f"s{n}", shard_port(), idle_timeout_ms=idle_timeout_ms)
        for n in range(3)
    ]
    try:
        for server in servers:
            server.start()
        _write([s.address for s in servers], ARTICLES)
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def own_shards(tmp_path):
    yield from _started_shards(tmp_path)


@pytest.fixture
def quickly_idle_shards(tmp_path):
    """Shards whose servers drop a connection idle for 1.5 s (not less: a loaded machine can
    pause a search that long between two calls to one shard)."""
    yield from _started_shards(tmp_path, idle_timeout_ms=1500)


def test_a_shard_that_is_down_leaves_a_partial_page_naming_it_and_is_used_again_when_back(
    own_shards,
):
    from search.backends.xapian.documents import shard_of
    from search.backends.xapian.engine import XapianEngine

    engine = XapianEngine([s.address for s in own_shards])
    everything = "北京 OR 长江 OR 大学 OR 人工智能 OR 高铁"
    whole = engine.search(everything)
    assert not whole.partial and whole.missing_shards == []
    down = own_shards[shard_of("a1", 3)]
    down.stop()
    results = engine.search(everything)
    assert results.partial and results.missing_shards == [str(down.address)]
    held = {a.id for a in ARTICLES if shard_of(a.id, 3) == shard_of("a1", 3)}
    assert {h.id for h in results.hits} == {h.id for h in whole.hits} - held
    assert results.to_dict()["missing_shards"] == [str(down.address)]
    down.start()  # the same folder and port: the articles are still there

    def back() -> bool:
        return not engine.search(everything).partial

    assert eventually(back)
    assert page(engine.search(everything)) == page(whole)


def test_a_shard_one_thread_finds_back_is_searched_at_once_by_the_others(own_shards, monkeypatch):
    from search.backends.xapian.engine import XapianEngine

    # A long wait before a shard found down is tried again: only the other thread's news can
    # bring it back within this test.
    monkeypatch.setattr(
        "search.backends.xapian.engine.XAPIAN", dataclasses.replace(XAPIAN, retry_seconds=3600.0)
    )
    engine = XapianEngine([s.address for s in own_shards])
    everything = "北京 OR 长江 OR 大学 OR 人工智能 OR 高铁"
    whole = engine.search(everything)
    own_shards[0].stop()

    def search_in_a_thread():
        found = []
        thread = threading.Thread(target=lambda: found.append(engine.search(everything)))
        thread.start()
        thread.join()
        return found[0]

    assert engine.search(everything).partial  # this thread finds it down
    own_shards[0].start()
    assert not search_in_a_thread().partial  # a thread that never saw it down connects
    assert page(engine.search(everything)) == page(whole)  # and this one follows at once


def test_a_shard_that_hangs_is_left_out_after_the_timeout(own_shards, monkeypatch):
    from search.backends.xapian.engine import XapianEngine

    monkeypatch.setattr(
        "search.backends.xapian.engine.XAPIAN", dataclasses.replace(XAPIAN, timeout_ms=1500)
    )
    engine = XapianEngine([s.address for s in own_shards])
    assert not engine.search("北京").partial
    hung = own_shards[2]
    os.killpg(hung.process.pid, signal.SIGSTOP)  # the server and its connections' processes
    try:
        results = engine.search("北京")
        assert results.partial and results.missing_shards == [str(hung.address)]
    finally:
        os.killpg(hung.process.pid, signal.SIGCONT)
    assert eventually(lambda: not engine.search("北京").partial)


def test_with_partial_results_refused_a_missing_shard_is_an_error(own_shards, monkeypatch):
    from search.backends.xapian.connections import ShardsUnavailable
    from search.backends.xapian.engine import XapianEngine

    monkeypatch.setattr(
        "search.backends.xapian.engine.XAPIAN", dataclasses.replace(XAPIAN, partial_results=False)
    )
    engine = XapianEngine([s.address for s in own_shards])
    own_shards[0].stop()
    with pytest.raises(ShardsUnavailable, match=str(own_shards[0].address)):
        engine.search("北京")


def test_no_shard_answering_is_an_error_not_an_empty_page(own_shards):
    from search.backends.xapian.connections import ShardsUnavailable
    from search.backends.xapian.engine import XapianEngine

    engine = XapianEngine([s.address for s in own_shards])
    for server in own_shards:
        server.stop()
    with pytest.raises(ShardsUnavailable):
        engine.search("北京")


def test_a_connection_the_server_dropped_when_idle_is_opened_again(quickly_idle_shards):
    own_shards = quickly_idle_shards
    from search.backends.xapian.engine import XapianEngine

    engine = XapianEngine([s.address for s in own_shards])
    before = page(engine.search("北京"))
    assert any(child_processes(s.process.pid) for s in own_shards)  # the connections, served
    # xapian-tcpsrv serves each connection in a child process: gone once it timed out (1.5 s)
    assert eventually(lambda: not any(child_processes(s.process.pid) for s in own_shards))
    results = engine.search("北京")
    assert not results.partial and page(results) == before


def test_a_commit_is_seen_by_the_next_search(own_shards):
    from search.backends.xapian.engine import XapianEngine
    from search.backends.xapian.writer import ShardWriter

    addresses = [s.address for s in own_shards]
    engine = XapianEngine(addresses)
    before = {h.id for h in engine.search("江豚").hits}
    _write(addresses, [Article("n1", "江豚又见", "长江里又见江豚。")])
    assert {h.id for h in engine.search("江豚").hits} == before | {"n1"}
    with ShardWriter(addresses) as writer:
        assert writer.delete(["n1", "never-written"]) == 1
    assert {h.id for h in engine.search("江豚").hits} == before


def test_writes_not_committed_are_dropped_when_the_block_fails(own_shards):
    from search.backends.xapian.engine import XapianEngine
    from search.backends.xapian.writer import ShardWriter

    addresses = [s.address for s in own_shards]
    with pytest.raises(RuntimeError), ShardWriter(addresses) as writer:
        writer.update(Article("n2", "不会留下", "江豚"))
        raise RuntimeError("the run failed")
    assert XapianEngine(addresses).document("n2") is None


def test_writing_to_a_shard_that_is_down_is_a_clear_error(own_shards):
    from search.backends.xapian.connections import ShardsUnavailable
    from search.backends.xapian.writer import ShardWriter

    own_shards[1].stop()
    with pytest.raises(ShardsUnavailable, match=str(own_shards[1].address)):
        ShardWriter([s.address for s in own_shards])
