"""Trimming a body's lines: the headline copy, bylines, dates and link lists around the text."""

from __future__ import annotations

import re

from .cleaning import clean_lines, is_boilerplate, join_fragments, strip_trailing_editor, trim_chrome_tail
from .labels import find_labels
from .lines import INFO_LINE_MAX, is_info_line, squash

_HEAD_INFO_LINES = 8
# the date a notice is signed with (落款) closes its text: 2022年1月27日, 二〇二二年一月二十七日
_SIGNED_DATE = re.compile(
    r"(?:(?:19|20)\d{2}|[〇一二三四五六七八九○零]{4})年[\d一二三四五六七八九十]{1,2}月[\d一二三四五六七八九十]{1,3}日"
)


def pop_info_head(lines: list[str], squashed_title: str = "") -> list[str]:
    """Take the headline copy and the info lines (bylines, dates) off the top of the text."""
    head: list[str] = []
    while lines and len(head) < _HEAD_INFO_LINES:
        line = lines[0]
        if squashed_title and squash(line) == squashed_title or is_info_line(line):
            head.append(lines.pop(0))
            continue
        break
    return head


def trim_body(lines: list[str], title: str | None) -> tuple[list[str], list[str], list[str]]:
    """Body without headline, info lines and editor tails; the cut lines are returned too."""
    # chrome lines that carry a credit (责任编辑：…) leave the text but not the record
    credits = [line for line in lines if len(line) <= INFO_LINE_MAX and is_boilerplate(line) and find_labels(line)]
    lines = trim_chrome_tail(clean_lines(lines))
    lines = join_fragments(lines)
    head: list[str] = []
    tail: list[str] = []
    squashed_title = squash(title or "")
    head = pop_info_head(lines, squashed_title)
    while lines and len(tail) < 6 and is_info_line(lines[-1]) and not _SIGNED_DATE.fullmatch(lines[-1].strip()):
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
