"""Structured metadata: <meta> tags, JSON-LD, Founder e-paper comments, and the headline."""

from __future__ import annotations

import json
import re

from lxml import html as lxml_html

from .html import element_text

# <meta> names that carry one record field, most specific first.
META_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("articletitle", "og:title", "twitter:title", "title", "headline", "dc.title"),
    "published_at": (
        "pubdate",
        "publishdate",
        "publish_date",
        "publishdate",
        "article:published_time",
        "og:article:published_time",
        "og:release_date",
        "datepublished",
        "dc.date.issued",
        "dcterms.created",
        "dc.date",
        "firstpublishedtime",
        "publication_date",
        "releasedate",
        "weibo:article:create_at",
        "og:time",
        "created",
        "date",
    ),
    "source": ("contentsource", "source", "og:source", "article:source", "citation_publisher"),
    "author": ("author", "article:author", "og:article:author", "dc.creator", "byline"),
    "editor": ("editor", "responsibleeditor", "article:editor"),
    "column": ("columnname", "article:section", "og:category", "category"),
    "site_name": ("sitename", "og:site_name", "application-name"),
    "subtitle": ("subtitle", "articlesubtitle"),
    "language": ("language", "content-language", "og:locale", "dc.language"),
}
_ENP_COMMENT = re.compile(r"<!--\s*enpproperty(.*?)/?enpproperty\s*-->", re.S | re.I)
_ENP_FIELD = re.compile(r"<(\w+)>(.*?)</\1>", re.S)
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜丨»<>]|--|-\s|\s-|\s[—–]\s|::)\s*")
# decoration after a blog headline: "标题- -"
_TITLE_TAIL = re.compile(r"(?:\s*-\s*-|\s*[_|｜])+\s*$")
# the name of a blog heads each of its posts: "张三的博客", "某某's Blog"
BLOG_NAME = re.compile(r"(?:的(?:博客|博客空间|个人空间|BLOG|Blog|blog)|'s\s*[Bb]log)$")
_MARKUP = re.compile(r"<[^>]{0,200}>")
# bullets and typesetting marks that old templates put before a heading: "*第一编", "★通知"
# ("#" opens a hashtag, which is part of the headline)
_LEADING_MARKS = re.compile(r"^[*•●○■□◆◇★☆▲△►▶]+\s*(?=\S)")
# private-use code points: icon fonts and broken glyphs
_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")


def clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = _PRIVATE_USE.sub("", _MARKUP.sub("", title))
    title = re.sub(r"\s+", " ", title).strip()
    title = _TITLE_TAIL.sub("", title)
    # forums and disclosure pages label the headline: "主题: …", "标题：…"
    title = re.sub(r"^(?:主题|标题|题目)\s*[:：]\s*", "", title)
    title = _LEADING_MARKS.sub("", title)
    return title or None


_CANDIDATE_XPATH = (
    "//h1|//h2|//h3|//*[contains(translate(@class,'TITLE','title'),'title') or "
    "contains(translate(@id,'TITLE','title'),'title') or @class='bt' or @class='tit']"
)


def read_meta_tags(root: lxml_html.HtmlElement) -> dict[str, str]:
    """First non-empty content per lower-cased meta name/property/itemprop."""
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if not key or content is None:
            continue
        content = content.strip()
        if content:
            found.setdefault(key.strip().lower(), content)
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, dict):
                continue
            for key in ("headline", "datePublished"):
                if isinstance(item.get(key), str):
                    found.setdefault(key.lower(), item[key].strip())
    return found


def meta_value(meta: dict[str, str], field: str) -> str | None:
    for key in META_FIELDS[field]:
        value = meta.get(key)
        if value:
            return value
    return None


def read_enpproperty(document: str) -> dict[str, str]:
    """Fields of the Founder e-paper comment `<!--enpproperty <date>…<title>…-->`."""
    match = _ENP_COMMENT.search(document)
    if not match:
        return {}
    fields = {}
    for name, value in _ENP_FIELD.findall(match.group(1)):
        value = re.sub(r"\s+", " ", value).strip()
        if value:
            fields[name.lower()] = value
    return fields


def page_title(root: lxml_html.HtmlElement) -> str:
    element = root.find(".//title")
    if element is None:
        return ""
    return re.sub(r"\s+", " ", element.text_content() or "").strip()


def title_parts(page_title: str) -> list[str]:
    return [part for part in _TITLE_SPLIT.split(page_title) if part.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def find_headline(root: lxml_html.HtmlElement, meta: dict[str, str]) -> tuple[str | None, str | None]:
    """The article headline and where it came from: "heading", "meta" or "page_title".

    The <title> names the page (headline plus site and column); the headline itself is the
    heading element whose text best covers the start of <title>, else the first part of
    <title>, else the meta title.
    """
    full_title = page_title(root)
    squashed_title = _squash(full_title)
    meta_title = meta_value(meta, "title")
    best: tuple[float, str, lxml_html.HtmlElement] | None = None
    for element in root.xpath(_CANDIDATE_XPATH):
        if element.tag in ("title", "meta", "html", "body"):
            continue
        text = element_text(element)
        squashed = _squash(text)
        if not 4 <= len(squashed) <= 120 or BLOG_NAME.search(squashed):
            continue
        score = 0.0
        if squashed_title and squashed in squashed_title:
            score = len(squashed) / max(len(squashed_title), 1) + 1.0
            if squashed_title.startswith(squashed):
                score += 0.5
        elif squashed_title and squashed_title in squashed and len(squashed) < len(squashed_title) + 30:
            score = 1.2
        elif meta_title and _squash(meta_title) == squashed:
            score = 1.4
        if element.tag == "h1":
            score += 0.3 if score else 0.0
        if score and (best is None or score > best[0]):
            best = (score, text, element)
    if best is not None and best[0] >= 1.15:
        return best[1], "heading"
    if meta_title and len(_squash(meta_title)) >= 2:
        # ArticleTitle-style metas are the headline; og:title often repeats <title>.
        parts = title_parts(meta_title) if meta_title == full_title else [meta_title]
        return parts[0] if parts else meta_title, "meta"
    parts = title_parts(full_title)
    if parts:
        return parts[0].strip(), "page_title"
    # no <title> at all: a lone top-level heading names the page
    headings = [element_text(element) for element in root.iter("h1")]
    headings = [text for text in headings if 4 <= len(_squash(text)) <= 120 and not BLOG_NAME.search(_squash(text))]
    if len(headings) == 1:
        return headings[0], "heading"
    return None, None
