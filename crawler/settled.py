"""Captures that need no second request: the archived copy is as good as the live page.

Two kinds of page are settled:
- robots.txt fetched within the last 24 hours, the longest RFC 9309 lets a crawler rely
  on a cached copy;
- list pages dated by their address (an e-paper's ``html/2026-10/19/node_2.htm``, a
  dated column archive) that were last fetched at least ``settled_days`` after that
  date: a past edition's page plan does not change any more.

A settled page is handed to the spider from the archive, so its links are still
followed (an article of that edition missed by an interrupted crawl is still fetched),
but nothing is sent and nothing new is written to the WARC files. A capture holding
next to no links (a challenge or maintenance page answered with 200) never stands in
for the page: see `has_links`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from archive.state.store import KnownCapture

# Marks a response read from the archive instead of the network: there is nothing to
# record and no peer address to check.
FROM_ARCHIVE = "from_archive"
ROBOTS_FRESH_FOR = timedelta(hours=24)
CHINA = ZoneInfo("Asia/Shanghai")
# 2026-10/19, 2026/10/19, 2026-10-19, 20261019 as whole path segments: a column id such
# as col20190101 is no date.
_PATH_DATE = re.compile(r"(?<=/)((?:19|20)\d\d)([-/_]?)(\d\d)(?:\2|/)(\d\d)(?=/)")


def url_date(url: str) -> date | None:
    """The calendar day an address names in its path, if any."""
    match = _PATH_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[3]), int(match[4]))
    except ValueError:
        return None


def is_settled(url: str, known: KnownCapture | None, settled_days: float, *, dated_list: bool,
               now: datetime | None = None) -> bool:
    """Whether `known`, the last capture of `url`, can stand in for fetching it again."""
    if known is None or known.pointer is None or not known.last_fetched:
        return False
    last_fetched = datetime.fromisoformat(known.last_fetched)
    if is_robots(url):
        # a missing robots.txt (404) allows everything, and is cached like a present one
        return known.status in (200, 404) and (now or datetime.now(UTC)) - last_fetched < ROBOTS_FRESH_FOR
    if known.status != 200:
        return False
    if not dated_list or settled_days <= 0:
        return False
    day = url_date(url)
    return day is not None and last_fetched >= datetime.combine(day, time(), CHINA) + timedelta(days=settled_days)


# Fewer anchors than this and an archived list page is more likely an error or challenge
# page served with 200 than a page plan.
MIN_LINKS = 3


def has_links(body: bytes) -> bool:
    lowered = body.lower()
    return lowered.count(b"<a ") + lowered.count(b"<area ") >= MIN_LINKS


def is_robots(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"
