"""The shards' words: for suggestions (every suggestible word and title) and for related
articles (the words that tell one article apart), read as the Whoosh index's are."""

from __future__ import annotations

import math
import threading

from search.suggest import is_key_term

from . import import_xapian
from .documents import from_document
from .query import match_all

# A term that starts with a capital is a prefixed one (documents.py: analysed terms are folded
# to lower case): S… the title's words, the rest keywords (the id, author, source, category).
PREFIXED = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Stopped(Exception):
    """The process is ending: a vocabulary being read is dropped."""


def read_vocabulary(
    database, stopping: threading.Event | None = None
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Every suggestible word of the shards with its document frequency (the larger of its
    title's and its text's, as `search.suggest.read_vocabulary` counts), and the titles.

    Raises Stopped soon after `stopping` is set.
    """
    xapian = import_xapian()
    stopping = stopping or threading.Event()
    words: dict[str, int] = {}
    for n, item in enumerate(database.allterms()):
        if n % 1000 == 0 and stopping.is_set():
            raise Stopped
        term = item.term.decode("utf-8")
        word = term[1:] if term.startswith("S") else term
        if (term.startswith("S") or not term.startswith(PREFIXED)) and is_key_term(word):
            words[word] = max(words.get(word, 0), item.termfreq)
    enquire = xapian.Enquire(database)
    enquire.set_query(match_all())
    enquire.set_docid_order(xapian.Enquire.ASCENDING)
    titles = []
    batch = 5000
    for start in range(0, database.get_doccount(), batch):
        if stopping.is_set():
            raise Stopped
        # Each document read on its own: MSet.fetch() (all at once) crashes Xapian 1.4's
        # remote backend on a large MSet (a segfault, reproduced with 5,000 documents).
        for item in enquire.get_mset(start, batch):
            article = from_document(item.document)
            if article.title:
                titles.append((article.title, article.id))
    return words, titles


def key_terms(database, docid: int) -> list[tuple[str, float]]:
    """The words that tell an article apart, most telling first, weighed as Whoosh's
    `key_terms_from_text` weighs them (Bo1: the word's count in the article against its share
    of the articles), from the article's term list (one round trip)."""
    counts: dict[str, int] = {}
    shares: dict[str, float] = {}
    articles = max(database.get_doccount(), 1)
    for item in database.termlist(docid):
        term = item.term.decode("utf-8")
        word = term[1:] if term.startswith("S") else term
        if term.startswith(PREFIXED) and not term.startswith("S"):
            continue  # a keyword: the id, the author, the source, the category
        counts[word] = counts.get(word, 0) + item.wdf
        if not term.startswith("S"):
            shares[word] = item.termfreq / articles
    weights = {
        word: n * math.log2((1 + share) / share) + math.log2(1 + share)
        for word, n in counts.items()
        if (share := shares.get(word)) and is_key_term(word)
    }
    ranked = sorted(weights.items(), key=lambda pair: (-pair[1], pair[0]))
    top = ranked[0][1] if ranked else 1.0
    return [(word, weight / top) for word, weight in ranked]
