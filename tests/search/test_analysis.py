import json

from search.analysis import INDEX, QUERY, analyze, query_words
from search.normalize import fold
from search.segment import get_segmenter, make_segmenter
from tests.conftest import CORPUS, shared_corpora


def words(text, mode=QUERY):
    return [t.text for t in analyze(text, mode) if not t.subword]


def test_words_get_consecutive_positions_from_zero():
    terms = analyze("我们在北京大学学习人工智能。", QUERY)
    assert [t.pos for t in terms] == list(range(len(terms)))


def test_offsets_point_exactly_into_the_original_text():
    text = "Ｈｅｌｌｏ，北京大学！马克思主义ＡＢＣ２０２４年"
    for term in analyze(text, INDEX):
        assert fold(text[term.start : term.end]) == term.text


def test_index_mode_adds_subwords_at_the_position_of_their_word():
    terms = analyze("我来到北京大学", INDEX)
    whole = {t.text: t.pos for t in terms if not t.subword}
    subwords = {t.text: t.pos for t in terms if t.subword}
    assert whole["北京大学"] == 2
    assert subwords == {"北京": 2, "大学": 2}
    # sub-words do not shift the positions of the words that follow them
    assert [t.pos for t in terms if not t.subword] == [0, 1, 2]


def test_query_mode_keeps_words_whole():
    assert query_words("马克思") == ["马克思"]
    assert query_words("北京大学") == ["北京大学"]
    assert all(not t.subword for t in analyze("中华人民共和国成立", QUERY))


def test_punctuation_is_dropped_and_latin_is_split_on_it():
    assert query_words("Ming-yee，你好！") == ["ming", "yee", "你好"]


def test_a_model_name_of_letters_and_digits_is_also_found_by_its_runs():
    terms = analyze("iPhone8上市，OPPO5S降价", INDEX)
    subwords = {(t.text, t.pos) for t in terms if t.subword}
    assert subwords == {("iphone", 0), ("8", 0), ("oppo", 2), ("5", 2), ("s", 2)}
    assert words("iPhone8上市，OPPO5S降价", INDEX) == ["iphone8", "上市", "oppo5s", "降价"]
    assert query_words("iPhone8") == ["iphone8"]  # the query still asks for the model itself
    assert not any(t.subword for t in analyze("2024年 mp", INDEX))  # one kind alone: no runs


def test_dictionary_words_with_capitals_survive_case_folding():
    assert query_words("A股市场") == ["a股", "市场"]


def test_fullwidth_and_uppercase_fold_to_halfwidth_lowercase():
    assert query_words("ＡＢＣ１２３") == query_words("abc123")
    assert fold("ＡＢＣ") == "abc" and fold("Ｈｅｌｌｏ") == "hello"


def test_traditional_characters_fold_to_simplified():
    assert query_words("臺灣高鐵") == query_words("台湾高铁")
    assert len(fold("臺灣發展經濟")) == len("臺灣發展經濟")


def test_segmentation_dictionary_loads_once_per_process():
    assert get_segmenter() is get_segmenter()


def _sample_texts():
    texts = []
    for line in (CORPUS / "news-2024.jsonl").read_text(encoding="utf-8").splitlines():
        texts.append(json.loads(line)["text"])
    passages = shared_corpora() / "cmrc2018" / "passages.jsonl"
    if passages.exists():
        with passages.open(encoding="utf-8") as lines:
            texts += [json.loads(next(lines))["text"] for _ in range(300)]
    return texts


def test_rjieba_and_jieba_give_the_same_terms(monkeypatch):
    """The fast backend must not change what is indexed: same terms, positions, offsets.

    The two implementations' HMMs disagree on rare unknown-word runs (seen: one run in 300
    Wikipedia passages, 常在矮…), so the pin is: demo texts identical, at most 1 % of the
    sample's texts and 0.1 % of its terms different.
    """
    import search.analysis as analysis

    fast, reference = make_segmenter("rjieba"), make_segmenter("jieba")
    assert (fast.name, reference.name) == ("rjieba", "jieba")
    texts = _sample_texts()
    differing_texts = differing_terms = total_terms = 0
    for number, text in enumerate(texts):
        for mode in (INDEX, QUERY):
            monkeypatch.setattr(analysis, "get_segmenter", lambda: fast)
            from_fast = analyze(text, mode)
            monkeypatch.setattr(analysis, "get_segmenter", lambda: reference)
            from_reference = analyze(text, mode)
            total_terms += len(from_reference)
            if from_fast != from_reference:
                assert number >= 20, f"demo text {number} differs in {mode} mode"
                differing_texts += 1
                # positions shift after a differing word, so compare spans, not positions
                spans = {(t.text, t.start, t.end) for t in from_fast}
                differing_terms += len(spans ^ {(t.text, t.start, t.end) for t in from_reference})
    assert differing_texts <= 0.01 * 2 * len(texts)
    assert differing_terms <= 0.001 * total_terms
