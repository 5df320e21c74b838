"""The body candidates of a page: its CMS family's container where the family's marker is
present, a document-sharing page's numbered fragments, and the general engines."""

from __future__ import annotations

from collections.abc import Callable

from lxml import html as lxml_html

from .agreement import Candidate
from .body import find_container
from .engines import prepare_tree, readability_lines, trafilatura_lines
from .fragments import find_fragments
from .html import text_lines
from .trimming import trim_body


def trimmed(engine: str, raw: list[str], title: str | None,
            container: lxml_html.HtmlElement | None = None) -> Candidate:
    """A candidate from an engine's raw lines: headline copy, bylines and page furniture off."""
    lines, head, tail = trim_body(raw, title)
    return Candidate(engine, lines, head, tail, container)


def family_candidates(root: lxml_html.HtmlElement, title: str | None) -> list[Candidate]:
    """What the page's own markup says holds the text, where a family's marker is present."""
    found = find_container(root)
    if found is not None:
        family, container = found
        return [trimmed(family, text_lines(container), title, container)]
    pieces = find_fragments(root)
    if pieces is not None:
        container, raw = pieces
        return [trimmed("fragments", raw, title, container)]
    return []


def engine_candidates(
    root: lxml_html.HtmlElement, url: str, title: str | None
) -> tuple[Candidate, Callable[[], Candidate]]:
    """trafilatura's candidate now, and readability's when it is asked for.

    Both read the tree as `prepare_tree` leaves it, which changes it: the page's own
    lines must be read before.
    """
    prepare_tree(root)
    first = trimmed("trafilatura", trafilatura_lines(root, url), title)
    return first, lambda: trimmed("readability", readability_lines(root), title)
