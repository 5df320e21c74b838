"""Run a crawl of some sites in this process and report what each produced."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.changes.verdict import VERDICTS
from archive.errors import ArchiveError, StateError
from archive.sites import SiteConfig
from archive.state.locks import SiteBusy, SiteLock
from archive.state.recovery import recover_data_dir
from archive.state.store import shared_state
from crawler import settings as default_settings
from crawler.faults import FAULT
from crawler.spiders.news import NewsSpider
from crawler.stopping import SiteCrawler
from crawler.workers import WORKERS

# The cycle collector's thresholds during a crawl: objects the young generation holds
# before it is collected, and young collections before the middle generation is.
CRAWL_GC_THRESHOLDS = (50_000, 100)


@dataclass
class SiteOutcome:
    site: str
    pages_fetched: int = 0
    articles: int = 0
    non_articles: int = 0
    revisits: int = 0
    # links found on pages that answered 404 or 410: the site's own broken links
    dead_links: int = 0
    # links not fetched by rule: robots.txt, the trap filter, the address guard, off-site
    refused: int = 0
    # what went wrong: timeouts, lost connections, 5xx and other 4xx answers (each try),
    # pages the workers could not read or extract
    failures: int = 0
    bytes_received: int = 0
    finish_reason: str = ""
    # what stopped the crawl before its work was done (a full disk, a damaged state), as one line
    fault: str | None = None
    # pages of the site's lists that could not be had (timeouts, server errors)
    list_pages_failed: int = 0
    # archived articles checked again, and the events found (crawler/rechecks.py)
    rechecked: int = 0
    changes: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """The crawl walked every list of the site to its end (or down to what earlier
        complete runs had walked) and kept all it fetched."""
        return self.finish_reason == "finished" and self.fault is None and self.list_pages_failed == 0

    @property
    def interrupted(self) -> bool:
        """Stopped before its work was done, by a signal or a fault (not by the page budget)."""
        return self.fault is not None or self.finish_reason not in ("finished", "closespider_pagecount")


def site_settings(base: Settings, site: SiteConfig, sites: int = 1) -> Settings:
    """The crawl settings of one site of `sites` crawled at once: the defaults with the
    site's own values on top.

    Spider priority, because CrawlerProcess merges its own settings into each crawler's.
    """
    settings = base.copy()
    per_site = {
        # Scrapy stops fetching for a site while this many bytes of its pages wait for
        # the workers; the crawl's budget is shared, or pages fetched faster than the
        # workers read them would pile up in memory once per site.
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": max(base.getint("ARCHIVE_PAGES_WAITING_BYTES") // sites, 256_000),
        "DOWNLOAD_DELAY": site.delay,
        "AUTOTHROTTLE_START_DELAY": max(site.delay, 0.1),
        "CLOSESPIDER_PAGECOUNT": site.max_pages,
        "ROBOTSTXT_OBEY": site.obey_robots,
    }
    for key, value in per_site.items():
        settings.set(key, value, priority="spider")
    return settings


def crawl_sites(sites: list[SiteConfig], out: Path, overrides: dict | None = None,
                rechecks: dict[str, str] | None = None) -> tuple[list[SiteOutcome], list[ArchiveError]]:
    """Crawl `sites` concurrently into `out`; blocks until every site is done.

    `rechecks` names the sites whose crawl only checks archived articles ("only": those
    due, "all": every one; see crawler/rechecks.py). Returns what each site gave, and the
    errors to report after them: a site another process is crawling into `out`
    (skipped), a run whose end could not be recorded.
    """
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    locks, busy = [], []
    for site in sites:
        try:
            locks.append((site, SiteLock(out, site.id, "crawl").acquire()))
        except SiteBusy as exc:
            busy.append(exc)
    if not locks:
        return [], busy
    try:
        state = shared_state(out)
        # A damaged state would fail the crawl at some later page (or, worse, not at
        # all): found now, before anything is fetched, it is one line and exit 1.
        state.check()
    except ArchiveError:
        for _, lock in locks:
            lock.release()
        raise
    recover_data_dir(out, [site.id for site, _ in locks])
    base = Settings()
    base.setmodule(default_settings, priority="project")
    base.set("ARCHIVE_OUT", str(out), priority="cmdline")
    for key, value in (overrides or {}).items():
        base.set(key, value, priority="cmdline")
    # Started first: the workers' fork server imports the extraction code while this
    # process builds its crawlers.
    workers = WORKERS.acquire(base)
    runs = []
    try:
        process = CrawlerProcess(base)
        for index, (site, _) in enumerate(locks):
            # The first crawler installs the reactor (asyncio, from the settings).
            settings = site_settings(base, site, len(locks))
            if site.id in (rechecks or {}):
                settings.set("ARCHIVE_RECHECK", rechecks[site.id], priority="spider")
            crawler = SiteCrawler(NewsSpider, settings, init_reactor=index == 0)
            runs.append((site, crawler, state.run_started(site.id)))
            process.crawl(crawler, site=site)
        # Scrapy's handler drops records below LOG_LEVEL only after they were made, two
        # debug records a page with a caller lookup each; a level on Scrapy's loggers drops
        # them at the call. Not the root logger's level: every crawler resets that.
        logging.getLogger("scrapy").setLevel(base.get("LOG_LEVEL"))
        with _fewer_collections():
            process.start()
    finally:
        workers.release()
        for _, lock in locks:
            lock.release()
    outcomes = [_outcome(site, crawler) for site, crawler, _ in runs]
    try:
        for (site, _, run_id), outcome in zip(runs, outcomes, strict=True):
            # Only a complete run counts as a success (for --due) and confirms the
            # site's articles: an interrupted walk of its lists is resumed next time. A
            # run of checks only walked no list.
            if (rechecks or {}).get(site.id, "due") != "due":
                state.run_finished(run_id, "rechecks")
                continue
            state.run_finished(run_id, "finished" if outcome.complete else outcome.fault and "fault"
                               or outcome.finish_reason or "incomplete")
            if outcome.complete:
                state.confirm_articles(site.id)
    except StateError as exc:
        # Everything captured is on disk already; only the run's bookkeeping is missing,
        # so the next --due run simply treats these sites as due.
        busy.append(StateError(f"{exc} (while recording the end of the run)"))
    return outcomes, busy


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector, run less often and over fewer objects while crawling.

    A crawl makes a few hundred short-lived objects a page (Deferreds, coroutines, async
    generators, Twisted's and Scrapy's per-request state), nearly none of them cyclic
    garbage: about one object a page is ever collected. With Python's defaults the
    collector took 15% of the reactor's CPU (3.1 of 21.6 s over 3,000 articles). What
    exists when the crawl starts (modules, settings, crawlers) lives to its end and is
    frozen out of the collections. Every object still alive at a young collection is
    examined again by each middle one, and what is alive then is mostly requests in
    flight: 26 and 220 ms a collection over a 10,000-article crawl at thresholds (10,000,
    10), 4.2 s of its 73 s; at (50,000, 100) 1.6 s, peak memory unchanged (764 MB).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*CRAWL_GC_THRESHOLDS, *thresholds[2:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# The spider's names (archive/fetch_failed/<reason>) for requests refused by rule.
REFUSALS = ("robots_forbidden", "trap", "forbidden_address", "offsite", "attachment_type")


def _outcome(site: SiteConfig, crawler) -> SiteOutcome:
    stats = crawler.stats.get_stats()
    # Every refusal and every request dropped at a stop is also a downloader exception,
    # and every dead link a 4xx answer: counted once, in their own column or nowhere.
    refused = sum(stats.get(f"archive/fetch_failed/{reason}", 0) for reason in REFUSALS)
    dead_links = stats.get("archive/dead_links", 0)
    failures = sum(v for k, v in stats.items() if k.startswith("downloader/exception_type_count/"))
    failures += stats.get("archive/extraction_failed", 0) + stats.get("archive/page_reading_failed", 0)
    failures += sum(v for k, v in stats.items()
                    if k.startswith("downloader/response_status_count/") and int(k.rsplit("/", 1)[1]) >= 400)
    failures = max(0, failures - refused - dead_links - stats.get("archive/not_fetched_at_stop", 0)
                   - stats.get("archive/rechecks/error_answers", 0))
    return SiteOutcome(
        site=site.id,
        pages_fetched=stats.get("downloader/response_count", 0),
        articles=stats.get("archive/articles", 0),
        non_articles=stats.get("archive/non_article_pages", 0),
        revisits=sum(v for k, v in stats.items() if k.startswith("archive/revisits/")),
        dead_links=dead_links,
        refused=refused,
        failures=failures,
        bytes_received=stats.get("downloader/response_bytes", 0),
        finish_reason=str(stats.get("finish_reason", "")),
        fault=stats.get(FAULT),
        list_pages_failed=stats.get("archive/list_pages_failed", 0),
        rechecked=sum(stats.get(f"archive/rechecks/{verdict}", 0) for verdict in VERDICTS),
        changes={k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("archive/changes/")},
    )
