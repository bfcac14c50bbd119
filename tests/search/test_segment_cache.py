from search.segment_cache import SegmentCache


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
