"""The headline: what the page's headings, its title metas and its <title> agree on.

The <title> names the page, the headline usually with the column and the site around it
(标题_栏目_站名, 站名——标题); metas (ArticleTitle, og:title, …) name the headline or the
page; headings are many (logo, menus, sidebars, the headline). A heading wins when the
<title> or a title meta vouches for it; failing that the title meta that is no site or
column name, then the <title> less the site and column names at its ends. A breadcrumb,
a site or column name, a blog's name is never the headline.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from .cleaning import repair_conversion_damage
from .html import element_text
from .metadata import meta_value

# what separates the headline, the column and the site in a <title>
_TITLE_SPLIT = re.compile(
    r"\s*(?:[_|｜丨│»<>]|--|——|-\s|\s-|\s[—–]\s|::|(?<=[\u4e00-\u9fff？！”》）])-(?=[\u4e00-\u9fffA-Za-z]))\s*"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DASH_JOIN = re.compile(r"\s*——\s*")
# decoration after a blog headline: "标题- -"
_TITLE_TAIL = re.compile(r"(?:\s*-\s*-|\s*[_|｜])+\s*$")
# the name of a blog heads each of its posts: "张三的博客", "某某's Blog"
BLOG_NAME = re.compile(r"(?:的(?:博客|博客空间|个人空间|BLOG|Blog|blog)|'s\s*[Bb]log)$")
# how sites and their columns name themselves in a <title>
_SITE_SHAPE = re.compile(
    r"(?:网|网站|门户|门户网站|官网|官方网站|政府|人民政府|新闻网|新闻中心|信息网|在线|频道|客户端|日报|晚报|电视台|"
    r"大学|学院|学校|委员会|办公厅|办公室|首页|主页|博客|[Pp]ortal|[Oo]nline|[Nn]ews|[Dd]aily|[Bb]log)$"
)
# how the name of a column ends (新闻中心, 通知公告, 工作动态)
_COLUMN_NAME = re.compile(r"(?:中心|频道|首页|主页|栏目|专题|动态|要闻|新闻|公告|资讯|公开|快讯|视频|图片|博客)$")
# ... and the endings only a site's name has, however long it is
_SITE_NAME = re.compile(r"(?:网|网站|门户网站|官网|官方网站|人民政府|政府网|新闻网|信息网|客户端|电视台|日报|晚报)$")
# 首页 > 新闻 > 正文, 当前位置：…
_BREADCRUMB = re.compile(
    r"(?:首页|主页|当前位置|您的位置|所在位置|现在的位置)\s*[:：]?.{0,40}?(?:>|»|＞|→|›)|(?:>|»|＞|›).*(?:>|»|＞|›)"
)
_MARKUP = re.compile(r"<[^>]{0,200}(?:>|$)")
# bullets and typesetting marks that old templates put before a heading: "*第一编", "★通知"
# ("#" opens a hashtag, which is part of the headline)
_LEADING_MARKS = re.compile(r"^[*•●○■□◆◇★☆▲△►▶]+\s*(?=\S)")
# private-use code points: icon fonts and broken glyphs
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")
# a document-sharing page names the document by its file
_FILE_EXTENSION = re.compile(r"\.(?:docx?|pdf|pptx?|xlsx?|txt|wps|rtf|ofd|caj)$", re.I)
_LABELLED = re.compile(r"^(?:主题|标题|题目|文章标题|信息名称|名\s*称)\s*[:：]\s*")

_CANDIDATE_XPATH = (
    "//h1|//h2|//h3|//*[contains(translate(@class,'TITLE','title'),'title') or "
    "contains(translate(@id,'TITLE','title'),'title') or @class='bt' or @class='tit']"
)
# the meta keys that name a page's site or column rather than its headline
_NAME_KEYS = ("sitename", "og:site_name", "application-name", "columnname", "article:section", "og:category")
_SPECIFIC_TITLE_KEYS = ("articletitle", "headline", "dc.title")


def clean_title(title: str | None) -> str | None:
    """A headline as shown: markup, decoration, labels and conversion damage taken off."""
    if not title:
        return None
    title = _PRIVATE_USE.sub("", _MARKUP.sub("", title))
    title = re.sub(r"\s+", " ", title).strip()
    title = _TITLE_TAIL.sub("", title)
    # forums and disclosure pages label the headline: "主题: …", "标题：…"
    title = _LABELLED.sub("", title)
    title = _LEADING_MARKS.sub("", title)
    title = _FILE_EXTENSION.sub("", repair_conversion_damage(title)).strip()
    return title or None


def page_title(root: lxml_html.HtmlElement) -> str:
    element = root.find(".//title")
    if element is None:
        return ""
    return re.sub(r"\s+", " ", element.text_content() or "").strip()


def title_parts(page_title: str, names: set[str] = frozenset()) -> list[str]:
    """The parts of a <title>, less those that are site or column names."""
    parts = [part for part in _TITLE_SPLIT.split(page_title) if part.strip()]
    if names:
        parts = [part for part in parts if not _known(part, names) and not _shaped(part, parts)]
    return parts


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# a column's name in a menu or a breadcrumb is short; a longer link text may be this very story
_COLUMN_NAME_CHARS = 10


def names_of_site(meta: dict[str, str], links: set[str]) -> set[str]:
    """What names the site or a column rather than a story: site and column metas, and
    the short link texts of menus and breadcrumbs."""
    names = {_squash(meta[key]) for key in _NAME_KEYS if meta.get(key)}
    for value in list(names):
        names.update(_squash(part) for part in _TITLE_SPLIT.split(value))
    return names | {link for link in links if len(link) <= _COLUMN_NAME_CHARS}


def _known(part: str, names: set[str]) -> bool:
    squashed = _squash(part)
    return squashed in names or bool(BLOG_NAME.search(squashed))


def _shaped(part: str, parts: list[str]) -> bool:
    """Named like a site, or like a column and shorter than a part beside it: headlines are longer."""
    squashed = _squash(part)
    if _SITE_NAME.search(squashed):
        return True
    return bool(_SITE_SHAPE.search(squashed)) and len(squashed) < max(len(_squash(other)) for other in parts)


def _shaped_first(part: str, parts: list[str]) -> bool:
    """A site's name before the headline is written in Chinese (站名——标题); an English
    headline may end like a name ("Good News")."""
    return bool(_HAN.search(part)) and _shaped(part, parts)


def headline_of_title(title: str, names: set[str]) -> str | None:
    """A <title> less the site and column names at its ends: 标题_栏目_站名, 站名——标题."""
    parts = title_parts(title)
    for last, first in ((lambda part: _known(part, names),) * 2, (lambda part: _shaped(part, parts),
                                                                  lambda part: _shaped_first(part, parts))):
        while len(parts) > 1 and last(parts[-1]):
            parts.pop()
        while len(parts) > 1 and first(parts[0]):
            parts.pop(0)
    if not parts:
        return None
    if len(parts) == 1 and len(title_parts(title)) > 1 and _COLUMN_NAME.search(_squash(parts[0])):
        # a column's page title names the column and the site only: 新闻中心_江城市人民政府
        return None
    # parts left side by side are the headline and its column, unless a dash joins them:
    # a headline may hold "——" ("标题——副题")
    first, last = parts[0], parts[-1]
    start, end = title.find(first), title.rfind(last)
    core = title[start : end + len(last)] if 0 <= start <= end else first
    if len(parts) > 1 and not all(_DASH_JOIN.fullmatch(piece) for piece in _TITLE_SPLIT.findall(core)):
        core = first
    if _squash(core) in names or BLOG_NAME.search(_squash(core)):
        return None
    return core.strip()


def _is_headline_shaped(text: str) -> bool:
    squashed = _squash(text)
    return 4 <= len(squashed) <= 120 and not BLOG_NAME.search(squashed) and not _BREADCRUMB.search(text)


def find_headline(
    root: lxml_html.HtmlElement, meta: dict[str, str], names: set[str] = frozenset()
) -> tuple[str | None, str | None]:
    """The article headline and where it came from: "heading", "meta" or "page_title".

    `names` are the site's and its columns' (names_of_site).
    """
    full_title = page_title(root)
    squashed_title = _squash(full_title)
    titled = headline_of_title(full_title, names) if full_title else None
    meta_titles = _meta_titles(meta, full_title, names)
    # what the <title> less its site and column names, and the title metas, vouch for
    vouched = {_squash(value) for value in meta_titles}
    squashed_titled = _squash(titled or "")
    best: tuple[float, str] | None = None
    headings: set[str] = set()
    for element in root.xpath(_CANDIDATE_XPATH):
        if element.tag in ("title", "meta", "html", "body"):
            continue
        text = element_text(element)
        squashed = _squash(text)
        headings.add(squashed)
        if not _is_headline_shaped(text):
            continue
        if squashed in names and squashed not in vouched and squashed not in squashed_titled:
            # the site's logo, a column's heading: named, and named only by the <title>'s ends
            continue
        score = 0.0
        if squashed_title and squashed in squashed_title:
            score = len(squashed) / max(len(squashed_title), 1) + 1.0
            if squashed_title.startswith(squashed):
                score += 0.5
        elif squashed_title and squashed_title in squashed and len(squashed) < len(squashed_title) + 30:
            score = 1.2
        elif squashed in vouched:
            score = 1.4
        if element.tag == "h1":
            score += 0.3 if score else 0.0
        if score and (best is None or score > best[0]):
            best = (score, text)
    if best is not None and best[0] >= 1.15:
        return best[1], "heading"
    # no heading the <title> vouches for: the title meta or <title> the others agree with
    stated = [(value, "meta") for value in meta_titles] + ([(titled, "page_title")] if titled else [])
    if stated:
        said = [_squash(value) for value, _ in stated]

        def support(value: str) -> int:
            squashed = _squash(value)
            return said.count(squashed) + (squashed in headings)

        value, origin = max(stated, key=lambda item: support(item[0]))
        # a <title> a meta or a heading agrees with is as good as a meta
        return value, "meta" if support(value) >= 2 else origin
    # no <title> at all: a lone top-level heading names the page
    headings = [element_text(element) for element in root.iter("h1")]
    headings = [text for text in headings if _is_headline_shaped(text) and _squash(text) not in names]
    if len(headings) == 1:
        return headings[0], "heading"
    return None, None


def _meta_titles(meta: dict[str, str], full_title: str, names: set[str]) -> list[str]:
    """The title metas that name the headline, most specific first; og:title and its kin
    often repeat the <title>, site name and all, and are read as a <title> is."""
    found = []
    for key in _SPECIFIC_TITLE_KEYS:
        value = clean_title(meta.get(key))
        if value and _is_headline_shaped(value) and _squash(value) not in names:
            found.append(value)
    general = clean_title(meta_value(meta, "title"))
    if general:
        value = headline_of_title(general, names)
        if value and _is_headline_shaped(value) and value not in found:
            found.append(value)
    return found
