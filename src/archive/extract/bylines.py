"""Bylines written into the article text rather than labelled in the page header."""

from __future__ import annotations

import re

from .dates import DATE_PATTERN

_NAME = r"[\u4e00-\u9fff·]{2,5}"
_NAMES = _NAME + r"(?:[\s、,，]+" + _NAME + r")*"
# 本报讯（记者 张三 李四 通讯员 王五）/ 新华社北京5月1日电（记者张三）
_DATELINE = re.compile(
    r"^.{0,30}?(?:讯|电|报道)\s*[(（]\s*((?:(?:本报|本台|新华社|特约|实习|见习)?(?:记者|通讯员|实习生)\s*"
    + _NAMES
    + r"\s*)+)[)）]"
)
_ROLE_NAMES = re.compile(r"(?:记者|通讯员|实习生)\s*(" + _NAMES + ")")
# a whole line of names in brackets: （张三 李四）
_BRACKETED = re.compile(r"^[(（]\s*(" + _NAMES + r")\s*[)）]$")
# □郭洪申 侯东博 / ■张三 / 文/张三 / 文|张三
_MARKED = re.compile(r"^(?:[□■◎●○]\s*|文\s*[/／|｜]\s*(?:图\s*)?)(" + _NAMES + r")(?:\s|$)")
# 新京报记者 彭冲 山东冠县报道 / （记者 张三）
_REPORTED = re.compile(r"^[(（]?\S{0,10}?(?:记者|通讯员)\s*(" + _NAMES + r")(?:\s+\S{0,10}报道)?[)）]?$")
# （松花江网编辑 孙桂芳）: an editor's credit closing the text
EDITOR_CREDIT = re.compile(r"^[(（\[【]\S{0,10}?(?:责任编辑|责编|编辑)\s*[:：]?\s*(" + _NAMES + r")[)）\]】]$")
# …部署。（通讯员 王小明 李华） closing the last paragraph
_TRAILING_CREDIT = re.compile(
    r"[(（]\s*((?:(?:通讯员|记者|实习生|文|图)\s*[:：/]?\s*)?"
    + _NAMES
    + r"(?:\s*(?:通讯员|记者|实习生)\s*"
    + _NAMES
    + r")*)\s*[)）]\s*$"
)
_ROLE = re.compile(r"通讯员|记者|实习生")
_NOT_NAMES = re.compile(r"本报|记者|通讯员|新华社|编辑|日电|摄影|图片|来源")


def _names(text: str) -> str | None:
    names = [name for name in re.split(r"[\s、,，]+", text) if name]
    names = [name for name in names if not _NOT_NAMES.search(name)]
    return " ".join(names) if names else None


def inline_authors(lines: list[str]) -> str | None:
    """Authors from a dateline, a bracketed or marked byline at the start or end of the text."""
    first = lines[0].strip() if lines else ""
    match = _DATELINE.match(first)
    if match:
        names = [_names(found) for found in _ROLE_NAMES.findall(match.group(1))]
        joined = " ".join(name for name in names if name)
        if joined:
            return joined
    edges = [line.strip() for line in lines[:3]] + [line.strip() for line in lines[-3:]]
    for line in edges:
        if EDITOR_CREDIT.match(line):
            continue
        for pattern in (_BRACKETED, _MARKED, _REPORTED):
            match = pattern.match(line)
            if match and len(line) < 40:
                found = _names(match.group(1))
                if found:
                    return found
    if lines:
        match = _TRAILING_CREDIT.search(lines[-1].strip())
        if match and not EDITOR_CREDIT.match(match.group(0).strip()):
            found = _names(_ROLE.sub(" ", match.group(1)))
            if found and (_ROLE.search(match.group(1)) or len(found.split()) >= 2):
                return found
    return None


_ORG_SUFFIX = re.compile(
    r"(?:院|部|处|室|办|委|局|厅|署|中心|学院|大学|学校|政府|委员会|办公室|研究所|研究院|协会|学会|集团|公司|支部|党委|团委|工会|小组)$"
)


def signature_unit(lines: list[str]) -> str | None:
    """The issuing unit signed under a notice (落款), above or beside its date."""
    for line in reversed(lines[-3:]):
        line = line.strip()
        if DATE_PATTERN.fullmatch(line) or re.fullmatch(
            r"[〇一二三四五六七八九十○零]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日", line
        ):
            continue
        if 2 < len(line) <= 30 and _ORG_SUFFIX.search(line) and not re.search(r"[，。：:；！？]", line):
            return line
        return None
    return None


def editor_credit(lines: list[str]) -> str | None:
    for line in reversed(lines[-3:]):
        match = EDITOR_CREDIT.match(line.strip())
        if match:
            return _names(match.group(1))
    return None


_AFTER_DATE = re.compile(
    r"^\s*(?:[·|｜丨/]\s*)?《?([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9·\-]{1,15})》?(?=\s|$|[|｜丨])"
)
_NOT_OUTLET = re.compile(
    r"^(?:发布|更新|星期|周[一二三四五六日]|来源|作者|记者|编辑|责任|字号|字体|点击|阅读|浏览|分享|打印|评论|收藏|举报|http|www)",
    re.I,
)


def outlet_after_date(lines: list[str]) -> str | None:
    """'2024-05-10 00:26 每日经济新闻': portals print the outlet right after the time."""
    for line in lines[:4]:
        match = DATE_PATTERN.search(line)
        if not match:
            continue
        found = _AFTER_DATE.match(line[match.end() :])
        if found and not _NOT_OUTLET.match(found.group(1)):
            return found.group(1)
        return None
    return None
