"""Access to the app's search engine from a request."""

from __future__ import annotations

from flask import current_app

from search.engine import SearchEngine
from search.index import IndexNotFound, open_index


def get_engine() -> SearchEngine:
    """The app's engine; opens the index now if it was created after the app started."""
    engine = current_app.extensions.get("zhsearch")
    if engine is None:
        index_dir = current_app.config["INDEX_DIR"]
        open_index(index_dir)  # raises IndexNotFound with a message for the user
        engine = current_app.extensions["zhsearch"] = SearchEngine(index_dir)
    return engine


__all__ = ["get_engine", "IndexNotFound"]
