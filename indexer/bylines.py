"""Who wrote an article: the bylines Chinese news pages print, from the clearest to the faintest.

A labelled byline (作者：, 记者 …) is taken as written, and of several the one the page prints
first (a story's under its headline, before a repost's 作者： of who posted it); a forum's or
blog's poster as their handle (放飞&心情, duscha). The unlabelled kinds — a name in brackets
after the dateline, a name alone on the story's first or last line, a person named as the
source, a photographer's credit — are only taken when the name opens with a common Chinese
surname, since a bracketed word or a short line is more often something else.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from search.normalize import to_simplified

_HAN = r"\u4e00-\u9fff"
_NAME = rf"[{_HAN}·]{{2,4}}"
# a name ends where the Han characters stop, or at 报道/摄 written straight after it
_END = rf"(?=$|[^{_HAN}·]|报道|報導|摄|攝)"
# a translated author's own name may follow in brackets: 周思博 (Joel Spolsky)
_ORIGINAL_NAME = r"(?:[ \t]*[（(][A-Za-z][A-Za-z .'\-]{1,40}[）)])?"
_NAMES = rf"({_NAME}(?:[ 、，,]{_NAME})*{_ORIGINAL_NAME}){_END}"

# The commonest single-character surnames (over nine in ten Chinese people bear one of
# these) and the compound ones still in use, simplified; traditional names are folded first.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧"
    "耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍"
    "华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏"
    "宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈"
    "匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖"
    "练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊母裘亓修"
    "邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴"
    "昝智幸奉植衡富尧由洪"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "公孙",
    "夏侯",
    "尉迟",
    "长孙",
    "宇文",
    "司徒",
    "端木",
    "西门",
)


def looks_like_name(word: str) -> bool:
    """Whether a word of two to four Han characters reads as a Chinese person's name."""
    word = to_simplified(word.strip())
    if not re.fullmatch(rf"[{_HAN}]{{2,4}}", word):
        return False
    if word.startswith(_COMPOUND_SURNAMES):
        return len(word) >= 3
    return word[0] in _SURNAMES and len(word) <= 3


_GAP = r"[ \t\u3000\u00a0]*"  # spaces within a line, never a line break
# After a label's colon, the name may stand in an element of its own (作者：<a>赵婕</a>), which
# the page's text puts on the next line: one line break, never two.
_NEXT_LINE = rf"{_GAP}(?:\n{_GAP})?"
# what stands after an empty byline, never a name: the next field's label (作者：\n来源：)
# or one of the page's controls (作者：\n手机版, 作者：\n打印)
_NOT_A_NAME = (
    r"(?!来源|來源|出处|出處|时间|時間|日期|发布|發布|编辑|編輯|责任|責任"
    r"|手机版|手機版|打印|字号|字號|评论|評論|分享|转发|轉發|收藏|返回|点击|點擊|首页|首頁)"
)
# Labelled bylines, as written: 作者：王小明, 记者/李华, （记者 王小明 李华）, 文/张三
_LABELS = (
    rf"记者|記者|作者|撰文|撰稿人?|(?<![{_HAN}])文|图文|圖文|投稿人|博主|楼主|樓主"
    r"|发表者|發表者|发帖人|發帖人|发布者|發布者|发布人|發布人"
)
_LABELLED = re.compile(
    rf"(?:(?:{_LABELS}){_GAP}[:：/／|｜]{_NEXT_LINE}|[【\[](?:作者|撰文)[】\]]{_GAP}|[（(](?:记者|記者){_GAP})"
    + _NOT_A_NAME
    + _NAMES
    + rf"|(?:记者|記者){_GAP}({_NAME}){_GAP}[／/]",
    re.M,
)
# the words of a byline that are not names: 钟啸 通讯员 王娅, 文/記者 範維, 责任编辑
_ROLES = {
    "记者",
    "記者",
    "作者",
    "通讯员",
    "通訊員",
    "实习生",
    "實習生",
    "摄影",
    "攝影",
    "编辑",
    "編輯",
    "责任编辑",
    "責任編輯",
    "报道",
    "報導",
    "特约记者",
    "特約記者",
    "实习记者",
    "實習記者",
    "见习记者",
    "見習記者",
    "本报记者",
    "本報記者",
    "整合",
    "整理",
    "编译",
    "編譯",
    "综合",
    "綜合",
}
# 交汇点记者 徐睿翔: the label, a space, then the name ending the line or the clause
_REPORTER_SPACED = re.compile(rf"(?:记者|記者)[ \u3000]+({_NAME})(?=$|[\s）)，,。])", re.M)
# 本报记者罗科苏盈发自北京: the reporters, written straight after the label, before 发自
_REPORTER_SENT_FROM = re.compile(rf"(?:记者|記者){_GAP}({_NAME})(?:发自|發自)")
# a forum's or blog's poster, labelled, as a handle of its own line (作者：放飞&心情, 楼主：6xy):
# letters, digits or signs among the characters, which no name of Han characters alone has
_POSTER_HANDLE = re.compile(
    rf"(?:作者|楼主|樓主|发帖人|發帖人|博主|发表者|發表者){_GAP}[:：]{_NEXT_LINE}"
    rf"((?=[^\s]*[A-Za-z0-9&_~\-])[^\s<>:：=\"'\[\]【】()（）]{{2,16}}){_GAP}$",
    re.M,
)
# a post's time, then its poster: 发布时间 2005/03/15 22:36:13 by duscha
_POSTED_BY = re.compile(
    rf"\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:{_GAP}[AaPp][Mm])?{_GAP}(?:posted )?by{_NEXT_LINE}"
    r"([^\s<>〓|｜]{2,20})"
)
# a blog's author box: the owner's name over the link to their profile (太小心 / [作者简介])
_PROFILE_OWNER = re.compile(
    rf"^{_GAP}([^\s\[\]【】<>]{{2,12}}){_GAP}\n(?:{_GAP}\n){{0,2}}{_GAP}[\[【]?(?:作者简介|作者簡介)",
    re.M,
)
# a byline of several labelled groups, the names on their own lines as an element each:
# 本报实习生 / 刘国栋 周炜 / 本报记者 / 王燕平 方云凤 柏建斌
_BYLINE_GROUP = r"(?:本报|本報|特约|特約)?(?:记者|記者|实习生|實習生|通讯员|通訊員)"
_BYLINE_BLOCK = re.compile(
    rf"^{_GAP}{_BYLINE_GROUP}{_GAP}\n(?:{_GAP}\n)?{_GAP}({_NAMES}{_GAP}"
    rf"(?:\n{_GAP}{_BYLINE_GROUP}{_GAP}\n(?:{_GAP}\n)?{_GAP}{_NAMES}{_GAP})*)$",
    re.M,
)
# at the end of a story: （王小明／台中報導）, （姚峰 上海报道）
_REPORTED_FROM = re.compile(
    rf"[（(]\s*({_NAME})\s*[／/ \u3000]\s*[{_HAN}]{{0,6}}(?:報導|报道)\s*[）)]"
)
# the dateline's bracketed name: 2004年7月16日08:19 [ 黄宇 ]
_AFTER_DATELINE = re.compile(rf"\d{{1,2}}[:：]\d{{2}}(?::\d{{2}})?\s*[\[【]\s*({_NAME})\s*[\]】]")
# a name on a line of its own, in brackets, closing the story: （袁源）
_CLOSING_NAME = re.compile(rf"^\s*[（(]\s*({_NAME})\s*[）)]\s*$", re.M)
# a blog's owner, named in its title or header: 海姑娘的博客
_BLOG_OWNER = re.compile(
    rf"([{_HAN}\w·]{{2,12}})的(?:博客|部落格|BLOG|Blog|blog|专栏|專欄|个人空间|日志)"
)
# a person (not a paper) given as the source: 来源: 尹娟
_SOURCE_PERSON = re.compile(rf"(?:来源|來源)\s*[:：]\s*({_NAME})\s*$", re.M)
# a photographer's credit: 蔡雪婧/摄
_PHOTOGRAPHER = re.compile(rf"({_NAME})\s*[/／]\s*(?:摄|攝)")
_EDITOR = re.compile(rf"(?:责任编辑|責任編輯|编辑|編輯)\s*[:：]\s*({_NAME})")

_SITE_LIKE = re.compile(
    r"https?:|www\.|[网網站]|新[闻聞]|[报報]|社$|频道|頻道|传媒|傳媒|集团|公司|财经|財經|资讯|資訊"
    r"|商讯|自媒体|^搜索$|管理|小编|^(?:未知|佚名|匿名|unknown|admin)$|@|\.(?:com|net|org|cn)\b"
    r"|^[\d\W_]+$"  # digits, signs
    r"|^[a-z]{1,4}[_\-]?\d{3,}$",  # a CMS's user id in the author meta (L_104485)
    re.I,
)
# a lower-case domain-like word (chinanews, sina) in a byline or the author meta: a site; but
# a forum's poster is often named so (by duscha), and a handle is taken as it stands
_LATIN_WORD = re.compile(r"^[a-z0-9.\-]+$", re.I)


def is_site_name(value: str, handle: bool = False) -> bool:
    """A site or paper (新华网, 网易, 人民日报, a URL, a site's slogan) where a person's
    name should be; `handle`: the value is a poster's handle, where a Latin word is a name."""
    value = value.strip()
    if len(value) > 40 or _SITE_LIKE.search(value) or value in _ROLES:
        return True
    return not handle and bool(_LATIN_WORD.search(value))


def _first_group(match: re.Match | None) -> str:
    return clean_names(next((g for g in match.groups() if g), "")) if match else ""


def clean_names(value: str) -> str:
    """A byline's names without the roles written among them (记者, 通讯员 …)."""
    value = value.strip()
    separator = next((c for c in value if c in " 、，,"), " ")
    names = [word for word in re.split(r"[ 、，,]+", value) if word and word not in _ROLES]
    return separator.join(names)


def _handle(match: re.Match | None) -> str:
    return match.group(1) if match else ""


def _byline_block(match: re.Match | None) -> str:
    """The names of a byline of labelled groups, if every one of them reads as a name."""
    if not match:
        return ""
    names = [w for w in re.split(r"\s+", clean_names(re.sub(r"\s+", " ", match.group(1)))) if w]
    names = [n for n in names if not re.fullmatch(_BYLINE_GROUP, n)]
    return " ".join(names) if names and all(looks_like_name(n) for n in names) else ""


def _named(match: re.Match | None) -> str:
    name = _first_group(match)
    return name if looks_like_name(name) else ""


# words of a blog's own links (注册新的博客, 查看我的博客目录, 欢迎访问…) before 的博客
_BLOG_LINK_WORDS = re.compile(
    r"[我你您新本]|查看|注册|注冊|开通|開通|进入|進入|访问|訪問|返回|欢迎|歡迎"
)


def _blog_owner(text: str) -> str:
    """The name the page calls the blog's owner's (X的博客) more than once, or "": named
    once, it is more often a link to someone else's blog."""
    owners = Counter(
        match.group(1)
        for match in _BLOG_OWNER.finditer(text)
        if not _BLOG_LINK_WORDS.search(match.group(1))
    )
    owner, mentions = owners.most_common(1)[0] if owners else ("", 0)
    return owner if mentions >= 2 else ""


def _candidates(page_text: str, lines: list[str], whole_text: str) -> Iterator[tuple[str, bool]]:
    """Possible authors, from the clearest kind of byline to the faintest, each with whether
    it is a poster's handle."""
    # The labelled kinds in the order the page prints them: a story's byline under its
    # headline comes before a blog's or forum's 作者： of the one who posted it.
    labelled = [
        (match, read)
        for pattern, read in (
            (_POSTER_HANDLE, _handle),
            (_LABELLED, _first_group),
            (_BYLINE_BLOCK, _byline_block),
        )
        if (match := pattern.search(page_text))
    ]
    for match, read in sorted(labelled, key=lambda pair: pair[0].start()):
        yield read(match), read is _handle
    yield _first_group(_REPORTED_FROM.search(page_text)), False
    yield _first_group(_REPORTER_SENT_FROM.search(page_text)), False
    yield _handle(_POSTED_BY.search(page_text)), True
    yield _handle(_PROFILE_OWNER.search(page_text)), True
    yield _blog_owner(whole_text), False
    for pattern in (_REPORTER_SPACED, _AFTER_DATELINE, _CLOSING_NAME):
        yield _named(pattern.search(page_text)), False
    # a name alone on a line under the headline (which may open the story's lines): one
    # that opens with a surname, or a pen name the page also prints as the headline's
    # speaker (茉莉：我是怎样卷入八九民运的, a column's title)
    for line in (line.strip() for line in lines[:2]):
        if looks_like_name(line) or (
            re.fullmatch(rf"[{_HAN}]{{2,4}}", line) and re.search(rf"{line}[:：]", whole_text)
        ):
            yield line, False
    for pattern in (_SOURCE_PERSON, _PHOTOGRAPHER):
        yield _named(pattern.search(page_text)), False
    yield _first_group(_EDITOR.search(page_text)), False


def find_author(page_text: str, lines: list[str], whole_text: str = "") -> str:
    """The article's author from the page's text, the story's lines and the whole page's text
    (sidebars and <title> kept, where a blog names its owner), or ""."""
    candidates = _candidates(page_text, lines, whole_text or page_text)
    return next((a for a, handle in candidates if a and not is_site_name(a, handle)), "")
