from datetime import date

from search.filters import Filters


def _counts(values):
    return {v.value: v.count for v in values}


def test_facets_count_every_match_not_just_the_page(sample_engine):
    results = sample_engine.search("北京", size=1)
    assert results.total == 3 and len(results.hits) == 1
    assert _counts(results.facets.source) == {"示例日报": 1, "演示新闻网": 1, "样例晚报": 1}
    assert _counts(results.facets.year) == {"2024": 1, "2025": 1, "2022": 1}


def test_filters_narrow_the_hits_and_the_other_facets(sample_engine):
    results = sample_engine.search("北京", filters=Filters(sources=("样例晚报",)))
    assert [hit.id for hit in results.hits] == ["a6"]
    assert _counts(results.facets.category) == {"生活": 1}
    # the source facet ignores its own filter, so the other sources can still be chosen
    assert len(results.facets.source) == 3
    assert [v.value for v in results.facets.source if v.selected] == ["样例晚报"]


def test_date_filter_includes_both_end_days(sample_engine):
    only_a1 = Filters(date_from=date(2024, 9, 1), date_to=date(2024, 9, 1))
    assert [hit.id for hit in sample_engine.search("北京", filters=only_a1).hits] == ["a1"]
    after = Filters(date_from=date(2024, 9, 2))
    assert [hit.id for hit in sample_engine.search("北京", filters=after).hits] == ["a4"]


def test_date_presets_count_back_from_today(sample_engine):
    results = sample_engine.search("北京")
    assert _counts(results.facets.date_range).keys() == {"week", "month", "year"}
    # every sample article is older than a year (the newest is from 2025-01-02)
    if date.today() > date(2026, 1, 2):
        assert set(_counts(results.facets.date_range).values()) == {0}


def test_date_sorts_keep_paging_consistent(sample_engine):
    newest = [h.id for h in sample_engine.search("北京", sort="newest", size=3).hits]
    assert newest == ["a4", "a1", "a6"]
    second_page = sample_engine.search("北京", sort="newest", size=2, page=2).hits
    assert [h.id for h in second_page] == ["a6"]
    assert [h.id for h in sample_engine.search("北京", sort="oldest").hits] == newest[::-1]


def test_a_search_past_its_deadline_answers_with_what_it_found(tmp_path, monkeypatch):
    from dataclasses import replace

    import search.backends.whoosh.collect
    import search.backends.whoosh.engine
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_or_create_index
    from search.config import LIMITS
    from search.documents import Article

    index = open_or_create_index(tmp_path / "index")
    with IndexWriterSession(index, commit_every=100) as session:
        for i in range(600):
            session.add(Article(f"b{i}", f"北京新闻 {i}", "北京的新闻。" * (1 + i % 5)))
    engine = SearchEngine(tmp_path / "index")
    assert len(engine.searcher().reader().leaf_readers()) > 1  # the deadline is checked between
    monkeypatch.setattr(
        search.backends.whoosh.collect, "LIMITS", replace(LIMITS, scoring_run_docs=100)
    )  # runs
    assert engine.search("北京").total == 600 and not engine.search("北京").partial

    monkeypatch.setattr(search.backends.whoosh.engine, "LIMITS", replace(LIMITS, search_seconds=0))
    results = engine.search("北京")
    assert results.partial
    assert 0 < results.total < 600 and len(results.hits) == 10


def test_a_phrase_that_matches_nothing_still_stops_at_the_deadline(tmp_path, monkeypatch):
    from dataclasses import replace

    import search.backends.whoosh.engine
    from search.backends.whoosh.engine import SearchEngine
    from search.documents import Article
    from tests.conftest import build_index

    # every article has both words, none has them in this order: the phrase reads them all
    articles = [Article(f"p{i}", f"第{i}篇", "北京发布新闻。") for i in range(600)]
    engine = SearchEngine(build_index(tmp_path / "index", articles))
    unbounded = engine.search('"新闻 北京"')
    assert unbounded.total == 0 and not unbounded.partial

    monkeypatch.setattr(
        search.backends.whoosh.engine,
        "LIMITS",
        replace(search.backends.whoosh.engine.LIMITS, search_seconds=0),
    )
    results = engine.search('"新闻 北京"')
    assert results.partial and results.total == 0


def test_facets_and_filters_span_segments_with_different_sources(tmp_path):
    from datetime import datetime

    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_or_create_index
    from search.documents import Article

    sources = ["甲报", "乙报", "丙报"]  # the first segment has no 丙报, the last no 甲报
    index = open_or_create_index(tmp_path / "index")
    with IndexWriterSession(index, commit_every=10) as session:
        for i in range(30):
            source = sources[min(i // 10 + i % 2, 2)]
            day = datetime(2020 + i % 3, 5, 1)
            session.add(Article(f"s{i}", f"江豚 {i}", "江豚回来了。", source=source, date=day))
    engine = SearchEngine(tmp_path / "index")
    assert len(engine.searcher().reader().leaf_readers()) == 3
    expected = {s: sum(sources[min(i // 10 + i % 2, 2)] == s for i in range(30)) for s in sources}

    results = engine.search("江豚")
    assert _counts(results.facets.source) == expected
    assert _counts(results.facets.year) == {"2020": 10, "2021": 10, "2022": 10}
    only = engine.search("江豚", size=30, filters=Filters(sources=("丙报",)))
    assert only.total == expected["丙报"] == len(only.hits)
    assert {int(hit.id[1:]) for hit in only.hits} == {
        i for i in range(30) if sources[min(i // 10 + i % 2, 2)] == "丙报"
    }
