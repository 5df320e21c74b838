"""Article extraction for Chinese official news pages.

`extract_article` turns one captured page (plus continuation pages) into an ArticleRecord;
`continuation_links` finds the following pages of a multi-page article; `extract_page`
does both for one page with a single parse; `decode_html` decides a body's charset.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import html as lxml_html

from ..records import ArticleRecord, ExtractionRules, FetchedPage
from .agreement import EMPTY
from .charset import decode_html
from .page import PageTree, ParsedPage, page_tree, read_page
from .pagination import continuation_urls
from .record import build_record

__all__ = ["EXTRACTOR_VERSION", "PageExtraction", "PageTree", "continuation_links", "decode_html", "extract_article",
           "extract_page", "page_tree"]

EXTRACTOR_VERSION = "2026.11.7"

logger = logging.getLogger(__name__)


def extract_article(
    pages: Sequence[FetchedPage],
    *,
    site: str,
    rules: ExtractionRules | None = None,
    force: bool = False,
) -> ArticleRecord | None:
    """One article from its first page and its continuation pages, or None for non-articles.

    With force the caller vouches that the page is an article: a record is returned even
    for a short notice or a page the heuristics would reject.
    """
    if not pages:
        return None
    return _record(pages, site, rules or ExtractionRules(), force)


def _record(
    pages: Sequence[FetchedPage],
    site: str,
    rules: ExtractionRules,
    force: bool,
    parsed: Sequence[ParsedPage | None] | None = None,
) -> ArticleRecord | None:
    try:
        return build_record(pages, site=site, rules=rules, force=force, version=EXTRACTOR_VERSION,
                            parsed_pages=parsed)
    except Exception:  # extraction must never take the pipeline down with one page
        logger.exception("extraction failed for %s", pages[0].url)
        if not force:
            return None
        first = pages[0]
        return ArticleRecord(
            url=first.url,
            site=site,
            fetched_at=first.fetched_at,
            warc_file=first.pointer.file if first.pointer else None,
            warc_offset=first.pointer.offset if first.pointer else None,
            warc_record_id=first.pointer.record_id if first.pointer else None,
            extractor_version=EXTRACTOR_VERSION,
            content_sha1=hashlib.sha1(b"").hexdigest(),
            kind=rules.kind,
            page_count=len(pages),
            quality=EMPTY,
        )


@dataclass(frozen=True)
class PageExtraction:
    """What one page gives on its own: its record, the pages that continue it, its decoded text."""

    record: ArticleRecord | None
    continuations: list[str]
    # None when the page held no parseable markup
    document: str | None


def extract_page(
    page: FetchedPage,
    *,
    site: str,
    rules: ExtractionRules | None = None,
    force: bool = False,
    tree: PageTree | None = None,
) -> PageExtraction:
    """`extract_article([page])` and `continuation_links(page)` at the cost of one parse.

    Parsing and body extraction are most of the cost of a page; doing them once instead
    of twice halves the work of a first pass over captured pages. `tree` is that parse
    when the caller made it already (for the page's links); extraction changes it.
    """
    rules = rules or ExtractionRules()
    try:
        parsed = read_page(page, rules, tree)
    except Exception:
        # build_record reads the page again and makes the fallback record (or None) itself
        return PageExtraction(_record([page], site, rules, force), [], None)
    record = _record([page], site, rules, force, [parsed])
    return PageExtraction(record, _continuations(page, parsed), parsed.document if parsed else None)


def _continuations(page: FetchedPage, parsed: ParsedPage | None) -> list[str]:
    """The continuation links of a page read with a site's rules, as `continuation_links` gives them."""
    if parsed is None or not parsed.continuation:
        return []
    try:
        # with a site's selectors, the page read with them decides: the crawl and
        # `archive extract --site` read it so, and no page is parsed twice
        return list(parsed.continuation) if parsed.looks_like_article() else []
    except Exception:
        logger.exception("pagination failed for %s", page.url)
        return []


def continuation_links(page: FetchedPage, root: lxml_html.HtmlElement | None = None) -> list[str]:
    """Absolute URLs of the pages following this one in the same multi-page article.

    Most pages have no candidate link at all, and finding that takes a parse but no body
    extraction: the spider calls this for every article page it fetches, passing the
    `root` from page_tree it parsed for its links.
    """
    try:
        root = page_tree(page).root if root is None else root
        if root is None or not continuation_urls(root, page.url):
            return []
        return _continuations(page, read_page(page, ExtractionRules()))
    except Exception:
        logger.exception("pagination failed for %s", page.url)
        return []
