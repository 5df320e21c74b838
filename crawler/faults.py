"""Faults that leave a crawl's work undone: a full disk, a damaged or unwritable state.

A fault stops the site's crawl at once (going on would only fetch pages it cannot keep)
and is kept in the crawl stats, so the run is not recorded as finished, the command says
what happened in one line and exits 1, and the next run (the space freed, the state
rebuilt) finds the work still to do.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from archive.errors import StateError

log = logging.getLogger(__name__)

# The stats key holding the first fault of a site's crawl, as one line.
FAULT = "archive/fault"
# Errors that are faults wherever they surface: the disk, the state store.
FATAL_ERRORS = (OSError, StateError)


def report_fault(crawler: Crawler, message: str) -> None:
    """Keep the fault, and stop the site's crawl (once)."""
    message = " ".join(message.split())
    if crawler.stats.get_value(FAULT) is None:
        crawler.stats.set_value(FAULT, message)
        log.error("stopping the crawl: %s", message)
        engine = crawler.engine
        if engine is not None and engine.spider is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason="fault"))
    crawler.stats.inc_value("archive/faults")


class FaultWatch:
    """Extension: faults raised in a spider callback or an item pipeline, where Scrapy
    would log them and go on."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        watch = cls(crawler)
        crawler.signals.connect(watch.failed, signal=signals.spider_error)
        crawler.signals.connect(watch.failed, signal=signals.item_error)
        return watch

    def failed(self, failure, **_) -> None:
        if isinstance(failure.value, FATAL_ERRORS):
            report_fault(self.crawler, str(failure.value))
