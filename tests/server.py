"""A real `zhsearch serve` (gunicorn) in a subprocess, for tests that talk HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    def __init__(self, process: subprocess.Popen, base: str):
        self.process = process
        self.base = base
        self.output = ""

    def get(self, path: str) -> tuple[int, bytes]:
        return http_get(self.base + path)


@contextmanager
def running_server(index_dir: Path, threads: int = 4, workers: int = 1):
    """`zhsearch serve` on a free port, answered /healthz before this yields."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "zhsearch", "serve", "--index", str(index_dir)]
        + ["--port", str(port), "--threads", str(threads), "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ},
        cwd=ROOT,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.get("/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("zhsearch serve did not start") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        server.output = process.communicate(timeout=10)[0].decode("utf-8", "replace")
