"""Parallel writing: workers build segments of their own, committed as each is finished."""

from __future__ import annotations

from pathlib import Path

from search.backends.whoosh.builders import FOLDER, first_segment_sizes, install
from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.index import IndexWriterSession, open_index, open_or_create_index
from search.documents import Article

SENTENCES = [
    "长江十年禁渔进入第五年，江豚种群数量稳步回升。",
    "山区县城迈入高铁时代，旅客出行更加方便。",
    "秋粮上市以来，各地粮库开足马力收购。",
    "社区书屋开放，居民家门口就能读书。",
]


def _article(n: int, version: str = "") -> Article:
    body = "".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(3))
    return Article(id=f"p{n:04d}", title=f"第{n}号稿件{version}", text=body + version)


def _segment_sizes(index_dir: Path) -> list[int]:
    return [s.doc_count_all() for s in open_index(index_dir)._read_toc().segments]


def test_workers_commit_segments_of_staggered_sizes_and_nothing_is_merged(tmp_path):
    index_dir = tmp_path / "ix"
    commits = []
    session = IndexWriterSession(
        open_or_create_index(index_dir),
        commit_every=200,
        procs=2,
        on_commit=lambda: commits.append(open_index(index_dir).doc_count()),
    )
    with session:
        for n in range(1000):
            session.add(_article(n))
    sizes = _segment_sizes(index_dir)
    # Every segment as a worker built it: none was merged into another.
    assert sum(sizes) == 1000 and max(sizes) <= 200 and len(sizes) >= 5
    # The workers' first segments differ in size, so they never write theirs out at once.
    assert first_segment_sizes(2, 200) == [100, 200]
    assert first_segment_sizes(4, 50_000) == [12_500, 25_000, 37_500, 50_000]
    assert commits == [1000]  # the run's files are recorded once everything is in
    assert not (index_dir / FOLDER).exists() or not any((index_dir / FOLDER).iterdir())


def test_a_parallel_run_replaces_articles_so_that_each_is_found_once_in_its_new_version(
    tmp_path,
):
    index_dir = tmp_path / "ix"
    with IndexWriterSession(open_or_create_index(index_dir), commit_every=150, procs=2) as s:
        for n in range(600):
            s.add(_article(n))
    with IndexWriterSession(open_index(index_dir), commit_every=150, procs=2) as session:
        for n in range(0, 600, 2):
            session.update(_article(n, version="修订版"))
        session.update(_article(0, version="再次修订"))  # replaced twice in one run
        assert session.delete(["p0001", "p0003", "nope"]) == 2
    engine = SearchEngine(index_dir)
    assert engine.doc_count() == 598
    with open_index(index_dir).searcher() as searcher:
        stored = list(searcher.all_stored_fields())
        first = searcher.document(id="p0000")
    ids = [fields["id"] for fields in stored]
    assert len(ids) == len(set(ids)) == 598
    assert sum(fields["title"].endswith("修订版") for fields in stored) == 299
    assert first["title"] == "第0号稿件再次修订"
    assert engine.search("再次修订").hits[0].id == "p0000"


def test_a_worker_that_dies_stops_the_run_with_a_message_not_a_hang(tmp_path):
    index_dir = tmp_path / "ix"
    session = IndexWriterSession(open_or_create_index(index_dir), commit_every=10**6, procs=2)
    session.add(_article(0))
    for worker in session._builders.workers:
        worker.kill()
    try:
        for n in range(1, 2000):
            session.add(_article(n))
        session.commit()
    except RuntimeError as exc:
        assert "an indexing worker died" in str(exc)
    else:
        raise AssertionError("the run went on without its workers")
    finally:
        session.cancel()


def test_a_segment_that_fails_to_be_committed_leaves_the_run_unrecorded(tmp_path, monkeypatch):
    from search.backends.whoosh import index as index_module

    failures = []

    def full_disk_once(writer, built, replacing):
        if not failures:
            failures.append(built)
            raise OSError(28, "No space left on device")
        install(writer, built, replacing)  # the disk has room again for the next ones

    recorded = []
    session = IndexWriterSession(
        open_or_create_index(tmp_path / "ix"),
        commit_every=100,
        procs=2,
        on_commit=lambda: recorded.append(True),
    )
    monkeypatch.setattr(index_module, "install", full_disk_once)
    with session:
        for n in range(200):
            session.add(_article(n))
        try:
            session.commit()
        except OSError as exc:
            assert exc.errno == 28
        else:
            raise AssertionError("the failed commit went unnoticed")
        for n in range(200, 300):
            session.add(_article(n))
    assert open_index(tmp_path / "ix").doc_count() == 100  # the later articles are in
    assert failures and not recorded  # but not the first 200: the files are read again
