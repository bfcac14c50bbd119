"""Equal articles are ordered by a hash of their id, looked up one by one or read for a segment."""

import numpy as np

from search.backends.whoosh import tie_keys
from search.backends.whoosh.engine import SearchEngine
from search.backends.whoosh.segment_cache import segment_key
from search.documents import Article
from search.id_order import id_key
from tests.conftest import build_index


def one_segment(path, count: int = 80):
    articles = [Article(f"稿-{i:03d}", f"稿件{i}", "长江里的江豚。") for i in range(count)]
    searcher = SearchEngine(build_index(path, articles)).searcher()
    [(reader, _)] = searcher.reader().leaf_readers()
    return searcher, reader


def keys_read(reader) -> bool:
    return tie_keys._ID_KEYS_CACHE.has((segment_key(reader), "id"))


def test_a_looked_up_key_is_the_key_read_from_the_id_terms(tmp_path):
    searcher, reader = one_segment(tmp_path)
    everyone = np.arange(reader.doc_count_all())
    looked_up = np.concatenate([tie_keys.id_keys(searcher, everyone[i : i + 2]) for i in (0, 5)])
    assert not keys_read(reader)
    ids = [reader.stored_fields(int(d))["id"] for d in (0, 1, 5, 6)]
    assert looked_up.tolist() == [id_key(i) for i in ids]
    assert looked_up.tolist() == tie_keys.segment_id_keys(reader)[[0, 1, 5, 6]].tolist()


def test_a_few_ties_do_not_read_the_whole_segment_but_many_do(tmp_path):
    searcher, reader = one_segment(tmp_path, count=80)
    # 80 articles: lookups of up to 80 / LOOKUP_COST = 10 articles cost less than reading all.
    for start in range(0, 10, 2):
        tie_keys.id_keys(searcher, np.arange(start, start + 2))
    assert not keys_read(reader)
    keys = tie_keys.id_keys(searcher, np.arange(10, 12))
    assert keys_read(reader)
    assert keys.tolist() == tie_keys.segment_id_keys(reader)[[10, 11]].tolist()


def test_a_search_with_ties_looks_up_only_the_tied_articles_it_may_show(tmp_path):
    # Twenty pairs of equal articles, each pair's text holding 江豚 in a longer text.
    pairs = [
        Article(f"稿-{i:03d}", f"稿件{i}", "长江里的江豚。" + "两岸风光。" * (i // 2) * 4)
        for i in range(40)
    ]
    others = [Article(f"他-{i:03d}", f"稿件{i}", "长江两岸风光。") for i in range(400)]
    engine = SearchEngine(build_index(tmp_path, pairs + others))
    first = engine.ranked_ids("江豚", 10)
    assert len(set(first.scores)) == 5  # the five shortest pairs, each pair tied
    for a, b in zip(first.ids[::2], first.ids[1::2], strict=True):
        assert id_key(a) < id_key(b)
    [(reader, _)] = engine.searcher().reader().leaf_readers()
    # The thirty tied candidates for the reordered first page looked up, not 440 articles read.
    assert not keys_read(reader)
