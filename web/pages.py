"""Server-rendered pages: the search box, the results, one article."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, render_template, request

from search.config import LIMITS
from search.highlight import highlight
from search.query import QueryError, parse, positive_terms

from .engine import get_engine
from .params import search_params

bp = Blueprint("pages", __name__)


@bp.app_template_filter("web_url")
def web_url(url: str | None) -> str:
    """The URL if it is a plain http(s) link, else "" (never a javascript: link)."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


@bp.app_context_processor
def limits():
    return {"max_page": LIMITS.max_page}


@bp.get("/")
def home():
    return render_template("home.html", q="")


@bp.get("/search")
def search_page():
    params = search_params(request)
    if not params.q.strip():
        return render_template("home.html", q="")
    try:
        results = get_engine().search(params.q, params.page, params.size, params.sort)
    except QueryError as exc:
        return render_template("results.html", params=params, results=None, error=str(exc)), 400
    pages = max(1, -(-results.total // params.size))
    return render_template("results.html", params=params, results=results, error=None, pages=pages)


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    article = get_engine().document(doc_id)
    if article is None:
        abort(404, description="没有这篇文章 (no such article)")
    q = request.args.get("q", "")
    try:
        terms = set(positive_terms(parse(q))) if q.strip() else set()
    except QueryError:
        terms = set()
    return render_template(
        "doc.html",
        article=article,
        q=q,
        title_html=highlight(article.title, terms),
        paragraphs=[highlight(p, terms) for p in article.text.split("\n") if p.strip()],
    )
