"""`zhsearch serve --backend xapian` over real `xapian-tcpsrv` shards, through real HTTP: a
shard killed mid-test leaves partial answers naming it, writes made while it is down wait in
the journal and are searchable once it is back; the command line searches and deletes on the
shards."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from search.backends.xapian.documents import shard_of
from tests.conftest import CORPUS
from tests.server import create_key, run_zhsearch, running_server
from tests.shard_servers import eventually, require_xapian, shard_port


@pytest.fixture(scope="module", autouse=True)
def xapian_installed():
    require_xapian()


@pytest.fixture
def shards(tmp_path):
    from search.backends.xapian.shards import ShardServer

    servers = [ShardServer(tmp_path / f"shard-{n}", shard_port()) for n in range(3)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def shard_list(servers) -> str:
    return ",".join(str(s.address) for s in servers)


def search(server, text: str, **params) -> dict:
    status, body, _ = server.call(
        "GET", "/api/search?" + urllib.parse.urlencode({"q": text, **params})
    )
    assert status == 200, body
    return body


def test_a_server_over_shards_answers_searches_and_writes_and_survives_a_shard_going_down(
    shards, tmp_path
):
    home = tmp_path / "frontend"
    backend = ("--backend", "xapian", "--shards", shard_list(shards))
    indexed = run_zhsearch("index", *backend, "--index", str(home), str(CORPUS))
    assert indexed.returncode == 0, indexed.stderr
    key = create_key(home, "cms")
    with running_server(home, args=backend) as server:
        everything = search(server, "人工智能")
        assert everything["total"] > 0 and not everything["partial"]
        assert everything["missing_shards"] == []
        status, body, _ = server.call(
            "PUT",
            "/api/documents/s1?wait=true",
            {"title": "江豚重现长江", "text": "江豚。"},
            key=key,
        )
        assert status == 202, body
        assert [h["id"] for h in search(server, '"江豚重现长江"')["hits"]] == ["s1"]

        # The shard that holds s2 goes down: searches answer with the others, naming it.
        down = shards[shard_of("s2", 3)]
        down.stop()
        partial = search(server, "人工智能")
        assert partial["partial"] and partial["missing_shards"] == [str(down.address)]
        status, stats, _ = server.call("GET", "/api/stats")
        assert 0 < stats["articles"] < 46  # the corpus and s1, less the shard that is down
        # A write for it is acknowledged and waits in the journal.
        status, body, _ = server.call(
            "PUT", "/api/documents/s2", {"title": "海豚湾的清晨", "text": "海豚湾。"}, key=key
        )
        assert status == 202, body
        status, stats, _ = server.call("GET", "/api/stats")
        assert stats["queued"] == 1, stats

        down.start()  # the same folder and port
        assert eventually(lambda: search(server, '"海豚湾的清晨"')["total"] == 1)
        back = search(server, "人工智能")
        assert not back["partial"] and back["total"] == everything["total"]
        status, stats, _ = server.call("GET", "/api/stats")
        assert stats["queued"] == 0
        status, article, _ = server.call("GET", "/api/documents/s2")
        assert status == 200 and article["title"] == "海豚湾的清晨"

        # Every shard down: a clear 503, not a 500 or a hang.
        for shard in shards:
            shard.stop()
        status, body, _ = server.call("GET", "/api/search?q=" + urllib.parse.quote("人工智能"))
        assert status == 503 and body["error"] == "shards_unavailable"
        assert all(str(s.address) in body["message"] for s in shards)
    assert "Traceback" not in server.output


def test_the_command_line_indexes_searches_and_deletes_on_shards(shards, tmp_path):
    home = tmp_path / "frontend"
    backend = ("--backend", "xapian", "--shards", shard_list(shards), "--index", str(home))
    first = run_zhsearch("index", *backend, str(CORPUS))
    assert first.returncode == 0 and "新增 added 45" in first.stdout, first.stdout + first.stderr
    again = run_zhsearch("index", *backend, str(CORPUS))
    assert "未变 unchanged 15 files" in again.stdout, again.stdout
    found = run_zhsearch("search", *backend, "--json", "马铃薯")
    assert found.returncode == 0, found.stderr
    hits = [h["id"] for h in json.loads(found.stdout)["hits"]]
    assert "demo-001" in hits
    status = run_zhsearch("shard", "status", "--shards", shard_list(shards), "--json")
    assert json.loads(status.stdout)["articles"] == 45
    deleted = run_zhsearch("delete", *backend, "demo-001", "no-such-id")
    assert deleted.returncode == 0 and "deleted 1 / 2" in deleted.stdout, deleted.stdout
    found = run_zhsearch("search", *backend, "--json", "马铃薯")
    assert "demo-001" not in [h["id"] for h in json.loads(found.stdout)["hits"]]

    shards[0].stop()
    refused = run_zhsearch("index", *backend, str(CORPUS))
    assert refused.returncode == 1 and str(shards[0].address) in refused.stderr
    partial = run_zhsearch("search", *backend, "马铃薯")
    assert partial.returncode == 0 and str(shards[0].address) in partial.stderr


def test_shards_without_xapian_shards_given_is_a_usage_error(tmp_path):
    done = run_zhsearch("search", "--shards", "127.0.0.1:1", "--index", str(tmp_path), "x")
    assert done.returncode == 2 and "--backend xapian" in done.stderr
    done = run_zhsearch("search", "--backend", "xapian", "--shards", "nonsense", "x")
    assert done.returncode == 1 and "host:port" in done.stderr
