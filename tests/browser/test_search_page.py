"""A reader's journey through the search page, in a real browser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from .conftest import PHONE


def _query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _hit_dates(page) -> list[str]:
    return page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")


def test_pinyin_input_suggests_the_chinese_word(page, demo_server):
    page.goto(demo_server.base + "/")
    page.locator("#q").press_sequentially("bumen", delay=40)
    suggestions = page.locator("#suggestions .suggestion")
    expect(suggestions.first).to_be_visible()
    assert "部门" in suggestions.all_inner_texts()


def test_keyboard_picks_a_suggestion(page, demo_server):
    page.goto(demo_server.base + "/")
    box = page.locator("#q")
    box.press_sequentially("xiezuo", delay=40)
    expect(page.locator("#suggestions .suggestion").first).to_have_text("协作")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert _query(page)["q"] == ["协作"]
    expect(page.locator(".hit mark").first).to_have_text("协作")


def test_search_journey_sort_filter_page_open_and_back(page, demo_server, artifacts):
    page.goto(demo_server.base + "/")
    box = page.locator("#q")
    box.press_sequentially("部", delay=40)
    expect(page.locator("#suggestions")).to_be_visible()
    assert "部门" in page.locator("#suggestions .suggestion").all_inner_texts()
    box.press_sequentially("门", delay=40)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))

    # marked results with their count
    expect(page.locator(".hit").first).to_be_visible()
    assert page.locator(".hit mark").count() > 0
    assert all(t == "部门" for t in page.locator(".hit h2 mark").all_inner_texts())
    total = int(re.search(r"找到约 (\d+) 条", page.locator("#result-count").inner_text())[1])
    assert total > 10
    page.screenshot(
        path=str(artifacts / f"results-desktop{demo_server.shot_suffix}.png"), full_page=True
    )

    # newest first
    page.get_by_role("link", name="最新").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    dates = _hit_dates(page)
    assert dates == sorted(dates, reverse=True) and page.locator(".hit").count() == 10

    # a custom date range, then a source facet
    page.fill("#date-from", "2024-01-01")
    page.fill("#date-to", "2024-12-31")
    page.locator(".custom-range button").click()
    page.wait_for_url(re.compile(r"from=2024-01-01"))
    assert _query(page)["sort"] == ["newest"]  # the other state survives
    assert all(d.startswith("2024-") for d in _hit_dates(page))
    expect(page.locator(".active-filters .chip")).to_have_count(1)

    source_link = page.locator("#facet-sources a").first
    source = source_link.inner_text()
    expected = int(source_link.locator("xpath=../span[@class='count']").inner_text())
    source_link.click()
    page.wait_for_url(re.compile(r"source="))
    assert _query(page)["source"] == [source]
    assert set(page.locator(".hit .source").all_inner_texts()) == {source}
    assert page.locator(".hit").count() == expected
    expect(page.locator(".active-filters .chip")).to_have_count(2)
    page.screenshot(
        path=str(artifacts / f"results-filtered-desktop{demo_server.shot_suffix}.png"),
        full_page=True,
    )

    # the filters can be removed again, then page 2
    page.locator(".active-filters .clear").click()
    page.wait_for_url(lambda url: "source=" not in url and "from=" not in url)
    page.locator(".pager a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator(".pager strong")).to_have_text("2")
    assert page.locator(".hit").count() == total - 10
    results_url = page.url

    # open an article, then come back
    first = page.locator(".hit h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/doc/"))
    expect(page.locator("article.doc h1")).to_have_text(title)
    assert page.locator("article.doc mark").count() > 0
    related = page.locator(".related .hit h2 a").all_inner_texts()
    assert title not in related
    page.screenshot(
        path=str(artifacts / f"article-desktop{demo_server.shot_suffix}.png"), full_page=True
    )
    page.go_back()
    page.wait_for_url(results_url)
    expect(page.locator(".pager strong")).to_have_text("2")


def test_phone_width_folds_filters_above_results(browser, demo_server, artifacts):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.goto(demo_server.base + "/search?q=%E9%83%A8%E9%97%A8")  # 部门
    facets, results = (
        page.locator(".facets").bounding_box(),
        page.locator(".results").bounding_box(),
    )
    assert facets["y"] + facets["height"] <= results["y"] + 1  # stacked, not side by side
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(
        path=str(artifacts / f"results-phone{demo_server.shot_suffix}.png"), full_page=True
    )
    context.close()


def test_no_results_offers_a_corrected_query(page, demo_server):
    page.goto(demo_server.base + "/search?q=%E5%86%99%E4%BD%9C")  # 写作, meant 协作
    expect(page.locator(".empty")).to_contain_text("没有找到")
    page.locator(".did-you-mean a").click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert _query(page)["q"] == ["协作"]
    assert page.locator(".hit").count() > 0


def test_script_in_the_query_renders_as_text(page, demo_server):
    payload = "<script>window.__xss = 1</script><img src=x onerror=window.__xss=2>"
    page.goto(demo_server.base + "/")
    page.fill("#q", payload)
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"/search\?"))
    assert page.evaluate("window.__xss") is None
    expect(page.locator("#q")).to_have_value(payload)
    assert page.locator("main img").count() == 0
    assert "<script>" in page.locator("main").inner_text()
