"""Counting matches by source, category and date, and filtering by them, over the arrays of
each segment's columns (cached while the segment lives)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from whoosh.util.times import datetime_to_long

from search.facets import Facets, facets_of
from search.filters import DATE_PRESETS, Filters, preset_start

from . import column_arrays
from .segment_cache import MB, SegmentCache, segment_key, weight_in_bytes

# The largest stored date value: later ones are the date column's mark of "no date".
_LATEST = datetime_to_long(datetime.max)
_NO_DATE = 2**64 - 1


@dataclass
class SegmentFacts:
    """Every document's source, category, date and year in a run of segments, as arrays."""

    source_names: list[str]
    sources: np.ndarray  # each document's position in source_names
    category_names: list[str]
    categories: np.ndarray
    raw_dates: np.ndarray  # the date column's sortable values
    days: np.ndarray  # date ordinals, UNDATED where there is none
    years: np.ndarray

    @classmethod
    def read(cls, reader) -> SegmentFacts:
        count = reader.doc_count_all()
        source_names, sources = column_arrays.codes(reader, "source")
        category_names, categories = column_arrays.codes(reader, "category")
        raw = np.full(count, _NO_DATE, dtype=np.uint64)
        days = np.full(count, UNDATED, dtype=np.int32)
        years = np.zeros(count, dtype=np.int16)
        if reader.has_column("date"):
            column = reader.column_reader("date", translate=False)
            raw = column_arrays.numbers(column, count, np.uint64)
            dated = raw <= _LATEST
            days[dated], years[dated] = column_arrays.days_and_years(raw[dated])
        return cls(source_names, sources, category_names, categories, raw, days, years)

    @classmethod
    def joined(cls, parts: list[SegmentFacts]) -> SegmentFacts:
        """The facts of consecutive segments, end to end, in one code space."""
        source_names, sources = _recoded([(p.source_names, p.sources) for p in parts])
        category_names, categories = _recoded([(p.category_names, p.categories) for p in parts])
        return cls(
            source_names,
            sources,
            category_names,
            categories,
            np.concatenate([p.raw_dates for p in parts]),
            np.concatenate([p.days for p in parts]),
            np.concatenate([p.years for p in parts]),
        )

    def weight(self) -> int:
        """Its size in a cache, in bytes."""
        names = sum(len(name) * 4 for name in self.source_names + self.category_names)
        arrays = (self.sources, self.categories, self.raw_dates, self.days, self.years)
        return weight_in_bytes(*arrays) + names

    def date_keys(self, docs: np.ndarray, newest: bool) -> np.ndarray:
        """Ascending sort keys of `docs` for that order: undated ones last."""
        raw = self.raw_dates[docs]
        if newest:
            return np.where(raw > _LATEST, np.uint64(_NO_DATE), np.uint64(_LATEST) - raw)
        return raw  # no date is the largest value already


UNDATED = -1
# Facts of single segments (22 bytes a document), and of the runs of segments searches
# asked for: a run's facts are of one commit, soon replaced under a stream of writes. Each
# holds an archive of 3 × 10⁶ articles: every search reads every run in turn, and a cache
# too small for all of them (the runs of 10⁶ articles in 32 MB, at 40 bytes a document) lost
# each run just before it was needed again, and joined them anew at every search.
_SEGMENT_FACTS_CACHE: SegmentCache[SegmentFacts] = SegmentCache(
    80 * MB, weigh=lambda facts: facts.weight()
)
_JOINED_FACTS_CACHE: SegmentCache[SegmentFacts] = SegmentCache(
    80 * MB, weigh=lambda facts: facts.weight(), segments_of=lambda key: key
)


def segment_facts(readers: list) -> SegmentFacts:
    """The facts of a run of consecutive segments (their readers), read once per segment."""
    parts = [
        _SEGMENT_FACTS_CACHE.get(segment_key(reader), lambda r=reader: SegmentFacts.read(r))
        for reader in readers
    ]
    if len(parts) == 1:
        return parts[0]
    keys = tuple(segment_key(reader) for reader in readers)
    key = None if None in keys else keys
    return _JOINED_FACTS_CACHE.get(key, lambda: SegmentFacts.joined(parts))


def _recoded(parts: list[tuple[list[str], np.ndarray]]) -> tuple[list[str], np.ndarray]:
    names = sorted({name for part_names, _ in parts for name in part_names})
    position = {name: i for i, name in enumerate(names)}
    codes = [
        np.asarray([position[name] for name in part_names], dtype=np.int32)[part_codes]
        for part_names, part_codes in parts
    ]
    return names, np.concatenate(codes)


class FacetCounter:
    """Applies the filters to the matches of each run of segments and counts the facets."""

    def __init__(self, filters: Filters):
        self.filters = filters
        self.total = 0
        self._sources: Counter[str] = Counter()
        self._categories: Counter[str] = Counter()
        self._years: Counter[str] = Counter()
        self._ranges: Counter[str] = Counter()
        self._range_starts = [(name, preset_start(name).toordinal()) for name in DATE_PRESETS]

    def allowed(self, facts: SegmentFacts, docs: np.ndarray) -> np.ndarray:
        """Counts the facets of a run's matches `docs`; returns which the filters allow."""
        f = self.filters
        sources, categories = facts.sources[docs], facts.categories[docs]
        days = facts.days[docs]
        ok_source = _chosen(sources, facts.source_names, f.sources)
        ok_category = _chosen(categories, facts.category_names, f.categories)
        ok_date = np.ones(len(docs), dtype=bool)
        if f.date_from is not None:
            ok_date &= days >= f.date_from.toordinal()
        if f.date_to is not None:
            ok_date &= (days <= f.date_to.toordinal()) & (days != UNDATED)
        _add(self._sources, facts.source_names, sources[ok_category & ok_date])
        _add(self._categories, facts.category_names, categories[ok_source & ok_date])
        dated = ok_source & ok_category & (days != UNDATED)
        by_year = np.bincount(facts.years[docs][dated])  # a dated article's year is ≥ 1
        for year in np.flatnonzero(by_year).tolist():
            self._years[str(year)] += int(by_year[year])
        for name, start in self._range_starts:
            self._ranges[name] += int(np.count_nonzero(days[dated] >= start))
        allowed = ok_source & ok_category & ok_date
        self.total += int(np.count_nonzero(allowed))
        return allowed

    def facets(self) -> Facets:
        return facets_of(self.filters, self._sources, self._categories, self._years, self._ranges)


def _chosen(codes: np.ndarray, names: list[str], chosen: tuple[str, ...] | list[str]) -> np.ndarray:
    if not chosen:
        return np.ones(len(codes), dtype=bool)
    chosen_names = set(chosen)
    wanted = [i for i, name in enumerate(names) if name in chosen_names]
    return np.isin(codes, wanted)


def _add(counts: Counter[str], names: list[str], codes: np.ndarray) -> None:
    for code, n in enumerate(np.bincount(codes, minlength=len(names)).tolist()):
        if n:
            counts[names[code]] += n
