"""A clean stop (Ctrl-C, SIGTERM, the page budget, a full disk) that never waits out a
download delay.

Scrapy stops a crawler gracefully by waiting until every request handed to its
downloader is done, and a request waiting for the site's `delay` (up to 600 s, more
under AutoThrottle's back-off) is one of them: the stop would wait the delay out, and
systemd or a user would kill the run before the WARC files are closed. Requests that
are only waiting for their turn are dropped instead; downloads already on the wire
finish (bounded by DOWNLOAD_TIMEOUT). Dropped requests were never sent, so the next
run asks for them again.
"""

from __future__ import annotations

from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest


class NotFetched(IgnoreRequest):
    """A request dropped from a downloader queue because the crawl is stopping."""

    def __init__(self) -> None:
        super().__init__("not fetched: the crawl is stopping")


def drop_waiting_requests(crawler: Crawler) -> int:
    """Fail every request still queued in the crawler's downloader; how many there were."""
    downloader = getattr(crawler.engine, "downloader", None)
    dropped = 0
    for slot in list(getattr(downloader, "slots", {}).values()):
        slot.close()  # cancels the timer that would release the next request after the delay
        while slot.queue:
            _request, waiting = slot.queue.popleft()
            waiting.errback(NotFetched())
            dropped += 1
    if dropped:
        crawler.stats.inc_value("archive/not_fetched_at_stop", dropped)
    return dropped


class SiteCrawler(Crawler):
    """Scrapy's crawler, whose engine drops the requests waiting for a delay before it
    closes the spider, whatever the reason it closes for."""

    def _create_engine(self) -> ExecutionEngine:
        engine = super()._create_engine()
        close_spider = engine.close_spider_async

        async def close_spider_without_waiting(*, reason: str = "cancelled") -> None:
            drop_waiting_requests(self)
            await close_spider(reason=reason)

        engine.close_spider_async = close_spider_without_waiting  # type: ignore[method-assign]
        return engine
