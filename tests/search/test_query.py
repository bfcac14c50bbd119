import pytest

from search.query import And, Not, Or, Phrase, QueryError, Words, parse, positive_terms, to_whoosh


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('"北京大学', "引号不成对"),
        ("(北京 OR 上海", "括号不成对"),
        ("北京)", "右括号"),
        ("", "empty"),
        ("   \t ", "empty"),
        ("！？。，", "no searchable words"),
        ("NOT 北京", "no searchable words"),
        ("北京 NOT", "NOT needs a word"),
    ],
)
def test_unsearchable_queries_raise_a_readable_error(text, fragment):
    with pytest.raises(QueryError, match=fragment):
        parse(text)


def test_overlong_query_is_refused():
    with pytest.raises(QueryError, match="too long"):
        parse("北京" * 1000)


def test_plain_words_form_one_soft_group():
    assert parse("北京 大学") == Words("北京 大学", words=("北京", "大学"))


def test_operators_build_the_expected_tree():
    node = parse('title:北京 OR "人工 智能" -广州')
    assert node == Or(
        (
            Words("北京", "title", ("北京",)),
            And(
                (Phrase("人工 智能", None, ("人工", "智能")), Not(Words("广州", None, ("广州",)))),
                soft=True,
            ),
        )
    )


def test_unknown_field_prefix_is_searched_as_text():
    node = parse("foo:北京")
    assert isinstance(node, Words) and node.field is None


def test_stopwords_and_question_words_are_left_out_of_plain_queries():
    assert positive_terms(parse("范廷颂是什么时候被任命的")) == ["范廷颂", "任命"]


def test_stopwords_stay_in_phrases():
    assert positive_terms(parse('"北京的大学"')) == ["北京", "的", "大学"]


def test_a_query_of_only_stopwords_still_searches_them():
    assert positive_terms(parse("什么是")) == ["什么", "是"]


def test_strict_form_requires_every_word_and_loose_form_any():
    node = parse("东西部协作")
    assert str(to_whoosh(node, strict=True)).count(" AND ") == 1
    assert " AND " not in str(to_whoosh(node, strict=False))


def test_control_characters_are_ignored():
    assert positive_terms(parse("北京\x00\x07大学")) == ["北京", "大学"]


def test_words_unknown_to_the_index_are_recut_into_known_words():
    known = {"雷沛鸿", "尚健", "原因"}.__contains__
    assert positive_terms(parse("雷沛鸿是哪里人", known)) == ["雷沛鸿", "人"]
    assert positive_terms(parse("尚健因什么原因", known))[:2] == ["尚健", "因"]


def test_an_unknown_long_number_is_looked_for_by_its_longest_known_leading_digits():
    known = {"1396908", "139690", "13800138000", "归属地"}.__contains__
    assert positive_terms(parse("13969080920 归属地", known)) == ["1396908", "归属地"]
    assert positive_terms(parse("13800138000", known)) == ["13800138000"]  # known: as typed
    # no fewer than seven digits (a mobile number's 号段), nor shorter numbers cut at all
    assert positive_terms(parse("13969180920", known)) == ["13969180920"]
    assert positive_terms(parse("1396908", {"139690"}.__contains__)) == ["1396908"]


def test_known_words_are_left_as_jieba_cut_them():
    assert positive_terms(parse("北京大学的学生", lambda w: True)) == ["北京大学", "学生"]


def test_quoted_word_is_not_widened_to_its_subwords():
    def terms(query):
        return {text for _, text in to_whoosh(parse(query)).iter_all_terms()}

    assert terms('"北京大学"') == {"北京大学"}
    assert terms("北京大学") == {"北京大学", "北京", "大学"}


def test_title_weighs_more_for_keywords_than_for_questions():
    from search.query import field_boosts

    assert (
        field_boosts(parse("江豚"))["title"]
        > 1
        > field_boosts(parse("长江里的江豚数量最近有什么变化"))["title"]
    )


def test_chinese_quotation_marks_are_punctuation_not_phrase_operators():
    node = parse("“伍约之乱”持续了多久")
    assert isinstance(node, Words) and "持续" in node.words
    assert isinstance(parse("“北京大学"), Words)


def test_a_query_with_too_many_words_is_refused_with_a_message():
    from search.config import LIMITS

    words = [f"w{i:03d}" for i in range(LIMITS.max_query_words + 1)]
    with pytest.raises(QueryError, match="too many words"):
        parse(" ".join(words))
    parse(" ".join(words[:-1]))  # the limit itself is fine
