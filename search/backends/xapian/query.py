"""A compiled query (`search.query`'s, in Whoosh's query algebra) as a `xapian.Query`.

Both backends search what `search.query` compiles — the same words, sub-words, synonyms,
phrases, proximity pairs and "all words first" tier — so a query means the same on each; only
the arithmetic of the scores is each engine's own. Whoosh's query classes serve as that
compiled form because the embedded backend runs them as they are; this module reads them and
builds nothing of its own.
"""

from __future__ import annotations

from whoosh import query as wq

from search.schema import KEYWORD_FIELDS

from . import import_xapian
from .documents import TEXT_PREFIXES, keyword_term


class Untranslatable(ValueError):
    """A compiled query of a kind this module does not know (a new one in search.query)."""


def term_name(field: str, word: str) -> str:
    """The Xapian term of a word in a field, as `documents.to_document` writes it."""
    if field in KEYWORD_FIELDS:
        return keyword_term(field, word)
    return TEXT_PREFIXES[field] + word


def match_all():
    """A new query that matches every document. Not `Query.MatchAll`: that is one object for
    the whole process, and Xapian counts references to a query without a lock, so two threads
    searching with it at once corrupt the count (a crash, seen under load)."""
    return import_xapian().Query("")


def to_xapian(query: wq.Query):
    """The `xapian.Query` that matches what `query` matches, weighted alike."""
    xapian = import_xapian()
    Q = xapian.Query

    def scaled(built, boost: float):
        return built if boost == 1.0 else Q(Q.OP_SCALE_WEIGHT, built, boost)

    def build(q: wq.Query):
        if isinstance(q, wq.Term):
            return scaled(Q(term_name(q.fieldname, q.text)), q.boost)
        if isinstance(q, wq.Phrase):
            terms = [term_name(q.fieldname, w) for w in q.words]
            # Whoosh's slop is the largest step between neighbouring words (1: side by side);
            # Xapian's window is the span all of them must lie in.
            window = len(terms) + (len(terms) - 1) * (q.slop - 1)
            return scaled(Q(Q.OP_PHRASE, terms, window), q.boost)
        if isinstance(q, wq.ConstantScoreQuery):
            # Every match weighs `score`, whatever its words (the "all words first" tier).
            fixed = Q(xapian.FixedWeightPostingSource(q.score))
            return Q(Q.OP_FILTER, fixed, build(q.child))
        if isinstance(q, wq.AndNot):
            return Q(Q.OP_AND_NOT, build(q.a), build(q.b))
        if isinstance(q, wq.Not):
            return Q(Q.OP_AND_NOT, match_all(), build(q.query))
        if isinstance(q, wq.Every):
            return match_all()
        if isinstance(q, wq.And | wq.Or):
            op = Q.OP_AND if isinstance(q, wq.And) else Q.OP_OR
            return scaled(Q(op, [build(sub) for sub in q.subqueries]), q.boost)
        if q is wq.NullQuery:
            return Q()  # matches nothing
        raise Untranslatable(f"no Xapian form for {type(q).__name__}")

    return build(query)
