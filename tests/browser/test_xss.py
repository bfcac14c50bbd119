"""Articles that carry script payloads are shown as text: in Chromium, no script of theirs runs."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from indexer.pipeline import index_paths
from tests.server import running_server

PAYLOADS = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"></svg>",
    "\"><script>alert('attr')</script>",
    "<a href=\"javascript:window.__xss='link'\">点我</a>",
    "<b onmouseover=\"window.__xss='hover'\">悬停</b>",
]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    records = [
        {
            "id": f"x{n}",
            "title": f"攻击测试{n} {payload}",
            "text": f"攻击测试正文 {payload}\n第二段 {payload} 攻击测试",
            "url": "javascript:window.__xss='url'" if n % 2 else f"https://example.cn/{n}",
            "source": payload,
            "author": payload,
            "category": payload,
            "date": "2024-05-01",
        }
        for n, payload in enumerate(PAYLOADS)
    ]
    (folder / "hostile.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    (folder / "page.html").write_text(
        "<html><head><title>攻击测试网页</title>"
        '<link rel="canonical" href="javascript:window.__xss=\'canonical\'"></head><body>'
        "<p>攻击测试网页的正文，足够长的一段文字。" + PAYLOADS[1] + "</p>"
        "<p>第二段攻击测试内容。" + PAYLOADS[5] + "</p></body></html>",
        encoding="utf-8",
    )
    summary = index_paths([folder], folder / "index")
    assert summary.indexed == len(PAYLOADS) + 1, summary.lines()
    with running_server(folder / "index") as server:
        yield server


def _visit_and_poke(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    for element in page.locator("main b, main a, main mark").all()[:30]:
        element.hover()  # would fire an injected onmouseover


def test_no_payload_runs_anywhere_a_reader_can_go(browser, hostile_server):
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    base = hostile_server.base
    _visit_and_poke(page, base + "/search?q=%E6%94%BB%E5%87%BB%E6%B5%8B%E8%AF%95")  # 攻击测试
    expect(page.locator(".hit")).to_have_count(len(PAYLOADS) + 1)
    # shown as text, exactly as written
    assert "<script>window.__xss='script'</script>" in page.locator("main").inner_text()
    assert page.locator("main img, main svg").count() == 0
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs and all(href.startswith(("http://", "https://")) for href in hrefs)

    for doc in ["x0", "x1", "x2", "x3", "x4", "x5"]:
        _visit_and_poke(page, f"{base}/doc/{doc}?q=攻击测试")
        assert page.locator("article.doc img, article.doc svg").count() == 0
    expect(page.locator("article.doc a.orig")).to_have_count(0)  # javascript: URL, no link

    # the source facet, whose values are payloads too, and a title suggestion
    _visit_and_poke(page, base + "/search?q=攻击测试&source=" + PAYLOADS[0])
    page.goto(base + "/")
    page.locator("#q").press_sequentially("攻击测试", delay=30)
    expect(page.locator("#suggestions .suggestion.title").first).to_be_visible()
    page.locator("#suggestions .suggestion.title").first.hover()

    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    context.close()


def test_page_html_never_carries_handlers_or_foreign_scripts(hostile_server):
    status, body = hostile_server.get("/search?q=%E6%94%BB%E5%87%BB%E6%B5%8B%E8%AF%95")
    html = body.decode("utf-8")
    assert status == 200
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/app.js" defer>']
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html, re.I)
