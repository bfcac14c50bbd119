"""The JSON API: /api/search and /healthz."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from search.index import IndexNotFound

from .engine import get_engine
from .params import search_params

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def api_search():
    params = search_params(request)
    results = get_engine().search(params.q, page=params.page, size=params.size, sort=params.sort)
    return jsonify(results.to_dict())


@bp.get("/healthz")
def healthz():
    try:
        engine = get_engine()
    except IndexNotFound:
        return jsonify({"status": "no_index", "articles": 0}), 503
    return jsonify({"status": "ok", "articles": engine.doc_count()})
