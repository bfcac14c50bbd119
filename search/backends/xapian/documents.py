"""Articles as Xapian documents, analysed by zhsearch exactly as the Whoosh index has them.

Each field's terms come from `search/analysis.py` in index mode (words at consecutive
positions, sub-words and the character pairs of unknown names at their word's position) and
carry the field's prefix, so that a word, a phrase or `title:…` means the same on both
backends; a keyword field (author, source, category, id) is one boolean term, its value as
given; the date, source and category are also values, to filter, sort and count by; the
article itself is the document's data (JSON), as the API shows it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from search.analysis import INDEX, analyze
from search.dates import to_china_time
from search.documents import Article
from search.id_order import id_key
from search.records import article_from_json, article_to_json

from . import import_xapian

# Xapian's conventions: S for the title, A for the author, Q for the unique id, X… for the
# rest; the text is unprefixed. Analysed terms are folded to lower case, so they never read
# as a prefix; a keyword's value may start with a capital, hence the colon after X….
TEXT_PREFIXES = {"title": "S", "text": ""}
KEYWORD_PREFIXES = {"id": "Q", "author": "A", "source": "XSOURCE:", "category": "XCATEGORY:"}
DATE_SLOT, SOURCE_SLOT, CATEGORY_SLOT, TIE_SLOT = 0, 1, 2, 3
# The China-time day of the date (to filter and count by, as the Whoosh index's facets do),
# and the keys that sort by date, equals by the id's hash (`search.id_order`), undated last:
# Xapian's remote protocol sorts by one value only (no KeyMaker), so each order has a slot.
DAY_SLOT, OLDEST_SLOT, NEWEST_SLOT = 4, 5, 6
_EPOCH_SHIFT = 2**62  # microseconds since 1970 + this: never negative, fits in 63 bits
_UNDATED = b"\xff" * 8
# Xapian refuses terms over 245 bytes; no query word is that long (a run of letters without
# a break: a URL or a base64 blob pasted into a story).
MAX_TERM_BYTES = 245


def keyword_term(field: str, value: str) -> str:
    return KEYWORD_PREFIXES[field] + value


def timestamp(article: Article) -> float | None:
    """Seconds since the epoch of the article's date (China time where none is given)."""
    return to_china_time(article.date).timestamp() if article.date else None


def day_value(day: date) -> bytes:
    """The DAY_SLOT value of a China-time day (sortable, for value ranges)."""
    return import_xapian().sortable_serialise(day.toordinal())


def day_of_value(value: bytes) -> date:
    return date.fromordinal(int(import_xapian().sortable_unserialise(value)))


def _date_keys(article: Article, tie: bytes) -> tuple[bytes, bytes]:
    """The article's OLDEST_SLOT and NEWEST_SLOT values."""
    if article.date is None:
        return _UNDATED + tie, _UNDATED + tie
    since = to_china_time(article.date) - datetime(1970, 1, 1, tzinfo=UTC)
    micros = since // timedelta(microseconds=1) + _EPOCH_SHIFT
    return micros.to_bytes(8, "big") + tie, (2**63 - 1 - micros).to_bytes(8, "big") + tie


def to_document(article: Article):
    """The `xapian.Document` of an article (its id term is its unique term)."""
    xapian = import_xapian()
    document = xapian.Document()
    for field, prefix in TEXT_PREFIXES.items():
        for term in analyze(getattr(article, field), INDEX):
            name = prefix + term.text
            if len(name.encode("utf-8")) <= MAX_TERM_BYTES:
                # positions count from 1 in Xapian; Whoosh's from 0
                document.add_posting(name, term.pos + 1)
    for field in KEYWORD_PREFIXES:
        value = getattr(article, field)
        if value and len(keyword_term(field, value).encode("utf-8")) <= MAX_TERM_BYTES:
            document.add_boolean_term(keyword_term(field, value))
    if (seconds := timestamp(article)) is not None:
        document.add_value(DATE_SLOT, xapian.sortable_serialise(seconds))
        document.add_value(DAY_SLOT, day_value(to_china_time(article.date).date()))
    if article.source:
        document.add_value(SOURCE_SLOT, article.source)
    if article.category:
        document.add_value(CATEGORY_SLOT, article.category)
    tie = id_key(article.id).to_bytes(8, "big")
    document.add_value(TIE_SLOT, tie)
    oldest, newest = _date_keys(article, tie)
    document.add_value(OLDEST_SLOT, oldest)
    document.add_value(NEWEST_SLOT, newest)
    document.set_data(article_to_json(article))
    return document


def unique_term(article_id: str) -> str:
    """The term that names one article: what `replace_document` and deletes go by."""
    return keyword_term("id", article_id)


def from_document(document) -> Article:
    return article_from_json(document.get_data().decode("utf-8"))


def shard_of(article_id: str, shards: int) -> int:
    """Which of `shards` shards holds the article: by a hash of its id, so that any frontend
    finds it in the same one."""
    return id_key(article_id) % shards
