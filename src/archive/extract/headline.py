"""Finding the headline among a page's lines when the markup does not say which it is."""

from __future__ import annotations

import re

from .dates import DATE_PATTERN
from .dates import has_date as has_date_in
from .labels import find_labels
from .lines import is_info_line, squash
from .titles import clean_title

TITLE_SEARCH_LINES = 15


# category tags and rows of bracketed links: [随笔], [查看目录] [加入书签]
BRACKETED_TAG = re.compile(r"(?:\s*[\[【][^\]】]*[\]】])+\s*")


_MENU_LINE = re.compile(r"^(?:[\u4e00-\u9fff]{1,4}\s+){4,}[\u4e00-\u9fff]{1,4}$")


def title_is_doubtful(origin: str | None, title: str | None, title_index: int | None, body_start: int) -> bool:
    if title is None or title_index is None or len(squash(title)) < 4:
        return True
    if origin == "heading":
        # a heading that matches <title> is trusted unless it sits below the text
        return title_index >= body_start
    # a part of <title> may be the site's or blog's name printed anywhere on the page
    return not 0 < body_start - title_index <= TITLE_SEARCH_LINES


def title_above_text(
    doc_lines: list[str], squashed_doc: list[str], body_start: int, links: set[str], parts: list[str]
) -> tuple[str | None, int] | None:
    """The headline among the lines right above the text: a part of <title>, else a heading-like line."""
    window = range(body_start - 1, max(-1, body_start - TITLE_SEARCH_LINES), -1)
    squashed_parts = {squash(part) for part in parts if len(squash(part)) >= 4}
    for index in window:
        if squashed_doc[index] in squashed_parts:
            return clean_title(doc_lines[index]), index
    for index in list(window)[:8]:
        line = doc_lines[index]
        if heading_like(line, links):
            return clean_title(line), index
        dated = _dated_headline(line, links)
        if dated is not None:
            return clean_title(dated), index
    return None


# Outlets print their name before the date of a story: "示例晚报 2005-06-14".
_OUTLET_BEFORE_DATE = re.compile(r"(?:网|报|社|台|新闻|客户端|杂志|周刊|频道|在线)$")


_DATED_HEADLINE_CHARS = 6


def untagged(title: str | None, first_line: str) -> str | None:
    """'[湖湘文化]陈天华《警世钟》' over a text that opens with '陈天华《警世钟》': the tag is the category."""
    if title is None:
        return None
    match = BRACKETED_TAG.match(title)
    if match and match.end() < len(title) and squash(title[match.end() :]) == squash(first_line):
        return clean_title(title[match.end() :])
    return title


_POSTING_VERB = re.compile(r"(?:发表于|发布于|发表|发布|更新|张贴|于|@)$")


def carries_date(line: str, title: str | None) -> bool:
    return bool(title) and squash(line) != squash(title or "") and has_date_in(line)


def _dated_headline(line: str, links: set[str]) -> str | None:
    """The headline of a line that ends with its own time: "湘菜粤菜 兵分两路 (图) 2005-06-14 03:25:55".

    Blog and forum templates print a post's time in the headline's row; what comes before
    the date must still look like a headline, not like an outlet or a labelled credit.
    """
    dates = list(DATE_PATTERN.finditer(line))
    if len(dates) != 1 or line[dates[0].end() :].strip(" ()（）[]【】"):
        return None
    head = line[: dates[0].start()].rstrip(" |｜丨-—:：")
    squashed = squash(head)
    if len(squashed) < _DATED_HEADLINE_CHARS or _OUTLET_BEFORE_DATE.search(squashed) or find_labels(head):
        return None
    if _POSTING_VERB.search(squashed):
        # "张三 发表于 2005-9-15": the poster's line, not a headline
        return None
    return head if heading_like(head, links) else None


def heading_like(line: str, links: set[str]) -> bool:
    squashed = squash(line)
    return (
        4 <= len(squashed) <= 80
        and squashed not in links
        and not is_info_line(line)
        and not line.endswith(("。", "：", ":", "，", "；"))
        # a dash opens the subtitle under a headline
        and not line.startswith(("—", "--", "－", "|"))
        # menus and breadcrumbs
        and len(re.findall(r"[|｜>»│]", line)) < 2
        # a row of bracketed links: [查看目录] [加入书签]
        and not BRACKETED_TAG.fullmatch(line)
        # a row of menu words: "控制面板 发表文章 文章编辑 评论管理 更新资料"
        and not _MENU_LINE.match(line)
    )


def title_in_body(body_lines: list[str], links: set[str], shown_above: set[str] | None = None) -> int | None:
    """Index of a headline the body extractor kept as the text's first line.

    A kicker may open the text above the headline: when the next line is headline-shaped
    too and is the one printed above the text as well, that one is the headline.
    """
    for index, line in enumerate(body_lines[:3]):
        if is_info_line(line) or BRACKETED_TAG.fullmatch(line):
            continue
        headline = _headline_shaped(line, links)
        # a headline has text under it
        if headline and len(body_lines) > index + 2:
            following = body_lines[index + 1]
            # a headline may ask or exclaim: "谁来…？"
            asked = following.rstrip("？！?!")
            if shown_above and _headline_shaped(asked, links) and squash(following) in shown_above:
                return index + 1 if len(body_lines) > index + 3 else index
            return index
        return None
    return None


def _headline_shaped(line: str, links: set[str]) -> bool:
    return len(squash(line)) <= 40 and heading_like(line, links) and not re.search(r"[，。；！？]", line)
