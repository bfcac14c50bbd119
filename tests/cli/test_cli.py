import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.writes.lock import current_holder
from tests.conftest import CORPUS
from tests.server import running_server
from zhsearch.cli import main

TREC_LINE = re.compile(r"^(\S+) Q0 (\S+) (\d+) (-?\d+\.\d+) zhsearch$")


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["index", "--index", str(index_dir), str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert "added 45" in result.output and "failed 0" in result.output
    return index_dir


def test_search_prints_ranked_titles(cli_index):
    result = CliRunner().invoke(main, ["search", "--index", str(cli_index), "江豚"])
    assert result.exit_code == 0
    assert "长江禁渔第四年" in result.output.splitlines()[1]


def test_search_json_prints_the_api_hit_objects(cli_index):
    result = CliRunner().invoke(
        main, ["search", "--index", str(cli_index), "--json", "--limit", "2", "东西部协作"]
    )
    body = json.loads(result.output)
    assert len(body["hits"]) == 2 and body["total"] >= 4
    assert {"id", "title", "url", "date", "score", "title_html", "snippet_html"} <= set(
        body["hits"][0]
    )


def test_index_folder_defaults_to_the_environment_variable(cli_index, monkeypatch):
    monkeypatch.setenv("ZHSEARCH_INDEX", str(cli_index))
    result = CliRunner().invoke(main, ["search", "江豚"])
    assert result.exit_code == 0 and "长江禁渔" in result.output


def test_search_errors_are_messages_not_tracebacks(cli_index, tmp_path):
    bad_query = CliRunner().invoke(main, ["search", "--index", str(cli_index), "！？。"])
    assert bad_query.exit_code == 1 and "no searchable words" in bad_query.output
    no_index = CliRunner().invoke(main, ["search", "--index", str(tmp_path / "none"), "江豚"])
    assert no_index.exit_code == 1 and "zhsearch index" in no_index.output
    assert "Traceback" not in bad_query.output + no_index.output


def test_batch_topics_write_a_valid_trec_run(cli_index, tmp_path):
    topics = tmp_path / "topics.tsv"
    topics.write_text('q1\t江豚\nq2\t东西部协作\nq3\t"江豚\nq4\t！？。\n', encoding="utf-8")
    run = tmp_path / "run.trec"
    result = CliRunner().invoke(
        main,
        [
            "search",
            "--index",
            str(cli_index),
            "--topics",
            str(topics),
            "--run",
            str(run),
            "--limit",
            "3",
        ],
    )
    assert result.exit_code == 0
    rows = [TREC_LINE.match(line) for line in run.read_text(encoding="utf-8").splitlines()]
    assert rows and all(rows)
    by_query: dict[str, list] = {}
    for row in rows:
        by_query.setdefault(row.group(1), []).append(row)
    # q3's unbalanced quote is searched as plain words, and said so; q4 has nothing to search
    assert set(by_query) == {"q1", "q2", "q3"}
    assert "q3: " in result.stderr and "plain words" in result.stderr
    assert "q4: " in result.stderr and "nothing to search for" in result.stderr
    assert [int(r.group(3)) for r in by_query["q2"]] == [1, 2, 3]
    for rows_of_query in by_query.values():  # as trec_eval orders them: by score
        scores = [float(r.group(4)) for r in rows_of_query]
        assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    assert by_query["q1"][0].group(2) == "demo-004" == by_query["q3"][0].group(2)


def test_delete_removes_articles_by_id(tmp_path):
    index_dir = tmp_path / "ix"
    CliRunner().invoke(main, ["index", "--index", str(index_dir), str(CORPUS / "news-2024.jsonl")])
    result = CliRunner().invoke(main, ["delete", "--index", str(index_dir), "demo-004", "nope"])
    assert "deleted 1 / 2" in result.output
    after = CliRunner().invoke(main, ["search", "--index", str(index_dir), "江豚"])
    assert "demo-004" not in after.output


def test_strict_turns_a_failed_file_into_a_nonzero_exit_and_keeps_the_rest(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "good.txt").write_text("江豚回来了\n长江里又能看到成群的江豚。", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    lenient = CliRunner().invoke(main, ["index", "--index", str(tmp_path / "a"), str(folder)])
    strict = CliRunner().invoke(
        main, ["index", "--strict", "--index", str(tmp_path / "b"), str(folder)]
    )
    assert lenient.exit_code == 0 and "failed 1" in lenient.output
    assert strict.exit_code == 1 and "empty.txt" in strict.output
    found = CliRunner().invoke(main, ["search", "--index", str(tmp_path / "b"), "江豚"])
    assert "江豚回来了" in found.output


def test_a_run_that_indexed_nothing_while_files_failed_exits_non_zero(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "export.jsonl").write_text("{not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "--index", str(tmp_path / "ix"), str(folder)])
    assert result.exit_code == 1 and "failed 2" in result.output
    assert "nothing was indexed" in result.output


def test_extract_json_shows_the_article_fields():
    page = CORPUS / "html" / "gbk-news-0309.html"
    result = CliRunner().invoke(main, ["extract", "--json", str(page)])
    fields = json.loads(result.output)
    assert fields["title"] == "秋粮收购有序进行 农民售粮更便捷"
    assert fields["publish_time"] == "2024-10-08T08:45:00+08:00"
    assert "粮款当天就能到账" in fields["text"] and "版权所有" not in fields["text"]


def test_missing_path_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["index", "--index", str(tmp_path / "ix"), "no/such/dir"])
    assert result.exit_code != 0 and "no such file or folder" in result.output


def test_serve_answers_over_real_http_from_several_worker_processes(cli_index):
    with running_server(cli_index, workers=2) as server:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        deadline = time.monotonic() + 20
        while len(children.read_text().split()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        # Two workers, and the committer of the write API, which holds the writer lock.
        pids = {int(pid) for pid in children.read_text().split()}
        assert len(pids) == 3
        assert current_holder(cli_index).pid in pids
        for _ in range(6):  # whichever worker answers, it has the index open
            status, body = server.get("/api/search?q=%E6%B1%9F%E8%B1%9A")  # 江豚
            assert status == 200 and json.loads(body)["hits"][0]["id"] == "demo-004"
        status, body = server.get("/api/search?q=%22")
        assert status == 400 and json.loads(body)["error"] == "bad_request"
        status, body = server.get("/search?q=%E6%B1%9F%E8%B1%9A")
        assert status == 200 and "<mark>江豚</mark>".encode() in body
    assert "2 个进程 workers" in server.output
    assert server.process.returncode == 0  # stopped cleanly by SIGTERM
