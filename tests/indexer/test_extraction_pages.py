"""What the extractor must get right on real pages of ../shared/corpora/news_html_more.

Each test pins a kind of page the extractor once got wrong (skipped where the shared corpora
are absent); bench/extraction.py gives the figures over all of them.
"""

from __future__ import annotations

import json

import pytest

from indexer.html import ExtractedPage, read_html
from tests.conftest import require_shared


def page(page_id: str) -> tuple[ExtractedPage, dict]:
    folder = require_shared("news_html_more")
    meta = json.loads((folder / f"{page_id}.json").read_text(encoding="utf-8"))
    return read_html((folder / f"{page_id}.html").read_bytes()), meta["expected"]


@pytest.mark.parametrize("page_id", ["578", "494", "398"])
def test_an_ad_slot_holding_its_markup_as_text_does_not_outweigh_the_story(page_id):
    extracted, gold = page(page_id)
    story = gold["body"].splitlines()[1:]  # the gold opens with the headline
    assert story[0][:30] in extracted.text and story[-1][-30:] in extracted.text
    assert "<div" not in extracted.text


def test_a_story_the_page_holds_twice_is_given_once():
    extracted, gold = page("506")
    opening = gold["body"].splitlines()[0][:30]
    assert extracted.text.count(opening) == 1
    assert gold["body"].splitlines()[-2][:30] in extracted.text


def test_link_lists_around_the_story_stay_out_of_it():
    extracted, gold = page("213")
    assert gold["body"].splitlines()[0][:30] in extracted.text
    for widget in ("空姐隆胸失败成伤残", "火爆招商信息", "返回页首", "打印本文"):
        assert widget not in extracted.text


@pytest.mark.parametrize(
    ("page_id", "author"),
    [
        ("437", "姚峰"),  # （姚峰 上海报道） closing the story
        ("456", "袁源"),  # （袁源） on a line of its own
        ("460", "黄宇"),  # 2004年7月16日08:19 [ 黄宇 ]
        ("474", "尹娟"),  # 来源: 尹娟
        ("327", "徐睿翔"),  # 新华日报·交汇点记者 徐睿翔
        ("429", "胡平"),  # the name alone under the headline
        ("344", "赵婕"),  # 作者：<a>赵婕</a>, the name an element of its own
        ("604", "放飞&心情"),  # a forum poster's handle
        ("526", "duscha"),  # … 22:36:13 by duscha
        ("438", "罗科苏盈"),  # 本报记者罗科苏盈发自北京
        (
            "317",
            "刘国栋 周炜 王燕平 方云凤 柏建斌",
        ),  # 本报实习生 … 本报记者 …, before a repost's 作者
        ("395", "葛灵丹"),  # the author meta a CMS's user id (L_104485)
    ],
)
def test_bylines_as_the_pages_print_them(page_id, author):
    extracted, gold = page(page_id)
    assert gold["author"] == author
    assert extracted.author == author


def test_a_month_the_page_gives_without_a_day():
    extracted, gold = page("429")
    assert gold["publish_time"] == "1996-6"
    assert extracted.date is not None and (extracted.date.year, extracted.date.month) == (1996, 6)


def test_a_page_inside_one_aspnet_form_gives_its_story():
    extracted, gold = page("472")  # all of <body> in <form id="aspnetForm">: once no text
    lines = gold["body"].splitlines()
    found = [line for line in lines if line[:20] in extracted.text]
    assert len(found) >= 0.75 * len(lines)  # a paper: its abstract and references are not


def test_a_short_story_in_a_column_named_as_a_sidebar_is_found():
    extracted, gold = page("322")  # <div class="twosidebarL">, beside a longer sidebar
    story = gold["body"].splitlines()[1:]  # the gold opens with the headline
    assert all(line[:12] in extracted.text for line in story)
    assert not extracted.text.endswith("...")  # not the page's cut description


@pytest.mark.parametrize("page_id", ["495", "598"])
def test_a_blog_page_of_several_posts_gives_its_first(page_id):
    extracted, gold = page(page_id)  # the second post, or the third, is the longest
    lines = gold["body"].splitlines()
    assert extracted.text.startswith(lines[0][:20]) and lines[-1][-20:] in extracted.text
    assert (
        extracted.date is not None
        and extracted.date.strftime("%Y-%m-%d %H:%M:%S") == (gold["publish_time"])
    )


def test_the_publish_time_printed_on_the_day_a_meta_gives_alone():
    extracted, gold = page("395")  # publishdate 2022-02-13, printed 2022年02月13日07:48
    assert (
        extracted.date is not None
        and extracted.date.strftime("%Y-%m-%d %H:%M") == (gold["publish_time"])
    )


def test_a_related_list_in_plain_text_after_the_story_stays_out():
    extracted, gold = page("475")  # 相关报道： then ·headline (2005-04-27 14:32PM) lines
    assert gold["body"].splitlines()[-1][-20:] in extracted.text
    assert "相关报道" not in extracted.text and "(2005-04-27 14:32PM)" not in extracted.text


def test_a_short_caption_story_wins_over_a_longer_list_of_punctuated_headlines():
    extracted, gold = page("330")  # a photo's caption beside lists of linked headlines
    assert gold["body"].splitlines()[1][:30] in extracted.text
    assert len(extracted.text) < 2 * len(gold["body"])


@pytest.mark.parametrize("page_id", ["237", "526", "326"])
def test_a_forum_post_or_a_story_beside_lists_of_replies_and_links_is_found(page_id):
    extracted, gold = page(page_id)  # 237: a thread's list of replies; 526: the replies after
    lines = [line for line in gold["body"].splitlines() if len(line) >= 20]  # the opening post
    found = [line for line in lines if line[:20] in extracted.text]
    assert len(found) >= 0.9 * len(lines)
    assert len(extracted.text) < 1.1 * len(gold["body"])


@pytest.mark.parametrize("page_id", ["300", "365"])
def test_a_short_story_wins_over_the_sites_notices(page_id):
    extracted, gold = page(page_id)  # a disclaimer; a share button's messages
    story = gold["body"].splitlines()[1:]  # the gold opens with the headline
    assert story[0][:20] in extracted.text
    assert "侵权必究" not in extracted.text and "复制成功" not in extracted.text
