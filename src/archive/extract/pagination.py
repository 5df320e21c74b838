"""Continuation pages of one multi-page article (xxx_2.html, 下一页)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

_EXTENSION = re.compile(r"(\.[A-Za-z]{2,5})$")
_PAGE_SUFFIX = re.compile(r"^(?P<base>.+)[_-](?P<n>\d{1,2})$")
_NEXT_PAGE_TEXT = re.compile(r"^\s*(?:下一页|下页|后一页|next\s*page)\s*[>»›]*\s*$", re.I)
# Cheap test before resolving a link: only numbered siblings and 下一页 links can qualify.
_CANDIDATE_HREF = re.compile(r"[_-]\d{1,2}(?:\.[A-Za-z]{2,5})?(?:[?#]|$)|[?&]\w*page\w*=", re.I)
_LIST_BASES = re.compile(r"/(?:index|default|list|more|node_\d+|search)$", re.I)


def _without_extension(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path
    match = _EXTENSION.search(path)
    ext = match.group(1) if match else ""
    stem = path[: len(path) - len(ext)] if ext else path
    return f"{parts.netloc.lower()}{stem}", ext


def continuation_urls(root: lxml_html.HtmlElement, url: str) -> list[str]:
    """Following pages of the article at url, in page order."""
    own_stem, own_ext = _without_extension(url)
    own_suffix = _PAGE_SUFFIX.match(own_stem)
    first_page_name = own_suffix.group("base").rsplit("/", 1)[-1] + own_ext if own_suffix else None
    links: list[tuple[str, str, str, str]] = []  # absolute, stem, ext, text
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "#", "mailto:")):
            continue
        # Most anchors hold plain text: reading it from the element is far cheaper than
        # text_content(), which most of them would not need at all.
        text = anchor.text_content() if len(anchor) else (anchor.text or "")
        if not (
            _CANDIDATE_HREF.search(href) or _NEXT_PAGE_TEXT.match(text) or (first_page_name and first_page_name in href)
        ):
            continue
        absolute = urljoin(url, href).split("#", 1)[0]
        stem, ext = _without_extension(absolute)
        links.append((absolute, stem, ext, text))
    base, own_number = own_stem, 0
    # A page that is itself xxx_3 has a pager linking back to xxx (page one).
    if own_suffix and any(stem == own_suffix.group("base") and ext == own_ext for _, stem, ext, _ in links):
        base, own_number = own_suffix.group("base"), int(own_suffix.group("n"))
    if _LIST_BASES.search(base):
        return []
    found: dict[int, str] = {}
    next_link = None
    for absolute, stem, ext, text in links:
        if absolute == url:
            continue
        suffix = _PAGE_SUFFIX.match(stem)
        if suffix and suffix.group("base") == base and ext == own_ext:
            number = int(suffix.group("n"))
            if number > own_number:
                found.setdefault(number, absolute)
        elif next_link is None and _NEXT_PAGE_TEXT.match(text) and stem == own_stem and absolute != url:
            next_link = absolute  # same document, paged by query string
    ordered = [found[number] for number in sorted(found)]
    if next_link and next_link not in ordered:
        ordered.append(next_link)
    return ordered
