"""An indexer writing while users search, a second indexer, and Ctrl-C: real processes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

from search.backends.whoosh.index import IndexWriterSession, open_index, open_or_create_index
from tests.conftest import CORPUS
from tests.indexer.test_crash import _write_batch
from tests.server import ROOT, running_server


def _index_command(index_dir, *args) -> list[str]:
    return [sys.executable, "-m", "zhsearch", "index", "--index", str(index_dir), *map(str, args)]


def test_searches_keep_answering_while_an_index_run_commits(tmp_path):
    index_dir = tmp_path / "index"
    subprocess.run(_index_command(index_dir, CORPUS), check=True, capture_output=True, cwd=ROOT)
    batch = tmp_path / "batch.jsonl"
    _write_batch(batch)
    query = "/api/search?" + urllib.parse.urlencode({"q": "部门", "size": 5})
    errors: list[str] = []
    totals: dict[int, list[int]] = {}

    with running_server(index_dir) as server:
        writer = subprocess.Popen(
            _index_command(index_dir, "--commit-every", 150, batch),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

        def search(worker: int) -> None:
            seen = totals.setdefault(worker, [])
            deadline = time.monotonic() + 60
            while writer.poll() is None and time.monotonic() < deadline:
                status, body = server.get(query)
                if status != 200:
                    errors.append(f"{status}: {body[:200]!r}")
                    continue
                seen.append(json.loads(body)["total"])

        threads = [threading.Thread(target=search, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert writer.wait(timeout=60) == 0
        final_total = json.loads(server.get(query)[1])["total"]

    assert not errors, errors[:5]
    searches = sum(len(seen) for seen in totals.values())
    assert searches >= 20, f"only {searches} searches ran during indexing"
    for seen in totals.values():
        assert seen == sorted(seen)  # each reader sees the old commit or a newer one
    commits_seen = {total for seen in totals.values() for total in seen}
    assert len(commits_seen) >= 3, "the searches should span several commits"
    assert final_total > min(commits_seen)


def test_a_second_indexer_waits_then_says_another_run_holds_the_index(tmp_path):
    index_dir = tmp_path / "index"
    holder = IndexWriterSession(open_or_create_index(index_dir))
    holder._open_writer()  # hold the lock as a running indexer does
    try:
        started = time.monotonic()
        result = subprocess.run(
            _index_command(index_dir, "--lock-timeout", "1.5", CORPUS),
            capture_output=True,
            text=True,
            timeout=30,
            cwd=ROOT,
        )
        waited = time.monotonic() - started
    finally:
        holder.cancel()
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "another indexing run holds the index lock" in message
    assert f"process {os.getpid()}" in message  # who holds it
    assert "Traceback" not in message
    assert 1.5 <= waited < 15
    assert open_index(index_dir).doc_count() == 0  # nothing written by the refused run


def test_ctrl_c_stops_cleanly_after_committing_what_was_handed_over(tmp_path):
    index_dir = tmp_path / "index"
    batch = tmp_path / "batch.jsonl"
    # Large enough that the run is still handing articles over seconds after it has counted
    # the first 300, however late a loaded machine lets this test read that line.
    expected = _write_batch(batch, 4500)
    process = subprocess.Popen(
        _index_command(
            index_dir, "--procs", 2, "--commit-every", 100000, "--progress-every", 0.05, batch
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # and Ctrl-C as a terminal delivers it, even where this suite was started in the
        # background (a background job inherits SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        cwd=ROOT,
    )
    # Wait until the run says it has handed articles over (its progress lines count them),
    # however slowly a loaded machine gets there: then Ctrl-C has something to commit.
    seen = []
    for raw in process.stdout:
        seen.append(raw.decode("utf-8", "replace"))
        counted = re.search(r"articles (\d+)", seen[-1])
        if counted and int(counted[1]) >= 300:
            break
    else:
        raise AssertionError(f"the run ended before it reported progress: {''.join(seen)}")
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
    output = "".join(seen) + process.communicate(timeout=60)[0].decode("utf-8", "replace")

    assert process.returncode == 130, output
    assert "interrupted" in output and "Traceback" not in output
    added = int(re.search(r"added (\d+)", output)[1])
    committed = open_index(index_dir).doc_count()
    assert 0 < committed < len(expected)
    assert abs(committed - added) <= 1  # the summary tells what really is in the index

    rerun = subprocess.run(_index_command(index_dir, batch), capture_output=True, cwd=ROOT)
    assert rerun.returncode == 0
    with open_index(index_dir).searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    assert sorted(ids) == sorted(expected)
