"""Suggestions from the index's own words and titles: completion, pinyin, did-you-mean.

A `Lexicon` is built once per index commit from the words the index holds (with their
document frequencies) and the article titles; typing 广, `guangzhou` or the initials `gz`
finds 广州 when the index has it. It lives in SQLite: beside the index, one file serves every
server process (see `search.backends.whoosh.lexicon_file`), and pypinyin is needed only to build it.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

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


_SCHEMA = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE words(word TEXT PRIMARY KEY, df INTEGER) WITHOUT ROWID;
-- kind 0: the word itself, 1: its full pinyin, 2: its initials
CREATE TABLE prefixes(kind INTEGER, key TEXT, word TEXT, df INTEGER);
CREATE INDEX prefixes_by_key ON prefixes(kind, key, df, word);  -- covers the lookups
CREATE TABLE homophones(spelled TEXT PRIMARY KEY, word TEXT) WITHOUT ROWID;
-- each Chinese character's usual reading, to spell what a user typed without pypinyin
CREATE TABLE sounds(ch TEXT PRIMARY KEY, spelled TEXT) WITHOUT ROWID;
CREATE TABLE titles(title TEXT, id TEXT, folded TEXT);
"""
_WORD, _PINYIN, _INITIALS = 0, 1, 2


class Lexicon:
    """The index's words and titles, arranged for suggestions, in SQLite.

    On disk (beside the index) the lexicon is built once per commit and shared by every
    server process through the operating system's page cache, instead of each holding its
    own copy; `build` without a path keeps one in memory.
    """

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._lock = threading.Lock()  # one connection, shared by the server's threads
        # which commit of the index it was built from (see `lexicon_file.index_version` of the
        # Whoosh backend)
        self.version = self._query("SELECT value FROM meta WHERE name = 'version'")[0][0]

    @classmethod
    def build(
        cls,
        words: dict[str, int],
        titles: list[tuple[str, str]],
        path: Path | None = None,
        version: str = "",
    ) -> Lexicon:
        """A lexicon of the most frequent `words` (with document frequencies) and the
        (title, article id) pairs, written to `path` (or kept in memory)."""
        db = sqlite3.connect(path or ":memory:", check_same_thread=False)
        db.executescript(_SCHEMA)
        kept = heapq.nlargest(LIMITS.suggestion_words, words.items(), key=lambda item: item[1])
        prefixes = [(_WORD, w, w, df) for w, df in kept]
        homophones: dict[str, tuple[str, int]] = {}
        for word, df in kept:
            if not is_han_word(word):
                continue
            spelled, first = pinyin_keys(word)
            prefixes += [(_PINYIN, spelled, word, df), (_INITIALS, first, word, df)]
            if df > homophones.get(spelled, ("", 0))[1]:
                homophones[spelled] = (word, df)
        with db:
            db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
            db.executemany("INSERT INTO words VALUES (?, ?)", kept)
            db.executemany("INSERT INTO prefixes VALUES (?, ?, ?, ?)", prefixes)
            db.executemany(
                "INSERT INTO homophones VALUES (?, ?)",
                ((spelled, word) for spelled, (word, _) in homophones.items()),
            )
            db.executemany(
                "INSERT INTO titles VALUES (?, ?, ?)",
                ((title, doc_id, fold(title)) for title, doc_id in titles),
            )
            db.executemany("INSERT INTO sounds VALUES (?, ?)", _character_sounds())
        return cls(db)

    @classmethod
    def open(cls, path: Path) -> Lexicon | None:
        """The lexicon written at `path`, read-only; None if there is none (or it is unreadable)."""
        if not path.exists():
            return None
        try:
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            return cls(db)
        except sqlite3.Error:
            return None

    @classmethod
    def empty(cls) -> Lexicon:
        """A lexicon that knows nothing (what answers until the first one is built)."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('version', '')")
        return cls(db)

    def close(self) -> None:
        self._db.close()

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _best(self, kind: int, prefix: str, n: int) -> list[tuple[str, int]]:
        """The n most frequent (word, doc frequency) pairs whose key starts with prefix."""
        return self._query(
            "SELECT word, df FROM prefixes WHERE kind = ? AND key >= ? AND key < ?"
            " ORDER BY df DESC, length(word), key, word LIMIT ?",
            (kind, prefix, prefix + "\uffff", n),
        )

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
            found = self._best(_PINYIN, typed, limit) + self._best(_WORD, typed, limit)
            if len(typed) <= 4:
                found += self._best(_INITIALS, typed, limit)
            found.sort(key=lambda pair: -pair[1])
        else:
            found = self._best(_WORD, typed, limit)
        return list(dict.fromkeys(word for word, _ in found))[:limit]

    def _titles_with(self, needles: list[str], limit: int) -> list[Suggestion]:
        found: list[Suggestion] = []
        for needle in needles:
            rows = self._query(
                "SELECT title, id FROM titles WHERE instr(folded, ?) > 0 ORDER BY rowid LIMIT ?",
                (needle, limit - len(found)),
            )
            found += [Suggestion(title, "title", doc_id) for title, doc_id in rows]
            if len(found) >= limit:
                break
        return found

    def knows(self, word: str) -> bool:
        return bool(self._query("SELECT 1 FROM words WHERE word = ?", (word,)))

    def homophone(self, typed: str) -> str | None:
        """The most frequent indexed word that sounds like `typed` (Chinese or pinyin)."""
        key = typed if _LATIN.match(typed) else self._spelled(typed)
        if not key:
            return None
        found = self._query("SELECT word FROM homophones WHERE spelled = ?", (key,))
        return found[0][0] if found and found[0][0] != typed else None

    def _spelled(self, typed: str) -> str | None:
        """Toneless pinyin of Chinese text, each character read its usual way (北惊 → beijing)."""
        if not is_han_word(typed) or len(typed) > 8:
            return None
        marks = ",".join("?" * len(set(typed)))
        sounds = dict(
            self._query(f"SELECT ch, spelled FROM sounds WHERE ch IN ({marks})", (*set(typed),))
        )
        if any(ch not in sounds for ch in typed):
            return None
        return "".join(sounds[ch] for ch in typed)


def _character_sounds() -> list[tuple[str, str]]:
    """(character, toneless pinyin) for the common Chinese characters."""
    from pypinyin import Style, lazy_pinyin

    characters = [chr(code) for code in range(0x4E00, 0xA000)]
    # A list of single characters: each is read alone, not as part of a phrase.
    spelled = lazy_pinyin(characters, style=Style.NORMAL, errors=lambda chunk: [""] * len(chunk))
    return [(ch, sound) for ch, sound in zip(characters, spelled, strict=True) if sound]


def read_vocabulary(reader, fields: tuple[str, ...] = ("title", "text")):
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
        (stored["title"], stored["id"]) for _, stored in reader.iter_docs() if stored.get("title")
    ]
    return words, titles


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


_SYNTAX = re.compile(r'["()]|(?<!\S)-')  # quotes, parentheses, a leading minus


def did_you_mean(text: str, lexicon: Lexicon, finds_any: Callable[[str], bool]) -> str | None:
    """For a query that found nothing: a corrected one, or fewer of its words, that
    `finds_any` says finds some articles."""
    correction = corrected_query(text, lexicon)
    if correction and finds_any(correction):
        return correction
    blocks = [b for b in _SYNTAX.sub(" ", text).split() if b not in ("AND", "OR", "NOT")]
    if 1 < len(blocks) <= 8:
        kept = [block for block in blocks if finds_any(block)]
        if kept:
            return " ".join(kept)
    return None
