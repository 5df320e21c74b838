"""Document-sharing previews: a document cut into numbered page fragments.

Sharing sites show a document as a run of sibling blocks, each opening with its page number
(`<span>2、</span>`), and the cuts fall mid-sentence. The numbers are chrome and the halves of
a cut sentence belong together.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from .html import text_lines

_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[、.．]?\s*$")
_LEADING_NUMBER = re.compile(r"^\s*\d{1,3}\s*[、.．]?\s*")
_SENTENCE_END = re.compile(r"[。！？!?…”’」』）)\]】;；]$")
_MIN_FRAGMENTS = 2
_MIN_CHARS_PER_FRAGMENT = 40
_BLOCKS = frozenset({"div", "p", "section", "article"})


def _fragment_number(block: lxml_html.HtmlElement) -> int | None:
    """The page number a block opens with, when it is marked up as its own element."""
    if (block.text or "").strip():
        return None
    children = list(block)
    if not children or not isinstance(children[0].tag, str):
        return None
    match = _NUMBER.match(children[0].text_content())
    return int(match.group(1)) if match else None


def find_fragments(root: lxml_html.HtmlElement) -> tuple[lxml_html.HtmlElement, list[str]] | None:
    """The container of numbered fragments and its text with the cuts mended, if the page has one."""
    for parent in root.iter("div", "section", "article", "td"):
        blocks = [child for child in parent if isinstance(child.tag, str)]
        if len(blocks) < _MIN_FRAGMENTS or any(block.tag not in _BLOCKS for block in blocks):
            continue
        numbers = [_fragment_number(block) for block in blocks]
        if any(number is None for number in numbers):
            continue
        # the numbers count pages: consecutive, ascending
        if numbers != list(range(numbers[0], numbers[0] + len(numbers))):  # type: ignore[arg-type]
            continue
        texts = [text_lines(block) for block in blocks]
        # a numbered table of contents is no document: fragments carry pages of text
        if sum(len(line) for text in texts for line in text) < _MIN_CHARS_PER_FRAGMENT * len(blocks):
            continue
        return parent, mend_fragments(texts)
    return None


def mend_fragments(fragments: list[list[str]]) -> list[str]:
    """Join fragment texts, dropping their numbers and gluing sentences cut at a fragment edge."""
    lines: list[str] = []
    for fragment in fragments:
        if not fragment:
            continue
        first = _LEADING_NUMBER.sub("", fragment[0], count=1)
        rest = fragment[1:]
        if not first:
            pass
        elif lines and (not _SENTENCE_END.search(lines[-1]) or first[0] in "。，、；：！？）"):
            lines[-1] += first
        else:
            lines.append(first)
        lines.extend(rest)
    return lines
