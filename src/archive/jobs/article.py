"""One article's record: from pages a worker was handed, or from their WARC records.

Both the crawler (one job per captured article) and `archive extract` (every HTML
response of some WARC files) go through these functions, so a dataset built during a
crawl and one rebuilt later from the WARC files alone are made by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.jobs.counters import CounterCall, CustomCounter, find_counter, read_counter
from archive.records import ArticleJob, ArticleRecord, ExtractionRules, FetchedPage
from archive.warc.reader import read_page
from archive.zones import DEFAULT_ZONE_NAME, settle_dates

if TYPE_CHECKING:
    from archive.extract import PageTree

def extract_job(job: ArticleJob, rules: ExtractionRules | None = None) -> ArticleRecord | None:
    """Read the pages of one article (and its counter answer) from WARC; extract its record.

    Runs in a worker process.
    """
    from archive.extract import extract_article

    pages = [read_page(pointer) for pointer in job.pointers]
    record = finished(extract_article(pages, site=job.site, rules=rules, force=job.force), rules)
    if record is not None and job.counter is not None and job.counter.pointer is not None:
        apply_counter(record, job.counter.family, read_page(job.counter.pointer), job.counter.read_pattern)
    return record


def finished(record: ArticleRecord | None, rules: ExtractionRules | None) -> ArticleRecord | None:
    """The record with what the site's config and the dataset add to extraction: its
    publication time in the site's zone and the day it prints, and its SimHash (computed
    here, in the worker, not in the process writing Parquet)."""
    if record is None:
        return None
    settle_dates(record, rules.timezone if rules else DEFAULT_ZONE_NAME)
    if record.simhash is None:
        from archive.dataset.fingerprint import simhash

        record.simhash = simhash(record.text)
    return record


def apply_counter(record: ArticleRecord, family: str, answer: FetchedPage, read_pattern: str | None = None) -> None:
    """Views from a counter endpoint are the live number: they win over one printed in the page."""
    views = read_counter(family, answer.body, read_pattern) if answer.status == 200 else None
    if views is not None:
        record.views = views
        record.views_observed_at = answer.fetched_at


@dataclass(frozen=True)
class PageFacts:
    """What the first pass learns about one captured HTML page."""

    record: ArticleRecord | None
    continuations: list[str]
    counter: CounterCall | None
    error: str | None = None


def page_facts(page: FetchedPage, *, site: str, rules: ExtractionRules | None, force: bool,
               counter: CustomCounter | None, tree: PageTree | None = None) -> PageFacts:
    """A page's record on its own, the pages that continue it and its view counter: what
    both `archive extract` and the crawl's workers learn from one page. `tree` is the page
    already parsed by the caller (extraction changes it)."""
    from archive.extract import decode_html, extract_page

    # One parse gives the record and the continuation links (a second one doubled the cost).
    found = extract_page(page, site=site, rules=rules, force=force, tree=tree)
    record = finished(found.record, rules)
    if record is None:
        return PageFacts(None, [], None)
    document = found.document if found.document is not None else decode_html(page.body, page.headers)
    return PageFacts(record, found.continuations, find_counter(document, page.url, counter))
