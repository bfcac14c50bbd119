"""Extracting the article from a saved Chinese web page with BeautifulSoup (lxml parser)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, NavigableString, Tag

from search.config import INDEXING
from search.dates import DATE_IN_TEXT, parse_date

from .encoding import declared_html_charset, decode, looks_binary

_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "nav",
    "footer",
    "aside",
    "button",
    "select",
    "input",
    "textarea",
    "svg",
    "canvas",
    "template",
    "object",
]
_BOILERPLATE = re.compile(
    r"nav|menu|footer|sidebar|side-bar|comment|share|related|recommend|breadcrumb|copyright"
    r"|advert|\bad\b|ads\b|banner|toolbar|login|subscribe|social|hot-?news|rank|tags?-?list"
    r"|cookie|consent|privacy|gdpr",
    re.I,
)
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td")
_TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜]|\s[-—–]\s|--)\s*")
_NAMES = r"([\u4e00-\u9fff·]{2,4}(?:[ 、，,][\u4e00-\u9fff·]{2,4})*)"
_AUTHOR = re.compile(
    r"(?:(?:记者|作者|撰文|記者|文)\s*[:：/／]\s*|[（(](?:记者|記者)\s*)"
    + _NAMES
    + r"|(?:记者|記者)\s*([\u4e00-\u9fff·]{2,4})\s*[／/]"
    # Taiwanese bylines at the end of a story: （王小明／台中報導）
    + r"|[（(]\s*([\u4e00-\u9fff·]{2,4})\s*[／/]\s*[\u4e00-\u9fff]{0,6}(?:報導|报道)\s*[）)]"
)
_EDITOR_NAME = re.compile(r"(?:责任编辑|責任編輯)\s*[:：]\s*([\u4e00-\u9fff·]{2,4})")
_SITE_LIKE = re.compile(r"https?:|www\.|[网網]$|新[闻聞][网網]|日[报報]$|[报報]社?$|^搜索$")
_TITLE_SUFFIX = re.compile(r"\s*[-_|｜—–]\s*[^-_|｜—–]{2,12}$")
_SOURCE = re.compile(r"(?:来源|來源|稿源)[:：]\s*([^\s<>|　]{2,30})")
_EDITOR_LINE = re.compile(r"^[（(\[【]?\s*(?:责任编辑|責任編輯|编辑|二审|三审|初审|校对|审核)[:：]")


@dataclass
class ExtractedPage:
    title: str
    text: str
    date: datetime | None = None
    author: str = ""
    source: str = ""
    url: str = ""
    category: str = ""


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        tag = (
            soup.find("meta", attrs={"property": name})
            or soup.find("meta", attrs={"name": name})
            or soup.find("meta", attrs={"itemprop": name})
        )
        if isinstance(tag, Tag) and tag.get("content", "").strip():
            return tag["content"].strip()
    return ""


_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "WebPage"}


def _linked_data(soup: BeautifulSoup) -> dict:
    """The page's schema.org article description (JSON-LD), or {}."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        items = data if isinstance(data, list) else [data]
        items += [i for d in items if isinstance(d, dict) for i in d.get("@graph", [])]
        for item in items:
            kinds = item.get("@type") if isinstance(item, dict) else None
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & _ARTICLE_TYPES:
                return item
    return {}


def _text_of(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _person(value: object) -> str:
    """An author's name from JSON-LD (a person, a list of them, or a string), not a site."""
    if isinstance(value, list):
        return "、".join(filter(None, (_person(v) for v in value)))
    if isinstance(value, dict):
        return value.get("name", "") if value.get("@type", "Person") == "Person" else ""
    return value if isinstance(value, str) else ""


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u3000]+", " ", text).strip()


def _is_boilerplate(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    marker = " ".join([" ".join(tag.get("class") or []), tag.get("id") or ""])
    return bool(marker.strip()) and bool(_BOILERPLATE.search(marker))


def _headings(soup: BeautifulSoup, name: str) -> list[str]:
    texts = (_clean(h.get_text()) for h in soup.find_all(name))
    return [t for t in texts if 4 <= len(t) <= 120]


def _title(soup: BeautifulSoup, headline: str = "") -> str:
    page_title = _clean(soup.title.get_text()) if soup.title else ""
    candidates = _headings(soup, "h1")
    headline = _clean(headline)
    if headline and (headline in page_title or any(headline in c for c in candidates)):
        return headline
    og_title = _meta(soup, "og:title", "twitter:title")
    titles = [t for t in (page_title, og_title) if t]
    # The headline opens the page title ("标题_频道_网站"); a heading found only later in it
    # is the site's name in a logo.
    for heading in candidates + _headings(soup, "h2"):
        if any(t.startswith(heading) for t in titles):
            return heading
    for heading in candidates:
        if any(heading in t for t in titles):
            return heading
    if og_title:
        return _TITLE_SUFFIX.sub("", og_title) if _TITLE_SUFFIX.search(og_title) else og_title
    if candidates:
        return candidates[0]
    parts = [p for p in _TITLE_SEPARATORS.split(page_title) if p]
    title = max(parts[:2], key=len) if parts else ""
    suffix = _TITLE_SUFFIX.search(title)
    if suffix and _SITE_LIKE.search(suffix.group(0).strip(" -_|｜—–")):
        title = title[: suffix.start()]  # 标题-新华网
    return title


_PUNCTUATION = re.compile(r"[，。！？；、,.!?;]")
_BLOCK_LIKE = ("p", "pre", "td", "li", "blockquote", "h2", "h3", "h4")
_CONTAINERS = ("div", "section", "article", "main", "span", "td", "font", "center")


def _link_density(tag: Tag) -> float:
    text = len(tag.get_text(strip=True)) or 1
    return sum(len(a.get_text(strip=True)) for a in tag.find_all("a")) / text


def _own_text(tag: Tag) -> str:
    return "".join(tag.find_all(string=True, recursive=False)).strip()


def _text_blocks(body: Tag) -> list[tuple[Tag, str]]:
    """Elements that hold prose directly, with that prose: paragraphs, and any element with
    text of its own (pages that separate paragraphs with <br> rather than <p>)."""
    blocks = []
    for tag in body.find_all(True):
        if tag.name in _BLOCK_LIKE and not tag.find(list(_BLOCK_LIKE)):
            blocks.append((tag, tag.get_text(strip=True)))
        elif tag.name not in _BLOCK_LIKE and len(own := _own_text(tag)) >= 20:
            blocks.append((tag, own))
    return blocks


def _main_container(body: Tag) -> Tag:
    """The element whose text blocks carry the most prose (after Readability's scoring):
    each block scores by length and punctuation, credited to its parent and, halved, to its
    grandparent; a container's score shrinks with the share of its text that is links."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for block, text in _text_blocks(body):
        if len(text) < 20:
            continue
        score = 1 + len(_PUNCTUATION.findall(text)) + min(len(text) / 100, 3)
        holders = [block] if block.name in _CONTAINERS else []
        holders += [p for p in block.parents if p.name in _CONTAINERS or p.name == "body"]
        parents = holders[:2]
        for weight, parent in zip((1.0, 0.5), parents, strict=False):
            scores[id(parent)] = scores.get(id(parent), 0.0) + score * weight
            tags[id(parent)] = parent
    if not scores:
        return body
    best = max(scores, key=lambda k: scores[k] * (1 - _link_density(tags[k])))
    return tags[best]


_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "big", "cite", "code", "em", "font", "i", "label", "mark", "q", "s"}
    | {"small", "span", "strong", "sub", "sup", "time", "u"}
)


def _paragraphs(container: Tag) -> list[str]:
    """The container's text, one paragraph a line: blocks and <br> break lines, inline
    elements (links, bold, spans) do not."""
    lines = [""]

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    lines[-1] += str(child)
            elif child.name == "br":
                lines.append("")
            elif child.name in _INLINE_TAGS:
                walk(child)
            else:
                lines.append("")
                walk(child)
                lines.append("")

    walk(container)
    kept = [line for line in map(_clean, lines) if line and not _EDITOR_LINE.match(line)]
    # widgets trailing the article: 图集, +1, 【纠错】, 分享到 …
    while kept and len(kept[-1]) <= 8 and not _PUNCTUATION.search(kept[-1].strip("【】[]")):
        kept.pop()
    return kept


class UnreadablePage(ValueError):
    """Bytes that are not an article page (binary data, absurd nesting): skipped, not parsed."""


def nesting_depth(html: str) -> int:
    """How deep the page's elements nest, as libxml2 (lxml) parses it: fast, in C."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return 0
    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def extract(html: str) -> ExtractedPage:
    """Title, main text (one paragraph a line) and metadata of a web page."""
    if (depth := nesting_depth(html)) > INDEXING.max_html_nesting:
        raise UnreadablePage(
            f"页面嵌套过深：{depth} 层 (page nested too deeply: {depth} levels,"
            f" limit {INDEXING.max_html_nesting})"
        )
    soup = BeautifulSoup(html, "lxml")
    linked = _linked_data(soup)
    title = _title(soup, _text_of(linked.get("headline")))
    url = ""
    canonical = soup.find("link", rel="canonical")
    if isinstance(canonical, Tag) and canonical.get("href"):
        url = canonical["href"].strip()
    url = url or _meta(soup, "og:url")
    date = parse_date(
        _meta(
            soup,
            "article:published_time",
            "pubdate",
            "publishdate",
            "PubDate",
            "publish_time",
            "datePublished",
            "og:release_date",
        )
    )
    author = _meta(soup, "author", "article:author", "byline") or _person(linked.get("author"))
    description = _text_of(linked.get("description")) or _meta(soup, "description")
    category = _meta(soup, "article:section", "category")

    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    page_chars = len((soup.body or soup).get_text(strip=True)) or 1
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("body", "html", "article", "main"):
            continue
        # a "breadcrumb" or "comment" wrapper around most of the page is not boilerplate
        if _is_boilerplate(tag) and len(tag.get_text(strip=True)) < 0.4 * page_chars:
            tag.decompose()
    body = soup.body or soup
    page_text = body.get_text("\n")
    lines = _paragraphs(_main_container(body))
    text = "\n".join(line for line in lines if line != title)
    article_body = _text_of(linked.get("articleBody"))
    if len(article_body) > 2 * len(text):  # the page builds its text with script
        text = "\n".join(_clean(line) for line in article_body.splitlines() if line.strip())
    if len(text) < 50 and len(description) > len(text):
        text = _clean(description)  # no text in the page: its summary is what there is

    if date is None and (match := DATE_IN_TEXT.search(page_text)):
        date = parse_date(match.group(0))  # the date the page shows
    date = date or parse_date(_text_of(linked.get("datePublished")))
    if _SITE_LIKE.search(author):
        author = ""  # a site name or profile URL in the byline meta is not an author
    if not author and (match := _AUTHOR.search(page_text)):
        author = next(group for group in match.groups() if group).strip()
    if not author and (match := _EDITOR_NAME.search(page_text)):
        author = match.group(1)
    source = _meta(soup, "og:site_name", "source")
    if match := _SOURCE.search(page_text):
        source = match.group(1).strip()
    return ExtractedPage(
        title=title,
        text=text,
        date=date,
        author=author,
        source=source,
        url=url,
        category=category,
    )


def read_html(data: bytes) -> ExtractedPage:
    """Decode a page's bytes (declared charset, else detected) and extract its article."""
    text, _ = decode(data, declared_html_charset(data))
    if looks_binary(text):
        raise UnreadablePage("二进制文件，不是网页 (binary file, not a web page)")
    return extract(text)
