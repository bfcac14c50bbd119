"""Reading a query the way a reader meant it, where the strict query language would refuse it.

`search.query.parse` defines the language and refuses what does not fit it. Readers type and
paste things that do not: an unbalanced quote (`"人工智能`), a `(` closed by a full-width `）`
(as four CMRC questions are), a query of only an exclusion (`-足球`), a paragraph of 80 words.
`read_query` answers all of them: a query whose operators cannot be read is searched as its
plain words, and one over the word (or character) limit is cut to the limit, each with a note
saying so. It refuses only what has nothing to search for at all (an empty query, punctuation
alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .config import LIMITS
from .query import Node, Not, Phrase, QueryError, Words, all_words, has_positive_part, parse
from .resegment import MIN_NUMBER_PREFIX, Vocabulary

# What makes a query's operators: quotes, parentheses (either width), the operator words.
_OPERATOR_CHARS = re.compile(r'["()（）]')
_OPERATOR_WORDS = {"AND", "OR", "NOT", "&&", "||"}


@dataclass(frozen=True)
class QueryNote:
    """How a query was read other than as typed; `kind` is "plain_words", "cut" or
    "number_prefix"."""

    kind: str
    message: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class ReadQuery:
    node: Node
    notes: tuple[QueryNote, ...] = ()


def read_query(text: str, vocabulary: Vocabulary | None = None) -> ReadQuery:
    """The query tree of what a reader typed, and notes on what was read otherwise; raises
    QueryError only for a query with nothing to search for."""
    notes = []
    limit = LIMITS.max_query_chars
    if len(text) > limit:
        text = text[:limit]
        notes.append(
            QueryNote(
                "cut",
                f"查询过长，只按前 {limit} 个字符搜索 (searched its first {limit} characters)",
            )
        )
    try:
        node = parse(text, vocabulary, max_words=None)
    except QueryError as exc:
        plain = as_plain_words(text)
        if not plain.strip() or plain == text:
            raise  # no operator to drop (the trouble is another), or no word without them
        node = parse(plain, vocabulary, max_words=None)
        notes.append(QueryNote("plain_words", f"{exc}：已按普通词语搜索 (searched as plain words)"))
    notes += _numbers_searched_by_prefix(text, all_words(node))
    limit = LIMITS.max_query_words
    if len(all_words(node)) > limit:
        node, _ = _cut(node, limit)
        if node is None or not has_positive_part(node):
            raise QueryError(
                f"查询的前 {limit} 个词语都被排除了 (the first {limit} words are all excluded)"
            )
        notes.append(
            QueryNote(
                "cut", f"查询词语过多，只按前 {limit} 个搜索 (searched its first {limit} words)"
            )
        )
    return ReadQuery(node, tuple(notes))


# the numbers `search.resegment` may search by their leading digits
_LONG_NUMBER = re.compile(rf"(?<![0-9])[0-9]{{{MIN_NUMBER_PREFIX + 1},}}(?![0-9])")


def _numbers_searched_by_prefix(text: str, words: list[str]) -> list[QueryNote]:
    """A note for each long number no article holds that was searched by its leading digits
    (`search.resegment`): 13969080920 as 1396908."""
    searched = set(words)
    notes = []
    for number in dict.fromkeys(_LONG_NUMBER.findall(text)):
        prefix = next((w for w in searched if w != number and number.startswith(w)), None)
        if number not in searched and prefix and prefix.isdigit():
            notes.append(
                QueryNote(
                    "number_prefix",
                    f"没有文章包含 {number}，已按其开头的 {prefix} 搜索"
                    f" (no article holds {number}: searched its leading digits {prefix})",
                )
            )
    return notes


def as_plain_words(text: str) -> str:
    """The text without its operators: quotes, parentheses, AND / OR / NOT, a leading `-`."""
    chunks = _OPERATOR_CHARS.sub(" ", text).split()
    return " ".join(
        chunk.lstrip("-") for chunk in chunks if chunk not in _OPERATOR_WORDS and chunk.strip("-")
    )


def _cut(node: Node, budget: int) -> tuple[Node | None, int]:
    """The tree with only its first `budget` words (in the order typed), and what is left."""
    if isinstance(node, Words | Phrase):
        kept = node.words[:budget]
        return (replace(node, words=kept) if kept else None), budget - len(kept)
    if isinstance(node, Not):
        child, budget = _cut(node.child, budget)
        return (Not(child) if child is not None else None), budget
    children = []
    for child in node.children:
        if budget <= 0:
            break
        kept, budget = _cut(child, budget)
        if kept is not None:
            children.append(kept)
    if not children:
        return None, budget
    if len(children) == 1:
        return children[0], budget
    return replace(node, children=tuple(children)), budget
