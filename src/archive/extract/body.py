"""CMS content containers: where a family's marker is in the page, the element holding its text."""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

# Content containers of the CMS families Chinese official sites run on. Where one of them
# holds the body its markup is authoritative, and cheaper than a generic extractor.
CONTENT_CONTAINERS: tuple[tuple[str, str], ...] = (
    ("founder", "//founder-content"),
    ("vsb", "//*[contains(concat(' ', normalize-space(@class), ' '), ' v_news_content ')]"),
    ("vsb", "//*[starts-with(@id, 'vsb_content')]"),
    ("webplus", "//*[contains(concat(' ', normalize-space(@class), ' '), ' wp_articlecontent ')]"),
    ("trs", "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]"),
    ("trs", "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]"),
    ("gov", "//*[@id='UCAP-CONTENT']"),
    ("gov", "//*[@id='zoom' or @id='Zoom' or @id='fontzoom']"),
    ("gov", "//*[contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')]"),
    # WeChat official-account articles, reposted by many official sites' accounts
    ("wechat", "//*[@id='js_content']"),
)
# What each container query needs to find in the page's class (or id) values to match at
# all. Each query walks every element of the tree with string functions; the attribute
# values are gathered in one cheap pass, so most pages run none of them.
_NEEDLES: tuple[tuple[str, tuple[str, ...]] | None, ...] = (
    None,  # a tag name: cheap to look up
    ("class", ("v_news_content",)),
    ("id", ("vsb_content",)),
    ("class", ("wp_articlecontent",)),
    ("class", ("TRS_Editor",)),
    ("class", ("TRS_UEDITOR",)),
    ("id", ("UCAP-CONTENT",)),
    ("id", ("zoom", "Zoom")),
    ("class", ("pages_content",)),
    ("id", ("js_content",)),
)
_COMPILED = tuple(etree.XPath(xpath) for _, xpath in CONTENT_CONTAINERS)
_ATTRIBUTE_VALUES = {name: etree.XPath(f"//@{name}", smart_strings=False) for name in ("class", "id")}


_CONTAINER_MIN_CHARS = 60


def find_container(root: lxml_html.HtmlElement) -> tuple[str, lxml_html.HtmlElement] | None:
    """The outermost CMS content container that holds real text."""
    values: dict[str, str] = {}
    for (family, _), query, needles in zip(CONTENT_CONTAINERS, _COMPILED, _NEEDLES, strict=True):
        if needles is not None:
            name, words = needles
            if name not in values:
                # NUL never occurs in parsed text: values cannot run together into a match
                values[name] = "\0".join(_ATTRIBUTE_VALUES[name](root))
            if not any(word in values[name] for word in words):
                continue
        matches = query(root)
        best = None
        best_length = 0
        for element in matches:
            length = len("".join(element.itertext()).strip())
            if length > best_length:
                best, best_length = element, length
        # a container holding a line or two is a widget that reuses the class name
        if best is not None and best_length >= _CONTAINER_MIN_CHARS:
            return family, best
    return None
