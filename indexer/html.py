"""Extracting the article from a saved Chinese web page with BeautifulSoup (lxml parser)."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from datetime import datetime

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, NavigableString, Tag

from search.config import INDEXING
from search.dates import parse_date

from .bylines import clean_names, find_author, is_site_name
from .datelines import find_date
from .encoding import declared_html_charset, decode, looks_binary

_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "iframe",
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
_SITE_SUFFIX = re.compile(r"https?:|www\.|[网網]$|新[闻聞][网網]|日[报報]$|[报報]社?$")
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


def _meta_contents(soup: BeautifulSoup) -> dict[str, str]:
    """Each <meta> name's content: the first tag with that property=, else name=, else
    itemprop= (one pass over the page, not one search per name asked for)."""
    tags = soup.find_all("meta")
    contents: dict[str, str] = {}
    for attribute in ("property", "name", "itemprop"):
        for tag in tags:
            if isinstance(name := tag.get(attribute), str):
                contents.setdefault(name, tag.get("content") or "")
    return contents


def _meta(contents: dict[str, str], *names: str) -> str:
    for name in names:
        if value := contents.get(name, "").strip():
            return value
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
    """Named as navigation, a sidebar, comments…, or a form (a search box, a login): dropped
    unless it holds the story. ASP.NET pages put all of the body in one <form>."""
    if tag.name == "form":
        return True
    if tag.attrs is None:
        return False
    marker = _marker(tag)
    return bool(marker.strip()) and bool(_BOILERPLATE.search(marker))


def _marker(tag: Tag) -> str:
    """What an element is named: its classes and id."""
    return " ".join([" ".join(tag.get("class") or []), tag.get("id") or ""])


def _headings(soup: BeautifulSoup, name: str) -> list[str]:
    texts = (_clean(h.get_text()) for h in soup.find_all(name))
    return [t for t in texts if 4 <= len(t) <= 120]


def _title(soup: BeautifulSoup, metas: dict[str, str], headline: str = "") -> str:
    page_title = _clean(soup.title.get_text()) if soup.title else ""
    candidates = _headings(soup, "h1")
    headline = _clean(headline)
    if headline and (headline in page_title or any(headline in c for c in candidates)):
        return headline
    og_title = _meta(metas, "og:title", "twitter:title")
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
    if suffix and _SITE_SUFFIX.search(suffix.group(0).strip(" -_|｜—–")):
        title = title[: suffix.start()]  # 标题-新华网
    return title


_PUNCTUATION = re.compile(r"[，。！？；、,.!?;]")
_BLOCK_LIKE = ("p", "pre", "td", "li", "blockquote", "h2", "h3", "h4")
_CONTAINERS = ("div", "section", "article", "main", "span", "td", "font", "center")


def _link_density(tag: Tag) -> float:
    text = len(tag.get_text(strip=True)) or 1
    return sum(len(a.get_text(strip=True)) for a in tag.find_all("a")) / text


def _own_text(tag: Tag) -> str:
    # the strings among its children (what find_all(string=True, recursive=False) gives, at a
    # seventh of the time: it runs for every element, several times a page)
    return "".join(c for c in tag.children if isinstance(c, NavigableString)).strip()


# Markup or script that reached the page as text (ad slots holding their HTML template,
# document.write strings in a <div>): its commas and semicolons must not read as prose.
_CODE_SIGNS = re.compile(r"[<>{}=]|&[a-z]+;")


def _reads_as_code(text: str) -> bool:
    signs = len(_CODE_SIGNS.findall(text))
    return signs >= 5 and signs * 50 >= len(text)


def _text_blocks(body: Tag) -> list[tuple[Tag, str]]:
    """Elements that hold prose directly, with that prose: paragraphs, and any element with
    text of its own (pages that separate paragraphs with <br> rather than <p>), a table cell
    too whose story runs between <br>s around a paragraph of its own (a caption, a notice)."""
    blocks = []
    for tag in body.find_all(True):
        if tag.name in _BLOCK_LIKE and not tag.find(list(_BLOCK_LIKE)):
            text = tag.get_text(strip=True)
        elif len(own := _own_text(tag)) >= 20:
            text = own
        else:
            continue
        if not _reads_as_code(text):
            blocks.append((tag, text))
    return blocks


def _prose_score(text: str) -> float:
    """How much a block reads as article prose: its sentences (punctuation) and length."""
    return 1 + len(_PUNCTUATION.findall(text)) + min(len(text) / 100, 3)


# A date or time as lists of stories stamp their entries: 08-11 16:06, (2005-04-27), 12月3日
_STAMP = re.compile(r"\d{1,2}[:：]\d{2}|\d{1,4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2})?")


def _is_link_entry(block: Tag, text: str) -> bool:
    """Whether a block is an entry of a list of stories, not prose, however punctuated: more
    link than text, or a short line a third of it a link and stamped with a date or time (a
    thread's reply: 参与旅行社的一般都是弱势群体……【梅骏！】08-11 16:58 138字)."""
    if block.find_parent("a") is not None:
        return True  # a link's own text (<a><font>标题</font></a>)
    density = _link_density(block)
    return density >= 0.5 or (density >= 0.3 and len(text) < 80 and bool(_STAMP.search(text)))


# What a site says about its pages rather than a story does: rights and reprint notices,
# disclaimers, the messages of its sharing buttons.
_NOTICE_WORDS = re.compile(
    r"版权所有|版權所有|拥有完整版权|侵权必究|侵權必究|不得转载|不得轉載|转载请注明|轉載請註明"
    r"|授权转载|授權轉載|不构成投资建议|不構成投資建議|免责声明|免責聲明|复制成功|複製成功"
    r"|CTRL\+V|浏览器限制|瀏覽器限制|请复制链接|請複製鏈接"
)


def _reads_as_notice(text: str) -> bool:
    """A short block of two notice phrases or more (此栏目文章为…原创资讯，不构成投资建议，
    …拥有完整版权…侵权必究; 复制成功，按CTRL+V发送给好友): the site's, not the story's."""
    return len(text) < 300 and len(set(_NOTICE_WORDS.findall(text))) >= 2


def _main_container(body: Tag) -> Tag:
    """The element whose text blocks carry the most prose (after Readability's scoring):
    each block scores by length and punctuation, credited to its parent and, halved, to its
    grandparent; a container's score shrinks with the share of its text that is links."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for block, text in _text_blocks(body):
        if len(text) < 20 or _is_link_entry(block, text) or _reads_as_notice(text):
            continue
        score = _prose_score(text)
        holders = [block] if block.name in _CONTAINERS else []
        holders += [p for p in block.parents if p.name in _CONTAINERS or p.name == "body"]
        parents = holders[:2]
        for weight, parent in zip((1.0, 0.5), parents, strict=False):
            scores[id(parent)] = scores.get(id(parent), 0.0) + score * weight
            tags[id(parent)] = parent
    if not scores:
        return body
    best = max(scores, key=lambda k: scores[k] * (1 - _link_density(tags[k])))
    return _story_among_alike(body, tags[best], scores[best], scores)


# An entry's prose score (about: two sentences of a paragraph) to count it as an entry.
_ENTRY_PROSE = 15.0


def _story_among_alike(body: Tag, best: Tag, best_score: float, scores: dict[int, float]) -> Tag:
    """`best`, or what the blocks of its shape (the same element, named alike) that carry
    prose make together. Side by side in one parent they are the sections of one article (an
    encyclopedia's paragraphs, short or long): the parent. Apart, each in a frame of its own
    and each with some paragraphs, they are the entries of a blog's page or a forum's thread:
    the one the page is of comes first (the newest post, the thread's opening post), however
    long a later one is."""
    classes = best.get("class")
    if not classes or best.name in _INLINE_TAGS:  # runs of text inside paragraphs
        return best
    shaped = [
        tag
        for tag in body.find_all(best.name, class_=" ".join(classes))
        if tag.get("class") == classes and id(tag) in scores
    ]
    if sum(tag.parent is best.parent for tag in shaped) >= 2:
        return best.parent
    entries = [tag for tag in shaped if scores[id(tag)] >= _ENTRY_PROSE]
    return entries[0] if len(entries) >= 2 else best


_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "big", "cite", "code", "em", "font", "i", "label", "mark", "q", "s"}
    | {"small", "span", "strong", "sub", "sup", "time", "u"}
)


def _paragraphs(container: Tag) -> list[str]:
    """The container's text, one paragraph a line: blocks and <br> break lines, inline
    elements (links, bold, spans) do not."""
    lines = [""]
    linked = [0]  # characters of each line inside links

    def walk(node: Tag, in_link: bool = False) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a comment, CDATA or doctype
                    lines[-1] += str(child)
                    linked[-1] += len(child.strip()) if in_link else 0
            elif child.name == "br":
                lines.append("")
                linked.append(0)
            elif child.name in _INLINE_TAGS:
                walk(child, in_link or child.name == "a")
            else:
                lines.append("")
                linked.append(0)
                walk(child, in_link)
                lines.append("")
                linked.append(0)

    walk(container)
    kept = [
        (line, links / len(line))
        for line, links in zip(map(_clean, lines), linked, strict=True)
        if line and not _EDITOR_LINE.match(line) and not _reads_as_notice(line)
    ]
    kept = _without_link_lists(kept)
    return _without_repeated_runs(_without_related_list([line for line, _ in kept]))


_LINK_LINE = 0.6  # a line this much inside links is a link, not prose


def _is_widget(line: str, link_share: float) -> bool:
    """A line of links (related stories, 上一篇/下一篇) or a short label without a sentence
    (图集, +1, 【纠错】, 分享到, 今日推荐)."""
    if link_share >= _LINK_LINE:
        return True
    return len(line) <= 8 and not _PUNCTUATION.search(line.strip("【】[]"))


def _without_link_lists(lines: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The lines less the widgets before and after the story and the lists of links in it
    (three or more lines of links in a row: "相关新闻", "今日焦点")."""
    while lines and _is_widget(*lines[-1]):
        lines = lines[:-1]
    while lines and _is_widget(*lines[0]) and lines[0][1] > 0:
        lines = lines[1:]
    kept: list[tuple[str, float]] = []
    for links, run in itertools.groupby(lines, key=lambda line: line[1] >= _LINK_LINE):
        run = list(run)
        if not (links and len(run) >= 3):
            kept += run
    return kept


# The heading of a list of other stories that closes the page (相关报道：, 延伸阅读).
_RELATED_HEADING = re.compile(
    r"^[【\[]?(?:相关|相關|延伸|推荐|推薦|更多)(?:报道|報導|新闻|新聞|链接|鏈接|文章|阅读|閱讀)"
    r"[】\]]?[:：]?$"
)
# An entry of such a list: a bullet, or a headline dated in brackets.
_LIST_ENTRY = re.compile(r"^[·•\-—>»]|[（(]\s*\d{2,4}[-/年.]\d{1,2}[-/月.]\d{1,2}[^）)]*[）)]$")


def _without_related_list(lines: list[str]) -> list[str]:
    """The lines less a list of other stories after the story: its heading (相关报道：) and
    the entries that follow it to the end, each a bullet or a dated headline. Its links are
    often text alone in a saved page, so the share of links does not find it."""
    for at, line in enumerate(lines):
        rest = lines[at + 1 :]
        if _RELATED_HEADING.match(line) and rest and all(_LIST_ENTRY.search(r) for r in rest):
            return lines[:at]
    return lines


def _without_repeated_runs(lines: list[str]) -> list[str]:
    """The lines less any run of two or more that repeats an earlier run: a page that holds
    its story twice (a print view, a floating reader, a hidden copy for sharing). A single
    repeated line stays: captions and refrains repeat in stories too."""
    first_at: dict[str, int] = {}
    repeats: set[int] = set()
    for i, line in enumerate(lines):
        j = first_at.setdefault(line, i)
        if j == i or len(line) < 20:
            continue
        follows = i + 1 < len(lines) and j + 1 < i and lines[i + 1] == lines[j + 1]
        if follows or (i - 1 in repeats and lines[i - 1] == lines[j - 1]):
            repeats.add(i)
    return [line for i, line in enumerate(lines) if i not in repeats]


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


def _prose_of(tag: Tag) -> float:
    return sum(_prose_score(text) for _, text in _text_blocks(tag) if len(text) >= 20)


_COMMENTS = re.compile(r"comment|reply|discuss", re.I)


def _best_block(body: Tag) -> Tag | None:
    """The page's one block that reads most as prose (and is not mostly links)."""
    scored = [
        (_prose_score(text), tag)
        for tag, text in _text_blocks(body)
        if len(text) >= 20 and _link_density(tag) < 0.3
    ]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


def _drop_boilerplate(body: Tag, spare: Tag | None = None) -> None:
    """Remove the elements named as navigation, sidebars, comments, sharing widgets, and the
    forms, but not one around most of the page or most of its prose, nor one that holds
    `spare` (unless it is named for comments)."""
    page_chars = len(body.get_text(strip=True)) or 1
    page_prose: float | None = None
    holding_spare = {id(p) for p in spare.parents} | {id(spare)} if spare is not None else set()
    for tag in body.find_all(True):
        if tag.decomposed or tag.name in ("body", "html", "article", "main"):
            continue
        if not _is_boilerplate(tag):
            continue
        text = tag.get_text(strip=True)
        if len(text) >= 0.4 * page_chars:
            continue  # a "breadcrumb" or "comment" wrapper around most of the page is not one
        if id(tag) in holding_spare and not _COMMENTS.search(_marker(tag)):
            continue
        # nor is a layout column named for where it sits ("twosidebarL") that holds the
        # story; the cheap bound first (blocks count from 20 characters), rarely the blocks
        page_prose = _prose_of(body) if page_prose is None else page_prose
        bound = len(_PUNCTUATION.findall(text)) + len(text) / 20 + len(text) / 100
        if bound < 0.5 * page_prose or _prose_of(tag) < 0.5 * page_prose:
            tag.decompose()


_TOO_SHORT = 50  # characters: a page with less text than this has no story found in it
_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def _story(body: Tag, title: str) -> str:
    """The main container's paragraphs, a line each, less the headline."""
    lines = _paragraphs(_main_container(body))
    return "\n".join(line for line in lines if line != title)


def extract(html: str) -> ExtractedPage:
    """Title, main text (one paragraph a line) and metadata of a web page."""
    if (depth := nesting_depth(html)) > INDEXING.max_html_nesting:
        raise UnreadablePage(
            f"页面嵌套过深：{depth} 层 (page nested too deeply: {depth} levels,"
            f" limit {INDEXING.max_html_nesting})"
        )
    soup = BeautifulSoup(html, "lxml")
    linked = _linked_data(soup)
    metas = _meta_contents(soup)
    title = _title(soup, metas, _text_of(linked.get("headline")))
    url = ""
    canonical = soup.find("link", rel="canonical")
    if isinstance(canonical, Tag) and canonical.get("href"):
        url = canonical["href"].strip()
    url = url or _meta(metas, "og:url")
    meta_date = _meta(
        metas,
        "article:published_time",
        "pubdate",
        "publishdate",
        "PubDate",
        "publish_time",
        "datePublished",
        "og:release_date",
    )
    date = parse_date(meta_date)
    author = _meta(metas, "author", "article:author", "byline") or _person(linked.get("author"))
    description = _text_of(linked.get("description")) or _meta(metas, "description")
    category = _meta(metas, "article:section", "category")

    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    whole_text = soup.get_text("\n")  # with the <title> and the sidebars, for the blog's owner
    _drop_boilerplate(soup.body or soup)
    body = soup.body or soup
    page_text = body.get_text("\n")
    text = _story(body, title)
    if len(text) < _TOO_SHORT:
        # A short story in an element named as boilerplate, beside more text than it (a
        # layout column "twosidebarL" next to a long sidebar): read again, sparing the
        # element that holds the page's best paragraph.
        again = BeautifulSoup(html, "lxml")
        for tag in again.find_all(_DROP_TAGS):
            tag.decompose()
        again_body = again.body or again
        _drop_boilerplate(again_body, spare=_best_block(again_body))
        text = max(text, _story(again_body, title), key=len)
    article_body = _text_of(linked.get("articleBody"))
    if len(article_body) > 2 * len(text):  # the page builds its text with script
        text = "\n".join(_clean(line) for line in article_body.splitlines() if line.strip())
    if len(text) < _TOO_SHORT and len(description) > len(text):
        text = _clean(description)  # no text in the page: its summary is what there is

    if date is None or not _TIME_OF_DAY.search(meta_date):
        # The date the page shows: where the meta has none, or only the day of it (a CMS's
        # publishdate of 2022-02-13 over the printed 2022年02月13日07:48), then the instant
        # printed on that day. Failing the page's text, the whole page's (a date in a form,
        # a header dropped as boilerplate).
        shown = find_date(page_text, title, text[:20]) or find_date(whole_text, title, text[:20])
        if date is None or (shown is not None and shown.date() == date.date()):
            date = shown
    date = date or parse_date(_text_of(linked.get("datePublished")))
    author = clean_names(re.sub(r"<[^>]*>", "", author))  # some put markup in the meta
    if is_site_name(author):
        author = ""  # a site name or profile URL in the byline meta is not an author
    author = author or find_author(page_text, text.splitlines(), whole_text)
    source = _meta(metas, "og:site_name", "source")
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
