import pytest
from click.testing import CliRunner

from search.backends.whoosh.engine import SearchEngine
from search.documents import Article
from search.userdict import DictionaryError, Entry, parse_line
from search.writes.words import add_words
from tests.conftest import build_index
from zhsearch.cli import main

TEXT = "贵州省毕节市七星关区的干部走访了农户。七星关区今年粮食丰收。"


@pytest.fixture(autouse=True)
def fresh_segmenter():
    """These tests teach the process-wide segmenter words; forget them afterwards."""
    from search import query, segment, userdict

    yield
    segment.get_segmenter.cache_clear()
    userdict._loaded.clear()
    query.clear_caches()


@pytest.fixture
def index_dir(tmp_path):
    return build_index(
        tmp_path / "ix",
        [
            Article("qx", "毕节新闻", TEXT),
            Article("other", "天文", "北斗七星在夜空中闪耀，海关区域监管也很严格。"),
        ],
    )


def test_user_word_makes_phrase_match_it_as_one_word(index_dir):
    runner = CliRunner()
    result = runner.invoke(main, ["dict", "add", "--index", str(index_dir), "七星关区"])
    assert result.exit_code == 0
    assert "re-analysed 1" in result.output  # only the article that contains the word
    engine = SearchEngine(index_dir)
    hit = engine.search('"七星关区"').hits[0]
    assert hit.id == "qx"
    assert "<mark>七星关区</mark>" in hit.snippet_html
    assert [h.id for h in engine.search("七星关区").hits][0] == "qx"


def test_dictionary_is_kept_with_the_index(index_dir):
    add_words(index_dir, [Entry("七星关区")])
    assert (index_dir / "userdict.txt").read_text(encoding="utf-8") == "七星关区\n"


def test_dict_load_reads_jieba_format(index_dir, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# 地名\n七星关区 10 ns\n\n毕节 5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dict", "load", "--index", str(index_dir), str(words)])
    assert result.exit_code == 0 and "added 2" in result.output


def test_bad_dictionary_line_is_refused():
    with pytest.raises(DictionaryError):
        parse_line("七星关区 10 ns extra")
    assert parse_line("七星关区 10 ns") == Entry("七星关区", 10, "ns")
