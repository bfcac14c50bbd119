"""The facets a reader narrows results by: match counts of each source, category, year and date
range, whichever backend counted them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .config import LIMITS
from .filters import DATE_PRESETS, Filters


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
        return {
            name: [vars(value).copy() for value in values] for name, values in vars(self).items()
        }


def facets_of(
    filters: Filters,
    sources: Counter[str],
    categories: Counter[str],
    years: Counter[str],
    ranges: Counter[str],
) -> Facets:
    """The facets a reader sees, from the match counts of each value (and of each preset
    range), whichever engine counted them."""
    f = filters
    return Facets(
        source=_top(sources, set(f.sources)),
        category=_top(categories, set(f.categories)),
        year=sorted(_top(years, _chosen_year(f)), key=lambda v: v.value, reverse=True),
        date_range=[FacetValue(name, ranges[name], name == f.preset) for name in DATE_PRESETS],
    )


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
