"""Labelled metadata in page text: 来源：… 作者：… 责任编辑：… 浏览量：…"""

from __future__ import annotations

import re

from ..records import MAX_VIEWS
from .label_words import LABELS as _LABELS
from .label_words import WIDGET_WORDS

_LABEL_ALTERNATION = "|".join(re.escape(label) for label in sorted(_LABELS, key=len, reverse=True))
_SEPARATOR = r"\s*[:：]\s*|\s*[/／]\s*(?=[\u4e00-\u9fff])"
LABEL_PATTERN = re.compile(
    r"(?<![\u4e00-\u9fffA-Za-z])(?:本报|本网|本台|特约|实习|见习|首席)?("
    + _LABEL_ALTERNATION
    + r")(?:"
    + _SEPARATOR
    + r")"
)
# Chinese labels may also stand without a colon when a space follows: "记者 张三"
_LOOSE_LABEL = re.compile(
    r"(?:本报|本网|本台|特约|实习|见习|首席)?(记者|通讯员|实习生|责任编辑|责编|作者)\s+(?=[\u4e00-\u9fff])"
    r"|(?:本文)?(来源于)\s*(?=[\u4e00-\u9fffA-Za-z])"
    # the credits closing a self-media post: "编辑 张三 ｜ 排版 李四"
    r"|(?:^|(?<=[|｜丨]))\s*(编辑|排版|美编|校对)\s+(?=[\u4e00-\u9fff])"
    r"|^(By)\s+(?=[A-Z])"
)
_VALUE_END = re.compile(
    r"\s{2,}|[|｜丨【】\[\]()（）<>《》]|\s+(?:(?:19|20)\d{2}[-/.年])|(?:19|20)\d{2}[-/.年]\d|"
    r"\s*(?:" + WIDGET_WORDS + r"|发布时间|发布日期|發佈時間|發佈日期|时间|時間|日期|第\s*\d+\s*页|文本|图片预览)"
    r"|\s+(?:发表评论|我要评论|参与评论|评论\s*\d|更多|大\s+中\s+小)"
)
_CODE_FIELDS = ("index_number", "document_number")
_CODE_END = re.compile(r"\s{2,}|[|｜丨【】\[\]]|\s+(?:打印|关闭|分享|字号|浏览)")
_EMPTY_VALUES = {
    "佚名",
    "未知",
    "匿名",
    "无",
    "暂无",
    "admin",
    "管理员",
    "系统管理员",
    "超级管理员",
    "网站管理员",
    "本站",
    "null",
    "none",
    "-",
    "—",
    "转载",
    "转载文章",
    "网络",
    "互联网",
    "网络转载",
    "综合",
    "不详",
}
_NUMBER = re.compile(r"\d[\d,]*")
_WRAPPED_VALUE = re.compile(r"^\s*[\[【(（]\s*([^\]】)）\[【(（]{1,40}?)\s*[\]】)）]")


# Self-media platforms print the region a post was sent from after its source:
# "来源: 示例晚报 广东 举报". The region is no part of the outlet nor anybody's name.
_REGIONS = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|"
    "云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|海外|美国|日本|英国|加拿大|澳大利亚"
)
_POSTED_FROM = re.compile(r"\s+(?:" + _REGIONS + r")(?:省|市|自治区|特别行政区)?\s*$")


def _trim(value: str) -> str:
    value = value.strip(" \t:：,，;；。.、/|-_—")
    return re.sub(r"\s+", " ", value)


_SPACED_LABEL = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff](?:[ \u3000]+[\u4e00-\u9fff]){1,5})(?=\s*[:：])")


# "新京报作者：新京报": an outlet printed flush against the label that follows it
_LABEL_AFTER_OUTLET = re.compile(r"(?<=[报网社台刊])(?=(?:作者|来源|责任编辑|记者|编辑)\s*[:：])")
_REGION_ONLY = re.compile(r"^(?:来自)?\s*(?:" + _REGIONS + r")(?:省|市|自治区|特别行政区)?$")


# View counts written as a phrase rather than a label: "已被阅读178次", "1,024次浏览",
# and the counters of blog footers: "阅读全文(736) | 回复(0)", "阅读(52)".
_VIEW_PHRASE = re.compile(
    r"(?:已被|被)(?:阅读|浏览|点击|查看|访问)(?:过)?\s*(\d[\d,]*)\s*次"
    r"|(?<![\d,])(\d[\d,]*)\s*次(?:阅读|浏览|点击)"
    r"|(?<![\u4e00-\u9fff])(?:阅读|浏览|点击)(?:全文)?\s*[(（]\s*(\d[\d,]*)\s*[)）]"
)


def _view_phrase(line: str) -> tuple[str, str] | None:
    match = _VIEW_PHRASE.search(line)
    if not match:
        return None
    return "views", next(group for group in match.groups() if group)


def find_labels(line: str) -> list[tuple[str, str]]:
    """(field, value) pairs of the labels on one line, in order."""
    pairs = _label_pairs(line)
    if not any(name == "views" for name, _ in pairs):
        phrase = _view_phrase(line)
        if phrase:
            pairs.append(phrase)
    return pairs


def _joined_label(match: re.Match[str]) -> str:
    """A label spaced out to fill its cell, written together: only a known label is."""
    joined = re.sub(r"[ \u3000]+", "", match.group(1))
    return joined if joined in _LABELS else match.group(0)


def _label_pairs(line: str) -> list[tuple[str, str]]:
    line = _LABEL_AFTER_OUTLET.sub(" ", line)
    # government disclosure tables space out their labels: "发 布 日 期："
    line = _SPACED_LABEL.sub(_joined_label, line)
    matches = list(LABEL_PATTERN.finditer(line))
    for loose in _LOOSE_LABEL.finditer(line):
        if not any(
            match.start() <= loose.start() < match.end() or loose.start() <= match.start() < loose.end()
            for match in matches
        ):
            matches.append(loose)
    matches.sort(key=lambda match: match.start())
    pairs: list[tuple[str, str]] = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(line)
        raw = line[match.end() : stop]
        name = _LABELS[match.group(match.lastindex or 1)]
        if name in ("views", "date", "document_date"):
            pairs.append((name, raw.strip()))
            continue
        if name in _CODE_FIELDS:
            # index and document numbers hold years and brackets: 11220000013544357T/2022-00426
            end = _CODE_END.search(raw)
            pairs.append((name, _trim(raw[: end.start()] if end else raw)))
            continue
        wrapped = _WRAPPED_VALUE.match(raw)
        if wrapped:
            # 来源：[ 国际金融报 ]
            raw = wrapped.group(1)
        end = _VALUE_END.search(raw)
        if end:
            raw = raw[: end.start()]
        if name == "source":
            raw = _POSTED_FROM.sub("", raw)
            if _REGION_ONLY.match(_trim(raw)):
                # "来自内蒙古自治区": the region a post was sent from, not an outlet
                continue
        pairs.append((name, _trim(raw)))
    return pairs


# What follows a name in a credit and is no part of it: the staff code portals append
# (SF099, _NN2587), the place a report was filed from, the photographer's mark.
_NAME_TAIL = re.compile(r"(?:[\s_]*[A-Za-z]{1,4}\d{2,6}|\s+\S{0,10}报道|\s*摄(?:影)?)$")
# Values that are page furniture or markup rather than anybody's name.
_NOT_A_NAME = re.compile(
    r"[=<>\"{}“”「」『』]|^[\d\s.,:/-]+$|^[大中小\s]+$|评论|登录|注册|关注|订阅|更多|文本|http|www\.|" + WIDGET_WORDS,
    re.I,
)


def clean_person_value(value: str | None) -> str | None:
    """Names from a label value; None for placeholders such as 佚名."""
    if value is None:
        return None
    # "赵 培：北京物资学院": the affiliation follows a colon
    value = re.split(r"[:：]", value, maxsplit=1)[0]
    value = re.sub(r"^(?:本报|本网|本台)?(?:记者|通讯员|特约记者|实习生|见习记者)\s*", "", value)
    value = re.sub(r"[,，、;；/|]+", " ", value)
    value = re.sub(r"\s+", " ", value).strip()
    for _ in range(2):
        value = _NAME_TAIL.sub("", value).strip()
    if not value or value.lower() in _EMPTY_VALUES or len(value) > 60 or _NOT_A_NAME.search(value):
        return None
    # a name credited twice ("编辑：张三" and "责任编辑：张三") is one editor
    names = list(dict.fromkeys(value.split(" ")))
    return " ".join(names)


def clean_plain_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip()
    value = re.sub(r"^(?:本文)?来源于?\s*", "", value)
    if not value or value.lower() in _EMPTY_VALUES or len(value) > 60 or re.search(r"[=<>\"{}]", value):
        return None
    return value


def is_placeholder(value: str) -> bool:
    """Whether a label value says nothing (佚名, 转载文章, an empty template slot)."""
    value = value.strip()
    return not value or value.lower() in _EMPTY_VALUES or bool(re.search(r"[=<>\"{}]", value))


def parse_views(value: str) -> int | None:
    match = _NUMBER.search(value)
    if not match:
        return None
    try:
        views = int(match.group(0).replace(",", ""))
    except ValueError:
        return None
    return views if views <= MAX_VIEWS else None


_JOINED_FIELDS = ("author", "editor")
_PERSON_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_OUTLET_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9]{2,16}(?:网|报|社|台|新闻|客户端|杂志|周刊|频道|在线)$")


def labelled_values(lines: list[str]) -> dict[str, str]:
    """Value per field among labelled lines: the first one, or all of them for people."""
    values: dict[str, list[str]] = {}
    for line in lines:
        for name, value in find_labels(line):
            if not value or is_placeholder(value):
                continue
            if name == "source" and " " in value:
                # "来源：中国新闻网 王帆": an outlet followed by the reporter's name
                outlet, _, rest = value.partition(" ")
                if all(_PERSON_NAME.match(token) for token in rest.split()):
                    values.setdefault("author_after_source", []).append(rest)
                    value = outlet
                elif _OUTLET_NAME.match(outlet) and all(_OUTLET_NAME.match(token) for token in rest.split()):
                    # "来源：央视新闻客户端 中国青年网": the origin, then the site that reposted it
                    value = outlet
            bucket = values.setdefault(name, [])
            if value not in bucket:
                bucket.append(value)
    return {name: " ".join(found) if name in _JOINED_FIELDS else found[0] for name, found in values.items()}
