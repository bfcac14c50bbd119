"""Narrowing a search: a date range and the sources and categories to keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .dates import to_china_time

# Preset date ranges a reader picks from: name → how far back from today.
DATE_PRESETS = {"week": timedelta(days=7), "month": timedelta(days=30), "year": timedelta(days=365)}


@dataclass(frozen=True)
class Filters:
    """Which articles a search may return; empty fields allow everything.

    Dates are days in China Standard Time, both ends included.
    """

    date_from: date | None = None
    date_to: date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    preset: str = ""  # the name of the preset range date_from came from, if any

    def is_empty(self) -> bool:
        return not (self.date_from or self.date_to or self.sources or self.categories)


def today_in_china() -> date:
    return to_china_time(datetime.now().astimezone()).date()


def preset_start(preset: str, today: date | None = None) -> date:
    """The first day of a preset range ("week", "month", "year") ending today."""
    return (today or today_in_china()) - DATE_PRESETS[preset]
