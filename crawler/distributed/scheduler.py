"""scrapy-redis's scheduler and duplicate filter, scoped to one run of a site.

scrapy-redis keys both by spider name alone: its duplicate filter outlives every run (with
SCHEDULER_PERSIST) and the next scheduled run would find every list page "seen" and
re-poll nothing; without SCHEDULER_PERSIST the first worker to close deletes the queue the
others still drain. Here both keys carry the run's id (crawler.distributed.runs), the
queue is never flushed by a worker, and the run's keys are deleted when its last worker
leaves; the filter also expires, should no worker ever come back.
"""

from __future__ import annotations

import logging

import redis
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from archive.errors import StateError
from archive.state import cluster
from crawler.distributed.queue import LEASE, LeasedQueue
from crawler.faults import report_fault

log = logging.getLogger(__name__)

# A run's duplicate filter outlives a run abandoned by all its workers by this long at most.
SEEN_EXPIRES = 7 * 24 * 3600


class RunDupeFilter(RFPDupeFilter):
    """The URLs requested in this run, by any worker; gone with the run."""

    def request_seen(self, request) -> bool:
        pipe = self.server.pipeline(transaction=False)
        pipe.sadd(self.key, self.request_fingerprint(request))
        pipe.expire(self.key, SEEN_EXPIRES)
        added, _ = pipe.execute()
        return added == 0

    def close(self, reason: str = "") -> None:
        """Kept: the other workers of the run still use it (scrapy-redis would delete it)."""


class RunScheduler(Scheduler):
    """The shared queue of the run, leased (crawler.distributed.queue); a Redis that
    cannot be reached stops the site's crawl as a fault, like a failing state store."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.redis_url = crawler.settings.get("ARCHIVE_REDIS_URL")
        scheduler.worker = crawler.settings.get("ARCHIVE_WORKER_ID")
        scheduler.lease_ms = int(crawler.settings.getfloat("ARCHIVE_REDIS_LEASE_SECONDS") * 1000)
        return scheduler

    def open(self, spider) -> None:
        try:
            super().open(spider)
        except redis.RedisError as exc:
            raise cluster.redis_error(self.redis_url, exc) from None
        self.queue.worker = self.worker
        self.queue.lease_ms = self.lease_ms

    @property
    def leased(self) -> LeasedQueue:
        return self.queue

    def enqueue_request(self, request) -> bool:
        request.meta.pop(LEASE, None)
        try:
            return super().enqueue_request(request)
        except redis.RedisError as exc:
            # Raised here it would end one of the tasks Scrapy hands a page's links to, and
            # the page would never be done: the crawl could not even stop. The crawl stops
            # on the fault instead, and the next run asks for the request again.
            report_fault(self.crawler, str(cluster.redis_error(self.redis_url, exc)))
            return False

    def next_request(self):
        try:
            return super().next_request()
        except redis.RedisError as exc:
            report_fault(self.crawler, str(cluster.redis_error(self.redis_url, exc)))
            return None

    def has_pending_requests(self) -> bool:
        try:
            return super().has_pending_requests()
        except redis.RedisError as exc:
            report_fault(self.crawler, str(cluster.redis_error(self.redis_url, exc)))
            return False

    def finished(self, request, *, back: bool) -> None:
        """The engine is done with `request`: acknowledge its lease, or (`back`) put it
        back for another worker: it was not fetched, or its capture not written."""
        lease = request.meta.get(LEASE)
        if lease is None:
            return
        try:
            self.queue.release(lease, back=back)
        except redis.RedisError as exc:
            # the lease runs out and the request is fetched again: a double fetch, no loss
            log.warning("%s: lease %s not released (%s)", request.url, lease, exc)

    def close(self, reason: str) -> None:
        try:
            back = self.queue.release_all()
        except redis.RedisError as exc:
            raise StateError(str(cluster.redis_error(self.redis_url, exc))) from None
        if back:
            log.info("%d leased requests put back in the queue of the run", back)
