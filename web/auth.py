"""Who may do what: write endpoints need a write key; with `--require-key`, everything but
/healthz needs a read or write key.

The key comes as `Authorization: Bearer <key>`, or, so that a browser can open the search page
of a server that requires keys, as the password of HTTP Basic authentication (the browser asks
for it once). Keys are never logged, and never echoed in an answer.
"""

from __future__ import annotations

import base64
import binascii

from flask import Flask, current_app, request

from search.keys import WRITE, KeyStore

from .errors import error_response, wants_json

# The endpoints that change the index (web/writes.py) or how it is searched (web/synonyms.py).
WRITE_ENDPOINTS = frozenset(
    {
        "writes.put_document",
        "writes.delete_document",
        "writes.post_documents",
        "writes.delete_documents",
        "synonyms.put_synonyms",
        # not a change, but what readers asked is for the newsroom's eyes only
        "analytics.top",
        "analytics.no_results",
    }
)
OPEN_PATHS = frozenset({"/healthz"})  # load balancers' health checks need no key


def presented_key() -> str | None:
    """The key the request carries, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and value.strip():
        return value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        password = decoded.partition(":")[2]
        return password or None
    return None


def _unauthorized(message: str):
    body, status = error_response(401, "unauthorized", message)
    response = current_app.make_response((body, status))
    # A browser asks for the key (as a password) only when told Basic is spoken here.
    challenge = 'Bearer realm="zhsearch"' if wants_json() else 'Basic realm="zhsearch"'
    response.headers["WWW-Authenticate"] = challenge
    return response


def _check_write():
    keys: KeyStore = current_app.extensions["zhsearch_keys"]
    if not keys.has_scope(WRITE):
        return error_response(
            403,
            "writes_disabled",
            "写入未开启：请先创建写入密钥 zhsearch keys create NAME --scope write"
            " (writes are off until a write key exists: create one with"
            f" `zhsearch keys create NAME --scope write --index {current_app.config['INDEX_DIR']}`"
            " and send it as `Authorization: Bearer <key>`)",
        )
    key = presented_key()
    found = keys.check(key) if key else None
    if found is None:
        what = "密钥无效或已撤销 (the key is wrong or revoked)" if key else "缺少密钥 (no key)"
        return _unauthorized(
            f"{what}: 写入需要写入密钥 (writes need a write key, sent as"
            " `Authorization: Bearer <key>`)"
        )
    if found.scope != WRITE:
        return error_response(
            403, "forbidden", "此密钥只能读取 (this key may only read; writes need a write key)"
        )
    return None


def _check_read():
    key = presented_key()
    if key is None or current_app.extensions["zhsearch_keys"].check(key) is None:
        what = "密钥无效或已撤销 (the key is wrong or revoked)" if key else "缺少密钥 (no key)"
        return _unauthorized(f"{what}: 此服务需要密钥 (this service needs a read or write key)")
    return None


def register(app: Flask) -> None:
    app.extensions["zhsearch_keys"] = KeyStore(app.config["INDEX_DIR"])

    @app.before_request
    def check_key():
        if request.endpoint in WRITE_ENDPOINTS:
            return _check_write()
        if app.config.get("REQUIRE_KEY") and request.path not in OPEN_PATHS:
            return _check_read()
        return None
