"""The command line on Xapian shards beyond indexing and searching: the dictionary that
re-analyses the articles holding a new word, snapshots that restore onto any number of
shards or into a Whoosh index (and back), and `delete` through a serving frontend's journal.
All against real `xapian-tcpsrv` servers."""

from __future__ import annotations

import json

import pytest

from search.documents import Article
from search.writes.journal import Journal, put
from tests.conftest import CORPUS
from tests.server import create_key, run_zhsearch, running_server
from tests.shard_servers import require_xapian, running_shards, shard_list

QUERIES = ["人工智能", "马铃薯", "长江 生态", '"新能源汽车"', "北京"]


@pytest.fixture(scope="module", autouse=True)
def xapian_installed():
    require_xapian()


def on(servers, home) -> tuple[str, ...]:
    return ("--backend", "xapian", "--shards", shard_list(servers), "--index", str(home))


def ranking(*args: str) -> dict[str, list]:
    """Each query's top 10 (id, score), as `zhsearch search --json` gives them."""
    pages = {}
    for query in QUERIES:
        done = run_zhsearch("search", *args, "--json", query)
        assert done.returncode == 0, done.stderr
        pages[query] = [(h["id"], round(h["score"], 6)) for h in json.loads(done.stdout)["hits"]]
    assert any(pages.values())
    return pages


def indexed(servers, home) -> None:
    done = run_zhsearch("index", *on(servers, home), str(CORPUS))
    assert done.returncode == 0 and "新增 added 45" in done.stdout, done.stdout + done.stderr


def test_dict_add_on_shards_reanalyses_only_the_articles_that_hold_the_word(tmp_path):
    from search.backends.xapian.reader import ShardReader
    from search.backends.xapian.shards import parse_shards

    articles = tmp_path / "articles.jsonl"
    lines = [
        {"id": "qx", "title": "毕节新闻", "text": "贵州省毕节市七星关区的干部走访了农户。"},
        {"id": "other", "title": "天文", "text": "北斗七星在夜空中闪耀，海关区域监管也很严格。"},
    ]
    articles.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in lines) + "\n")
    with running_shards(tmp_path, 2) as servers:
        home = tmp_path / "frontend"
        assert run_zhsearch("index", *on(servers, home), str(articles)).returncode == 0

        def holds_word() -> bool:
            with ShardReader(parse_shards(shard_list(servers))) as reader:
                return reader.term_frequency("七星关区") > 0

        assert not holds_word()  # jieba cut it in two
        done = run_zhsearch("dict", "add", *on(servers, home), "七星关区")
        assert done.returncode == 0, done.stderr
        assert "re-analysed 1" in done.stdout, done.stdout
        assert holds_word()
        assert (home / "userdict.txt").read_text(encoding="utf-8") == "七星关区\n"
        found = run_zhsearch("search", *on(servers, home), "--json", '"七星关区"')
        assert [h["id"] for h in json.loads(found.stdout)["hits"]] == ["qx"]
        assert "<mark>七星关区</mark>" in json.loads(found.stdout)["hits"][0]["snippet_html"]


def test_a_snapshot_of_one_shard_restores_onto_three_with_the_same_ranking(tmp_path):
    with running_shards(tmp_path / "one", 1) as one, running_shards(tmp_path / "three", 3) as three:
        home = tmp_path / "frontend"
        indexed(one, home)
        key = create_key(home, "cms")
        # An acknowledged write not applied yet: the snapshot keeps it in the journal.
        journal = Journal(home)
        journal.append([put(Article("pending", "江豚重现长江", "江豚。"))])
        journal.close()
        snapshot = tmp_path / "shards.tar"
        taken = run_zhsearch("snapshot", *on(one, home), str(snapshot))
        assert taken.returncode == 0, taken.stderr
        assert "45 篇文章 articles" in taken.stdout, taken.stdout

        restored_home = tmp_path / "restored"
        done = run_zhsearch("restore", *on(three, restored_home), str(snapshot))
        assert done.returncode == 0, done.stderr
        assert "restored 45" in done.stdout, done.stdout
        status = run_zhsearch("shard", "status", "--shards", shard_list(three), "--json")
        shards = json.loads(status.stdout)
        assert shards["articles"] == 46  # the 45 and the journal's write, applied
        assert all(s["articles"] > 0 for s in shards["shards"])  # spread by the id's hash
        # The next run on the original applies its journal too: then both hold the same 46.
        assert run_zhsearch("index", *on(one, home), str(CORPUS)).returncode == 0
        assert ranking(*on(three, restored_home)) == ranking(*on(one, home))
        with running_server(restored_home, args=on(three, restored_home)[:4]) as server:
            status, body, _ = server.call(
                "PUT",
                "/api/documents/new?wait=true",
                {"title": "海豚湾", "text": "清晨。"},
                key=key,
            )
            assert status == 202, body  # the key came with the snapshot


def test_snapshots_cross_between_a_whoosh_index_and_shards(tmp_path):
    whoosh = tmp_path / "index"
    assert run_zhsearch("index", "--index", str(whoosh), str(CORPUS)).returncode == 0
    assert run_zhsearch("snapshot", "--index", str(whoosh), str(tmp_path / "w.tar")).returncode == 0
    with running_shards(tmp_path / "shards", 2) as servers:
        home = tmp_path / "frontend"
        done = run_zhsearch("restore", *on(servers, home), str(tmp_path / "w.tar"))
        assert done.returncode == 0 and "restored 45" in done.stdout, done.stdout + done.stderr
        assert ranking(*on(servers, home))["马铃薯"][0][0] == "demo-001"
        taken = run_zhsearch("snapshot", *on(servers, home), str(tmp_path / "x.tar"))
        assert taken.returncode == 0, taken.stderr
    back = tmp_path / "back"
    done = run_zhsearch("restore", "--index", str(back), str(tmp_path / "x.tar"))
    assert done.returncode == 0 and "restored 45" in done.stdout, done.stdout + done.stderr
    assert [p[0] for p in ranking("--index", str(back))["马铃薯"]] == [
        p[0] for p in ranking("--index", str(whoosh))["马铃薯"]
    ]


def test_restore_onto_shards_refuses_shards_that_hold_articles_and_a_used_folder(tmp_path):
    with running_shards(tmp_path, 1) as servers:
        home = tmp_path / "frontend"
        indexed(servers, home)
        snapshot = tmp_path / "s.tar"
        assert run_zhsearch("snapshot", *on(servers, home), str(snapshot)).returncode == 0
        onto_full = run_zhsearch("restore", *on(servers, tmp_path / "new"), str(snapshot))
        assert onto_full.returncode == 1 and "empty shards" in onto_full.stderr
        junk = tmp_path / "junk.tar"
        junk.write_bytes(b"junk")
        empty = tmp_path / "empty"
        with running_shards(empty, 1) as fresh:
            refused = run_zhsearch("restore", *on(fresh, empty / "home"), str(junk))
            assert refused.returncode == 1 and "not a snapshot" in refused.stderr
        servers[0].stop()
        down = run_zhsearch("snapshot", *on(servers, home), str(tmp_path / "t.tar"))
        assert down.returncode == 1 and str(servers[0].address) in down.stderr
        assert not (tmp_path / "t.tar").exists() and not (tmp_path / "t.tar.partial").exists()


def test_delete_on_shards_goes_through_a_serving_frontends_journal(tmp_path):
    with running_shards(tmp_path, 2) as servers:
        home = tmp_path / "frontend"
        indexed(servers, home)
        with running_server(home, args=on(servers, home)[:4]) as server:
            done = run_zhsearch("delete", *on(servers, home), "demo-001", "no-such-id")
            assert done.returncode == 0, done.stderr
            assert "deleted 1 / 2" in done.stdout and "journal" in done.stdout, done.stdout
            status, body, _ = server.call("GET", "/api/documents/demo-001")
            assert status == 404, body
            status, stats, _ = server.call("GET", "/api/stats")
            assert stats["articles"] == 44 and stats["queued"] == 0
            assert stats["last_update"] is not None and stats["index_bytes"] is None


def test_a_snapshot_taken_while_writes_stream_in_keeps_every_write_acknowledged_before_it(
    tmp_path,
):
    import threading

    from search.backends.xapian import snapshots
    from search.backends.xapian.reader import ShardReader
    from search.backends.xapian.shards import parse_shards
    from tests.shard_servers import eventually

    with running_shards(tmp_path / "live", 1) as live, running_shards(tmp_path / "r", 2) as fresh:
        home = tmp_path / "frontend"
        indexed(live, home)
        key = create_key(home, "cms")
        acknowledged: list[str] = []
        stop = threading.Event()
        with running_server(home, args=on(live, home)[:4]) as server:

            def write() -> None:
                n = 0
                while not stop.is_set():
                    body = {"title": f"流水稿件{n}", "text": f"第{n}篇。"}
                    status, _, _ = server.call("PUT", f"/api/documents/w{n}", body, key=key)
                    assert status == 202
                    acknowledged.append(f"w{n}")
                    n += 1

            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            try:
                assert eventually(lambda: len(acknowledged) >= 20)
                before = list(acknowledged)  # acknowledged before the snapshot began
                snapshots.take(home, parse_shards(shard_list(live)), tmp_path / "s.tar")
                after = len(acknowledged)
            finally:
                stop.set()
                writer.join(30)
        assert after > len(before)  # writes went on while it was taken
        # Those the shards held when read are among its articles; the rest pending in its
        # journal, applied by the restore.
        snapshots.restore(
            tmp_path / "s.tar", tmp_path / "restored", parse_shards(shard_list(fresh))
        )
        with ShardReader(parse_shards(shard_list(fresh))) as reader:
            assert [i for i in before if not reader.holds(i)] == []
            assert reader.holds("demo-001")
