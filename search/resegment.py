"""Re-cutting query words that the index has never seen into words it has.

jieba's HMM glues unknown names to their neighbours differently in a short question than in
an article (雷沛鸿是, 尚健因, 司马|模是). The index's own vocabulary knows how the articles were
cut, so a run of query words around an unknown word is re-cut by forward maximum matching
against it. A long number the index has never seen is looked for by its longest leading part
that it has (`_known_number_prefix`).
"""

from __future__ import annotations

from collections.abc import Callable

from .analysis import is_han_word
from .stopwords import STOPWORDS

Vocabulary = Callable[[str], bool]  # does the index hold this term?

MAX_WORD_CHARS = 6
# A number of more digits than this that no article holds is looked for by its leading digits,
# down to this many: a mobile number's first seven are its 号段 (carrier and city), which is
# what pages list (1396908 号段 for 13969080920); fewer would match unrelated numbers.
MIN_NUMBER_PREFIX = 7


def _forward_max_match(run: str, vocabulary: Vocabulary) -> list[str]:
    pieces, i = [], 0
    while i < len(run):
        for length in range(min(MAX_WORD_CHARS, len(run) - i), 0, -1):
            piece = run[i : i + length]
            if length == 1 or vocabulary(piece):
                pieces.append(piece)
                i += length
                break
    return pieces


def _known_number_prefix(word: str, vocabulary: Vocabulary) -> str:
    """The longest leading part of an unknown long number that the index holds, else the
    number itself (a phone number searched for by its 号段, a serial number by its series)."""
    if not (word.isascii() and word.isdigit()) or len(word) <= MIN_NUMBER_PREFIX:
        return word
    if vocabulary(word):
        return word
    for length in range(len(word) - 1, MIN_NUMBER_PREFIX - 1, -1):
        if vocabulary(word[:length]):
            return word[:length]
    return word


def resegment(words: list[str], vocabulary: Vocabulary | None) -> list[str]:
    """`words` with each unknown Chinese word re-cut together with its Chinese neighbours,
    and each unknown long number cut to its longest known leading digits."""
    if vocabulary is None:
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        word = _known_number_prefix(words[i], vocabulary)
        # A stopword the index lacks (什么 in a small one) is no name to mend.
        if len(word) < 2 or not is_han_word(word) or word in STOPWORDS or vocabulary(word):
            out.append(word)
            i += 1
            continue
        end = i + 2 if i + 1 < len(words) and is_han_word(words[i + 1]) else i + 1
        before = out.pop() if out and is_han_word(out[-1]) else ""
        pieces = _forward_max_match(before + "".join(words[i:end]), vocabulary)
        if all(len(piece) == 1 for piece in pieces):  # nothing known inside: keep jieba's cut
            pieces = ([before] if before else []) + words[i:end]
        out.extend(pieces)
        i = end
    return out
