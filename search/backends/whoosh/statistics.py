"""The collection statistics BM25 weighs terms by, counted over live articles only.

Whoosh counts an article it has deleted (or replaced) in its document count, a term's document
frequency and a field's average length until a merge removes it, so an archive indexed in many
runs and then updated ranks differently from the same articles indexed in one run — and an
article corrected ten times counts ten times in the frequency of each of its words, which then
weigh less. Here every figure is of the articles a search can find: the same articles give the
same scores, however they were written.

Lengths are the ones BM25 reads for each article (Whoosh keeps them to a byte), so the average
is the same sum of the same numbers whichever segments hold them.
"""

from __future__ import annotations

import math

import numpy as np

from .vectorized import field_lengths, live_mask, postings, term_bytes


class LiveStatistics:
    """Document count, idf and average field lengths of one searcher's live articles."""

    def __init__(self, searcher):
        self.doc_count = searcher.doc_count()
        leaves = searcher.reader().leaf_readers()
        self._leaves = [(reader, live_mask(reader)) for reader, _ in leaves]
        self._schema = searcher.schema
        self._idf: dict[tuple[str, bytes], float] = {}
        self._average: dict[str, float] = {}

    def word_frequency(self, fieldname: str, word: str) -> int:
        """How many live articles hold a word in the field (0 for a field the schema lacks)."""
        text = term_bytes(self._schema, fieldname, word)
        return 0 if text is None else self.doc_frequency(fieldname, text)

    def doc_frequency(self, fieldname: str, text: bytes) -> int:
        """How many live articles hold the term."""
        count = 0
        for reader, live in self._leaves:
            docs, _ = postings(reader, fieldname, text)
            count += len(docs) if live is None else int(np.count_nonzero(live[docs]))
        return count

    def idf(self, fieldname: str, text: bytes) -> float:
        """Whoosh's BM25 idf, of live articles."""
        key = (fieldname, text)
        if key not in self._idf:
            frequency = self.doc_frequency(fieldname, text)
            self._idf[key] = math.log(max(self.doc_count, 1) / (frequency + 1)) + 1
        return self._idf[key]

    def avg_field_length(self, fieldname: str) -> float:
        if fieldname not in self._average:
            total = 0.0
            for reader, live in self._leaves:
                lengths = field_lengths(reader, fieldname)
                total += float(lengths.sum() if live is None else lengths[live].sum())
            self._average[fieldname] = total / self.doc_count if self.doc_count else 0.0
        return self._average[fieldname]


def live_statistics(searcher) -> LiveStatistics:
    """The searcher's statistics, made once per searcher (it sees one state of the index)."""
    statistics = getattr(searcher, "_zhsearch_live_statistics", None)
    if statistics is None:
        statistics = LiveStatistics(searcher)
        searcher._zhsearch_live_statistics = statistics
    return statistics
