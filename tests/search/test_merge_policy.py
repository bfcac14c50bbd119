"""What a command-line commit merges: Whoosh's small-segment rule, never the large segments."""

from dataclasses import dataclass

from whoosh.util import fib

from search.backends.whoosh.merge_policy import small_merge


@dataclass
class FakeSegment:
    docs: int

    def doc_count_all(self) -> int:
        return self.docs


def whooshs_choice(segments) -> int:
    """How many articles Whoosh's MERGE_SMALL would merge (its rule, restated)."""
    total = 0
    for i, segment in enumerate(sorted(segments, key=FakeSegment.doc_count_all)):
        total += segment.docs
        if i > 3 and total < fib(i + 5):
            return total
    return 0


def test_small_segments_are_merged_as_whoosh_merges_them():
    tiny = [FakeSegment(n) for n in (1, 2, 3, 5, 8)]
    assert small_merge(tiny, cap=50_000) == tiny
    assert whooshs_choice(tiny) == 19


def test_the_large_segments_of_a_big_batch_are_never_merged_in_a_commit():
    segments = [FakeSegment(50_000) for _ in range(20)] + [FakeSegment(1_000) for _ in range(10)]
    assert whooshs_choice(segments) == 760_000  # what Whoosh's own rule would merge
    assert small_merge(segments, cap=50_000) == []


def test_a_merge_stops_short_of_a_large_segments_worth():
    segments = [FakeSegment(9_000) for _ in range(12)]
    assert small_merge(segments, cap=50_000) == []  # five of them would already be 45,000
    assert sum(s.docs for s in small_merge(segments, cap=100_000)) < 100_000
