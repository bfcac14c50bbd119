"""SIGKILL of the whole `zhsearch serve` process group while clients write, again and again:
every acknowledged write survives, nothing half-applied, no duplicates."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from search.backends.whoosh.index import open_index
from search.keys import KeyStore
from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import Server, free_port, http_request, start_server, wait_until_answering

KILLS = 12
IDS = [f"k{n:02d}" for n in range(40)]


def _token(doc_id: str) -> str:
    """A word only this article holds, to search for it: letters alone (k07 → zqkah), since
    a word of letters and digits is also found by its runs (zqk, 07) that others share."""
    return "zq" + doc_id.translate(str.maketrans("0123456789", "abcdefghij"))


@dataclass
class History:
    """What the clients asked for each id, in order, and which asks were acknowledged."""

    asks: dict[str, list[tuple[int, str | None, bool]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: int = 0

    def record(self, doc_id: str, number: int, version: str | None, acked: bool) -> None:
        with self.lock:
            self.asks.setdefault(doc_id, []).append((number, version, acked))
            self.acks += acked

    def allowed(self, doc_id: str) -> set[str | None] | None:
        """The final states the id may be in (a version, or None for deleted); None: any
        state the sample started with (never acknowledged anything)."""
        asks = sorted(self.asks.get(doc_id, []))
        acked = [n for n, (_, _, ok) in enumerate(asks) if ok]
        if not acked:
            return None
        # The last acknowledged write, or one asked after it whose answer never came.
        return {version for _, version, _ in asks[acked[-1] :]}


def _client(
    base: list[str], key: str, history: History, stop: threading.Event, seed: int, ids: list[str]
):
    """Writes to its own ids only, one request at a time: the order of its asks is the order
    the server saw them in, and its numbers grow from one round to the next."""
    rng = random.Random(seed)
    number = seed * 1_000_000
    while not stop.is_set():
        number += 1
        doc_id = rng.choice(ids)
        headers = {"Authorization": f"Bearer {key}"}
        version = None if rng.random() < 0.2 else f"v{number}"  # None: a delete
        try:
            if version is None:
                status, _, _ = http_request(
                    "DELETE", f"{base[0]}/api/documents/{doc_id}", headers=headers, timeout=10
                )
            else:
                article = {"title": f"{_token(doc_id)} 第{version}版", "text": f"{version} 正文"}
                status, _, _ = http_request(
                    "PUT", f"{base[0]}/api/documents/{doc_id}", article, headers, timeout=10
                )
        except (OSError, http.client.HTTPException):  # the server was killed under it
            history.record(doc_id, number, version, acked=False)
            time.sleep(0.02)
            continue
        history.record(doc_id, number, version, acked=status == 202)


def _tail(path, lines: int = 40) -> str:
    output = path.read_text("utf-8", "replace").splitlines()[-lines:]
    return "\nservers' output:\n" + "\n".join(output)


def _kill_group(process) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # gunicorn master, workers, committer, merges
    process.wait()


def test_acknowledged_writes_survive_sigkill_of_the_server_at_any_moment(tmp_path):
    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    key = KeyStore(index_dir).create("crash-test", "write")
    history = History()
    rng = random.Random(13)
    base = [""]
    outcomes = []
    log = (tmp_path / "servers.log").open("wb")  # every server's output, for a failure
    for kill in range(KILLS):
        port = free_port()
        process = start_server(index_dir, port, workers=2, own_group=True, log=log)
        server = Server(process, f"http://127.0.0.1:{port}")
        base[0] = server.base
        wait_until_answering(server)
        stop = threading.Event()
        clients = [
            threading.Thread(
                target=_client, args=(base, key, history, stop, kill * 10 + n, IDS[n::3])
            )
            for n in range(3)
        ]
        for client in clients:
            client.start()
        acks_before = history.acks
        # Writes flow first (however slowly a loaded machine serves them), then the kill
        # lands at a random moment of the stream.
        deadline = time.monotonic() + 60
        while history.acks - acks_before < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 1.3))
        _kill_group(process)
        stop.set()
        for client in clients:
            client.join(30)
        outcomes.append(history.acks - acks_before)

    assert sum(outcomes) >= 100, f"too few acknowledged writes to prove much: {outcomes}"

    port = free_port()
    process = start_server(index_dir, port, workers=2, own_group=True, log=log)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_until_answering(server)
        deadline = time.monotonic() + 60
        while json.loads(server.get("/api/stats")[1])["queued"]:
            assert time.monotonic() < deadline, "the journal was not applied on start"
            time.sleep(0.1)
        for doc_id in IDS:
            allowed = history.allowed(doc_id)
            if allowed is None:
                continue
            status, body = server.get(f"/api/documents/{doc_id}")
            version = json.loads(body)["text"].split()[0] if status == 200 else None
            problem = f"{doc_id}: {version}, expected one of {allowed}"
            assert version in allowed, problem + _tail(tmp_path / "servers.log")
            query = urllib.parse.urlencode({"q": _token(doc_id)})
            found = [h["id"] for h in json.loads(server.get(f"/api/search?{query}")[1])["hits"]]
            assert found == ([doc_id] if version else []), (doc_id, found)
    finally:
        _kill_group(process)

    with open_index(index_dir).searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    assert len(ids) == len(set(ids)), "duplicate articles"
    print("acknowledged writes per round:", outcomes)
