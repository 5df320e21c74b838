"""The general body engines: trafilatura and readability, each on the page's own tree.

Two engines built on different ideas (trafilatura: rules about markup and text density;
readability: scores of paragraphs that climb to their container) fail on different pages,
so where they agree the body is very likely right, and where one of them takes a comment
section or a list of headlines the other usually does not (archive.extract.agreement
decides). Both read the tree extraction parsed once, prepared once by `prepare_tree`.
"""

from __future__ import annotations

import copy
import logging
import re

from lxml import etree
from lxml import html as lxml_html
from readability import Document
from readability.readability import Unparseable
from trafilatura import bare_extraction

from .html import flatten_layout_tables, text_lines

logger = logging.getLogger(__name__)

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


def prepare_tree(root: lxml_html.HtmlElement) -> None:
    """Undo what misleads both engines: layout tables, dropped captions, fact boxes, loose runs.

    The tree is changed: call it once the page's own lines have been read.
    """
    flatten_layout_tables(root)
    _keep_captions(root)
    _drop_infoboxes(root)
    _wrap_loose_inline(root)


def trafilatura_lines(root: lxml_html.HtmlElement, url: str | None) -> list[str]:
    """Body lines by trafilatura's own rules, on a tree `prepare_tree` prepared.

    Its fallback (a readability copy of its own and jusText, run on every page otherwise)
    is left out: readability runs beside it as an engine of its own.
    """
    try:
        document = bare_extraction(
            root,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            fast=True,
        )
    except Exception:  # trafilatura raises assorted errors on hostile markup
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return []
    text = getattr(document, "text", None) if document is not None else None
    if not text:
        return []
    return [line.strip() for line in text.split("\n") if line.strip()]


class _ReadabilityOnTree(Document):
    """readability on a tree that is parsed and cleaned already.

    Its own `_parse` runs lxml's Cleaner over a copy of the tree on every pass (a quarter
    of its time, for scripts, styles and javascript: links that text never holds); here a
    pass starts from a copy of the tree `readability_lines` cleaned once.
    """

    def _parse(self, input: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
        return copy.deepcopy(input)


# elements not displayed (pop-ups, templates, duplicates for other screens), which readability
# (from 0.9 on) drops itself before it scores anything; not those merely invisible until a
# script shows them, as WeChat articles hold their text
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*display\s*:\s*none\s*(?:!important\s*)?(?:;|$)", re.I)


# elements that never hold an article's text: fewer of them, less for readability to score
_NEVER_TEXT = ("script", "style", "noscript", "svg", "iframe", "select", "button", "textarea", "nav", "footer", "aside")


def readability_lines(root: lxml_html.HtmlElement) -> list[str]:
    """Body lines by readability, on a tree `prepare_tree` prepared (which is not changed)."""
    tree = copy.deepcopy(root)
    etree.strip_elements(tree, etree.Comment, *_NEVER_TEXT, with_tail=False)
    hidden = [element for element in tree.iter() if isinstance(element.tag, str) and (
        element.get("hidden") is not None or _HIDDEN_STYLE.search(element.get("style") or ""))]
    for element in hidden:
        element.drop_tree()
    try:
        summary = _ReadabilityOnTree(tree).summary(html_partial=True)
    except (Unparseable, ValueError, etree.LxmlError):
        logger.debug("readability failed", exc_info=True)
        return []
    if not summary or not summary.strip():
        return []
    try:
        fragment = lxml_html.fragment_fromstring(summary, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    return text_lines(fragment)
