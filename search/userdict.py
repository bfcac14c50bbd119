"""The user dictionary: words an index's owner taught the segmenter, kept with the index.

The words live in `userdict.txt` inside the index folder (jieba's format: `word [freq] [tag]`
a line), so every process that opens the index cuts text and queries the same way. Adding
words and re-analysing the articles that contain them is `search.writes.words`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .segment import get_segmenter

FILE_NAME = "userdict.txt"


@dataclass(frozen=True)
class Entry:
    word: str
    freq: int | None = None
    tag: str | None = None

    def line(self) -> str:
        return " ".join(str(p) for p in (self.word, self.freq, self.tag) if p is not None)


class DictionaryError(ValueError):
    """A user-dictionary line or word that cannot be used."""


def parse_line(line: str) -> Entry | None:
    """One line of jieba's user-dictionary format, or None for a blank or comment line."""
    parts = line.split()
    if not parts or parts[0].startswith("#"):
        return None
    word, rest = parts[0], parts[1:]
    freq = None
    if rest and rest[0].isdigit():
        freq = int(rest.pop(0))
    if len(rest) > 1:
        raise DictionaryError(f"无法识别的词典行 (cannot read dictionary line): {line.strip()}")
    return Entry(word, freq, rest[0] if rest else None)


def read_entries(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [e for e in map(parse_line, lines) if e is not None]


def teach(entries: list[Entry]) -> None:
    """Add the words to this process's segmenter."""
    from . import query

    get_segmenter().add_words((e.word, e.freq, e.tag) for e in entries)
    query.clear_caches()


_loaded: dict[Path, float] = {}  # cache: user dictionary file → mtime taught to the segmenter


def load_for_index(index_dir: Path) -> None:
    """Teach the segmenter the index's user dictionary, if it changed since last time."""
    path = Path(index_dir) / FILE_NAME
    if not path.exists():
        return
    mtime = path.stat().st_mtime
    if _loaded.get(path.resolve()) != mtime:
        teach(read_entries(path))
        _loaded[path.resolve()] = mtime
