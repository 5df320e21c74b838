"""The one spider: navigates any configured site; extraction happens elsewhere.

A site's `follow` regexes pick the list/index pages to walk and its `article` regexes
the article pages. A site without `article` regexes (kind "auto", and every
`--start-url` crawl) follows every page of its domains and lets extraction decide from
the content which pages are articles.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future

from archive.records import ArticleJob, CounterCapture, ExtractedArticle, FetchedPage, ViewsObservation
from archive.sites import SiteConfig
from archive.state.hubs import links_digest
from archive.state.store import ArticleState, shared_state
from archive.url_patterns import url_patterns
from crawler.attachments import ArticleAttachments
from crawler.faults import FATAL_ERRORS, report_fault
from crawler.feeds import read_index
from crawler.links import PageLinks, SiteDomains
from crawler.page_work import PageOutcome, PageTask, continuation_pages, read_crawled_page, read_links_only
from crawler.rechecks import RecheckMixin
from crawler.settled import FROM_ARCHIVE
from crawler.workers import WORKERS

# How Scrapy's middlewares word their refusals, for the fetch_failed counters.
_IGNORED_REASONS = (("DOWNLOAD_MAXSIZE", "too_large"), ("max redirections", "too_many_redirects"),
                    ("robots.txt", "robots_forbidden"), ("offsite", "offsite"), ("trap", "trap"),
                    ("forbidden address", "forbidden_address"), ("capture not written", "capture_not_written"),
                    ("crawl is stopping", "not_fetched_at_stop"))
# A longer chain of 下一页 links is a trap (a calendar, a paginated list), not an article.
MAX_ARTICLE_PAGES = 50
# The share of a site's page budget that pages named only by feeds and sitemaps may take.
INDEX_SHARE = 0.5


class NewsSpider(RecheckMixin, scrapy.Spider):
    name = "news"

    def __init__(self, site: SiteConfig, **kwargs) -> None:
        super().__init__(name=site.id, **kwargs)
        self.site = site
        self.allowed_domains = list(site.allowed_domains)
        # Linear-time matchers: a backtracking pattern would stall the reactor (archive/url_patterns.py).
        self._article = url_patterns(site.article)
        self._follow = url_patterns(site.follow)
        # Pages 2..N of multi-page articles: fetched as part of their article, never alone.
        self._continuations: set[str] = set()
        self.domains = SiteDomains(site.allowed_domains)

    async def start(self):
        self.state = shared_state(Path(self.settings.get("ARCHIVE_OUT")))
        # Requests of pages named by feeds and sitemaps: a share of the page budget, so
        # that a sitemap of 50,000 entries cannot spend it all before the site's lists.
        self.index_budget = max(1, int(self.site.max_pages * INDEX_SHARE))
        self.workers = WORKERS.acquire(self.settings)
        self.attachments = ArticleAttachments(self)
        # A crawl that only archives (no pipeline) still has its pages read for links.
        self.extracting = self.settings.getbool("ARCHIVE_EXTRACT_ENABLED")
        # Archived articles due for a check (crawler/rechecks.py); a run of checks only ends there.
        for request in self.recheck_requests():
            yield request
        if self.rechecks_only:
            return
        # Feeds and sitemaps first: they name the newest articles most cheaply. Start
        # requests go through the duplicate filter like any other, so the start page's own
        # link to itself is not fetched a second time.
        for url in self.site.feeds + self.site.sitemaps:
            yield scrapy.Request(url, callback=self.parse_xml, errback=self.fetch_failed)
        for url in self.site.start_urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.fetch_failed,
                                 meta={"candidate": self.auto or self.is_article(url), "start": True})
        window = timedelta(days=self.site.counter_days)
        refresh = self.state.counters_to_refresh(self.site.id, window, self.site.counter_every)
        for article_url, family, counter_url in refresh:
            yield scrapy.Request(counter_url, callback=self.parse_views, dont_filter=True,
                                 meta={"conditional": False, "views_of": article_url, "family": family})

    # -- classification ------------------------------------------------------------

    @property
    def auto(self) -> bool:
        return not self._article

    def is_article(self, url: str) -> bool:
        return self._article.search(url)

    def should_follow(self, url: str) -> bool:
        if not self._follow:
            return self.auto
        return self._follow.search(url)

    def _is_known(self, known: ArticleState | None) -> bool:
        """Archived already: not fetched again through links (re-checks fetch it, and
        refresh_days makes it due every run: crawler/rechecks.py)."""
        return known is not None and known.state != "not_article"

    def _known_and_dead(self, urls: list[str], articles: set[str]) -> tuple[set[str], set[str], set[str]]:
        """Those of `urls` not to be requested: known articles, and dead article links (a
        404 or 410 is not retried every run), looked up together (a list page has dozens
        of links, an article page hundreds); and those of the known ones that are
        confirmed (see `_follow_links`). `articles` are those of `urls` the site's article
        patterns match."""
        candidates = urls if self.auto else [url for url in urls if url in articles]
        if not candidates:
            return set(), set(), set()
        states = self.state.article_states(candidates)
        known = {url for url in candidates if self._is_known(states.get(url))}
        confirmed = {url for url in known if states[url].confirmed}
        statuses = self.state.capture_statuses([url for url in candidates if url not in known])
        return known, {url for url, status in statuses.items() if status in (404, 410)}, confirmed

    # -- callbacks -----------------------------------------------------------------

    def closed(self, reason: str) -> None:
        if getattr(self, "workers", None) is not None:
            self.workers.release()

    async def parse(self, response: Response):
        if not isinstance(response, HtmlResponse):
            if isinstance(response, TextResponse) and response.text.lstrip().startswith("<?xml"):
                for request in self.parse_xml(response):
                    yield request
            return
        if response.url in self._continuations:
            return
        pointer = response.meta.get("warc_pointer")
        known = self.state.article_state(response.url) if response.meta.get("unchanged") else None
        candidate = ((self.auto or self.is_article(response.url)) and response.status == 200 and pointer is not None
                     and self.extracting and known is None)
        task = PageTask(self.site.id, self.site.rules, self.domains.domains, extract=candidate, force=not self.auto,
                        counter=self.site.counter)
        page = _fetched_page(response)
        outcome = await self._read_page(page, task)
        if candidate:
            for output in self._article_outputs(response.url, pointer, page, outcome.facts):
                yield output
        no_article = (outcome.facts.record is None and outcome.facts.error is None) if candidate \
            else (known is None or known.state == "not_article") and not self.is_article(response.url)
        if no_article and response.status == 200 and FROM_ARCHIVE not in response.flags \
                and not response.meta.get("start"):
            # a hub (a list, an index, an "about" page): how often its links change sets
            # how often it is polled (archive.state.hubs)
            self.links_listed(response.url, outcome.links.urls)
            self.state.hub_polled(response.url, self.site.id, outcome.links.urls, links_digest(outcome.links.urls))
        for request in self._follow_links(response, outcome.links):
            yield request

    async def _read_page(self, page: FetchedPage, task: PageTask) -> PageOutcome:
        """The page read by a worker: one parse gives its links and, for a candidate, its record.

        Should the workers fail (a worker killed, the pool broken), the links are read
        here so the crawl goes on, and an article goes to the pipeline as a job: it is
        kept as pending and extracted by a later run.
        """
        try:
            return await maybe_deferred_to_future(self.workers.submit(read_crawled_page, page, task))
        except Exception as exc:
            self.crawler.stats.inc_value("archive/page_reading_failed")
            self.logger.error("a worker could not read %s (%s): reading its links here", page.url, exc)
            return read_links_only(page, task, error=str(exc))

    def _follow_links(self, response: Response, links: PageLinks):
        """Request the page's links; stop paging a list once it shows only confirmed articles.

        Lists run newest first, so a page of confirmed articles (or K of them in a row)
        means the older pages behind it hold nothing new. An article is confirmed once a
        run that walked the site's lists to their end (or down to confirmed articles)
        completed: articles of an interrupted run, or found by this run through another
        list, do not count, so an interrupted walk is resumed, not cut short. Paging does
        not count as depth: a list may have hundreds of pages.
        """
        urls = links.urls  # on the site: the worker left the others out
        articles = {url for url in urls if self.is_article(url)}
        known_urls, dead, confirmed = self._known_and_dead(urls, articles)
        archived = [url in confirmed for url in urls if url in articles or not articles]
        in_a_row = longest = 0
        for flag in archived:
            in_a_row = in_a_row + 1 if flag else 0
            longest = max(longest, in_a_row)
        exhausted = longest >= self.site.stop_after_known or (bool(articles) and all(archived))
        hops = response.meta.get("hops", 0)
        for url in urls:
            paging = url in links.pagers
            if exhausted and paging:
                self.crawler.stats.inc_value("archive/pagination_stopped")
                continue
            yield from self._request_for(url, hops=hops if paging else hops + 1, skip=url in known_urls or url in dead,
                                         article=url in articles)

    def fetch_failed(self, failure):
        """Count why a page could not be had (too large, a compression bomb, a timeout, a
        refusal); Scrapy has logged the details already. A page of the site's lists that
        could not be had leaves the walk incomplete (a dead link does not); a state or
        disk failure stops the crawl."""
        error = failure.value
        if isinstance(error, FATAL_ERRORS):
            report_fault(self.crawler, str(error))
        reason = type(error).__name__
        if isinstance(error, HttpError):  # an answer of 4xx or 5xx (an IgnoreRequest too)
            if error.response.status in (404, 410):
                reason = "gone"
                if "hops" in failure.request.meta:
                    # a link found on a page or in a sitemap that leads nowhere: the site's fault, not the crawl's
                    self.crawler.stats.inc_value("archive/dead_links")
        elif isinstance(error, IgnoreRequest):
            text = str(error)
            reason = next((name for key, name in _IGNORED_REASONS if key in text), "ignored")
        self.crawler.stats.inc_value(f"archive/fetch_failed/{reason}")
        request = getattr(failure, "request", None)
        # A refusal (robots, a trap, too large) or a client error stays so; a timeout, a
        # lost connection or a server error may not, and the pages behind it were not walked.
        if isinstance(error, HttpError):
            status = error.response.status
            transient = status >= 500 or status in (408, 429)
        else:
            transient = not isinstance(error, IgnoreRequest)
        if request is not None and not request.meta.get("candidate") and transient:
            self.crawler.stats.inc_value("archive/list_pages_failed")

    def parse_xml(self, response: Response):
        """RSS, Atom and sitemaps (sitemap indexes too): request what they list, newest first."""
        found = read_index(response.body, response.url)
        if found is None:
            self.crawler.stats.inc_value("archive/bad_feed")
            return
        if found.doctype_removed:
            self.crawler.stats.inc_value("archive/feed_doctype_removed")
        for url in found.sitemaps:
            yield scrapy.Request(url, callback=self.parse_xml, errback=self.fetch_failed)
        listed = [url for url in found.pages if url in self.domains]
        articles = {url for url in listed if self.is_article(url)}
        known_urls, dead, _ = self._known_and_dead(listed, articles)
        for url in listed:
            if url in known_urls or url in dead or url in self._continuations:
                continue
            if self.index_budget <= 0:
                self.crawler.stats.inc_value("archive/index_budget_spent")
                continue
            for request in self._request_for(url, from_index=True, skip=False, article=url in articles):
                self.index_budget -= 1
                # after the pages the site's own lists lead to
                yield request.replace(priority=-1)

    def _request_for(self, url: str, *, skip: bool, article: bool, from_index: bool = False, hops: int = 1):
        """Request `url` if it is to be crawled; `skip` is the known-or-dead verdict
        (_known_and_dead) and `article` whether the article patterns match."""
        if url in self._continuations or url not in self.domains:
            return
        if skip:
            self.crawler.stats.inc_value("archive/known_articles_skipped")
            return
        if hops > self.site.max_depth:
            self.crawler.stats.inc_value("archive/too_deep")
            return
        if article or self.should_follow(url) or (from_index and self.auto):
            # A list page (never an article page) may be settled: see crawler/settled.py.
            # A possible article's capture must reach extraction (CrawlState.unextracted).
            yield scrapy.Request(url, callback=self.parse, errback=self.fetch_failed,
                                 meta={"hops": hops, "dated_list": not article and not self.auto,
                                       "candidate": article or self.auto})

    # -- articles: pages 2..N, then the view counter, then one item ------------------

    def _article_outputs(self, url: str, pointer, page: FetchedPage, facts):
        """What makes an article's row, from its first page as a worker read it: the row
        itself, or first the requests of its further pages and its counter."""
        article = {"url": url, "pointers": [pointer], "pages": [page], "seen": {url}, "counter": facts.counter,
                   "record": facts.record}
        if facts.record is None and facts.error is None:
            # worth remembering: an unchanged page that is no article is not read again
            yield ExtractedArticle(self._job(article), None)
        else:
            yield from self._next_or_done(article, facts.continuations)

    def _next_or_done(self, article: dict, candidates: list[str]):
        following = [u for u in candidates if u not in article["seen"]]
        self._continuations.update(following)
        if following and len(article["pointers"]) < MAX_ARTICLE_PAGES:
            article["seen"].add(following[0])
            yield scrapy.Request(following[0], callback=self.parse_continuation, errback=self.continuation_failed,
                                 meta={"article": article}, dont_filter=True)
        else:
            yield from self._counter_or_item(article)

    async def parse_continuation(self, response: Response):
        article = response.meta["article"]
        pointer = response.meta.get("warc_pointer")
        if response.status != 200 or pointer is None:
            self.crawler.stats.inc_value("archive/continuation_failed")
            for output in self._counter_or_item(article):
                yield output
            return
        page = _fetched_page(response)
        article["pointers"].append(pointer)
        article["pages"].append(page)
        try:
            following = await maybe_deferred_to_future(self.workers.submit(continuation_pages, page))
        except Exception as exc:
            self.crawler.stats.inc_value("archive/page_reading_failed")
            self.logger.error("a worker could not read %s (%s)", page.url, exc)
            following = []
        for output in self._next_or_done(article, following):
            yield output

    def continuation_failed(self, failure):
        self.crawler.stats.inc_value("archive/continuation_failed")
        yield from self._counter_or_item(failure.request.meta["article"])

    def _counter_or_item(self, article: dict):
        attachment = self.attachments.next_request(article)  # its files first (crawler/attachments.py)
        if attachment is not None:
            yield attachment
            return
        counter = article["counter"]
        if counter is None:
            yield self._item(article)
            return
        yield scrapy.Request(counter.url, callback=self.parse_counter, errback=self.counter_failed,
                             meta={"article": article, "conditional": False}, dont_filter=True)

    async def parse_attachment(self, response: Response):
        for row in await self.attachments.received(response):
            yield row
        for output in self._counter_or_item(response.meta["article"]):
            yield output

    def attachment_failed(self, failure):
        self.attachments.failed(failure)
        yield from self._counter_or_item(failure.request.meta["article"])

    def parse_counter(self, response: Response):
        article = response.meta["article"]
        if response.status == 200 and response.meta.get("warc_pointer") is not None:
            yield self._item(article, counter_answer=response)
        else:
            self.crawler.stats.inc_value(f"archive/views_unavailable/http_{response.status}")
            yield self._item(article)

    def counter_failed(self, failure):
        reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"archive/views_unavailable/{reason}")
        yield self._item(failure.request.meta["article"])

    def _item(self, article: dict, counter_answer: Response | None = None) -> ArticleJob | ExtractedArticle:
        """The article's record when its one page was extracted already; else a job for
        the pipeline's workers, with its pages as fetched. The counter's answer goes with
        either: the workers read it."""
        job = self._job(article, counter_answer)
        self.attachments.annotate(article)
        record = article["record"]
        if record is None or len(job.pointers) > 1:
            return job
        return ExtractedArticle(job, record)

    def _job(self, article: dict, counter_answer: Response | None = None) -> ArticleJob:
        counter = article["counter"]
        capture = None
        if counter is not None:
            answered = counter_answer is not None
            capture = CounterCapture(counter.family, counter.url,
                                     counter_answer.meta["warc_pointer"] if answered else None, counter.read_pattern,
                                     answer=_fetched_page(counter_answer) if answered else None)
        return ArticleJob(url=article["url"], site=self.site.id, pointers=list(article["pointers"]),
                          force=not self.auto, counter=capture, pages=tuple(article["pages"]),
                          attachments=self.attachments.outcomes(article))

    # -- view counts of articles archived earlier -------------------------------------

    def parse_views(self, response: Response):
        if response.status != 200:
            self.crawler.stats.inc_value(f"archive/views_unavailable/http_{response.status}")
            return
        yield ViewsObservation(
            url=response.meta["views_of"],
            site=self.site.id,
            family=response.meta["family"],
            answer=response.body,
            observed_at=response.meta.get("fetched_at") or datetime.now(UTC),
        )


def _fetched_page(response: Response) -> FetchedPage:
    return FetchedPage(
        url=response.url,
        status=response.status,
        headers={name.decode("latin-1").lower(): (response.headers.get(name) or b"").decode("latin-1")
                 for name in response.headers},
        body=response.body,
        fetched_at=response.meta.get("captured_at") or response.meta.get("fetched_at") or datetime.now(UTC),
        pointer=response.meta.get("warc_pointer"),
    )

