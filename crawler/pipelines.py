"""Collect article records into the dataset; have multi-page articles extracted.

Most records arrive made: the spider's workers extract a one-page article as they read
its links (crawler/page_work.py). An article of several pages arrives as a job carrying
its pages, which the same workers extract; so do the answers of view counters. The
reactor only submits work and receives results, so both cores work and a slow page
never stalls fetching. Only a job left by a killed run is read back from WARC. Every job is written
to the state store before it is submitted and marked done only once its row is in a
Parquet file on disk, so a crawl killed at any moment leaves a list of jobs the next
run finishes.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Self

import pyarrow.compute as pc
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from archive.datadir import DataDir
from archive.dataset.files import open_dataset
from archive.dataset.writer import DatasetWriter
from archive.jobs.article import (
    PageFacts,
    captured_page_facts,
    extract_job,
    observed_views,
    views_row,
    with_counter_answer,
)
from archive.jobs.time_bound import PageTimeout
from archive.records import ArticleJob, ArticleRecord, CounterCapture, ExtractedArticle, ViewsObservation, ViewsRow
from archive.state.store import shared_state
from crawler.attachment_rows import is_attachment_row
from crawler.faults import FATAL_ERRORS, report_fault
from crawler.workers import WORKERS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Rows wait in memory at most this long (or until BATCH_ROWS gather) before they are
# written and count as done. Rows lost to a crash are only recomputed from WARC, so the
# interval trades that work against many small files (one per site and flush).
FLUSH_SECONDS = 300.0
BATCH_ROWS = 2000

# The pipelines of this process, one per site being crawled.
_OPEN: set[ExtractionPipeline] = set()


class ExtractionPipeline:
    def __init__(self, crawler: Crawler, out: Path, held_rows: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.out = out
        self.data = DataDir(out)
        self.held_rows = held_rows
        self.pending: set[defer.Deferred] = set()
        # captures given a row by this run: one row a capture, whatever path it came by
        self.added: set[str] = set()
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_EXTRACT_ENABLED"):
            raise NotConfigured("ARCHIVE_EXTRACT_ENABLED is off")
        return cls(crawler, Path(crawler.settings.get("ARCHIVE_OUT")), crawler.settings.getint("ARCHIVE_HELD_ROWS"))

    def open_spider(self) -> None:
        site = self.crawler.spider.site
        self.rules = site.rules
        self.state = shared_state(self.out)
        self.workers = WORKERS.acquire(self.crawler.settings)
        worker = self.crawler.settings.get("ARCHIVE_WORKER_ID") or None  # a worker of a crawl on many machines
        self.articles = DatasetWriter(self.data.articles, batch_size=BATCH_ROWS, worker=worker)
        self.views = DatasetWriter(self.data.views, views=True, batch_size=BATCH_ROWS, worker=worker)
        _OPEN.add(self)
        self._resume(site)

    def _resume(self, site) -> None:
        """Finish what an interrupted run left: extract the jobs whose row is not on disk,
        and the pages it captured as possible articles but never handed over."""
        jobs = self.state.pending_jobs(site.id)
        written = _record_ids_in_dataset(self.data.articles, site.id) if jobs else set()
        for job in jobs:
            if job.pointers[0].record_id in written:
                self.state.articles_done([(job.url, "done")])
            else:
                self.stats.inc_value("archive/resumed_jobs")
                self._submit(job)
        for url, pointer in self.state.unextracted(site.id):
            self.stats.inc_value("archive/resumed_captures")
            force = site.matches_article(url)
            # Known from now on (a pending article): the spider, meeting its link before
            # the worker answers, must not extract the same capture a second time.
            self.state.article_submitted(ArticleJob(url, site.id, [pointer], force))
            self._in_worker((url, pointer, force), self._recovered, self._recovery_failed, captured_page_facts,
                            pointer, site.id, self.rules, force, site.counter)

    def _recovered(self, facts: PageFacts, about: tuple) -> None:
        url, pointer, force = about
        if facts.error is not None:
            self._recovery_failed(facts.error, about)
            return
        # Pages that continue the article join it when they were captured too.
        following = [known.pointer for known in map(self.state.known, facts.continuations)
                     if known is not None and known.pointer is not None and known.status == 200]
        counter = CounterCapture(facts.counter.family, facts.counter.url, None, facts.counter.read_pattern) \
            if facts.counter else None
        job = ArticleJob(url, self.crawler.spider.site.id, [pointer, *following], force, counter)
        self.state.article_submitted(job)
        if following:
            self._submit(job)
        else:
            self._done(facts.record, job)

    def _recovery_failed(self, failure, about: tuple) -> None:
        self.stats.inc_value("archive/extraction_failed")
        self.crawler.spider.logger.error("extraction failed for %s: %s", about[0], getattr(failure, "value", failure))

    def process_item(self, item):
        # The item is done for Scrapy at once; what the workers make of it lands when they answer.
        if is_attachment_row(item):  # crawler/attachment_rows.py writes those
            return item
        if isinstance(item, ViewsObservation):
            custom = self.crawler.spider.site.counter
            pattern = custom.read if custom and item.family == "custom" else None
            self._in_worker(item, self._observed, self._views_failed, observed_views, item, pattern)
            return item
        job = item.job if isinstance(item, ExtractedArticle) else item
        self.state.article_submitted(job)
        if not isinstance(item, ExtractedArticle):
            self._submit(job)
        elif item.record is not None and job.counter is not None and job.counter.pointer is not None:
            self._in_worker(job, self._done, self._failed, with_counter_answer, item.record, job.counter)
        else:
            self._done(item.record, job)
        return item

    def _submit(self, job: ArticleJob) -> None:
        self._in_worker(job, self._done, self._failed, extract_job, job, self.rules)

    def _in_worker(self, about, done, failed, function, *args) -> None:
        """Run `function(*args)` in a worker; `done(result, about)` or `failed(failure, about)` follows."""
        answer = self.workers.submit(function, *args)
        answer.addCallbacks(done, failed, callbackArgs=(about,), errbackArgs=(about,))
        # what the callbacks raise: a full disk, a failing state store
        answer.addErrback(self._fault)
        self.pending.add(answer)
        answer.addBoth(self._forget, answer)

    def _fault(self, failure) -> None:
        if not failure.check(*FATAL_ERRORS):
            return failure
        report_fault(self.crawler, str(failure.value))
        return None

    def _forget(self, result, done):
        self.pending.discard(done)
        return result

    def _observed(self, row: ViewsRow | None, observation: ViewsObservation) -> None:
        if row is None:
            self.stats.inc_value("archive/views_unavailable/unreadable")
            return
        self.views.add(row)
        self.state.counter_read(row.url, row.observed_at)
        self.stats.inc_value("archive/views_observed")

    def _views_failed(self, failure, observation: ViewsObservation) -> None:
        self.stats.inc_value("archive/views_unavailable/worker_failed")
        self.crawler.spider.logger.error("reading the views of %s failed: %s", observation.url, failure.value)

    def _failed(self, failure, job: ArticleJob) -> None:
        # a worker error must not stop the crawl: count it, keep the job pending
        self.stats.inc_value("archive/extraction_failed")
        if failure.check(PageTimeout):
            self.stats.inc_value("archive/extraction_timed_out")
        self.crawler.spider.logger.error("extraction failed for %s: %s", job.url, failure.value)

    def _done(self, record: ArticleRecord | None, job: ArticleJob) -> None:
        if record is None:
            self.stats.inc_value("archive/non_article_pages")
            self.state.articles_done([(job.url, "not_article")])
        else:
            self._add(record)
        if time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self._flush()
        elif sum(pipeline.articles.held for pipeline in _OPEN) >= self.held_rows:
            for pipeline in _OPEN:
                pipeline._flush()

    def _add(self, record: ArticleRecord) -> None:
        if record.warc_record_id is not None:
            if record.warc_record_id in self.added:
                self.stats.inc_value("archive/articles_repeated")
                return
            self.added.add(record.warc_record_id)
        warc_file = os.path.relpath(record.warc_file, self.out) if record.warc_file else None
        self._mark_done(self.articles.add(replace(record, warc_file=warc_file)))
        self.stats.inc_value("archive/articles")
        row = views_row(record)
        if row is not None:
            self.views.add(row)
            self.state.counter_read(row.url, row.observed_at)

    def _mark_done(self, written: list[ArticleRecord]) -> None:
        if written:
            self.state.articles_done([(r.url, "done") for r in written])

    def _flush(self) -> None:
        """Write the rows held; a failure (a full disk) is a fault: the rows not written
        stay pending in the state, and the next run extracts them again from WARC."""
        try:
            self._mark_done(self.articles.flush())
            self.views.flush()
        except FATAL_ERRORS as exc:
            what = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            report_fault(self.crawler, f"{what}cannot write the dataset ({getattr(exc, 'strerror', None) or exc})")
        self.last_flush = time.monotonic()

    async def close_spider(self) -> None:
        if self.pending:
            await maybe_deferred_to_future(defer.DeferredList(list(self.pending)))
        self._flush()
        _OPEN.discard(self)
        self.stats.set_value("archive/parquet_files", len(self.articles.files))
        WORKERS.release()


def _record_ids_in_dataset(root: Path, site: str) -> set[str]:
    if not root.is_dir():
        return set()
    table = open_dataset(root).to_table(columns=["warc_record_id"], filter=pc.field("site") == site)
    return set(table.column("warc_record_id").to_pylist())
