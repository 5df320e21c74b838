"""Run a crawl of some sites in this process and report what each produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from archive.sites import SiteConfig
from crawler import settings as default_settings
from crawler.spiders.news import NewsSpider


@dataclass
class SiteOutcome:
    site: str
    pages_fetched: int = 0
    articles: int = 0
    non_articles: int = 0
    failures: int = 0
    finish_reason: str = ""
    warc_files: list[str] = field(default_factory=list)


def site_settings(base: Settings, site: SiteConfig) -> Settings:
    settings = base.copy()
    settings.set("DOWNLOAD_DELAY", site.delay)
    settings.set("AUTOTHROTTLE_START_DELAY", max(site.delay, 0.1))
    settings.set("DEPTH_LIMIT", site.max_depth)
    settings.set("CLOSESPIDER_PAGECOUNT", site.max_pages)
    settings.set("ROBOTSTXT_OBEY", site.obey_robots)
    return settings


def crawl_sites(sites: list[SiteConfig], out: Path, overrides: dict | None = None) -> list[SiteOutcome]:
    """Crawl `sites` concurrently into `out`; blocks until every site is done."""
    base = Settings()
    base.setmodule(default_settings, priority="project")
    base.set("ARCHIVE_OUT", str(out), priority="cmdline")
    for key, value in (overrides or {}).items():
        base.set(key, value, priority="cmdline")
    process = CrawlerProcess(base)
    crawlers = []
    for index, site in enumerate(sites):
        # The first crawler installs the reactor (asyncio, from the settings).
        crawler = Crawler(NewsSpider, site_settings(base, site), init_reactor=index == 0)
        crawlers.append((site, crawler))
        process.crawl(crawler, site=site)
    process.start()
    return [_outcome(site, crawler) for site, crawler in crawlers]


def _outcome(site: SiteConfig, crawler) -> SiteOutcome:
    stats = crawler.stats.get_stats()
    failures = sum(v for k, v in stats.items() if k.startswith("downloader/exception_type_count/"))
    failures += stats.get("archive/extraction_failed", 0)
    failures += sum(v for k, v in stats.items()
                    if k.startswith("downloader/response_status_count/") and k.rsplit("/", 1)[1] >= "400")
    return SiteOutcome(
        site=site.id,
        pages_fetched=stats.get("downloader/response_count", 0),
        articles=stats.get("archive/articles", 0),
        non_articles=stats.get("archive/non_article_pages", 0),
        failures=failures,
        finish_reason=str(stats.get("finish_reason", "")),
    )
