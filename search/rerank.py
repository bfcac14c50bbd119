"""Reordering the best matches of a query by how much of it their title and text hold.

BM25 counts the words jieba cut, and a title cut differently from the query (灌醉 in the query,
喝醉 in the title; 几年可以产卵 against 一年可以产几次卵) or one that holds the query's words in
another form scores as if it lacked them. So the best `RANKING.rerank_depth` matches of a
plain-word query are ordered again by their score (as a share of the best one's) plus how many
of the query's characters and character pairs their title holds, and how many the beginning of
their text holds: readers judge a result by its headline, and a news story says what it is
about in its first paragraphs, where a long article that only mentions the words does not; a
question's words stand in the passage that answers it. Measured with `bench.quality` (tune
halves chosen on, held-out halves reported in the README): Sogou nDCG@10, CMRC and DRCD
MRR@10 and news headlines all gain.
"""

from __future__ import annotations

import re

from .analysis import LATIN_RUN
from .config import RANKING
from .normalize import fold

# A query's units: each Chinese character, and each run of Latin letters or digits (LATIN_RUN).
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaffa-z0-9]")


def title_coverage(query: str, title: str) -> tuple[float, float]:
    """The share of the query's units the title has, and the share of its pairs of adjacent
    characters (neither a space nor punctuation) found in the title (both folded)."""
    return _coverage(_units_and_pairs(query), fold(title))


def reranked(
    query: str,
    scores: list[float],
    titles: list[str],
    tiers: list[bool] | None = None,
    texts: list[str] | None = None,
) -> list[int]:
    """The positions of the matches in their new order (ties keep the old one); `tiers`
    marks the matches with all the query words, which stay ahead of the others; `texts` are
    the beginnings of the matches' texts (none: titles only)."""
    best = max(scores, default=0.0) or 1.0
    tiers = tiers or [False] * len(scores)
    texts = texts or [""] * len(scores)
    parts = _units_and_pairs(query)  # once, for every match

    def key(position: int) -> tuple[bool, float, int]:
        # The title and the text's beginning together: a question's words stand in the
        # passage, a headline's in the story's first lines, a page title's in the title.
        single, paired = _coverage(parts, fold(titles[position] + "\n" + texts[position]))
        value = (
            scores[position] / best
            + RANKING.rerank_unit_weight * single
            + RANKING.rerank_pair_weight * paired
        )
        return not tiers[position], -value, position

    return sorted(range(len(scores)), key=key)


def _units_and_pairs(query: str) -> tuple[list[str], list[str], list[str]]:
    """A query's Chinese characters, its runs of letters or digits, and its character pairs."""
    folded = fold(query)
    pairs = [
        folded[i : i + 2]
        for i in range(len(folded) - 1)
        if _CHAR.match(folded[i]) and _CHAR.match(folded[i + 1])
    ]
    return _HAN.findall(folded), LATIN_RUN.findall(folded), pairs


def _coverage(parts: tuple[list[str], list[str], list[str]], title: str) -> tuple[float, float]:
    """`title_coverage` of a query's units and pairs in a folded title (or text)."""
    han, latin, pairs = parts
    if not han and not latin:
        return 0.0, 0.0
    # A Chinese character is looked for as it is; a run of letters or digits must be a whole
    # run of the text (5 is not in 2015), so the text's runs are listed when the query has one.
    runs = set(LATIN_RUN.findall(title)) if latin else set()
    single = sum(unit in title for unit in han) + sum(unit in runs for unit in latin)
    paired = sum(pair in title for pair in pairs) / len(pairs) if pairs else 0.0
    return single / (len(han) + len(latin)), paired
