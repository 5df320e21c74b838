"""Lines of a page's text, compared as extraction compares them: without white space."""

from __future__ import annotations

import re

from .bylines import EDITOR_CREDIT
from .cleaning import is_boilerplate
from .dates import has_date as has_date_in
from .dates import strip_dates
from .labels import find_labels

# A line that only carries metadata: a date, labels, or the page's tools.
INFO_LINE_MAX = 160


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def find_index(squashed_lines: list[str], needle: str, start: int = 0, exact: bool = False) -> int | None:
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


def find_prefix(squashed_lines: list[str], prefix: str, start: int) -> int | None:
    if not prefix:
        return None
    for index in range(start, len(squashed_lines)):
        if squashed_lines[index].startswith(prefix):
            return index
    for index in range(0, min(start, len(squashed_lines))):
        if squashed_lines[index].startswith(prefix):
            return index
    return None


def is_info_line(line: str) -> bool:
    if len(line) > INFO_LINE_MAX:
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
