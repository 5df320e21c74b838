"""A worker of a crawl on many machines: `archive crawl ... --redis URL`.

The same spider, capture and pipeline as a crawl of one machine (crawler.run), with
scrapy-redis's scheduler for the shared queue and duplicate filter, wrapped by the
modules beside this one: leases (queue), one run per site (runs, scheduler), completion
and take-over (worker, adoption), politeness across workers (gate), and the crawl state
in Redis (archive.state.shared). Each worker writes its own WARC and Parquet files into
the shared data directory, its id in their names.
"""

from __future__ import annotations

import contextlib
import logging
from functools import partial
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.errors import ArchiveError, StateError
from archive.sites import SiteConfig
from archive.state import cluster
from archive.state.locks import SiteBusy, SiteLock
from archive.state.shared import RedisCrawlState
from archive.state.store import use_state
from crawler import settings as default_settings
from crawler.distributed.adoption import WorkerLock, recover_at_start, writes_here
from crawler.distributed.gate import BACK
from crawler.distributed.queue import run_keys
from crawler.distributed.runs import SiteRun
from crawler.run import SiteOutcome, _fewer_collections, _outcome, site_settings
from crawler.spiders.news import NewsSpider
from crawler.stopping import SiteCrawler
from crawler.workers import WORKERS

log = logging.getLogger(__name__)

# How often an idle worker looks at the shared queue again (Scrapy's default is 5 s).
IDLE_POLL_SECONDS = 1.0


class WorkerCrawler(SiteCrawler):
    """A site's crawler in a worker: the engine tells the scheduler when it is done with
    each request (scrapy-redis has no acknowledgement), and says when it is stopping."""

    archive_run: SiteRun | None = None
    stopping = False

    def _create_engine(self):
        engine = super()._create_engine()
        engine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS
        remove_request = engine._remove_request
        close_without_waiting = engine.close_spider_async

        def remove_and_release(result, request):
            # Called once the response went through the spider and what it yielded was
            # scheduled (or the failure through the errback): the request is done.
            try:
                engine._slot.scheduler.finished(request, back=request.meta.pop(BACK, False))
            finally:
                remove_request(result, request)

        async def close_and_say_so(*, reason: str = "cancelled") -> None:
            self.stopping = True
            await close_without_waiting(reason=reason)

        engine._remove_request = remove_and_release  # type: ignore[method-assign]
        engine.close_spider_async = close_and_say_so  # type: ignore[method-assign]
        return engine


def worker_settings(base: Settings, url: str, worker: str, lease_seconds: float) -> None:
    """The settings that make a crawl of this process one worker of a shared crawl."""
    values = {
        "SCHEDULER": "crawler.distributed.scheduler.RunScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.queue.LeasedQueue",
        "DUPEFILTER_CLASS": "crawler.distributed.scheduler.RunDupeFilter",
        # the queue and filter belong to the run, not to one worker: never flushed by one
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": url,
        "ARCHIVE_REDIS_URL": url,
        "ARCHIVE_WORKER_ID": worker,
        "ARCHIVE_REDIS_LEASE_SECONDS": lease_seconds,
        "DOWNLOADER_MIDDLEWARES": {**base.getdict("DOWNLOADER_MIDDLEWARES"),
                                   "crawler.distributed.gate.SharedRobotsMiddleware": 940,
                                   "crawler.distributed.gate.HostGateMiddleware": 970},
        "SPIDER_MIDDLEWARES": {**base.getdict("SPIDER_MIDDLEWARES"),
                               "crawler.distributed.worker.SeedingMiddleware": 10},
        "EXTENSIONS": {**base.getdict("EXTENSIONS"), "crawler.distributed.worker.WorkerLink": 10},
    }
    for key, value in values.items():
        base.set(key, value, priority="cmdline")


def crawl_sites(sites: list[SiteConfig], out: Path, url: str, worker: str, overrides: dict | None = None,
                rechecks: dict[str, str] | None = None) -> tuple[list[SiteOutcome], list[ArchiveError]]:
    """crawler.run.crawl_sites as one worker of the crawl shared through the Redis at `url`.
    `rechecks` says what a run this worker opens checks; a run it joins checks what its
    opener said."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    base = Settings()
    base.setmodule(default_settings, priority="project")
    base.set("ARCHIVE_OUT", str(out), priority="cmdline")
    for key, value in (overrides or {}).items():
        base.set(key, value, priority="cmdline")
    lease_seconds = base.getfloat("ARCHIVE_REDIS_LEASE_SECONDS")
    state = RedisCrawlState(url, worker, reads_files_of=partial(writes_here, out))
    state.check()
    use_state(out, state)
    me = WorkerLock(out, worker).acquire()
    locks, busy = [], []
    for site in sites:
        try:
            locks.append((site, SiteLock(out, site.id, "crawl", shared=True).acquire()))
        except SiteBusy as exc:
            busy.append(exc)
    runs: list[tuple[SiteConfig, WorkerCrawler]] = []
    try:
        if not locks:
            return [], busy
        client = state.redis
        try:
            cluster.beat(client, worker, lease_seconds, {"sites": [site.id for site, _ in locks]})
            recover_at_start(out, [site.id for site, _ in locks], client, worker)
            joined = []
            for site, _ in locks:
                run = SiteRun(client, site.id, worker)
                run.join(state, (rechecks or {}).get(site.id, "due"))
                joined.append((site, run))
        except Exception as exc:
            if isinstance(exc, ArchiveError):
                raise
            raise cluster.redis_error(url, exc) from None
        worker_settings(base, url, worker, lease_seconds)
        workers = WORKERS.acquire(base)
        try:
            process = CrawlerProcess(base)
            for index, (site, run) in enumerate(joined):
                queue_key, seen_key = run_keys(site.id, run.run)
                settings = site_settings(base, site, len(joined))
                for key, value in {"SCHEDULER_QUEUE_KEY": queue_key, "SCHEDULER_DUPEFILTER_KEY": seen_key,
                                   # the page budget is the run's, over all workers (WorkerLink)
                                   "CLOSESPIDER_PAGECOUNT": 0, "ARCHIVE_REDIS_MAX_PAGES": site.max_pages,
                                   # the site's delay is kept by the host gate, for all workers at once
                                   "DOWNLOAD_DELAY": 0, "ARCHIVE_RECHECK": run.rechecks}.items():
                    settings.set(key, value, priority="spider")
                crawler = WorkerCrawler(NewsSpider, settings, init_reactor=index == 0)
                crawler.archive_run = run
                runs.append((site, crawler))
                process.crawl(crawler, site=site)
                log.info("site %s: %s run %s as worker %s", site.id, "opened" if run.opened else "joined",
                         run.run, worker)
            logging.getLogger("scrapy").setLevel(base.get("LOG_LEVEL"))
            with _fewer_collections():
                process.start()
        finally:
            workers.release()
    finally:
        for _, lock in locks:
            lock.release()
        outcomes = [_outcome(site, crawler) for site, crawler in runs]
        for (site, crawler), outcome in zip(runs, outcomes, strict=True):
            try:
                ended = crawler.archive_run.leave(state, failed=outcome.fault is not None
                                                  or outcome.list_pages_failed > 0)
                if ended:
                    log.info("site %s: run %s ended (%s)", site.id, crawler.archive_run.run, ended)
            except Exception as exc:
                busy.append(StateError(f"{cluster.redis_error(url, exc)} (while leaving the run of {site.id})"))
        with contextlib.suppress(Exception):  # else the key expires by itself
            state.redis.delete(cluster.worker_key(worker))
        me.release()
    return outcomes, busy
