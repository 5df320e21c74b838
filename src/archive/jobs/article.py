"""One article's record: from pages a worker was handed, or from their WARC records.

Both the crawler (one job per captured article) and `archive extract` (every HTML
response of some WARC files) go through these functions, so a dataset built during a
crawl and one rebuilt later from the WARC files alone are made by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.changes.verdict import GONE, UNREACHABLE, Verdict, page_verdict
from archive.errors import WarcReadError
from archive.jobs.counters import CounterCall, CustomCounter, find_counter, read_counter
from archive.jobs.time_bound import bounded
from archive.records import (
    ArticleJob,
    ArticleRecord,
    CounterCapture,
    ExtractionRules,
    FetchedPage,
    ViewsObservation,
    ViewsRow,
    WarcPointer,
)
from archive.warc.reader import read_page
from archive.zones import DEFAULT_ZONE_NAME, settle_dates

if TYPE_CHECKING:
    from archive.extract import PageTree


@bounded
def extract_job(job: ArticleJob, rules: ExtractionRules | None = None) -> ArticleRecord | None:
    """The record of one article from the pages it carries, or read from WARC when it
    carries none (a job a killed run left); its views from its counter answer.

    Runs in a worker process.
    """
    from archive.extract import extract_article

    pages = list(job.pages) or [read_page(pointer) for pointer in job.pointers]
    record = finished(extract_article(pages, site=job.site, rules=rules, force=job.force), rules)
    if record is not None and job.attachments:
        from archive.jobs.attachments import annotated

        record.attachments = annotated(record.attachments, {link.url: link for link in job.attachments})
    if record is not None and job.counter is not None:
        return with_counter_answer(record, job.counter)
    return record


def with_counter_answer(record: ArticleRecord, counter: CounterCapture) -> ArticleRecord:
    """The record with the views its counter answered (the answer in hand, or read from WARC).

    Runs in a worker process: counter answers are read nowhere else.
    """
    answer = counter.answer
    if answer is None and counter.pointer is not None:
        answer = read_page(counter.pointer)
    if answer is not None:
        apply_counter(record, counter.family, answer, counter.read_pattern)
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


def views_row(record: ArticleRecord) -> ViewsRow | None:
    """The reading of the views history a record carries, if it shows a count."""
    if record.views is None or record.views_observed_at is None:
        return None
    return ViewsRow(record.url, record.site, record.views_observed_at, record.views)


def observed_views(observation: ViewsObservation, read_pattern: str | None = None) -> ViewsRow | None:
    """A later reading of an archived article's counter, or None when its answer shows no count.

    Runs in a worker process.
    """
    views = read_counter(observation.family, observation.answer, read_pattern)
    if views is None:
        return None
    return ViewsRow(observation.url, observation.site, observation.observed_at, views)


@dataclass(frozen=True)
class PageFacts:
    """What the first pass learns about one captured HTML page."""

    record: ArticleRecord | None
    continuations: list[str]
    counter: CounterCall | None
    error: str | None = None
    # what the page shows in place of the article, or that it shows it (archive.changes.verdict)
    verdict: Verdict | None = None


def page_facts(page: FetchedPage, *, site: str, rules: ExtractionRules | None, force: bool,
               counter: CustomCounter | None, tree: PageTree | None = None) -> PageFacts:
    """A page's record on its own, the pages that continue it and its view counter: what
    both `archive extract` and the crawl's workers learn from one page. `tree` is the page
    already parsed by the caller (extraction changes it)."""
    from archive.extract import decode_html, extract_page

    # One parse gives the record and the continuation links (a second one doubled the cost).
    found = extract_page(page, site=site, rules=rules, force=force, tree=tree)
    record = finished(found.record, rules)
    verdict = page_verdict(page, record)
    if verdict.kind in (GONE, UNREACHABLE):
        # a challenge page or a "page not found" template is no version of the article
        record = None
    if record is None:
        return PageFacts(None, [], None, verdict=verdict)
    document = found.document if found.document is not None else decode_html(page.body, page.headers)
    return PageFacts(record, found.continuations, find_counter(document, page.url, counter), verdict=verdict)


def html_type(content_type: str) -> bool:
    """A Content-Type extraction reads: HTML, or none given (servers of old CMSs send none)."""
    content_type = content_type.lower()
    return "html" in content_type or content_type == ""


def captured_page_facts(pointer: WarcPointer, site: str, rules: ExtractionRules | None, force: bool,
                        counter: CustomCounter | None) -> PageFacts:
    """Worker: what the crawl would have learnt of a page it captured as a possible article
    (a killed run captured it but never handed it to extraction). A page that cannot be
    read gives an error; one that is no HTML page gives no record."""
    try:
        page = read_page(pointer)
    except WarcReadError as exc:
        return PageFacts(None, [], None, error=str(exc))
    if page.status != 200 or not html_type(page.headers.get("content-type", "")):
        return PageFacts(None, [], None)
    return page_facts(page, site=site, rules=rules, force=force, counter=counter)
