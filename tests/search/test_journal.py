"""The write journal and its committer: order, idempotent replay, bounds, failed writes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from search.documents import Article
from search.index import open_index
from search.writes import journal as journal_ops
from search.writes.committer import Committer
from search.writes.journal import Journal, JournalFull, UnknownTask


def _stored(index_dir) -> dict[str, str]:
    with open_index(index_dir).searcher() as searcher:
        fields = list(searcher.all_stored_fields())
    ids = [f["id"] for f in fields]
    assert len(ids) == len(set(ids)), "duplicate articles"
    return {f["id"]: f.get("title", "") for f in fields}


def test_seq_only_grows_even_after_applied_writes_are_dropped(tmp_path):
    journal = Journal(tmp_path)
    first = journal.append([journal_ops.put(Article("a", "甲", "正文"))])
    second = journal.append([journal_ops.delete("b"), journal_ops.delete("c")])
    assert (first, second) == (1, 3)
    Committer(tmp_path, journal).drain()
    assert journal.backlog().writes == 0 and journal.applied() == 3
    assert journal.append([journal_ops.delete("d")]) == 4  # never a number handed out before
    assert Journal(tmp_path).last_seq() == 4  # as another process sees it


def test_the_last_write_of_an_id_in_a_batch_is_what_stays(tmp_path):
    journal = Journal(tmp_path)
    journal.append(
        [
            journal_ops.put(Article("kept", "第一版", "正文")),
            journal_ops.put(Article("gone", "会被删除", "正文")),
            journal_ops.put(Article("kept", "第二版", "正文")),
            journal_ops.delete("gone"),
            journal_ops.delete("back"),
            journal_ops.put(Article("back", "删除后又加", "正文")),
        ]
    )
    assert Committer(tmp_path, journal).apply_batch() == 6
    assert _stored(tmp_path) == {"kept": "第二版", "back": "删除后又加"}


def test_writes_applied_again_after_a_crash_before_they_were_marked_change_nothing(tmp_path):
    journal = Journal(tmp_path)
    journal.append([journal_ops.put(Article(f"x{n}", f"版本一 {n}", "正文")) for n in range(5)])
    journal.append([journal_ops.put(Article("x0", "版本二", "正文")), journal_ops.delete("x4")])
    committer = Committer(tmp_path, journal)
    # The index commit happened, the journal never heard of it (killed in between).
    committer._commit(journal.pending(100))
    assert journal.applied() == 0 and journal.backlog().writes == 7
    Committer(tmp_path, Journal(tmp_path)).drain()  # the next start applies them again
    assert _stored(tmp_path) == {
        "x0": "版本二",
        "x1": "版本一 1",
        "x2": "版本一 2",
        "x3": "版本一 3",
    }
    assert journal.status(7) == {"seq": 7, "status": "searchable"}


def test_a_full_journal_refuses_until_the_committer_catches_up(tmp_path, monkeypatch):
    import search.writes.journal as journal_module

    small = replace(journal_module.WRITING, max_queued_writes=2)
    monkeypatch.setattr(journal_module, "WRITING", small)
    journal = Journal(tmp_path)
    journal.append([journal_ops.delete("a")])
    journal.append([journal_ops.delete("b"), journal_ops.delete("c")])  # taken whole below it
    with pytest.raises(JournalFull, match="queue is full"):
        journal.append([journal_ops.delete("d")])
    assert journal.backlog().writes == 3
    journal.append([journal_ops.delete("d")], bounded=False)  # a CLI run is never refused
    Committer(tmp_path, journal).drain()
    assert journal.append([journal_ops.delete("e")]) == 5


def test_a_write_that_cannot_be_applied_is_marked_failed_and_the_rest_go_through(tmp_path):
    journal = Journal(tmp_path)
    journal.append([journal_ops.put(Article("good", "好文章", "正文"))])
    journal.append([("put", "broken", "{not json")])  # as a damaged journal row would be
    journal.append([journal_ops.put(Article("later", "后来的", "正文"))])
    Committer(tmp_path, journal).drain()
    assert _stored(tmp_path) == {"good": "好文章", "later": "后来的"}
    assert journal.status(1)["status"] == "searchable"
    failed = journal.status(2)
    assert failed["status"] == "failed" and "JSONDecodeError" in failed["error"]
    with pytest.raises(UnknownTask):
        journal.status(4)
