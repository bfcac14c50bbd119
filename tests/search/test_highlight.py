from search.highlight import highlight, snippet


def test_snippet_comes_from_the_sentence_with_the_most_query_words():
    text = "开头介绍天气。" * 5 + "江豚在长江里游泳。" + "结尾说别的事情。" * 5
    html = snippet(text, {"江豚", "长江"}, max_chars=40)
    assert "<mark>江豚</mark>在<mark>长江</mark>里游泳" in html
    assert html.startswith("…")


def test_snippet_finds_a_match_late_in_a_long_article():
    text = "无关的内容。" * 3000 + "最后一句提到了量子计算。"
    html = snippet(text, {"量子"}, max_chars=80)
    assert "<mark>量子</mark>" in html and len(html) < 200


def test_snippet_without_a_match_shows_the_beginning():
    assert snippet("第一句。第二句。", {"不存在"}, max_chars=100) == "第一句。第二句。"


def test_touching_words_share_one_mark():
    assert highlight("东西部协作", {"东西部", "协作"}) == "<mark>东西部协作</mark>"


def test_everything_outside_marks_is_escaped():
    assert highlight('<a href="x">北京</a>', {"北京"}) == (
        "&lt;a href=&quot;x&quot;&gt;<mark>北京</mark>&lt;/a&gt;"
    )
