"""The article body: CMS content containers first, trafilatura for everything else."""

from __future__ import annotations

import logging
import re

from lxml import etree
from lxml import html as lxml_html
from trafilatura import bare_extraction

from .html import flatten_layout_tables

logger = logging.getLogger(__name__)

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


_INFOBOX_MIN_ITEMS = 3
_INFOBOX_NAME_CHARS = 8
_INFOBOX_VALUE_CHARS = 80


def _squashed_text(element: lxml_html.HtmlElement) -> str:
    return "".join("".join(element.itertext()).split())


def _is_infobox(dl: lxml_html.HtmlElement) -> bool:
    names = [_squashed_text(name) for name in dl.iter("dt")]
    values = [_squashed_text(value) for value in dl.iter("dd")]
    if len(names) < _INFOBOX_MIN_ITEMS or len(values) != len(names):
        return False
    return all(0 < len(name) <= _INFOBOX_NAME_CHARS for name in names) and all(
        len(value) <= _INFOBOX_VALUE_CHARS for value in values
    )


def _drop_infoboxes(root: lxml_html.HtmlElement) -> None:
    """Remove fact boxes: definition lists of short name/value pairs ("中文名 | 某某", "面积 | 95公顷").

    Encyclopedia entries and profile pages set them beside the text; they summarise it
    and are no part of it.
    """
    for dl in [dl for dl in root.iter("dl") if _is_infobox(dl)]:
        if dl.getparent() is not None:
            dl.drop_tree()


_INLINE_TAGS = frozenset({"font", "span", "b", "strong", "em", "i", "u", "a", "sub", "sup", "small", "big"})
_LOOSE_RUN_MIN_CHARS = 20
_PROSE_MARK = re.compile(r"[，。！？；]")


def _wrap_run(parent: lxml_html.HtmlElement, run: list[lxml_html.HtmlElement]) -> None:
    text = "".join(element.text_content() + (element.tail or "") for element in run)
    # prose only: sidebars and page tools are inline runs too
    if len(text.strip()) < _LOOSE_RUN_MIN_CHARS or not _PROSE_MARK.search(text):
        return
    paragraph = lxml_html.Element("p")
    parent.insert(parent.index(run[0]), paragraph)
    paragraph.extend(run)


def _wrap_loose_inline(root: lxml_html.HtmlElement) -> None:
    """Put text that sits between paragraphs in inline tags only into a paragraph of its own.

    Text pasted from a word processor leaves sentences in <font>/<span> runs beside the
    <p> elements; trafilatura reads the paragraphs and drops those runs.
    """
    # unclosed <font> tags make inline elements hold the paragraphs too
    parents = [element for element in root.iter("div", "td", *_INLINE_TAGS) if element.find("p") is not None]
    for parent in parents:
        run: list[lxml_html.HtmlElement] = []
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag in _INLINE_TAGS and child.find(".//p") is None:
                run.append(child)
                continue
            if run:
                _wrap_run(parent, run)
                run = []
        if run:
            _wrap_run(parent, run)


def _keep_captions(root: lxml_html.HtmlElement) -> None:
    """Make photo captions plain paragraphs: trafilatura drops figures, and a caption is
    part of the story (it often carries the only credit of the photo)."""
    for caption in root.iter("figcaption"):
        caption.tag = "p"
        figure = caption.getparent()
        if figure is not None and figure.tag == "figure":
            figure.tag = "div"


def trafilatura_lines(root: lxml_html.HtmlElement, url: str | None) -> list[str]:
    """Body lines by trafilatura. The tree is modified: call it last."""
    flatten_layout_tables(root)
    _keep_captions(root)
    _drop_infoboxes(root)
    _wrap_loose_inline(root)
    try:
        document = bare_extraction(
            root,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except Exception:  # trafilatura raises assorted errors on hostile markup
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return []
    text = getattr(document, "text", None) if document is not None else None
    if not text:
        return []
    return [line.strip() for line in text.split("\n") if line.strip()]
