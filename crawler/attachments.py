"""Fetching the files an article links (附件), one after the other, before its record goes on.

Once an article's page is extracted, the spider asks `ArticleAttachments` for the next
file to fetch: a link of the record's `attachments` on the site's domains, of a type the
site wants (archive.attachments.policy), and neither fetched in an earlier run (a file
archived before, or a link that answered 404, is not asked for again) nor in this one.
The file is archived like every response; a worker reads it (archive.jobs.attachments,
bounded in time and memory) and the row goes to the pipeline (crawler/attachment_rows.py).
The article's record then carries each file's sha1 and status.

What a file is, the crawl only learns from the file: links without an extension
(`download.jsp?wbfileid=…`) are fetched, and a web page answered to one is no file.
`AttachmentGuard` stops a download past the site's `max_mb` (archived with its first
bytes only: WARC-Truncated) or of a type the site does not want (not archived at all).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future

from archive.attachments.filetypes import hinted_type
from archive.attachments.names import sent_filename
from archive.attachments.policy import AttachmentPolicy, media_type_of
from archive.attachments.reading import ReadLimits
from archive.jobs.attachments import annotated, outcome, read_attachment
from archive.records import Attachment, AttachmentCapture, AttachmentRow
from archive.state.attachments import attachment_ledger, known_outcome
from archive.state.store import shared_state
from crawler.settled import FROM_ARCHIVE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# request.meta key of an attachment request: the link and the site's policy
ATTACHMENT = "archive_attachment"
# request.meta keys of the guard: declared too large, and bytes received so far
_OVERSIZED = "archive_attachment_oversized"
_RECEIVED = "archive_attachment_received"
# What Scrapy itself lets an attachment's body grow to (the guard stops it at the site's
# max_mb first): a backstop, should a download run past the guard.
BACKSTOP_BYTES = 1 << 20
# A page linking more files than this is a listing (a download centre), not a notice.
MAX_PER_ARTICLE = 50
# Statuses of a capture that mean "do not ask again": archived, or gone.
_SETTLED = (200, 404, 410)
# How the middlewares word a refusal, and the names the crawl summary counts them by
# (crawler/run.py); "crawl is stopping" is a request dropped at a stop.
_REFUSED = (("robots.txt", "robots_forbidden"), ("offsite", "offsite"), ("trap", "trap"),
            ("forbidden address", "forbidden_address"), ("crawl is stopping", "not_fetched_at_stop"))


class ArticleAttachments:
    """The spider's side: which of an article's files to fetch, and what came of each."""

    def __init__(self, spider: scrapy.Spider) -> None:
        self.spider = spider
        settings = spider.settings
        self.enabled = settings.getbool("ARCHIVE_ATTACHMENTS_ENABLED") and spider.site.attachments.enabled \
            and settings.getbool("ARCHIVE_EXTRACT_ENABLED")
        self.policy: AttachmentPolicy = spider.site.attachments
        self.limits = ReadLimits(seconds=settings.getfloat("ARCHIVE_ATTACHMENTS_TIMEOUT"),
                                 memory_mb=settings.getint("ARCHIVE_ATTACHMENTS_MEMORY_MB"))
        self.download_timeout = settings.getfloat("ARCHIVE_ATTACHMENTS_DOWNLOAD_TIMEOUT")
        self.ledger = attachment_ledger(spider.state) if self.enabled else None
        self.stats = spider.crawler.stats
        # files asked for in this run, and what came of those read
        self._asked: set[str] = set()
        self._outcomes: dict[str, Attachment] = {}

    def next_request(self, article: dict) -> scrapy.Request | None:
        """The request of the article's next file to fetch, or None once there is none."""
        if not self.enabled:
            return None
        queue = article.get("attachment_queue")
        if queue is None:
            queue = article["attachment_queue"] = self._to_fetch(article)
        if not queue:
            return None
        link = queue.pop(0)
        self.stats.inc_value("archive/attachments/requested")
        # The article as Referer, as a browser sends it: download scripts refuse requests
        # from nowhere. After the pages the same page led to: a crawl that follows every
        # link may have fetched the file as a page by then, and it is read from there.
        return scrapy.Request(link.url, callback=self.spider.parse_attachment, errback=self.spider.attachment_failed,
                              dont_filter=True, priority=-1, headers={"Referer": article["url"]}, meta={
                                  "article": article, ATTACHMENT: (link, self.policy),
                                  "download_maxsize": self.policy.max_bytes + BACKSTOP_BYTES,
                                  "download_warnsize": 0,
                                  "download_timeout": self.download_timeout})

    def _to_fetch(self, article: dict) -> list[Attachment]:
        """The article's links to fetch: not archived or gone before, or archived but never
        read as a file (a crawl that follows every link fetched it as a page; it is read
        from the archive, see ArchivedAttachments)."""
        record = article.get("record")
        outcomes = article["attachment_outcomes"] = {}
        if record is None or not record.attachments:
            return []
        links = [link for link in record.attachments[:MAX_PER_ARTICLE]
                 if link.url in self.spider.domains and self.policy.wants(hinted_type([link.url, link.title]))]
        fresh = [link for link in links if link.url not in self._asked]
        statuses = self.spider.state.capture_statuses([link.url for link in fresh])
        read = self.ledger.outcomes([link.url for link in links])
        for link in links:
            known = self._outcomes.get(link.url) or known_outcome(link, read.get(link.url))
            if known.status is not None:
                outcomes[link.url] = known
        wanted = [link for link in fresh if statuses.get(link.url) not in _SETTLED
                  or statuses[link.url] == 200 and link.url not in read]
        self.stats.inc_value("archive/attachments/known", len(links) - len(wanted))
        self._asked.update(link.url for link in wanted)
        return wanted

    async def received(self, response) -> list[AttachmentRow]:
        """The row of a fetched file, read by a worker (none for a web page, or when the
        workers fail: the file stays pending and the next run reads it)."""
        article = response.meta["article"]
        link, _ = response.meta[ATTACHMENT]
        pointer = response.meta.get("warc_pointer")
        if pointer is None:
            self.stats.inc_value("archive/attachments/not_archived")
            return []
        record = article["record"]
        capture = AttachmentCapture(self.spider.site.id, article["url"], link.url, link.title, pointer,
                                    record.published_date, response.meta.get("fetched_at"))
        self.ledger.submitted(capture)
        try:
            row = await maybe_deferred_to_future(self.spider.workers.submit(read_attachment, capture, self.limits))
        except Exception as exc:
            self.stats.inc_value("archive/attachments/read_failed")
            self.spider.logger.error("a worker could not read the attachment %s (%s)", link.url, exc)
            return []
        if row is None:
            self.stats.inc_value("archive/attachments/not_a_file")
            self.ledger.not_a_file(link.url)
            return []
        self.stats.inc_value(f"archive/attachments/status/{row.status}")
        self.ledger.read(row.url, row.sha1, row.status)
        article["attachment_outcomes"][row.url] = self._outcomes[row.url] = outcome(row)
        return [row]

    def failed(self, failure) -> None:
        """Count why a file could not be had, as the spider counts its pages (the crawl
        summary's refused, dead links and failures); the article goes on without it."""
        error = failure.value
        if isinstance(error, HttpError) and error.response.status in (404, 410):
            self.stats.inc_value("archive/dead_links")
            reason = "gone"
        elif isinstance(error, StopDownload):
            reason = "attachment_type"  # a type the site does not want: a refusal by rule
        elif isinstance(error, IgnoreRequest):
            text = str(error)
            reason = next((name for key, name in _REFUSED if key in text), "ignored")
        else:
            reason = type(error).__name__
        self.stats.inc_value(f"archive/fetch_failed/{reason}")
        self.stats.inc_value(f"archive/attachments/failed/{reason}")

    def outcomes(self, article: dict) -> tuple[Attachment, ...]:
        """The files of `article` read so far (or before), with their sha1 and status."""
        return tuple(article.get("attachment_outcomes", {}).values())

    def annotate(self, article: dict) -> None:
        """The article's record with its files' sha1 and status."""
        record = article.get("record")
        found = article.get("attachment_outcomes")
        if record is not None and found:
            record.attachments = annotated(record.attachments, found)


class ArchivedAttachments:
    """Downloader middleware: an attachment archived by the time its request is due (a
    crawl that follows every link fetched it as a page) is served from its WARC record's
    pointer, with no request sent; the worker reads it from there."""

    def __init__(self, crawler: Crawler) -> None:
        self.out = Path(crawler.settings.get("ARCHIVE_OUT"))
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_ATTACHMENTS_ENABLED"):
            raise NotConfigured("ARCHIVE_ATTACHMENTS_ENABLED is off")
        return cls(crawler)

    def process_request(self, request):
        if ATTACHMENT not in request.meta:
            return None
        known = shared_state(self.out).known(request.url)
        if known is None or known.pointer is None or known.status != 200:
            return None
        self.stats.inc_value("archive/attachments/from_archive")
        request.meta["warc_pointer"] = known.pointer
        request.meta["fetched_at"] = datetime.fromisoformat(known.warc_date) if known.warc_date else None
        return Response(request.url, status=200, flags=[FROM_ARCHIVE], request=request)


class AttachmentGuard:
    """Stops an attachment's download once it is known not to be kept whole: larger than
    the site's `max_mb` (declared so by its headers, or once that many bytes came), it is
    delivered with what arrived so far and archived as truncated; of a type the site does
    not want (by its Content-Type or sent file name), it is dropped unarchived.

    A stop at the headers would lose the address the response came from, which the
    address guard requires: an oversized file is stopped at its first bytes instead.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_ATTACHMENTS_ENABLED"):
            raise NotConfigured("ARCHIVE_ATTACHMENTS_ENABLED is off")
        guard = cls(crawler)
        crawler.signals.connect(guard.headers_received, signal=signals.headers_received)
        crawler.signals.connect(guard.bytes_received, signal=signals.bytes_received)
        return guard

    def headers_received(self, headers, body_length, request, spider) -> None:
        wanted = request.meta.get(ATTACHMENT)
        if wanted is None:
            return
        _, policy = wanted
        named = hinted_type([sent_filename(_header(headers, b"Content-Disposition"))]) \
            or media_type_of(_header(headers, b"Content-Type") or "")
        if not policy.wants(named):
            raise StopDownload(fail=True)
        # body_length is an int, or Twisted's UNKNOWN_LENGTH (a string) without Content-Length
        if isinstance(body_length, int) and body_length > policy.max_bytes:
            self.stats.inc_value("archive/attachments/too_large")
            request.meta[_OVERSIZED] = True
            # read after this signal: Scrapy would cancel the download, unarchived
            request.meta["download_maxsize"] = 0

    def bytes_received(self, data, request, spider) -> None:
        wanted = request.meta.get(ATTACHMENT)
        if wanted is None:
            return
        received = request.meta[_RECEIVED] = request.meta.get(_RECEIVED, 0) + len(data)
        if request.meta.get(_OVERSIZED) or received > wanted[1].max_bytes:
            raise StopDownload(fail=False)


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None
