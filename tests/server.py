"""A real `zhsearch serve` (gunicorn) and the real command line in subprocesses, for tests
that talk to them; answers checked against the server's OpenAPI document."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_zhsearch(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """A `zhsearch` command run to its end, output captured (its exit status unchecked)."""
    return subprocess.run(
        [sys.executable, "-m", "zhsearch", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def create_key(index_dir: Path, name: str, scope: str = "write") -> str:
    """A new key, as `zhsearch keys create` prints it."""
    done = run_zhsearch("keys", "create", name, "--scope", scope, "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def check_schema(spec: dict, template: str, method: str, status: int, body) -> None:
    """The answer's body against what the OpenAPI document declares for it."""
    from jsonschema import Draft202012Validator

    declared = spec["paths"][template][method]["responses"][str(status)]
    schema = declared["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": spec["components"]})
    errors = [error.message for error in validator.iter_errors(body)]
    assert not errors, f"{method} {template} {status}: {errors}"


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


def http_request(
    method: str,
    url: str,
    body: bytes | dict | list | None = None,
    headers: dict | None = None,
    timeout: float = 60,
) -> tuple[int, dict, bytes]:
    """Status, headers and body of any request (a dict or list body is sent as JSON)."""
    headers = dict(headers or {})
    if isinstance(body, dict | list):
        body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Server:
    def __init__(self, process: subprocess.Popen, base: str):
        self.process = process
        self.base = base
        self.output = ""

    def get(self, path: str) -> tuple[int, bytes]:
        return http_get(self.base + path)

    def call(self, method: str, path: str, body=None, key: str | None = None, **headers):
        """(status, JSON body, headers) of a request, with the key as a Bearer token."""
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        status, got_headers, raw = http_request(method, self.base + path, body, headers)
        return status, json.loads(raw) if raw else None, got_headers


def start_server(
    index_dir: Path,
    port: int,
    threads: int = 4,
    workers: int = 1,
    args: tuple[str, ...] = (),
    env: dict | None = None,
    own_group: bool = False,
    log=None,
) -> subprocess.Popen:
    """`zhsearch serve` in a subprocess (`own_group`: in a process group of its own, so that
    the whole server, workers and all, can be killed at once; `log`: an open file for its
    output, else a pipe)."""
    return subprocess.Popen(
        [sys.executable, "-m", "zhsearch", "serve", "--index", str(index_dir)]
        + ["--port", str(port), "--threads", str(threads), "--workers", str(workers), *args],
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        start_new_session=own_group,
    )


def wait_until_answering(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.get("/healthz")
            return
        except (urllib.error.URLError, ConnectionError):
            if server.process.poll() is not None or time.monotonic() > deadline:
                if server.process.poll() is None:
                    server.process.kill()
                stream = server.process.stdout
                output = stream.read().decode("utf-8", "replace")[-2000:] if stream else ""
                raise RuntimeError(f"zhsearch serve did not start: {output}") from None
            time.sleep(0.1)


@contextmanager
def running_server(
    index_dir: Path,
    threads: int = 4,
    workers: int = 1,
    args: tuple[str, ...] = (),
    env: dict | None = None,
):
    """`zhsearch serve` on a free port, answered /healthz before this yields."""
    port = free_port()
    process = start_server(index_dir, port, threads, workers, args, env)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_until_answering(server)
        # Its output (an access-log line a request) is read as it comes, or the pipe would
        # fill and stop the server; the last of it is kept for the test.
        tail: deque[bytes] = deque(maxlen=2000)
        reader = threading.Thread(target=lambda: tail.extend(process.stdout), daemon=True)
        reader.start()
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        if "reader" in locals():
            reader.join(timeout=10)
            server.output = b"".join(tail).decode("utf-8", "replace")


def child_processes(pid: int) -> set[int]:
    """The processes `pid` started that are still running (none once it is gone)."""
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children |= {int(c) for c in (task / "children").read_text().split()}
    return children
