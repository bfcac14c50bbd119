"""Batch runs in the TREC format that trec_eval, pytrec_eval and ir_measures read.

Those tools order a query's documents by the score column, not by the rank column, so the
scores written must decrease strictly down the ranking users see. zhsearch's own scores do
not always: articles with all the query words are ranked first, whatever their score
(`search.query.ranking_query`), and the page shows each article's own score. So each score is
written as it is where it is below the one above it, and otherwise as just below that one:
the order is the page's, and most scores are the page's too.
"""

from __future__ import annotations

from .documents import Ranking

PLACES = 6  # decimal places written: the step between two nudged scores is one in the last


def run_scores(scores: list[float]) -> list[str]:
    """The scores as written: strictly decreasing, each at most its own score."""
    written: list[int] = []
    for score in scores:
        units = round(score * 10**PLACES)
        written.append(min(units, written[-1] - 1) if written else units)
    return [f"{units / 10**PLACES:.{PLACES}f}" for units in written]


def trec_lines(qid: str, ranking: Ranking, tag: str = "zhsearch") -> list[str]:
    """The run's lines of one query: `qid Q0 docid rank score tag`."""
    scores = run_scores(ranking.scores)
    return [
        f"{qid} Q0 {doc_id} {rank} {score} {tag}\n"
        for rank, (doc_id, score) in enumerate(zip(ranking.ids, scores, strict=True), start=1)
    ]
