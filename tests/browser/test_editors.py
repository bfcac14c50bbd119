"""What editors set up, as a reader sees it: a synonym's match marked in a snippet, and the
home page's 热门搜索."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest
from playwright.sync_api import expect

from search.config import ANALYTICS
from search.synonyms import SynonymStore, parse_rules
from tests.conftest import SAMPLE_ARTICLES, build_index
from tests.server import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    index_dir = build_index(tmp_path_factory.mktemp("editors") / "index", SAMPLE_ARTICLES)
    SynonymStore(index_dir).save(parse_rules("京城 北京\n"))
    with running_server(index_dir) as server:
        yield server


def test_a_synonyms_match_is_marked_in_the_snippets_and_named(page, server, artifacts):
    page.goto(server.base + "/search?q=" + urllib.parse.quote("京城"))
    expect(page.locator(".hit").first).to_be_visible()
    assert page.locator(".hit").count() == 3
    assert set(page.locator(".hit h2 mark").all_inner_texts()) == {"北京"}
    expect(page.locator(".expanded")).to_contain_text("京城的同义词 北京")
    page.screenshot(path=str(artifacts / "synonym-marks.png"), full_page=True)


def test_popular_searches_on_the_home_page_lead_to_their_results(page, server, artifacts):
    for _ in range(ANALYTICS.popular_min_count):
        assert server.get("/api/search?q=" + urllib.parse.quote("长江"))[0] == 200
    server.get("/api/search?q=" + urllib.parse.quote("烤鸭"))  # once: not popular
    deadline = time.monotonic() + 30  # written by each worker's log a moment later
    while "长江</a>" not in server.get("/")[1].decode() and time.monotonic() < deadline:
        time.sleep(0.1)
    page.goto(server.base + "/")
    popular = page.locator("nav.popular")
    expect(popular).to_be_visible()
    assert popular.locator("a").all_inner_texts() == ["长江"]
    page.screenshot(path=str(artifacts / "home-popular.png"), full_page=True)
    popular.locator("a").first.click()
    page.wait_for_url(re.compile(r"/search\?"))
    expect(page.locator(".hit h2 mark").first).to_have_text("长江")
