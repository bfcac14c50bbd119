"""Character folding that keeps every character in place, so offsets still point into the original.

Folds full-width Latin letters, digits and punctuation to half-width, upper to lower case, and
traditional to simplified Chinese characters. Every fold maps one character to one character.
"""

from __future__ import annotations

import functools

_FULLWIDTH_OFFSET = 0xFEE0
_IDEOGRAPHIC_SPACE = "\u3000"


def _half_width(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - _FULLWIDTH_OFFSET)
    return " " if ch == _IDEOGRAPHIC_SPACE else ch


def _lower(ch: str) -> str:
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


def _table(fold_char, ranges) -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in ranges:
        for code in range(lo, hi + 1):
            if (folded := fold_char(chr(code))) != chr(code):
                table[code] = folded
    return table


@functools.cache
def _width_table() -> dict[int, str]:
    return _table(_half_width, [(0x3000, 0x3000), (0xFF01, 0xFF5E)])


@functools.cache
def _case_table() -> dict[int, str]:
    return _table(_lower, [(0x41, 0x5A), (0xC0, 0x24F), (0x370, 0x52F)])


@functools.cache
def _t2s_converter():
    import opencc

    return opencc.OpenCC("t2s.json")


def to_simplified(text: str) -> str:
    """Traditional → simplified, character for character (falls back per character if needed)."""
    converted = _t2s_converter().convert(text)
    if len(converted) == len(text):
        return converted
    convert = _t2s_converter().convert
    return "".join(c if len(c := convert(ch)) == 1 else ch for ch in text)


def fold_for_segmentation(text: str) -> str:
    """Half-width, simplified text; case is kept, since jieba's dictionary has words like A股."""
    return to_simplified(text.translate(_width_table()))


def lower(text: str) -> str:
    """Lower case, one character for one."""
    return text.translate(_case_table())


@functools.cache
def _width_and_case_table() -> dict[int, str]:
    """Width, then case, in one table: one pass over the text instead of two."""
    case = _case_table()
    table = {code: case.get(ord(ch), ch) for code, ch in _width_table().items()}
    return {**case, **table}


def fold(text: str) -> str:
    """The searchable form of `text`: same length, folded width, case and script."""
    # Case before script: OpenCC converts Chinese characters only, whatever the Latin case.
    return to_simplified(text.translate(_width_and_case_table()))
