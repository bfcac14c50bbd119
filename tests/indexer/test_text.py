"""Plain text files: a first line is the title unless it reads as a paragraph."""

from pathlib import Path

import pytest

from indexer.readers import read_file
from indexer.text import TITLE_MAX_CHARS, first_sentence, reads_as_paragraph

INTRODUCTION = (
    "编者按：长江十年禁渔进入第四年，沿江各地的渔民已经上岸转产，江豚的身影越来越常见。"
    "本栏目今天起连续刊发记者在湖北、江西和安徽的调查，讲述禁渔带来的变化。"
)


def _article(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (article,) = read_file(path).articles
    return article


def test_a_headline_on_the_first_line_is_the_title(tmp_path):
    article = _article(tmp_path, "0001.txt", "长江禁渔第四年\n\n江豚的身影越来越常见。\n")
    assert (article.title, article.text) == ("长江禁渔第四年", "江豚的身影越来越常见。")


@pytest.mark.parametrize(
    "line, paragraph",
    [
        ("长江禁渔第四年：江豚回来了", False),
        ("国务院关于进一步优化营商环境更好服务市场主体的实施意见", False),
        ("江豚回来了！渔民上岸了！", False),  # short: a headline, exclamations and all
        (INTRODUCTION, True),  # 150 characters, two sentences
        ("今天上午，市政府召开新闻发布会，通报了全市今年前三季度的经济运行情况。", True),
        ("第一句话说完了。第二句话也说完了。", False),  # too short to be sure
    ],
)
def test_what_reads_as_a_paragraph(line, paragraph):
    assert reads_as_paragraph(line) is paragraph


def test_a_file_that_opens_with_a_paragraph_takes_its_title_from_its_name(tmp_path):
    article = _article(tmp_path, "长江禁渔调查.txt", f"{INTRODUCTION}\n记者走访了三个省。\n")
    assert article.title == "长江禁渔调查"
    assert article.text.startswith("编者按：长江十年禁渔") and "记者走访" in article.text


def test_without_a_telling_name_the_title_is_the_first_sentence(tmp_path):
    for name in ("0012.txt", "article_3f2a.txt", "新闻07.txt", "新建文本文档 (2).txt"):
        article = _article(tmp_path, name, f"{INTRODUCTION}\n")
        assert (
            article.title
            == "编者按：长江十年禁渔进入第四年，沿江各地的渔民已经上岸转产，江豚的身影越来越常见"
        )
        assert article.text == INTRODUCTION


def test_a_markdown_heading_after_an_introduction_is_the_title(tmp_path):
    article = _article(tmp_path, "0003.md", f"{INTRODUCTION}\n\n# 江豚回来了\n\n正文第一段。\n")
    assert article.title == "江豚回来了"
    assert article.text == f"{INTRODUCTION}\n正文第一段。"


def test_a_first_sentence_is_cut_where_it_can_be_read():
    assert first_sentence("江豚回来了。渔民上岸了。") == "江豚回来了"
    long_sentence = (
        "今天上午在市政府新闻发布厅召开的发布会上，市统计局负责同志通报了全市前三季度经济运行情况。"
    )
    assert first_sentence(long_sentence) == "今天上午在市政府新闻发布厅召开的发布会上"
    unbroken = "长" * 100
    assert first_sentence(unbroken) == "长" * TITLE_MAX_CHARS + "…"
