"""The suggestion lexicon on disk beside the index: built once per commit, read by every process.

Building it means reading every term of the index and spelling 60,000 words in pinyin: seconds
of CPU and some hundred MB of short-lived Python objects at tens of thousands of articles. It
runs in a process of its own (`python -m search.backends.whoosh.lexicon_file INDEX`), one at a
time (a lock file), and the file is replaced whole, so readers see the old lexicon or the new
one.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from search.suggest import Lexicon, read_vocabulary

from .index import fresh_reader, open_index
from .segment_cache import segment_key

LEXICON_FILE = "suggest.sqlite"
_LOCK_FILE = "suggest.lock"


def index_version(reader) -> str:
    """Which commit of which index a reader reads: its generation and its segments' random ids
    (an index made again in the same folder counts its generations from 1 again)."""
    segments = sorted(segment_key(leaf) or "" for leaf, _ in reader.leaf_readers())
    return f"{reader.generation()}:{','.join(segments)}"


def lexicon_path(index_dir: Path) -> Path:
    return Path(index_dir) / LEXICON_FILE


def open_lexicon(index_dir: Path) -> Lexicon | None:
    """The lexicon last written beside the index (of whichever commit), or None."""
    return Lexicon.open(lexicon_path(index_dir))


def build_lexicon_file(index_dir: Path) -> None:
    """Write the lexicon of the index's latest commit beside it, unless it is there already."""
    index_dir = Path(index_dir)
    path = lexicon_path(index_dir)
    with open(index_dir / _LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second builder waits, then finds the file fresh
        with fresh_reader(open_index(index_dir)) as reader:  # its files held open
            version = index_version(reader)
            current = Lexicon.open(path)
            if current is not None:
                current.close()
                if current.version == version:
                    return
            words, titles = read_vocabulary(reader)
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        Lexicon.build(words, titles, partial, version).close()
        os.replace(partial, path)


def build_in_subprocess(index_dir: Path, timeout: float = 600) -> str | None:
    """Build the lexicon file in a process of its own; None, or what went wrong.

    A first lexicon is built at normal priority (suggestions wait for it); a newer one, while
    the old one answers, at a lower one, out of the way of searches and commits.
    """
    renewal = ["--renewal"] if lexicon_path(index_dir).exists() else []
    try:
        done = subprocess.run(
            [sys.executable, "-m", "search.backends.whoosh.lexicon_file", str(index_dir), *renewal],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if done.returncode:
        lines = done.stderr.strip().splitlines()
        return lines[-1] if lines else f"exit status {done.returncode}"
    return None


if __name__ == "__main__":
    if "--renewal" in sys.argv:
        os.nice(10)
    build_lexicon_file(Path(sys.argv[1]))
