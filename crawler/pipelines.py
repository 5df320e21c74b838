"""Hand captured article pages to extraction workers; collect records into the dataset.

The reactor only submits work and receives results: parsing and extraction run in a
process pool shared by every site of the crawl, so both cores work and a slow page never
stalls fetching.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer

from archive.extraction import extract_capture, worker_pool
from archive.parquet import DatasetWriter


class _SharedPool:
    """One worker pool per crawl process, however many sites it crawls at once."""

    def __init__(self) -> None:
        self.pool = None
        self.users = 0

    def acquire(self, workers: int):
        if self.pool is None:
            self.pool = worker_pool(workers or None)
        self.users += 1
        return self.pool

    def release(self) -> None:
        self.users -= 1
        if self.users == 0 and self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None


_POOL = _SharedPool()


class ExtractionPipeline:
    def __init__(self, out: Path, workers: int, stats) -> None:
        self.out = out
        self.workers = workers
        self.stats = stats
        self.pending: set[defer.Deferred] = set()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ARCHIVE_EXTRACT_ENABLED", True):
            raise NotConfigured("ARCHIVE_EXTRACT_ENABLED is off")
        pipeline = cls(Path(crawler.settings.get("ARCHIVE_OUT")), crawler.settings.getint("ARCHIVE_EXTRACT_WORKERS"),
                       crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self) -> None:
        self.pool = _POOL.acquire(self.workers)
        self.writer = DatasetWriter(self.out / "articles")
        self.rules = self.crawler.spider.site.rules

    def process_item(self, item: dict):
        future = self.pool.submit(extract_capture, item["pointers"], item["site"], self.rules, item["force"],
                                  item["counter"])
        from twisted.internet import reactor  # the one Scrapy installed, not a default

        done = defer.Deferred()
        # Resolve in the reactor thread: the future's callback runs in the pool's thread.
        future.add_done_callback(lambda f: reactor.callFromThread(self._finished, f, item, done))
        self.pending.add(done)
        done.addBoth(self._forget, done)
        # The item is done for Scrapy at once; the record lands when the worker answers.
        return item

    def _forget(self, result, done):
        self.pending.discard(done)
        return result

    def _finished(self, future, item, done: defer.Deferred) -> None:
        try:
            record = future.result()
        except Exception as exc:
            self.stats.inc_value("archive/extraction_failed")
            self.crawler.spider.logger.error("extraction failed for %s: %s", item["pointers"][0].file, exc)
            done.callback(None)
            return
        if record is None:
            self.stats.inc_value("archive/non_article_pages")
        else:
            warc_file = os.path.relpath(record.warc_file, self.out) if record.warc_file else None
            self.writer.add(replace(record, warc_file=warc_file))
            self.stats.inc_value("archive/articles")
        done.callback(None)

    async def close_spider(self) -> None:
        if self.pending:
            await maybe_deferred_to_future(defer.DeferredList(list(self.pending)))
        self.writer.close()
        self.stats.set_value("archive/parquet_files", len(self.writer.files))
        _POOL.release()
