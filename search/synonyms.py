"""Synonyms and abbreviations an index's editors keep (`synonyms.txt` in the index folder).

The file is text, one rule a line, the same format that `zhsearch synonyms load` reads:

    # a comment
    广州 穗 羊城                 words that mean the same: each finds the others
    新冠 => 新型冠状病毒 新冠肺炎   one way: the first also finds the rest, not back

Words are separated by spaces or commas (，、 too) and compared as the analyser folds them
(full-width, case, traditional characters). Rules apply when a query is parsed
(`expand`): each plain word of a query that a rule names also finds its synonyms, counting
`RANKING.synonym_weight` as much as the word typed. A synonym is searched as the analyser cuts
it: one word is that word, where the segmenter made it a word of its own (穗 is not found
inside 麦穗); several words (新型|冠状病毒) are found in a row, as a phrase. Quoted phrases and
keyword fields use none. The file is re-read whenever it changes, so an edit applies to a
running server at its next search, with no reindexing.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .normalize import fold
from .query import KEYWORD_FIELDS, And, Node, Not, Or, Words, searched_as

log = logging.getLogger(__name__)

FILE_NAME = "synonyms.txt"
_SEPARATORS = re.compile(r"[\s,，、;；]+")
_ONE_WAY = "=>"


class SynonymError(ValueError):
    """A synonym rule or file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Rules:
    """Sets of words that mean the same, and one-way rules (a word also finds others)."""

    sets: tuple[tuple[str, ...], ...] = ()
    one_way: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _index: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[str]] = {}
        for words in self.sets:
            for word in words:
                index.setdefault(fold(word), []).extend(w for w in words if w != word)
        for word, targets in self.one_way:
            index.setdefault(fold(word), []).extend(targets)
        for key, found in index.items():
            index[key] = [w for w in dict.fromkeys(found) if fold(w) != key]
        object.__setattr__(self, "_index", index)

    def finds(self, word: str) -> list[str]:
        """What a query word also finds besides itself, in the order the rules give."""
        return list(self._index.get(fold(word), ()))

    def with_set(self, words: list[str]) -> Rules:
        words = _checked(words, at_least=2)
        return replace(self, sets=(*self.sets, tuple(words)))

    def with_one_way(self, word: str, targets: list[str]) -> Rules:
        (word,) = _checked([word], at_least=1)
        targets = _checked(targets, at_least=1)
        return replace(self, one_way=(*self.one_way, (word, tuple(targets))))

    def without(self, words: list[str]) -> tuple[Rules, int]:
        """The rules less every set and rule that names one of `words`; how many went."""
        gone = {fold(w) for w in words}

        def names_one(rule_words) -> bool:
            return any(fold(w) in gone for w in rule_words)

        sets = tuple(s for s in self.sets if not names_one(s))
        one_way = tuple((w, ts) for w, ts in self.one_way if not names_one((w, *ts)))
        removed = len(self.sets) - len(sets) + len(self.one_way) - len(one_way)
        return Rules(sets, one_way), removed

    def to_text(self) -> str:
        lines = [" ".join(words) for words in self.sets]
        lines += [f"{word} {_ONE_WAY} {' '.join(targets)}" for word, targets in self.one_way]
        return "".join(line + "\n" for line in lines)

    def to_dict(self) -> dict:
        return {
            "sets": [list(words) for words in self.sets],
            "one_way": [{"word": w, "finds": list(ts)} for w, ts in self.one_way],
        }


def _checked(words: list[str], at_least: int) -> list[str]:
    words = [w.strip() for w in words if w.strip()]
    for word in words:
        if _SEPARATORS.search(word) or _ONE_WAY in word or word.startswith("#"):
            raise SynonymError(f"同义词不能含有空格、逗号或 => ：{word!r} (a synonym is one term)")
    if len({fold(w) for w in words}) < at_least:
        raise SynonymError(
            f"至少需要 {at_least} 个不同的词 (needs {at_least} different words or more): "
            + " ".join(words)
        )
    return words


def parse_rules(text: str, source: str = FILE_NAME) -> Rules:
    """Rules from the text format above; a bad line raises SynonymError naming it."""
    sets, one_way = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            if _ONE_WAY in line:
                left, _, right = line.partition(_ONE_WAY)
                word = _checked(_SEPARATORS.split(left), at_least=1)
                if len(word) != 1:
                    raise SynonymError(
                        f"=> 左边只能有一个词 (one word before =>): {left.strip()!r}"
                    )
                one_way.append((word[0], tuple(_checked(_SEPARATORS.split(right), 1))))
            else:
                sets.append(tuple(_checked(_SEPARATORS.split(line), at_least=2)))
        except SynonymError as exc:
            raise SynonymError(f"{source} 第 {number} 行 (line {number}): {exc}") from None
    return Rules(tuple(sets), tuple(one_way))


class SynonymStore:
    """The synonyms of one index folder, re-read whenever the file changes."""

    def __init__(self, index_dir: Path):
        self.path = Path(index_dir) / FILE_NAME
        self._seen: tuple[int, int] | None = None
        self._rules = Rules()

    def rules(self) -> Rules:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._rules = None, Rules()
            return self._rules
        if self._seen != (stat.st_mtime_ns, stat.st_size):
            self._seen = (stat.st_mtime_ns, stat.st_size)
            try:
                self._rules = parse_rules(self.path.read_text(encoding="utf-8"))
            except (SynonymError, UnicodeDecodeError) as exc:
                # A hand edit gone wrong must not stop searches: the last good rules stay.
                log.warning("synonyms not reloaded, the previous ones stay: %s", exc)
        return self._rules

    def save(self, rules: Rules) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            out.write(rules.to_text())
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        self._seen = None


# ---------------------------------------------------------------- applied to a query


def unreached(rules: Rules) -> list[str]:
    """Warnings for the words of rules that no query reaches: rules apply word by word, and
    the analyser cuts these into several (as what a rule finds, they work, as phrases)."""
    words = [w for s in rules.sets for w in s] + [w for w, _ in rules.one_way]
    warnings = []
    for word in dict.fromkeys(words):
        if len(terms := searched_as(word)) > 1:
            cut = "|".join(terms)
            warnings.append(
                f"搜索“{word}”时它被切分为 {cut}，不会用到同义词；可先 zhsearch dict add {word}"
                f" (a query for {word} is cut {cut} and uses no synonyms: `zhsearch dict add"
                f" {word}` makes it one word; it is still found as a synonym)"
            )
    return warnings


def expand(node: Node, rules: Rules) -> Node:
    """The query with each plain word's synonyms attached (`Words.synonyms`)."""
    if not rules.sets and not rules.one_way:
        return node
    if isinstance(node, Words):
        if node.field in KEYWORD_FIELDS:
            return node
        found = []
        for word in node.words:
            alternatives = tuple((s, t) for s in rules.finds(word) if (t := searched_as(s)))
            if alternatives:
                found.append((word, alternatives))
        return replace(node, synonyms=tuple(found)) if found else node
    if isinstance(node, Not):
        return replace(node, child=expand(node.child, rules))
    if isinstance(node, And | Or):
        return replace(node, children=tuple(expand(c, rules) for c in node.children))
    return node  # a quoted phrase means exactly what was typed


def expanded(node: Node) -> dict[str, list[str]]:
    """Which synonyms the query used, word by word: {"广州": ["穗", "羊城"]}."""
    if isinstance(node, Words):
        return {word: [text for text, _ in alternatives] for word, alternatives in node.synonyms}
    if isinstance(node, Not):
        return {}
    if isinstance(node, And | Or):
        merged: dict[str, list[str]] = {}
        for child in node.children:
            for word, alternatives in expanded(child).items():
                merged.setdefault(word, []).extend(
                    a for a in alternatives if a not in merged.get(word, [])
                )
        return merged
    return {}
