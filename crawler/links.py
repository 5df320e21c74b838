"""The links of a page, found cheaply.

Scrapy's LinkExtractor builds a Link object with its text for every anchor and runs
several filters on each; on article pages with hundreds of links that was the largest
cost of the crawler process. Here an anchor costs a join and a few string checks, and
its text is read only when someone asks for it (the pagination check, for pager-like
addresses only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_base_url
from w3lib.url import safe_url_string

# An address made only of characters a URL may hold as they are (and %XX escapes) is
# what safe_url_string would return unchanged; checking that is far cheaper than it.
_SAFE_URL = re.compile(r"https?://[a-z0-9.\-]+(?::[1-9]\d{0,3})?/(?:[A-Za-z0-9\-._~:/?@!$&()*+,;=]|%[0-9A-Fa-f]{2})*(?<!\?)\Z")
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#", "data:", "about:")


class PageLink:
    __slots__ = ("url", "_element", "__dict__")

    def __init__(self, url: str, element: etree._Element) -> None:
        self.url = url
        self._element = element

    @cached_property
    def text(self) -> str:
        return " ".join(self._element.xpath("string()").split())


def page_links(response: HtmlResponse, skip_extensions: Iterable[str],
               root: etree._Element | None = None, charset: str | None = None) -> list[PageLink]:
    """Distinct http(s) links of <a> and <area> elements, resolved against the page's base
    URL, without fragments and without the file types in `skip_extensions`.

    `root` is the page already parsed and `charset` what it was decoded from (the query
    part of a link is escaped in it); Scrapy's own parse and charset otherwise."""
    skipped = {f".{ext.lower()}" for ext in skip_extensions}
    if root is None:
        root, base, encoding = response.selector.root, get_base_url(response), response.encoding
    else:
        # from the tree: get_base_url would decode the whole body again, Scrapy's way
        declared = root.find("head/base[@href]")
        base = urljoin(response.url, declared.get("href").strip()) if declared is not None else response.url
        encoding = charset or "utf-8"
    seen: set[str] = set()
    links = []
    for element in root.iter("a", "area"):
        href = (element.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_PAGES):
            continue
        url = urljoin(base, href).split("#", 1)[0]
        if not _SAFE_URL.match(url):
            url = safe_url_string(url, encoding=encoding)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or url in seen:
            continue
        name = parts.path.rsplit("/", 1)[-1].lower()
        if "." in name and name[name.rindex("."):] in skipped:
            continue
        seen.add(url)
        links.append(PageLink(url, element))
    return links
