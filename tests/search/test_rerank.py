"""The best matches of a plain-word query, ordered again by how much of it their title and the
beginning of their text hold."""

from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.index import IndexWriterSession, open_or_create_index
from search.documents import Article
from search.rerank import reranked, title_coverage


def test_coverage_counts_the_query_characters_and_pairs_a_title_holds():
    assert title_coverage("银龙鱼产卵", "银龙鱼一年可以产几次卵") == (1.0, 0.5)
    assert title_coverage("ＬＯＬ英雄", "lol英雄联盟") == (1.0, 1.0)  # folded width and case
    assert title_coverage("！？", "标题") == (0.0, 0.0)


def test_a_title_with_more_of_the_query_rises_above_a_slightly_higher_score():
    titles = ["金玉良缘花絮", "金玉良缘元宝灌醉麒麟是哪一集"]
    assert reranked("金玉良缘元宝灌醉麒麟", [10.0, 9.0], titles) == [1, 0]
    same = ["金玉良缘花絮", "金玉良缘剧照"]  # as much of the query each: the score decides
    assert reranked("金玉良缘元宝灌醉麒麟", [9.0, 10.0], same) == [1, 0]


def test_a_text_that_opens_with_the_query_rises_above_one_that_only_mentions_its_words():
    query = "四川新增2例境外输入确诊病例"
    texts = [
        "深圳报告境外输入确诊病例9例，其中来自四川的旅客1例……",
        "四川省卫健委消息，四川新增2例确诊病例，均为境外输入。",
    ]
    assert reranked(query, [10.0, 9.0], ["", ""], None, texts) == [1, 0]
    assert reranked(query, [10.0, 9.0], ["", ""]) == [0, 1]  # without texts, scores decide


def test_the_articles_with_all_the_words_stay_ahead_whatever_their_titles():
    titles = ["伊春新闻", "伊春友好区卖房"]
    assert reranked("伊春友好区卖房", [3.0, 9.0], titles, [True, False]) == [0, 1]


def _engine(tmp_path, titles: list[str]) -> SearchEngine:
    index = open_or_create_index(tmp_path)
    with IndexWriterSession(index) as session:
        for n, title in enumerate(titles):
            session.add(Article(f"a{n}", title, "正文"))
    return SearchEngine(tmp_path)


def test_a_short_query_shows_its_matches_in_the_reranked_order(tmp_path, monkeypatch):
    from search import page_order

    engine_ = _engine(tmp_path, ["伊春友好区卖房", "伊春友好区房价", "伊春友好区新闻"])
    by_score = [h.id for h in engine_.search("伊春友好区").hits]
    seen = []

    def reversed_order(query, scores, titles, tiers, texts):
        seen.append((query, titles, texts))
        return list(range(len(scores)))[::-1]

    monkeypatch.setattr(page_order, "reranked", reversed_order)
    assert [h.id for h in engine_.search("伊春友好区").hits] == by_score[::-1]
    assert seen[0][0] == "伊春友好区" and len(seen[0][1]) == 3
    assert seen[0][2] == ["正文"] * 3  # the beginnings of their texts


def test_questions_and_long_queries_are_reordered_but_not_phrases_or_field_queries(
    tmp_path, monkeypatch
):
    from search import page_order

    calls = []
    monkeypatch.setattr(page_order, "reranked", lambda query, *args: calls.append(query) or [])
    engine_ = _engine(tmp_path, ["北京大学", "北京大学在哪里"])
    engine_.search("北京大学在哪里")  # a question: its words stand in the passage
    engine_.search("北京大学 " * 7)
    engine_.search('"北京大学"')  # a quoted phrase keeps the order of its scores
    engine_.search("title:北京大学")  # so does a query of one field
    assert calls == ["北京大学在哪里", ("北京大学 " * 7).strip()]


def test_pages_of_a_reordered_query_never_repeat_an_article(tmp_path):
    # Short titles that score higher, then longer ones that hold more of the query's
    # characters (卖, 房): were the reordered window to grow with the page asked for, longer
    # ones would rise past articles an earlier page had shown, and those would show again.
    titles = [f"伊春友好区新闻{n}" for n in range(25)]
    titles += [f"伊春友好区卖 房屋出租信息{n} 更多本地生活服务请关注本站" for n in range(55)]
    engine_ = _engine(tmp_path, titles)
    seen = []
    for page in range(1, 9):
        seen += [h.id for h in engine_.search("伊春友好区卖房", page=page, size=10).hits]
    assert len(seen) == len(set(seen)) == engine_.search("伊春友好区卖房").total
