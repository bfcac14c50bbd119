import pytest

from search.backends.whoosh.engine import SearchEngine
from search.documents import Article
from search.query import QueryError
from tests.conftest import build_index


def ids(results):
    return [hit.id for hit in results.hits]


def test_quoted_phrase_matches_only_contiguous_words(tmp_path):
    engine = SearchEngine(
        build_index(
            tmp_path / "ix",
            [
                Article("together", "一", "我们研究人工智能的应用。"),
                Article("apart", "二", "人工种植的树木很多，智能手机也很多。"),
            ],
        )
    )
    assert ids(engine.search('"人工智能"')) == ["together"]
    assert set(ids(engine.search("人工 智能"))) == {"together", "apart"}


def test_phrase_of_several_words_matches_them_in_order(tmp_path):
    engine = SearchEngine(
        build_index(
            tmp_path / "ix",
            [
                Article("ordered", "一", "长江流域的生态保护成效显著。"),
                Article("reversed", "二", "生态保护要从长江流域做起，流域治理要久久为功。"),
            ],
        )
    )
    assert ids(engine.search('"流域的生态"')) == ["ordered"]
    assert set(ids(engine.search("流域的生态"))) == {"ordered", "reversed"}


def test_subword_query_finds_the_word_it_is_part_of(sample_engine):
    # 北京 is a sub-word of 北京大学 in a1's title and text
    assert "a1" in ids(sample_engine.search("北京"))
    assert ids(sample_engine.search('"北京大学"')) == ["a1"]


def test_query_for_marx_highlights_marx_as_one_span(sample_engine):
    hit = next(h for h in sample_engine.search("马克思").hits if h.id == "a2")
    assert "<mark>马克思</mark>主义" in hit.title_html
    assert "<mark>马克</mark>" not in hit.title_html + hit.snippet_html


def test_articles_with_all_the_words_rank_first(sample_engine):
    results = sample_engine.search("北京 大学生 胡同")
    assert ids(results)[0] == "a4"
    assert results.total > 1  # articles with some of the words follow


def test_long_question_with_a_missing_word_still_finds_answers(sample_engine):
    results = sample_engine.search("长江禁渔以后江豚和白鳍豚的数量有什么变化")
    assert ids(results)[0] == "a3"


def test_not_and_minus_exclude_articles(sample_engine):
    assert "a6" not in ids(sample_engine.search("北京 -烤鸭"))
    assert "a6" not in ids(sample_engine.search("北京 NOT 烤鸭"))
    assert "a6" in ids(sample_engine.search("北京"))


def test_or_finds_either_word(sample_engine):
    assert set(ids(sample_engine.search("江豚 OR 烤鸭"))) == {"a3", "a6"}


def test_explicit_and_requires_both_words(sample_engine):
    assert ids(sample_engine.search("北京 AND 烤鸭")) == ["a6"]


def test_title_prefix_searches_titles_only(sample_engine):
    assert set(ids(sample_engine.search("title:北京"))) == {"a1", "a4", "a6"}
    assert ids(sample_engine.search("title:江豚")) == []


def test_keyword_field_prefix_filters_exactly(sample_engine):
    assert set(ids(sample_engine.search("source:样例晚报"))) == {"a2", "a6"}


def test_simplified_query_finds_traditional_article_and_marks_original_text(sample_engine):
    hit = sample_engine.search("台湾高铁").hits[0]
    assert hit.id == "a5"
    assert "<mark>臺灣高鐵</mark>" in hit.title_html


def test_traditional_query_finds_simplified_article(sample_engine):
    assert ids(sample_engine.search("長江"))[0] == "a3"


def test_total_and_paging_are_consistent(sample_engine):
    everything = sample_engine.search("北京", size=10)
    first, second = sample_engine.search("北京", 1, 2), sample_engine.search("北京", 2, 2)
    assert first.total == second.total == everything.total >= 3
    assert ids(first) + ids(second) == ids(everything)[:4]


def test_sort_by_newest_orders_by_date(sample_engine):
    results = sample_engine.search("北京", sort="newest")
    dates = [hit.date for hit in results.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 3


def test_hits_carry_metadata_and_iso_dates(sample_engine):
    hit = sample_engine.search('"未名湖"').hits[0]
    assert (hit.id, hit.source, hit.category) == ("a1", "示例日报", "教育")
    assert hit.date == "2024-09-01T09:00:00+08:00"


def test_html_in_articles_is_escaped_in_highlights(tmp_path):
    engine = SearchEngine(
        build_index(
            tmp_path / "ix",
            [
                Article("x", "<b>标题</b>北京", "正文<script>alert(1)</script>北京新闻"),
            ],
        )
    )
    hit = engine.search("北京").hits[0]
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert hit.title_html == "&lt;b&gt;标题&lt;/b&gt;<mark>北京</mark>"


def test_a_query_with_nothing_to_search_for_raises_query_error(sample_engine):
    with pytest.raises(QueryError):
        sample_engine.search("！？。，")


def test_searcher_sees_new_commits_without_restart(tmp_path):
    index_dir = build_index(tmp_path / "ix", [Article("old", "旧文章", "第一篇")])
    engine = SearchEngine(index_dir)
    assert engine.search("文章").total == 1
    build_index(index_dir, [Article("new", "新文章", "第二篇")])
    assert engine.search("文章").total == 2


def test_unknown_name_glued_to_a_neighbour_is_still_found(tmp_path):
    from search.analysis import analyze

    text = "教育家雷沛鸿说教育要面向大众。"
    assert "雷沛鸿" not in [t.text for t in analyze(text)]  # jieba glued the name: 雷沛鸿说
    engine = SearchEngine(build_index(tmp_path / "ix", [Article("lei", "人物", text)]))
    assert ids(engine.search("雷沛鸿")) == ["lei"]


def test_a_mobile_number_finds_the_pages_of_its_number_block(tmp_path):
    engine = SearchEngine(
        build_index(
            tmp_path / "ix",
            [
                Article("block", "1396908号段归属地", "1396908号段是山东省济南市的移动号段。"),
                Article("other", "1376085号段归属地", "1376085号段是广东省广州市的号段。"),
            ],
        )
    )
    results = engine.search("13969080920")
    assert ids(results) == ["block"]
    assert "<mark>1396908</mark>" in results.hits[0].title_html
    assert [note.kind for note in results.notes] == ["number_prefix"]


def test_a_model_name_is_found_written_apart_or_together(tmp_path):
    engine = SearchEngine(
        build_index(
            tmp_path / "ix",
            [
                Article("together", "新品", "OPPO5S手机今日上市。"),
                Article("apart", "评测", "oppo 5s 与三星对比评测。"),
                Article("other", "其他", "华为手机今日上市。"),
            ],
        )
    )
    assert set(ids(engine.search("oppo5s"))) == {"together", "apart"}
    assert set(ids(engine.search("oppo 5s"))) == {"together", "apart"}


def test_query_word_cut_differently_from_the_index_is_recut(tmp_path):
    engine = SearchEngine(
        build_index(tmp_path / "ix", [Article("r", "人物", "荣昊效力于中超球队，司职后卫。")])
    )
    # jieba cuts the question's 荣昊现 as one unknown word; the index knows 荣昊
    assert ids(engine.search("荣昊现效力于哪支球队")) == ["r"]


def test_engine_on_an_empty_index_answers_and_sees_the_first_commit(tmp_path):
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_or_create_index
    from search.documents import Article

    index = open_or_create_index(tmp_path / "index")
    engine = SearchEngine(tmp_path / "index")
    assert engine.search("北京").total == 0
    assert engine.search("北京").total == 0  # a second search refreshes the searcher
    with IndexWriterSession(index) as session:
        session.add(Article("x1", "北京新闻", "北京的新闻。"))
    assert [hit.id for hit in engine.search("北京").hits] == ["x1"]


def test_a_question_that_cuts_through_an_unknown_name_still_finds_it(tmp_path):
    from search.query import parse

    articles = [
        Article("name", "拉露", "玛赛乐·拉露，法国西藏学家，1890年生于巴黎。"),
        Article("other", "退潮", "湖水退去，礁石露出水面。"),
        *(Article(f"d{i}", f"新闻{i}", f"第{i}条消息：今天天气晴朗。") for i in range(8)),
    ]
    engine = SearchEngine(build_index(tmp_path / "ix", articles))
    question = "拉露出生在什么地方？"  # jieba cuts the question 拉 | 露出 | 生
    assert "拉露" not in parse(question).words
    assert parse(question, engine._vocabulary(engine.searcher())).name_pairs == ("#拉露",)
    assert ids(engine.search(question))[0] == "name"


def test_a_three_word_question_is_not_ranked_all_words_first(tmp_path):
    articles = [
        Article("answer", "中国国际贸易中心", "中国国际贸易中心位于北京朝阳区。"),
        # has every word of the question, two of them only as pieces of other words
        Article("pieces", "贸易", "这个地方的国际贸易中心位于港口。国际贸易"),
    ]
    engine = SearchEngine(build_index(tmp_path / "ix", articles))
    assert ids(engine.search("中国国际贸易中心位于什么地方？"))[0] == "answer"


def test_all_words_first_asks_for_the_words_themselves_not_their_pieces(tmp_path):
    articles = [
        Article("whole", "校庆", "北京大学举办校庆，北京大学的新生参加。"),
        Article("pieces", "新生", "北京的一所大学迎来新生，新生很多，新生报到。"),
    ]
    engine = SearchEngine(build_index(tmp_path / "ix", articles))
    assert ids(engine.search("北京大学 新生")) == ["whole", "pieces"]


def test_a_refreshed_searcher_sees_deletions_in_old_segments_and_merges(tmp_path):
    """Whoosh's own refresh reuses a segment's reader with its old deletions, and keeps the
    segments a merge removed: replaced and deleted articles stayed findable."""
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_or_create_index

    index = open_or_create_index(tmp_path / "ix")
    for n in range(3):  # three commits, three segments
        with IndexWriterSession(index) as session:
            session.add(Article(f"p{n}", f"鸭嘴兽第{n}篇", "鸭嘴兽生活在澳大利亚。"))
    engine = SearchEngine(tmp_path / "ix")
    assert engine.search("鸭嘴兽").total == 3

    with IndexWriterSession(index) as session:
        session.delete(["p0"])
        session.update(Article("p1", "鸭嘴兽新篇", "改写后的鸭嘴兽。"))
    hits = engine.search("鸭嘴兽", size=10).hits
    assert sorted(h.id for h in hits) == ["p1", "p2"]
    assert engine.document("p1").title == "鸭嘴兽新篇"

    index.writer().commit(optimize=True)  # one merged segment; the old ones' files are gone
    assert sorted(h.id for h in engine.search("鸭嘴兽", size=10).hits) == ["p1", "p2"]
