"""The Chinese analysis chain: fold characters, segment with jieba, number the words.

Index mode emits every word at consecutive positions (0, 1, 2 …) and, at the same position as
its word, each search-mode sub-word jieba finds inside it (北京大学 → 北京, 大学), so that a
sub-word query finds the article and quoted phrases still line up. Query mode emits the words of
jieba's precise mode only, so a query for 马克思 stays one term.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from whoosh.analysis import Token, Tokenizer

from .normalize import fold, fold_for_segmentation, lower
from .segment import get_segmenter

INDEX = "index"
QUERY = "query"

# A searchable piece of a token: a run of letters or digits (underscore is punctuation here).
_WORD_PIECE = re.compile(r"[^\W_]+")
# A model name or code that mixes Latin letters and digits (iphone8, oppo5s, ios8), and the
# runs of letters and of digits it is made of.
_MIXED_LATIN = re.compile(r"(?=[a-zA-Z]*[0-9])(?=[0-9]*[a-zA-Z])[a-zA-Z0-9]+")
LATIN_RUN = re.compile(r"[a-zA-Z]+|[0-9]+")


class Term(NamedTuple):
    """A term of analysed text: folded form, word position and offsets into the original."""

    text: str
    pos: int
    start: int
    end: int
    subword: bool = False


def _whole_word_flags(tokens: list[tuple[str, int, int]]) -> list[bool]:
    """Which search-mode tokens are whole words (they tile the text) and which are sub-words.

    jieba yields a word's sub-words just before the word itself, so scanning backwards, a token
    that ends at or before the start of the last whole word is the next whole word.
    """
    flags = [False] * len(tokens)
    boundary = None
    for i in range(len(tokens) - 1, -1, -1):
        _, start, end = tokens[i]
        if boundary is None or end <= boundary:
            flags[i] = True
            boundary = start
    return flags


def segment_folded(text: str, search: bool) -> list[tuple[str, int, int]]:
    """Words of already folded text (`fold_for_segmentation`), with offsets; `search`: also
    the sub-words jieba's search mode finds inside longer words.

    Each run of letters and digits is segmented on its own, offsets into the whole text.

    The analysis, not the segmenter, decides that punctuation ends a word: jieba and rjieba
    draw their blocks differently around `-` and `.`, and would otherwise disagree.
    """
    segmenter = get_segmenter()
    tokens: list[tuple[str, int, int]] = []
    for block in _WORD_PIECE.finditer(text):
        offset = block.start()
        for word, start, end in segmenter.tokenize(block.group(), search=search):
            if search and _MIXED_LATIN.fullmatch(word):
                tokens.extend(_latin_runs(word, start + offset))
            tokens.append((word, start + offset, end + offset))
    return tokens


def _latin_runs(word: str, offset: int) -> list[tuple[str, int, int]]:
    """The letter and digit runs of a mixed Latin word, as its sub-words: readers write a model
    apart or together (iphone 8, iphone8; oppo 5s, oppo5s), and jieba keeps a mixed run whole."""
    return [(m.group(), m.start() + offset, m.end() + offset) for m in LATIN_RUN.finditer(word)]


def analyze(text: str, mode: str = QUERY, name_bigrams: bool = True) -> list[Term]:
    """Analyse `text` into terms; `mode` is INDEX (words and sub-words) or QUERY (words).

    `name_bigrams=False` leaves out the character pairs of unknown names (INDEX mode), which
    only the index needs: finding where query words stand does not.
    """
    index_mode = mode == INDEX
    folded = fold_for_segmentation(text)
    lowered = lower(folded)  # one character for one: a word's slice is its lower-cased form
    tokens = segment_folded(folded, search=index_mode)
    whole = _whole_word_flags(tokens) if index_mode else [True] * len(tokens)
    terms: list[Term] = []
    pos = 0
    subwords: list[tuple[str, int, int]] = []
    for (word, start, end), is_word in zip(tokens, whole, strict=True):
        if not is_word:
            subwords.append((word, start, end))
            continue
        if not word.strip():
            subwords.clear()
            continue
        terms.append(Term(lowered[start:end], pos, start, end))
        terms.extend(Term(lowered[s:e], pos, s, e, subword=True) for _, s, e in subwords)
        if index_mode and name_bigrams and is_unknown_name(word):
            terms.extend(Term(gram, pos, start, end, subword=True) for gram in bigrams(word))
        subwords.clear()
        pos += 1
    return terms


BIGRAM_MARK = "#"  # marks a character-pair term, so it never mixes with the words


def is_han_word(word: str) -> bool:
    return bool(word) and all(
        "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in word
    )


def bigrams(word: str) -> list[str]:
    """The marked character pairs of a word (雷沛鸿 → #雷沛, #沛鸿)."""
    return [BIGRAM_MARK + word[i : i + 2] for i in range(len(word) - 1)]


@functools.lru_cache(maxsize=1 << 16)
def is_unknown_name(word: str) -> bool:
    """A Chinese word the segmentation dictionary lacks: jieba's HMM guessed it (names, mostly).

    Cached (asked of every word indexed; a tenth of the analysis without it), and cleared
    with the other caches when the dictionary gains words (`query.clear_caches`)."""
    return len(word) > 1 and is_han_word(word) and not get_segmenter().has_word(word)


def query_words(text: str) -> list[str]:
    """The words a user's plain text means, in order (precise mode)."""
    return [term.text for term in analyze(text, QUERY)]


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer over `analyze`: positions and character offsets into the original."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = fold(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term in analyze(value, INDEX if mode == INDEX else QUERY):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.pos
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


def chinese_analyzer() -> ChineseTokenizer:
    return ChineseTokenizer()
