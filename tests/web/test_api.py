import pytest

HIT_KEYS = {"id", "title", "url", "date", "score", "title_html", "snippet_html"}


def test_api_search_returns_ranked_highlighted_hits(client):
    response = client.get("/api/search", query_string={"q": "东西部协作", "size": 3})
    assert response.status_code == 200
    body = response.get_json()
    assert {"query", "total", "page", "size", "took_ms", "hits"} <= set(body)
    assert body["query"] == "东西部协作" and body["page"] == 1 and body["size"] == 3
    assert body["total"] >= 4 and len(body["hits"]) == 3
    assert all(set(hit) >= HIT_KEYS for hit in body["hits"])
    assert "<mark>东西部协作</mark>" in body["hits"][0]["title_html"]
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_api_pages_do_not_overlap(client):
    first = client.get("/api/search?q=东西部协作&size=2&page=1").get_json()
    second = client.get("/api/search?q=东西部协作&size=2&page=2").get_json()
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    assert first["total"] == second["total"]


@pytest.mark.parametrize(
    "query",
    [
        {"q": ""},
        {},
        {"q": "！？。，"},
        {"q": "北京", "page": "0"},
        {"q": "北京", "page": "x"},
        {"q": "北京", "size": "100000"},
        {"q": "北京", "sort": "random"},
    ],
)
def test_bad_parameters_get_400_json_with_a_message(client, query):
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request" and body["message"]
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed, kind",
    [
        ('"江豚', "plain_words"),  # an unbalanced quote
        ("(长江 江豚）", "plain_words"),  # a parenthesis closed by a full-width one
        ("-江豚", "plain_words"),  # nothing but an exclusion
        ("江豚 " + " ".join(f"词{n}" for n in range(60)), "cut"),  # a pasted paragraph
        ("江豚" + "。" * 600, "cut"),  # over the character limit
    ],
)
def test_queries_the_language_cannot_read_are_answered_with_a_note(client, typed, kind):
    response = client.get("/api/search", query_string={"q": typed})
    assert response.status_code == 200
    body = response.get_json()
    assert [note["kind"] for note in body["notes"]] == [kind]
    assert body["notes"][0]["message"]
    assert any(hit["id"] == "demo-004" for hit in body["hits"])


def test_a_query_read_as_typed_has_no_notes(client):
    assert client.get("/api/search", query_string={"q": '"江豚"'}).get_json()["notes"] == []


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_healthz_reports_article_count(client):
    body = client.get("/healthz").get_json()
    assert body == {"status": "ok", "articles": 45}


def test_search_without_an_index_is_503_json(tmp_path):
    from web import create_app

    client = create_app(tmp_path / "missing").test_client()
    response = client.get("/api/search?q=北京")
    assert response.status_code == 503
    assert "zhsearch index" in response.get_json()["message"]


def test_responses_carry_security_headers(client):
    headers = client.get("/").headers
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'self' only
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/../search/config.py",
        "/static/..%2f..%2fsearch%2fconfig.py",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/doc/..%2f..%2fpyproject.toml",
        "/api/documents/..%2F..%2Fetc%2Fpasswd",
    ],
)
def test_paths_cannot_escape_their_folders(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "LIMITS" not in body and "[project]" not in body and "root:" not in body


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_reading_endpoints_take_no_writes(client, method):
    for path in ("/api/search?q=北京", "/api/stats", "/doc/demo-001"):
        response = getattr(client, method)(path)
        assert response.status_code == 405
    assert client.get("/api/documents/demo-001").status_code == 200  # nothing was changed


@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "/api/documents/demo-001"),
        ("delete", "/api/documents/demo-001"),
        ("post", "/api/documents"),
        ("post", "/api/documents/delete"),
    ],
)
def test_writes_are_off_until_a_write_key_exists(client, method, path):
    response = getattr(client, method)(path, json={"title": "改", "text": "改写"})
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "writes_disabled"
    assert "zhsearch keys create" in body["message"]
    assert client.get("/api/documents/demo-001").get_json()["title"] != "改"
