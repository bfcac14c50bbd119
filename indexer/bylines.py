"""Who wrote an article: the bylines Chinese news pages print, from the clearest to the faintest.

A labelled byline (作者：, 记者 …) is taken as written. The unlabelled kinds — a name in
brackets after the dateline, a name alone on the story's first or last line, a person named
as the source, a photographer's credit — are only taken when the name opens with a common
Chinese surname, since a bracketed word or a short line is more often something else.
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
_NAMES = rf"({_NAME}(?:[ 、，,]{_NAME})*){_END}"

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
# Labelled bylines, as written: 作者：王小明, 记者/李华, （记者 王小明 李华）, 文/张三
_LABELS = (
    rf"记者|記者|作者|撰文|撰稿人?|(?<![{_HAN}])文|图文|圖文|投稿人|博主|楼主|樓主"
    r"|发表者|發表者|发帖人|發帖人|发布者|發布者|发布人|發布人"
)
_LABELLED = re.compile(
    rf"(?:(?:{_LABELS}){_GAP}[:：/／|｜]{_GAP}|[【\[](?:作者|撰文)[】\]]{_GAP}|[（(](?:记者|記者){_GAP})"
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
    r"|^[\d\W_]+$|^[a-z0-9.\-]+$",  # digits or a lower-case domain-like word (chinanews)
    re.I,
)


def is_site_name(value: str) -> bool:
    """A site or paper (新华网, 网易, 人民日报, a URL, a site's slogan) where a person's
    name should be."""
    value = value.strip()
    return len(value) > 40 or bool(_SITE_LIKE.search(value)) or value in _ROLES


def _first_group(match: re.Match | None) -> str:
    return clean_names(next((g for g in match.groups() if g), "")) if match else ""


def clean_names(value: str) -> str:
    """A byline's names without the roles written among them (记者, 通讯员 …)."""
    value = value.strip()
    separator = next((c for c in value if c in " 、，,"), " ")
    names = [word for word in re.split(r"[ 、，,]+", value) if word and word not in _ROLES]
    return separator.join(names)


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


def _candidates(page_text: str, lines: list[str], whole_text: str) -> Iterator[str]:
    """Possible authors, from the clearest kind of byline to the faintest."""
    yield _first_group(_LABELLED.search(page_text))
    yield _first_group(_REPORTED_FROM.search(page_text))
    yield _blog_owner(whole_text)
    for pattern in (_REPORTER_SPACED, _AFTER_DATELINE, _CLOSING_NAME):
        yield _named(pattern.search(page_text))
    # a name alone on a line under the headline (which may open the story's lines)
    yield from (line.strip() for line in lines[:2] if looks_like_name(line.strip()))
    for pattern in (_SOURCE_PERSON, _PHOTOGRAPHER):
        yield _named(pattern.search(page_text))
    yield _first_group(_EDITOR.search(page_text))


def find_author(page_text: str, lines: list[str], whole_text: str = "") -> str:
    """The article's author from the page's text, the story's lines and the whole page's text
    (sidebars and <title> kept, where a blog names its owner), or ""."""
    candidates = _candidates(page_text, lines, whole_text or page_text)
    return next((a for a in candidates if a and not is_site_name(a)), "")
