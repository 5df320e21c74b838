"""The capture middleware asks the crawl state about a URL once per exchange."""

from __future__ import annotations

from types import SimpleNamespace

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from archive.sites import parse_site
from crawler.capture import WarcCaptureMiddleware
from tests.crawler.conftest import project_settings

SITE = parse_site({"id": "gov", "name": "gov", "start_urls": ["http://127.0.0.1/"]}, "gov.toml")


def exchange(middleware: WarcCaptureMiddleware, url: str, body: bytes) -> HtmlResponse:
    request = Request(url)
    assert middleware.process_request(request) is None
    response = HtmlResponse(url, status=200, body=body, request=request, headers={"Content-Type": "text/html"})
    return middleware.process_response(request, response)


def test_the_state_is_asked_once_per_exchange(tmp_path):
    crawler = get_crawler(settings_dict=project_settings(tmp_path))
    middleware = WarcCaptureMiddleware.from_crawler(crawler)
    middleware.spider_opened(SimpleNamespace(site=SITE, logger=None))
    asked = []
    lookup = middleware.state.known
    middleware.state.known = lambda url: asked.append(url) or lookup(url)
    url = "http://127.0.0.1/list.html"
    exchange(middleware, url, b"<html><body><a href='/a.html'>a</a></body></html>")
    assert asked == [url]
    # the second time the page is known: the same single lookup serves the conditional
    # request headers and the revisit decision
    again = exchange(middleware, url, b"<html><body><a href='/a.html'>a</a></body></html>")
    assert asked == [url, url]
    assert again.request.meta["unchanged"] is True
    middleware.spider_closed(SimpleNamespace(logger=SimpleNamespace(info=lambda *a: None)))
