"""Counting matches by source, category and date while a search collects them."""

from __future__ import annotations

import heapq
import threading
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from whoosh.collectors import Collector, WrappingCollector
from whoosh.util.times import datetime_to_long, long_to_datetime

from .config import LIMITS
from .filters import DATE_PRESETS, Filters, preset_start

# The largest stored date value: later ones are the date column's mark of "no date".
_LATEST = datetime_to_long(datetime.max)
_NO_DATE = 2**64 - 1


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


class _SegmentFacts:
    """Every document's source, category, day and year in one segment, read once."""

    def __init__(self, reader):
        count = reader.doc_count_all()
        self.sources = _column_values(reader, "source", count)
        self.categories = _column_values(reader, "category", count)
        self.raw_dates = [_NO_DATE] * count  # the date column's sortable values
        self.days = [UNDATED] * count  # date ordinals
        self.years = [""] * count
        if reader.has_column("date"):
            self.raw_dates = list(reader.column_reader("date", translate=False))
            for docnum, raw in enumerate(self.raw_dates):
                if raw <= _LATEST:
                    day = long_to_datetime(raw).date()
                    self.days[docnum] = day.toordinal()
                    self.years[docnum] = str(day.year)


UNDATED = -1
# Segments never change once written: their facts are kept for the next searches.
_SEGMENT_FACTS_CACHE: OrderedDict[str, _SegmentFacts] = OrderedDict()
_SEGMENT_FACTS_CACHE_SIZE = 256
_cache_lock = threading.Lock()


def _segment_facts(reader) -> _SegmentFacts:
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:  # an empty index
        return _SegmentFacts(reader)
    key = segment.segment_id()  # random, unique to this segment
    with _cache_lock:
        facts = _SEGMENT_FACTS_CACHE.get(key)
        if facts is not None:
            _SEGMENT_FACTS_CACHE.move_to_end(key)
            return facts
    facts = _SegmentFacts(reader)
    with _cache_lock:
        _SEGMENT_FACTS_CACHE[key] = facts
        while len(_SEGMENT_FACTS_CACHE) > _SEGMENT_FACTS_CACHE_SIZE:
            _SEGMENT_FACTS_CACHE.popitem(last=False)
    return facts


def _column_values(reader, fieldname: str, count: int) -> list[str]:
    if not reader.has_column(fieldname):
        return [""] * count
    return [value or "" for value in reader.column_reader(fieldname)]


class FacetingCollector(WrappingCollector):
    """Passes the matches the filters allow to its child and counts facets over all matches."""

    def __init__(
        self,
        child: Collector,
        filters: Filters,
    ):
        super().__init__(child)
        self.filters = filters
        self.total = 0
        self._sources: Counter[str] = Counter()
        self._categories: Counter[str] = Counter()
        self._years: Counter[str] = Counter()
        self._ranges: Counter[str] = Counter()
        self._range_starts = [(name, preset_start(name).toordinal()) for name in DATE_PRESETS]

    def set_subsearcher(self, subsearcher, offset) -> None:
        super().set_subsearcher(subsearcher, offset)
        self._facts = _segment_facts(subsearcher.reader())

    def collect_matches(self) -> None:
        child, filters = self.child, self.filters
        facts = self._facts
        sources, categories, days, years = facts.sources, facts.categories, facts.days, facts.years
        chosen_sources, chosen_categories = set(filters.sources), set(filters.categories)
        dated = filters.date_from is not None or filters.date_to is not None
        first = filters.date_from.toordinal() if filters.date_from else 1
        last = filters.date_to.toordinal() if filters.date_to else date.max.toordinal()
        source_counts, category_counts = self._sources, self._categories
        year_counts, range_counts, range_starts = self._years, self._ranges, self._range_starts
        for docnum in child.matches():
            source, category, day = sources[docnum], categories[docnum], days[docnum]
            ok_source = not chosen_sources or source in chosen_sources
            ok_category = not chosen_categories or category in chosen_categories
            ok_date = not dated or first <= day <= last
            if ok_category and ok_date:
                source_counts[source] += 1
            if ok_source and ok_date:
                category_counts[category] += 1
            if ok_source and ok_category:
                if day != UNDATED:
                    year_counts[years[docnum]] += 1
                    for name, start in range_starts:
                        if day >= start:
                            range_counts[name] += 1
                if ok_date:
                    self.total += 1
                    child.collect(docnum)

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
        self._raw_dates = _segment_facts(subsearcher.reader()).raw_dates

    def collect(self, sub_docnum: int) -> None:
        docnum = self.offset + sub_docnum
        value = self._raw_dates[sub_docnum]
        undated = value > _LATEST
        self.items.append(((undated, -value if self.newest else value, docnum), docnum))

    def results(self):
        first = heapq.nsmallest(self.limit, self.items)
        return self._results([(0.0, docnum) for _, docnum in first])


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
        for value, n in counts.most_common(LIMITS.facet_values)
        if value
    ]
    shown = {v.value for v in values}
    values += [FacetValue(value, counts[value], True) for value in selected - shown]
    return values
