"""Chinese word segmentation: one jieba dictionary per process, behind one small interface.

`rjieba` (jieba's algorithm and dictionary, compiled) runs the hot path; the reference
`jieba` is the fallback and the yardstick its output is checked against.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable
from typing import Protocol

log = logging.getLogger(__name__)

BACKEND_ENV = "ZHSEARCH_SEGMENTER"  # "rjieba" (default when installed) or "jieba"


class Segmenter(Protocol):
    name: str

    def tokenize(self, text: str, search: bool) -> list[tuple[str, int, int]]:
        """(word, start, end) triples; with `search`, sub-words precede the word they are in."""

    def add_words(self, words: Iterable[tuple[str, int | None, str | None]]) -> None:
        """Teach the dictionary new (word, frequency, tag) entries."""

    def has_word(self, word: str) -> bool:
        """Whether the dictionary holds the word."""


class RJiebaSegmenter:
    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._jieba = rjieba.Jieba()

    def tokenize(self, text: str, search: bool) -> list[tuple[str, int, int]]:
        return self._jieba.tokenize(text, mode="search" if search else "default")

    def has_word(self, word: str) -> bool:
        return self._jieba.has_word(word)

    def add_words(self, words: Iterable[tuple[str, int | None, str | None]]) -> None:
        for word, freq, tag in words:
            self._jieba.add_word(word, freq, tag)


class JiebaSegmenter:
    name = "jieba"

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()  # reads jieba's cached prefix dictionary when present

    def tokenize(self, text: str, search: bool) -> list[tuple[str, int, int]]:
        return list(self._jieba.tokenize(text, mode="search" if search else "default"))

    def has_word(self, word: str) -> bool:
        return bool(self._jieba.FREQ.get(word))

    def add_words(self, words: Iterable[tuple[str, int | None, str | None]]) -> None:
        for word, freq, tag in words:
            self._jieba.add_word(word, freq, tag)


def make_segmenter(backend: str | None = None) -> Segmenter:
    """A fresh segmenter of the named backend (rjieba when available, else jieba)."""
    backend = backend or os.environ.get(BACKEND_ENV, "rjieba")
    if backend == "rjieba":
        try:
            return RJiebaSegmenter()
        except ImportError:
            log.warning("rjieba is not installed; falling back to jieba")
    return JiebaSegmenter()


@functools.cache
def get_segmenter() -> Segmenter:
    """The process-wide segmenter (cached: the dictionary loads once per process)."""
    return make_segmenter()
