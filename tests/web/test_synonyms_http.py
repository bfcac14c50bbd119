"""Synonyms over a real `zhsearch serve` (gunicorn, two workers): a rule added from the command
line while it serves changes the next search, its answer and its marks, in every worker;
`/api/synonyms` reads them openly and replaces them only with a write key."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import check_schema, create_key, run_zhsearch, running_server


def _zhsearch(*args: str):
    done = run_zhsearch(*args)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("synonyms") / "index", SAMPLE_ARTICLES)


@pytest.fixture(scope="module")
def server(index_dir):
    with running_server(index_dir, workers=2) as server:
        yield server


def _search(server, query: str) -> dict:
    status, body, _ = server.call("GET", "/api/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200, body
    return body


def _check_schema(server, method: str, status: int, body) -> None:
    spec = json.loads(server.get("/api/openapi.json")[1])
    check_schema(spec, "/api/synonyms", method, status, body)


def test_a_synonym_added_while_serving_changes_the_next_search_in_every_worker(server, index_dir):
    assert _search(server, "京城")["total"] == 0
    _zhsearch("synonyms", "add", "京城", "北京", "--index", str(index_dir))
    for _ in range(6):  # requests land on either worker: each must have re-read the file
        body = _search(server, "京城")
        assert {hit["id"] for hit in body["hits"]} == {"a1", "a4", "a6"}
        assert body["expanded"] == {"京城": ["北京"]}
    assert any("<mark>北京</mark>" in hit["title_html"] for hit in body["hits"])
    status, page = server.get("/doc/a6?q=" + urllib.parse.quote("京城"))
    assert status == 200 and "<mark>北京</mark>" in page.decode("utf-8")


def test_synonyms_are_read_openly_and_replaced_only_with_a_write_key(server, index_dir):
    status, body, _ = server.call("GET", "/api/synonyms")
    assert status == 200 and body["sets"] == [["京城", "北京"]]
    _check_schema(server, "get", 200, body)
    rules = {"sets": [["高铁", "动车"]], "one_way": [{"word": "京", "finds": ["北京"]}]}
    status, body, _ = server.call("PUT", "/api/synonyms", rules)
    assert status == 403 and "zhsearch keys create" in body["message"]  # no write key yet

    key = create_key(index_dir, "editor")
    status, body, _ = server.call("PUT", "/api/synonyms", rules, key=key)
    assert status == 200 and body["one_way"] == [{"word": "京", "finds": ["北京"]}]
    _check_schema(server, "put", 200, body)
    assert _search(server, "京城")["total"] == 0  # replaced, not added to
    assert _search(server, "京")["expanded"] == {"京": ["北京"]}

    text = "京城 北京\n".encode()
    status, body, _ = server.call(
        "PUT", "/api/synonyms", text, key=key, **{"Content-Type": "text/plain; charset=utf-8"}
    )
    assert status == 200 and body["text"] == "京城 北京\n"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"sets": [["孤词"]]}, "至少需要 2 个"),
        ({"sets": "北京 京城"}, "must be arrays"),
        ({"one_way": [{"word": "京"}]}, "one_way[0]"),
        ({"synonyms": []}, "the body must be"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_bad_rule_is_a_400_with_a_message_and_changes_nothing(server, index_dir, body, says):
    key = create_key(index_dir, f"bad-{abs(hash(str(body)))}")
    before = server.call("GET", "/api/synonyms")[1]
    status, answer, _ = server.call("PUT", "/api/synonyms", body, key=key)
    assert status == 400 and says in answer["message"]
    assert server.call("GET", "/api/synonyms")[1] == before
