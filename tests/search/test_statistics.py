"""The same articles rank the same, whether indexed in one run or in many runs and updates."""

from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.statistics import live_statistics
from search.documents import Article
from search.id_order import id_key
from tests.conftest import build_index


def articles() -> list[Article]:
    # Every text the same length, with 江豚 once: the articles that hold it score the same.
    return [
        Article(f"n{i:03d}", f"稿件{i}", ("长江里的江豚。" if i % 3 == 0 else "长江两岸风光。") * 2)
        for i in range(60)
    ]


def one_run(path):
    return build_index(path, articles())


def many_runs_and_updates(path):
    """Three runs in reverse order, then a third of the articles sent again, unchanged."""
    batch = list(reversed(articles()))
    for start in range(0, len(batch), 20):
        build_index(path, batch[start : start + 20])
    return build_index(path, articles()[::3])


def test_replaced_versions_do_not_count_in_the_statistics(tmp_path):
    once = SearchEngine(one_run(tmp_path / "once")).searcher()
    updated = SearchEngine(many_runs_and_updates(tmp_path / "many")).searcher()
    assert updated.reader().has_deletions()
    assert updated.doc_count_all() > updated.doc_count() == once.doc_count() == 60
    word = updated.schema["text"].to_bytes("江豚")
    # Whoosh's own figures still count the replaced versions …
    assert updated.doc_frequency("text", word) > once.doc_frequency("text", word)
    # … the ones BM25 is given here do not.
    live, fresh = live_statistics(updated), live_statistics(once)
    assert live.doc_count == fresh.doc_count == 60
    assert live.doc_frequency("text", word) == fresh.doc_frequency("text", word) == 20
    assert live.idf("text", word) == fresh.idf("text", word)
    for field in ("title", "text"):
        assert live.avg_field_length(field) == fresh.avg_field_length(field) > 0


def test_equal_scores_come_in_the_same_order_whichever_way_the_articles_were_indexed(tmp_path):
    once = SearchEngine(one_run(tmp_path / "once"))
    many = SearchEngine(many_runs_and_updates(tmp_path / "many"))
    first, second = once.ranked_ids("江豚", 20), many.ranked_ids("江豚", 20)
    assert len(set(first.scores)) == 1  # twenty articles of equal score
    assert first.ids == second.ids and first.scores == second.scores
    assert first.ids == sorted(first.ids, key=id_key)  # by their ids' hashes …
    assert first.ids != sorted(first.ids)  # … not in the order they were indexed


def test_dates_that_tie_are_ordered_by_id_too(tmp_path):
    once = SearchEngine(one_run(tmp_path / "once"))
    many = SearchEngine(many_runs_and_updates(tmp_path / "many"))
    newest = [e.search("长江", size=10, sort="newest").hits for e in (once, many)]
    assert [h.id for h in newest[0]] == [h.id for h in newest[1]]


def test_a_term_the_live_articles_lack_has_no_documents(tmp_path):
    first = [Article("x1", "江豚", "江豚。"), Article("x2", "白鳍豚", "白鳍豚。")]
    index = build_index(tmp_path / "ix", first)
    build_index(index, [Article("x1", "江豚", "长江。")])  # the only 江豚 text is replaced
    searcher = SearchEngine(index).searcher()
    statistics = live_statistics(searcher)
    word = searcher.schema["text"].to_bytes("江豚")
    assert statistics.word_frequency("text", "江豚") == 0 < searcher.doc_frequency("text", word)
    assert not SearchEngine(index).search("text:江豚").hits


def test_articles_without_a_headline_count_as_length_zero(tmp_path):
    headless = [Article(f"h{i}", "", "长江里的江豚。" * (1 + i)) for i in range(3)]
    index = build_index(tmp_path / "ix", [Article("t1", "江豚回来了", "长江的江豚。"), *headless])
    searcher = SearchEngine(index).searcher()
    titled = searcher.reader().doc_field_length(searcher.document_number(id="t1"), "title")
    assert live_statistics(searcher).avg_field_length("title") == titled / 4 > 0
    ranking = SearchEngine(index).ranked_ids("江豚", 10)
    assert len(ranking.ids) == 4 and all(score == score for score in ranking.scores)  # no NaN
