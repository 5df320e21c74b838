"""Structured metadata: <meta> tags, JSON-LD, Founder e-paper comments."""

from __future__ import annotations

import json
import re

from lxml import html as lxml_html

# <meta> names that carry one record field, most specific first.
META_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("articletitle", "og:title", "twitter:title", "title", "headline", "dc.title"),
    # keys a template fills with the publication time, most specific first
    "published_at": (
        "pubdate",
        "publishdate",
        "publish_date",
        "article:published_time",
        "og:article:published_time",
        "og:release_date",
        "datepublished",
        "dc.date.issued",
        "dcterms.created",
        "firstpublishedtime",
        "publication_date",
        "releasedate",
        "weibo:article:create_at",
        "og:time",
    ),
    # keys some templates fill with the page's own date (generation, creation), and the
    # last change: all a page that states no publication has (encyclopedia entries, wikis)
    "page_date": ("dc.date", "created", "date", "article:modified_time", "og:updated_time", "datemodified",
                  "dateupdate"),
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
        for item in _linked_data_items(data):
            for key in ("headline", "datePublished", "dateModified"):
                if isinstance(item.get(key), str) and item[key].strip():
                    found.setdefault(key.lower(), item[key].strip())
            writers = _people(item.get("author"))
            if writers:
                found.setdefault("ld:author", " ".join(writers))
    return found


def _people(value: object) -> list[str]:
    """The names of the persons a JSON-LD author names (an organisation is no writer)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
        elif isinstance(item, dict) and item.get("@type") in (None, "Person") and isinstance(item.get("name"), str):
            names.append(item["name"].strip())
    return [name for name in names if name]


def _linked_data_items(data: object) -> list[dict]:
    """The objects of a JSON-LD block: itself, the items of a list or of its @graph."""
    items = data if isinstance(data, list) else [data]
    found = []
    for item in items:
        if isinstance(item, dict):
            found.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                found.extend(part for part in graph if isinstance(part, dict))
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
