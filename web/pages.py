"""Server-rendered pages: the search box, the results, one article."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request

from search.config import LIMITS
from search.errors import IndexNotFound
from search.highlight import highlight
from search.query import QueryError

from .analytics import popular_queries, record
from .engine import get_engine
from .metrics import observe_search
from .params import search_params

bp = Blueprint("pages", __name__)


@bp.app_template_filter("web_url")
def web_url(url: str | None) -> str:
    """The URL if it is a plain http(s) link, else "" (never a javascript: link)."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


RANGE_LABELS = {"week": "过去一周", "month": "过去一个月", "year": "过去一年"}


@bp.app_context_processor
def limits():
    return {"max_page": LIMITS.max_page, "max_query_chars": LIMITS.max_query_chars}


@bp.get("/")
def home():
    try:
        stats = get_engine().stats()
    except IndexNotFound:
        stats = None
    return render_template("home.html", q="", stats=stats, popular=popular_queries())


@bp.get("/search")
def search_page():
    params = search_params(request)
    if not params.q.strip():
        return home()
    engine = get_engine()
    try:
        results = engine.search(params.q, params.page, params.size, params.sort, params.filters())
    except QueryError as exc:
        return render_template("results.html", params=params, results=None, error=str(exc)), 400
    record(results)
    observe_search(results)
    pages = min(max(1, -(-results.total // params.size)), LIMITS.max_page)
    return render_template(
        "results.html",
        params=params,
        results=results,
        error=None,
        pages=pages,
        page_numbers=_page_window(params.page, pages),
        range_labels=RANGE_LABELS,
        year_start=lambda year: date(int(year), 1, 1),
        year_end=lambda year: date(int(year), 12, 31),
    )


def _page_window(page: int, pages: int, width: int = 9) -> range:
    """The page numbers shown around the current one."""
    first = max(1, min(page - width // 2, pages - width + 1))
    return range(first, min(pages, first + width - 1) + 1)


@bp.get("/doc/<path:doc_id>")
def document(doc_id: str):
    article = get_engine().document(doc_id)
    if article is None:
        abort(404, description="没有这篇文章 (no such article)")
    q = request.args.get("q", "")
    terms = get_engine().terms_to_mark(q) if q.strip() else set()
    return render_template(
        "doc.html",
        article=article,
        q=q,
        related=get_engine().related(doc_id, LIMITS.related_articles),
        title_html=highlight(article.title, terms),
        paragraphs=[highlight(p, terms) for p in article.text.split("\n") if p.strip()],
    )
