"""A fuzz pass: real news pages, mutated, through the extractor, the indexer and the pages.

Each page of ../shared/corpora/news_html is cut, spliced, re-encoded, mis-declared and laced
with markup that attacks (script, event handlers, javascript: links). Nothing may raise,
hang, or reach a reader unescaped.
"""

from __future__ import annotations

import random
import re
import time

from indexer.pipeline import index_paths
from indexer.readers import read_file
from search.backends.whoosh.engine import SearchEngine
from tests.conftest import require_shared
from web import create_app

PAGES = 30  # a fixed sample of the pages, so the pass stays within seconds
MUTANTS_PER_PAGE = 3
HOSTILE = [
    b"<script>window.__xss=1</script>",
    b'<img src=x onerror="window.__xss=2">',
    b'<a href="javascript:window.__xss=3">\xe7\x82\xb9\xe6\x88\x91</a>',
    b"<svg onload=window.__xss=4>",
    b'<link rel="canonical" href="javascript:window.__xss=5">',
    b'<meta property="og:url" content="javascript:alert(6)">',
    b"</title><script>window.__xss=7</script>",
    b"<div>" * 300,
    b"\x00\x01\x02\xff\xfe",
    b'<meta charset="big5">',
    b"<![CDATA[",
    b"<!--",
]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:  # truncated download
        return data[: rng.randrange(len(data) + 1)]
    if kind == 1:  # a chunk lost
        start = rng.randrange(len(data) + 1)
        return data[:start] + data[start + rng.randrange(1, 5000) :]
    if kind == 2:  # hostile markup spliced in at random places
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(len(data) + 1)
            data = data[:at] + rng.choice(HOSTILE) + data[at:]
        return data
    if kind == 3:  # re-encoded as GBK while still declaring UTF-8
        text = data.decode("utf-8", "replace")
        return text.encode("gbk", "replace")
    if kind == 4:  # random bytes flipped
        mutable = bytearray(data)
        for _ in range(rng.randrange(1, 50)):
            if mutable:
                mutable[rng.randrange(len(mutable))] = rng.randrange(256)
        return bytes(mutable)
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))  # binary


def test_mutated_news_pages_are_indexed_or_skipped_and_always_escaped(tmp_path):
    rng = random.Random(20261129)
    pages = sorted(require_shared("news_html").glob("*.html"))
    pages = rng.sample(pages, min(PAGES, len(pages)))
    folder = tmp_path / "pages"
    folder.mkdir()
    for page in pages:
        data = page.read_bytes()
        for n in range(MUTANTS_PER_PAGE):
            (folder / f"{page.stem}-{n}.html").write_bytes(_mutate(data, rng))
    mutants = sorted(folder.glob("*.html"))

    slowest = 0.0
    for path in mutants:
        started = time.perf_counter()
        result = read_file(path)  # never raises
        slowest = max(slowest, time.perf_counter() - started)
        assert result.articles or result.errors, path
    assert slowest < 10, f"one page took {slowest:.1f} s"

    summary = index_paths([folder], tmp_path / "index")
    assert summary.indexed + len(summary.failures) == len(mutants)
    assert summary.indexed > len(mutants) // 2  # most damaged pages still yield an article
    assert all(f.reason for f in summary.failures)

    engine = SearchEngine(tmp_path / "index")
    client = create_app(tmp_path / "index").test_client()
    with engine.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    assert len(ids) == summary.indexed
    for doc_id in ids:
        api = client.get(f"/api/documents/{doc_id}")
        assert api.status_code == 200
        page = client.get(f"/doc/{doc_id}")
        assert page.status_code == 200
        _assert_inert(page.get_data(as_text=True))
    for query in ("新闻", "记者", "<script>", "javascript", "onerror"):
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200
        _assert_inert(response.get_data(as_text=True))
        api = client.get("/api/search", query_string={"q": query, "size": 100})
        for hit in api.get_json()["hits"]:
            for html in (hit["title_html"], hit["snippet_html"]):
                assert "<" not in re.sub(r"</?mark>", "", html)


def _assert_inert(html: str) -> None:
    """Only the app's own script, no handler attributes, no javascript: links."""
    assert re.findall(r"<script\b[^>]*>", html, re.I) == ['<script src="/static/app.js" defer>']
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.I)
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", html, re.I)
    assert "<svg" not in html.lower() and "<img" not in html.lower()
