"""Attachment rows into the attachments dataset (DATA/attachments/).

The spider hands over the rows its workers made of the files it fetched
(crawler/attachments.py). A row counts as done in the crawl state only once it is in a
Parquet file on disk; the rows a killed run held are made again at the next run's start,
by the workers, from the WARC records the state points to.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from archive.attachments.reading import ReadLimits
from archive.datadir import DataDir
from archive.dataset.writer import ATTACHMENT_BATCH_ROWS, DatasetWriter
from archive.jobs.attachments import read_attachment
from archive.records import AttachmentCapture, AttachmentRow
from archive.state.attachments import attachment_ledger
from archive.state.store import shared_state
from crawler.faults import FATAL_ERRORS, report_fault
from crawler.workers import WORKERS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Rows are written at least this often, and once their texts pass HELD_CHARS: a row may
# carry megabytes of text.
FLUSH_SECONDS = 300.0
HELD_CHARS = 32_000_000


def is_attachment_row(item) -> bool:
    """Whether `item` is a row for this pipeline (the others let it pass)."""
    return isinstance(item, AttachmentRow)


class AttachmentPipeline:
    def __init__(self, crawler: Crawler, out: Path, limits: ReadLimits) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.out = out
        self.limits = limits
        self.held_chars = 0
        self.last_flush = time.monotonic()
        self.pending: list[defer.Deferred] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_ATTACHMENTS_ENABLED") or not settings.getbool("ARCHIVE_EXTRACT_ENABLED"):
            raise NotConfigured("ARCHIVE_ATTACHMENTS_ENABLED or ARCHIVE_EXTRACT_ENABLED is off")
        return cls(crawler, Path(settings.get("ARCHIVE_OUT")),
                   ReadLimits(seconds=settings.getfloat("ARCHIVE_ATTACHMENTS_TIMEOUT"),
                              memory_mb=settings.getint("ARCHIVE_ATTACHMENTS_MEMORY_MB")))

    def open_spider(self) -> None:
        self.ledger = attachment_ledger(shared_state(self.out))
        worker = self.crawler.settings.get("ARCHIVE_WORKER_ID") or None  # a worker of a crawl on many machines
        self.writer = DatasetWriter(DataDir(self.out).attachments, attachments=True, batch_size=ATTACHMENT_BATCH_ROWS,
                                    worker=worker)
        self.workers = WORKERS.acquire(self.crawler.settings)
        # the rows a killed run held: made again from their WARC records
        for capture in self.ledger.pending(self.crawler.spider.site.id):
            self.stats.inc_value("archive/attachments/resumed")
            answer = self.workers.submit(read_attachment, capture, self.limits)
            answer.addCallbacks(self._resumed, self._resume_failed, callbackArgs=(capture,), errbackArgs=(capture,))
            self.pending.append(answer)

    def _resumed(self, row: AttachmentRow | None, capture: AttachmentCapture) -> None:
        try:
            if row is None:
                self.ledger.not_a_file(capture.url)
            else:
                self.ledger.read(row.url, row.sha1, row.status)
                self._add(row)
        except FATAL_ERRORS as exc:  # a failing state store
            report_fault(self.crawler, str(exc))

    def _resume_failed(self, failure, capture: AttachmentCapture) -> None:
        self.stats.inc_value("archive/attachments/read_failed")
        self.crawler.spider.logger.error("reading the attachment %s failed: %s", capture.url, failure.value)

    def process_item(self, item):
        if isinstance(item, AttachmentRow):
            self._add(item)
        return item

    def _add(self, row: AttachmentRow) -> None:
        warc_file = os.path.relpath(row.warc_file, self.out) if row.warc_file else None
        self.held_chars += len(row.text or "")
        self._written(self.writer.add(replace(row, warc_file=warc_file)))
        self.stats.inc_value("archive/attachments/rows")
        if self.held_chars >= HELD_CHARS or time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self._flush()

    def _written(self, rows: list[AttachmentRow]) -> None:
        if rows:  # every row held was written
            self.held_chars = 0
            self.ledger.written([row.url for row in rows])

    def _flush(self) -> None:
        """Write the rows held; a failure (a full disk) is a fault, the rows stay pending."""
        try:
            self._written(self.writer.flush())
        except FATAL_ERRORS as exc:
            what = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            report_fault(self.crawler, f"{what}cannot write the attachments dataset "
                                       f"({getattr(exc, 'strerror', None) or exc})")
        self.last_flush = time.monotonic()

    async def close_spider(self) -> None:
        if self.pending:
            await maybe_deferred_to_future(defer.DeferredList(self.pending))
        self._flush()
        WORKERS.release()
