"""Connections to the shard servers, searched as one database, kept alive across failures.

Xapian searches several remote databases as one (`Database.add_database`), with the term
statistics of all of them; but one shard that does not answer fails the whole search. So each
shard is opened on its own, and a search runs over the shards that answered: a connection the
server dropped (`xapian-tcpsrv`'s idle timeout) is opened again at once, a shard that is down is
left out, named, and tried again on a later search — a restarted shard is searched again without
restarting anything here.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from search.errors import ShardsUnavailable

from . import import_xapian
from .shards import ShardAddress

T = TypeVar("T")


class ShardRecoveries:
    """When each shard was last connected to, by any thread: one thread that finds a shard back
    tells the others, which then try it at once rather than after their own wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connected: dict[ShardAddress, float] = {}

    def connected(self, address: ShardAddress) -> None:
        with self._lock:
            self._connected[address] = time.monotonic()

    def since(self, address: ShardAddress, moment: float) -> bool:
        """Whether some thread connected to the shard after `moment`."""
        with self._lock:
            return self._connected.get(address, float("-inf")) > moment


class ShardConnections:
    """One thread's connections to the shards (Xapian's objects are not shared by threads).

    A shard found down is tried again once `retry_seconds` have passed, or at once where another
    thread has connected to it since, so a shard that does not answer costs its connect timeout
    at most that often, not on every search.
    """

    def __init__(
        self,
        addresses: list[ShardAddress],
        timeout_ms: int,
        retry_seconds: float = 1.0,
        recoveries: ShardRecoveries | None = None,
    ):
        self.addresses = list(addresses)
        self.timeout_ms = timeout_ms
        self.retry_seconds = retry_seconds
        self.recoveries = recoveries if recoveries is not None else ShardRecoveries()
        self._open: dict[ShardAddress, object] = {}
        self._down: dict[ShardAddress, tuple[float, str]] = {}  # when it failed, and why

    def run(self, work: Callable[[object], T]) -> tuple[T, list[ShardAddress]]:
        """`work(database)` over every shard that answers; its result and the shards left out.

        A shard that fails during the work (it went down, or dropped the connection) is
        checked, and the work runs once more over those that still answer.
        """
        xapian = import_xapian()
        for attempt in range(2):
            database = self._database(recheck=attempt > 0)
            try:
                return work(database), self.missing()
            except xapian.NetworkError as exc:
                for address in list(self._open):
                    self._check(address, str(exc))
        raise ShardsUnavailable(self.message())

    def run_each(self, work: Callable[[object], T]) -> tuple[list[T], list[ShardAddress]]:
        """`work(shard)` on each shard that answers, on its own; the results and the shards
        left out."""
        return self.run(
            lambda _all: [work(self._open[a]) for a in self.addresses if a in self._open]
        )

    def missing(self) -> list[ShardAddress]:
        return [a for a in self.addresses if a not in self._open]

    def why_missing(self) -> dict[ShardAddress, str]:
        return {a: self._down.get(a, (0.0, "not connected"))[1] for a in self.missing()}

    def _database(self, recheck: bool):
        """The shards that answer, as one database at their newest commits."""
        xapian = import_xapian()
        for address in self.addresses:
            if address in self._open:
                try:
                    self._open[address].reopen()  # to its latest commit; fails if it is gone
                    continue
                except xapian.Error as exc:
                    self._drop(address, exc)
                    if _answered(exc):
                        # The server dropped the connection (its idle timeout) or restarted:
                        # opened again at once. A shard that did not answer waits its turn.
                        self._connect(address)
            elif recheck or self._due(address):
                self._connect(address)
        if not self._open:
            raise ShardsUnavailable(self.message())
        database = xapian.Database()
        for address in self.addresses:  # in the given order, whatever answered first
            if address in self._open:
                database.add_database(self._open[address])
        return database

    def _due(self, address: ShardAddress) -> bool:
        failed = self._down.get(address)
        return (
            failed is None
            or time.monotonic() - failed[0] >= self.retry_seconds
            or self.recoveries.since(address, failed[0])
        )

    def _connect(self, address: ShardAddress) -> None:
        xapian = import_xapian()
        try:
            self._open[address] = xapian.remote_open(
                address.host, address.port, self.timeout_ms, self.timeout_ms
            )
            self._down.pop(address, None)
            self.recoveries.connected(address)
        except xapian.Error as exc:
            self._drop(address, exc)

    def _check(self, address: ShardAddress, why: str) -> None:
        """After a failed search: keep the shard if it still answers, else drop it."""
        xapian = import_xapian()
        try:
            self._open[address].reopen()  # a round trip: the document count may be cached
        except xapian.Error:
            self._drop(address, why)

    def _drop(self, address: ShardAddress, why) -> None:
        xapian = import_xapian()
        database = self._open.pop(address, None)
        if database is not None:
            with contextlib.suppress(xapian.Error):  # already gone
                database.close()
        message = why.get_msg() if isinstance(why, xapian.Error) else str(why)
        self._down[address] = (time.monotonic(), message or type(why).__name__)

    def message(self) -> str:
        """Which shards are missing, and why, for an error."""
        down = "; ".join(f"{a}: {why}" for a, why in self.why_missing().items())
        return f"分片无响应 (no answer from shards: {down})"

    def close(self) -> None:
        for address in list(self._open):
            self._drop(address, "closed")


def _answered(error) -> bool:
    """Whether a failed call reached a server: the server's own errors (its idle timeout among
    them) come back with Xapian's REMOTE: prefix, and a closed connection fails at once, where
    a server that hangs leaves the call to time out here."""
    xapian = import_xapian()
    return not isinstance(error, xapian.NetworkTimeoutError) or error.get_msg().startswith(
        "REMOTE:"
    )
