"""Access to the app's search engine from a request."""

from __future__ import annotations

from flask import current_app

from search.backends import open_engine
from search.backends.interface import SearchBackend


def get_engine() -> SearchBackend:
    """The app's engine; opens the index now if it was created after the app started."""
    engine = current_app.extensions.get("zhsearch")
    if engine is None:
        # raises IndexNotFound, which the error handlers turn into a message for the user
        config = current_app.config
        engine = open_engine(config["INDEX_DIR"], config["BACKEND"], config["SHARDS"])
        current_app.extensions["zhsearch"] = engine
    return engine
