"""The index schema: which article fields are searched, stored and sortable."""

from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from .analysis import chinese_analyzer

SEARCH_FIELDS = ("title", "text")
FACET_FIELDS = ("source", "category")
# Fields a user may name in a query (`title:北京`), mapped to the index field they search.
QUERY_FIELDS = {
    "title": "title",
    "text": "text",
    "body": "text",
    "author": "author",
    "source": "source",
    "category": "category",
    "id": "id",
    "标题": "title",
    "正文": "text",
    "作者": "author",
    "来源": "source",
    "分类": "category",
}
KEYWORD_FIELDS = frozenset({"author", "source", "category", "id"})


def build_schema() -> Schema:
    analyzer = chinese_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        text=TEXT(analyzer=analyzer, stored=True, phrase=True),
        url=STORED(),
        date=DATETIME(stored=True, sortable=True),
        author=ID(stored=True),
        source=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        path=ID(stored=True),
    )
