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
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAME = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_CLOCK = r"(?P<H>[0-2]?\d):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?\s*(?P<ampm>[ap]\.?m\.?)?"
# Pages written for foreign readers or by US-made CMSs: "7/5/2005 9:23:57 PM",
# "September 10th, 2005 10:56 am", "11:35, November 23, 2022", "23 November 2022".
FOREIGN_DATES = (
    re.compile(r"(?<![\d/])(?P<m>[0-3]?\d)/(?P<d>[0-3]?\d)/(?P<y>(?:19|20)\d{2})(?:\s+" + _CLOCK + r")?", re.I),
    re.compile(
        r"(?:" + _CLOCK + r",?\s+)?\b" + _MONTH_NAME + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})"
        r"(?:,?\s+(?P<H2>[0-2]?\d):(?P<M2>[0-5]\d)(?::(?P<S2>[0-5]\d))?\s*(?P<ampm2>[ap]\.?m\.?)?)?",
        re.I,
    ),
    re.compile(r"\b(?P<d>[0-3]?\d)\s+" + _MONTH_NAME + r",?\s+(?P<y>(?:19|20)\d{2})\b", re.I),
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


def _build_foreign(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    month = _MONTHS.get((groups.get("mon") or "").lower()) or int(groups.get("m") or 0)
    if not groups.get("mon"):
        # 06/02/2022 is June in the US and February in Europe: only an AM/PM clock or a
        # number above 12 tells which
        first, second = month, int(groups["d"])
        if first > 12 >= second:
            groups["d"], month = str(first), second
        elif second <= 12 and not groups.get("ampm"):
            return None
    hour, minute, second = groups.get("H") or groups.get("H2"), groups.get("M") or groups.get("M2"), None
    second = groups.get("S") or groups.get("S2")
    ampm = (groups.get("ampm") or groups.get("ampm2") or "").lower()
    try:
        hours = int(hour or 0)
        if ampm.startswith("p") and hours < 12:
            hours += 12
        elif ampm.startswith("a") and hours == 12:
            hours = 0
        value = datetime(
            int(groups["y"]), month, int(groups["d"]), hours, int(minute or 0), int(second or 0), tzinfo=SHANGHAI
        )
    except (TypeError, ValueError):
        return None
    if not 1990 <= value.year <= datetime.now(SHANGHAI).year + 1:
        return None
    return value


def has_date(text: str) -> bool:
    return bool(DATE_PATTERN.search(text)) or any(pattern.search(text) for pattern in FOREIGN_DATES)


def strip_dates(text: str) -> str:
    text = DATE_PATTERN.sub("", text)
    for pattern in FOREIGN_DATES:
        text = pattern.sub("", text)
    return text


def parse_date(text: str, reference: datetime | None = None) -> datetime | None:
    """The first date in text, timezone-aware (Asia/Shanghai unless the text names a zone)."""
    if not text:
        return None
    for match in DATE_PATTERN.finditer(text):
        value = _build(match)
        if value is not None:
            return value
    for pattern in FOREIGN_DATES:
        for match in pattern.finditer(text):
            value = _build_foreign(match)
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
