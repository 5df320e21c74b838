"""Page-kind (CMS family) recognition and the article-or-not decision."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import html as lxml_html

_DOCSHARE_HOSTS = re.compile(
    r"(?:^|\.)(?:doc88|book118|taodocs|docin|renrendoc|mayiwenku|wenku\.baidu|jinchutou|"
    r"wenkunet|max\.book118|zhangqiaokeyan|dochub|docsj|51wendang|ishare\.iask)\.",
    re.I,
)
_EPAPER_URL = re.compile(
    r"(?:epaper|/paper/|szb|dzb|/html/\d{4}-\d{2}/\d{2}/|/content_\d+\.htm|/node_\d+\.htm|"
    r"/\d{8}/\d{2}/|/layout/|/pc/(?:content|layout))",
    re.I,
)
_CAMPUS_MARKERS = ("v_news_content", "vsb_content", "_showDynClicks", "wp_articlecontent", "VsbDynClicks")
_GOV_MARKERS = ("siteidcode", "columnname", "articletitle", "contentsource")
# Paths of pages that collect other pages rather than tell a story.
_INDEX_PATH = re.compile(
    r"(?:^/?$|/$|/(?:index|default|list|more|search|node_\d+|column|channel)[\w-]*\.(?:s?html?|jsp|php|aspx?)$"
    r"|/(?:index|list)(?:_\d+)?\.s?html?$|[?&](?:q|query|keyword|wd|searchword)=)",
    re.I,
)
_ERROR_TITLE = re.compile(r"404|403|500|页面不存在|找不到|出错|错误提示|not found|error|访问受限|无权访问", re.I)
# Pages about the site or the institution rather than a story: about us, contact, profiles.
_INFO_PAGE_TITLE = re.compile(
    r"^(?:关于我们|联系我们|联系方式|网站地图|网站导航|网站声明|版权声明|法律声明|免责声明|隐私政策|隐私声明|使用帮助|"
    r"用户协议|服务条款|About us|Contact us|Contact|Sitemap|Privacy)"
    # 学院简介, 学校概况, 中心介绍, 现任领导, 机构设置, 历史沿革: the institution's profile
    r"|^(?:[\u4e00-\u9fff]{0,8}(?:学院|学校|大学|本院|本校|中心|机构|单位|部门|学会|协会|公司|集团|医院|研究所|研究院|"
    r"图书馆|博物馆|处|局|委|办|馆|所|室))?(?:简介|概况|介绍|概述|现任领导|领导班子|领导成员|机构设置|组织机构|内设机构|历史沿革)$",
    re.I,
)
# ... and their addresses, English or in pinyin initials (gywm 关于我们, lxwm 联系我们, xyjj 学院简介)
_INFO_PAGE_PATH = re.compile(
    r"/(?:about(?:us)?|contact(?:us)?|sitemap|privacy|gywm|lxwm|lxfs|wzdt|xyjj|xxjj|xygk|zxjj|jgjj|dwjj|ldjj|"
    r"lsyg|jgsz|zzjg|xrld)(?:[/_.]|$)",
    re.I,
)


def detect_kind(url: str, document: str, meta: dict[str, str], requested: str = "auto") -> str:
    """campus, gov, epaper, docshare or portal; a configured kind other than auto wins."""
    if requested and requested != "auto":
        return requested
    host = (urlsplit(url).hostname or "").lower()
    head = document[:200000]
    if _DOCSHARE_HOSTS.search(host + ".") or "由会员分享" in head:
        return "docshare"
    if "enpproperty" in head or "<founder-content" in head or _EPAPER_URL.search(url):
        return "epaper"
    if host.endswith(".edu.cn") or any(marker in head for marker in _CAMPUS_MARKERS):
        return "campus"
    if host.endswith(".gov.cn") or sum(key in meta for key in _GOV_MARKERS) >= 2:
        return "gov"
    if host:
        return "portal"
    return "auto"


@dataclass
class PageShape:
    """What the article decision looks at."""

    body_chars: int
    body_lines: int
    link_line_share: float
    dated_links: int
    has_headline: bool
    has_date: bool
    has_labels: bool


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def anchor_texts(root: lxml_html.HtmlElement) -> set[str]:
    texts = set()
    for anchor in root.iter("a"):
        text = _squash(anchor.text_content())
        if len(text) >= 4:
            texts.add(text)
    return texts


_DATE_IN_ITEM = re.compile(r"(?:19|20)\d{2}[-/.年]\d{1,2}(?:[-/.月]\d{1,2})?|\d{1,2}[-/]\d{1,2}")


def count_dated_links(root: lxml_html.HtmlElement) -> int:
    """List items (li / tr / dd) holding one link with a title-sized text and a date."""
    count = 0
    for item in root.iter("li", "tr", "dd", "p"):
        anchors = item.findall(".//a")
        if len(anchors) != 1:
            continue
        if len(_squash(anchors[0].text_content())) < 6:
            continue
        if _DATE_IN_ITEM.search(item.text_content()):
            count += 1
    return count


def page_shape(
    root: lxml_html.HtmlElement,
    lines: list[str],
    links: set[str],
    *,
    has_headline: bool,
    has_date: bool,
    has_labels: bool,
) -> PageShape:
    squashed = [_squash(line) for line in lines]
    items = LinkItems(links)
    link_lines = sum(1 for line in squashed if items.is_item(line))
    return PageShape(
        body_chars=sum(len(line) for line in squashed),
        body_lines=len(lines),
        link_line_share=link_lines / len(lines) if lines else 1.0,
        dated_links=count_dated_links(root),
        has_headline=has_headline,
        has_date=has_date,
        has_labels=has_labels,
    )


# What a list item adds to its link: a date, a time, a view or comment count, a tag.
_ITEM_EXTRA = re.compile(
    r"^(?:[\d\s:：/._\-\[\]【】()（）<>《》|｜·]|[年月日时分秒次]|浏览|点击|阅读|访问|评论|回复|热|荐|新|图|置顶|new|hot|top)*$",
    re.I,
)
_BULLET = re.compile(r"^[-•·*▪◆◇■□>》]+")


class LinkItems:
    """Which lines of text are items of a list of links: a link's text alone, or with a
    date, a count or a tag before or after it ("标题2026-10-18浏览：", "[12-05]标题", "·标题")."""

    def __init__(self, links: set[str]) -> None:
        # anchors often carry their own bullet ("·标题"): list items are matched without it
        self.links = links | {_BULLET.sub("", text) for text in links}
        # the link texts by their first and by their last four characters
        self.by_end: dict[str, list[str]] = {}
        for text in self.links:
            self.by_end.setdefault(text[:4], []).append(text)
            self.by_end.setdefault(text[-4:], []).append(text)

    def is_item(self, squashed: str) -> bool:
        """Whether a line (white space removed) is a list item."""
        if squashed in self.links:
            return True
        line = _BULLET.sub("", squashed)
        if line in self.links:
            return True
        for text in {*self.by_end.get(line[:4], ()), *self.by_end.get(line[-4:], ())}:
            if line.startswith(text):
                rest = line[len(text):]
            elif line.endswith(text):
                rest = line[:-len(text)]
            else:
                continue
            if _ITEM_EXTRA.match(rest):
                return True
        return False


def is_article(url: str, status: int, title: str | None, shape: PageShape) -> bool:
    """Whether a page tells one story (article, notice) rather than indexing others."""
    if status >= 400 or shape.body_chars == 0:
        return False
    if title and _ERROR_TITLE.search(title) and shape.body_chars < 300:
        return False
    if title and _INFO_PAGE_TITLE.search(title.strip()):
        return False
    if _INFO_PAGE_PATH.search(urlsplit(url).path) and not shape.has_date:
        return False
    path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
    index_like = bool(_INDEX_PATH.search(path))
    if shape.link_line_share > 0.5 and shape.body_chars < 1500:
        return False
    if shape.dated_links >= 8 and shape.body_chars < 200 and not shape.has_date:
        return False
    if index_like and not (shape.has_date and shape.body_chars >= 200):
        return False
    if shape.body_chars >= 200:
        return True
    # Short notices count when the page dresses them as an article.
    return shape.has_headline and (shape.has_date or shape.has_labels) and shape.body_chars >= 15
