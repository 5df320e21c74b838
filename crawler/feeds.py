"""What RSS, Atom and sitemap files name: the pages they list, newest first.

Feeds and sitemaps come from the open web: entities are never expanded and DTDs never
fetched (a DOCTYPE is dropped before parsing, so the rest of the file can still be read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree

_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
# Elements that hold one listed page each, and those that date it.
_ENTRIES = {"url", "sitemap", "item", "entry"}
_DATES = ("lastmod", "pubDate", "updated", "published", "date")
_UNDATED = datetime.min.replace(tzinfo=UTC)


@dataclass
class IndexFile:
    """The pages a feed or sitemap lists (newest first), and the sitemaps a sitemap index names."""

    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    doctype_removed: bool = False


def read_index(body: bytes, base_url: str) -> IndexFile | None:
    """The links of a feed or sitemap; None when it is not XML at all."""
    cleaned, removed = _DOCTYPE.subn(b"", body, count=1)
    try:
        root = etree.fromstring(cleaned, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return None
    dated: list[tuple[datetime, int, str]] = []
    seen: set[str] = set()
    for position, (url, when) in enumerate(_entries(root, base_url)):
        if url not in seen:
            seen.add(url)
            dated.append((when or _UNDATED, -position, url))
    # Newest first; undated entries keep the file's own order after the dated ones.
    newest_first = [url for _, _, url in sorted(dated, reverse=True)]
    found = IndexFile(doctype_removed=bool(removed))
    if _local(root) == "sitemapindex":
        found.sitemaps = newest_first
    else:
        found.pages = newest_first
    return found


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _entries(root, base_url: str):
    """(url, date or None) of every entry; a file without entries gives its bare links."""
    entries = [element for element in root.iter() if _local(element) in _ENTRIES]
    if not entries:
        for element in root.iter():
            url = _link_of(element, base_url)
            if url:
                yield url, None
        return
    for entry in entries:
        url = next(filter(None, (_link_of(element, base_url) for element in entry.iter())), None)
        if url:
            yield url, _date(entry)


def _link_of(element, base_url: str) -> str | None:
    """The URL an element gives: a sitemap <loc>, an RSS <link>url</link>, an Atom <link href>."""
    name = _local(element)
    if name == "loc":
        return (element.text or "").strip() or None
    # Atom entries may link to several things; the page itself is the alternate link.
    if name == "link" and element.get("rel") in (None, "alternate"):
        value = (element.get("href") or element.text or "").strip()
        return urljoin(base_url, value) if value else None
    return None


def _date(entry) -> datetime | None:
    for element in entry.iter():
        if _local(element) in _DATES and element.text:
            return _parse_date(element.text.strip())
    return None


def _parse_date(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
