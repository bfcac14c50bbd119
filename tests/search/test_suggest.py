from search.suggest import Lexicon, corrected_query, pinyin_keys


def _lexicon() -> Lexicon:
    words = {"广州": 5, "工作": 9, "广场": 2, "北京": 7, "背景": 3, "协作": 4, "marathon": 2}
    titles = [("广州花市迎春", "t1"), ("北京马拉松开跑", "t2")]
    return Lexicon.build(words, titles)


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


def _index(tmp_path):
    from search.documents import Article
    from tests.conftest import build_index

    articles = [
        Article("g1", "广州花市迎春", "广州的花市开了。"),
        Article("g2", "北京协作", "北京协作。"),
    ]
    return build_index(tmp_path / "index", articles)


def test_the_lexicon_is_built_once_beside_the_index_and_read_by_other_processes(tmp_path):
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.lexicon_file import index_version, lexicon_path

    index_dir = _index(tmp_path)
    first = SearchEngine(index_dir)
    assert first.lexicon(wait=60).knows("广州")
    version = index_version(first.searcher().reader())
    assert Lexicon.open(lexicon_path(index_dir)).version == version

    second = SearchEngine(index_dir)  # as another server process would: reads the file
    assert [s.text for s in second.suggest("guangz") if s.kind == "word"] == ["广州"]
    assert second._lexicon_build is None  # nothing was built again


def test_after_a_commit_the_next_lexicon_is_built_and_the_old_one_answers_meanwhile(
    tmp_path, monkeypatch
):
    from dataclasses import replace

    import search.backends.whoosh.engine
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_index
    from search.documents import Article

    no_wait = replace(search.backends.whoosh.engine.SERVING, lexicon_min_age_seconds=0)
    monkeypatch.setattr(search.backends.whoosh.engine, "SERVING", no_wait)
    index_dir = _index(tmp_path)
    engine = SearchEngine(index_dir)
    assert engine.lexicon(wait=60).knows("广州") and not engine.lexicon().knows("深圳")
    with IndexWriterSession(open_index(index_dir)) as session:
        session.add(Article("g3", "深圳湾", "深圳湾的清晨。"))
    assert engine.lexicon(wait=0).knows("广州")  # the old one, while the new one is built
    engine._lexicon_build.join(60)
    assert engine.lexicon().knows("深圳")


def test_a_lexicon_younger_than_its_minimum_age_is_not_built_again_after_a_commit(tmp_path):
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_index
    from search.documents import Article

    index_dir = _index(tmp_path)
    engine = SearchEngine(index_dir)
    assert engine.lexicon(wait=60).knows("广州")
    first_build = engine._lexicon_build
    with IndexWriterSession(open_index(index_dir)) as session:
        session.add(Article("g3", "深圳湾", "深圳湾的清晨。"))
    assert engine.lexicon(wait=0).knows("广州")
    assert engine._lexicon_build is first_build  # writes commit every second: no build each


def test_where_the_file_cannot_be_written_the_lexicon_is_built_in_memory(tmp_path, monkeypatch):
    import search.backends.whoosh.engine
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.lexicon_file import lexicon_path

    index_dir = _index(tmp_path)
    monkeypatch.setattr(
        search.backends.whoosh.engine, "build_in_subprocess", lambda index_dir: "read-only"
    )
    engine = SearchEngine(index_dir)
    assert engine.lexicon(wait=60).knows("广州")
    assert not lexicon_path(index_dir).exists()


def test_a_server_process_corrects_typos_from_the_file_without_loading_pypinyin(tmp_path):
    import subprocess
    import sys

    from search.backends.whoosh.engine import SearchEngine

    index_dir = _index(tmp_path)
    assert SearchEngine(index_dir).lexicon(wait=60).knows("广州")
    check = (
        "import sys; from pathlib import Path;"
        "from search.backends.whoosh.lexicon_file import open_lexicon;"
        "from search.suggest import corrected_query;"
        f"print(corrected_query('光州', open_lexicon(Path({str(index_dir)!r}))),"
        "'pypinyin' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["广州", "False"]


def test_a_failed_lexicon_build_says_what_went_wrong(tmp_path):
    from search.backends.whoosh.lexicon_file import build_in_subprocess

    problem = build_in_subprocess(tmp_path / "no-such-index")
    assert problem and "no-such-index" in problem


def test_a_damaged_lexicon_file_is_built_again(tmp_path):
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.lexicon_file import lexicon_path

    index_dir = _index(tmp_path)
    lexicon_path(index_dir).write_bytes(b"not a database" * 100)
    assert SearchEngine(index_dir).lexicon(wait=60).knows("广州")
    assert Lexicon.open(lexicon_path(index_dir)).knows("广州")
