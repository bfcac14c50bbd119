"""The right to write an index: one writer at a time, the server's committer or a CLI run.

An `flock` on `writer.lock` in the index folder, which the kernel frees when its holder dies,
and beside it `writer.holder`: who holds it (pid, role, since when), so a CLI run can tell a
serving zhsearch (then it writes through the server's journal) from another indexing run
(then it waits its turn).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LOCK_FILE = "writer.lock"
HOLDER_FILE = "writer.holder"

SERVER = "server"
CLI = "cli"


@dataclass(frozen=True)
class Holder:
    pid: int
    role: str
    since: str

    def describe(self) -> str:
        what = "zhsearch serve" if self.role == SERVER else "zhsearch"
        return (
            f"（进程 {self.pid}，{what}，开始于 {self.since}）"
            f" (process {self.pid}, {what}, since {self.since})"
        )


class WriterLock:
    """Held by one writer of an index folder at a time (per open file, so also per thread)."""

    def __init__(self, index_dir: Path, role: str):
        self.index_dir = Path(index_dir)
        self.role = role
        self._file = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, timeout: float = 0.0, poll: float = 0.1) -> bool:
        """Take the lock, waiting up to `timeout` seconds; whether it was taken."""
        if self._file is not None:
            return True
        self.index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(self.index_dir / LOCK_FILE, "a")  # noqa: SIM115 (kept open while held)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return False
                time.sleep(poll)
        self._file = handle
        since = datetime.now().astimezone().isoformat(timespec="seconds")
        temporary = self.index_dir / f"{HOLDER_FILE}.{os.getpid()}"
        temporary.write_text(f"{os.getpid()} {self.role} {since}\n")
        os.replace(temporary, self.index_dir / HOLDER_FILE)
        return True

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            (self.index_dir / HOLDER_FILE).unlink()
        self._file.close()  # closing the file frees the flock
        self._file = None


def current_holder(index_dir: Path) -> Holder | None:
    """Who holds the index's writer lock now, or None if nobody does."""
    path = Path(index_dir) / LOCK_FILE
    if not path.exists():
        return None
    with open(path, "a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            return None  # free (closing the probe lets it go again)
    try:
        pid, role, since = (Path(index_dir) / HOLDER_FILE).read_text().split()[:3]
        return Holder(int(pid), role, since)
    except (OSError, ValueError):
        return Holder(0, "unknown", "?")  # taken a moment ago, the holder file not yet written
