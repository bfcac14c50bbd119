"""Filters as Xapian queries, and the facets of a search counted by Xapian's match spies.

As on the Whoosh index (`search.facets`), each facet counts with the *other* filters applied:
the source counts with the chosen dates and categories, the category counts with the dates and
sources, the years and preset ranges with the sources and categories. Each distinct set of
filters is one pass over the matches, with a spy for every facet that counts under it: one
pass when nothing is chosen, at most four.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from search.facets import Facets, facets_of
from search.filters import DATE_PRESETS, Filters, preset_start

from . import import_xapian
from .documents import CATEGORY_SLOT, DAY_SLOT, SOURCE_SLOT, day_of_value, day_value, keyword_term

# Which filters each facet counts under: all but its own.
_COUNTED_UNDER = {
    "source": ("date", "category"),
    "category": ("date", "source"),
    "day": ("source", "category"),
}
_SLOTS = {"source": SOURCE_SLOT, "category": CATEGORY_SLOT, "day": DAY_SLOT}


def filter_queries(filters: Filters) -> dict[str, object]:
    """The Xapian query of each filter that is set: "date", "source", "category"."""
    xapian = import_xapian()
    Q = xapian.Query
    parts: dict[str, object] = {}
    if filters.sources:
        parts["source"] = Q(Q.OP_OR, [Q(keyword_term("source", s)) for s in filters.sources])
    if filters.categories:
        terms = [Q(keyword_term("category", c)) for c in filters.categories]
        parts["category"] = Q(Q.OP_OR, terms)
    start, end = filters.date_from, filters.date_to
    if start and end:
        parts["date"] = Q(Q.OP_VALUE_RANGE, DAY_SLOT, day_value(start), day_value(end))
    elif start:
        parts["date"] = Q(Q.OP_VALUE_GE, DAY_SLOT, day_value(start))
    elif end:
        parts["date"] = Q(Q.OP_VALUE_LE, DAY_SLOT, day_value(end))
    return parts


def filtered(query, parts: dict[str, object], names) -> object:
    """`query` narrowed by the filters `names` of `parts` (those that are set)."""
    xapian = import_xapian()
    chosen = [parts[name] for name in sorted(names) if name in parts]
    if not chosen:
        return query
    return xapian.Query(xapian.Query.OP_FILTER, query, xapian.Query(xapian.Query.OP_AND, chosen))


class FacetSpies:
    """The spies of one search: those that count under all its filters go on the search's own
    pass (`attach`); `facets` makes the other passes and reads every spy."""

    def __init__(self, filters: Filters):
        self.filters = filters
        self.parts = filter_queries(filters)
        xapian = import_xapian()
        self._spies = {name: xapian.ValueCountMatchSpy(slot) for name, slot in _SLOTS.items()}
        self._all = frozenset(self.parts)

    def _pass_of(self, facet: str) -> frozenset[str]:
        """The filters that are set among those the facet counts under."""
        return frozenset(_COUNTED_UNDER[facet]) & self._all

    def attach(self, enquire) -> None:
        """Put on the search's own pass (all filters applied) the spies that count under it."""
        for facet, spy in self._spies.items():
            if self._pass_of(facet) == self._all:
                enquire.add_matchspy(spy)

    def facets(self, database, query, weighting) -> Facets:
        """Make the other passes over `query`'s matches and read the counts."""
        xapian = import_xapian()
        passes: dict[frozenset[str], list[str]] = {}
        for facet in self._spies:
            if self._pass_of(facet) != self._all:
                passes.setdefault(self._pass_of(facet), []).append(facet)
        for names, facets in passes.items():
            enquire = xapian.Enquire(database)
            enquire.set_weighting_scheme(weighting)
            enquire.set_query(filtered(query, self.parts, names))
            for facet in facets:
                enquire.add_matchspy(self._spies[facet])
            enquire.get_mset(0, 0, database.get_doccount())  # counts every match
        return self._read()

    def _read(self) -> Facets:
        sources, categories = (_counts(self._spies[name]) for name in ("source", "category"))
        years: Counter[str] = Counter()
        ranges: Counter[str] = Counter()
        starts = {name: preset_start(name) for name in DATE_PRESETS}
        for value, n in _counts(self._spies["day"], text=False).items():
            day: date = day_of_value(value)
            years[str(day.year)] += n
            for name, start in starts.items():
                if day >= start:
                    ranges[name] += n
        return facets_of(self.filters, sources, categories, years, ranges)


def _counts(spy, text: bool = True) -> Counter:
    counts: Counter = Counter()
    for item in spy.values():
        counts[item.term.decode("utf-8") if text else item.term] += item.termfreq
    return counts
