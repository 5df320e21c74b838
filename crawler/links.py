"""The links of a parsed page, found cheaply, and which of them page through a list.

Runs in the extraction workers, on the tree extraction parses anyway: the crawler's
reactor receives the page's links on the site's own domains, as plain strings. Scrapy's
LinkExtractor builds a Link object with its text for every anchor and runs several
filters on each; here an anchor costs a join and a few string checks, and its text is
read only for addresses that look like another page of the same list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from w3lib.url import safe_url_string

# An address made only of characters a URL may hold as they are (and %XX escapes) is
# what safe_url_string would return unchanged; checking that is far cheaper than it. Any
# port a URL may have (1-65535, no leading zero): local and test servers sit on 5-digit ones.
_SAFE_URL = re.compile(r"https?://[a-z0-9.\-]+(?::(?:[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d\d|655[0-2]\d|6553[0-5]))?/(?:[A-Za-z0-9\-._~:/?@!$&()*+,;=]|%[0-9A-Fa-f]{2})*(?<!\?)\Z")
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#", "data:", "about:")
SKIP_EXTENSIONS = ("css", "js", "jpg", "jpeg", "png", "gif", "svg", "ico", "webp", "mp3", "mp4", "avi",
                   "flv", "swf", "woff", "woff2", "ttf", "exe", "apk", "dmg", "iso")
_SKIPPED = frozenset(f".{ext}" for ext in SKIP_EXTENSIONS)
_DIGITS = re.compile(r"\d+")
# What urljoin leaves as it is: plain URL characters, no dot segments (/./, /../, a
# leading ./), no doubled slashes past the scheme, no ; parameters, no fragment.
_PLAIN = r"(?!\.)(?!.*//)(?!.*/\.\.?(?:/|\?|\Z))[A-Za-z0-9\-._~/%=&+,:@!$*()]*"
_PLAIN_PATH = re.compile(rf"/{_PLAIN}\Z")
_PLAIN_HREF = re.compile(rf"{_PLAIN}(?:\?[A-Za-z0-9\-._~/%=&+,:@!$*()?]+)?\Z")
_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.\-]+(?::\d+)?(?=/|\Z)")
_PAGER_TEXT = re.compile(
    r"^\s*(?:\d{1,4}|下一?页|上一?页|尾页|末页|首页|后页|前页|next|prev(?:ious)?|last|[<>«»›‹]+)\s*[>»›]*\s*$", re.I)


@dataclass
class PageLinks:
    """A page's links, as they travel from a worker to the crawler: plain lists pickle fast."""

    urls: list[str] = field(default_factory=list)
    # those of `urls` leading to another page of the list this page belongs to (2.htm, 下一页)
    pagers: set[str] = field(default_factory=set)


def page_links(url: str, root: etree._Element, charset: str,
               skip_extensions: Iterable[str] | None = None) -> PageLinks:
    """Distinct http(s) links of the <a> and <area> elements of the page at `url`, resolved
    against its base URL, without fragments and without the file types in
    `skip_extensions` (images, scripts, media: SKIP_EXTENSIONS by default).

    `charset` is what the page was decoded from: the query part of a link is escaped in it.
    """
    skipped = _SKIPPED if skip_extensions is None else {f".{ext.lower()}" for ext in skip_extensions}
    declared = root.find("head/base[@href]")
    base = urljoin(url, declared.get("href").strip()) if declared is not None else url
    join = _Joiner(base)
    here = urlsplit(url).path
    here_shape = _DIGITS.sub("", here)
    seen: set[str] = set()
    links = PageLinks()
    for element in root.iter("a", "area"):
        href = (element.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_PAGES):
            continue
        link = join(href).split("#", 1)[0]
        if link in seen:
            continue
        if _SAFE_URL.match(link):
            # http(s), a host, then the path from the first slash on
            path = link[link.index("/", link.index("//") + 2):].split("?", 1)[0]
        else:
            link = safe_url_string(link, encoding=charset)
            parts = urlsplit(link)
            if parts.scheme not in ("http", "https") or link in seen:
                continue
            path = parts.path
        name = path.rsplit("/", 1)[-1].lower()
        if "." in name and name[name.rindex("."):] in skipped:
            continue
        seen.add(link)
        # the address is checked first: reading an anchor's text costs more
        links.urls.append(link)
        if _paged_address(here, here_shape, path) and _PAGER_TEXT.match(_text(element)):
            links.pagers.add(link)
    return links


class SiteDomains:
    """Which addresses are on a site: on one of its domains or a host below one.

    Every link of every page is asked about and a site's links name few hosts, so the
    verdict is remembered by the address's host part.
    """

    def __init__(self, domains: Iterable[str]) -> None:
        self.domains = tuple(domain.lower() for domain in domains)
        self._verdicts: dict[str, bool] = {}

    def __contains__(self, url: str) -> bool:
        netloc = url.split("/", 3)[2] if url.startswith(("http://", "https://")) else None
        verdict = self._verdicts.get(netloc) if netloc is not None else None
        if verdict is None:
            try:
                host = (urlsplit(url).hostname or "").lower()
            except ValueError:  # an address no request could be made for
                return False
            verdict = any(host == domain or host.endswith("." + domain) for domain in self.domains)
            if netloc is not None and len(self._verdicts) < 10_000:
                self._verdicts[netloc] = verdict
        return verdict

    def links_of(self, links: PageLinks) -> PageLinks:
        """The links of `links` on the site."""
        urls = [url for url in links.urls if url in self]
        return PageLinks(urls, {url for url in links.pagers if url in self})


class _Joiner:
    """urljoin against one base URL, with shortcuts for the plain hrefs most links are.

    An absolute or root-relative href, or a relative one below the base's directory,
    made of plain URL characters with no dot segments or doubled slashes, joins by
    concatenation to what urljoin gives; anything else goes to urljoin.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        plain_base = parts.scheme in ("http", "https") and parts.netloc and _PLAIN_PATH.match(parts.path or "/")
        self.origin = f"{parts.scheme}://{parts.netloc}" if plain_base else None
        path = parts.path or "/"
        self.directory = path[: path.rfind("/") + 1]

    def __call__(self, href: str) -> str:
        if self.origin is not None and href:
            absolute = _ABSOLUTE.match(href)
            if absolute:
                if _PLAIN_HREF.match(href, absolute.end()):
                    return href
            elif href.startswith("/"):
                if not href.startswith("//") and _PLAIN_HREF.match(href, 1):
                    return self.origin + href
            elif not href.startswith("?") and ":" not in href.split("/", 1)[0] and _PLAIN_HREF.match(href):
                return self.origin + self.directory + href
        return urljoin(self.base, href)


def _text(element: etree._Element) -> str:
    return " ".join(element.xpath("string()").split())


def _paged_address(here: str, here_shape: str, there: str) -> bool:
    """Whether the path `there` reads like another page of the list at path `here`
    (`here_shape` is `here` without its digits). The text must say so too: e-paper 版面
    links such as node_2.htm look like pages of node_1.htm but lead to other content."""
    if here_shape == _DIGITS.sub("", there):
        return here != there
    stem = here.rsplit(".", 1)[0]
    return len(stem) > 1 and there.startswith(stem) and bool(re.search(r"\d", there[len(stem):]))
