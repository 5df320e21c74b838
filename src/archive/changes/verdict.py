"""What one check of an archived article found: live, gone, unreachable or unknown.

A check gives a verdict and its reason. Gone is what a takedown looks like: 404, 410 or
451; a redirect to the home page, a list page or an error page; a page answered with 200
that shows a "page not found / deleted" template (页面不存在, 该信息已删除, 您访问的页面找
不到, …). Unreachable is what says nothing about the article: a challenge page (a
JavaScript cookie check, a slider, a WAF's interstitial), a 5xx, 403 or 429, a timeout,
a lost connection. Unknown is an answer that is neither: a page with no article on it, a
redirect elsewhere. Only gone ever leads to a removal (archive.changes.status).

Pages are judged on their bytes, undecoded: each phrase is looked for in UTF-8 and in
GBK, the two encodings Chinese official sites use, so no page is decoded twice.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from archive.records import ArticleRecord, FetchedPage

LIVE = "live"
GONE = "gone"
UNREACHABLE = "unreachable"
UNKNOWN = "unknown"
VERDICTS = (LIVE, GONE, UNREACHABLE, UNKNOWN)


@dataclass(frozen=True)
class Verdict:
    kind: str
    reason: str


LIVE_PAGE = Verdict(LIVE, "the article")

# What "not found" and "deleted" templates say. Looked for in a short text only: an
# article may well mention a deleted page.
NOT_FOUND_PHRASES = (
    "页面不存在", "网页不存在", "访问的页面不存在", "信息不存在", "文章不存在", "内容不存在", "稿件不存在",
    "页面找不到", "您访问的页面找不到", "找不到页面", "找不到该页面", "页面未找到", "未找到页面", "页面丢失",
    "已删除", "已被删除", "已撤稿", "已撤销发布", "已撤回", "已下线", "已过期", "页面已失效", "链接已失效",
    "404 not found", "page not found", "not found", "页面無法找到", "頁面不存在", "已刪除",
)
# A title this long, or a text this long, is an article that may mention such a phrase.
NOT_FOUND_MAX_TITLE = 30
NOT_FOUND_MAX_TEXT = 300
# A page without an article is read for them when its words (menus and footer included)
# take no more bytes than this: about 2,000 Chinese characters.
NOT_FOUND_MAX_PAGE_BYTES = 6000

# Markers of challenge pages: anti-bot cookie scripts (加速乐 __jsl_clearance, 瑞数 $_ts,
# Cloudflare, 云锁, Aliyun's acw_sc__v2), captchas and WAF interstitials.
CHALLENGE_MARKERS = (
    "__jsl_clearance", "cf-browser-verification", "cf_chl_", "/cdn-cgi/challenge-platform", "just a moment...",
    "checking your browser", "yunsuo_session_verify", "acw_sc__v2", "$_ts=", "$_ts[", "g-recaptcha",
    "h-captcha", "geetest", "ddos-guard", "safedog", "安全验证", "人机验证", "滑动验证", "访问验证", "请完成验证",
    "安全检测", "浏览器安全检查", "网站防火墙", "云锁", "安全狗", "请开启javascript", "请启用javascript",
    "访问过于频繁", "请求过于频繁",
)
# A page with more article text than this is the article, whatever script it carries
# (瑞数 puts its script in every page it lets through).
CHALLENGE_MAX_TEXT = 200

GONE_STATUSES = {404: "HTTP 404", 410: "HTTP 410", 451: "HTTP 451 (unavailable for legal reasons)"}
# Answers about the client or the server, never about the article.
UNREACHABLE_STATUSES = frozenset({401, 403, 407, 408, 412, 418, 425, 429, 499})

_SCRIPTS = re.compile(rb"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(rb"<[^>]*>")
_HOME_FILES = re.compile(r"(?:^|/)(?:index|default|main|home)\.(?:s?html?|jsp|php|aspx?)$", re.IGNORECASE)
_ERROR_PATH = re.compile(r"404|not[-_]?found|notexist|error|nopage|deleted", re.IGNORECASE)
_CHECK_PATH = re.compile(r"captcha|verify|waf|challenge|security|login", re.IGNORECASE)


def _encoded(phrases: Sequence[str]) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    encoded = []
    for phrase in phrases:
        forms = {phrase.encode("utf-8")}
        with contextlib.suppress(UnicodeEncodeError):  # a traditional form GBK lacks
            forms.add(phrase.encode("gbk"))
        encoded.append((phrase, tuple(forms)))
    return tuple(encoded)


_NOT_FOUND_BYTES = _encoded(NOT_FOUND_PHRASES)
_CHALLENGE_BYTES = _encoded(CHALLENGE_MARKERS)


def status_verdict(status: int) -> Verdict:
    """The verdict of an answer other than 200 and a redirect."""
    if status in GONE_STATUSES:
        return Verdict(GONE, GONE_STATUSES[status])
    if status >= 500 or status in UNREACHABLE_STATUSES:
        return Verdict(UNREACHABLE, f"HTTP {status}")
    return Verdict(UNKNOWN, f"HTTP {status}")


def redirect_verdict(url: str, status: int, location: str | None, *, home_urls: Sequence[str] = (),
                     is_list: Callable[[str], bool] | None = None) -> Verdict:
    """A redirect answered for an article: gone when it leads to the home page, a list or
    an error page; unreachable when it leads to a check (captcha, login); else unknown."""
    if not location:
        return Verdict(UNKNOWN, f"HTTP {status} without a Location")
    target = urljoin(url, location.strip())
    try:
        path = urlsplit(target).path
    except ValueError:
        return Verdict(UNKNOWN, f"HTTP {status} to an unreadable Location")
    if _same_page(url, target):
        return Verdict(UNKNOWN, f"redirect to {target}")
    if path in ("", "/") or path.endswith("/") or _HOME_FILES.search(path) or target in home_urls:
        return Verdict(GONE, f"redirect to the home or a list page ({target})")
    if is_list is not None and is_list(target):
        return Verdict(GONE, f"redirect to a list page ({target})")
    if _ERROR_PATH.search(path):
        return Verdict(GONE, f"redirect to an error page ({target})")
    if _CHECK_PATH.search(path):
        return Verdict(UNREACHABLE, f"redirect to a check page ({target})")
    return Verdict(UNKNOWN, f"redirect to {target}")


def _same_page(url: str, target: str) -> bool:
    """The same page under another scheme, or with a slash more or less."""
    try:
        a, b = urlsplit(url), urlsplit(target)
    except ValueError:
        return False
    return ((a.hostname or "").lower(), a.path.rstrip("/"), a.query) == \
        ((b.hostname or "").lower(), b.path.rstrip("/"), b.query)


def page_verdict(page: FetchedPage, record: ArticleRecord | None) -> Verdict:
    """The verdict of a page answered with 200, and its record as extraction made it."""
    text = record.text or "" if record is not None else ""
    if len(text) < CHALLENGE_MAX_TEXT and (marker := _found(page.body.lower(), _CHALLENGE_BYTES)):
        return Verdict(UNREACHABLE, f"a challenge page ({marker})")
    phrase = not_found_phrase(page, record)
    if phrase is not None:
        return Verdict(GONE, f"a page saying {phrase}")
    if record is None or not (record.text or record.title):
        return Verdict(UNKNOWN, "no article on the page")
    return LIVE_PAGE


def not_found_phrase(page: FetchedPage, record: ArticleRecord | None) -> str | None:
    """The "not found" phrase a page shows in place of an article, if it shows one."""
    if record is not None and (record.text or record.title):
        title, text = record.title or "", record.text or ""
        shown = [title.lower()] if len(title) <= NOT_FOUND_MAX_TITLE else []
        if len(text) <= NOT_FOUND_MAX_TEXT:
            shown.append(text.lower())
        for phrase in NOT_FOUND_PHRASES:
            if any(phrase in part for part in shown):
                return phrase
        return None
    # No article: the page's own words, without its scripts and styles (a site's scripts
    # may carry such phrases on every page).
    body = _SCRIPTS.sub(b" ", page.body)
    title = _TITLE.search(body)
    if title is not None and (phrase := _found(title.group(1).lower(), _NOT_FOUND_BYTES)):
        return phrase
    words = _TAGS.sub(b" ", body)
    if len(b"".join(words.split())) > NOT_FOUND_MAX_PAGE_BYTES:
        return None
    return _found(words.lower(), _NOT_FOUND_BYTES)


def _found(haystack: bytes, needles: tuple[tuple[str, tuple[bytes, ...]], ...]) -> str | None:
    for phrase, forms in needles:
        if any(form in haystack for form in forms):
            return phrase
    return None
