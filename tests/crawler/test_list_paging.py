"""A list stops paging at articles that complete earlier runs archived: not at ones this run
found elsewhere, nor at ones an interrupted run left."""

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from archive.records import ArticleJob, WarcPointer
from archive.sites import parse_site
from archive.state.store import CrawlState
from crawler.links import PageLinks
from crawler.spiders.news import NewsSpider

LIST = "http://news.example.cn/list/1.html"
NEXT = "http://news.example.cn/list/2.html"
ARTICLES = [f"http://news.example.cn/a/{n}.html" for n in (1, 2, 3)]


@pytest.fixture
def spider(tmp_path):
    site = parse_site({"id": "news", "name": "news", "start_urls": [LIST], "follow": [r"/list/\d+\.html$"],
                       "article": [r"/a/\d+\.html$"]}, "test")
    crawler = get_crawler(NewsSpider)
    spider = NewsSpider.from_crawler(crawler, site=site)
    spider.state = CrawlState(tmp_path / "state.sqlite")
    yield spider
    spider.state.close()


def _seen(spider: NewsSpider, urls: list[str], before_run: bool) -> None:
    """Articles archived by this run, or (`before_run`) by an earlier run that completed."""
    for url in urls:
        spider.state.article_submitted(ArticleJob(url, "news", [WarcPointer("x.warc.gz", 0, f"<urn:{url}>")], True))
    if before_run:
        spider.state.confirm_articles("news")


def _requested(spider: NewsSpider) -> list[str]:
    response = HtmlResponse(LIST, body=b"<html></html>", request=Request(LIST, meta={"hops": 0}))
    return [request.url for request in spider._follow_links(response, PageLinks([*ARTICLES, NEXT], {NEXT}))]


def test_a_list_of_articles_archived_by_earlier_runs_stops_paging(spider):
    _seen(spider, ARTICLES, before_run=True)
    assert _requested(spider) == []


def test_articles_this_run_found_through_another_list_do_not_stop_paging(spider):
    _seen(spider, ARTICLES, before_run=False)
    # not fetched twice, but the older page of this list is still read
    assert _requested(spider) == [NEXT]


def test_articles_an_interrupted_run_left_do_not_stop_paging(spider):
    # A run killed half-way through a list leaves its articles known but unconfirmed:
    # the next run walks on past them to where the list was walked before.
    spider.state.article_submitted(ArticleJob(ARTICLES[0], "news", [WarcPointer("x.warc.gz", 0, "<urn:0>")], True))
    spider.state.confirm_articles("news")
    _seen(spider, ARTICLES[1:], before_run=False)
    assert _requested(spider) == [NEXT]


def test_a_new_list_pages_on(spider):
    assert _requested(spider) == [*ARTICLES, NEXT]
