"""The Flask frontend: a server-rendered search page and a JSON API over one index."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from search.analysis import analyze
from search.backends import open_engine
from search.config import XAPIAN, default_index_dir
from search.errors import IndexNotFound


def create_app(index_dir: Path | str | None = None, test_config: dict | None = None) -> Flask:
    """App factory: one search engine per app, the segmentation dictionary loaded up front.

    BACKEND "whoosh" (the default) searches the index in INDEX_DIR; "xapian" searches the
    shards SHARDS (host:port,…), INDEX_DIR then holding the frontend's own files.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(index_dir or default_index_dir()),
        JSON_AS_ASCII=False,
        REQUIRE_KEY=False,  # True: every call but /healthz needs a read or write key
        BACKEND="whoosh",
        SHARDS=XAPIAN.shards,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    analyze("预热分词词典")  # load the jieba dictionary now, not on the first request
    try:
        app.extensions["zhsearch"] = open_engine(
            Path(app.config["INDEX_DIR"]), app.config["BACKEND"], app.config["SHARDS"]
        )
    except IndexNotFound:
        app.extensions["zhsearch"] = None  # pages explain it; /healthz reports it

    from . import analytics, api, auth, errors, metrics, pages, synonyms, writes

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(writes.bp)
    app.register_blueprint(synonyms.bp)
    app.register_blueprint(analytics.bp)
    metrics.register(app)
    errors.register(app)
    auth.register(app)
    return app
