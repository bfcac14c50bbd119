"""Teaching an index new words: the dictionary file grows, and the stored articles that hold
the words are cut again through the one writer (`route.index_writes`)."""

from __future__ import annotations

from pathlib import Path

from whoosh import query as wq

from ..analysis import query_words
from ..documents import Article
from ..index import article_from_stored, open_index
from ..normalize import fold
from ..schema import SEARCH_FIELDS
from ..userdict import FILE_NAME, Entry, load_for_index
from .route import index_writes


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


def add_words(index_dir: Path, entries: list[Entry], lock_timeout: float = 10.0) -> int:
    """Add words to the index's dictionary and re-analyse the articles that contain them.

    Returns how many articles were re-analysed.
    """
    entries = [e for e in entries if query_words(e.word)]
    if not entries:
        return 0
    load_for_index(index_dir)
    with open_index(index_dir).searcher() as searcher:
        affected = _articles_containing(searcher, [e.word for e in entries])
    path = Path(index_dir) / FILE_NAME
    with path.open("a", encoding="utf-8") as out:
        out.writelines(e.line() + "\n" for e in entries)
    load_for_index(index_dir)
    # Through the one writer: a serving zhsearch's committer re-analyses them (it reloads the
    # dictionary before each commit), else this process does.
    with index_writes(index_dir, lock_timeout=lock_timeout) as writes:
        for article in affected:
            writes.update(article)
    return len(affected)
