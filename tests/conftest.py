"""Shared fixtures: small real indexes on disk, the demo corpus, the shared corpora."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from search.backends.whoosh.index import IndexWriterSession, open_or_create_index
from search.documents import Article

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def shared_corpora() -> Path:
    return Path(os.environ.get("ZHSEARCH_SHARED", ROOT.parent / "shared")) / "corpora"


def require_shared(name: str) -> Path:
    """A folder of ../shared/corpora, or skip the test where it is absent (a user's clone)."""
    path = shared_corpora() / name
    if not path.exists():
        pytest.skip(f"shared corpus {name} not present at {path}")
    return path


def build_index(index_dir: Path, articles: list[Article]) -> Path:
    with IndexWriterSession(open_or_create_index(index_dir)) as session:
        for article in articles:
            session.update(article)
    return index_dir


SAMPLE_ARTICLES = [
    Article(
        "a1",
        "北京大学迎来新生",
        "九月，北京大学迎来了三千名新生。新生们在未名湖畔合影留念。",
        source="示例日报",
        category="教育",
        date=datetime(2024, 9, 1, 9, 0),
    ),
    Article(
        "a2",
        "马克思主义理论研讨会召开",
        "研讨会围绕马克思的经典著作展开讨论，学者们交流了研究心得。",
        source="样例晚报",
        category="文化",
        date=datetime(2024, 5, 5, 10, 0),
    ),
    Article(
        "a3",
        "长江流域生态保护",
        "长江禁渔以来，江豚数量明显增加，生态环境持续改善。",
        source="示例日报",
        category="环境",
        date=datetime(2023, 4, 1, 8, 0),
    ),
    Article(
        "a4",
        "大学生走进北京胡同",
        "一群大学生走进北京的胡同，记录老街坊的生活。",
        source="演示新闻网",
        category="社会",
        date=datetime(2025, 1, 2, 12, 0),
    ),
    Article(
        "a5",
        "臺灣高鐵營運二十年",
        "臺灣高鐵通車以來，旅客人數逐年增加，成為西部走廊的重要交通工具。",
        source="演示新闻网",
        category="交通",
        date=datetime(2024, 12, 1, 8, 0),
    ),
    Article(
        "a6",
        "北京烤鸭老字号",
        "北京的烤鸭店推出新菜品，吸引了不少游客。",
        source="样例晚报",
        category="生活",
        date=datetime(2022, 3, 3, 18, 0),
    ),
]


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    return build_index(tmp_path_factory.mktemp("sample") / "index", SAMPLE_ARTICLES)


@pytest.fixture(scope="session")
def sample_engine(sample_index):
    from search.backends.whoosh.engine import SearchEngine

    return SearchEngine(sample_index)


@pytest.fixture(scope="session")
def demo_shards(tmp_path_factory):
    """The bundled corpus/ in three Xapian shards (real `xapian-tcpsrv` servers), indexed
    through `zhsearch index --backend xapian`: the frontend's folder and the shard list."""
    import contextlib

    from search.backends.xapian.shards import running_shard
    from tests.server import run_zhsearch
    from tests.shard_servers import require_xapian, shard_port

    require_xapian()
    folder = tmp_path_factory.mktemp("demo-shards")
    with contextlib.ExitStack() as running:
        servers = [
            running.enter_context(running_shard(folder / f"shard-{n}", shard_port()))
            for n in range(3)
        ]
        shards = ",".join(str(server.address) for server in servers)
        home = folder / "frontend"
        done = run_zhsearch(
            "index", "--backend", "xapian", "--shards", shards, "--index", str(home), str(CORPUS)
        )
        assert done.returncode == 0, done.stderr
        assert "失败 failed 0" in done.stdout, done.stdout
        yield home, shards


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Path:
    """The bundled corpus/, indexed through the real indexing pipeline."""
    from indexer.pipeline import index_paths

    index_dir = tmp_path_factory.mktemp("demo") / "index"
    summary = index_paths([CORPUS], index_dir)
    assert not summary.failures, summary.failures
    return index_dir
