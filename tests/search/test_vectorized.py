"""Array scoring gives the scores Whoosh's own matchers give, over real indexes on disk."""

import pytest
from whoosh import query as wq

from search.engine import SearchEngine
from search.index import IndexWriterSession, open_index
from search.vectorized import SegmentScorer
from tests.conftest import build_index


def whoosh_scores(searcher, query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}


def array_scores(searcher, query) -> dict[int, float]:
    context = searcher.context(weighting=searcher.weighting)
    scores = {}
    for sub, offset in searcher.leaf_searchers():
        scored = SegmentScorer(searcher, sub, context).evaluate(query)
        scores.update(zip((scored.docs + offset).tolist(), scored.scores.tolist(), strict=True))
    return scores


def assert_same(searcher, query):
    expected, actual = whoosh_scores(searcher, query), array_scores(searcher, query)
    assert expected, f"{query} should match something"
    assert actual.keys() == expected.keys()
    for docnum, score in expected.items():
        assert actual[docnum] == pytest.approx(score, rel=1e-9)


@pytest.fixture(scope="module")
def searcher(demo_index):
    return SearchEngine(demo_index).searcher()


def test_term_scores_are_whoosh_bm25f_with_the_query_boost(searcher):
    assert_same(searcher, wq.Term("text", "江豚"))
    assert_same(searcher, wq.Term("title", "长江", boost=2.0))


def test_or_adds_the_scores_of_the_parts_that_match(searcher):
    parts = [wq.Term("text", w) for w in ("部门", "表示", "城市")]
    assert_same(searcher, wq.Or(parts))
    assert_same(searcher, wq.Or(parts, boost=1.5))


def test_or_with_coordination_rewards_articles_with_more_of_the_words(searcher):
    words = [wq.Or([wq.Term("title", w, boost=2.0), wq.Term("text", w)]) for w in ("部门", "提醒")]
    query = wq.Or(words, scale=0.9)
    assert_same(searcher, query)
    scores = array_scores(searcher, query)
    both = array_scores(searcher, wq.And([wq.Term("text", "部门"), wq.Term("text", "提醒")]))
    assert max(scores, key=scores.get) in both


def test_and_keeps_only_articles_with_every_part_and_and_not_removes(searcher):
    assert_same(searcher, wq.And([wq.Term("text", "部门"), wq.Term("text", "表示")]))
    assert_same(searcher, wq.AndNot(wq.Term("text", "部门"), wq.Term("text", "表示")))


def test_a_constant_score_part_gives_its_constant(searcher):
    query = wq.ConstantScoreQuery(wq.Term("text", "部门"), 7.0)
    assert set(array_scores(searcher, query).values()) == {7.0}
    assert array_scores(searcher, query).keys() == whoosh_scores(searcher, query).keys()


def test_a_phrase_finds_its_words_in_order_from_their_positions(searcher):
    assert_same(searcher, wq.Phrase("text", ["部门", "提醒"], slop=2))
    assert_same(searcher, wq.Phrase("text", ["东西部", "协作"]))
    assert_same(searcher, wq.Phrase("text", ["东西部", "协作", "工作组"], boost=0.5))
    backwards = array_scores(searcher, wq.Phrase("text", ["协作", "东西部"]))
    assert not backwards and not whoosh_scores(searcher, wq.Phrase("text", ["协作", "东西部"]))


def test_a_phrase_with_a_word_the_index_lacks_matches_nothing(searcher):
    assert array_scores(searcher, wq.Phrase("text", ["东西部", "不存在的词"])) == {}


def test_deleted_articles_are_never_scored(tmp_path):
    from search.documents import Article

    articles = [Article(f"d{i}", f"江豚 {i}", "长江里的江豚。" * (1 + i % 3)) for i in range(6)]
    build_index(tmp_path / "ix", articles)
    with IndexWriterSession(open_index(tmp_path / "ix")) as session:
        session.delete(["d1", "d4"])
    searcher = SearchEngine(tmp_path / "ix").searcher()
    assert searcher.reader().has_deletions()
    assert_same(searcher, wq.Term("text", "江豚"))
    assert len(array_scores(searcher, wq.Term("text", "江豚"))) == 4
    assert_same(searcher, wq.Phrase("text", ["长江", "里"]))
    assert len(array_scores(searcher, wq.Phrase("text", ["长江", "里"]))) == 4


def test_a_segments_postings_are_read_once_and_shared_read_only(searcher):
    from search.vectorized import postings

    reader = searcher.reader().leaf_readers()[0][0]
    text = searcher.schema["text"].to_bytes("部门")
    docs, weights = postings(reader, "text", text)
    again = postings(reader, "text", text)
    assert again[0] is docs and again[1] is weights
    assert len(docs) == reader.doc_frequency("text", text) and not docs.flags.writeable
