"""Reading the many ways Chinese pages write a date into a datetime (+08:00 where unzoned)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8))

DATE_IN_TEXT = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[年/.\-]\s*(?P<m>\d{1,2})\s*[月/.\-]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})\s*(?:[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_COMPACT_DATE = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})$")


def parse_date(value: str | None) -> datetime | None:
    """A timezone-aware datetime from ISO 8601 or a Chinese date string, or None."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    try:
        return to_china_time(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        pass
    match = DATE_IN_TEXT.search(value) or _COMPACT_DATE.match(value)
    if not match:
        return None
    parts = match.groupdict()
    try:
        parsed = datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts.get("H") or 0),
            int(parts.get("M") or 0),
            int(parts.get("S") or 0),
        )
    except ValueError:
        return None
    return to_china_time(parsed)


def to_china_time(value: datetime) -> datetime:
    """A datetime in China Standard Time, +08:00 assumed where no zone is given."""
    if value.tzinfo is None:
        return value.replace(tzinfo=CHINA_TZ)
    return value.astimezone(CHINA_TZ)


def format_date(value: datetime | None) -> str | None:
    """ISO 8601 with the +08:00 zone, or None."""
    return to_china_time(value).isoformat() if value else None
