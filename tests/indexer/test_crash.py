"""A real `zhsearch index` killed with SIGKILL, again and again: nothing committed is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from whoosh.index import LockError

from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.index import index_exists, open_index
from tests.conftest import CORPUS
from tests.server import ROOT, child_processes

ARTICLES = 1500
COMMIT_EVERY = 500


def _sentences() -> list[str]:
    sentences = []
    for line in (CORPUS / "news-2024.jsonl").read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        sentences += [s + "。" for s in text.replace("\n", "").split("。") if len(s) > 8]
    return sentences


def _write_batch(path: Path, articles: int = ARTICLES) -> set[str]:
    """A JSON Lines file of generated articles (~1 KB each), and their ids."""
    rng = random.Random(7)
    sentences = _sentences()
    with path.open("w", encoding="utf-8") as out:
        for i in range(articles):
            body = "".join(rng.choice(sentences) for _ in range(12))
            record = {"id": f"c{i:05d}", "title": f"第{i}号 {rng.choice(sentences)[:16]}"}
            out.write(json.dumps({**record, "text": body}, ensure_ascii=False) + "\n")
    return {f"c{i:05d}" for i in range(articles)}


def _start(source: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "zhsearch", "index", "--index", str(index_dir)]
        + ["--procs", "2", "--commit-every", str(COMMIT_EVERY), "--lock-timeout", "5"]
        + [str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def _column_files(index_dir: Path) -> set[str]:
    return {p.name for p in index_dir.glob("*.col")} if index_dir.exists() else set()


IN_COMMIT = "in commit"  # as soon as a commit writes its files
AFTER_COMMIT = "after commit"  # as soon as a commit is complete (its table of contents there)


def _commits(index_dir: Path) -> set[str]:
    """The tables of contents of commits (not the empty one a new index starts with)."""
    tocs = index_dir.glob("*.toc") if index_dir.exists() else []
    return {p.name for p in tocs if int(p.stem.rsplit("_", 1)[1]) > 0}


def _kill_when(process: subprocess.Popen, index_dir: Path, at: float | str) -> str:
    """SIGKILL the indexer after `at` seconds, or at IN_COMMIT or AFTER_COMMIT."""
    started = time.monotonic()
    columns, commits = _column_files(index_dir), _commits(index_dir)
    while process.poll() is None and time.monotonic() - started < 60:
        if at == IN_COMMIT and _column_files(index_dir) - columns:
            break
        if at == AFTER_COMMIT and _commits(index_dir) - commits:
            break
        if isinstance(at, float) and time.monotonic() - started >= at:
            break
        time.sleep(0.002)
    if process.poll() is not None:
        return "finished"
    workers = child_processes(process.pid)
    os.kill(process.pid, signal.SIGKILL)  # the main process only, as `kill -9 PID` does
    process.wait()
    _assert_gone(workers)
    return f"killed {at}" if isinstance(at, str) else f"killed at {at:.2f} s"


def _assert_gone(pids: set[int], wait: float = 3.0) -> None:
    """The killed run's worker processes die with it (else they would keep the lock)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        alive = {pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)}
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"worker processes {sorted(alive)} outlived the killed indexer")


def _zombie(pid: int) -> bool:
    try:
        return ") Z " in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False


def _lock_is_free(index_dir: Path) -> bool:
    if not index_exists(index_dir):
        return True  # killed before it created the index
    try:
        open_index(index_dir).writer(timeout=1.0).cancel()
    except LockError:
        return False
    return True


def _ids(index_dir: Path) -> set[str]:
    """The ids in the index; the index must open, have no duplicates and answer a search."""
    if not index_exists(index_dir):
        return set()
    with open_index(index_dir).searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    assert len(ids) == len(set(ids)), "duplicate articles"
    SearchEngine(index_dir).search("协作")  # answers, whatever it finds
    return set(ids)


def test_sigkill_at_any_moment_keeps_every_committed_article(tmp_path):
    source = tmp_path / "batch.jsonl"
    expected = _write_batch(source)

    # How long an undisturbed run takes, to spread the kills over it.
    started = time.monotonic()
    baseline = _start(source, tmp_path / "baseline")
    assert baseline.wait(timeout=120) == 0, baseline.stdout.read().decode()
    duration = time.monotonic() - started

    index_dir = tmp_path / "index"
    # Later runs start warm and go faster than the first: keep the kills in the first 60 %.
    # Whether a timed kill comes before or after a commit is the machine's luck: one kill
    # waits for a commit to be complete, so that the later ones have committed articles to lose.
    kill_points = [duration * f for f in (0.05, 0.12, 0.19, 0.26, 0.33, 0.4, 0.5, 0.6)]
    kill_points[3:3] = [IN_COMMIT, IN_COMMIT, AFTER_COMMIT]
    kill_points += [IN_COMMIT, IN_COMMIT]
    committed: set[str] = set()
    outcomes = []
    for at in kill_points:
        process = _start(source, index_dir)
        outcomes.append(_kill_when(process, index_dir, at))
        assert _lock_is_free(index_dir), f"{outcomes[-1]}: the index stayed locked"
        ids = _ids(index_dir)
        assert committed <= ids, f"{outcomes[-1]}: lost {len(committed - ids)} articles"
        assert ids <= expected
        committed = ids

    print("kills:", outcomes, "committed before the last:", len(committed))
    assert outcomes.count("finished") <= 2, outcomes  # most runs were really killed
    assert sum(o == f"killed {IN_COMMIT}" for o in outcomes) >= 2, outcomes
    assert 0 < len(committed) < len(expected)  # the kills left a partial index behind

    # The killed runs left no process holding the lock: the same command finishes the job.
    final = _start(source, index_dir)
    output = final.communicate(timeout=120)[0].decode("utf-8", "replace")
    assert final.returncode == 0, output
    assert "Traceback" not in output
    assert _ids(index_dir) == expected


def test_killing_a_parallel_indexer_takes_its_workers_and_the_lock_with_it(tmp_path):
    source = tmp_path / "batch.jsonl"
    _write_batch(source)
    index_dir = tmp_path / "index"
    process = subprocess.Popen(
        [sys.executable, "-m", "zhsearch", "index", "--index", str(index_dir)]
        + ["--procs", "2", "--commit-every", "100000", str(source)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not (workers := child_processes(process.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert workers, "the indexer started no worker processes"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    _assert_gone(workers)
    assert _lock_is_free(index_dir)
