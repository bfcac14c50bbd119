from search.suggest import Lexicon, corrected_query, pinyin_keys


def _lexicon() -> Lexicon:
    words = {"广州": 5, "工作": 9, "广场": 2, "北京": 7, "背景": 3, "协作": 4, "marathon": 2}
    titles = [("广州花市迎春", "t1"), ("北京马拉松开跑", "t2")]
    return Lexicon(words, titles)


def test_pinyin_keys_are_toneless_syllables_and_initials():
    assert pinyin_keys("广州") == ("guangzhou", "gz")


def test_full_pinyin_and_initials_complete_to_indexed_words():
    lexicon = _lexicon()
    assert [s.text for s in lexicon.complete("guangzh") if s.kind == "word"] == ["广州"]
    assert [s.text for s in lexicon.complete("gz") if s.kind == "word"] == ["工作", "广州"]


def test_chinese_prefix_completes_words_by_frequency_then_titles():
    suggestions = _lexicon().complete("广")
    assert [(s.text, s.kind) for s in suggestions] == [
        ("广州", "word"),
        ("广场", "word"),
        ("广州花市迎春", "title"),
    ]
    assert suggestions[-1].id == "t1"


def test_only_the_last_word_of_several_is_completed():
    assert [s.text for s in _lexicon().complete("北京 xie")] == ["北京 协作"]


def test_homophones_correct_words_the_index_does_not_hold():
    lexicon = _lexicon()
    assert corrected_query("北惊", lexicon) == "北京"  # the more frequent of 北京 / 背景
    assert corrected_query("beijing 马拉松", lexicon) == "北京 马拉松"
    assert corrected_query("北京", lexicon) is None  # nothing to correct
