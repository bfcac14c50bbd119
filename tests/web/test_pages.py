def test_home_page_has_a_search_box(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert 'name="q"' in html and 'action="/search"' in html


def test_results_page_renders_highlighted_hits_server_side(client):
    response = client.get("/search", query_string={"q": "东西部协作"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="hit"') >= 4
    assert "<mark>东西部协作</mark>" in html
    assert "<title>东西部协作 - zhsearch 搜索结果</title>" in html


def test_query_with_markup_is_shown_as_text(client):
    html = client.get("/search", query_string={"q": "<script>alert(1)</script>"}).get_data(
        as_text=True
    )
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_an_unbalanced_quote_is_searched_as_plain_words_and_the_page_says_so(client):
    response = client.get("/search", query_string={"q": '"江豚'})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "引号不成对" in html and "已按普通词语搜索" in html and "长江禁渔" in html


def test_a_query_with_nothing_to_search_for_is_shown_on_the_page_with_400(client):
    response = client.get("/search", query_string={"q": "！？。，"})
    assert response.status_code == 400
    assert "没有可以搜索的词语" in response.get_data(as_text=True)


def test_article_page_shows_the_text_with_query_marked(client):
    html = client.get("/doc/demo-004", query_string={"q": "江豚"}).get_data(as_text=True)
    assert "长江禁渔第四年" in html and "<mark>江豚</mark>" in html
    assert 'href="https://news.example.cn/demo-004.html"' in html


def test_missing_article_is_404(client):
    response = client.get("/doc/no-such-id")
    assert response.status_code == 404 and "no such article" in response.get_data(as_text=True)


def test_pager_links_to_the_next_page(client):
    html = client.get("/search", query_string={"q": "新闻 OR 城市", "size": 2}).get_data(
        as_text=True
    )
    assert 'rel="next"' in html and "page=2" in html
