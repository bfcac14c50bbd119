import dataclasses
import gzip
import json

from indexer import readers
from indexer.encoding import declared_html_charset, decode
from indexer.html import extract, read_html
from indexer.readers import find_files, read_file, stream_file
from tests.conftest import CORPUS

PAGE = """<html><head><meta charset="{charset}"><title>秋粮收购有序进行_示例日报</title></head>
<body><nav class="nav"><a href="/">首页</a><a href="/x">要闻</a></nav>
<div class="content"><h1>秋粮收购有序进行</h1>
<p>秋粮上市以来，各地粮库开足马力收购，农民售粮排队时间明显缩短。</p>
<p>不少粮库推行预约售粮和手机结算，粮款当天就能到账。</p></div>
<div class="related"><a href="/a">相关阅读：更多新闻</a></div>
<footer>版权所有 未经授权禁止转载</footer></body></html>"""


def test_gbk_page_with_declared_charset_is_decoded(tmp_path):
    data = PAGE.format(charset="gbk").encode("gbk")
    assert declared_html_charset(data) == "gb18030"
    page = read_html(data)
    assert page.title == "秋粮收购有序进行"
    assert "粮款当天就能到账" in page.text


def test_gbk_page_without_declaration_is_decoded():
    data = PAGE.replace('<meta charset="{charset}">', "").encode("gb18030")
    assert "农民售粮" in read_html(data).text


def test_utf8_page_declared_as_gbk_is_still_read_as_utf8():
    data = PAGE.format(charset="gb2312").encode("utf-8")
    assert "农民售粮" in read_html(data).text


def test_bundled_gbk_page_is_really_gbk_and_decodes():
    data = (CORPUS / "html" / "gbk-news-0309.html").read_bytes()
    text, encoding = decode(data, declared_html_charset(data))
    assert encoding == "gb18030" and "秋粮收购" in text
    try:
        data.decode("utf-8")
        raise AssertionError("fixture should not be valid UTF-8")
    except UnicodeDecodeError:
        pass


def test_extraction_keeps_paragraphs_and_drops_navigation_and_footer():
    page = extract(PAGE.format(charset="utf-8"))
    assert page.text.splitlines() == [
        "秋粮上市以来，各地粮库开足马力收购，农民售粮排队时间明显缩短。",
        "不少粮库推行预约售粮和手机结算，粮款当天就能到账。",
    ]


def test_a_form_that_wraps_the_whole_page_keeps_its_story_and_a_search_box_goes():
    """ASP.NET pages put the whole body in one <form>: dropping it dropped the article."""
    body = PAGE.format(charset="utf-8").split("<body>")[1].split("</body>")[0]
    search_box = '<form action="/search"><input name="q">站内搜索 热门关键词</form>'
    page = extract(f"<html><body><form id='aspnetForm'>{search_box}{body}</form></body></html>")
    assert "粮款当天就能到账" in page.text
    assert "站内搜索" not in page.text


def test_jsonl_reader_reports_bad_lines_and_keeps_good_ones(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = {"id": "1", "title": "标题", "text": "正文", "date": "2024-01-02 03:04"}
    path.write_text(
        json.dumps(good, ensure_ascii=False)
        + "\n{not json\n"
        + '{"title": "没有编号"}\n'
        + "[1]\n",
        encoding="utf-8",
    )
    result = read_file(path)
    assert [a.id for a in result.articles] == ["1"]
    assert result.articles[0].date.isoformat() == "2024-01-02T03:04:00+08:00"
    assert len(result.errors) == 3
    assert "line 2" in result.errors[0] and "missing id" in result.errors[1]


def test_gzipped_jsonl_is_read(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"id": "g", "title": "压缩", "text": "文本"}) + "\n")
    assert [a.id for a in read_file(path).articles] == ["g"]


def test_truncated_gzip_is_reported_not_raised(tmp_path):
    path = tmp_path / "broken.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"id": "1", "title": "t", "text": "x"}\n' * 50)[:40])
    result = read_file(path)
    assert result.errors and "cannot read" in result.errors[-1]


def test_a_json_lines_export_is_streamed_whatever_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(
        readers, "INDEXING", dataclasses.replace(readers.INDEXING, max_file_bytes=100)
    )
    path = tmp_path / "export.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for n in range(3000):
            out.write(json.dumps({"id": str(n), "title": f"第{n}篇", "text": "正文" * n}) + "\n")
    stream = stream_file(path)
    first, read = next(stream.articles)
    assert first.id == "0" and 0 < read < path.stat().st_size  # the rest not read yet
    assert [a.id for a, _ in stream.articles][-1] == "2999" and not stream.errors
    page = tmp_path / "page.txt"
    page.write_text("标题\n" + "正文" * 100, encoding="utf-8")
    assert "file too large" in read_file(page).errors[0]  # whole-file formats keep the limit


def test_a_cut_off_export_keeps_the_articles_before_the_cut(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    lines = "".join(
        json.dumps({"id": str(n), "title": "t", "text": f"正文{n}" * 50}) + "\n"
        for n in range(2000)
    )
    data = gzip.compress(lines.encode("utf-8"))
    path.write_bytes(data[: len(data) // 2])
    stream = stream_file(path)
    ids = [a.id for a, _ in stream.articles]
    assert 0 < len(ids) < 2000 and ids == [str(n) for n in range(len(ids))]
    assert "cannot read file" in stream.errors[-1]


def test_text_file_first_line_is_the_title(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# 社区书屋开放\n\n居民家门口就能读书。\n", encoding="utf-8")
    article = read_file(path).articles[0]
    assert (article.title, article.text) == ("社区书屋开放", "居民家门口就能读书。")


def test_gbk_text_file_is_decoded(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("天气预报\n明天有雨。\n".encode("gbk"))
    assert read_file(path).articles[0].title == "天气预报"


def test_page_without_article_text_is_reported(tmp_path):
    path = tmp_path / "nav.html"
    path.write_text("<html><body><nav><a href='/'>首页</a></nav></body></html>", encoding="utf-8")
    result = read_file(path)
    assert not result.articles and "no article text" in result.errors[0]


def test_folders_are_walked_for_supported_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.jsonl", "sub/b.html", "sub/c.txt", "d.pdf", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    names = sorted(p.name for p in find_files([tmp_path]))
    assert names == ["a.jsonl", "b.html", "c.txt"]


def test_a_page_nested_thousands_deep_is_skipped_quickly_with_a_reason(tmp_path):
    import time

    page = tmp_path / "deep.html"
    body = "<div>" * 50_000 + "<p>正文内容，一段足够长的文字。</p>" + "</div>" * 50_000
    page.write_text(f"<html><head><title>深</title></head><body>{body}</body></html>")
    started = time.perf_counter()
    result = read_file(page)
    assert time.perf_counter() - started < 2
    assert not result.articles and "nested too deeply" in result.errors[0]


def test_an_oversized_page_is_skipped_with_a_reason(tmp_path, monkeypatch):
    from dataclasses import replace

    import indexer.readers

    monkeypatch.setattr(
        indexer.readers, "INDEXING", replace(indexer.readers.INDEXING, max_html_bytes=1000)
    )
    page = tmp_path / "big.html"
    page.write_text("<html><body>" + "<p>很长的正文。</p>" * 200 + "</body></html>")
    result = read_file(page)
    assert not result.articles and "page too large" in result.errors[0]


def test_binary_bytes_named_html_are_skipped_not_raised(tmp_path):
    page = tmp_path / "image.html"
    page.write_bytes(bytes(range(256)) * 40)
    result = read_file(page)
    assert not result.articles and result.errors


def test_script_and_handlers_in_a_page_never_reach_the_text(tmp_path):
    page = tmp_path / "x.html"
    page.write_text(
        "<html><head><title>标题<script>alert(1)</script></title></head><body>"
        '<p onclick="steal()">第一段正文，内容足够长，说明事情的经过。</p>'
        "<script>document.write('注入')</script><style>p{}</style>"
        '<p><a href="javascript:alert(2)">点我</a>第二段正文也足够长，讲述细节。</p></body></html>'
    )
    article = read_file(page).articles[0]
    # a <title> holds text only: its markup stays literal text there, escaped when shown
    assert article.title.startswith("标题")
    assert "alert" not in article.text
    assert "注入" not in article.text and "steal" not in article.text
    assert article.url == ""


def test_hostile_json_lines_are_reported_and_the_good_ones_kept(tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text(
        "[" * 100_000 + "]" * 100_000 + "\n"  # nested past the parser's recursion limit
        '{"id": "ok", "title": "标题", "text": "正文"}\n'
        '"just a string"\n'
        '{"id": "cut", "title": "截断'  # the last line of a truncated export
    )
    result = read_file(path)
    assert [a.id for a in result.articles] == ["ok"]
    assert len(result.errors) == 3
    assert "nested too deeply" in result.errors[0]


def test_linked_data_gives_headline_date_and_author_the_markup_lacks():
    page = extract(
        "<html><head><title>市场观察｜即时｜示例新闻网</title>"
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "NewsArticle", "headline": "市场观察",'
        ' "datePublished": "2024-03-05T10:20+08:00",'
        ' "author": {"@type": "Person", "name": "李明"}}</script></head><body><h1>市场观察</h1>'
        "<p>本周蔬菜价格小幅回落，供应充足，市民采购积极。</p></body></html>"
    )
    assert page.title == "市场观察"
    assert page.date.isoformat() == "2024-03-05T10:20:00+08:00"
    assert page.author == "李明"


def test_text_built_by_script_comes_from_the_linked_data_body():
    body = "第一段：这是一篇完整的报道，正文只在结构化数据里。\\n第二段：页面用脚本把它显示出来。"
    page = extract(
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle",'
        f' "headline": "脚本页面", "articleBody": "{body}"}}</script></head>'
        '<body><div id="cookie-consent">本网站使用 Cookie 改善体验。</div><h1>脚本页面</h1>'
        '<div id="app"></div></body></html>'
    )
    assert page.text.splitlines() == body.split("\\n")


def test_bylines_in_taiwanese_and_editor_form_give_the_author():
    story = "<p>警方已勘驗現場並報請相驗，將進一步釐清死因。（王煌忠／台中報導）</p>"
    assert extract(f"<html><body>{story}</body></html>").author == "王煌忠"
    edited = "<p>正文内容足够长的一段话，讲述事情的经过。</p><p>责任编辑：焦鹏</p>"
    assert extract(f"<html><body>{edited}</body></html>").author == "焦鹏"


def test_site_name_after_a_dash_is_not_part_of_the_title():
    page = extract(
        "<html><head><title>武汉的声音：有英勇的你-新华网</title></head><body></body></html>"
    )
    assert page.title == "武汉的声音：有英勇的你"


def test_headline_is_the_heading_that_opens_the_page_title_not_the_logo():
    page = extract(
        "<html><head><title>新竹尖石_美樹營地賞楓 (2) @ 史蒂文的家 :: 痞客邦 PIXNET ::</title>"
        '</head><body><h1 class="logo">痞客邦 PIXNET</h1><h2>新竹尖石_美樹營地賞楓 (2)</h2>'
        "<p>楓葉正紅，營地裡滿是來賞楓的旅人，溪水清澈見底。</p></body></html>"
    )
    assert page.title == "新竹尖石_美樹營地賞楓 (2)"


def test_of_a_page_of_several_dated_entries_the_first_is_the_article():
    # a blog's page: each post a title row and a body cell; the newest, first, is shorter
    post = "<tr><td class='post-title'>{0}</td></tr><tr><td class='post-body'>{1}</td></tr>"
    first = (
        "距墨尔本西北约110公里处，是当年发现第一块天然黄金的地方。现在，它是维多利亚州最受"
        "游客欢迎的观光城市，人口约8万，保留着很多华丽建筑和典雅花园。走进素芬山，舊时的马车"
        "仍在照跑，卖烟的小女孩仍在吆喝，流浪的艺人仍在弹琴，让人时光倒流。如果有兴趣，可以到"
        "土地登记处取得证书，再到小溪旁淘金，淘到的金子可以带走。"
    )
    later = "。".join(["后来的一篇文章写得很长，内容很多，也很详细"] * 12) + "。"
    page = extract(
        "<html><body><table>"
        + post.format("昨天去金矿玩", first)
        + post.format("元宵节", later)
        + "</table></body></html>"
    )
    assert page.text.startswith("距墨尔本西北约110公里处") and "后来的一篇文章" not in page.text


def test_blocks_of_one_shape_side_by_side_are_one_article():
    # an encyclopedia's sections, one element each: a long one outweighs the whole
    para = "<div class='para'>{0}</div>"
    history = "这里的历史很长，从建立到今天，经历了很多变化，也留下了很多故事。" * 2
    plan = "。".join(["规划分成五个园区，每个园区各有产业方向，相互配合，共同发展"] * 8) + "。"
    traffic = "这里的交通很方便，铁路、公路都很发达，机场也不远，出行快捷。" * 2
    page = extract(
        "<html><body><div>"
        + "".join(para.format(s) for s in (history, plan, traffic))
        + "</div></body></html>"
    )
    assert history[:20] in page.text and plan[:20] in page.text and traffic[:20] in page.text


def test_a_list_of_related_stories_after_the_story_stays_out_even_without_links():
    story = "<p>近日，娱乐圈被打事件频频发生，涉及赌债、感情纠葛，原因种种，让人惊骇。</p>"
    related = "<p>相关报道：</p><p>·明星挨打事件回顾 (2005-04-27 14:32PM)</p><p>·挨打也值得</p>"
    page = extract(f"<html><body><div>{story}{related}</div></body></html>")
    assert page.text.startswith("近日") and "相关报道" not in page.text and "挨打" not in page.text
    # a heading followed by more story is no list
    more = "<p>相关报道：</p><p>另据报道，警方已经介入调查，案件正在进一步审理之中。</p>"
    assert "另据报道" in extract(f"<html><body><div>{story}{more}</div></body></html>").text


def test_a_story_written_between_line_breaks_around_a_paragraph_of_its_own_is_found():
    story = "中评社北京1月9日电，有网友在微博上爆料，看病送火车票，这一口号立即引发网友关注。"
    cell = f"<td id='zoom'><p><img src='a.jpg'>图片说明</p>{story}<br>{story}<br>{story}</td>"
    aside = "<div><p>本站推荐：春运期间，铁路部门增开临时列车，方便旅客出行。</p></div>"
    page = extract(f"<html><body><table><tr>{cell}</tr></table>{aside}</body></html>")
    assert page.text.count("中评社北京1月9日电") == 3 and "本站推荐" not in page.text


def test_a_thread_s_list_of_replies_stamped_with_their_times_is_not_the_post():
    post = (
        "<p>导游的收入很大一部分来自购物的回扣，这是业内的“行规”，以国内游为例，"
        "回扣一般在购物额的10％左右。</p>"
    )
    reply = (
        "<li><a href='/t{0}'><font>参与旅行社的一般都是弱势群体，导游都这样吗，第{0}次……</font>"
        "</a>【<a href='/u'>梅骏！</a>】08-11 16:5{0}</li>"
    )
    replies = "<ul>" + "".join(reply.format(n) for n in range(10)) + "</ul>"
    page = extract(
        f"<html><body><table><tr><td>{post}</td></tr><tr><td>{replies}</td></tr></table>"
        "</body></html>"
    )
    assert page.text.startswith("导游的收入") and "弱势群体" not in page.text


def test_a_sites_notices_are_neither_the_story_nor_part_of_it():
    caption = "<p>12月6日，社区为农民工开设维权绿色通道，律师现场讲解讨薪维权知识。</p>"
    share = "<div><p>复制成功，按CTRL+V发送给好友、论坛或博客。</p></div>"
    notice = "<p>声明：此栏目文章为本网原创资讯，不构成投资建议，本网拥有完整版权，侵权必究。</p>"
    page = extract(f"<html><body>{share}<div>{caption}{notice}</div></body></html>")
    assert page.text.startswith("12月6日") and "复制成功" not in page.text
    assert "侵权必究" not in page.text
    # a story about rights that names one notice phrase is still a story
    story = "<p>法院认定被告侵犯原告的版权，判令赔偿损失，并在报纸上刊登声明，消除影响。</p>"
    assert "版权" in extract(f"<html><body><div>{story}</div></body></html>").text
