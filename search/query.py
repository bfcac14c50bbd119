"""The query language: plain words, "quoted phrases", AND / OR / NOT, -word, (groups), field:word.

`parse` turns the user's string into a small tree (or a `QueryError` a user can read);
`to_whoosh` turns the tree into a Whoosh query. Plain words side by side form a *soft*
conjunction: in strict form every word is required, in loose form any word will do, so the
ranker can put articles with all the words first without a long question coming back empty.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from whoosh import query as wq

from .analysis import BIGRAM_MARK, INDEX, analyze, bigrams, is_unknown_name, query_words
from .config import LIMITS, RANKING
from .normalize import fold
from .resegment import Vocabulary, resegment
from .schema import KEYWORD_FIELDS, QUERY_FIELDS, SEARCH_FIELDS
from .stopwords import QUESTION_WORDS, content_words


class QueryError(ValueError):
    """A query the user must fix; the message says what is wrong, in Chinese and English."""


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True)
class Words:
    """Plain words, side by side; `words` are the terms they are searched as."""

    text: str
    field: str | None = None
    words: tuple[str, ...] = ()
    asks: bool = False  # the text has a question word (什么, 哪里, 谁 …): a question
    # Character pairs of the text that the index holds as pairs of a name it did not know
    # (拉露 in 拉露出生在…, which jieba cut 拉|露出|生): see RankingConfig.name_pair_weight.
    name_pairs: tuple[str, ...] = ()
    # What a word also finds (search.synonyms): (word, ((synonym, its terms), …)), …
    synonyms: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class And:
    children: tuple
    soft: bool = False  # plain juxtaposition rather than an explicit AND


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


Node = Words | Phrase | And | Or | Not

# ---------------------------------------------------------------- tokens

# Only the ASCII quote marks a phrase: Chinese quotation marks (“…”「…」) are ordinary
# punctuation in pasted text and questions, and would otherwise demand exact phrases.
_QUOTES = {'"': '"'}
_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "&&": "AND", "||": "OR"}
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FIELD_PREFIX = re.compile(r"([A-Za-z]+|标题|正文|作者|来源|分类)[:：]")
_CHUNK_END = re.compile(r'[\s()"]')


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD, PHRASE, LPAREN, RPAREN, AND, OR, NOT, MINUS
    text: str = ""
    field: str | None = None


def _read_phrase(text: str, i: int) -> tuple[str, int]:
    """The phrase opening at text[i], and the index after its closing quote."""
    end = text.find(_QUOTES[text[i]], i + 1)
    if end < 0:
        raise QueryError("查询语法错误：引号不成对 (unbalanced quote)")
    return text[i + 1 : end], end + 1


def _tokens(text: str) -> Iterator[_Tok]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            yield _Tok("LPAREN" if ch == "(" else "RPAREN")
            i += 1
            continue
        if ch in _QUOTES:
            phrase, i = _read_phrase(text, i)
            yield _Tok("PHRASE", phrase)
            continue
        if ch == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            yield _Tok("MINUS")
            i += 1
            continue
        field = None
        prefix = _FIELD_PREFIX.match(text, i)
        if prefix and prefix.group(1).lower() in QUERY_FIELDS:
            field = QUERY_FIELDS[prefix.group(1).lower()]
            i = prefix.end()
            if i < n and text[i] in _QUOTES:
                phrase, i = _read_phrase(text, i)
                yield _Tok("PHRASE", phrase, field)
                continue
        end = _CHUNK_END.search(text, i)
        stop = end.start() if end else n
        chunk = text[i:stop]
        i = stop
        if not chunk:
            continue
        if field is None and chunk in _OPERATORS:
            yield _Tok(_OPERATORS[chunk])
        else:
            yield _Tok("WORD", chunk, field)


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[_Tok]):
        self.tokens = tokens
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        node = self.or_expr()
        if self.peek() is not None:
            raise QueryError("查询语法错误：多余的右括号 (unbalanced parenthesis)")
        return node

    def or_expr(self) -> Node | None:
        children = [self.and_expr()]
        while (tok := self.peek()) and tok.kind == "OR":
            self.take()
            children.append(self.and_expr())
        children = [c for c in children if c is not None]
        if not children:
            return None
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node | None:
        # Explicit ANDs bind groups of juxtaposed words: `a b AND c` is (a b) AND c.
        groups: list[list[Node]] = [[]]
        while (tok := self.peek()) and tok.kind not in ("OR", "RPAREN"):
            if tok.kind == "AND":
                self.take()
                groups.append([])
                continue
            node = self.unary()
            if node is not None:
                groups[-1].append(node)
        groups = [_merge_plain_words(g) for g in groups]
        parts = [g[0] if len(g) == 1 else And(tuple(g), soft=True) for g in groups if g]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node | None:
        tok = self.take()
        if tok.kind in ("NOT", "MINUS"):
            if self.peek() is None or self.peek().kind in ("OR", "AND", "RPAREN"):
                raise QueryError("查询语法错误：NOT 后面缺少词语 (NOT needs a word after it)")
            child = self.unary()
            return Not(child) if child is not None else None
        if tok.kind == "LPAREN":
            node = self.or_expr()
            if (close := self.peek()) is None or close.kind != "RPAREN":
                raise QueryError("查询语法错误：括号不成对 (unbalanced parenthesis)")
            self.take()
            return node
        if tok.kind == "RPAREN":
            raise QueryError("查询语法错误：多余的右括号 (unbalanced parenthesis)")
        if tok.kind == "PHRASE":
            return Phrase(tok.text, tok.field) if tok.text.strip() else None
        return Words(tok.text, tok.field)


def _merge_plain_words(nodes: list[Node]) -> list[Node]:
    """Join side-by-side plain words into one group, so stopwords are judged across them."""
    merged: list[Node] = []
    for node in nodes:
        if (
            isinstance(node, Words)
            and node.field is None
            and merged
            and isinstance(merged[-1], Words)
            and merged[-1].field is None
        ):
            merged[-1] = Words(f"{merged[-1].text} {node.text}")
        else:
            merged.append(node)
    return merged


def _resolve(node: Node, vocabulary: Vocabulary | None) -> Node:
    """The tree with every word group and phrase analysed into the terms it searches for."""
    if isinstance(node, Words | Phrase):
        if node.field in KEYWORD_FIELDS:
            return replace(node, words=(node.text.strip(),) if node.text.strip() else ())
        if isinstance(node, Phrase):
            return replace(node, words=tuple(query_words(node.text)))
        said = query_words(node.text)
        return replace(
            node,
            words=tuple(content_words(resegment(said, vocabulary))),
            asks=any(w in QUESTION_WORDS for w in said),
            name_pairs=_name_pairs(node.text, vocabulary),
        )
    if isinstance(node, Not):
        return Not(_resolve(node.child, vocabulary))
    return replace(node, children=tuple(_resolve(c, vocabulary) for c in node.children))


_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")


def _name_pairs(text: str, vocabulary: Vocabulary | None) -> tuple[str, ...]:
    """The marked character pairs of the text's Chinese runs that the index holds."""
    if vocabulary is None or not RANKING.name_pair_weight:
        return ()
    folded = fold(text)
    pairs = (pair for run in _HAN_RUN.findall(folded) for pair in bigrams(run))
    # Each pair is looked up in the index: as many as a question of the most words has.
    candidates = itertools.islice(dict.fromkeys(pairs), 2 * LIMITS.max_query_words)
    return tuple(pair for pair in candidates if vocabulary(pair))


def parse(
    text: str, vocabulary: Vocabulary | None = None, max_words: int | None = LIMITS.max_query_words
) -> Node:
    """The syntax tree of a user's query; raises QueryError for what cannot be searched
    (`max_words` None: any number of words; `search.lenient` cuts them).

    With a `vocabulary` (the index's own words), query words the index has never seen are
    re-cut into words it has (雷沛鸿是 → 雷沛鸿 是), mending jieba's guesses at unknown names.
    """
    if len(text) > LIMITS.max_query_chars:
        raise QueryError(
            f"查询过长：最多 {LIMITS.max_query_chars} 个字符 "
            f"(query too long: at most {LIMITS.max_query_chars} characters)"
        )
    text = _CONTROL_CHARS.sub(" ", text).strip()
    if not text:
        raise QueryError("请输入搜索词 (the query is empty)")
    node = _Parser(list(_tokens(text))).parse()
    node = _resolve(node, vocabulary) if node is not None else None
    if node is None or not has_positive_part(node):
        raise QueryError("查询中没有可以搜索的词语 (the query has no searchable words)")
    if max_words is not None and len(all_words(node)) > max_words:
        raise QueryError(
            f"查询的词语太多：最多 {max_words} 个 "
            f"(too many words in the query: at most {max_words})"
        )
    return node


def all_words(node: Node) -> list[str]:
    if isinstance(node, Words | Phrase):
        return list(node.words)
    if isinstance(node, Not):
        return all_words(node.child)
    return [w for c in node.children for w in all_words(c)]


# ---------------------------------------------------------------- to Whoosh


def _fields(node: Words | Phrase) -> tuple[str, ...]:
    return (node.field,) if node.field else SEARCH_FIELDS


def _any_field(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


@functools.lru_cache(maxsize=4096)
def _subwords(word: str) -> tuple[str, ...]:
    """The search-mode pieces of a word (足球联赛 → 足球, 联赛), as the index holds them."""
    return tuple(
        t.text for t in analyze(word, INDEX) if t.subword and not t.text.startswith(BIGRAM_MARK)
    )


@functools.lru_cache(maxsize=4096)
def searched_as(text: str) -> tuple[str, ...]:
    """The terms a plain text is searched as (the analyser's query-mode words), cached: a
    synonym is looked up this way at every search that uses it."""
    return tuple(query_words(text))


def clear_caches() -> None:
    """Forget what depended on the segmentation dictionary (after it gained words)."""
    _subwords.cache_clear()
    searched_as.cache_clear()
    is_unknown_name.cache_clear()


def field_boosts(node: Node) -> dict[str, float]:
    """Field weights for this query: a title match counts most for a few keywords, and less
    for a whole question, whose common words match many unrelated headlines."""
    short = len(positive_terms(node)) <= RANKING.short_query_words
    return {
        **RANKING.field_boosts,
        "title": RANKING.title_boost_short if short else RANKING.title_boost_long,
    }


@dataclass(frozen=True)
class _Compiler:
    boosts: dict
    strict: bool
    subwords: bool = True  # whether a word's sub-words stand in for it

    def term(self, field: str, word: str, weight: float = 1.0) -> wq.Query:
        return wq.Term(field, word, boost=self.boosts.get(field, 1.0) * weight)

    def word(self, node: Words | Phrase, word: str) -> wq.Query:
        """The word in any searched field; unquoted, its sub-words count too, for less."""
        queries = [self.term(f, word) for f in _fields(node)]
        if isinstance(node, Words) and node.field not in KEYWORD_FIELDS:
            queries += [
                self.term(f, sub, RANKING.subword_weight)
                for sub in (_subwords(word) if self.subwords else ())
                for f in _fields(node)
            ]
            if RANKING.bigram_weight and is_unknown_name(word):
                queries += [
                    wq.And([self.term(f, g, RANKING.bigram_weight) for g in bigrams(word)])
                    for f in _fields(node)
                ]
            queries += self.synonyms(node, word)
        return _any_field(queries)

    def synonyms(self, node: Words, word: str) -> list[wq.Query]:
        """The word's synonyms, each for a little less: a word where the segmenter made it one
        (never inside another word), several words in a row."""
        weight = RANKING.synonym_weight
        queries: list[wq.Query] = []
        for _, terms in dict(node.synonyms).get(word, ()):
            for f in _fields(node):
                boost = self.boosts.get(f, 1.0) * weight
                if len(terms) == 1:
                    queries.append(wq.Term(f, terms[0], boost=boost))
                else:
                    queries.append(wq.Phrase(f, list(terms), boost=boost))
        return queries

    def combine(self, parts: list[wq.Query], strict: bool) -> wq.Query:
        """All parts (strict) or any, more being better (loose), minus negated parts."""
        positive = [p for p in parts if not isinstance(p, wq.Not)]
        negative = [p.query for p in parts if isinstance(p, wq.Not)]
        if not positive:
            combined: wq.Query = wq.Every()
        elif len(positive) == 1:
            combined = positive[0]
        elif strict:
            combined = wq.And(positive)
        else:
            combined = wq.Or(positive, scale=RANKING.coord_scale)
        if negative:
            combined = wq.AndNot(combined, _any_field(negative))
        return combined

    def compile(self, node: Node) -> wq.Query | None:
        if isinstance(node, Words):
            parts = [self.word(node, w) for w in node.words]
            if not parts:
                return None
            return self.combine(parts, self.strict) if len(parts) > 1 else parts[0]
        if isinstance(node, Phrase):
            if len(node.words) <= 1 or node.field in KEYWORD_FIELDS:
                return self.word(node, node.words[0]) if node.words else None
            return _any_field(
                [
                    wq.Phrase(f, list(node.words), boost=self.boosts.get(f, 1.0))
                    for f in _fields(node)
                ]
            )
        if isinstance(node, Not):
            inner = replace(self, strict=True).compile(node.child)
            return wq.Not(inner) if inner is not None else None
        children = [q for c in node.children if (q := self.compile(c)) is not None]
        if not children:
            return None
        if isinstance(node, Or):
            kept = [c for c in children if not isinstance(c, wq.Not)]
            return _any_field(kept) if kept else None
        return self.combine(children, strict=self.strict or not node.soft)


def to_whoosh(node: Node, strict: bool = True, subwords: bool = True) -> wq.Query | None:
    """The Whoosh query for `node`; `strict=False` loosens plain-word conjunctions to OR,
    `subwords=False` asks for the words themselves, not their pieces (北京大学, not 大学)."""
    return _Compiler(field_boosts(node), strict, subwords).compile(node)


ALL_WORDS = 1e6  # the score bonus of an article that has every word of a short query


def _adjacent_pairs(node: Node) -> list[tuple[str, str]]:
    """Neighbouring words of each plain word group (not negated)."""
    if isinstance(node, Words):
        return list(zip(node.words, node.words[1:], strict=False))
    if isinstance(node, And | Or):
        return [pair for c in node.children for pair in _adjacent_pairs(c)]
    return []


def ranking_query(node: Node, common: Callable[[str], bool] | None = None) -> wq.Query:
    """The query that orders results by relevance, in one pass over the candidates.

    Plain words are loosened to OR with a coordination bonus, so a question still finds
    articles that lack one of its words. For a short query, articles with every word get a
    constant bonus larger than any score, which ranks them first. Query words that stand
    next to each other in the article (at most one word apart) add a proximity score, unless
    both are `common` (in a large share of the articles): their positions would be read in
    most articles for little gain.
    """
    strict = to_whoosh(node, strict=True)
    if not has_soft_conjunction(node):
        return strict
    boosts = field_boosts(node)
    parts = [to_whoosh(node, strict=False)]
    most = RANKING.question_all_words_max if _asks(node) else RANKING.all_words_first_max
    if len(positive_terms(node)) <= most:
        whole_words = to_whoosh(node, strict=True, subwords=False)
        parts.append(wq.ConstantScoreQuery(whole_words, ALL_WORDS))
    pairs = [
        wq.Phrase("text", list(pair), slop=RANKING.proximity_slop, boost=RANKING.proximity_weight)
        for pair in list(dict.fromkeys(_adjacent_pairs(node)))[: RANKING.max_proximity_pairs]
        if common is None or not (common(pair[0]) and common(pair[1]))
    ]
    if pairs and RANKING.proximity_weight:
        parts.append(_any_field(pairs))
    name_pairs = [
        wq.Term(field, pair, boost=RANKING.name_pair_weight * boosts.get(field, 1.0))
        for pair in _name_pairs_of(node)
        for field in SEARCH_FIELDS
    ]
    if name_pairs:
        parts.append(_any_field(name_pairs))
    return wq.Or(parts)


def _name_pairs_of(node: Node) -> list[str]:
    if isinstance(node, Words):
        return list(node.name_pairs) if node.field is None else []
    if isinstance(node, Phrase | Not):
        return []
    return list(dict.fromkeys(p for child in node.children for p in _name_pairs_of(child)))


def _asks(node: Node) -> bool:
    """Whether the query is a question (a plain-word part of it has a question word)."""
    if isinstance(node, Words):
        return node.asks
    if isinstance(node, Phrase):
        return False
    if isinstance(node, Not):
        return False
    return any(_asks(child) for child in node.children)


def has_soft_conjunction(node: Node) -> bool:
    """Whether loosening the query could find more than its strict form."""
    if isinstance(node, Words):
        return len(list(node.words)) > 1
    if isinstance(node, And) and node.soft:
        return True
    if isinstance(node, And | Or):
        return any(has_soft_conjunction(c) for c in node.children)
    return False


def has_positive_part(node: Node) -> bool:
    if isinstance(node, Words | Phrase):
        return bool(list(node.words))
    if isinstance(node, Not):
        return False
    return any(has_positive_part(c) for c in node.children)


def positive_terms(node: Node) -> list[str]:
    """The words a matching article is looked for with (not negated): for highlighting."""
    if isinstance(node, Words | Phrase):
        return [] if node.field in KEYWORD_FIELDS else list(node.words)
    if isinstance(node, Not):
        return []
    return [t for c in node.children for t in positive_terms(c)]


def marked_terms(node: Node) -> list[str]:
    """The terms marked in snippets and on the article page: the words looked for and the
    synonyms they were looked for with."""
    if isinstance(node, Words) and node.field not in KEYWORD_FIELDS:
        found = [t for _, alternatives in node.synonyms for _, terms in alternatives for t in terms]
        return list(node.words) + found
    if isinstance(node, Words | Phrase | Not):
        return positive_terms(node)
    return [t for c in node.children for t in marked_terms(c)]
