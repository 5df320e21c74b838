"""The crawl's stats collector keeps Scrapy's behaviour without its per-lookup hook."""

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import settings as crawl_settings
from crawler.stats import CrawlStats


def test_the_crawl_counts_with_the_plain_collector():
    settings = Settings()
    settings.setmodule(crawl_settings)
    crawler = get_crawler(settings_dict={"STATS_CLASS": settings.get("STATS_CLASS")})
    assert type(crawler.stats) is CrawlStats
    # a plain bound method: no wrapper made on the way
    assert crawler.stats.inc_value.__func__ is MemoryStatsCollector.inc_value


def test_counts_are_kept_as_scrapy_keeps_them():
    stats = CrawlStats(get_crawler())
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("largest", 5)
    stats.max_value("largest", 3)
    stats.min_value("smallest", 5)
    stats.min_value("smallest", 3)
    stats.set_value("reason", "finished")
    assert stats.get_stats() == {"pages": 3, "largest": 5, "smallest": 3, "reason": "finished"}
    assert stats.get_value("missing", 0) == 0
