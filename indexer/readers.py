"""Reading article files: JSON Lines, HTML pages and plain text, found by walking folders."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from search.config import INDEXING
from search.documents import Article
from search.records import RecordError, article_from_record

from .encoding import decode, looks_binary
from .html import UnreadablePage, read_html
from .text import title_and_body

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
HTML_SUFFIXES = (".html", ".htm", ".shtml")
TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = JSONL_SUFFIXES + HTML_SUFFIXES + TEXT_SUFFIXES


class ReadError(Exception):
    """A file (or a line of one) that cannot become an article; the message says why."""


@dataclass
class FileResult:
    """What one file yielded: its articles, and the problems met reading it."""

    path: Path
    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def is_supported(path: Path) -> bool:
    return path.name.lower().endswith(SUPPORTED_SUFFIXES)


def find_files(paths: list[Path]) -> Iterator[Path]:
    """Every supported file under the given files and folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and is_supported(child) and not child.name.startswith("."):
                    yield child
        else:
            yield path


def file_id(path: Path) -> str:
    """A stable id for a one-article file, from its absolute path."""
    return "f" + hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:16]


def read_jsonl(path: Path) -> FileResult:
    """One article per line; a bad line is reported and the rest of the file still read."""
    result = FileResult(path)
    result.articles = [article for article, _ in _jsonl_articles(path, result.errors)]
    return result


def _jsonl_articles(path: Path, errors: list[str]) -> Iterator[tuple[Article, int]]:
    """A JSON Lines file's articles as its lines are read, each with the bytes of the file
    (compressed, for .gz) read up to it; problems are appended to `errors` meanwhile."""
    yielded = False
    try:
        with open(path, "rb") as raw:
            gzipped = path.name.lower().endswith(".gz")
            with gzip.GzipFile(fileobj=raw) if gzipped else contextlib.nullcontext(raw) as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    article = _jsonl_article(line, number, str(path), errors)
                    if article is not None:
                        yielded = True
                        yield article, raw.tell()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:  # unreadable, or cut off mid-stream
        errors.append(f"无法读取文件 (cannot read file: {exc})")
    if not yielded and not errors:
        errors.append("文件为空 (empty file)")


def _jsonl_article(line: bytes, number: int, path: str, errors: list[str]) -> Article | None:
    try:
        return article_from_record(json.loads(line.decode("utf-8")), path)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.append(f"第 {number} 行不是有效的 JSON (line {number}: {exc})")
    except RecursionError:
        errors.append(f"第 {number} 行嵌套过深 (line {number}: nested too deeply)")
    except RecordError as exc:
        errors.append(f"第 {number} 行 (line {number}): {exc}")
    except Exception as exc:  # hostile input must cost its line, never the run
        errors.append(f"第 {number} 行解析失败 (line {number}: {type(exc).__name__}: {exc})")
    return None


def read_html_file(path: Path) -> FileResult:
    size = path.stat().st_size
    if size > INDEXING.max_html_bytes:
        raise ReadError(
            f"网页过大：{size} 字节 (page too large: {size} bytes, limit {INDEXING.max_html_bytes})"
        )
    try:
        page = read_html(path.read_bytes())
    except UnreadablePage as exc:
        raise ReadError(str(exc)) from None
    if not page.text.strip():
        raise ReadError("页面中没有找到正文 (no article text found in the page)")
    article = Article(
        id=file_id(path),
        title=page.title or path.stem,
        text=page.text,
        url=page.url,
        date=page.date,
        author=page.author,
        source=page.source,
        category=page.category,
        path=str(path),
    )
    return FileResult(path, [article])


def read_text_file(path: Path) -> FileResult:
    """Plain text: the first non-empty line is the title, the rest the text, unless that line
    reads as a paragraph (see indexer/text.py)."""
    text, _ = decode(path.read_bytes())
    if looks_binary(text):
        raise ReadError("二进制文件，不是文本 (binary file, not text)")
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ReadError("文件为空 (empty file)")
    title, body = title_and_body(lines, path)
    article = Article(id=file_id(path), title=title, text=body, path=str(path))
    return FileResult(path, [article])


def read_file(path: Path) -> FileResult:
    """Read any supported file; every problem ends up in `errors`, never as an exception."""
    name = path.name.lower()
    try:
        if name.endswith(JSONL_SUFFIXES):
            return read_jsonl(path)
        size = path.stat().st_size
        if size > INDEXING.max_file_bytes:
            raise ReadError(
                f"文件过大：{size} 字节 (file too large: {size} bytes, "
                f"limit {INDEXING.max_file_bytes})"
            )
        if name.endswith(HTML_SUFFIXES):
            return read_html_file(path)
        if name.endswith(TEXT_SUFFIXES):
            return read_text_file(path)
        raise ReadError(f"不支持的文件类型 (unsupported file type: {path.suffix or path.name})")
    except ReadError as exc:
        return FileResult(path, errors=[str(exc)])
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return FileResult(path, errors=[f"无法读取文件 (cannot read file: {exc})"])
    except Exception as exc:  # a parser crash on hostile input must not stop the run
        return FileResult(path, errors=[f"解析失败 (failed to parse: {type(exc).__name__}: {exc})"])


@dataclass
class FileStream:
    """A file's articles as they are read, each with the bytes of the file read up to it;
    `errors` is complete once `articles` is exhausted."""

    path: Path
    articles: Iterator[tuple[Article, int]]
    errors: list[str]


def stream_file(path: Path) -> FileStream:
    """Like `read_file`, but a JSON Lines file is read as its articles are taken, in constant
    memory and of any size: a CMS export of a whole archive is one file of gigabytes. (Pages
    and text files are parsed whole, so they keep `INDEXING.max_file_bytes`.)"""
    if path.name.lower().endswith(JSONL_SUFFIXES):
        errors: list[str] = []
        return FileStream(path, _jsonl_articles(path, errors), errors)
    result = read_file(path)
    count = len(result.articles)
    size = path.stat().st_size if result.articles else 0
    read = ((a, size * done // count) for done, a in enumerate(result.articles, start=1))
    return FileStream(path, read, result.errors)
