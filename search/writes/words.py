"""Teaching an index new words: the dictionary file grows, and the stored articles that hold
the words are cut again through the one writer (`route.index_writes`)."""

from __future__ import annotations

from pathlib import Path

from whoosh import query as wq

from ..analysis import query_words
from ..backends.whoosh.index import article_from_stored, open_index
from ..documents import Article
from ..normalize import fold
from ..schema import SEARCH_FIELDS
from ..userdict import FILE_NAME, Entry, load_for_index
from .route import index_writes


def _old_cut_query(words: list[str]) -> wq.Query:
    """Matches the articles whose title or text holds one of the words, as the old cut has
    them: the word's pieces as a phrase."""
    clauses = []
    for word in words:
        old_cut = query_words(word)
        for field in SEARCH_FIELDS:
            clauses.append(
                wq.Phrase(field, old_cut) if len(old_cut) > 1 else wq.Term(field, old_cut[0])
            )
    return wq.Or(clauses)


def _stored_matches(index_dir: Path, query: wq.Query, shards: str) -> list[Article]:
    if shards:
        from ..backends.xapian.query import to_xapian
        from ..backends.xapian.reader import ShardReader
        from ..backends.xapian.shards import parse_shards

        with ShardReader(parse_shards(shards)) as reader:
            return reader.matching(to_xapian(query))
    with open_index(index_dir).searcher() as searcher:
        return [
            article_from_stored(searcher.stored_fields(docnum))
            for docnum in searcher.docs_for_query(query)
        ]


def _articles_containing(index_dir: Path, words: list[str], shards: str) -> list[Article]:
    """Stored articles whose title or text holds one of the words (as the old cut found it)."""
    folded = [fold(w) for w in words]
    return [
        article
        for article in _stored_matches(index_dir, _old_cut_query(words), shards)
        if any(w in fold(article.title + "\n" + article.text) for w in folded)
    ]


def add_words(
    index_dir: Path, entries: list[Entry], lock_timeout: float = 10.0, shards: str = ""
) -> int:
    """Add words to the index's dictionary and re-analyse the articles that contain them:
    in the index at `index_dir`, or on the Xapian shards `shards` (host:port,…) whose
    frontend folder it is (their dictionary is the frontend's).

    Returns how many articles were re-analysed.
    """
    entries = [e for e in entries if query_words(e.word)]
    if not entries:
        return 0
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    load_for_index(index_dir)
    affected = _articles_containing(index_dir, [e.word for e in entries], shards)
    path = Path(index_dir) / FILE_NAME
    with path.open("a", encoding="utf-8") as out:
        out.writelines(e.line() + "\n" for e in entries)
    load_for_index(index_dir)
    # Through the one writer: a serving zhsearch's committer re-analyses them (it reloads the
    # dictionary before each commit), else this process does.
    with index_writes(index_dir, lock_timeout=lock_timeout, shards=shards) as writes:
        for article in affected:
            writes.update(article)
    return len(affected)
