"""When an article was published, from the dates its page shows.

A page shows many dates: today's in the site header, the publish time under the headline,
dates inside the story, those of related links. The one meant is, in this order: a date
labelled as the publish time (发布时间：…), the first date between the headline and the
story's first words (the dateline), the first date of the page; failing all of them, a
month written without a day (1996年6月). A date is China time unless a zone follows it
(2011-12-09 10:00 GMT).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from search.dates import DATE_IN_TEXT, parse_date, to_china_time

_LABEL = re.compile(
    r"(?:发布|發布|发表|發表|更新|出版|刊登|日期|时间|時間)(?:时间|時間|日期|于|於)?\s*[:：]?\s*$"
)
# A zone written after the time (2011-12-09 10:00 GMT, 08:30 UTC+8): the page says otherwise.
_ZONE_AFTER = re.compile(r"^\s*\(?\s*(?:GMT|UTC)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?", re.I)
_MONTH_ONLY = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*月?(?![\d/.\-])")


def _in_zone(date: datetime, after: str) -> datetime:
    """The date (read as China time) in the zone written right after it, if one is."""
    zone = _ZONE_AFTER.match(after)
    if not zone:
        return date
    sign, hours, minutes = zone.groups()
    offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    written = date.replace(tzinfo=timezone(-offset if sign == "-" else offset))
    return to_china_time(written)


def find_date(page_text: str, headline: str, story_start: str) -> datetime | None:
    """The publish time the page shows, read as China time unless it says otherwise."""
    dates = [
        (match.start(), _in_zone(date, page_text[match.end() : match.end() + 16]))
        for match in DATE_IN_TEXT.finditer(page_text)
        if (date := parse_date(match.group(0)))
    ]
    for at, date in dates:
        if _LABEL.search(page_text[max(0, at - 12) : at]):
            return date
    story_at = page_text.find(story_start) if story_start else -1
    headline_at = page_text.rfind(headline, 0, max(story_at, 0)) if headline else -1
    for at, date in dates:
        if 0 <= headline_at < at < story_at:
            return date
    if dates:
        return dates[0][1]
    if month := _MONTH_ONLY.search(page_text):
        year, number = int(month.group(1)), int(month.group(2))
        if 1 <= number <= 12:
            return to_china_time(datetime(year, number, 1))
    return None
