"""Xapian shard servers: `xapian-tcpsrv` for one shard folder each, and how each one is.

A shard is a Xapian database in a folder of its own, served over TCP by `xapian-tcpsrv`
(writable: the frontend writes to it as well as searching it). The server has no
authentication: it belongs on loopback or a private network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.writers import die_with_parent

from . import INSTALL_HINT, XapianMissing, import_xapian

TCPSRV = "xapian-tcpsrv"
DEFAULT_PORT = 6431


class ShardError(ValueError):
    """A shard list that cannot be read, or a shard server that would not start."""


@dataclass(frozen=True, order=True)
class ShardAddress:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_shards(text: str) -> list[ShardAddress]:
    """`127.0.0.1:6431,127.0.0.1:6432` (host:port, comma-separated; `[::1]:6431` for IPv6),
    in the order given: the order is part of which shard an article goes to."""
    addresses: list[ShardAddress] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        host = host.strip("[]")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ShardError(
                f"分片地址应为 主机:端口 (a shard is host:port, e.g. 127.0.0.1:6431): {item!r}"
            )
        address = ShardAddress(host, int(port))
        if address in addresses:
            raise ShardError(f"分片重复 (shard given twice): {address}")
        addresses.append(address)
    if not addresses:
        raise ShardError("没有分片地址 (no shards given)")
    return addresses


@dataclass
class ShardStatus:
    address: ShardAddress
    up: bool
    articles: int | None = None
    milliseconds: float | None = None  # the round trip that counted them
    message: str = ""  # why it is down


def shard_status(address: ShardAddress, timeout_ms: int = 2000) -> ShardStatus:
    """Whether the shard answers within `timeout_ms`, and how many articles it holds."""
    xapian = import_xapian()
    started = time.perf_counter()
    try:
        database = xapian.remote_open(address.host, address.port, timeout_ms, timeout_ms)
        try:
            articles = database.get_doccount()
        finally:
            database.close()
    except xapian.Error as exc:
        return ShardStatus(address, up=False, message=exc.get_msg() or type(exc).__name__)
    return ShardStatus(address, True, articles, (time.perf_counter() - started) * 1000)


def shards_status(addresses: list[ShardAddress], timeout_ms: int = 2000) -> list[ShardStatus]:
    """Every shard's status, asked at once: a shard that does not answer costs its timeout
    once, not once for each shard after it."""
    results: dict[ShardAddress, ShardStatus] = {}

    def ask(address: ShardAddress) -> None:
        results[address] = shard_status(address, timeout_ms)

    threads = [threading.Thread(target=ask, args=(a,), daemon=True) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[a] for a in addresses]


def create_shard(folder: Path) -> None:
    """A new, empty shard database in `folder` (an existing one is left as it is)."""
    xapian = import_xapian()
    folder.mkdir(parents=True, exist_ok=True)
    xapian.WritableDatabase(str(folder), xapian.DB_CREATE_OR_OPEN).close()


def _port_free(interface: str, port: int) -> bool:
    """Whether nothing listens on `interface:port` (else another server would answer there,
    and seem to be ours)."""
    family = socket.AF_INET6 if ":" in interface else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((interface, port))
        except OSError:
            return False
    return True


def _own_session_dying_with_us() -> None:
    # xapian-tcpsrv answers SIGTERM by signalling its whole process group (to end the
    # processes it forked for connections): in a session of its own, that group is its own.
    os.setsid()
    die_with_parent(signal.SIGTERM)


class ShardServer:
    """`xapian-tcpsrv --writable` for one shard folder on `interface:port`."""

    def __init__(
        self,
        folder: Path,
        port: int,
        interface: str = "127.0.0.1",
        idle_timeout_ms: int | None = None,
    ):
        """`idle_timeout_ms`: how long the server keeps a connection nothing is sent on
        (xapian-tcpsrv's own default where None)."""
        self.folder, self.port, self.interface = folder, port, interface
        self.idle_timeout_ms = idle_timeout_ms
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> ShardAddress:
        return ShardAddress(self.interface, self.port)

    def start(self, wait_seconds: float = 30.0) -> None:
        """Start the server and return once it answers (or raise ShardError saying why not)."""
        if shutil.which(TCPSRV) is None:
            raise XapianMissing(f"找不到 {TCPSRV} ({TCPSRV} not found: {INSTALL_HINT})")
        if not _port_free(self.interface, self.port):
            raise ShardError(
                f"分片服务未能启动，端口已被占用 (the shard server for {self.folder} did not start:"
                f" {self.address} is in use)"
            )
        create_shard(self.folder)
        self.process = subprocess.Popen(
            [TCPSRV, "--writable", "--quiet", "--interface", self.interface]
            + (["--idle-timeout", str(self.idle_timeout_ms)] if self.idle_timeout_ms else [])
            + ["--port", str(self.port), str(self.folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_own_session_dying_with_us,
        )
        deadline = time.monotonic() + wait_seconds
        while not shard_status(self.address, timeout_ms=1000).up:
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self._output_if_ended()
                self.stop()
                raise ShardError(
                    f"分片服务未能启动 (the shard server for {self.folder} did not start on"
                    f" {self.address}): {output or 'no answer'}"
                )
            time.sleep(0.05)

    def _output_if_ended(self) -> str:
        if self.process is None or self.process.poll() is None or self.process.stdout is None:
            return ""
        return self.process.stdout.read().decode("utf-8", "replace").strip()[-500:]

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the server by its process id; its exit status (None if it was not running)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


@contextlib.contextmanager
def running_shard(
    folder: Path, port: int, interface: str = "127.0.0.1", idle_timeout_ms: int | None = None
) -> Iterator[ShardServer]:
    server = ShardServer(folder, port, interface, idle_timeout_ms)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def serve_shard(folder: Path, port: int, interface: str = "127.0.0.1", ready=print) -> int:
    """Serve one shard until SIGTERM or Ctrl-C (or until its server ends); the exit status."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with running_shard(folder, port, interface) as server:
            pid = server.process.pid
            ready(f"分片 shard {folder} on {server.address} (xapian-tcpsrv pid {pid})")
            while not stop.wait(0.5):
                if server.process.poll() is not None:
                    raise ShardError(
                        f"分片服务意外退出 (the shard server ended, exit status"
                        f" {server.process.returncode}): {server._output_if_ended()}"
                    )
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
