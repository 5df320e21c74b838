"""Scrapy alone over the benchmark sites: fetch, parse, follow; nothing recorded or extracted.

    python bench/bare_scrapy.py URL...

The start URLs are the sites' home pages; list and article links are followed with the
crawler's own concurrency and robots.txt settings. Its CPU per page is the floor under
what `archive crawl` can cost per page, since it is built on the same fetch loop.
"""

from __future__ import annotations

import re
import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from crawler import settings as crawl_settings

_FOLLOWED = re.compile(r"/(?:list|a)/\d+\.html$")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_urls: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_urls = start_urls

    def parse(self, response):
        for href in response.xpath("//a/@href").getall():
            if _FOLLOWED.search(href):
                yield response.follow(href, self.parse)


def main(urls: list[str]) -> int:
    same = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_ITEMS", "ROBOTSTXT_OBEY",
            "WARN_ON_GENERATOR_RETURN_VALUE", "TELNETCONSOLE_ENABLED", "USER_AGENT")
    settings = {name: getattr(crawl_settings, name) for name in same}
    settings.update({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_urls=urls)
    process.start()
    print(crawler.stats.get_value("response_received_count", 0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
