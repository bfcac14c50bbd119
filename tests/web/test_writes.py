"""The write API over a real `zhsearch serve` (gunicorn, two workers, real HTTP): keys, single
and batch writes, replace and delete seen by search, tasks, ?wait=true, limits and errors."""

from __future__ import annotations

import base64
import json
import time
import urllib.parse

import pytest

from search.config import WRITING
from search.keys import KeyStore
from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import (
    check_schema,
    create_key,
    http_request,
    run_zhsearch,
    running_server,
)


def _ids_found(server, query: str) -> list[str]:
    status, body, _ = server.call("GET", "/api/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200, body
    return [hit["id"] for hit in body["hits"]]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return build_index(tmp_path_factory.mktemp("writes") / "index", SAMPLE_ARTICLES)


@pytest.fixture(scope="module")
def server(index_dir):
    with running_server(index_dir, workers=2) as server:
        yield server


@pytest.fixture(scope="module")
def spec(server):
    return json.loads(server.get("/api/openapi.json")[1])


# Ordered: the first test runs before any key exists.
def test_every_write_answers_403_with_how_to_create_a_key_while_none_exists(server, spec):
    for method, path, body in [
        ("PUT", "/api/documents/w1", {"title": "标题", "text": "正文"}),
        ("DELETE", "/api/documents/a1", None),
        ("POST", "/api/documents", [{"id": "w1", "title": "标题"}]),
        ("POST", "/api/documents/delete", {"ids": ["a1"]}),
    ]:
        status, answer, _ = server.call(method, path, body, key="zhs_anything")
        assert status == 403, (method, path, answer)
        assert answer["error"] == "writes_disabled"
        assert "zhsearch keys create" in answer["message"]
    check_schema(spec, "/api/documents/{id}", "put", 403, answer)
    assert server.call("GET", "/api/documents/a1")[0] == 200  # nothing was deleted


@pytest.fixture(scope="module")
def key(server, index_dir):
    """A write key, created with the CLI while the server runs."""
    return create_key(index_dir, "cms")


def test_keys_create_prints_only_the_key_and_stores_only_its_digest(index_dir, key):
    assert key.startswith("zhs_") and len(key) > 40 and "\n" not in key
    stored = (index_dir / "keys.json").read_text()
    assert key not in stored
    assert [(k.name, k.scope) for k in KeyStore(index_dir).all()] == [("cms", "write")]
    listing = run_zhsearch("keys", "list", "--index", str(index_dir))
    assert listing.stdout.split("\t")[:2] == ["cms", "write"] and key not in listing.stdout


def test_a_write_without_a_key_or_with_a_wrong_one_is_401(server, key, spec):
    article = {"title": "标题", "text": "正文"}
    for headers in ({}, {"Authorization": "Bearer zhs_wrong"}, {"Authorization": "Basic Og=="}):
        status, body, got = server.call("PUT", "/api/documents/w1", article, **headers)
        assert status == 401, body
        assert got["WWW-Authenticate"].startswith("Bearer")
        check_schema(spec, "/api/documents/{id}", "put", 401, body)


def test_a_read_key_cannot_write_and_a_revoked_key_no_longer_works(server, index_dir, key):
    reader = create_key(index_dir, "reader", scope="read")
    status, body, _ = server.call("DELETE", "/api/documents/a1", key=reader)
    assert status == 403 and body["error"] == "forbidden"

    temporary = create_key(index_dir, "temporary")
    status, _, _ = server.call("DELETE", "/api/documents/no-such", key=temporary)
    assert status == 202
    assert run_zhsearch("keys", "revoke", "temporary", "--index", str(index_dir)).returncode == 0
    status, body, _ = server.call("DELETE", "/api/documents/no-such", key=temporary)
    assert status == 401, body
    assert server.call("GET", "/api/documents/a1")[0] == 200


def test_put_then_wait_makes_the_article_searchable_and_fetchable(server, key, spec):
    article = {"title": "鸭嘴兽来到北京", "text": "一只鸭嘴兽出现在动物园。", "source": "写入测试"}
    status, body, _ = server.call("PUT", "/api/documents/w1?wait=true", article, key=key)
    assert status == 202, body
    assert body["accepted"] == 1 and body["rejected"] == [] and body["seq"] >= 1
    check_schema(spec, "/api/documents/{id}", "put", 202, body)
    assert _ids_found(server, "鸭嘴兽") == ["w1"]
    status, stored, _ = server.call("GET", "/api/documents/w1")
    assert stored["title"] == "鸭嘴兽来到北京" and stored["source"] == "写入测试"

    status, task, _ = server.call("GET", f"/api/tasks/{body['seq']}")
    assert task == {"seq": body["seq"], "status": "searchable"}
    check_schema(spec, "/api/tasks/{seq}", "get", 200, task)


def test_a_replaced_article_is_found_by_its_new_words_only(server, key):
    server.call("PUT", "/api/documents/w2?wait=true", {"title": "旧标题", "text": "犰狳"}, key=key)
    assert _ids_found(server, "犰狳") == ["w2"]
    replaced = {"id": "w2", "title": "新标题", "text": "穿山甲"}
    status, _, _ = server.call("PUT", "/api/documents/w2?wait=true", replaced, key=key)
    assert status == 202
    assert _ids_found(server, "犰狳") == []
    assert _ids_found(server, "穿山甲") == ["w2"]
    assert server.call("GET", "/api/documents/w2")[1]["title"] == "新标题"


def test_delete_removes_the_article_and_deleting_an_unknown_id_is_fine(server, key, spec):
    server.call("PUT", "/api/documents/w3?wait=true", {"title": "树袋熊", "text": "桉树"}, key=key)
    assert _ids_found(server, "树袋熊") == ["w3"]
    status, body, _ = server.call("DELETE", "/api/documents/w3?wait=true", key=key)
    assert status == 202 and set(body) == {"seq"}
    check_schema(spec, "/api/documents/{id}", "delete", 202, body)
    assert _ids_found(server, "树袋熊") == []
    assert server.call("GET", "/api/documents/w3")[0] == 404
    assert server.call("DELETE", "/api/documents/never-was", key=key)[0] == 202


def test_a_batch_keeps_the_good_articles_and_rejects_each_bad_one_with_a_reason(server, key, spec):
    batch = [
        {"id": "b1", "title": "袋鼠一号", "text": "袋鼠跳得很远。"},
        {"title": "没有编号"},
        {"id": "b3", "title": ["不是文本"]},
        {"id": "b4", "title": "", "text": ""},
        {"id": "b5", "title": "坏日期", "date": "下个星期"},
        {"id": "b6", "title": "袋鼠二号", "text": "x" * (WRITING.max_article_bytes + 10)},
        "不是对象",
        {"id": "b8", "title": "袋鼠三号", "text": "袋鼠妈妈。", "date": "2024-05-01"},
    ]
    status, body, _ = server.call("POST", "/api/documents?wait=true", batch, key=key)
    assert status == 202, body
    check_schema(spec, "/api/documents", "post", 202, body)
    assert body["accepted"] == 2
    rejected = {item["index"]: item for item in body["rejected"]}
    assert sorted(rejected) == [1, 2, 3, 4, 5, 6]
    assert "missing id" in rejected[1]["error"] and rejected[1]["id"] is None
    assert "not a string" in rejected[2]["error"] and rejected[2]["id"] == "b3"
    assert "empty title and text" in rejected[3]["error"]
    assert "date" in rejected[4]["error"]
    assert "too large" in rejected[5]["error"]
    assert "not a JSON object" in rejected[6]["error"]
    assert sorted(_ids_found(server, "袋鼠")) == ["b1", "b8"]
    assert server.call("GET", "/api/documents/b8")[1]["date"].startswith("2024-05-01")


def test_a_json_lines_batch_rejects_a_line_that_is_not_utf8_or_not_json(server, key):
    raw = b"\n".join(
        [
            json.dumps({"id": "n1", "title": "考拉一", "text": "考拉睡觉。"}).encode("utf-8"),
            '{"id": "n9", "title": "考拉"}'.encode("gbk"),  # a GBK line
            b"{not json",
            json.dumps({"id": "n2", "title": "考拉二", "text": "考拉吃叶子。"}).encode("utf-8"),
        ]
    )
    status, body, _ = server.call(
        "POST",
        "/api/documents?wait=true",
        raw,
        key=key,
        **{"Content-Type": "application/x-ndjson"},
    )
    assert status == 202, body
    assert body["accepted"] == 2
    rejected = [(r["index"], "UTF-8" in r["error"]) for r in body["rejected"]]
    assert rejected == [(1, True), (2, False)]
    assert sorted(_ids_found(server, "考拉")) == ["n1", "n2"]


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"this is not json", "application/json"),
        (b'{"title": "an object, not an array"}', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"one\ntwo\n", "application/x-ndjson"),
    ],
)
def test_a_batch_body_that_is_not_json_at_all_is_400(server, key, spec, body, content_type):
    status, answer, _ = server.call(
        "POST", "/api/documents", body, key=key, **{"Content-Type": content_type}
    )
    assert status == 400, answer
    assert answer["error"] == "bad_request" and answer["message"]
    check_schema(spec, "/api/documents", "post", 400, answer)


def test_a_put_whose_body_disagrees_with_its_path_or_is_malformed_is_400(server, key):
    cases = [
        ("/api/documents/p1", {"id": "other", "title": "标题"}, "path"),
        ("/api/documents/p1", {"title": "", "text": ""}, "empty"),
        ("/api/documents/p1", [{"title": "一个数组"}], "one JSON object"),
    ]
    for path, body, says in cases:
        status, answer, _ = server.call("PUT", path, body, key=key)
        assert status == 400 and says in answer["message"], answer
    status, answer, _ = server.call("PUT", "/api/documents/p1", b"{oops", key=key)
    assert status == 400 and "not JSON" in answer["message"]
    assert server.call("GET", "/api/documents/p1")[0] == 404


def test_too_many_articles_or_too_many_bytes_is_413_with_a_message(server, key, spec):
    many = [{"id": f"m{n}", "title": "多"} for n in range(WRITING.max_request_articles + 1)]
    status, body, _ = server.call("POST", "/api/documents", many, key=key)
    assert status == 413 and str(WRITING.max_request_articles) in body["message"]
    check_schema(spec, "/api/documents", "post", 413, body)

    huge = b'[{"id": "h1", "title": "' + b"a" * WRITING.max_request_bytes + b'"}]'
    status, body, _ = server.call("POST", "/api/documents", huge, key=key)
    assert status == 413 and "MB" in body["message"]
    assert server.call("GET", "/api/documents/m0")[0] == 404


def test_many_deletes_at_once(server, key, spec):
    batch = [{"id": f"d{n}", "title": f"企鹅{n}", "text": "企鹅。"} for n in range(5)]
    assert server.call("POST", "/api/documents?wait=true", batch, key=key)[0] == 202
    assert len(_ids_found(server, "企鹅")) == 5
    body = {"ids": ["d0", "d1", "d2", "nobody"]}
    status, answer, _ = server.call("POST", "/api/documents/delete?wait=true", body, key=key)
    assert status == 202, answer
    check_schema(spec, "/api/documents/delete", "post", 202, answer)
    assert sorted(_ids_found(server, "企鹅")) == ["d3", "d4"]
    status, answer, _ = server.call("POST", "/api/documents/delete", {"ids": [["x"]]}, key=key)
    assert status == 400


def test_seq_grows_with_every_write_and_tasks_say_where_each_is(server, key, spec):
    seqs = [
        server.call("PUT", f"/api/documents/s{n}", {"title": f"序号{n}"}, key=key)[1]["seq"]
        for n in range(3)
    ]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    for seq in seqs:
        status, task, _ = server.call("GET", f"/api/tasks/{seq}")
        assert status == 200 and task["status"] in ("queued", "searchable")
    status, body, _ = server.call("GET", f"/api/tasks/{seqs[-1] + 1000}")
    assert status == 404
    check_schema(spec, "/api/tasks/{seq}", "get", 404, body)


def test_stats_show_the_queue_and_the_last_commit(server, key, spec):
    server.call("PUT", "/api/documents/st1?wait=true", {"title": "统计"}, key=key)
    status, stats, _ = server.call("GET", "/api/stats")
    assert stats["queued"] == 0
    assert stats["last_commit"] and stats["last_commit"].endswith("+08:00")
    check_schema(spec, "/api/stats", "get", 200, stats)


def test_an_index_run_while_the_server_writes_goes_through_its_journal(
    server, key, index_dir, tmp_path
):
    export = tmp_path / "cms.jsonl"
    export.write_text(
        "\n".join(
            json.dumps({"id": f"cli{n}", "title": f"海豚{n}", "text": "海豚在海里游。"})
            for n in range(30)
        ),
        encoding="utf-8",
    )
    done = run_zhsearch("index", "--index", str(index_dir), str(export))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "through the server's journal" in done.stdout and "all searchable" in done.stdout
    assert "added 30" in done.stdout
    status, body, _ = server.call("GET", "/api/search?" + urllib.parse.urlencode({"q": "海豚"}))
    assert body["total"] == 30

    deleted = run_zhsearch("delete", "--index", str(index_dir), "cli0", "cli1", "nobody")
    assert deleted.returncode == 0, deleted.stderr
    assert "deleted 2 / 3" in deleted.stdout and "through the server's journal" in deleted.stdout
    assert server.call("GET", "/api/documents/cli0")[0] == 404

    taught = run_zhsearch("dict", "add", "--index", str(index_dir), "海里游")
    assert taught.returncode == 0, taught.stderr
    assert "re-analysed 28" in taught.stdout


def test_a_server_that_requires_keys_answers_only_to_them(index_dir, key):
    reader = create_key(index_dir, "page-reader", scope="read")
    with running_server(index_dir, args=("--require-key",)) as server:
        status, body, got = server.call("GET", "/api/search?q=" + urllib.parse.quote("北京"))
        assert status == 401 and body["error"] == "unauthorized"
        assert server.call("GET", "/api/stats", key="zhs_wrong")[0] == 401
        assert server.call("GET", "/api/stats", key=reader)[0] == 200
        assert server.call("GET", "/api/stats", key=key)[0] == 200
        assert server.get("/healthz")[0] == 200  # health checks need no key
        assert http_request("GET", server.base + "/metrics")[0] == 401  # monitoring does
        metrics = http_request(
            "GET", server.base + "/metrics", headers={"Authorization": f"Bearer {reader}"}
        )
        assert metrics[0] == 200 and b"zhsearch_articles" in metrics[2]

        basic = "Basic " + base64.b64encode(f"editor:{reader}".encode()).decode()
        status, headers, page = http_request("GET", server.base + "/")
        assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
        status, _, page = http_request("GET", server.base + "/", headers={"Authorization": basic})
        assert status == 200 and "zhsearch" in page.decode("utf-8")


def test_a_full_queue_answers_429_and_wait_answers_504_while_the_index_is_held(tmp_path):
    from search.backends.whoosh.index import IndexWriterSession, open_index

    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    key = create_key(index_dir, "cms")
    bounds = {"ZHSEARCH_MAX_QUEUED_WRITES": "3", "ZHSEARCH_WRITE_WAIT_SECONDS": "1"}
    with running_server(index_dir, env=bounds) as server:
        holder = IndexWriterSession(open_index(index_dir))
        holder._open_writer()  # another writer holds the index: nothing can be committed
        try:
            first = server.call("PUT", "/api/documents/q1", {"title": "排队一"}, key=key)
            assert first[0] == 202
            status, body, _ = server.call(
                "PUT", "/api/documents/q2?wait=true", {"title": "排队二"}, key=key
            )
            assert status == 504 and body["seq"] == first[1]["seq"] + 1, body
            assert "queued" in body["message"]
            assert server.call("PUT", "/api/documents/q3", {"title": "排队三"}, key=key)[0] == 202
            status, body, headers = server.call(
                "PUT", "/api/documents/q4", {"title": "排队四"}, key=key
            )
            assert status == 429 and body["error"] == "too_many_requests", body
            assert int(headers["Retry-After"]) > 0
            assert server.call("GET", "/api/stats")[1]["queued"] == 3
        finally:
            holder.cancel()
        # Let go: every accepted write becomes searchable, the refused one never was.
        last = first[1]["seq"] + 2
        deadline = time.monotonic() + 60
        while server.call("GET", f"/api/tasks/{last}")[1]["status"] != "searchable":
            assert time.monotonic() < deadline, "the accepted writes were never applied"
            time.sleep(0.1)
        for doc_id in ("q1", "q2", "q3"):
            assert server.call("GET", f"/api/documents/{doc_id}")[0] == 200
        assert server.call("GET", "/api/documents/q4")[0] == 404
        assert server.call("PUT", "/api/documents/q4", {"title": "排队四"}, key=key)[0] == 202
