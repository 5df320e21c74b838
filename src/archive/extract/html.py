"""Turning decoded HTML into an lxml tree that keeps the whole page."""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

# A stray </body> or </html> early in the page makes libxml2 drop what follows; the tags
# carry no information, so all of them go before parsing.
_CLOSING_ROOT_TAGS = re.compile(r"</\s*(?:html|body)\s*>", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# C0 controls other than tab/newline/carriage return are invalid in XML trees.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PARSER = lxml_html.HTMLParser(remove_comments=False, remove_pis=True, default_doctype=False)
# lxml.html picks each element's class in a Python callback (form controls get classes of
# their own), once per element every time the tree is walked from Python: a tenth of the
# extraction time. The same classes chosen in C, minus the form ones nothing here uses.
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction,
    entity=lxml_html.HtmlEntity))
_WHITESPACE = re.compile(r"\s+")


def looks_binary(text: str) -> bool:
    """Whether decoded text is rather a binary payload (image, PDF, archive) than markup."""
    sample = text[:4096]
    if not sample:
        return True
    controls = len(_CONTROL_CHARS.findall(sample)) + sample.count("\ufffd")
    return controls / len(sample) > 0.05 or sample.lstrip().startswith("%PDF")


def repair_markup(text: str) -> str:
    text = _XML_DECLARATION.sub("", text, count=1)
    text = _CONTROL_CHARS.sub("", text)
    return _CLOSING_ROOT_TAGS.sub("", text)


def parse_html(text: str) -> lxml_html.HtmlElement | None:
    """Parse repaired markup; None when nothing parseable is left."""
    text = repair_markup(text)
    if not text.strip():
        return None
    try:
        root = lxml_html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "select", "option", "textarea", "iframe", "template", "head", "title", "button"}
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "tbody",
        "section",
        "article",
        "dd",
        "dt",
        "dl",
        "blockquote",
        "pre",
        "center",
        "form",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "figcaption",
        "hr",
        "address",
        "caption",
        "thead",
        "tfoot",
        "founder-content",
    }
)


def text_lines(element: lxml_html.HtmlElement) -> list[str]:
    """Visible text split at block boundaries, whitespace collapsed, empty lines dropped."""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if not current:  # block after block: nothing gathered in between
            return
        line = _WHITESPACE.sub(" ", "".join(current)).strip()
        current.clear()
        if line:
            lines.append(line)

    def walk(node: lxml_html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else None
        if tag is None or tag in _SKIPPED_TAGS:
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        elif tag == "td" or tag == "th":
            current.append(" ")
        if node.text:
            current.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(element)
    flush()
    return lines


def element_text(element: lxml_html.HtmlElement) -> str:
    """Visible text of an element on one line."""
    return " ".join(text_lines(element))


_LAYOUT_CELL_CHARS = 150


def _is_layout_table(table: lxml_html.HtmlElement) -> bool:
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if cell.find(".//p") is not None or cell.find(".//div") is not None:
            return True
        if len((cell.text_content() or "").strip()) > _LAYOUT_CELL_CHARS:
            return True
    return False


def flatten_layout_tables(root: lxml_html.HtmlElement) -> None:
    """Turn tables used for page layout into divs.

    Old portal templates and many government pages lay the whole page out in nested tables;
    body extractors treat those as data tables and keep every cell. Tables whose cells hold
    paragraphs, nested tables or long text are layout; short-celled data tables stay.
    """
    layout = [table for table in root.iter("table") if _is_layout_table(table)]
    for table in layout:
        own_parts = [
            element
            for element in table.iter("tbody", "thead", "tfoot", "tr", "td", "th")
            if next(element.iterancestors("table"), None) is table
        ]
        for element in own_parts:
            if element.tag in ("tbody", "thead", "tfoot"):
                element.drop_tag()
            else:
                element.tag = "div"
        table.tag = "div"
