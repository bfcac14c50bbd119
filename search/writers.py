"""Index writers that free the write lock when their run dies, and who holds that lock.

Whoosh locks an index with `flock` on MAIN_WRITELOCK, which the kernel releases when the
holding process dies, so a killed run leaves no stale lock by itself. Its multi-process writer,
though, forks workers that inherit the lock; if the parent is killed they would wait forever
for work and keep the index locked. Here the workers ask to be killed with their parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
from datetime import datetime
from pathlib import Path

from whoosh.multiproc import MpWriter, SubWriterTask

HOLDER_FILE = "indexing.pid"  # the pid and start time of the run that holds the lock
_PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask Linux to send this process `signum` when its parent dies (nothing elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)


class _WorkerTask(SubWriterTask):
    def __init__(self, *args, parent_pid: int):
        super().__init__(*args)
        self.parent_pid = parent_pid

    def run(self) -> None:
        die_with_parent()
        # Ctrl-C reaches the whole process group; the parent decides what to commit.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if os.getppid() != self.parent_pid:
            return  # the parent died before we asked
        super().run()


class ParallelWriter(MpWriter):
    """Whoosh's multi-process writer, with workers that die with it."""

    def _new_task(self) -> SubWriterTask:
        task = _WorkerTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            parent_pid=os.getpid(),
        )
        self.tasks.append(task)
        task.start()
        return task


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
    if _alive(pid):
        return (
            f"（进程 {pid}，开始于 {started}） (process {pid}, started {started};"
            f" wait for it, or stop it with `kill {pid}`)"
        )
    return (
        f"（进程 {pid} 已退出，但其遗留进程仍持有锁；用 fuser -v {lock} 查看并结束它们）"
        f" (run {pid} is gone but processes it left hold the lock;"
        f" `fuser -v {lock}` lists them, `fuser -k {lock}` stops them)"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
