import json

from indexer.pipeline import index_paths
from search.backends.whoosh.engine import SearchEngine


def write_jsonl(path, records):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )


def test_a_broken_file_is_skipped_with_a_message_and_the_rest_indexed(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_jsonl(
        docs / "good.jsonl", [{"id": "1", "title": "江豚回来了", "text": "长江里又见江豚。"}]
    )
    (docs / "broken.jsonl.gz").write_bytes(b"this is not gzip at all")
    (docs / "page.html").write_text(
        "<html><body><div><p>高铁新线开通，山区县城迈入高铁时代，旅客出行更加方便。</p></div></body></html>",
        encoding="utf-8",
    )
    summary = index_paths([docs], tmp_path / "ix")
    assert summary.added == 2
    assert [f.path.endswith("broken.jsonl.gz") for f in summary.failures] == [True]
    assert "broken.jsonl.gz" in "\n".join(summary.lines())
    engine = SearchEngine(tmp_path / "ix")
    assert engine.search("江豚").total == 1 and engine.search("高铁").total == 1


def test_reindexing_updates_articles_instead_of_duplicating(tmp_path):
    source = tmp_path / "a.jsonl"
    write_jsonl(source, [{"id": "1", "title": "旧标题", "text": "正文"}])
    index_paths([source], tmp_path / "ix")
    write_jsonl(source, [{"id": "1", "title": "新标题", "text": "正文"}])
    summary = index_paths([source], tmp_path / "ix")
    assert (summary.added, summary.updated) == (0, 1)
    engine = SearchEngine(tmp_path / "ix")
    assert engine.doc_count() == 1
    assert engine.search("正文").hits[0].title == "新标题"


def test_articles_are_committed_in_bounded_batches(tmp_path):
    source = tmp_path / "many.jsonl"
    write_jsonl(source, [{"id": str(i), "title": f"文章{i}", "text": "内容"} for i in range(25)])
    index_paths([source], tmp_path / "ix", commit_every=10)
    from search.backends.whoosh.index import open_index

    # 25 articles in batches of 10: three commits, three segments before any merge
    assert open_index(tmp_path / "ix").latest_generation() >= 2
    assert SearchEngine(tmp_path / "ix").doc_count() == 25


def test_an_id_repeated_within_one_run_keeps_the_last_version(tmp_path):
    source = tmp_path / "dup.jsonl"
    write_jsonl(
        source,
        [
            {"id": "1", "title": "初稿", "text": "第一版"},
            {"id": "1", "title": "定稿", "text": "第二版"},
        ],
    )
    index_paths([source], tmp_path / "ix")
    engine = SearchEngine(tmp_path / "ix")
    assert engine.doc_count() == 1
    assert engine.search("第一版 OR 第二版").hits[0].title == "定稿"


def test_a_large_batch_is_written_by_several_processes_into_one_index(tmp_path, monkeypatch):
    import dataclasses

    import indexer.pipeline as pipeline

    monkeypatch.setattr(
        pipeline, "INDEXING", dataclasses.replace(pipeline.INDEXING, parallel_min_bytes=1)
    )
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    source = tmp_path / "many.jsonl"
    write_jsonl(
        source, [{"id": str(i), "title": f"第{i}篇", "text": "江豚 长江"} for i in range(300)]
    )
    summary = index_paths([source], tmp_path / "ix")
    assert summary.added == 300
    engine = SearchEngine(tmp_path / "ix")
    assert engine.doc_count() == 300 and engine.search("江豚").total == 300


def test_rerun_on_the_same_folder_reads_nothing_new(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_jsonl(docs / "a.jsonl", [{"id": "1", "title": "甲", "text": "内容一"}])
    write_jsonl(docs / "b.jsonl", [{"id": "2", "title": "乙", "text": "内容二"}])
    first = index_paths([docs], tmp_path / "ix")
    again = index_paths([docs], tmp_path / "ix")
    assert (first.added, first.unchanged) == (2, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert "unchanged 2 files" in again.lines()[0]


def test_a_changed_file_is_reindexed_once_and_its_dropped_articles_deleted(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_jsonl(
        docs / "a.jsonl",
        [{"id": "1", "title": "甲", "text": "旧"}, {"id": "2", "title": "乙", "text": "旧"}],
    )
    write_jsonl(docs / "b.jsonl", [{"id": "3", "title": "丙", "text": "不变"}])
    index_paths([docs], tmp_path / "ix")
    write_jsonl(docs / "a.jsonl", [{"id": "1", "title": "甲", "text": "新"}])
    summary = index_paths([docs], tmp_path / "ix")
    assert (summary.updated, summary.deleted, summary.unchanged) == (1, 1, 1)
    engine = SearchEngine(tmp_path / "ix")
    assert engine.doc_count() == 2
    assert [h.id for h in engine.search("新").hits] == ["1"]


def test_prune_removes_articles_of_deleted_files(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_jsonl(docs / "keep.jsonl", [{"id": "k", "title": "留下", "text": "文章"}])
    write_jsonl(
        docs / "gone.jsonl",
        [
            {"id": "g1", "title": "删除", "text": "文章"},
            {"id": "g2", "title": "删除", "text": "文章"},
        ],
    )
    index_paths([docs], tmp_path / "ix")
    (docs / "gone.jsonl").unlink()
    assert index_paths([docs], tmp_path / "ix").deleted == 0  # without --prune nothing goes
    summary = index_paths([docs], tmp_path / "ix", prune=True)
    assert summary.deleted == 2
    assert SearchEngine(tmp_path / "ix").doc_count() == 1
    assert index_paths([docs], tmp_path / "ix", prune=True).deleted == 0


def test_a_failed_file_is_tried_again_on_the_next_run(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "late.jsonl").write_text("{broken\n", encoding="utf-8")
    assert len(index_paths([docs], tmp_path / "ix").failures) == 1
    assert len(index_paths([docs], tmp_path / "ix").failures) == 1


def test_progress_of_a_single_large_file_advances_with_its_articles(tmp_path):
    import io
    import re

    from indexer.progress import Progress

    source = tmp_path / "archive.jsonl"
    write_jsonl(source, [{"id": str(i), "title": f"文章{i}", "text": "内容"} for i in range(40)])
    stream = io.StringIO()
    index_paths([source], tmp_path / "ix", Progress(1, source.stat().st_size, stream, 0.0))
    shown = [int(p) for p in re.findall(r"\]\s+(\d+)%", stream.getvalue())]
    assert shown == sorted(shown) and shown[-1] == 100
    assert any(0 < p < 100 for p in shown), "the bar stood still until the file was done"
