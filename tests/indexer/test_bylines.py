"""Bylines and datelines: who wrote an article and when, as Chinese pages print them."""

from __future__ import annotations

from datetime import datetime

from indexer.bylines import clean_names, find_author, is_site_name, looks_like_name
from indexer.datelines import find_date
from indexer.html import extract
from search.dates import CHINA_TZ


def test_a_labelled_byline_is_taken_as_written():
    assert find_author("来源：本报\n作者：魑皇\n正文", []) == "魑皇"  # a pen name: no surname
    assert find_author("新华社北京电（记者王小明 李华）今天", []) == "王小明 李华"


def test_a_byline_label_never_reaches_across_a_line_into_the_next_label():
    assert find_author("作者：\n\u00a0\n责任编辑：\n易清\n", []) == "易清"


def test_a_name_in_an_element_of_its_own_after_the_label_is_the_byline():
    # the page's text puts <a>赵婕</a> on the line after 作者：, but never reaches two lines on
    assert find_author("正文\n作者： \n赵婕 \n\n出自\n", []) == "赵婕"
    assert find_author("作者:   \n手机版\n点击: \n次", []) == ""  # an empty byline, a control
    assert find_author("作者：\n来源：\n新华网", []) == ""


def test_a_posters_handle_is_taken_whole():
    assert find_author("分数：100\n\t作者： \n放飞&心情\n振威将军(从一品)\n", []) == "放飞&心情"
    assert find_author("发布时间 2005/03/15 22:36:13 by \nduscha\n 〓", []) == "duscha"
    assert find_author("发表评论\n\n太小心\n \n \n[作者简介]\n (个人情况保密)", []) == "太小心"
    assert find_author("作者：李妍]\n正文", []) == "李妍"  # a bracket closes the name


def test_newsroom_bylines_of_several_kinds():
    assert find_author("本报记者罗科苏盈发自北京\n23日下午", []) == "罗科苏盈"
    page = "埋单”？\n本报实习生\n \n刘国栋 周炜\n本报记者\n \n王燕平 方云凤 柏建斌\n2003-7-24\n"
    assert find_author(page, []) == "刘国栋 周炜 王燕平 方云凤 柏建斌"
    translated = "作者： 周思博 (Joel Spolsky)\n\n译： Chen Bin"
    assert find_author(translated, []) == "周思博 (Joel Spolsky)"


def test_the_bylines_the_page_prints_first_win_over_a_reposters():
    page = "标题\n本报记者\n王燕平 方云凤\n正文……\n- 作者： \n流泉\n 访问统计："
    assert find_author(page, []) == "王燕平 方云凤"


def test_a_pen_name_under_the_headline_counts_when_the_page_names_it_so():
    lines = ["我是怎样卷入八九民运的", "茉莉", "【看中国2005年07月03日报道】一九八九年四月"]
    whole = "茉莉：我是怎样卷入八九民运的\n" + "\n".join(lines)
    assert find_author("\n".join(lines), lines[1:], whole) == "茉莉"
    assert find_author("\n".join(lines), lines[1:], "\n".join(lines)) == ""


def test_roles_written_among_the_names_are_dropped():
    assert find_author("（记者钟啸 通讯员 王娅）", []) == "钟啸 王娅"
    assert clean_names("記者 範維") == "範維"


def test_a_label_followed_by_a_sentence_is_not_a_byline():
    page = "一位医生微笑着告诉记者：被称之为最缺乏手术根治信心的肺癌"
    assert find_author(page, []) == ""


def test_unlabelled_bylines_need_a_name_that_opens_with_a_surname():
    assert find_author("……利益再分配的过程吗？”（姚峰 上海报道）", []) == "姚峰"
    assert find_author("BUSINESS.SOHU.COM 2004年7月16日08:19 [ 黄宇 ] 来源", []) == "黄宇"
    assert find_author("自掏腰包。\n（袁源）\n北京大学医学部", []) == "袁源"
    assert find_author("山庄的运作就不愁资金了。”\n来源: 尹娟\n【 发表评论 】", []) == "尹娟"
    assert find_author("正文\n（完）\n（图片）", []) == ""
    assert find_author("比赛革命的革命\n胡平\n——分析", ["比赛革命的革命", "胡平"]) == "胡平"


def test_names_and_sites_are_told_apart():
    assert looks_like_name("王小明") and looks_like_name("欧阳修远") and looks_like_name("陳鈞凱")
    assert not looks_like_name("被称之为") and not looks_like_name("完")
    for site in (
        "网易",
        "新浪财经-自媒体综合",
        "chinanews",
        "1392",
        "name,email@gmail.com",
        "未知",
        "L_104485",  # a CMS's user id
    ):
        assert is_site_name(site), site
    assert not is_site_name("上官云 宋宇晟") and not is_site_name("Joel Spolsky")


def test_a_site_in_the_author_meta_gives_way_to_the_byline():
    page = extract(
        '<html><head><meta name="author" content="网易"><title>标题</title></head><body>'
        "<div><p>新华社北京1月2日电（记者 王小明）今天举行了会议，会议讨论了很多问题。"
        "会议强调，要继续做好各项工作，确保完成全年目标任务。</p></div></body></html>"
    )
    assert page.author == "王小明"


def china(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA_TZ)


def test_dates_as_pages_print_them_are_read_as_that_instant_in_china_time():
    assert find_date("发表于 2005-3-11 12:12 阅读", "", "") == china(2005, 3, 11, 12, 12)
    assert find_date("2011年12月9日 星期五", "", "") == china(2011, 12, 9)


def test_a_zone_written_after_the_time_is_the_pages_not_china_time():
    assert find_date("发布时间：2011-12-09 10:00 GMT", "", "") == china(2011, 12, 9, 18, 0)
    assert find_date("2011-12-09 10:00 (UTC-5) 更新", "", "") == china(2011, 12, 9, 23, 0)
    assert find_date("2011-12-09 10:00 UTC+8", "", "") == china(2011, 12, 9, 10, 0)


def test_the_labelled_date_wins_over_the_site_headers_date():
    page = "今天是2022年2月14日\n标题\n发布时间：2022-02-11 08:52\n正文开始"
    assert find_date(page, "标题", "正文开始") == china(2022, 2, 11, 8, 52)


def test_the_dateline_between_headline_and_story_wins_over_the_headers_date():
    page = "2022年2月14日 星期一\n要闻\n标题\n2022-02-11 08:52 来源：本报\n正文开始于2021年"
    assert find_date(page, "标题", "正文开始") == china(2022, 2, 11, 8, 52)


def test_a_meta_of_the_day_alone_takes_the_time_the_page_prints_on_that_day():
    story = "<p>新学期第一次常态化核酸检测工作在开学报到前完成，各校已经做好准备。</p>"

    def page(meta: str, printed: str) -> str:
        return (
            f'<html><head><meta name="publishdate" content="{meta}"><title>标题</title></head>'
            f"<body><h1>标题</h1><div>{printed} | 来源：新华日报</div><div>{story}</div>"
            "</body></html>"
        )

    assert extract(page("2022-02-13", "2022年02月13日07:48")).date == china(2022, 2, 13, 7, 48)
    # another day printed (a header's today), or a meta with its time: the meta stands
    assert extract(page("2022-02-13", "2022年02月14日07:48")).date == china(2022, 2, 13)
    assert extract(page("2022-02-13 09:00", "2022年02月13日07:48")).date == china(2022, 2, 13, 9)


def test_a_date_only_in_an_element_dropped_as_boilerplate_is_still_the_pages():
    page = extract(
        "<html><body><form method='POST'><span id='paperdate'>2022年02月13日</span></form>"
        "<div><p>自治区农业农村厅厅长说，下一步将持续开展村庄清洁行动，改善农牧区人居环境。"
        "实施农村人居环境整治提升五年行动，提升农牧民生活品质。</p></div></body></html>"
    )
    assert page.date == china(2022, 2, 13)


def test_a_month_without_a_day_is_the_months_first_day():
    assert find_date("比赛革命的革命\n1996年6月\n正文", "", "") == china(1996, 6, 1)
    assert find_date("没有日期的页面", "", "") is None


def test_a_blog_names_its_owner_more_than_once():
    page = (
        "注册新的博客\n查看我的博客目录\n海姑娘的博客历史\n海姑娘的特别推荐\n海姑娘的博客里的文章"
    )
    assert find_author("正文", [], page) == "海姑娘"
    assert find_author("正文", [], "财经博客今日文摘\n陈清的博客\n告别兔年") == ""
