"""Reading and bounding the query-string parameters shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask import Request

from search.config import LIMITS
from search.documents import SORTS
from search.filters import DATE_PRESETS, Filters, preset_start


class BadParameter(ValueError):
    """A request parameter the user must fix (HTTP 400)."""


class PayloadTooLarge(ValueError):
    """A request body over the write limits (HTTP 413)."""


@dataclass(frozen=True)
class SearchParams:
    """Everything a result page shows, as it appears in its URL."""

    q: str
    page: int = 1
    size: int = LIMITS.default_page_size
    sort: str = "relevance"
    date_range: str = ""  # a preset: week, month, year
    date_from: date | None = None
    date_to: date | None = None
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def filters(self) -> Filters:
        date_from = preset_start(self.date_range) if self.date_range else self.date_from
        return Filters(
            date_from, self.date_to, self.sources, self.categories, preset=self.date_range
        )

    def has_filters(self) -> bool:
        return not self.filters().is_empty()

    def url_args(self, **changes) -> dict:
        """Query-string arguments for this state with some changed (paging restarts at 1)."""
        state = replace(self, **{"page": 1, **changes})
        args = {
            "q": state.q,
            "sort": state.sort if state.sort != "relevance" else None,
            "range": state.date_range or None,
            "from": state.date_from.isoformat() if state.date_from else None,
            "to": state.date_to.isoformat() if state.date_to else None,
            "source": list(state.sources) or None,
            "category": list(state.categories) or None,
            "page": state.page if state.page > 1 else None,
            "size": state.size if state.size != LIMITS.default_page_size else None,
        }
        return {key: value for key, value in args.items() if value is not None}

    def toggled(self, facet: str, value: str) -> dict:
        """URL arguments with a source or category value added, or removed if it was chosen."""
        chosen = getattr(self, facet)
        values = tuple(v for v in chosen if v != value)
        if len(values) == len(chosen):
            values = (*chosen, value)
        return self.url_args(**{facet: values})


def bounded_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"参数 {name} 必须是整数 ({name} must be an integer)") from None
    if not low <= value <= high:
        raise BadParameter(
            f"参数 {name} 必须在 {low} 到 {high} 之间 ({name} must be between {low} and {high})"
        )
    return value


def _day(request: Request, name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            f"参数 {name} 必须是 YYYY-MM-DD 格式的日期 ({name} must be a date, YYYY-MM-DD)"
        ) from None


def _one_of(request: Request, name: str, choices, default: str) -> str:
    value = request.args.get(name, "").strip() or default
    if value and value not in choices:
        zh, en = " / ".join(choices), ", ".join(choices)
        raise BadParameter(f"参数 {name} 必须是 {zh} 之一 ({name} must be one of {en})")
    return value


def _values(request: Request, name: str) -> tuple[str, ...]:
    values = tuple(dict.fromkeys(v.strip() for v in request.args.getlist(name) if v.strip()))
    most = LIMITS.max_filter_values
    if len(values) > most:
        raise BadParameter(f"参数 {name} 最多 {most} 个 ({name}: at most {most} values)")
    return values


def search_params(request: Request) -> SearchParams:
    date_range = _one_of(request, "range", tuple(DATE_PRESETS), "")
    date_from, date_to = _day(request, "from"), _day(request, "to")
    if date_range and date_from:
        raise BadParameter("参数 range 与 from 不能同时使用 (use either range or from)")
    if date_from and date_to and date_from > date_to:
        raise BadParameter("开始日期晚于结束日期 (from is after to)")
    return SearchParams(
        q=request.args.get("q", ""),
        page=bounded_int(request, "page", 1, 1, LIMITS.max_page),
        size=bounded_int(request, "size", LIMITS.default_page_size, 1, LIMITS.max_page_size),
        sort=_one_of(request, "sort", SORTS, "relevance"),
        date_range=date_range,
        date_from=date_from,
        date_to=date_to,
        sources=_values(request, "source"),
        categories=_values(request, "category"),
    )
