"""Progress of a long indexing run: a bar on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Counts files and articles against the total bytes to read, and shows the rate."""

    def __init__(
        self,
        total_files: int,
        total_bytes: int,
        stream: TextIO | None = None,
        interval: float | None = None,
    ):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self.total_files = total_files
        self.total_bytes = max(total_bytes, 1)
        self.files = 0
        self.articles = 0
        self.bytes_done = 0
        self.bytes_within_file = 0.0  # of the file being indexed, by its articles handed over
        self.started = time.monotonic()
        self._last_shown = self.started

    def article_done(self, n: int = 1, within_file: float = 0.0) -> None:
        """`within_file`: bytes of the current file its articles so far stand for."""
        self.articles += n
        self.bytes_within_file = within_file
        self._maybe_show()

    def file_done(self, size: int) -> None:
        self.files += 1
        self.bytes_done += size
        self.bytes_within_file = 0.0
        self._maybe_show()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        fraction = min((self.bytes_done + self.bytes_within_file) / self.total_bytes, 1.0)
        rate = self.articles / elapsed
        eta = elapsed / fraction - elapsed if fraction > 0 else 0.0
        bar = ("#" * int(fraction * 24)).ljust(24, "-")
        return (
            f"[{bar}] {fraction:4.0%}  文件 files {self.files}/{self.total_files}  "
            f"文章 articles {self.articles}  {rate:,.0f}/s  "
            f"用时 {_duration(elapsed)}  剩余 ETA {_duration(eta)}"
        )

    def _maybe_show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_shown < self.interval:
            return
        self._last_shown = now
        if self.tty:
            self.stream.write("\r" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self._maybe_show(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


class CountProgress:
    """Articles done against a known total, for runs that count articles rather than read
    files (a snapshot, a restore): called as `progress(done, total)`."""

    def __init__(self, what: str, stream: TextIO | None = None, interval: float | None = None):
        self.what = what
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self.started = time.monotonic()
        self._last_shown = self.started
        self._shown_any = False
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = time.monotonic()
        if now - self._last_shown >= self.interval:
            self._last_shown = now
            self._show()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        eta = elapsed / fraction - elapsed if fraction > 0 else 0.0
        bar = ("#" * int(fraction * 24)).ljust(24, "-")
        return (
            f"[{bar}] {fraction:4.0%}  {self.what} {self.done}/{self.total}  "
            f"{self.done / elapsed:,.0f}/s  用时 {_duration(elapsed)}  剩余 ETA {_duration(eta)}"
        )

    def _show(self) -> None:
        self._shown_any = True
        self.stream.write(("\r" if self.tty else "") + self.line() + ("" if self.tty else "\n"))
        self.stream.flush()

    def finish(self) -> None:
        """The last line, where any was shown (a short run says nothing but its summary)."""
        if self._shown_any:
            self._show()
            if self.tty:
                self.stream.write("\n")
                self.stream.flush()
