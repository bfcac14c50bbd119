"""The JSON twins of the page: filters and facets, suggestions, documents, statistics."""

from datetime import date, timedelta

import pytest


def _search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _facet(body, name):
    return {item["value"]: item["count"] for item in body["facets"][name]}


def test_source_filter_keeps_only_that_source_and_matches_its_facet_count(client):
    everything = _search(client, q="部门")
    sources = _facet(everything, "source")
    source, count = max(sources.items(), key=lambda item: item[1])
    filtered = _search(client, q="部门", source=source, size=100)
    assert filtered["total"] == count == len(filtered["hits"])
    assert {hit["source"] for hit in filtered["hits"]} == {source}


def test_choosing_a_second_source_widens_the_results(client):
    sources = _facet(_search(client, q="部门"), "source")
    (a, count_a), (b, count_b) = list(sources.items())[:2]
    both = _search(client, q="部门", source=[a, b])
    assert both["total"] == count_a + count_b
    # each facet is counted without its own filter, so the other sources still show
    assert _facet(both, "source") == sources
    assert {item["value"] for item in both["facets"]["source"] if item["selected"]} == {a, b}


def test_category_counts_follow_the_chosen_source(client):
    source = next(iter(_facet(_search(client, q="部门"), "source")))
    filtered = _search(client, q="部门", source=source, size=100)
    categories = _facet(filtered, "category")
    assert sum(categories.values()) <= filtered["total"]
    for hit_category in {hit["category"] for hit in filtered["hits"] if hit["category"]}:
        assert categories[hit_category] == sum(
            hit["category"] == hit_category for hit in filtered["hits"]
        )


def test_date_range_keeps_articles_of_those_days_and_matches_the_year_facet(client):
    years = _facet(_search(client, q="部门"), "year")
    body = _search(client, q="部门", **{"from": "2024-01-01", "to": "2024-12-31"}, size=100)
    assert body["total"] == years["2024"]
    assert all(hit["date"].startswith("2024-") for hit in body["hits"])
    assert [y["value"] for y in body["facets"]["year"] if y["selected"]] == ["2024"]


def test_preset_range_counts_articles_since_that_day(client):
    body = _search(client, q="部门", range="year")
    cutoff = date.today() - timedelta(days=365)
    everything = _search(client, q="部门", size=100)
    recent = [h for h in everything["hits"] if h["date"] and h["date"][:10] >= str(cutoff)]
    assert body["total"] == len(recent)
    assert _facet(body, "date_range")["year"] == len(recent)


def test_newest_first_puts_undated_articles_last(client):
    hits = _search(client, q="部门", sort="newest", size=100)["hits"]
    dates = [hit["date"] for hit in hits]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates[: len(dated)] == dated  # no undated article before a dated one


def test_query_that_finds_nothing_suggests_an_indexed_homophone(client):
    # A search waits only half a second for a first lexicon; here it is built first, so the
    # answer does not hang on how fast this machine builds one.
    client.application.extensions["zhsearch"].lexicon(wait=60)
    body = _search(client, q="写作")  # the corpus says 协作
    assert body["total"] == 0 and body["suggestion"] == "协作"
    assert _search(client, q=body["suggestion"])["total"] > 0


def test_query_that_finds_something_has_no_suggestion(client):
    assert _search(client, q="协作")["suggestion"] is None


@pytest.mark.parametrize(
    "query",
    [
        {"q": "北京", "from": "2024-13-01"},
        {"q": "北京", "to": "yesterday"},
        {"q": "北京", "from": "2025-01-01", "to": "2024-01-01"},
        {"q": "北京", "range": "decade"},
        {"q": "北京", "range": "week", "from": "2024-01-01"},
        {"q": "北京", "source": [f"s{i}" for i in range(21)]},
    ],
)
def test_bad_filters_get_400_json_with_a_message(client, query):
    response = client.get("/api/search", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request" and response.get_json()["message"]


@pytest.mark.parametrize("typed", ["guangzhou", "guangz", "gz", "广"])
def test_suggest_finds_a_word_from_its_start_or_its_pinyin(client, typed):
    body = client.get("/api/suggest", query_string={"q": typed}).get_json()
    assert body["query"] == typed
    assert "广州" in [s["text"] for s in body["suggestions"] if s["kind"] == "word"]


def test_title_suggestions_lead_to_real_articles(client):
    suggestions = client.get("/api/suggest?q=东西部").get_json()["suggestions"]
    titles = [s for s in suggestions if s["kind"] == "title"]
    assert titles
    for suggestion in titles:
        assert "东西部" in suggestion["text"]
        article = client.get(f"/api/documents/{suggestion['id']}").get_json()
        assert article["title"] == suggestion["text"]


def test_suggest_respects_limit_and_empty_input(client):
    assert client.get("/api/suggest?q=").get_json()["suggestions"] == []
    assert len(client.get("/api/suggest?q=g&limit=3").get_json()["suggestions"]) <= 3
    assert client.get("/api/suggest?q=g&limit=500").status_code == 400


def test_document_has_its_fields_and_related_articles(client):
    body = client.get("/api/documents/demo-001").get_json()
    assert body["id"] == "demo-001" and "马铃薯" in body["title"]
    assert body["date"].endswith("+08:00") and "path" not in body
    related = [hit["id"] for hit in body["related"]]
    assert related and "demo-001" not in related
    # its closest relatives share its subject (东西部协作)
    assert "东西部协作" in body["related"][0]["title"]


def test_a_single_shared_word_does_not_make_articles_related(client):
    # the 江豚 article shares only 第四 (第四年 / 第四名) with a football report
    related = client.get("/api/documents/demo-004").get_json()["related"]
    assert all("足球" not in hit["title"] for hit in related)


def test_missing_document_is_404_json(client):
    response = client.get("/api/documents/no-such-id")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_stats_report_articles_size_and_last_update(client):
    body = client.get("/api/stats").get_json()
    assert body["articles"] == 45
    assert body["last_update"].endswith("+08:00")
    if client.application.config["BACKEND"] == "xapian":
        # a shard's size on disk is its server's to tell (`zhsearch shard status`)
        assert body["index_bytes"] is None
        return
    assert body["index_bytes"] > 100_000
