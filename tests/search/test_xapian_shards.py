"""Xapian shards served by real `xapian-tcpsrv` processes on loopback, through the CLI.

Where Debian's python3-xapian or xapian-tools are missing these tests skip (`make test`
installs them when it runs as root), unless ZHSEARCH_REQUIRE_XAPIAN is set (CI sets it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from search.backends.xapian import import_xapian
from search.backends.xapian.shards import ShardAddress, ShardError, parse_shards, shard_status
from tests.conftest import ROOT
from tests.shard_servers import require_xapian, shard_port


@pytest.fixture(scope="module", autouse=True)
def xapian_installed():
    require_xapian()


def zhsearch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zhsearch", *args], capture_output=True, text=True, cwd=ROOT
    )


def start_shard(folder, port: int) -> subprocess.Popen:
    """`zhsearch shard serve` in a process group of its own (as a terminal would start it),
    returned once it says it is serving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "zhsearch", "shard", "serve", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    line = process.stdout.readline()  # blocks until the wrapper says so, or ends
    assert "xapian-tcpsrv pid" in line, line + process.stdout.read()
    process.tcpsrv_pid = int(line.rsplit("pid", 1)[1].strip(" )\n"))
    return process


def gone(pid: int, timeout: float = 15) -> bool:
    """Whether the process has ended (or become a zombie) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_a_shard_list_is_host_port_pairs_in_the_order_given():
    assert parse_shards("127.0.0.1:6432, 10.0.0.5:6431,[::1]:7000") == [
        ShardAddress("127.0.0.1", 6432),
        ShardAddress("10.0.0.5", 6431),
        ShardAddress("::1", 7000),
    ]
    for wrong in ("", "127.0.0.1", "127.0.0.1:http", "h:0", "h:70000", "a:1,a:1"):
        with pytest.raises(ShardError):
            parse_shards(wrong)


def test_shard_status_shows_each_shard_and_says_which_is_down(tmp_path):
    up, down = shard_port(), shard_port()
    process = start_shard(tmp_path / "shard-0", up)
    try:
        xapian = import_xapian()
        writer = xapian.remote_open_writable("127.0.0.1", up)
        for n in range(3):
            document = xapian.Document()
            document.add_boolean_term(f"Qa{n}")
            writer.replace_document(f"Qa{n}", document)
        writer.commit()
        writer.close()

        result = zhsearch(
            "shard", "status", "--json", "--shards", f"127.0.0.1:{up},127.0.0.1:{down}"
        )
        assert result.returncode == 1  # one is down
        status = json.loads(result.stdout)
        assert [s["shard"] for s in status["shards"]] == [f"127.0.0.1:{up}", f"127.0.0.1:{down}"]
        assert [s["up"] for s in status["shards"]] == [True, False]
        assert status["shards"][0]["articles"] == 3 and status["articles"] == 3
        assert status["shards"][1]["message"]

        text = zhsearch("shard", "status", "--shards", f"127.0.0.1:{up}")
        assert text.returncode == 0
        assert "up" in text.stdout and "3 篇 articles" in text.stdout
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_sigterm_stops_the_shard_server_by_its_pid_and_the_wrapper_exits_cleanly(tmp_path):
    port = shard_port()
    process = start_shard(tmp_path / "shard", port)
    assert shard_status(ShardAddress("127.0.0.1", port)).up
    os.kill(process.pid, signal.SIGTERM)
    assert process.wait(timeout=15) == 0  # not killed by xapian-tcpsrv's signal to its group
    assert gone(process.tcpsrv_pid)
    assert not shard_status(ShardAddress("127.0.0.1", port), timeout_ms=500).up
    # the shard's folder is kept, and served again as it was
    process = start_shard(tmp_path / "shard", port)
    try:
        assert shard_status(ShardAddress("127.0.0.1", port)).articles == 0
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C at the terminal: the whole group
        assert process.wait(timeout=15) == 0
        assert gone(process.tcpsrv_pid)


def test_a_killed_wrapper_takes_its_shard_server_with_it(tmp_path):
    process = start_shard(tmp_path / "shard", shard_port())
    process.kill()
    process.wait(timeout=15)
    assert gone(process.tcpsrv_pid)


def test_a_port_in_use_is_a_clear_error(tmp_path):
    port = shard_port()
    process = start_shard(tmp_path / "one", port)
    try:
        result = zhsearch("shard", "serve", str(tmp_path / "two"), "--port", str(port))
        assert result.returncode == 1
        assert "did not start" in result.stderr and f"127.0.0.1:{port}" in result.stderr
    finally:
        process.terminate()
        process.wait(timeout=15)
