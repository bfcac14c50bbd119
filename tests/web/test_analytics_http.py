"""What readers search for, over a real `zhsearch serve` (two workers): every search from the
API and the page is counted, the counts are for write-key holders only, and the home page's
热门搜索 lists what was asked often enough and found something."""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from search.config import ANALYTICS
from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import check_schema, create_key, running_server


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("analytics") / "index", SAMPLE_ARTICLES)


@pytest.fixture(scope="module")
def server(index_dir):
    with running_server(index_dir, workers=2) as server:
        yield server


def _check_schema(server, path: str, body) -> None:
    spec = json.loads(server.get("/api/openapi.json")[1])
    check_schema(spec, path, "get", 200, body)


def test_searches_are_counted_shown_to_key_holders_and_the_popular_ones_on_the_home_page(
    server, index_dir
):
    often = ANALYTICS.popular_min_count
    for _ in range(often):
        assert server.call("GET", "/api/search?q=" + urllib.parse.quote("北京"))[0] == 200
        assert server.get("/search?q=" + urllib.parse.quote("江豚"))[0] == 200  # the page
    for _ in range(often - 1):
        server.call("GET", "/api/search?q=" + urllib.parse.quote("长江"))
    for _ in range(often):
        server.call("GET", "/api/search?q=" + urllib.parse.quote("不存在的词语"))

    assert server.call("GET", "/api/analytics/top")[0] == 403  # no write key yet: writes off
    key = create_key(index_dir, "newsroom")
    assert server.call("GET", "/api/analytics/top", key="zhs_wrong")[0] == 401
    expected = {"北京": often, "江豚": often, "长江": often - 1, "不存在的词语": often}
    counts, deadline = {}, time.monotonic() + 30
    while counts != expected and time.monotonic() < deadline:  # each worker writes its own
        status, body, _ = server.call("GET", "/api/analytics/top?days=1&limit=10", key=key)
        assert status == 200
        counts = {q["query"]: q["count"] for q in body["queries"]}
    _check_schema(server, "/api/analytics/top", body)
    assert counts == expected
    for bad in ("days=abc", "days=0", "limit=100000"):
        status, body, _ = server.call("GET", f"/api/analytics/top?{bad}", key=key)
        assert status == 400 and body["error"] == "bad_request" and body["message"]
    status, body, _ = server.call("GET", "/api/analytics/no-results", key=key)
    _check_schema(server, "/api/analytics/no-results", body)
    assert [q["query"] for q in body["queries"]] == ["不存在的词语"]

    home = server.get("/")[1].decode("utf-8")
    popular = home.split("热门搜索", 1)[1].split("</nav>", 1)[0]
    assert "北京" in popular and "江豚" in popular
    assert "长江" not in popular  # asked once too few
    assert "不存在的词语" not in popular  # finds nothing
