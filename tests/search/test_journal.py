"""The write journal and its committer: order, idempotent replay, bounds, failed writes."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from search.backends.whoosh.index import open_index
from search.documents import Article
from search.writes import journal as journal_ops
from search.writes.committer import Committer
from search.writes.journal import Journal, JournalFull, UnknownTask


def _stored(index_dir) -> dict[str, str]:
    with open_index(index_dir).searcher() as searcher:
        fields = list(searcher.all_stored_fields())
    ids = [f["id"] for f in fields]
    assert len(ids) == len(set(ids)), "duplicate articles"
    return {f["id"]: f.get("title", "") for f in fields}


def _one_segment_each(index_dir, count: int, text: str = "鸭嘴兽") -> tuple[Journal, Committer]:
    """A journal and its committer, after `count` commits of one article each (m0, m1 …)."""
    journal = Journal(index_dir)
    committer = Committer(index_dir, journal)
    for n in range(count):
        journal.append([journal_ops.put(Article(f"m{n}", f"第{n}篇", text))])
        committer.apply_batch()
    return journal, committer


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
    Committer(tmp_path, journal).drain()
    assert journal.append([journal_ops.delete("d")]) == 4


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


def test_small_segments_are_merged_beside_the_committer_keeping_later_deletions(tmp_path):
    from search.backends.whoosh.engine import SearchEngine
    from search.writes import merging

    journal, committer = _one_segment_each(tmp_path, 12)  # twelve segments: none merged
    assert len(open_index(tmp_path)._segments()) == 12
    sources = merging.plan(open_index(tmp_path)._segments())
    assert len(sources) == 10

    assert merging.build(tmp_path)  # as its own process would, holding no lock
    # Meanwhile the committer goes on: deletes and replaces articles of the merged segments.
    journal.append(
        [
            journal_ops.delete("m0"),
            journal_ops.put(Article("m1", "合并测试 改写", "鸭嘴兽")),
            journal_ops.put(Article("m99", "合并测试 新来的", "鸭嘴兽")),
        ]
    )
    committer.apply_batch()  # installs the merge in the same commit
    segments = open_index(tmp_path)._segments()
    assert len(segments) == 12 - 10 + 1 + 1
    assert not merging.ready(tmp_path) and not list((tmp_path / merging.FOLDER).iterdir())
    stored = _stored(tmp_path)
    assert sorted(stored) == sorted([f"m{n}" for n in range(1, 12)] + ["m99"])
    assert stored["m1"] == "合并测试 改写"
    results = SearchEngine(tmp_path).search("鸭嘴兽", size=20)
    assert results.total == 12 and sorted(h.id for h in results.hits) == sorted(stored)


def test_a_merge_whose_segments_were_merged_away_meanwhile_is_dropped(tmp_path):
    from search.writes import merging

    _, committer = _one_segment_each(tmp_path, 10)
    assert merging.build(tmp_path)
    open_index(tmp_path).writer().commit(optimize=True)  # a CLI run merged everything
    committer.tend_merges()
    assert not merging.ready(tmp_path)
    assert len(_stored(tmp_path)) == 10


def test_small_segments_are_merged_in_a_lane_of_their_own_beside_a_large_merge(
    tmp_path, monkeypatch
):
    from search.writes import merging

    small = merging.Lane("small", 0, 2, stays=True)
    large = merging.Lane("large", 2, 100, stays=False)
    monkeypatch.setattr(merging, "LANES", (small, large))
    journal = Journal(tmp_path)
    committer = Committer(tmp_path, journal)
    for n in range(10):  # ten segments of two articles, then ten of one
        journal.append(
            [journal_ops.put(Article(f"pair{n}-{k}", f"第{n}对", "鸭嘴兽")) for k in range(2)]
        )
        committer.apply_batch()
    for n in range(10):
        journal.append([journal_ops.put(Article(f"one{n}", f"第{n}篇", "鸭嘴兽"))])
        committer.apply_batch()
    segments = open_index(tmp_path)._segments()
    assert all(s.doc_count_all() == 2 for s in merging.plan(segments, large))
    assert all(s.doc_count_all() == 1 for s in merging.plan(segments, small))

    assert merging.build(tmp_path, large) and merging.build(tmp_path, small)
    journal.append([journal_ops.delete("pair3-1"), journal_ops.delete("one7")])
    committer.apply_batch()  # installs both merges, with the deletions made meanwhile
    assert sorted(s.doc_count_all() for s in open_index(tmp_path)._segments()) == [10, 20]
    assert not merging.ready(tmp_path)
    stored = _stored(tmp_path)
    assert len(stored) == 28 and "pair3-1" not in stored and "one7" not in stored


class _Sized:
    """A stand-in for a segment: all `plan` asks of one is its size."""

    def __init__(self, docs: int):
        self.docs = docs

    def doc_count_all(self) -> int:
        return self.docs


def test_a_merge_never_holds_more_than_merge_max_docs_so_large_batches_segments_stay():
    from search.config import WRITING
    from search.writes import merging

    built = [_Sized(50_000) for _ in range(20)]  # a 10⁶-article batch's segments
    assert merging.plan(built, merging.LARGE) == []
    committed = [_Sized(5_000) for _ in range(12)]
    chosen = merging.plan(built + committed, merging.LARGE)
    assert len(chosen) == WRITING.merge_factor and {s.docs for s in chosen} == {5_000}


def test_a_committer_runs_merges_in_processes_and_stops_them_when_closed(tmp_path):
    from search.writes import merging

    _, committer = _one_segment_each(tmp_path, 10)
    try:
        committer.tend_merges()  # a small merge is due: its lane's process starts
        process = committer._merges[merging.SMALL.name]
        deadline = time.monotonic() + 120
        while len(open_index(tmp_path)._segments()) > 1 and time.monotonic() < deadline:
            committer.tend_merges()  # installs the merge once its process has built it
            time.sleep(0.05)
        assert len(open_index(tmp_path)._segments()) == 1
        assert process.poll() is None  # the small lane's process stays for the next merge
    finally:
        committer.close()
    assert process.poll() is not None
    assert len(_stored(tmp_path)) == 10


def test_a_commit_that_fails_on_disk_leaves_the_writes_queued_and_the_index_writable(
    tmp_path, monkeypatch
):
    from whoosh.writing import SegmentWriter

    journal = Journal(tmp_path)
    committer = Committer(tmp_path, journal, lock_timeout=0.5)
    journal.append([journal_ops.put(Article("kept", "保留的", "正文"))])
    committer.apply_batch()
    journal.append([journal_ops.put(Article("later", "后来的", "正文"))])

    def full_disk(self):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(SegmentWriter, "_finalize_segment", full_disk)
        with pytest.raises(OSError):
            committer.apply_batch()  # neither the batch nor an empty commit goes through
    assert journal.backlog().writes == 1  # still queued, nothing marked failed
    assert committer.apply_batch() == 1  # the disk has room again: no lock left behind
    assert _stored(tmp_path) == {"kept": "保留的", "later": "后来的"}


def test_a_sigterm_mid_commit_lets_the_committer_process_finish_and_stop_at_its_next_wait():
    import subprocess
    import sys

    from tests.server import ROOT

    # In a forked child, as the committer is.
    script = """
import os, signal
from search.writes.committer import SignalStop
pid = os.fork()
if pid == 0:
    stop = SignalStop()
    assert not stop.wait(0.01) and not stop.is_set()
    os.kill(os.getpid(), signal.SIGTERM)  # as if mid-commit: only flagged, for the next wait
    print("survived", flush=True)
    os._exit(0 if stop.is_set() and stop.wait(0) else 1)
raise SystemExit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "survived\n"


def _wait_for_state(pid: int, state: str, timeout: float = 60) -> None:
    """Until the process is in `state` (a letter of /proc/PID/stat: T for stopped)."""
    from pathlib import Path

    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != state:
        assert time.monotonic() < deadline, f"process {pid} never reached state {state}"
        time.sleep(0.01)


def test_the_committer_process_goes_on_after_being_stopped_and_continued():
    import signal
    import subprocess
    import sys

    from tests.server import ROOT

    # Ctrl-Z and `fg`, or a debugger attaching, interrupt its wait for SIGTERM: that is no stop.
    script = """
from search.writes.committer import SignalStop
stop = SignalStop()
while not stop.wait(0.05):
    print("waiting", flush=True)
print("stopped", flush=True)
"""
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert child.stdout.readline() == "waiting\n"
        # Each stop interrupts a wait (they take almost all its time) and outlasts it, the case
        # in which `sigtimedwait` returned a record never filled in (now and then "SIGINT").
        for _ in range(40):
            child.send_signal(signal.SIGSTOP)
            _wait_for_state(child.pid, "T")  # stopped
            # Not a wait for anything: a stop of any length passes; one longer than a wait
            # (0.05 s) is the case the old code failed on.
            time.sleep(0.06)
            child.send_signal(signal.SIGCONT)
            assert child.stdout.readline() == "waiting\n"  # it waits again: not stopped
        child.send_signal(signal.SIGTERM)
        assert child.stdout.read().rstrip().endswith("stopped")  # SIGTERM still stops it
        assert child.wait(timeout=60) == 0
    finally:
        child.kill()
        child.wait()


def test_a_merge_started_by_the_committer_process_stops_when_asked(tmp_path):
    import subprocess
    import sys

    from tests.server import ROOT

    _one_segment_each(tmp_path, 1)
    # The committer process handles SIGTERM (above); its merge processes must still stop on
    # it, or closing the committer waits on them for good, its server gone.
    script = f"""
import os
from pathlib import Path
from search.writes import merging
from search.writes.committer import Committer, SignalStop
stop = SignalStop()
committer = Committer(Path({str(tmp_path)!r}))
committer._merges["small"] = merging.start(committer.index_dir, merging.SMALL)
committer.close(timeout=60)
print("stopped" if committer._merges == {{}} else "not stopped", flush=True)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "stopped\n"
    assert "did not stop" not in result.stderr


def test_commits_start_an_interval_apart_and_a_write_to_an_idle_server_goes_at_once(
    tmp_path, monkeypatch
):
    from types import SimpleNamespace

    from search.config import WRITING
    from search.writes import committer as committer_module

    clock = [1000.0]  # the committer's clock, moved by the commits and waits below
    monkeypatch.setattr(committer_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    interval = WRITING.commit_interval_seconds
    # How long each round's commit takes (None: nothing was queued).
    rounds = [interval / 4, interval * 2, None, interval / 2]
    waits = []

    class Stop:
        def is_set(self) -> bool:
            return not rounds

        def wait(self, seconds: float) -> bool:
            waits.append(seconds)
            clock[0] += seconds
            return False

    class Commits:
        def apply_batch(self) -> int:
            took = rounds.pop(0)
            clock[0] += took or 0
            return 0 if took is None else 12

        def tend_merges(self) -> None:
            pass

    thread = committer_module.CommitterThread(tmp_path)
    thread.stopping = Stop()
    thread._commit_forever(Commits())
    assert waits == [
        pytest.approx(interval * 3 / 4),  # the next starts an interval after this one started
        0.0,  # this one took longer than the interval: the next starts at once
        thread.poll,  # nothing queued: look again soon, so a lone write is committed at once
        pytest.approx(interval / 2),
    ]


@pytest.mark.parametrize(("segments", "niced"), [(10, True), (20, False)])
def test_a_merge_runs_at_a_low_priority_unless_its_lane_is_behind(
    tmp_path, monkeypatch, segments, niced
):
    from search.config import WRITING
    from search.writes import merging

    _one_segment_each(tmp_path, segments)
    lane = merging.Lane("once", 0, 100, stays=False)
    assert merging.behind(open_index(tmp_path)._segments(), lane) is not niced
    calls = []
    monkeypatch.setattr(merging.os, "nice", lambda increment: calls.append(increment))
    merging.run(tmp_path, lane)
    assert calls == ([WRITING.merge_nice] if niced else [])  # behind: the normal priority
    assert merging.ready(tmp_path, lane)  # and the merge built either way
