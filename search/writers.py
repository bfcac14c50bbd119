"""Who holds an index's write lock, and worker processes that die with the run that started them.

Whoosh locks an index with `flock` on MAIN_WRITELOCK, which the kernel releases when the
holding process dies, so a killed run leaves no stale lock by itself. Worker processes forked
while it is held inherit it, though; if the parent is killed they would wait forever for work
and keep the index locked, so workers ask to be killed with their parent (`die_with_parent`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from datetime import datetime
from pathlib import Path

HOLDER_FILE = "indexing.pid"  # the pid and start time of the run that holds the lock
_PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask Linux to send this process `signum` when its parent dies (nothing elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)


def record_holder(index_dir: Path) -> None:
    """Note which process holds the write lock, for the message a waiting run shows."""
    (Path(index_dir) / HOLDER_FILE).write_text(
        f"{os.getpid()} {datetime.now().astimezone().isoformat(timespec='seconds')}\n"
    )


def clear_holder(index_dir: Path) -> None:
    try:
        holder = Path(index_dir) / HOLDER_FILE
        if holder.read_text().split()[0] == str(os.getpid()):
            holder.unlink()
    except (OSError, IndexError):
        pass


def describe_holder(index_dir: Path) -> str:
    """Who holds the lock, as far as the holder file tells, in Chinese and English."""
    lock = Path(index_dir) / "MAIN_WRITELOCK"
    try:
        pid_text, started = (Path(index_dir) / HOLDER_FILE).read_text().split()[:2]
        pid = int(pid_text)
    except (OSError, ValueError):
        return f"（可用 fuser -v {lock} 查看占用进程） (`fuser -v {lock}` lists the holders)"
    if process_alive(pid):
        return (
            f"（进程 {pid}，开始于 {started}） (process {pid}, started {started};"
            f" wait for it, or stop it with `kill {pid}`)"
        )
    return (
        f"（进程 {pid} 已退出，但其遗留进程仍持有锁；用 fuser -v {lock} 查看并结束它们）"
        f" (run {pid} is gone but processes it left hold the lock;"
        f" `fuser -v {lock}` lists them, `fuser -k {lock}` stops them)"
    )


def process_alive(pid: int) -> bool:
    """Whether a process of that id runs (another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
