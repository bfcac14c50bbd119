"""Compiled queries as Xapian queries: every query of the query language matches on a Xapian
database what it matches on the Whoosh index of the same articles."""

from __future__ import annotations

import pytest
from whoosh import query as wq
from whoosh.index import open_dir

from search.query import parse, ranking_query
from tests.conftest import SAMPLE_ARTICLES

xapian = pytest.importorskip("xapian")  # Debian's python3-xapian, linked by `make xapian`

from search.backends.xapian.documents import from_document, to_document, unique_term  # noqa: E402
from search.backends.xapian.query import Untranslatable, term_name, to_xapian  # noqa: E402

QUERIES = [
    "北京",  # a word in titles and texts
    "北京大学",  # a word and its sub-words
    "北京 大学",  # two words: all words first, then either
    "北京 -烤鸭",  # a negated word
    "大学 NOT 胡同",
    "北京 OR 长江",
    "北京 AND 胡同",
    '"北京大学"',  # a phrase
    '"北京的胡同"',
    "title:长江",  # one field
    "长江 江豚 数量",  # a question-like run of words, with proximity pairs
    "臺灣高鐵",  # traditional characters, folded
    "source:示例日报",  # a keyword field
    "火星",  # a word no article has
]


@pytest.fixture(scope="module")
def xapian_db(tmp_path_factory):
    db = xapian.WritableDatabase(str(tmp_path_factory.mktemp("xq")), xapian.DB_CREATE)
    for article in SAMPLE_ARTICLES:
        db.replace_document(unique_term(article.id), to_document(article))
    db.commit()
    return db


def xapian_ranking(db, query: wq.Query) -> list[tuple[str, float]]:
    enquire = xapian.Enquire(db)
    enquire.set_query(to_xapian(query))
    return [(from_document(m.document).id, m.weight) for m in enquire.get_mset(0, 100)]


def whoosh_ids(index_dir, query: wq.Query) -> set[str]:
    with open_dir(str(index_dir)).searcher() as searcher:
        return {hit["id"] for hit in searcher.search(query, limit=None)}


@pytest.mark.parametrize("text", QUERIES)
def test_a_query_matches_the_same_articles_on_both_backends(text, xapian_db, sample_index):
    compiled = ranking_query(parse(text))
    assert {article_id for article_id, _ in xapian_ranking(xapian_db, compiled)} == whoosh_ids(
        sample_index, compiled
    )


def test_the_all_words_tier_and_the_phrase_window(xapian_db):
    ranking = xapian_ranking(xapian_db, ranking_query(parse("北京 大学")))
    ids = [article_id for article_id, _ in ranking]
    both = {"a1", "a4"}  # 北京大学 holds 北京 and 大学 as sub-words; a4 has 大学生 and 北京
    assert set(ids[: len(both)]) == both
    assert ranking[0][1] > 1e6 > ranking[len(both)][1]
    # "北京的胡同": a phrase of three words, side by side only
    assert [i for i, _ in xapian_ranking(xapian_db, ranking_query(parse('"北京的胡同"')))] == ["a4"]
    loose = wq.Phrase("text", ["北京", "胡同"], slop=2)  # at most one word between
    assert [i for i, _ in xapian_ranking(xapian_db, loose)] == ["a4"]
    assert xapian_ranking(xapian_db, wq.Phrase("text", ["北京", "胡同"], slop=1)) == []


@pytest.mark.parametrize(
    "compiled",
    [
        wq.Not(wq.Term("text", "北京")),
        wq.Every(),
        wq.NullQuery,
        wq.And([wq.Every(), wq.Term("text", "长江")]),
    ],
    ids=["not", "every", "nothing", "every-and-word"],
)
def test_the_whole_and_the_empty_archive_match_alike(compiled, xapian_db, sample_index):
    assert {article_id for article_id, _ in xapian_ranking(xapian_db, compiled)} == whoosh_ids(
        sample_index, compiled
    )


def test_a_boost_scales_the_weight(xapian_db):
    plain = dict(xapian_ranking(xapian_db, wq.Term("text", "长江")))
    boosted = dict(xapian_ranking(xapian_db, wq.Term("text", "长江", boost=3.0)))
    assert boosted["a3"] == pytest.approx(3.0 * plain["a3"])


def test_terms_carry_their_fields_prefix():
    assert term_name("title", "长江") == "S长江"
    assert term_name("text", "长江") == "长江"
    assert term_name("source", "CCTV") == "XSOURCE:CCTV"


def test_a_query_of_an_unknown_kind_is_refused_by_name():
    with pytest.raises(Untranslatable, match="Wildcard"):
        to_xapian(wq.Wildcard("text", "北*"))
