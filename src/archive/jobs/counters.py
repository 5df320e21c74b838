"""View counters that pages fill in by script from a counter endpoint.

Each CMS family names its counter in the article HTML and answers it in its own
format. We recognise the call, build the read-only variant of the endpoint (several
families count a view on every plain request: archiving must not inflate the numbers),
and read the number from the answer. The counter exchange is archived like any page, so
re-extraction from WARC finds it again by URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archive.records import MAX_VIEWS
from archive.url_patterns import linear_regex


@dataclass(frozen=True)
class CounterCall:
    family: str
    url: str
    # For a site's own counter: the regex whose first group is the count in the answer.
    read_pattern: str | None = None


@dataclass(frozen=True)
class CustomCounter:
    """A counter described in a site config: how to find it, where to ask, how to read it.

    `find` is searched in the article HTML; its groups fill `{1}`, `{2}`, ... of `url`
    (resolved against the article URL); `read` is searched in the answer, group 1 being
    the count.
    """

    find: str
    url: str
    read: str = r"(\d+)"

    def call_for(self, html: str, page_url: str) -> CounterCall | None:
        # A config's pattern runs over every article page: in linear time, or a backtracking
        # one would stall the worker (archive/url_patterns.py).
        match = linear_regex(self.find).search(html)
        if match is None:
            return None
        url = self.url
        for index, value in enumerate(match.groups(), start=1):
            url = url.replace("{" + str(index) + "}", value or "")
        return CounterCall("custom", urljoin(page_url, url), self.read)


def _number(pattern: str, compile: Callable = re.compile) -> Callable[[str], int | None]:
    compiled = compile(pattern)

    def read(answer: str) -> int | None:
        match = compiled.search(answer)
        return int(match.group(1)) if match else None

    return read


def _jeecms(answer: str) -> int | None:
    try:
        values = json.loads(answer)
    except ValueError:
        return None
    if isinstance(values, list) and values and str(values[0]).isdigit():
        return int(values[0])
    return None


def _with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in changes]
    query += [(k, v) for k, v in changes.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


# VSB/博达: <script>_showDynClicks("wbnews", 1234567890, 2345)</script>
_VSB_CALL = re.compile(r"""_showDynClicks\(\s*["'](\w+)["']\s*,\s*(\d+)\s*,\s*(\d+)\s*\)""")
# DedeCMS, PHPCMS, Empire CMS and JEECMS name their counter in a script src.
_SCRIPT_SRC = re.compile(r"""<script[^>]+src\s*=\s*["']([^"']+)["']""", re.I)
_JEECMS_MARK = re.compile(r"content_view\.jspx\?contentId=\d+")

READERS: dict[str, Callable[[str], int | None]] = {
    "vsb": _number(r"^\s*(\d+)\s*$"),
    "dedecms": _number(r"document\.write\(\s*['\"]?\s*(\d+)"),
    # PHPCMS also answers today's/this week's counts; the total is the one for #hits.
    "phpcms": _number(r"#hits['\"]\s*\)\.html\(\s*['\"]?\s*(\d+)"),
    "empire": _number(r"document\.write\(\s*['\"]?\s*(\d+)"),
    "jeecms": _jeecms,
}


def _from_script_src(src: str, page_url: str) -> CounterCall | None:
    url = urljoin(page_url, src.replace("&amp;", "&"))
    path = urlsplit(url).path.lower()
    query = dict(parse_qsl(urlsplit(url).query))
    if path.endswith("/plus/count.php") and "aid" in query:
        # Without view=yes DedeCMS counts a view and answers nothing useful.
        return CounterCall("dedecms", _with_query(url, view="yes"))
    if path.endswith("/api.php") and query.get("op") == "count" and "id" in query:
        return CounterCall("phpcms", url)
    if "/e/public/viewclick" in path and "id" in query:
        # addclick=1 is the incrementing variant.
        return CounterCall("empire", _with_query(url, addclick=None))
    return None


def find_counter(html: str, page_url: str, custom: CustomCounter | None = None) -> CounterCall | None:
    """The read-only counter request an article page makes for its view count, if any.

    A site's own counter description comes first; then the known CMS families.
    """
    if custom is not None:
        call = custom.call_for(html, page_url)
        if call:
            return call
    match = _VSB_CALL.search(html)
    if match:
        kind, owner, item = match.groups()
        url = urljoin(page_url, "/system/resource/code/news/click/dynclicks.jsp")
        return CounterCall("vsb", f"{url}?clickid={item}&owner={owner}&clicktype={kind}")
    for src in _SCRIPT_SRC.findall(html):
        call = _from_script_src(src, page_url)
        if call:
            return call
    address = _jeecms_address(html)
    if address:
        return CounterCall("jeecms", urljoin(page_url, address))
    return None


def _jeecms_address(html: str) -> str | None:
    """The quoted JEECMS counter address in a page, if any.

    Found from its fixed middle outwards: a pattern opening with "any quoted text" tries
    every quote of the page in turn, which cost more than the rest of the crawler's work
    on a page.
    """
    for mark in _JEECMS_MARK.finditer(html):
        opening = max(html.rfind('"', 0, mark.start()), html.rfind("'", 0, mark.start()))
        if opening >= 0 and html[mark.end():mark.end() + 1] in ('"', "'"):
            return html[opening + 1:mark.end()]
    return None


def read_counter(family: str, answer: bytes, read_pattern: str | None = None) -> int | None:
    """The view count in a counter endpoint's answer, or None when it holds none."""
    # A config's pattern is matched in linear time: this runs in the crawl's reactor too.
    reader = _number(read_pattern, linear_regex) if read_pattern else READERS.get(family)
    if reader is None:
        return None
    views = reader(answer.decode("utf-8", "replace")[:2000])
    return views if views is not None and views <= MAX_VIEWS else None
