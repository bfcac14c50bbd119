"""Property-based: /api/search answers any parameters with results or a 400 message, quickly."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = st.sampled_from(
    ['"', "(", ")", "-", " AND ", " OR ", " NOT ", "title:", "来源:", "nosuch:", "*", "%"]
    + ["北京", "部门", "协作", "<script>", "\\x00", "\u3000", "\ufffd", "\u202e", "؟"]
)
QUERY = st.one_of(
    st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=20).map("".join),
    st.text(max_size=2000),
)
NUMBER = st.one_of(st.integers(-5, 200).map(str), st.text(max_size=6))
PARAMS = st.fixed_dictionaries(
    {"q": QUERY},
    optional={
        "page": NUMBER,
        "size": NUMBER,
        "sort": st.sampled_from(["relevance", "newest", "oldest", "", "x"]),
        "range": st.sampled_from(["week", "month", "year", "", "decade"]),
        "from": st.sampled_from(["2024-01-01", "2025-12-31", "", "2024-02-30", "昨天"]),
        "to": st.sampled_from(["2024-06-30", "", "9999-12-31", "0001-01-01"]),
        "source": st.lists(st.text(max_size=10), max_size=3),
        "category": st.lists(st.text(max_size=10), max_size=3),
    },
)


@settings(
    max_examples=300,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(PARAMS)
def test_api_search_gives_results_or_a_400_with_a_message(client, params):
    started = time.perf_counter()
    response = client.get("/api/search", query_string=params)
    elapsed = time.perf_counter() - started
    body = response.get_json()
    assert response.status_code in (200, 400), (response.status_code, body)
    if response.status_code == 400:
        assert body["error"] == "bad_request" and body["message"]
    else:
        assert body["total"] >= len(body["hits"])
        assert all("<script>" not in hit["title_html"] for hit in body["hits"])
    assert elapsed < 2.0


@settings(
    max_examples=200,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=300), st.one_of(st.none(), NUMBER))
def test_api_suggest_never_fails(client, typed, limit):
    query = {"q": typed} if limit is None else {"q": typed, "limit": limit}
    response = client.get("/api/suggest", query_string=query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert all(s["text"] for s in response.get_json()["suggestions"])
