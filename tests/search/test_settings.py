"""A settings file over search/config.py's defaults: applied by every command, and refused,
key named, before anything starts when it has a typo or a value of the wrong kind."""

from __future__ import annotations

import pytest

from search.config import SECTIONS
from search.settings import SettingsError, read
from tests.conftest import ROOT
from tests.server import run_zhsearch


def _write(tmp_path, text: str):
    path = tmp_path / "zhsearch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_values_are_read_as_the_defaults_kinds(tmp_path):
    path = _write(
        tmp_path,
        "[ranking]\nbm25_k1 = 2\nsynonym_weight = 0.5\n[ranking.field_boosts]\ntitle = 3\n"
        "[analytics]\nenabled = false\n",
    )
    assert read(path, SECTIONS) == {
        "ranking": {
            "bm25_k1": 2.0,
            "synonym_weight": 0.5,
            "field_boosts": {"title": 3.0, "text": 1.0},
        },
        "analytics": {"enabled": False},
    }


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[ranking]\nbm25_kl = 1.4\n", "ranking.bm25_kl"),
        ("[rankings]\nbm25_k1 = 1.4\n", "[rankings]"),
        ("[serving]\nthreads = 1.5\n", "serving.threads"),
        ("[serving]\nthreads = -2\n", "serving.threads"),
        ("[analytics]\nenabled = 'no'\n", "analytics.enabled"),
        ("[ranking.field_boosts]\nheadline = 2.0\n", "ranking.field_boosts"),
        ("[ranking\n", "not TOML"),
    ],
)
def test_a_typo_or_a_wrong_kind_of_value_is_refused_by_name(tmp_path, text, named):
    with pytest.raises(SettingsError, match=named.replace("[", r"\[").replace(".", r"\.")):
        read(_write(tmp_path, text), SECTIONS)


def test_every_command_applies_it_and_config_show_says_where_each_came_from(tmp_path):
    path = _write(tmp_path, "[limits]\nmax_query_words = 2\n")
    shown = run_zhsearch("config", "show", "--config", str(path))
    assert shown.returncode == 0
    assert f"limits.max_query_words = 2\t# {path}" in shown.stdout.splitlines()
    assert "limits.max_page = 100\t# default" in shown.stdout.splitlines()
    also = run_zhsearch("config", "show", env={"ZHSEARCH_CONFIG": str(path)})
    assert f"limits.max_query_words = 2\t# {path}" in also.stdout.splitlines()

    index_dir = tmp_path / "index"
    assert run_zhsearch("index", "--index", str(index_dir), str(ROOT / "corpus")).returncode == 0
    searched = run_zhsearch(
        "search", "--json", "--index", str(index_dir), "--config", str(path), "北京 上海 广州"
    )
    assert searched.returncode == 0 and "只按前 2 个搜索" in searched.stdout
    unset = run_zhsearch("search", "--json", "--index", str(index_dir), "北京 上海 广州")
    assert unset.returncode == 0 and "只按前" not in unset.stdout


def test_a_bad_file_stops_a_command_before_it_touches_the_index(tmp_path):
    path = _write(tmp_path, "[indexing]\ncommit_evry = 10\n")
    index_dir = tmp_path / "never"
    done = run_zhsearch(
        "index", "--index", str(index_dir), "--config", str(path), str(ROOT / "corpus")
    )
    assert done.returncode != 0 and "indexing.commit_evry" in done.stderr
    assert not index_dir.exists()
    served = run_zhsearch("serve", "--index", str(index_dir), "--port", "1", "--config", str(path))
    assert served.returncode != 0 and "indexing.commit_evry" in served.stderr
