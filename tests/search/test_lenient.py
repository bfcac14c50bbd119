"""Reading what readers type: what the query language refuses is searched as plain words or
cut to the limit, with a note; only a query with nothing to search for is refused."""

import pytest

from search.config import LIMITS
from search.lenient import as_plain_words, read_query
from search.query import And, Not, QueryError, Words, all_words, parse


def test_a_query_the_language_reads_is_read_as_typed_without_notes():
    read = read_query('北京 "大学生" -上海')
    assert read.node == parse('北京 "大学生" -上海') and read.notes == ()


@pytest.mark.parametrize(
    "typed, words",
    [
        ('"人工智能', ("人工智能",)),
        ("(北京 OR 上海）", ("北京", "上海")),  # closed by a full-width parenthesis
        ("北京)", ("北京",)),
        ("-足球", ("足球",)),
        ("NOT 北京", ("北京",)),
        ("北京 NOT", ("北京",)),
    ],
)
def test_operators_that_cannot_be_read_are_dropped_and_the_words_searched(typed, words):
    read = read_query(typed)
    assert isinstance(read.node, Words) and read.node.words == words
    (note,) = read.notes
    assert note.kind == "plain_words" and "plain words" in note.message


def test_a_pasted_paragraph_is_cut_to_the_word_limit_keeping_its_first_words():
    words = [f"w{n:03d}" for n in range(LIMITS.max_query_words + 25)]
    read = read_query(" ".join(words))
    assert list(read.node.words) == words[: LIMITS.max_query_words]
    assert [n.kind for n in read.notes] == ["cut"]


def test_a_cut_keeps_the_operators_of_the_words_it_keeps():
    words = " ".join(f"w{n:03d}" for n in range(LIMITS.max_query_words))
    read = read_query(f"-排除 {words} 多余")
    assert len(all_words(read.node)) == LIMITS.max_query_words
    assert isinstance(read.node, And) and isinstance(read.node.children[0], Not)


def test_a_query_over_the_character_limit_is_cut_to_it():
    read = read_query("北京" + "，" * (LIMITS.max_query_chars + 100) + "上海")
    assert read.node.words == ("北京",) and [n.kind for n in read.notes] == ["cut"]


@pytest.mark.parametrize("typed", ["", "   ", "！？。，", '"', "( )", "-"])
def test_a_query_with_nothing_to_search_for_is_still_refused(typed):
    with pytest.raises(QueryError):
        read_query(typed)


def test_plain_words_are_the_text_without_its_operators():
    assert as_plain_words('"北京 (大学） AND -上海 ||') == "北京 大学 上海"


def test_a_long_number_searched_by_its_leading_digits_says_so():
    known = {"1396908", "归属地", "13800138000"}.__contains__
    read = read_query("13969080920 归属地", known)
    assert read.node.words == ("1396908", "归属地")
    (note,) = read.notes
    assert note.kind == "number_prefix" and "1396908" in note.message
    assert read_query("13800138000", known).notes == ()  # found as typed: nothing to say
    assert read_query("13969180920", known).notes == ()  # nothing found for it either way
