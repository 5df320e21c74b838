"""Bylines written into the article text rather than labelled in the page header."""

from __future__ import annotations

import re

from .dates import DATE_PATTERN, has_date, strip_dates
from .label_words import WIDGET_WORDS

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
_MARKED = re.compile(
    r"^(?:[□■◎●○]\s*|文\s*[/／|｜丨]\s*(?:图\s*)?)"
    r"(?:\S{0,12}?(?:记者|评论员|通讯员|撰稿人)\s*)?(" + _NAMES + r")(?:\s|$)"
)
# 新京报记者 彭冲 山东冠县报道 / （记者 张三）
_REPORTED = re.compile(r"^[(（]?\S{0,10}?(?:记者|通讯员|实习生)\s*(" + _NAMES + r")(?:\s+\S{0,10}报道)?[)）]?$")
# （松花江网编辑 孙桂芳）: an editor's credit closing the text
EDITOR_CREDIT = re.compile(r"^[(（\[【]\S{0,10}?(?:责任编辑|责编|编辑)\s*[:：]?\s*(" + _NAMES + r")[)）\]】]$")
# …部署。（通讯员 王小明 李华） closing the last paragraph
_TRAILING_CREDIT = re.compile(
    r"[(（]\s*((?:(?:通讯员|记者|实习生|文|图)\s*[:：/]?\s*)?"
    + _NAMES
    + r"(?:\s*(?:通讯员|记者|实习生)\s*"
    + _NAMES
    + r")*)(?P<filed>\s+\S{0,8}报道)?\s*[)）]\s*$"
)
# …不可能被人为割裂。（张三）: a commentary signed in brackets after its last sentence
_SIGNED_LAST_SENTENCE = re.compile(r"[。！？”]\s*[(（]\s*([\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{1,6})?)\s*[)）]\s*$")
_NOT_SIGNATURE = re.compile(r"待续|未完|完|节选|摘编|删节|编译|整理|供图|摄|图|译|注|据|见|详|附|略|同上|下同|上同")
_ROLE = re.compile(r"通讯员|记者|实习生")
_NOT_NAMES = re.compile(r"本报|记者|通讯员|新华社|编辑|日电|摄影|图片|来源")
# "（张三 江城报道）": the place a report was filed from closes the credit
_FILED_END = re.compile(r"\s\S{1,8}报道$")
_HEAD_REACH = 6


def _head_bylines(lines: list[str]) -> str | None:
    """Staff bylines stacked on lines of their own near the top ("本报记者 张三" / "本报实习生 李四").

    Reprinted newspaper stories carry one line per role under their headline; every
    consecutive one counts.
    """
    found: list[str] = []
    for line in lines[:_HEAD_REACH]:
        line = line.strip()
        match = _REPORTED.match(line) if len(line) < 40 and not EDITOR_CREDIT.match(line) else None
        names = _names(match.group(1)) if match else None
        if names:
            found.append(names)
        elif found:
            break
    return " ".join(dict.fromkeys(" ".join(found).split())) if len(found) >= 2 else None


# Single words that head a text on a line of their own and are nobody's name.
_HEADING_WORD = re.compile(
    r"^(?:摘要|提要|内容提要|导读|导语|前言|引言|序言|序|编者按|按语|正文|目录|附件|通知|公告|说明|背景|简介|"
    r"概述|小结|结语|后记|附录|一|二|三|上|下|中|全文|原文|译文|注释|图片|视频|音频)$"
)
_LONE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{1,6})?$")
_TEXT_LINE = 12


def _lone_name_line(lines: list[str]) -> str | None:
    """An essay signed on the line under its headline: a bare name opening the text.

    Essay archives and magazine reprints print the writer's name alone above the first
    paragraph (or above a dash subtitle); the name must be followed by real text.
    """
    if len(lines) < 3:
        return None
    first = lines[0].strip()
    if not _LONE_NAME.match(first) or _HEADING_WORD.match(first) or _NOT_NAMES.search(first):
        return None
    following = [line.strip() for line in lines[1:3]]
    if any(line == first for line in following):
        return None
    if not any(len(line) >= _TEXT_LINE for line in following):
        return None
    return first


def _names(text: str) -> str | None:
    text = re.sub(r"\s+\S{0,8}报道$", "", text)
    names = [name for name in re.split(r"[\s、,，]+", text) if name]
    names = [name for name in names if not _NOT_NAMES.search(name)]
    return " ".join(names) if names else None


def inline_authors(lines: list[str]) -> str | None:
    """Authors from a dateline, a bracketed or marked byline at the start or end of the text."""
    # an outlet's name may stand on a line of its own above the dateline
    opening = [line.strip() for line in lines[:2] if line.strip()]
    first = next((line for line in opening if _DATELINE.match(line)), opening[0] if opening else "")
    match = _DATELINE.match(first)
    if match:
        names = [_names(found) for found in _ROLE_NAMES.findall(match.group(1))]
        joined = " ".join(name for name in names if name)
        if joined:
            return joined
    head = _head_bylines(lines)
    if head:
        return head
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
            filed = match.group("filed") or _FILED_END.search(match.group(1))
            if found and (_ROLE.search(match.group(1)) or len(found.split()) >= 2 or filed):
                return found
        signed = _SIGNED_LAST_SENTENCE.search(lines[-1].strip())
        if signed and len(lines[-1]) >= 40:
            found = _names(signed.group(1))
            if found and not _OUTLET_END.search(found) and not _NOT_SIGNATURE.search(found):
                return found
    return _lone_name_line(lines)


# "2004年7月16日08:19 [ 张三 ]": portals of the 2000s put the writer in brackets after the time
_BRACKET_TOOL = re.compile(
    r"评论|打印|关闭|收藏|分享|字号|字体|组图|图片|视频|专题|原创|转载|推荐|查看|进入|返回|论坛|博客|滚动|纠错|大中小"
)
_BRACKETED_AFTER_DATE = re.compile(r"^\s*[\[【]\s*(" + _NAMES + r")\s*[\]】]")


def header_byline(lines: list[str]) -> str | None:
    """A byline printed between the headline and the text without a label: 文丨…, □张三."""
    for line in lines[:4]:
        date = DATE_PATTERN.search(line)
        after = _BRACKETED_AFTER_DATE.match(line[date.end() :]) if date else None
        found = _names(after.group(1)) if after else None
        if found and not _BRACKET_TOOL.search(found):
            return found
    for line in lines[:4]:
        line = line.strip()
        if len(line) >= 40 or EDITOR_CREDIT.match(line):
            continue
        for pattern in (_MARKED, _REPORTED, _BRACKETED):
            match = pattern.match(line)
            found = _names(match.group(1)) if match else None
            if found:
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


_EDITOR_REACH = 8


def editor_credit(lines: list[str]) -> str | None:
    """An editor's bracketed credit closing the text: at the end of the tail zone or at its top."""
    for line in list(reversed(lines[-3:])) + lines[:_EDITOR_REACH]:
        match = EDITOR_CREDIT.match(line.strip())
        if match:
            return _names(match.group(1))
    return None


_AFTER_DATE = re.compile(
    r"^\s*(?:[·|｜丨/]\s*)?《?([\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9·\-]{1,15}?)》?(?=\s|$|[|｜丨]|(?:作者|来源|责任编辑|记者|编辑)\s*[:：])"
)
_NOT_OUTLET = re.compile(
    r"^(?:来自|发布|更新|星期|周[一二三四五六日]|来源|作者|记者|编辑|责任|字号|字体|点击|阅读|浏览|分享|打印|评论|收藏|举报|http|www)",
    re.I,
)


# a kicker, the headline and stacked bylines may come before the dateline
_OUTLET_REACH = 6


def outlet_after_date(lines: list[str]) -> str | None:
    """'2024-05-10 00:26 每日经济新闻': portals print the outlet right after the time."""
    for line in lines[:_OUTLET_REACH]:
        match = DATE_PATTERN.search(line)
        if not match:
            continue
        found = _AFTER_DATE.match(line[match.end() :])
        if found and not _NOT_OUTLET.match(found.group(1)):
            return found.group(1)
        return None
    return None


# "(Example Daily) 11:35, November 23, 2022": portals for foreign readers put the outlet in
# brackets before the time
_BRACKETED_BEFORE_DATE = re.compile(r"^\s*[(（]\s*([^()（）]{2,40}?)\s*[)）]\s*(?P<rest>.*)$")
_LATIN_OUTLET = re.compile(r"^[A-Z][A-Za-z0-9'’.&\- ]{1,39}$")


def outlet_before_date(lines: list[str]) -> str | None:
    """The outlet in brackets that opens the dateline, as English editions of portals print it."""
    for line in lines[:4]:
        match = _BRACKETED_BEFORE_DATE.match(line)
        if not match or not has_date(match.group("rest")) or strip_dates(match.group("rest")).strip(" ,|"):
            continue
        name = match.group(1).strip()
        if _LATIN_OUTLET.match(name) or _OUTLET_END.search(name) and not _ROLE.search(name):
            return name
    return None


# "ggjjzhzz 发表于 2005-9-15 11:46", "张三 于 2024-05-06 15:47:53 发布": blog and forum posts
_POSTED_BY = re.compile(
    r"^\s*(?P<name>[^\s:：|｜\[\]【】]{2,24})\s+(?:发表于|发布于|于)\s*(?=(?:19|20)\d{2}|\d{1,2}/\d{1,2}/)"
)
# "由张三张贴 @ 2005-06-14 03:25": blog footers of the 2000s sign the post under its text
_POSTED_VIA = re.compile(
    r"^\s*由\s*(?P<name>[^\s:：|｜\[\]【】@]{2,24}?)\s*(?:张贴|发表|发布|贴出)\s*(?:@|于)?\s*(?=(?:19|20)\d{2})"
)
_NOT_POSTER = re.compile(r"推荐|相关|最新|文章|本文|评论|回复|更新")


def posted_by(lines: list[str]) -> str | None:
    """The account a blog or forum post is signed by, from its "… 发表于 <date>" line."""
    for line in lines:
        match = _POSTED_BY.match(line) or _POSTED_VIA.match(line)
        if match and not _NOT_POSTER.search(match.group("name")):
            return match.group("name")
    return None


# Outlets name themselves with one of these endings: 新京报, 中国新闻网, 央视新闻客户端.
_OUTLET_END = re.compile(
    r"(?:网|报|社|台|新闻|日报|晚报|周刊|杂志|客户端|新媒体|频道|电视台|广播|传媒|观察|时报|在线|APP|App)$"
)
_CHROME_WORD = re.compile(
    r"^(?:\+?关注|已关注|播报文章|举报|分享|收藏|评论|打印|原创|置顶|热门|推荐|返回|首页|正文|更多|登录)$|点击|阅读|更多|下载"
    # section furniture under the headline: 热点栏目, 精彩专题, 财经频道
    r"|(?:栏目|专题|频道|导航|排行|要闻|热点|推荐)$|" + WIDGET_WORDS
)
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def bare_credits(lines: list[str], links: set[str]) -> dict[str, str]:
    """Source or author printed as a bare line under the headline, as platforms print accounts.

    An outlet's name ends like one (…网, …报, …客户端); an account is followed by a
    follow button; a bare two-to-four character name is the author.
    """
    found: dict[str, str] = {}
    window = lines[:4]
    for index, line in enumerate(window):
        line = line.strip()
        squashed = re.sub(r"\s+", "", line)
        if not 2 <= len(squashed) <= 16 or _CHROME_WORD.search(squashed) or re.search(r"[，。：:；！？|｜\d]", line):
            continue
        following = re.sub(r"\s+", "", window[index + 1]) if index + 1 < len(window) else ""
        if _OUTLET_END.search(squashed) and " " not in line:
            found.setdefault("source", line)
        elif re.match(r"^\+?关注", following) or _HAN_NAME.match(squashed) and squashed not in links:
            found.setdefault("author", line)
    return found


# "——《北京之春》1998年3月号", "转自《北京科技报》": the publication a reprint comes from
_CITATION = re.compile(
    r"^(?:[—\-－]{1,2}\s*)?(?:转自|摘自|选自|原载|原载于|刊于|来源于)?\s*《([^《》]{2,20})》"
    r"\s*(?:[(（]?\s*(?:19|20)\d{2}[^)）]{0,20}[)）]?)?$"
)


def cited_source(lines: list[str]) -> str | None:
    """The publication named on a line of its own at the end of a reprinted text."""
    for line in reversed(lines[-3:]):
        match = _CITATION.match(line.strip())
        if match:
            return match.group(1)
    return None
