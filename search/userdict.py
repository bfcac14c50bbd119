"""The user dictionary: words an index's owner taught the segmenter, kept with the index.

The words live in `userdict.txt` inside the index folder (jieba's format: `word [freq] [tag]`
a line), so every process that opens the index cuts text and queries the same way. Adding
words re-analyses only the stored articles that contain them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from whoosh import query as wq

from .analysis import query_words
from .documents import Article
from .index import IndexWriterSession, article_from_stored, open_index
from .normalize import fold
from .schema import SEARCH_FIELDS
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


def _articles_containing(searcher, words: list[str]) -> list[Article]:
    """Stored articles whose title or text holds one of the words (as the old cut found it)."""
    clauses = []
    for word in words:
        old_cut = query_words(word)
        for field in SEARCH_FIELDS:
            clauses.append(
                wq.Phrase(field, old_cut) if len(old_cut) > 1 else wq.Term(field, old_cut[0])
            )
    folded = [fold(w) for w in words]
    found = []
    for docnum in searcher.docs_for_query(wq.Or(clauses)):
        stored = searcher.stored_fields(docnum)
        body = fold(stored.get("title", "") + "\n" + stored.get("text", ""))
        if any(w in body for w in folded):
            found.append(article_from_stored(stored))
    return found


def add_words(index_dir: Path, entries: list[Entry]) -> int:
    """Add words to the index's dictionary and re-analyse the articles that contain them.

    Returns how many articles were re-analysed.
    """
    entries = [e for e in entries if query_words(e.word)]
    if not entries:
        return 0
    load_for_index(index_dir)
    index = open_index(index_dir)
    with index.searcher() as searcher:
        affected = _articles_containing(searcher, [e.word for e in entries])
    path = Path(index_dir) / FILE_NAME
    with path.open("a", encoding="utf-8") as out:
        out.writelines(e.line() + "\n" for e in entries)
    load_for_index(index_dir)
    with IndexWriterSession(index) as session:
        for article in affected:
            session.update(article)
    return len(affected)
