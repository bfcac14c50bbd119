"""Suggestions from the index's own words and titles: completion, pinyin, did-you-mean.

A `Lexicon` is built once per index commit from the words the index holds (with their
document frequencies) and the article titles; typing 广, `guangzhou` or the initials `gz`
finds 广州 when the index has it.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import asdict, dataclass

from .analysis import BIGRAM_MARK, is_han_word
from .config import LIMITS
from .normalize import fold
from .stopwords import STOPWORDS

_LATIN = re.compile(r"^[a-z]+$")


@dataclass
class Suggestion:
    text: str
    kind: str  # "word": a search for it; "title": an article, opened by its id
    id: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def pinyin_keys(word: str) -> tuple[str, str]:
    """Toneless full pinyin and initials of a Chinese word: 广州 → ("guangzhou", "gz")."""
    # Imported here: pypinyin's tables take a third of a second to load, which a server's
    # first answer should not wait for (the lexicon is built in the background).
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    return "".join(syllables), "".join(s[0] for s in syllables if s)


class _PrefixTable:
    """Words under sorted keys, for "every word whose key starts with …" lookups."""

    def __init__(self, entries: list[tuple[str, str, int]]):
        entries.sort()
        self._keys = [key for key, _, _ in entries]
        self._entries = entries

    def best(self, prefix: str, n: int) -> list[tuple[str, int]]:
        """The n most frequent (word, doc frequency) pairs whose key starts with prefix."""
        lo = bisect.bisect_left(self._keys, prefix)
        hi = bisect.bisect_left(self._keys, prefix + "\uffff")
        found = heapq.nlargest(n, self._entries[lo:hi], key=lambda e: (e[2], -len(e[1])))
        return [(word, df) for _, word, df in found]


class Lexicon:
    """The index's words and titles, arranged for suggestions."""

    def __init__(self, words: dict[str, int], titles: list[tuple[str, str]]):
        kept = heapq.nlargest(LIMITS.suggestion_words, words.items(), key=lambda item: item[1])
        self.doc_freq = dict(kept)
        self._by_word = _PrefixTable([(w, w, df) for w, df in kept])
        full, initials = [], []
        self._homophones: dict[str, tuple[str, int]] = {}
        for word, df in kept:
            if not is_han_word(word):
                continue
            spelled, first = pinyin_keys(word)
            full.append((spelled, word, df))
            initials.append((first, word, df))
            if df > self._homophones.get(spelled, ("", 0))[1]:
                self._homophones[spelled] = (word, df)
        self._by_pinyin = _PrefixTable(full)
        self._by_initials = _PrefixTable(initials)
        self._titles = titles  # (title, article id)
        self._folded_titles = [fold(title) for title, _ in titles]

    @classmethod
    def from_reader(cls, reader, fields: tuple[str, ...] = ("title", "text")) -> Lexicon:
        """Every suggestible word of the index with its document frequency, and the titles."""
        words: dict[str, int] = {}
        for field in fields:
            if field not in reader.indexed_field_names():
                continue
            in_field: dict[str, int] = {}
            # Segment by segment: a multi-segment reader merges the term lists much slower.
            for segment, _ in reader.leaf_readers():
                for raw, info in segment.iter_field(field):
                    word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    in_field[word] = in_field.get(word, 0) + info.doc_frequency()
            for word, df in in_field.items():
                if df > words.get(word, 0) and is_key_term(word):
                    words[word] = df
        titles = [
            (stored["title"], stored["id"])
            for _, stored in reader.iter_docs()
            if stored.get("title")
        ]
        return cls(words, titles)

    def complete(self, typed: str, limit: int = 8) -> list[Suggestion]:
        """Words, then titles, that continue what the user has typed so far."""
        text = fold(typed).strip()
        if not text:
            return []
        head, _, last = text.rpartition(" ")
        prefix = f"{head} " if head else ""
        words = [w for w in self._words_for(last, limit) if w != last]
        if head:
            return [Suggestion(prefix + w, "word") for w in words]
        # The whole input is one word: leave room for the titles that contain it.
        suggestions = [Suggestion(w, "word") for w in words[: limit - 3]]
        titles = self._titles_with([text, *words[:2]], limit - len(suggestions))
        return _unique(suggestions + titles)[:limit]

    def _words_for(self, typed: str, limit: int) -> list[str]:
        if _LATIN.match(typed):
            found = self._by_pinyin.best(typed, limit) + self._by_word.best(typed, limit)
            if len(typed) <= 4:
                found += self._by_initials.best(typed, limit)
            found.sort(key=lambda pair: -pair[1])
        else:
            found = self._by_word.best(typed, limit)
        return list(dict.fromkeys(word for word, _ in found))[:limit]

    def _titles_with(self, needles: list[str], limit: int) -> list[Suggestion]:
        found: list[Suggestion] = []
        for needle in needles:
            for (title, doc_id), folded in zip(self._titles, self._folded_titles, strict=True):
                if needle in folded:
                    found.append(Suggestion(title, "title", doc_id))
                    if len(found) >= limit:
                        return found
        return found

    def knows(self, word: str) -> bool:
        return word in self.doc_freq

    def homophone(self, typed: str) -> str | None:
        """The most frequent indexed word that sounds like `typed` (Chinese or pinyin)."""
        key = typed if _LATIN.match(typed) else pinyin_keys(typed)[0]
        found = self._homophones.get(key)
        return found[0] if found and found[0] != typed else None


def is_key_term(word: str) -> bool:
    """Whether an indexed term is worth suggesting: a word, not a character pair or stopword."""
    if word.startswith(BIGRAM_MARK) or word in STOPWORDS:
        return False
    if is_han_word(word):
        return 2 <= len(word) <= 8
    return 3 <= len(word) <= 20 and word.isalpha() and word.isascii()


def _unique(suggestions: list[Suggestion]) -> list[Suggestion]:
    seen: set[str] = set()
    unique = []
    for s in suggestions:
        if s.text not in seen:
            seen.add(s.text)
            unique.append(s)
    return unique


def corrected_query(text: str, lexicon: Lexicon) -> str | None:
    """The query with each block the index does not know replaced by an indexed homophone.

    北惊 → 北京, beijing → 北京; None when nothing could be corrected.
    """
    changed = False
    parts = []
    for block in re.split(r"(\s+)", text):
        folded = fold(block)
        replacement = None
        if folded.strip() and not lexicon.knows(folded):
            replacement = lexicon.homophone(folded)
        if replacement:
            parts.append(replacement)
            changed = True
        else:
            parts.append(block)
    return "".join(parts) if changed else None
