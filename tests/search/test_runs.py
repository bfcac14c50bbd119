"""TREC runs: the score column orders each query's documents as the page does."""

from search.documents import Ranking
from search.runs import run_scores, trec_lines


def test_scores_below_the_one_above_are_written_as_they_are():
    assert run_scores([9.5, 3.25, 1.0]) == ["9.500000", "3.250000", "1.000000"]


def test_a_score_above_the_one_above_it_is_written_just_below_that_one():
    # All the words first: the second tier's best article may score higher than the first's.
    assert run_scores([5.0, 9.0, 4.9999995, 3.0]) == [
        "5.000000",
        "4.999999",
        "4.999998",
        "3.000000",
    ]


def test_equal_scores_are_written_strictly_decreasing():
    written = [float(s) for s in run_scores([2.0, 2.0, 2.0])]
    assert written == sorted(written, reverse=True) and len(set(written)) == 3


def test_a_run_line_names_query_document_rank_score_and_system():
    lines = trec_lines("q7", Ranking(["a", "b"], [1.5, 2.5]))
    assert lines == ["q7 Q0 a 1 1.500000 zhsearch\n", "q7 Q0 b 2 1.499999 zhsearch\n"]
