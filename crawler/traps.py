"""Crawler traps: URL spaces without end that would eat a site's page budget.

Calendars (?year=2031&month=7, then the next month, forever), session ids in URLs
(every visit mints new ones, so every link looks new), relative-link accidents
(/news/news/news/...), ever-growing query strings and redirect loops. Each refusal is
counted in the crawl stats under ``archive/traps/<reason>``.

Only navigation is guarded: requests the spider marks ``dont_filter`` (start URLs,
feeds, pages 2..N of an article, view counters) are bounded by construction, except
that a redirect loop is refused whatever started it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Query (and ;path) parameters that carry a session, not content.
SESSION_KEYS = frozenset({"jsessionid", "phpsessid", "aspsessionid", "sessionid", "session_id", "sessid",
                          "sid", "cfid", "cftoken", "zenid", "osCsid".lower()})
# A short "sid" is often a section id; session tokens are long.
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]{16,}")
_PATH_PARAM = re.compile(r";([A-Za-z_]+)=[^/;?#]*")
# Query keys that page through time: calendars and date archives.
CALENDAR_KEYS = frozenset({"year", "month", "day", "date", "week", "ym", "ymd", "yyyy", "yyyymm", "cal", "calendar",
                           "riqi", "nian", "yue"})
_CALENDAR_SEGMENT = re.compile(r"calendar|cal|rili", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def _is_session(key: str, value: str) -> bool:
    return key.lower() in SESSION_KEYS and bool(_TOKEN.fullmatch(value))


def strip_session_ids(url: str) -> str:
    """`url` without session-id parameters (``;jsessionid=…`` and ``?PHPSESSID=…``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url

    def drop(match: re.Match[str]) -> str:
        key, _, value = match.group(0)[1:].partition("=")
        return "" if _is_session(key, value) else match.group(0)

    path = _PATH_PARAM.sub(drop, parts.path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _is_session(k, v)]
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    if path == parts.path and query == parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def trap_reason(url: str, *, max_length: int, max_params: int, max_repeats: int) -> str | None:
    """Why `url` is refused outright, or None."""
    if len(url) > max_length:
        return "url_too_long"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "unparsable_url"
    if len(parse_qsl(parts.query, keep_blank_values=True)) > max_params:
        return "too_many_params"
    segments = [s for s in parts.path.split("/") if s]
    if segments and max(segments.count(s) for s in set(segments)) > max_repeats:
        return "repeated_segments"
    return None


def url_pattern(url: str) -> str:
    """The shape of a URL: host, path with numbers blanked, and the names of its parameters."""
    parts = urlsplit(url)
    keys = sorted({_DIGITS.sub("N", k.lower()) for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{parts.netloc.lower()}{_DIGITS.sub('N', parts.path)}?{'&'.join(keys)}"


def is_calendar(url: str) -> bool:
    parts = urlsplit(url)
    if any(k.lower() in CALENDAR_KEYS for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    return any(_CALENDAR_SEGMENT.fullmatch(s) for s in parts.path.split("/"))


class TrapGuardMiddleware:
    """Downloader middleware refusing trap URLs before they are fetched.

    Below the offsite and robots middlewares' numbers, so a refusal costs no robots.txt
    fetch; redirects come back through it, so a redirect into a trap is caught too.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.max_length = settings.getint("ARCHIVE_TRAPS_MAX_URL_LENGTH")
        self.max_params = settings.getint("ARCHIVE_TRAPS_MAX_QUERY_PARAMS")
        self.max_repeats = settings.getint("ARCHIVE_TRAPS_MAX_SEGMENT_REPEATS")
        self.calendar_pages = settings.getint("ARCHIVE_TRAPS_CALENDAR_PAGES")
        self.query_pages = settings.getint("ARCHIVE_TRAPS_QUERY_PATTERN_PAGES")
        self._seen: dict[str, set[str]] = defaultdict(set)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_TRAPS_ENABLED"):
            raise NotConfigured("ARCHIVE_TRAPS_ENABLED is off")
        return cls(crawler)

    def _refuse(self, reason: str, url: str):
        self.stats.inc_value(f"archive/traps/{reason}")
        raise IgnoreRequest(f"{url}: refused as a crawler trap ({reason.replace('_', ' ')})")

    def process_request(self, request):
        if request.url in request.meta.get("redirect_urls", ()):
            self._refuse("redirect_loop", request.url)
        if request.dont_filter:
            return None
        stripped = strip_session_ids(request.url)
        if stripped != request.url:
            self.stats.inc_value("archive/traps/session_id_stripped")
            # Back to the scheduler: the duplicate filter drops it if already fetched.
            return request.replace(url=stripped)
        reason = trap_reason(request.url, max_length=self.max_length, max_params=self.max_params,
                             max_repeats=self.max_repeats)
        if reason:
            self._refuse(reason, request.url)
        self._bound_pattern(request.url)
        return None

    def _bound_pattern(self, url: str) -> None:
        calendar = is_calendar(url)
        limit = self.calendar_pages if calendar else self.query_pages
        if not limit or not (calendar or urlsplit(url).query):
            return
        seen = self._seen[url_pattern(url)]
        if url not in seen and len(seen) >= limit:
            self._refuse("calendar_pages" if calendar else "pattern_pages", url)
        seen.add(url)
