"""Publication dates as Chinese pages print them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

_YEAR = r"(?P<y>(?:19|20)\d{2})"
_TIME = r"(?:[\sT日]*(?P<H>[0-2]?\d)[:：时](?P<M>[0-5]\d)(?:[:：分](?P<S>[0-5]\d))?(?:\.\d+)?秒?)?"
_ZONE = r"(?P<z>Z|[+-][01]\d:?[0-5]\d)?"
DATE_PATTERN = re.compile(
    _YEAR + r"\s*(?:[-/.年]\s*)(?P<m>[01]?\d)\s*[-/.月]\s*(?P<d>[0-3]?\d)(?!\d)\s*日?" + _TIME + _ZONE
)
_COMPACT_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_URL_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/_]?(?P<m>[01]\d)(?:[-/_]?(?P<d>[0-3]\d))?(?!\d)")
_RELATIVE = re.compile(
    r"(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天)前|(?P<word>今天|昨天|前天)\s*(?:(?P<H>[0-2]?\d)[:：](?P<M>[0-5]\d))?"
)
_UNIT_SECONDS = {"秒": 1, "分钟": 60, "小时": 3600, "天": 86400}
_DAY_OFFSETS = {"今天": 0, "昨天": 1, "前天": 2}


def _build(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    try:
        year, month, day = int(groups["y"]), int(groups["m"]), int(groups.get("d") or 1)
        hour = int(groups.get("H") or 0)
        minute = int(groups.get("M") or 0)
        second = int(groups.get("S") or 0)
        zone = groups.get("z")
        tz: timezone | ZoneInfo = SHANGHAI
        if zone:
            if zone == "Z":
                tz = UTC
            else:
                digits = zone.replace(":", "")
                offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
                tz = timezone(offset if digits[0] == "+" else -offset)
        value = datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except (TypeError, ValueError):
        return None
    if not 1990 <= year <= datetime.now(SHANGHAI).year + 1:
        return None
    return value


def parse_date(text: str, reference: datetime | None = None) -> datetime | None:
    """The first date in text, timezone-aware (Asia/Shanghai unless the text names a zone)."""
    if not text:
        return None
    for match in DATE_PATTERN.finditer(text):
        value = _build(match)
        if value is not None:
            return value
    match = _COMPACT_DATE.search(text)
    if match:
        value = _build(match)
        if value is not None:
            return value
    if reference is not None:
        return parse_relative(text, reference)
    return None


def parse_relative(text: str, reference: datetime) -> datetime | None:
    """'3小时前', '昨天 08:21' against the capture time."""
    match = _RELATIVE.search(text)
    if not match:
        return None
    now = reference.astimezone(SHANGHAI)
    if match.group("n"):
        return now - timedelta(seconds=int(match.group("n")) * _UNIT_SECONDS[match.group("unit")])
    day = (now - timedelta(days=_DAY_OFFSETS[match.group("word")])).replace(hour=0, minute=0, second=0, microsecond=0)
    if match.group("H"):
        day = day.replace(hour=int(match.group("H")), minute=int(match.group("M")))
    return day


def date_from_url(url: str) -> datetime | None:
    """Dates that CMSs put in article paths: /202405/20/, /2024-05/20/, t20210924_, /20240515/."""
    path = url.split("?", 1)[0]
    path = path.split("://", 1)[-1]
    path = path.split("/", 1)[1] if "/" in path else ""
    best = None
    for match in _URL_DATE.finditer(path):
        day = match.group("d")
        if day is None:
            # year-month folder followed by a day folder: /202405/20/
            follow = re.match(r"/([0-3]\d)/", path[match.end() :])
            if not follow:
                continue
            day = follow.group(1)
        try:
            best = datetime(int(match.group("y")), int(match.group("m")), int(day), tzinfo=SHANGHAI)
        except ValueError:
            continue
        if 1990 <= best.year <= datetime.now(SHANGHAI).year + 1:
            return best
    return None
