"""The trap guard refuses a redirect back to a page of its own chain, even for requests the
duplicate filter lets through (an article's continuation pages, counters)."""

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.settings import DOWNLOADER_MIDDLEWARES
from crawler.traps import TrapGuardMiddleware
from tests.crawler.conftest import project_settings


def test_a_redirect_loop_is_refused_at_its_first_repetition():
    assert "crawler.traps.TrapGuardMiddleware" in DOWNLOADER_MIDDLEWARES
    crawler = get_crawler(settings_dict=project_settings())
    guard = TrapGuardMiddleware.from_crawler(crawler)
    start = "http://127.0.0.1/loop/start.html"
    hop = Request("http://127.0.0.1/loop/c.html", dont_filter=True, meta={"redirect_urls": [start]})
    assert guard.process_request(hop) is None
    back = Request(start, dont_filter=True, meta={"redirect_urls": [start, hop.url]})
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        guard.process_request(back)
    assert crawler.stats.get_value("archive/traps/redirect_loop") == 1
