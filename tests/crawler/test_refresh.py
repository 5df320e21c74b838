"""Meta-refresh redirects: followed as Scrapy follows them, without decoding pages that have none."""

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.refresh import MetaRefreshMiddleware

URL = "http://news.example.cn/index.html"


@pytest.fixture
def middleware():
    return MetaRefreshMiddleware.from_crawler(get_crawler())


@pytest.mark.parametrize("body", [
    b'<html><head><meta http-equiv="refresh" content="0;url=/new.html"></head><body>moved</body></html>',
    b'<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=/new.html"></head></html>',
    '<html><head><meta http-equiv="refresh" content="0;url=/new.html"><title>迁移</title></head></html>'.encode("gbk"),
    "\ufeff<html><head><meta http-equiv='refresh' content='0;url=/new.html'></head></html>".encode("utf-16"),
])
def test_a_refresh_tag_redirects(middleware, body):
    request = Request(URL)
    result = middleware.process_response(request, HtmlResponse(URL, body=body, request=request))
    assert isinstance(result, Request) and result.url == "http://news.example.cn/new.html"


def test_a_page_without_one_is_passed_on_undecoded(middleware):
    request = Request(URL)
    response = HtmlResponse(URL, body="<html><body>正文 refreshing news</body></html>".encode(), request=request)
    assert middleware.process_response(request, response) is response
    plain = HtmlResponse(URL, body=b"<html><body>" + b"x" * 100_000 + b"</body></html>", request=request)
    assert middleware.process_response(request, plain) is plain
    assert plain._cached_ubody is None  # never decoded for the check
