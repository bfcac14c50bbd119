"""`zhsearch serve`: the app behind gunicorn, in one or more pre-forked worker processes.

A search is CPU work in Python, so one process answers one search at a time whatever its
threads do (they keep slow clients from blocking it); several worker processes use several
cores. The segmentation dictionary is loaded once before the workers fork (they share its
~60 MB); each worker opens the index itself after the fork, so no two processes share an open
file, and reads the suggestion lexicon from its file beside the index.
"""

from __future__ import annotations

import threading
from pathlib import Path

from gunicorn.app.base import BaseApplication

from search.analysis import analyze
from search.config import SERVING


class _Gunicorn(BaseApplication):
    def __init__(self, index_dir: Path, options: dict):
        self.index_dir = index_dir
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web import create_app

        app = create_app(self.index_dir)
        engine = app.extensions.get("zhsearch")
        if engine is not None:
            warm_up = threading.Timer(SERVING.lexicon_delay_seconds, engine.lexicon)
            warm_up.daemon = True
            warm_up.start()
        return app


def serve(index_dir: Path, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM stop the workers and exit)."""
    analyze("预热分词词典")  # loaded once, before the workers fork, and shared by them
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "proc_name": "zhsearch",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 5,
        # Closed after each answer: a kept-alive connection stays with one worker, and a few
        # busy clients could then queue on one core while the other idles.
        "keepalive": 0,
    }
    _Gunicorn(index_dir, options).run()
