"""The crawl's Scrapy components built as Scrapy builds them (`get_crawler`, the project's
settings), and the reactor they run in, in a thread of its own for the whole session."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler

from archive.sites import SiteConfig, parse_site
from crawler import settings as crawl_settings


def project_settings(out: Path | None = None, **overrides: Any) -> dict[str, Any]:
    """crawler/settings.py as a settings dict, the data directory `out`, and `overrides`."""
    settings = {name: value for name, value in vars(crawl_settings).items() if name.isupper()}
    if out is not None:
        settings["ARCHIVE_OUT"] = str(out)
    return {**settings, **overrides}


def loopback_site(start_url: str = "http://127.0.0.1/", **values: Any) -> SiteConfig:
    """A site on a loopback address, allowed to be fetched there."""
    return parse_site({"id": "site", "name": "site", "start_urls": [start_url], "allow_private": True,
                       "delay": 0.0, **values}, "test")


class Reactor:
    """Twisted's asyncio reactor, the crawl's, running in the thread `thread`."""

    def __init__(self, reactor: Any, thread: threading.Thread) -> None:
        self.reactor = reactor
        self.thread = thread

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`function(*args, **kwargs)` called in the reactor's thread; its result, once a
        Deferred it returns has fired."""
        from twisted.internet.threads import blockingCallFromThread

        return blockingCallFromThread(self.reactor, function, *args, **kwargs)

    def run(self, coroutine: Callable[[], Coroutine]) -> Any:
        """The coroutine made by `coroutine()`, run to its end in the reactor's thread."""
        return self.call(lambda: deferred_from_coro(coroutine()))


@pytest.fixture(scope="session")
def reactor() -> Iterator[Reactor]:
    from scrapy.utils.reactor import install_reactor, is_reactor_installed

    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import reactor as installed

    # No signal handlers: they belong to the main thread, and the tests stop the reactor.
    thread = threading.Thread(target=installed.run, kwargs={"installSignalHandlers": False}, name="reactor",
                              daemon=True)
    thread.start()
    yield Reactor(installed, thread)
    installed.callFromThread(installed.stop)
    thread.join(10)


class FollowingSpider(scrapy.Spider):
    """Fetches a site's start URLs and follows every link: as little spider as the
    capture needs (it reads the spider's `site`)."""

    name = "following"

    def __init__(self, site: SiteConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site

    async def start(self):
        for url in self.site.start_urls:
            yield scrapy.Request(url)

    def parse(self, response):
        yield from response.follow_all(css="a")


def crawler_for(spider_class: type[scrapy.Spider], site: SiteConfig, out: Path, **overrides: Any) -> Crawler:
    """A crawler with the project's settings and its spider made, as Crawler.crawl makes it."""
    crawler = get_crawler(spider_class, project_settings(out, **overrides))
    crawler.spider = spider_class.from_crawler(crawler, site=site)
    return crawler
