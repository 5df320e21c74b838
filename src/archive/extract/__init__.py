"""Article extraction for Chinese official news pages.

`extract_article` turns one captured page (plus continuation pages) into an ArticleRecord;
`continuation_links` finds the following pages of a multi-page article; `decode_html`
decides a body's charset.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from ..records import ArticleRecord, ExtractionRules, FetchedPage
from .charset import decode_html
from .page import read_page
from .pagination import continuation_urls
from .record import build_record

__all__ = ["EXTRACTOR_VERSION", "continuation_links", "decode_html", "extract_article"]

EXTRACTOR_VERSION = "2026.11.2"

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
    rules = rules or ExtractionRules()
    try:
        return build_record(pages, site=site, rules=rules, force=force, version=EXTRACTOR_VERSION)
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
        )


def continuation_links(page: FetchedPage) -> list[str]:
    """Absolute URLs of the pages following this one in the same multi-page article."""
    try:
        parsed = read_page(page, ExtractionRules())
        if parsed is None or not parsed.looks_like_article():
            return []
        return continuation_urls(parsed.root, page.url)
    except Exception:
        logger.exception("pagination failed for %s", page.url)
        return []
