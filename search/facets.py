"""Counting matches by source, category and date while a search collects them."""

from __future__ import annotations

import heapq
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from whoosh.collectors import Collector, WrappingCollector
from whoosh.util.times import datetime_to_long, long_to_datetime

from .filters import DATE_PRESETS, Filters, preset_start

MAX_FACET_VALUES = 20


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool = False


@dataclass
class Facets:
    """Match counts a reader can narrow by; each facet counts with the *other* filters applied.

    So the source counts say how many results each source would give, given the chosen
    dates and categories, and choosing a second source widens the results.
    """

    source: list[FacetValue] = field(default_factory=list)
    category: list[FacetValue] = field(default_factory=list)
    year: list[FacetValue] = field(default_factory=list)
    date_range: list[FacetValue] = field(default_factory=list)  # past week / month / year

    def to_dict(self) -> dict:
        return asdict(self)


class FacetingCollector(WrappingCollector):
    """Passes the matches the filters allow to its child and counts facets over all matches."""

    def __init__(
        self,
        child: Collector,
        filters: Filters,
        today: date | None = None,
        deadline: float | None = None,
    ):
        super().__init__(child)
        self.filters = filters
        self.deadline = deadline  # time.perf_counter() value after which collecting stops
        self.timed_out = False
        self.total = 0
        self._sources: Counter[str] = Counter()
        self._categories: Counter[str] = Counter()
        self._years: Counter[str] = Counter()
        self._ranges: Counter[str] = Counter()
        self._range_starts = {name: preset_start(name, today) for name in DATE_PRESETS}

    def set_subsearcher(self, subsearcher, offset) -> None:
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        self._source_of = _column(reader, "source")
        self._category_of = _column(reader, "category")
        self._date_of = _date_column(reader)

    def collect_matches(self) -> None:
        child, filters, deadline = self.child, self.filters, self.deadline
        if self.timed_out:
            return
        for seen, sub_docnum in enumerate(child.matches()):
            if deadline is not None and seen % 256 == 255 and time.perf_counter() > deadline:
                self.timed_out = True
                return
            source = self._source_of(sub_docnum) or ""
            category = self._category_of(sub_docnum) or ""
            stored_date = self._date_of(sub_docnum)
            ok_source = filters.allows_source(source)
            ok_category = filters.allows_category(category)
            ok_date = filters.allows_date(stored_date)
            if ok_category and ok_date:
                self._sources[source] += 1
            if ok_source and ok_date:
                self._categories[category] += 1
            if ok_source and ok_category:
                self._count_date(stored_date)
                if ok_date:
                    self.total += 1
                    child.collect(sub_docnum)

    def _count_date(self, stored_date: datetime | None) -> None:
        if stored_date is None:
            return
        self._years[str(stored_date.year)] += 1
        day = stored_date.date()
        for name, start in self._range_starts.items():
            if day >= start:
                self._ranges[name] += 1

    def facets(self) -> Facets:
        f = self.filters
        return Facets(
            source=_top(self._sources, set(f.sources)),
            category=_top(self._categories, set(f.categories)),
            year=sorted(_top(self._years, _chosen_year(f)), key=lambda v: v.value, reverse=True),
            date_range=[
                FacetValue(name, self._ranges[name], name == f.preset) for name in DATE_PRESETS
            ],
        )


class DateOrderCollector(Collector):
    """The first `limit` matches by date, newest or oldest first; undated articles last."""

    def __init__(self, limit: int, newest: bool):
        super().__init__()
        self.limit = limit
        self.newest = newest

    def prepare(self, top_searcher, q, context) -> None:
        super().prepare(top_searcher, q, context.set(weighting=None))
        self.items: list[tuple[tuple[bool, int, int], int]] = []

    def set_subsearcher(self, subsearcher, offset) -> None:
        super().set_subsearcher(subsearcher, offset)
        reader = subsearcher.reader()
        if reader.has_column("date"):
            self._raw_date = reader.column_reader("date", translate=False).__getitem__
        else:
            self._raw_date = lambda docnum: _NO_DATE

    def collect(self, sub_docnum: int) -> None:
        docnum = self.offset + sub_docnum
        value = self._raw_date(sub_docnum)
        undated = value > _LATEST
        self.items.append(((undated, -value if self.newest else value, docnum), docnum))

    def results(self):
        first = heapq.nsmallest(self.limit, self.items)
        return self._results([(0.0, docnum) for _, docnum in first])


def _column(reader, fieldname: str):
    """A docnum → value lookup for a sortable field, or one that knows no values."""
    if not reader.has_column(fieldname):
        return lambda docnum: None
    return reader.column_reader(fieldname).__getitem__


# The largest stored date value: later ones are the column's mark of "no date".
_LATEST = datetime_to_long(datetime.max)
_NO_DATE = 2**64 - 1


def _date_column(reader):
    """A docnum → stored date (or None) lookup; articles without a date hold a sentinel."""
    if not reader.has_column("date"):
        return lambda docnum: None
    raw = reader.column_reader("date", translate=False)

    def date_of(docnum: int) -> datetime | None:
        value = raw[docnum]
        return long_to_datetime(value) if value <= _LATEST else None

    return date_of


def _chosen_year(filters: Filters) -> set[str]:
    """The year the date filter spans exactly, if it does."""
    start, end = filters.date_from, filters.date_to
    if start and end and (start, end) == (date(start.year, 1, 1), date(start.year, 12, 31)):
        return {str(start.year)}
    return set()


def _top(counts: Counter[str], selected: set[str]) -> list[FacetValue]:
    """The most frequent non-empty values, and every selected one even if it is rarer."""
    values = [
        FacetValue(value, n, value in selected)
        for value, n in counts.most_common(MAX_FACET_VALUES)
        if value
    ]
    shown = {v.value for v in values}
    values += [FacetValue(value, counts[value], True) for value in selected - shown]
    return values
