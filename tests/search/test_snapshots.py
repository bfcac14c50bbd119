"""Snapshots taken while an indexing run commits restore to exactly one of its commits."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.index import open_index
from search.keys import KeyStore
from search.snapshots import SnapshotProblem, restore, take
from search.synonyms import SynonymStore, parse_rules
from tests.conftest import ROOT
from tests.server import run_zhsearch

ARTICLES = 1200
COMMIT_EVERY = 10


def _archive(folder):
    folder.mkdir()
    for part in range(3):
        with (folder / f"part{part}.jsonl").open("w", encoding="utf-8") as out:
            for n in range(part * ARTICLES // 3, (part + 1) * ARTICLES // 3):
                record = {
                    "id": f"s{n}",
                    "title": f"快照测试第{n}篇",
                    "text": f"江豚 长江 第{n}段正文。",
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def _generation(index_dir) -> int:
    """The newest commit's number, from the names of the tables of contents (no file read:
    the run removes older ones as it commits)."""
    return max((int(p.stem.rsplit("_", 1)[1]) for p in index_dir.glob("_MAIN_*.toc")), default=0)


def test_snapshots_taken_while_an_index_run_commits_restore_to_one_commit(tmp_path):
    index_dir = tmp_path / "index"
    source = _archive(tmp_path / "archive")
    indexing = subprocess.Popen(
        [sys.executable, "-m", "zhsearch", "index", "--index", str(index_dir)]
        + ["--commit-every", str(COMMIT_EVERY), "--procs", "1", str(source)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(index_dir.glob("_MAIN_*.toc")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until its first commit
    snapshots = []
    while indexing.poll() is None and time.monotonic() < deadline:
        out = tmp_path / f"snapshot{len(snapshots)}.tar"
        snapshots.append((take(index_dir, out), out))
        taken = snapshots[-1][0].generation
        while _generation(index_dir) == taken and indexing.poll() is None:
            time.sleep(0.02)  # until the run's next commit: one snapshot a commit at most
    assert indexing.wait(timeout=60) == 0
    assert snapshots, "the indexing run ended before its first commit was seen"
    assert any(0 < s.articles < ARTICLES for s, _ in snapshots)  # some taken mid-run

    for n, (summary, out) in enumerate(snapshots):
        restored = tmp_path / f"restored{n}"
        articles = restore(out, restored)
        assert articles == summary.articles == open_index(restored).doc_count()
        assert articles % COMMIT_EVERY == 0 or articles == ARTICLES  # a commit, not between
        if articles:
            results = SearchEngine(restored).search("江豚", size=1)
            assert results.total == articles


def test_a_snapshot_keeps_the_dictionary_synonyms_and_keys(tmp_path):
    from tests.conftest import SAMPLE_ARTICLES, build_index

    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    SynonymStore(index_dir).save(parse_rules("京城 北京\n"))
    KeyStore(index_dir).create("cms", "write")
    take(index_dir, tmp_path / "s.tar")
    restored = tmp_path / "new" / "index"
    assert restore(tmp_path / "s.tar", restored) == len(SAMPLE_ARTICLES)
    assert SynonymStore(restored).rules().finds("京城") == ["北京"]
    assert [key.name for key in KeyStore(restored).all()] == ["cms"]
    assert SearchEngine(restored).search("京城").total == 3


def test_restore_refuses_a_folder_in_use_and_what_is_not_a_snapshot(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("")
    (tmp_path / "junk.tar").write_bytes(b"not a tar")
    with pytest.raises(SnapshotProblem, match="not a snapshot"):
        restore(tmp_path / "junk.tar", tmp_path / "fresh")
    with pytest.raises(SnapshotProblem, match="new or empty folder"):
        restore(tmp_path / "junk.tar", tmp_path / "busy")
    assert not (tmp_path / "fresh").exists()


def test_the_commands_say_what_is_wrong_and_exit_non_zero(tmp_path):
    missing = run_zhsearch("snapshot", "--index", str(tmp_path / "none"), str(tmp_path / "s.tar"))
    assert missing.returncode == 1 and "no index at" in missing.stderr
    assert not (tmp_path / "s.tar").exists()
    (tmp_path / "junk.tar").write_bytes(b"not a tar")
    junk = run_zhsearch("restore", "--index", str(tmp_path / "new"), str(tmp_path / "junk.tar"))
    assert junk.returncode == 1 and "not a snapshot" in junk.stderr
