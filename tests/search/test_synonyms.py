"""Synonyms and abbreviations: each finds the others, one-way stays one way, counted a little
less than the word typed, never inside another word, and a quoted phrase means what it says."""

from __future__ import annotations

import pytest

from search.backends.whoosh.engine import SearchEngine
from search.documents import Article
from search.synonyms import Rules, SynonymError, SynonymStore, parse_rules, unreached
from tests.conftest import build_index

ARTICLES = [
    Article("gz", "广州地铁新线开通", "广州地铁新线今天开通，市民乘车更加方便。"),
    Article("sui", "穗港澳合作论坛举行", "论坛在穗举行，三地代表共商合作。"),
    Article("yc", "羊城晚报创刊纪念", "羊城的读者回忆这份报纸的历史。"),
    Article("maisui", "麦穗饱满丰收在望", "田里的麦穗饱满，农民期待丰收。"),
    Article("xinguan", "新冠疫苗接种", "社区开展新冠疫苗接种工作。"),
    Article("full", "新型冠状病毒防控", "专家介绍新型冠状病毒的防控知识。"),
    Article("apart", "疫苗研究进展", "新型的疫苗对冠状病毒有效。"),  # the words, not in a row
]


@pytest.fixture
def engine(tmp_path):
    index_dir = build_index(tmp_path / "index", ARTICLES)
    store = SynonymStore(index_dir)
    store.save(parse_rules("广州 穗 羊城\n新冠 => 新型冠状病毒\n"))
    return SearchEngine(index_dir), store


def ids(results) -> set[str]:
    return {hit.id for hit in results.hits}


def test_words_of_a_set_find_each_other(engine):
    search, _ = engine
    assert ids(search.search("广州")) == {"gz", "sui", "yc"}
    assert ids(search.search("羊城")) == {"gz", "sui", "yc"}


def test_the_word_typed_counts_more_than_its_synonyms(engine):
    search, _ = engine
    assert search.search("广州").hits[0].id == "gz"


def test_a_single_character_synonym_never_matches_inside_another_word(engine):
    search, _ = engine
    assert "maisui" not in ids(search.search("广州"))
    assert "maisui" in ids(search.search("麦穗"))


def test_one_way_rules_stay_one_way_and_several_words_match_in_a_row(engine):
    search, _ = engine
    assert ids(search.search("新冠")) == {"xinguan", "full"}  # not "apart"
    assert ids(search.search("新型冠状病毒")) == {"full", "apart"}  # typed: any order


def test_a_quoted_phrase_uses_no_synonyms_and_a_field_query_does(engine):
    search, _ = engine
    assert ids(search.search('"广州"')) == {"gz"}
    assert ids(search.search("title:广州")) == {"gz", "sui", "yc"}


def test_the_results_say_which_synonyms_were_used_and_mark_them(engine):
    search, _ = engine
    results = search.search("广州")
    assert results.to_dict()["expanded"] == {"广州": ["穗", "羊城"]}
    snippet = next(hit for hit in results.hits if hit.id == "sui").title_html
    assert "<mark>穗</mark>" in snippet
    assert search.search('"广州"').to_dict()["expanded"] == {}


def test_a_change_applies_at_the_next_search_without_reindexing(engine):
    search, store = engine
    assert ids(search.search("麦子")) == set()
    store.save(store.rules().with_set(["麦子", "麦穗"]))
    assert ids(search.search("麦子")) == {"maisui"}
    store.save(store.rules().without(["麦穗"])[0])
    assert ids(search.search("麦子")) == set()


def test_a_broken_file_leaves_searching_on_the_last_good_rules(engine):
    search, store = engine
    assert len(ids(search.search("广州"))) == 3
    store.path.write_text("广州\n", encoding="utf-8")  # a set of one word
    assert len(ids(search.search("广州"))) == 3


def test_rules_read_and_written_in_their_text_format():
    rules = parse_rules("# 省市简称\n广州，穗、羊城\n新冠 => 新型冠状病毒 新冠肺炎\n\n")
    assert rules.sets == (("广州", "穗", "羊城"),)
    assert rules.one_way == (("新冠", ("新型冠状病毒", "新冠肺炎")),)
    assert parse_rules(rules.to_text()) == rules
    assert rules.finds("廣州") == ["穗", "羊城"]  # folded as the analyser folds


def test_removing_a_word_drops_every_rule_that_names_it():
    rules = parse_rules("广州 穗\n新冠 => 新型冠状病毒\n京 北京\n")
    kept, removed = rules.without(["新型冠状病毒", "穗"])
    assert removed == 2 and kept.sets == (("京", "北京"),) and kept.one_way == ()


@pytest.mark.parametrize(
    "text",
    ["广州\n", "新冠 =>\n", "a b => c\n", "广州 廣州\n"],
    ids=["one word", "nothing after =>", "two words before =>", "the same word twice"],
)
def test_a_bad_line_is_refused_with_its_number(text):
    with pytest.raises(SynonymError, match="第 1 行"):
        parse_rules(text)


def test_rules_start_empty():
    assert Rules().finds("广州") == []


def test_words_that_a_query_would_cut_in_several_are_warned_of():
    rules = parse_rules("发改委 国家发展和改革委员会\n新冠 => 新型冠状病毒\n广州 穗\n")
    (warning,) = unreached(rules)
    assert "国家发展和改革委员会" in warning and "zhsearch dict add" in warning
