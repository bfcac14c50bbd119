"""Errors as the user should see them: JSON under /api, a page elsewhere; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.config import WRITING
from search.errors import IndexNotFound, ShardsUnavailable
from search.query import QueryError
from search.writes.journal import JournalFull, UnknownTask

from .params import BadParameter, PayloadTooLarge

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify({"error": code, "message": message}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(QueryError)
    @app.errorhandler(BadParameter)
    def bad_request(exc: ValueError):
        return error_response(400, "bad_request", str(exc))

    @app.errorhandler(IndexNotFound)
    def no_index(exc: IndexNotFound):
        return error_response(503, "no_index", str(exc))

    @app.errorhandler(ShardsUnavailable)
    def no_shards(exc: ShardsUnavailable):
        return error_response(503, "shards_unavailable", str(exc))

    @app.errorhandler(PayloadTooLarge)
    def too_large(exc: PayloadTooLarge):
        return error_response(413, "payload_too_large", str(exc))

    @app.errorhandler(JournalFull)
    def queue_full(exc: JournalFull):
        body, status = error_response(
            429, "too_many_requests", f"{exc} 请稍后重试 (retry in {WRITING.retry_after_seconds} s)"
        )
        return body, status, {"Retry-After": str(WRITING.retry_after_seconds)}

    @app.errorhandler(UnknownTask)
    def unknown_task(exc: UnknownTask):
        return error_response(404, "not_found", f"没有这个写入编号 (no write has seq {exc})")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.name.lower().replace(" ", "_"), exc.description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return error_response(500, "internal_error", "服务器内部错误 (internal server error)")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
