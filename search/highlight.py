"""Highlighting: `<mark>` whole query words in titles and pick the best sentences for a snippet.

Marks come from the same analysis as the index (words and their sub-words), so a query for
马克思 marks 马克思 as one span, and traditional text is marked for a simplified query. Everything
outside the marks is HTML-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape
from typing import NamedTuple

from .analysis import segment_folded
from .normalize import fold_for_segmentation, lower

_SENTENCE_END = re.compile(r"[。！？；!?;\n]+[”’」』）)]*")
ELLIPSIS = "…"


class Span(NamedTuple):
    start: int
    end: int
    term: str


def find_spans(
    text: str, terms: Collection[str], sentences: list[tuple[int, int]] | None = None
) -> list[Span]:
    """Where query terms occur in `text`, overlapping occurrences merged into one span.

    `sentences`: the text's sentences, if the caller has them already (see `_sentences`).
    """
    if not terms:
        return []
    # Only the sentences that hold a term's characters are segmented: a long article is cut
    # by jieba in a few places, not all through. Sentences end at punctuation, where the
    # analysis ends its words anyway, so the spans are the same as over the whole text: every
    # word and sub-word the index analysis gives (the index's name bigrams aside).
    folded = fold_for_segmentation(text)
    searchable = lower(folded)
    found = sorted(
        (
            Span(start + s, start + e, word)
            for start, end in (_sentences(text) if sentences is None else sentences)
            if any(term in searchable[start:end] for term in terms)
            for _, s, e in segment_folded(folded[start:end], search=True)
            if (word := searchable[start + s : start + e]) in terms
        ),
        key=lambda s: (s.start, -s.end),
    )
    merged: list[Span] = []
    for span in found:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(last.start, span.end, last.term)
            continue
        merged.append(span)
    return merged


def _touching_merged(spans: list[Span]) -> list[tuple[int, int]]:
    """Spans that touch (东西部|协作) become one mark."""
    merged: list[list[int]] = []
    for span in spans:
        if merged and span.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])
    return [(s, e) for s, e in merged]


def mark(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> str:
    """`text[start:end]` as HTML, escaped, with the spans inside it wrapped in `<mark>`."""
    end = len(text) if end is None else end
    out: list[str] = []
    cursor = start
    for span_start, span_end in _touching_merged(spans):
        if span_end <= start or span_start >= end:
            continue
        s, e = max(span_start, start), min(span_end, end)
        out.append(escape(text[cursor:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    out.append(escape(text[cursor:end]))
    return "".join(out)


def highlight(text: str, terms: Collection[str]) -> str:
    """The whole of `text` as escaped HTML with every query term marked."""
    return mark(text, find_spans(text, terms))


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        bounds.append((start, m.end()))
        start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def _best_window(
    text: str, sentences: list[tuple[int, int]], spans: list[Span], max_chars: int
) -> tuple[int, int]:
    """The stretch of whole sentences (at most `max_chars`) that holds the most query terms."""
    best, best_key = (0, min(len(text), max_chars)), (-1, -1, 0)
    for i, (s_start, _) in enumerate(sentences):
        end = s_start
        for _, s_end in sentences[i:]:
            if s_end - s_start > max_chars and end > s_start:
                break
            end = s_end
        inside = [sp for sp in spans if sp.start >= s_start and sp.end <= end]
        if not inside and spans:
            first = next((sp for sp in spans if sp.start >= s_start), None)
            if first is None or first.start >= s_start + max_chars:
                continue
        key = (len({sp.term for sp in inside}), len(inside), -s_start)
        if key > best_key:
            best_key, best = key, (s_start, end)
    start, end = best
    if end - start > max_chars:  # one long sentence: centre the window on its first match
        first = next((sp.start for sp in spans if start <= sp.start < end), start)
        start = max(start, min(first - max_chars // 4, end - max_chars))
        end = start + max_chars
    return start, end


def snippet(text: str, terms: Collection[str], max_chars: int = 160) -> str:
    """An escaped HTML excerpt of `text` around its best-matching sentences, terms marked."""
    text = text.strip()
    sentences = _sentences(text)
    spans = find_spans(text, terms, sentences)
    start, end = _best_window(text, sentences, spans, max_chars)
    while start < end and text[start].isspace():
        start += 1
    html = mark(text, spans, start, end).strip()
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return prefix + html.replace("\n", " ") + suffix
