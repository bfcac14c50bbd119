"""What `zhsearch serve` writes: a Common Log Format line a request (never a key), JSON with
Chinese as UTF-8 rather than \\u escapes; and `zhsearch --version`."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import ROOT, running_server

COMMON_LOG = re.compile(r'^\S+ - - \[[^\]]+\] "GET (\S+) HTTP/1\.[01]" (\d{3}) (\d+)$', re.M)


def test_each_request_is_one_common_log_line_and_keys_are_never_logged(tmp_path):
    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    with running_server(index_dir) as server:
        status, raw = server.get("/api/search?q=%E5%8C%97%E4%BA%AC")
        assert status == 200 and "北京".encode() in raw and b"\\u5317" not in raw
        server.call("GET", "/api/stats", key="zhs_secret-key-value")
    lines = COMMON_LOG.findall(server.output)
    assert ("/api/search?q=%E5%8C%97%E4%BA%AC", "200") in [
        (path, status) for path, status, _ in lines
    ]
    assert ("/api/stats", "200") in [(path, status) for path, status, _ in lines]
    assert "zhs_secret-key-value" not in server.output


def test_version():
    done = subprocess.run(
        [sys.executable, "-m", "zhsearch", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and re.fullmatch(r"zhsearch, version \d+\.\d+\.\d+\n", done.stdout)


def test_with_analytics_off_the_log_keeps_no_query_strings_and_nothing_is_recorded(tmp_path):
    index_dir = build_index(tmp_path / "index", SAMPLE_ARTICLES)
    settings = tmp_path / "zhsearch.toml"
    settings.write_text("[analytics]\nenabled = false\n", encoding="utf-8")
    with running_server(index_dir, args=("--config", str(settings))) as server:
        assert server.get("/api/search?q=%E5%8C%97%E4%BA%AC")[0] == 200
        assert server.get("/search?q=%E5%8C%97%E4%BA%AC")[0] == 200
    paths = [path for path, _, _ in COMMON_LOG.findall(server.output)]
    assert "/api/search" in paths and "/search" in paths
    assert not any("?" in path for path in paths)
    assert not (index_dir / "analytics.sqlite").exists()
