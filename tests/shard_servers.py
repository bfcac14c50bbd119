"""What the tests of the Xapian backend share: whether Xapian is here to test with, and ports
for shard servers."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.backends.xapian import XapianMissing, import_xapian


def require_xapian() -> None:
    """Skip the calling tests where Debian's python3-xapian or xapian-tools are missing
    (`make test` installs them when it runs as root), or fail them where
    ZHSEARCH_REQUIRE_XAPIAN is set (CI sets it)."""
    missing = "" if shutil.which("xapian-tcpsrv") else "xapian-tcpsrv is not installed"
    try:
        import_xapian()
    except XapianMissing as exc:
        missing = str(exc)
    if missing:
        if os.environ.get("ZHSEARCH_REQUIRE_XAPIAN"):
            pytest.fail(f"Xapian tests required but {missing}")
        pytest.skip(missing)


_GIVEN_PORTS: set[int] = set()
_PORT_CHOICE = random.Random(os.getpid())


def _client_ports_start() -> int:
    """The lowest port the kernel gives a client's connection (Linux: 32768 unless set)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def shard_port() -> int:
    """A port for a shard server: free now, given to no other test of this run, and below
    the ports the kernel picks for clients' connections — so no connection (the tests make
    many) takes it before the shard binds it, or while a stopped shard waits to restart on it.
    """
    below = _client_ports_start()
    while True:
        port = _PORT_CHOICE.randrange(10000, below)
        if port in _GIVEN_PORTS:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _GIVEN_PORTS.add(port)
        return port


def eventually(condition, timeout: float = 60.0) -> bool:
    """Whether `condition()` holds within `timeout` seconds, asked every 50 ms."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def running_shards(folder: Path, count: int) -> Iterator[list]:
    """`count` real shard servers, each in `folder/shard-N` on a port of its own."""
    from search.backends.xapian.shards import running_shard

    with contextlib.ExitStack() as running:
        yield [
            running.enter_context(running_shard(folder / f"shard-{n}", shard_port()))
            for n in range(count)
        ]


def shard_list(servers) -> str:
    """The shard list of these servers, as `--shards` takes it."""
    return ",".join(str(server.address) for server in servers)
