"""Body text repair: boilerplate lines, conversion damage, stray punctuation."""

from __future__ import annotations

import re

# Whole lines that are page chrome, not article text.
_BOILERPLATE_LINE = re.compile(
    r"^(?:"
    r"【?\s*(?:打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|返回顶部|回到顶部|返回首页|返回列表|收藏本页|加入收藏)\s*】?"
    r"|.{0,6}(?:字号|字体)\s*[:：]?\s*[【\[]?\s*[大中小默认\s|｜]+[】\]]?.*"
    r"|(?:上一篇|下一篇|上一条|下一条|上篇|下篇|前一篇|后一篇)\s*[:：].*"
    r"|(?:上一篇|下一篇|上一条|下一条)"
    r"|分享到\s*[:：]?.{0,40}"
    r"|(?:相关新闻|相关阅读|相关链接|相关文章|延伸阅读|推荐阅读|热点推荐|扫一扫|扫码|微信扫一扫).{0,30}"
    r"|版权(?:声明|所有).*|Copyright.*|©.*|ICP备.*"
    r"|往期(?:阅读|回顾).*|当前版\s*[:：]?.*|标题导航.*|(?:上一版|下一版|上一期|下一期)(?:\s*[|｜]?\s*(?:上一版|下一版|上一期|下一期))*"
    r"|第\s*\d{1,3}\s*版\s*[:：]?\s*\S{0,12}(?:\s+第\s*\d{1,3}\s*版\s*[:：]?\s*\S{0,12})*"
    r"|.{0,20}由会员分享.*|.{0,20}(?:下载|预览)(?:文档|本文档).*|(?:举报|纠错|我要纠错)"
    r"|【?(?:我要)?(?:打印|关闭|纠错|收藏)(?:\s*[】|｜]\s*【?(?:我要)?(?:打印|关闭|纠错|收藏))+】?"
    r"|(?:[上下]一页|首页|尾页|末页)(?:\s*[|｜]?\s*(?:[上下]一页|首页|尾页|末页|\d{1,3}))*"
    r"|\[?(?:责任编辑|责编)\s*[:：][^\]]{0,20}\]?"
    # the controls of an embedded video player: speeds, clock, failure notice, duration
    r"|倍速|-?\s*[0-3](?:\.\d{1,2})?\s*[Xx倍]|\d{1,2}:\d{2}(?::\d{2})?(?:\s*/\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|(?:很抱歉[，,]\s*)?(?:当前)?视频(?:播放失败|加载失败|无法播放).{0,20}|错误代码\s*[:：]\s*[\w.\-]{1,20}"
    r"|时长\s*[:：]\s*\d{1,2}:\d{2}(?::\d{2})?.{0,30}"
    # the close button of a pop-up, the download buttons of a document: 【PDF下载】【Word下载】
    r"|[X×✕✖]|(?:[【\[]?\s*(?:pdf|word|doc|docx|wps|ofd|文档|附件)\s*(?:下载|版)\s*[】\]]?\s*){1,4}"
    r")$",
    re.I,
)
# "(责编：张三)" and similar tails at the end of the last paragraph.
_TRAILING_EDITOR = re.compile(r"\s*[(（\[【]\s*(?:责任编辑|责编|编辑)\s*[:：][^)）\]】]{1,30}[)）\]】]\s*$")

_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"[aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]{1,4}(?:ng|n|r)?[1-5]?"
)
# 數(shù) / 黨(dang): pinyin glossed after a character by a faulty conversion.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fff])\s?[(（](" + _PINYIN_SYLLABLE + r")[)）]")
# ASCII commas left next to full-width punctuation: ",，" ",、" ",。" "，,"
_STRAY_COMMA = re.compile(r",+(?=[，、。；：！？,）」』])|(?<=[，、。；：！？（「『]),+")
_DOUBLED_COMMA = re.compile(r"(?<=[\u4e00-\u9fff]),,(?=[\u4e00-\u9fff])")
_SENTENCE_END = re.compile(r"[。！？!?…”’」』）)\]】:：;；]$")
_FRAGMENT_NUMBER = re.compile(r"^\d{1,3}\s*[、.．]?$")


_TOOL_WORD = (
    r"(?:打印本页|打印此页|打印文章|打印|关闭窗口|关闭本页|关闭|收藏本页|收藏|加入收藏|我要纠错|纠错|返回顶部|回到顶部|"
    r"发表评论|查看评论|评论|推荐给朋友|推荐|大|中|小|字号|下载|保存|复制链接|返回|Print|Close)"
)
# A line made only of page tools: 【打印本页】【关闭窗口】 / [ 大 中 小 ] | 打印 | 关闭
_TOOL_LINE = re.compile(r"^(?:[【\[(（]?\s*" + _TOOL_WORD + r"\s*[】\])）]?\s*[|｜/]?\s*)+$", re.I)


def is_boilerplate(line: str) -> bool:
    line = line.strip()
    return bool(_BOILERPLATE_LINE.match(line) or _TOOL_LINE.match(line))


def repair_conversion_damage(text: str) -> str:
    text = _PINYIN_GLOSS.sub("", text)
    text = _DOUBLED_COMMA.sub("，", text)
    return _STRAY_COMMA.sub("", text)


def join_fragments(lines: list[str]) -> list[str]:
    """Drop page-fragment numbers that cut a sentence in two and join the halves."""
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FRAGMENT_NUMBER.match(line) and joined and index + 1 < len(lines) and not _SENTENCE_END.search(joined[-1]):
            joined[-1] = joined[-1] + lines[index + 1]
            index += 2
            continue
        joined.append(line)
        index += 1
    return joined


def strip_trailing_editor(line: str) -> tuple[str, str | None]:
    match = _TRAILING_EDITOR.search(line)
    if not match:
        return line, None
    value = re.sub(r"^.*?[:：]", "", match.group(0).strip()).strip(" )）]】")
    return line[: match.start()].rstrip(), value


# The title bar of a folding widget (an embedded video, a summary box) ends with its
# toggle: "某某节目5月20日播出收起". The bar is printed again wherever the widget shows.
_TOGGLE_END = re.compile(r"^(?P<stem>.{4,80}?)\s*(?:收起|展开)(?:全文)?$")


def _widget_titles(lines: list[str]) -> set[str]:
    stems = set()
    for line in lines:
        match = _TOGGLE_END.match(line)
        if match and not match.group("stem").endswith(("。", "！", "？", "，")):
            stems.add(match.group("stem"))
    # only a bar that also stands alone is a widget's: a sentence may end with 展开
    return {stem for stem in stems if stem in lines}


def clean_lines(lines: list[str]) -> list[str]:
    cleaned = []
    for line in lines:
        line = repair_conversion_damage(line.strip())
        if not line or is_boilerplate(line):
            continue
        cleaned.append(line)
    widgets = _widget_titles(cleaned)
    if widgets:
        cleaned = [line for line in cleaned if _TOGGLE_END.sub(r"\g<stem>", line) not in widgets]
    return cleaned


# Footer furniture: once one of these shows up near the end, the article is over.
_FOOTER_LINE = re.compile(
    r"版权所有|版权与免责声明|免责声明[:：]?$|^Copyright|All Rights Reserved|ICP[备证]|举报邮箱|违法和不良信息举报|"
    r"^制作单位|^主办单位|^承办单位|^(?:查看|阅读|加载)更多$|^(?:打开|下载)\S{0,8}(?:APP|App|客户端)|"
    # self-media platforms close every post with the same disclaimer
    r"^[“\"「]?(?:特别)?声明[:：]\s*(?:以上|本文|该文)(?:内容|观点|作品)|^Notice:\s*The content above",
    re.I,
)
# A table row from the page's layout: "| 首页 | 新闻 |", "|  |".
_PIPE_ROW = re.compile(r"^\|.*\|$")
_FOOTER_REACH = 6


# A cell of a layout table that is a menu ("首页 组织机构 工作动态 …") or a breadcrumb
# ("首页 >> 新闻 >> 正文"), however long.
_MENU_CELL = re.compile(r"^(?:\S{1,6}\s+){3,}\S{1,6}$")
_BREADCRUMB_CELL = re.compile(r"^[^>»＞]+(?:\s*(?:>>?|»|＞)\s*[^>»＞]+){2,}$")
# A row of the page's furniture under a text laid out in tables: related stories, the
# pager, page tools. Data tables never hold these.
_CHROME_ROW = re.compile(
    r"^\|\s*[·【\[(（]?\s*(?:相关(?:报道|新闻|阅读|文章|链接)|第\s*\d+\s*页\s*/\s*共|[上下]一页|发送给朋友|推荐给朋友|打印本文)"
)


def _short_cell(cell: str) -> bool:
    return len(cell) <= 30 or bool(_MENU_CELL.match(cell) or _BREADCRUMB_CELL.match(cell))


def _is_layout_row(line: str) -> bool:
    if not _PIPE_ROW.match(line):
        return False
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    # short cells are menus; an empty cell beside text is a spacer column of the layout
    return all(_short_cell(cell) for cell in cells) or (len(cells) >= 2 and not all(cells))


def _cut_chrome_rows(lines: list[str]) -> list[str]:
    """Cut the trailing block of layout rows from its first row of page furniture on."""
    start = len(lines)
    while start > 0 and _PIPE_ROW.match(lines[start - 1]):
        start -= 1
    for index in range(start, len(lines)):
        if _CHROME_ROW.match(lines[index]):
            return lines[:index]
    return lines


# Feed platforms put a read-aloud button after every headline: a headline with it below
# the start of the text opens the next article of the feed.
_FEED_HEADLINE = re.compile(r"\S\s*播报文章$")


def _cut_appended_article(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if index > 0 and len(line) <= 80 and _FEED_HEADLINE.search(line):
            return lines[:index]
    return lines


_ITEM_DATE = r"(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
# An item of a list of other posts or of references: "[2005-08-21] 标题", "· 标题 (2024-05-01)",
# "- 标题．示例网 [引用日期2024-01-12]", "- 标题．示例新闻．2024-05-09".
_DATED_ITEM = re.compile(
    r"^[·•\-\s]*[\[【(（]\s*" + _ITEM_DATE + r"\s*[\]】)）]\s*\S.{0,60}$"
    r"|^[·•\-\s]*\S.{0,80}?\s*[\[【(（]\s*(?:引用日期|访问日期)?\s*" + _ITEM_DATE + r"\s*[\]】)）]$"
    r"|^-\s+\S.{0,80}?[\s．.,，]\s*" + _ITEM_DATE + r"$"
)
_DATED_LIST_MIN = 3


def _cut_dated_list(lines: list[str]) -> list[str]:
    """Cut a closing run of dated items: the blog's or site's list of other posts."""
    start = len(lines)
    while start > 0 and _DATED_ITEM.match(lines[start - 1]):
        start -= 1
    if len(lines) - start >= _DATED_LIST_MIN and start > 0:
        return lines[:start]
    return lines


def trim_chrome_tail(lines: list[str]) -> list[str]:
    """Cut the page footer and layout rows that a body extractor left after the text."""
    lines = _cut_dated_list(_cut_chrome_rows(_cut_appended_article(lines)))
    while lines and _is_layout_row(lines[-1]):
        lines = lines[:-1]
    start = max(0, len(lines) - _FOOTER_REACH)
    for index in range(start, len(lines)):
        if index > 0 and _FOOTER_LINE.search(lines[index]) and len(lines[index]) < 200:
            lines = lines[:index]
            break
    while lines and _is_layout_row(lines[-1]):
        lines = lines[:-1]
    while lines and _is_layout_row(lines[0]):
        lines = lines[1:]
    return lines
