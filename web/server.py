"""`zhsearch serve`: the app behind gunicorn, in one or more pre-forked worker processes.

A search is CPU work in Python, so one process answers one search at a time whatever its
threads do (they keep slow clients from blocking it); several worker processes use several
cores. The segmentation dictionary is loaded once before the workers fork (they share its
~60 MB); each worker opens the index itself after the fork, so no two processes share an open
file, and reads the suggestion lexicon from its file beside the index.

The write API's committer (`search.writes.committer`) is a process of its own, forked before
the workers; each worker also runs a committer thread that takes over should it die.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

from gunicorn.app.base import BaseApplication

from search.analysis import analyze
from search.config import ANALYTICS, SERVING
from search.writers import process_alive

# prometheus_client's multiprocess folder (web/metrics.py); read when it is first imported, so
# set before anything imports it
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class _Gunicorn(BaseApplication):
    def __init__(self, index_dir: Path, options: dict, app_config: dict):
        self.index_dir = index_dir
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web import create_app
        from web.writes import start_committer

        app = create_app(self.index_dir, self.app_config)
        start_committer(app)  # stands by, should the committer process die
        engine = app.extensions.get("zhsearch")
        if engine is not None:
            warm_up = threading.Timer(SERVING.lexicon_delay_seconds, engine.lexicon)
            warm_up.daemon = True
            warm_up.start()
        return app


def _stop_committer(server, worker) -> None:
    """In a stopping worker: let its committer finish the commit at hand (a kill mid-commit
    loses nothing either, the journal is applied again)."""
    app = getattr(worker, "wsgi", None)
    committer = getattr(app, "extensions", {}).get("zhsearch_committer")
    if committer is not None:
        committer.stop(timeout=4)


METRICS_PREFIX = "zhsearch-metrics-"  # then the serving process's id, then mkdtemp's letters


def _metrics_folder() -> str | None:
    """The folder where the workers keep their counts for /metrics, empty at each start; the
    folder if this call made it (to remove at the end)."""
    made = None
    if not os.environ.get(MULTIPROCESS_ENV):
        remove_dead_metrics_folders(Path(tempfile.gettempdir()))
        made = tempfile.mkdtemp(prefix=f"{METRICS_PREFIX}{os.getpid()}-")
        os.environ[MULTIPROCESS_ENV] = made
    for stale in Path(os.environ[MULTIPROCESS_ENV]).glob("*.db"):
        stale.unlink()
    return made


def remove_dead_metrics_folders(folder: Path) -> None:
    """Remove the metrics folders of servers that were killed (no chance to remove their own),
    this user's only."""
    for candidate in folder.glob(f"{METRICS_PREFIX}*-*"):
        pid = candidate.name[len(METRICS_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or process_alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            if candidate.stat().st_uid == os.getuid():
                shutil.rmtree(candidate)


def _worker_gone(server, worker) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges leave /metrics (its counts stay).
    Not web.metrics: importing that here would make the master a process that counts."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def access_log_format() -> str:
    """The Common Log Format (host, time, request line, status, bytes), no user name (a Basic
    login carries a key); without the query string while analytics are off."""
    request_line = "%(r)s" if ANALYTICS.enabled else "%(m)s %(U)s %(H)s"
    return f'%(h)s - - %(t)s "{request_line}" %(s)s %(B)s'


def serve(
    index_dir: Path,
    host: str,
    port: int,
    workers: int,
    threads: int,
    require_key: bool = False,
    backend: str = "whoosh",
    shards: str = "",
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM stop the workers and exit); `backend` and
    `shards` as `web.create_app` takes them."""
    from search.writes.committer import fork_committer_process

    metrics_folder = _metrics_folder()
    analyze("预热分词词典")  # loaded once, before the workers fork, and shared by them
    # Applies what a crashed server left in the journal first, then every new write; it dies
    # with this process.
    fork_committer_process(index_dir, shards=shards if backend == "xapian" else "")
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "proc_name": "zhsearch",
        "accesslog": "-",
        "access_log_format": access_log_format(),
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 5,
        # Closed after each answer: a kept-alive connection stays with one worker, and a few
        # busy clients could then queue on one core while the other idles.
        "keepalive": 0,
        "worker_exit": _stop_committer,
        "child_exit": _worker_gone,
    }
    master = os.getpid()
    try:
        app_config = {"REQUIRE_KEY": require_key, "BACKEND": backend, "SHARDS": shards}
        _Gunicorn(index_dir, options, app_config).run()
    finally:
        # A worker is forked inside run() and leaves it through here too when it stops on its
        # own (fewer workers, a reload, its master gone): only the master removes the folder.
        if metrics_folder and os.getpid() == master:
            shutil.rmtree(metrics_folder, ignore_errors=True)
