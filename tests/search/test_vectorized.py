"""Array scoring gives the scores Whoosh's own matchers give, over real indexes on disk."""

import copy

import pytest
from whoosh import query as wq
from whoosh.scoring import BM25FScorer
from whoosh.searching import Searcher

from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.index import IndexWriterSession, open_index, open_or_create_index
from search.backends.whoosh.statistics import live_statistics
from search.backends.whoosh.vectorized import GroupScorer, segment_groups
from tests.conftest import build_index


def whoosh_scores(searcher, query) -> dict[int, float]:
    """Whoosh's own matchers' scores, its BM25F given the statistics of live articles that
    the arrays use (`search.backends.whoosh.statistics`)."""
    statistics = live_statistics(searcher)
    weighting = copy.copy(searcher.weighting)
    make_scorer = weighting.scorer

    def scorer(sub, fieldname, text, qf=1):
        made = make_scorer(sub, fieldname, text, qf)
        if isinstance(made, BM25FScorer):
            made.idf = statistics.idf(fieldname, text)
            made.avgfl = statistics.avg_field_length(fieldname) or 1
        return made

    weighting.scorer = scorer
    whoosh = Searcher(searcher.reader(), weighting=weighting)
    return {hit.docnum: hit.score for hit in whoosh.search(query, limit=None)}


def array_scores(searcher, query, run_docs: int = 1) -> dict[int, float]:
    """Scores from the arrays, segments scored in runs of up to `run_docs` documents."""
    context = searcher.context(weighting=searcher.weighting)
    scores = {}
    for run in segment_groups(searcher, run_docs):
        scorer = GroupScorer(searcher, run, context, live_statistics(searcher))
        scored = scorer.evaluate(query)
        docs = (scored.docs + scorer.base).tolist()
        scores.update(zip(docs, scored.scores.tolist(), strict=True))
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


def test_a_phrase_whose_words_first_postings_were_deleted_still_lines_up(tmp_path):
    from search.documents import Article

    articles = [Article(f"d{i}", f"江豚 {i}", "长江里的江豚。" * (1 + i % 3)) for i in range(6)]
    build_index(tmp_path / "ix", articles)
    with IndexWriterSession(open_index(tmp_path / "ix")) as session:
        session.delete(["d0", "d1"])  # the first postings of every word
    searcher = SearchEngine(tmp_path / "ix").searcher()
    phrase = wq.Phrase("text", ["长江", "里"])
    assert_same(searcher, phrase)
    assert len(array_scores(searcher, phrase)) == 4


def test_a_phrase_of_a_frequent_and_a_rare_word_reads_only_the_articles_with_both(
    tmp_path, monkeypatch
):
    from search.backends.whoosh import vectorized
    from search.documents import Article

    articles = [
        Article(f"d{i}", f"稿件{i}", "长江里的江豚。" if i % 97 == 3 else "长江两岸风光好。")
        for i in range(1000)  # 长江 in every article, in many posting blocks; 江豚 in eleven
    ]
    build_index(tmp_path / "ix", articles)
    read_in_full = []
    positions = vectorized.positions
    monkeypatch.setattr(
        vectorized,
        "positions",
        lambda r, f, text: read_in_full.append(text) or positions(r, f, text),
    )
    searcher = SearchEngine(tmp_path / "ix").searcher()
    phrase = wq.Phrase("text", ["长江", "里", "的", "江豚"])
    assert_same(searcher, phrase)
    assert len(array_scores(searcher, phrase)) == 11
    assert "江豚".encode() in read_in_full and "长江".encode() not in read_in_full


def test_a_segments_postings_are_read_once_and_shared_read_only(searcher):
    from search.backends.whoosh.vectorized import postings

    reader = searcher.reader().leaf_readers()[0][0]
    text = searcher.schema["text"].to_bytes("部门")
    docs, weights = postings(reader, "text", text)
    again = postings(reader, "text", text)
    assert again[0] is docs and again[1] is weights
    assert len(docs) == reader.doc_frequency("text", text) and not docs.flags.writeable


def test_postings_are_kept_in_32_bits_where_that_loses_nothing(searcher):
    import numpy as np

    from search.backends.whoosh.vectorized import _compact, positions, postings

    reader = searcher.reader().leaf_readers()[0][0]
    text = searcher.schema["text"].to_bytes("部门")
    docs, weights = postings(reader, "text", text)
    counts, flat = positions(reader, "text", text)
    assert docs.dtype == np.int32 and weights.dtype == np.float32
    assert counts.dtype == flat.dtype == np.int32
    # A weight 32 bits would round (a boosted field's) stays in 64.
    kept = _compact(np.array([1, 5], dtype=np.int64), np.array([1.0, 0.1]))[1]
    assert kept.dtype == np.float64 and kept[1] == 0.1


def test_segments_scored_together_in_one_run_give_whooshs_scores(tmp_path):
    from search.documents import Article

    articles = [
        Article(f"r{i}", f"江豚 {i}", ("长江里的江豚。" if i % 2 else "长江的鱼。") * (1 + i % 4))
        for i in range(60)
    ]
    index = open_or_create_index(tmp_path / "ix")
    with IndexWriterSession(index, commit_every=20) as session:
        for article in articles:
            session.add(article)
    with IndexWriterSession(open_index(tmp_path / "ix")) as session:
        session.delete(["r3", "r25", "r44"])
    searcher = SearchEngine(tmp_path / "ix").searcher()
    assert len(segment_groups(searcher, 10_000)) == 1 < len(searcher.reader().leaf_readers())
    for query in [
        wq.Term("text", "江豚"),
        wq.Or([wq.Term("text", "江豚"), wq.Term("title", "江豚", boost=2.0)]),
        wq.And([wq.Term("text", "长江"), wq.Term("text", "江豚")]),
        wq.AndNot(wq.Term("text", "长江"), wq.Term("text", "江豚")),
        wq.Phrase("text", ["长江", "里"]),
    ]:
        expected = whoosh_scores(searcher, query)
        together = array_scores(searcher, query, run_docs=10_000)
        assert together.keys() == expected.keys() and expected
        assert all(together[d] == pytest.approx(s, rel=1e-9) for d, s in expected.items())
    assert len(array_scores(searcher, wq.Term("text", "长江"), run_docs=10_000)) == 57
