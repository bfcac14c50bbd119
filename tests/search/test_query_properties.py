"""Property-based: whatever a user types, the parser gives a query or a QueryError, quickly."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.query import QueryError, parse, positive_terms, ranking_query, to_whoosh

# Query syntax pieces mixed with Chinese, Latin, digits, punctuation and control characters.
SYNTAX = st.sampled_from(
    ['"', "(", ")", "-", "AND", "OR", "NOT", "&&", "||", ":", "：", "*", "?", "~", "^", " "]
    + ["title:", "标题:", "source:", "nosuchfield:", "id:", "author:", "北京", "大学", "的"]
)
ANY_TEXT = st.text(
    alphabet=st.characters(codec=None, blacklist_categories=()), max_size=120
)  # every code point, lone surrogates and controls included
MIXED = st.lists(st.one_of(SYNTAX, ANY_TEXT), max_size=25).map("".join)

SETTINGS = settings(
    max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _compile(text: str) -> None:
    node = parse(text)
    to_whoosh(node, strict=True)
    to_whoosh(node, strict=False)
    ranking_query(node)
    positive_terms(node)


@SETTINGS
@given(MIXED)
def test_any_text_parses_or_raises_query_error(text):
    started = time.perf_counter()
    try:
        _compile(text)
    except QueryError as exc:
        assert str(exc)  # a message for the user
    assert time.perf_counter() - started < 1.0


@SETTINGS
@given(st.text(min_size=501, max_size=10_000))
def test_overlong_queries_are_refused_with_a_message(text):
    started = time.perf_counter()
    try:
        _compile(text)
    except QueryError as exc:
        assert "query too long" in str(exc)
    else:
        raise AssertionError("a query over 500 characters was accepted")
    assert time.perf_counter() - started < 0.1
