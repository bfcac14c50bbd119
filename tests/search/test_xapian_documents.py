"""Articles as Xapian documents: zhsearch's analysis as prefixed terms with positions."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from search.analysis import query_words
from search.documents import Article

xapian = pytest.importorskip("xapian")  # Debian's python3-xapian, linked by `make xapian`

from search.backends.xapian.documents import (  # noqa: E402
    DATE_SLOT,
    SOURCE_SLOT,
    from_document,
    keyword_term,
    shard_of,
    to_document,
    unique_term,
)

ARTICLES = [
    Article(
        id="a1",
        title="北京大学举办人工智能论坛",
        text="论坛讨论了人工智能在新闻编辑中的应用。",
        date=datetime(2024, 3, 1, 9, 30),
        source="示例日报",
        category="科技",
        author="王小明",
        url="https://example.com/a1",
    ),
    Article(
        id="a2",
        title="长江江豚数量回升",
        text="禁渔以来，长江干流的江豚更常见了。人工养殖的鱼苗也放归了。",
        date=datetime(2023, 7, 9),
        source="CCTV",
        category="社会",
    ),
]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    db = xapian.WritableDatabase(str(tmp_path_factory.mktemp("shard")), xapian.DB_CREATE)
    for article in ARTICLES:
        db.replace_document(unique_term(article.id), to_document(article))
    db.commit()
    return db


def ids(db, query, sort_slot: int | None = None) -> list[str]:
    enquire = xapian.Enquire(db)
    enquire.set_query(query)
    if sort_slot is not None:
        enquire.set_sort_by_value(sort_slot, False)
    return [from_document(m.document).id for m in enquire.get_mset(0, 10)]


def words_query(prefix: str, text: str, op=xapian.Query.OP_AND):
    return xapian.Query(op, [prefix + w for w in query_words(text)])


def test_a_word_a_sub_word_and_a_phrase_find_what_the_whoosh_index_finds(database):
    assert ids(database, words_query("S", "北京大学")) == ["a1"]
    assert ids(database, words_query("S", "北京")) == ["a1"]  # a sub-word, at its word's place
    assert ids(database, words_query("", "江豚")) == ["a2"]  # the text has no prefix
    assert ids(database, words_query("S", "江豚")) == ["a2"]
    phrase = words_query("", "人工智能", xapian.Query.OP_PHRASE)
    assert ids(database, phrase) == ["a1"]  # a2 has 人工 but not next to 智能


def test_keywords_are_exact_terms_and_dates_sort(database):
    source = xapian.Query(keyword_term("source", "CCTV"))
    assert ids(database, source) == ["a2"]
    assert ids(database, xapian.Query(keyword_term("author", "王小明"))) == ["a1"]
    assert ids(database, xapian.Query.MatchAll, sort_slot=DATE_SLOT) == ["a2", "a1"]
    document = database.get_document(1)
    assert document.get_value(SOURCE_SLOT).decode() == "示例日报"


def test_the_stored_article_comes_back_whole(database):
    found = ids(database, xapian.Query(unique_term("a1")))
    assert found == ["a1"]
    back = from_document(database.get_document(1))
    assert back.title == ARTICLES[0].title and back.url == ARTICLES[0].url
    assert back.date.isoformat() == "2024-03-01T09:30:00+08:00"


def test_an_id_always_goes_to_the_same_shard_and_ids_spread_evenly():
    assert shard_of("a1", 3) == shard_of("a1", 3)
    counts = Counter(shard_of(f"news-{n}", 3) for n in range(3000))
    assert set(counts) == {0, 1, 2} and min(counts.values()) > 900
