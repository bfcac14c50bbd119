"""Searches with a deadline: posting lists that stop a search once its time is up.

Whoosh scores in Python, and some queries (a phrase of the archive's most frequent words, a
long question made of them) read positions or scores in most articles. Every posting list of
a `BoundedSearcher` checks the clock as it advances and raises `SearchTimeout` past the
deadline, so no query runs longer than it, wherever the time goes.
"""

from __future__ import annotations

import time

from whoosh.matching.wrappers import WrappingMatcher
from whoosh.searching import Searcher

_CHECK_EVERY = 64  # postings read between two looks at the clock


class SearchTimeout(Exception):
    """The search ran past its deadline; what was collected so far stands."""


class _DeadlineMatcher(WrappingMatcher):
    """A posting list that raises SearchTimeout when it advances past the deadline."""

    def __init__(self, child, boost: float = 1.0, deadline: float = 0.0):
        super().__init__(child, boost)
        self.deadline = deadline
        self._steps = 0

    def _tick(self) -> None:
        self._steps += 1
        if self._steps % _CHECK_EVERY == 0 and time.perf_counter() > self.deadline:
            raise SearchTimeout

    def copy(self):
        return _DeadlineMatcher(self.child.copy(), self.boost, self.deadline)

    def _replacement(self, newchild):
        return _DeadlineMatcher(newchild, self.boost, self.deadline)

    def next(self):
        self._tick()
        return self.child.next()

    def skip_to(self, docnum):
        self._tick()
        return self.child.skip_to(docnum)

    def all_ids(self):
        for docnum in self.child.all_ids():
            self._tick()
            yield docnum


class BoundedSearcher(Searcher):
    """A Whoosh searcher whose posting lists respect `deadline` (a time.perf_counter())."""

    deadline: float | None = None

    def _current_deadline(self) -> float | None:
        parent = getattr(self, "parent", None)
        top = parent() if parent is not None else None
        return top.deadline if top is not None else self.deadline

    def postings(self, fieldname, text, weighting=None, qf=1):
        matcher = super().postings(fieldname, text, weighting, qf)
        deadline = self._current_deadline()
        return matcher if deadline is None else _DeadlineMatcher(matcher, deadline=deadline)
