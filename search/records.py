"""Articles as JSON objects: the fields of a JSON Lines export or an HTTP write, checked.

One reading for both ways in, so a record the indexer takes from a file is taken over HTTP
too, and one it refuses is refused with the same reason.
"""

from __future__ import annotations

import json

from .config import WRITING
from .dates import format_date, parse_date
from .documents import Article

FIELDS = ("id", "title", "text", "url", "date", "author", "source", "category")


class RecordError(ValueError):
    """A JSON object that cannot become an article; the message says why."""


def _text(value: object, what: str) -> str:
    if value is None:
        return ""
    # A number is a fine id or title (CMS ids often are); a list, object or boolean is not.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{what} 不是文本 ({what} is not a string)")
    text = str(value).strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON can spell lone surrogates (\ud800) that no UTF-8 text holds; the index could
        # not store them, and one such article would fail the whole commit it is in.
        message = f"{what} 不是有效的 UTF-8 文本 ({what} is not valid UTF-8 text)"
        raise RecordError(message) from None
    return text


def article_from_record(record: object, path: str = "") -> Article:
    """An Article from one JSON object, or RecordError saying what is wrong with it.

    `text` may also be called `content`, and `date` `publish_time`, as many exports name them.
    """
    if not isinstance(record, dict):
        raise RecordError("不是 JSON 对象 (not a JSON object)")
    doc_id = _text(record.get("id"), "id")
    title = _text(record.get("title"), "title")
    text = _text(record.get("text") or record.get("content"), "text")
    if not doc_id:
        raise RecordError("缺少 id (missing id)")
    if len(doc_id) > WRITING.max_id_chars or not doc_id.isprintable():
        raise RecordError(
            f"id 过长或含有控制字符 (id longer than {WRITING.max_id_chars} characters"
            " or with control characters)"
        )
    if not title and not text:
        raise RecordError("标题和正文都为空 (empty title and text)")
    raw_date = _text(record.get("date") or record.get("publish_time"), "date")
    return Article(
        id=doc_id,
        title=title,
        text=text,
        url=_text(record.get("url"), "url"),
        date=parse_date(raw_date),
        author=_text(record.get("author"), "author"),
        source=_text(record.get("source"), "source"),
        category=_text(record.get("category"), "category"),
        path=path,
    )


def checked_article(record: object) -> Article:
    """An article sent over HTTP: as `article_from_record`, also refusing what a file's line
    would only lose quietly (a date that cannot be read) and what is too large."""
    article = article_from_record(record)
    raw_date = record.get("date") or record.get("publish_time")
    if raw_date not in (None, "") and article.date is None:
        raise RecordError(f"无法识别的日期 (cannot read the date {str(raw_date)[:40]!r})")
    # Its text's bytes (not its JSON: the journal serialises it once, when it stores it).
    size = sum(len(getattr(article, name).encode("utf-8")) for name in FIELDS if name != "date")
    if size > WRITING.max_article_bytes:
        raise RecordError(
            f"文章过大：{size} 字节 (article too large: {size} bytes,"
            f" limit {WRITING.max_article_bytes})"
        )
    return article


def article_to_record(article: Article) -> dict:
    """The JSON object that `article_from_record` reads back into the same article."""
    record = {name: getattr(article, name) for name in FIELDS if name != "date"}
    record["date"] = format_date(article.date)
    if article.path:
        record["path"] = article.path
    return {key: value for key, value in record.items() if value not in ("", None)}


def article_to_json(article: Article) -> str:
    return json.dumps(article_to_record(article), ensure_ascii=False)


def article_from_json(text: str) -> Article:
    record = json.loads(text)
    return article_from_record(record, path=record.get("path", ""))
