from search.backends.whoosh.segment_cache import SegmentCache


def test_least_recently_used_values_go_once_the_weight_limit_is_passed():
    cache = SegmentCache(limit=5, weigh=len)
    built = []

    def build(value):
        return lambda: built.append(value) or value

    cache.get("a", build("aa"))
    cache.get("b", build("bb"))
    cache.get("a", build("never"))  # a hit: "a" becomes the most recently used
    cache.get("c", build("cc"))  # weight 6 > 5: "b", the least recently used, goes
    cache.get("a", build("never"))
    cache.get("b", build("bb"))
    assert built == ["aa", "bb", "cc", "bb"]


def test_a_reader_without_a_segment_is_never_cached():
    cache = SegmentCache(limit=10)
    built = []
    for _ in range(2):
        cache.get(None, lambda: built.append(1) or 1)
    assert built == [1, 1]


def test_entries_of_empty_arrays_weigh_what_their_keys_cost():
    import numpy as np

    from search.backends.whoosh.segment_cache import ENTRY_BYTES, MB, weight_in_bytes

    nothing = (np.empty(0, dtype=np.int64), np.empty(0))
    cache = SegmentCache(limit=MB, weigh=lambda found: weight_in_bytes(*found))
    for n in range(100_000):  # rare words looked up in segments that lack them
        cache.get(("segment", "text", f"word{n}".encode()), lambda: nothing)
    assert len(cache._values) == MB // ENTRY_BYTES
    assert weight_in_bytes(np.zeros(1000, dtype=np.int64)) == ENTRY_BYTES + 8000


def test_forgetting_a_segment_drops_every_value_that_names_it():
    cache = SegmentCache(limit=100, weigh=len)
    cache.get(("s1", "text", b"word"), lambda: "aa")
    cache.get(("s2", "text", b"word"), lambda: "bbb")
    runs = SegmentCache(limit=100, weigh=len, segments_of=lambda key: key)
    runs.get(("s1", "s2"), lambda: "cc")
    runs.get(("s2", "s3"), lambda: "dd")
    cache.forget(["s1"])
    runs.forget(["s1"])
    assert list(cache._values) == [("s2", "text", b"word")] and cache._weight == 3
    assert list(runs._values) == [("s2", "s3")]


def test_a_searcher_refreshed_after_a_merge_leaves_nothing_of_the_merged_segments_cached(
    tmp_path,
):
    from search.backends.whoosh import vectorized
    from search.backends.whoosh.engine import SearchEngine
    from search.backends.whoosh.index import IndexWriterSession, open_index, open_or_create_index
    from search.documents import Article

    index = open_or_create_index(tmp_path)
    for n in range(3):  # three commits, three segments
        with IndexWriterSession(index, merge=False) as session:
            session.add(Article(f"a{n}", f"鸭嘴兽 第{n}篇", "正文"))
    engine = SearchEngine(tmp_path)
    engine.search("鸭嘴兽")
    before = {s.segment_id() for s in open_index(tmp_path)._segments()}
    assert before & set(vectorized._POSTINGS_CACHE._by_segment)

    index.writer().commit(optimize=True)  # one segment now
    assert engine.search("鸭嘴兽").total == 3
    assert not before & set(vectorized._POSTINGS_CACHE._by_segment)
