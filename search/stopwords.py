"""Function words and question words that say little about what an article is about.

They stay in the index (quoted phrases need them) and are left out of plain-word queries,
unless a query has nothing else.
"""

from __future__ import annotations

import re

_FUNCTION_WORDS = """
的 地 得 了 着 过 是 在 和 与 及 或 也 都 而 被 把 对 从 到 为 以 于 之 其 这 那 该 此 有 个
一个 这个 那个 这些 那些 并 且 就 又 还 则 即 但 等 上 中 里 后 前 时 会 能 可 可以 将 已 已经
吗 呢 吧 啊 呀 么 嘛 之后 之前 当中 一 所 及其 以及 由 向 给 让 使 曾 曾经 因为 所以 如果
a an the of in on at to for and or is are was were be by with as from that this it
"""

_QUESTION_WORDS = """
什么 什么样 啥 哪 哪个 哪些 哪里 哪儿 哪位 哪年 哪一年 哪一个 哪一 哪种 哪国 哪家 哪颗 哪座
谁 何 何时 何地 何处 何人 何种 为何 多少 几 几个 几年 几次 多久 多长 多大 多高 多远 怎么 怎样
怎么样 如何 为什么 是否 是不是 有没有 请问 什么时候 时候 哪些地方 称之为 叫做 被称为
what which who whom when where why how
"""

# Pronouns, and demonstratives with a measure word (这部, 该届, 此种 …): a question says
# "this film" where its article names the film.
_PRONOUNS = """
他 她 它 他们 她们 它们 其 我 我们 你 你们 自己 本人 此人 该人 这里 那里 此地 当地 当时 此时
"""
_DEMONSTRATIVE = re.compile(r"^[这那此该本][个张部届首座位种些条次项名只家所件篇段样类批份处支场]$")

FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split()) | frozenset(_PRONOUNS.split())
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
STOPWORDS = FUNCTION_WORDS | QUESTION_WORDS


def content_words(words: list[str]) -> list[str]:
    """`words` without stopwords, or all of them if nothing else would remain."""
    kept = [w for w in words if w not in STOPWORDS and not _DEMONSTRATIVE.match(w)]
    return kept or words
