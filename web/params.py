"""Reading and bounding the query-string parameters shared by the page and the API."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request

from search.config import LIMITS
from search.engine import SORTS


class BadParameter(ValueError):
    """A request parameter the user must fix (HTTP 400)."""


@dataclass(frozen=True)
class SearchParams:
    q: str
    page: int
    size: int
    sort: str


def _bounded_int(request: Request, name: str, default: int, low: int, high: int) -> int:
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


def search_params(request: Request) -> SearchParams:
    sort = request.args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise BadParameter(
            f"参数 sort 必须是 {' / '.join(SORTS)} 之一 (sort must be one of {', '.join(SORTS)})"
        )
    return SearchParams(
        q=request.args.get("q", ""),
        page=_bounded_int(request, "page", 1, 1, LIMITS.max_page),
        size=_bounded_int(request, "size", LIMITS.default_page_size, 1, LIMITS.max_page_size),
        sort=sort,
    )
