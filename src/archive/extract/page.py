"""Reading one captured page: its tree, headline, metadata zones and body lines."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from ..records import Attachment, ExtractionRules, FetchedPage
from .agreement import Candidate, Choice
from .attachment_links import is_attachment_link, labelled_attachment
from .candidates import engine_candidates, family_candidates, trimmed
from .charset import decode_html_as
from .dates import has_date as has_date_in
from .headline import (
    BRACKETED_TAG,
    TITLE_SEARCH_LINES,
    carries_date,
    heading_like,
    title_above_text,
    title_in_body,
    title_is_doubtful,
    untagged,
)
from .html import looks_binary, parse_html, text_lines
from .kinds import LinkItems, anchor_texts, detect_kind, is_article, page_shape
from .labels import find_labels
from .lines import find_index, find_prefix, squash
from .metadata import read_enpproperty, read_meta_tags
from .pagination import continuation_urls
from .placement import Placement
from .titles import clean_title, find_headline, names_of_site, page_title, title_parts
from .trimming import pop_info_head

logger = logging.getLogger(__name__)


_HEADER_ZONE_LINES = 14


_TAIL_ZONE_LINES = 25


_TEXT_LINE_CHARS = 15


_ABOVE_ZONE_LINES = 8


@dataclass
class ParsedPage:
    page: FetchedPage
    document: str
    root: lxml_html.HtmlElement
    meta: dict[str, str]
    enp: dict[str, str]
    kind: str
    title: str | None
    body_lines: list[str]
    header_lines: list[str]
    tail_lines: list[str]
    # the candidate the body was taken from, and why it is doubted ("ok": it is not)
    engine: str
    quality: str
    # lines just above the headline: disclosure tables and breadcrumbs of gov portals
    above_lines: list[str] = field(default_factory=list)
    continuation: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    selected: dict[str, list[str]] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)
    all_lines: list[str] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    # inline scripts, whose data may name the publication time
    scripts: list[str] = field(default_factory=list)

    @property
    def fetched_at(self) -> datetime:
        return self.page.fetched_at

    def looks_like_article(self) -> bool:
        labels = any(find_labels(line) for line in self.header_lines[:6])
        has_date = any(has_date_in(line) for line in self.header_lines[:6]) or bool(self.enp.get("date"))
        shape = page_shape(
            self.root,
            self.body_lines,
            self.links,
            has_headline=bool(self.title),
            has_date=has_date,
            has_labels=labels,
        )
        return is_article(self.page.url, self.page.status, self.title, shape)


def _select(root: lxml_html.HtmlElement, selector: str) -> list[str]:
    try:
        is_xpath = selector.startswith("xpath:")
        found = root.xpath(selector.removeprefix("xpath:")) if is_xpath else root.cssselect(selector)
    except (etree.XPathError, ValueError, SyntaxError) as error:
        logger.warning("unusable selector %r: %s", selector, error)
        return []
    if not isinstance(found, list):
        found = [found]
    values: list[str] = []
    for item in found:
        if isinstance(item, etree._Element):
            values.extend(text_lines(item))
        elif str(item).strip():
            values.append(str(item).strip())
    return values


def _attachments(scope: lxml_html.HtmlElement, root: lxml_html.HtmlElement, url: str) -> list[Attachment]:
    """The documents the article links: within its text, and under a 附件 label anywhere
    on the page (campus CMSs list them below the text's container)."""
    found: list[Attachment] = []
    seen: set[str] = set()
    inside = list(scope.iter("a"))
    within = set(inside)
    labelled = [a for a in root.iter("a") if a not in within and labelled_attachment(a)] if scope is not root else []
    for anchor in [*inside, *labelled]:
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")) \
                or not is_attachment_link(href, anchor.text_content()):
            continue
        absolute = urljoin(url, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        title = re.sub(r"\s+", " ", anchor.text_content()).strip() or anchor.get("title") or None
        found.append(Attachment(title=title, url=absolute))
    return found


class PageTree(NamedTuple):
    """A page parsed as extraction parses it: its tree (None for an empty, binary or
    unparseable body), the charset it was decoded from, and the decoded text."""

    root: lxml_html.HtmlElement | None
    charset: str
    text: str


def page_tree(page: FetchedPage) -> PageTree:
    """Decode (charset decided on the whole body) and parse (markup repaired) a page."""
    document, charset = decode_html_as(page.body, page.headers)
    if not document or looks_binary(document):
        return PageTree(None, charset, document)
    return PageTree(parse_html(document), charset, document)


def read_page(page: FetchedPage, rules: ExtractionRules, tree: PageTree | None = None) -> ParsedPage | None:
    """Parse one capture; None when it holds no parseable markup.

    `tree` is the page already decoded and parsed by page_tree; reading changes it.
    """
    if not page.body:
        return None
    tree = tree or page_tree(page)
    document, root = tree.text, tree.root
    if root is None:
        return None
    selectors = rules.selectors or {}
    selected = {name: _select(root, selector) for name, selector in selectors.items() if selector}
    meta = read_meta_tags(root)
    enp = read_enpproperty(document)
    kind = detect_kind(page.url, document, meta, rules.kind)

    links = anchor_texts(root)
    names = names_of_site(meta, links)
    title_origin: str | None = "given"
    if selected.get("title"):
        title: str | None = " ".join(selected["title"])
    elif enp.get("title"):
        title = enp["title"]
    else:
        title, title_origin = find_headline(root, meta, names)
    title_is_given = title_origin in ("given", "meta")
    title = clean_title(title)

    body_element = root.find("body")
    doc_lines = text_lines(body_element if body_element is not None else root)
    squashed_doc = [squash(line) for line in doc_lines]
    title_index = find_index(squashed_doc, squash(title or ""))
    if title_index is None and not title_is_given:
        # the guessed headline is not on the page: try the other parts of <title>
        for part in title_parts(page_title(root), names):
            index = find_index(squashed_doc, squash(part))
            if index is not None and len(squash(part)) >= 4:
                title, title_index = clean_title(part), index
                break

    choice = Choice(LinkItems(links), Placement(squashed_doc, title_index))
    if "body" in selectors and selected.get("body") is not None:
        choice.add(trimmed("selector", selected.get("body", []), title, root))
    else:
        for candidate in family_candidates(root, title):
            choice.add(candidate)
        if not choice.settled():
            first, later = engine_candidates(root, page.url, title)
            choice.add(first)
            if not choice.settled():
                choice.add(later())
    chosen, quality = choice.choose()
    scope = chosen.container if chosen.container is not None else root
    attachments = _attachments(scope, root, page.url)
    continuation = continuation_urls(root, page.url)
    body_lines, removed_head, removed_tail = list(chosen.lines), list(chosen.head), list(chosen.tail)
    first_body = squash(body_lines[0])[:20] if body_lines else ""
    start = title_index + 1 if title_index is not None else 0
    body_start = find_prefix(squashed_doc, first_body, start)
    if title_index is not None and body_start is not None and body_start - title_index > TITLE_SEARCH_LINES:
        # the headline also shows in share boxes and menus: the copy above the text counts
        # a copy is the headline on a line of its own, not a value such as "Blog名:标题"
        nearer = find_index(squashed_doc, squash(title or ""), body_start - TITLE_SEARCH_LINES, exact=True)
        if nearer is not None and nearer < body_start:
            title_index = nearer
    doubtful = body_start is not None and title_is_doubtful(title_origin, title, title_index, body_start)
    if body_start is not None and doubtful and not title_is_given:
        # the guessed headline is not the one printed above the text: the body extractor may
        # have kept the real one as the text's first line, or it sits right above the text
        above_text = doc_lines[max(0, body_start - TITLE_SEARCH_LINES) : body_start]
        shown_above = {squash(clean_title(line) or "") for line in above_text}
        in_body = title_in_body(body_lines, links, shown_above)
        if in_body is not None:
            title = clean_title(body_lines[in_body])
            title_index = find_prefix(squashed_doc, squash(body_lines[in_body]), body_start)
            removed_head.extend(body_lines[: in_body + 1])
            del body_lines[: in_body + 1]
            # the bylines and the date under a headline kept in the text
            removed_head.extend(pop_info_head(body_lines))
            first_body = squash(body_lines[0])[:20] if body_lines else ""
            body_start = find_prefix(squashed_doc, first_body, title_index or 0)
            if title_index is not None:
                # a fuller headline right above ("作者：标题" over "标题") is the one shown first
                for index in range(title_index - 1, max(-1, title_index - 4), -1):
                    squashed = squashed_doc[index]
                    if squash(title or "") in squashed and heading_like(doc_lines[index], links):
                        # a category tag before the headline ("[随笔]标题") is no part of it
                        tagged = squash(BRACKETED_TAG.sub("", doc_lines[index], count=1)) == squash(title or "")
                        title = title if tagged else clean_title(doc_lines[index])
                        title_index = index
                        break
        else:
            parts = title_parts(page_title(root), names)
            found_title = title_above_text(doc_lines, squashed_doc, body_start, links, parts)
            if found_title is not None and body_lines:
                found_title = (untagged(found_title[0], body_lines[0]), found_title[1])
            if found_title is not None:
                title, title_index = found_title
    if title_index is not None:
        header_end = (
            body_start if body_start is not None and body_start > title_index else title_index + 1 + _HEADER_ZONE_LINES
        )
        header_lines = doc_lines[title_index + 1 : min(header_end, title_index + 1 + _HEADER_ZONE_LINES)]
    elif body_start is not None:
        header_lines = doc_lines[max(0, body_start - _HEADER_ZONE_LINES) : body_start]
    else:
        header_lines = []
    if title_index is not None and carries_date(doc_lines[title_index], title):
        # the headline's own row holds the time of the post
        header_lines.insert(0, doc_lines[title_index])
    header_lines = removed_head + header_lines
    above_lines = doc_lines[max(0, title_index - _ABOVE_ZONE_LINES) : title_index] if title_index else []
    tail_lines = list(removed_tail)
    if body_lines:
        # credits close the text, often below a share bar or a pager: the zone starts at the
        # last paragraph of real text and reaches well down the page
        last_text = next((line for line in reversed(body_lines) if len(line) >= _TEXT_LINE_CHARS), body_lines[-1])
        body_end = find_prefix(squashed_doc, squash(last_text)[:20], body_start or 0)
        if body_end is not None:
            tail_lines += doc_lines[body_end + 1 : body_end + 1 + _TAIL_ZONE_LINES]
    return ParsedPage(
        page=page,
        document=document,
        root=root,
        meta=meta,
        enp=enp,
        kind=kind,
        title=title,
        body_lines=body_lines,
        header_lines=header_lines,
        tail_lines=tail_lines,
        engine=chosen.engine,
        quality=quality,
        candidates=choice.candidates,
        above_lines=above_lines,
        continuation=continuation,
        attachments=attachments,
        selected=selected,
        links=links,
        all_lines=doc_lines,
        scripts=[script.text for script in root.iter("script") if script.text and not script.get("src")],
    )
