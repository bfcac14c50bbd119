"""The JSON API: every page's JSON twin, suggestions, statistics and its OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from search.config import LIMITS
from search.errors import IndexNotFound

from .analytics import record
from .engine import get_engine
from .metrics import observe_search
from .openapi import openapi_document
from .params import bounded_int, search_params

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search():
    params = search_params(request)
    results = get_engine().search(
        params.q, page=params.page, size=params.size, sort=params.sort, filters=params.filters()
    )
    record(results)
    observe_search(results)
    return jsonify(results.to_dict())


@bp.get("/api/suggest")
def api_suggest():
    typed = request.args.get("q", "")
    limit = bounded_int(request, "limit", 8, 1, 20)
    suggestions = get_engine().suggest(typed, limit) if typed.strip() else []
    return jsonify({"query": typed, "suggestions": [s.to_dict() for s in suggestions]})


@bp.get("/api/documents/<path:doc_id>")
def api_document(doc_id: str):
    engine = get_engine()
    article = engine.document(doc_id)
    if article is None:
        abort(404, description="没有这篇文章 (no such article)")
    related = engine.related(doc_id, LIMITS.related_articles)
    return jsonify({**article.to_dict(), "related": [hit.to_dict() for hit in related]})


@bp.get("/api/stats")
def api_stats():
    return jsonify(get_engine().stats().to_dict())


@bp.get("/api/openapi.json")
def api_openapi():
    return jsonify(openapi_document())


@bp.get("/healthz")
def healthz():
    try:
        engine = get_engine()
    except IndexNotFound:
        return jsonify({"status": "no_index", "articles": 0}), 503
    return jsonify({"status": "ok", "articles": engine.doc_count()})
