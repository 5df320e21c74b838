"""A worker's part in a run shared with others: alive, seeding, and closing when the run is done.

scrapy-redis leaves a worker either closing as soon as the shared queue is empty for a
moment (while another worker's page in flight may still add to it) or, with its
RedisSpider, never closing at all. Here a worker that runs out of requests stays open
until the run is drained (crawl.distributed.runs): the queue empty and no lease held
by anyone. Before closing it takes over what workers gone from the run left: their
unfinished WARC files are repaired and the articles they fetched but never wrote are
extracted (crawler.distributed.adoption), so a worker killed mid-crawl costs nothing.

It also beats for the worker (archive.state.cluster), renews the worker's leases, puts
back the leases of workers gone, and keeps the site's page budget for the run as a whole.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Self

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from twisted.internet import task

from archive.state import cluster
from crawler.distributed.adoption import adopt_leftovers
from crawler.distributed.runs import RunComponent, run_of
from crawler.faults import report_fault

log = logging.getLogger(__name__)


class WorkerLink:
    """Extension of every site crawler of a worker (`crawler.archive_run` is its SiteRun)."""

    def __init__(self, crawler, run, lease_seconds: float, max_pages: int) -> None:
        self.crawler = crawler
        self.run = run
        self.lease_seconds = lease_seconds
        self.max_pages = max_pages
        self.out = Path(crawler.settings.get("ARCHIVE_OUT"))
        self.url = crawler.settings.get("ARCHIVE_REDIS_URL")
        self.beats: task.LoopingCall | None = None
        self.adopted = False

    @classmethod
    def from_crawler(cls, crawler) -> Self:
        link = cls(crawler, run_of(crawler), crawler.settings.getfloat("ARCHIVE_REDIS_LEASE_SECONDS"),
                   crawler.settings.getint("ARCHIVE_REDIS_MAX_PAGES"))
        crawler.signals.connect(link.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(link.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(link.response_received, signal=signals.response_received)
        crawler.signals.connect(link.spider_closed, signal=signals.spider_closed)
        return link

    def spider_opened(self, spider) -> None:
        self.beats = task.LoopingCall(self.beat)
        self.beats.start(self.lease_seconds / 3, now=True)

    def spider_closed(self, spider) -> None:
        if self.beats is not None and self.beats.running:
            self.beats.stop()

    def _queue(self):
        scheduler = self.crawler.engine._slot.scheduler if self.crawler.engine._slot else None
        return getattr(scheduler, "queue", None)

    def beat(self) -> None:
        try:
            if not cluster.beat(self.run.client, self.run.worker, self.lease_seconds, {"site": self.run.site}):
                log.warning("worker %s was taken for gone (no beat for %.0f s): its leased requests may be fetched "
                            "twice", self.run.worker, self.lease_seconds)
            queue = self._queue()
            if queue is not None:
                queue.renew()
                if queue.reap():
                    self.crawler.engine._slot.nextcall.schedule()
            if self.run.budget_spent():
                self._close("closespider_pagecount")
        except redis.RedisError as exc:
            report_fault(self.crawler, str(cluster.redis_error(self.url, exc)))

    def response_received(self, response, request, spider) -> None:
        if not self.max_pages:
            return
        try:
            if self.run.page_fetched() >= self.max_pages:
                self.run.spend_budget()
                self._close("closespider_pagecount")
        except redis.RedisError as exc:
            report_fault(self.crawler, str(cluster.redis_error(self.url, exc)))

    def _close(self, reason: str) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and engine._slot.closing is None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=reason))

    def spider_idle(self, spider) -> None:
        """Close only once the whole run is drained, after taking over what gone workers left."""
        try:
            if self.run.budget_spent():
                return
            if not self.run.drained():
                raise DontCloseSpider
            if not self.adopted:
                self.adopted = True
                adopt_leftovers(self.crawler, self.out, self.run)
        except redis.RedisError as exc:
            report_fault(self.crawler, str(cluster.redis_error(self.url, exc)))


class SeedingMiddleware(RunComponent):
    """Spider middleware: every worker reads the site's seeds, the run's duplicate filter
    drops the repeats; requests that bypass the filter (view counters) come from the
    worker that opened the run only. Once a worker has handed on all its seeds the run
    counts as seeded: it cannot be drained before."""

    async def process_start(self, start):
        run = self.run
        async for seed in start:
            if isinstance(seed, Request) and seed.dont_filter and not run.opened:
                continue
            yield seed
        run.seeded()
