"""Reading one captured page: tree, headline, metadata zones, body lines."""

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
from . import body as body_rules
from .bylines import EDITOR_CREDIT
from .charset import decode_html_as
from .cleaning import clean_lines, is_boilerplate, join_fragments, strip_trailing_editor, trim_chrome_tail
from .dates import DATE_PATTERN, strip_dates
from .dates import has_date as has_date_in
from .fragments import find_fragments
from .html import looks_binary, parse_html, text_lines
from .kinds import anchor_texts, detect_kind, is_article, page_shape
from .labels import find_labels
from .metadata import clean_title, find_headline, page_title, read_enpproperty, read_meta_tags, title_parts
from .pagination import continuation_urls

logger = logging.getLogger(__name__)

_ATTACHMENT_EXTENSIONS = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|wps|et|dps|ofd|txt|csv|tif|ceb)(?:$|[?#])", re.I
)
_HEADER_ZONE_LINES = 14
_TAIL_ZONE_LINES = 25
_TEXT_LINE_CHARS = 15
_ABOVE_ZONE_LINES = 8
# A line that only carries metadata: a date, labels, or the page's tools.
_INFO_LINE_MAX = 160


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
    family: str | None
    # lines just above the headline: disclosure tables and breadcrumbs of gov portals
    above_lines: list[str] = field(default_factory=list)
    continuation: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    selected: dict[str, list[str]] = field(default_factory=dict)
    links: set[str] = field(default_factory=set)
    all_lines: list[str] = field(default_factory=list)

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


def _find_index(squashed_lines: list[str], needle: str, start: int = 0, exact: bool = False) -> int | None:
    if not needle:
        return None
    for index in range(start, len(squashed_lines)):
        if squashed_lines[index] == needle:
            return index
    if exact:
        return None
    for index in range(start, len(squashed_lines)):
        if needle in squashed_lines[index] and len(squashed_lines[index]) < len(needle) * 2 + 20:
            return index
    # a headline broken over two lines (<br> between main title and its second half)
    for index in range(start, len(squashed_lines) - 1):
        if squashed_lines[index] + squashed_lines[index + 1] == needle:
            return index + 1
    return None


def _attachments(scope: lxml_html.HtmlElement, url: str) -> list[Attachment]:
    found: list[Attachment] = []
    seen: set[str] = set()
    for anchor in scope.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or not _ATTACHMENT_EXTENSIONS.search(href):
            continue
        absolute = urljoin(url, href)
        if absolute in seen:
            continue
        seen.add(absolute)
        title = re.sub(r"\s+", " ", anchor.text_content()).strip() or anchor.get("title") or None
        found.append(Attachment(title=title, url=absolute))
    return found


def _is_info_line(line: str) -> bool:
    if len(line) > _INFO_LINE_MAX:
        return False
    if EDITOR_CREDIT.match(line):
        return True
    if is_boilerplate(line):
        return True
    labels = find_labels(line)
    if labels and (len(labels) >= 2 or len(line) < 60):
        # a photo caption credits its photographer: "…发表演讲。新华社记者 张三 摄"
        return not (re.search(r"[，。；！？]", line) or line.endswith("摄"))
    stripped = strip_dates(line).strip(" \t|｜丨:：-,()（）")
    return has_date_in(line) and len(stripped) <= 12


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

    title_origin: str | None = "given"
    if selected.get("title"):
        title: str | None = " ".join(selected["title"])
    elif enp.get("title"):
        title = enp["title"]
    else:
        title, title_origin = find_headline(root, meta)
    title_is_given = title_origin in ("given", "meta")
    title = clean_title(title)

    body_element = root.find("body")
    doc_lines = text_lines(body_element if body_element is not None else root)
    squashed_doc = [_squash(line) for line in doc_lines]
    title_index = _find_index(squashed_doc, _squash(title or ""))
    links = anchor_texts(root)
    if title_index is None and not title_is_given:
        # the guessed headline is not on the page: try the other parts of <title>
        for part in title_parts(page_title(root)):
            index = _find_index(squashed_doc, _squash(part))
            if index is not None and len(_squash(part)) >= 4:
                title, title_index = clean_title(part), index
                break

    container = None
    family = None
    if "body" in selectors and selected.get("body") is not None:
        raw_body = selected.get("body", [])
        family = "selector"
    else:
        found = body_rules.find_container(root)
        pieces = find_fragments(root) if found is None else None
        if found is not None:
            family, container = found
            raw_body = text_lines(container)
        elif pieces is not None:
            family = "fragments"
            container, raw_body = pieces
        else:
            raw_body = []
    scope = container if container is not None else root
    attachments = _attachments(scope, page.url)
    continuation = continuation_urls(root, page.url)
    if family is None:
        raw_body = body_rules.trafilatura_lines(root, page.url)

    body_lines, removed_head, removed_tail = _trim_body(raw_body, title)
    if family is None and _drop_link_run(body_lines, links):
        removed_head.extend(_pop_info_head(body_lines, _squash(title or "")))
    first_body = _squash(body_lines[0])[:20] if body_lines else ""
    start = title_index + 1 if title_index is not None else 0
    body_start = _find_prefix(squashed_doc, first_body, start)
    if title_index is not None and body_start is not None and body_start - title_index > _TITLE_SEARCH_LINES:
        # the headline also shows in share boxes and menus: the copy above the text counts
        # a copy is the headline on a line of its own, not a value such as "Blog名:标题"
        nearer = _find_index(squashed_doc, _squash(title or ""), body_start - _TITLE_SEARCH_LINES, exact=True)
        if nearer is not None and nearer < body_start:
            title_index = nearer
    doubtful = body_start is not None and _title_is_doubtful(title_origin, title, title_index, body_start)
    if body_start is not None and doubtful and not title_is_given:
        # the guessed headline is not the one printed above the text: the body extractor may
        # have kept the real one as the text's first line, or it sits right above the text
        above_text = doc_lines[max(0, body_start - _TITLE_SEARCH_LINES) : body_start]
        shown_above = {_squash(clean_title(line) or "") for line in above_text}
        in_body = _title_in_body(body_lines, links, shown_above)
        if in_body is not None:
            title = clean_title(body_lines[in_body])
            title_index = _find_prefix(squashed_doc, _squash(body_lines[in_body]), body_start)
            removed_head.extend(body_lines[: in_body + 1])
            del body_lines[: in_body + 1]
            # the bylines and the date under a headline kept in the text
            removed_head.extend(_pop_info_head(body_lines))
            first_body = _squash(body_lines[0])[:20] if body_lines else ""
            body_start = _find_prefix(squashed_doc, first_body, title_index or 0)
            if title_index is not None:
                # a fuller headline right above ("作者：标题" over "标题") is the one shown first
                for index in range(title_index - 1, max(-1, title_index - 4), -1):
                    squashed = squashed_doc[index]
                    if _squash(title or "") in squashed and _heading_like(doc_lines[index], links):
                        # a category tag before the headline ("[随笔]标题") is no part of it
                        tagged = _squash(_BRACKETED_TAG.sub("", doc_lines[index], count=1)) == _squash(title or "")
                        title = title if tagged else clean_title(doc_lines[index])
                        title_index = index
                        break
        else:
            found_title = _title_above_text(doc_lines, squashed_doc, body_start, links, title_parts(page_title(root)))
            if found_title is not None and body_lines:
                found_title = (_untagged(found_title[0], body_lines[0]), found_title[1])
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
    if title_index is not None and _carries_date(doc_lines[title_index], title):
        # the headline's own row holds the time of the post
        header_lines.insert(0, doc_lines[title_index])
    header_lines = removed_head + header_lines
    above_lines = doc_lines[max(0, title_index - _ABOVE_ZONE_LINES) : title_index] if title_index else []
    tail_lines = list(removed_tail)
    if body_lines:
        # credits close the text, often below a share bar or a pager: the zone starts at the
        # last paragraph of real text and reaches well down the page
        last_text = next((line for line in reversed(body_lines) if len(line) >= _TEXT_LINE_CHARS), body_lines[-1])
        body_end = _find_prefix(squashed_doc, _squash(last_text)[:20], body_start or 0)
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
        family=family,
        above_lines=above_lines,
        continuation=continuation,
        attachments=attachments,
        selected=selected,
        links=links,
        all_lines=doc_lines,
    )


_TITLE_SEARCH_LINES = 15
# category tags and rows of bracketed links: [随笔], [查看目录] [加入书签]
_BRACKETED_TAG = re.compile(r"(?:\s*[\[【][^\]】]*[\]】])+\s*")
_MENU_LINE = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}\s+){4,}[\u4e00-\u9fff]{1,4}$")


def _title_is_doubtful(origin: str | None, title: str | None, title_index: int | None, body_start: int) -> bool:
    if title is None or title_index is None or len(_squash(title)) < 4:
        return True
    if origin == "heading":
        # a heading that matches <title> is trusted unless it sits below the text
        return title_index >= body_start
    # a part of <title> may be the site's or blog's name printed anywhere on the page
    return not 0 < body_start - title_index <= _TITLE_SEARCH_LINES


def _title_above_text(
    doc_lines: list[str], squashed_doc: list[str], body_start: int, links: set[str], parts: list[str]
) -> tuple[str | None, int] | None:
    """The headline among the lines right above the text: a part of <title>, else a heading-like line."""
    window = range(body_start - 1, max(-1, body_start - _TITLE_SEARCH_LINES), -1)
    squashed_parts = {_squash(part) for part in parts if len(_squash(part)) >= 4}
    for index in window:
        if squashed_doc[index] in squashed_parts:
            return clean_title(doc_lines[index]), index
    for index in list(window)[:8]:
        line = doc_lines[index]
        if _heading_like(line, links):
            return clean_title(line), index
        dated = _dated_headline(line, links)
        if dated is not None:
            return clean_title(dated), index
    return None


# Outlets print their name before the date of a story: "示例晚报 2005-06-14".
_OUTLET_BEFORE_DATE = re.compile(r"(?:网|报|社|台|新闻|客户端|杂志|周刊|频道|在线)$")
_DATED_HEADLINE_CHARS = 6


def _untagged(title: str | None, first_line: str) -> str | None:
    """'[湖湘文化]陈天华《警世钟》' over a text that opens with '陈天华《警世钟》': the tag is the category."""
    if title is None:
        return None
    match = _BRACKETED_TAG.match(title)
    if match and match.end() < len(title) and _squash(title[match.end() :]) == _squash(first_line):
        return clean_title(title[match.end() :])
    return title


_POSTING_VERB = re.compile(r"(?:发表于|发布于|发表|发布|更新|张贴|于|@)$")


def _carries_date(line: str, title: str | None) -> bool:
    return bool(title) and _squash(line) != _squash(title or "") and has_date_in(line)


def _dated_headline(line: str, links: set[str]) -> str | None:
    """The headline of a line that ends with its own time: "湘菜粤菜 兵分两路 (图) 2005-06-14 03:25:55".

    Blog and forum templates print a post's time in the headline's row; what comes before
    the date must still look like a headline, not like an outlet or a labelled credit.
    """
    dates = list(DATE_PATTERN.finditer(line))
    if len(dates) != 1 or line[dates[0].end() :].strip(" ()（）[]【】"):
        return None
    head = line[: dates[0].start()].rstrip(" |｜丨-—:：")
    squashed = _squash(head)
    if len(squashed) < _DATED_HEADLINE_CHARS or _OUTLET_BEFORE_DATE.search(squashed) or find_labels(head):
        return None
    if _POSTING_VERB.search(squashed):
        # "张三 发表于 2005-9-15": the poster's line, not a headline
        return None
    return head if _heading_like(head, links) else None


def _heading_like(line: str, links: set[str]) -> bool:
    squashed = _squash(line)
    return (
        4 <= len(squashed) <= 80
        and squashed not in links
        and not _is_info_line(line)
        and not line.endswith(("。", "：", ":", "，", "；"))
        # a dash opens the subtitle under a headline
        and not line.startswith(("—", "--", "－", "|"))
        # menus and breadcrumbs
        and len(re.findall(r"[|｜>»│]", line)) < 2
        # a row of bracketed links: [查看目录] [加入书签]
        and not _BRACKETED_TAG.fullmatch(line)
        # a row of menu words: "控制面板 发表文章 文章编辑 评论管理 更新资料"
        and not _MENU_LINE.match(line)
    )


def _title_in_body(body_lines: list[str], links: set[str], shown_above: set[str] | None = None) -> int | None:
    """Index of a headline the body extractor kept as the text's first line.

    A kicker may open the text above the headline: when the next line is headline-shaped
    too and is the one printed above the text as well, that one is the headline.
    """
    for index, line in enumerate(body_lines[:3]):
        if _is_info_line(line) or _BRACKETED_TAG.fullmatch(line):
            continue
        headline = _headline_shaped(line, links)
        # a headline has text under it
        if headline and len(body_lines) > index + 2:
            following = body_lines[index + 1]
            # a headline may ask or exclaim: "谁来…？"
            asked = following.rstrip("？！?!")
            if shown_above and _headline_shaped(asked, links) and _squash(following) in shown_above:
                return index + 1 if len(body_lines) > index + 3 else index
            return index
        return None
    return None


def _headline_shaped(line: str, links: set[str]) -> bool:
    return len(_squash(line)) <= 40 and _heading_like(line, links) and not re.search(r"[，。；！？]", line)


def _find_prefix(squashed_lines: list[str], prefix: str, start: int) -> int | None:
    if not prefix:
        return None
    for index in range(start, len(squashed_lines)):
        if squashed_lines[index].startswith(prefix):
            return index
    for index in range(0, min(start, len(squashed_lines))):
        if squashed_lines[index].startswith(prefix):
            return index
    return None


_HEAD_INFO_LINES = 8
_LINK_RUN_MIN = 5
_LINK_LINE_CHARS = 50
_LINK_PREFIX_MIN = 4


def _starts_with_link(line: str, links: set[str]) -> bool:
    squashed = _squash(line)
    return any(squashed[:end] in links for end in range(len(squashed), _LINK_PREFIX_MIN - 1, -1))


def _drop_link_run(lines: list[str], links: set[str]) -> bool:
    """Drop a blogroll or link list that opens the text: short lines led by links, then text.

    Old blog templates print their link lists in the same column as the post, and a body
    extractor keeps them above the headline. Two lines in three must open with a link.
    """
    end = 0
    linked = 0
    while end < len(lines) and len(lines[end]) <= _LINK_LINE_CHARS and not re.search(r"[。！？]", lines[end]):
        linked += _starts_with_link(lines[end], links)
        end += 1
    if end == len(lines):
        # no text follows: the links are the page
        return False
    # the last short line may be the headline of the text that follows
    run = end - 1
    if run < _LINK_RUN_MIN or linked * 3 < run * 2:
        return False
    del lines[:run]
    return True


def _pop_info_head(lines: list[str], squashed_title: str = "") -> list[str]:
    """Take the headline copy and the info lines (bylines, dates) off the top of the text."""
    head: list[str] = []
    while lines and len(head) < _HEAD_INFO_LINES:
        line = lines[0]
        if squashed_title and _squash(line) == squashed_title or _is_info_line(line):
            head.append(lines.pop(0))
            continue
        break
    return head


def _trim_body(lines: list[str], title: str | None) -> tuple[list[str], list[str], list[str]]:
    """Body without headline, info lines and editor tails; the cut lines are returned too."""
    # chrome lines that carry a credit (责任编辑：…) leave the text but not the record
    credits = [line for line in lines if len(line) <= _INFO_LINE_MAX and is_boilerplate(line) and find_labels(line)]
    lines = trim_chrome_tail(clean_lines(lines))
    lines = join_fragments(lines)
    head: list[str] = []
    tail: list[str] = []
    squashed_title = _squash(title or "")
    head = _pop_info_head(lines, squashed_title)
    while lines and len(tail) < 6 and _is_info_line(lines[-1]):
        tail.insert(0, lines.pop())
    tail.extend(credits)
    if lines:
        last, editor = strip_trailing_editor(lines[-1])
        if editor:
            tail.insert(0, f"责任编辑：{editor}")
            if last:
                lines[-1] = last
            else:
                lines.pop()
    return lines, head, tail
