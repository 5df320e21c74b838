"""Record every HTTP exchange of a crawl into WARC files, byte for byte as received.

Re-fetches are made conditional (If-None-Match / If-Modified-Since) and a page that
has not changed is archived as a revisit record instead of a second full copy: a 304
as server-not-modified, a 200 with the same payload digest as identical-payload-digest.
Either way the spider receives the page as archived before, so navigation through an
unchanged list page works exactly as the first time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from archive.datadir import DataDir
from archive.errors import WarcReadError
from archive.state.attachments import AttachmentLedger, attachment_ledger
from archive.state.hubs import hub_due
from archive.state.store import shared_state
from archive.warc.cdxj import write_lines
from archive.warc.reader import read_page
from archive.warc.writer import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    HttpExchange,
    Revisit,
    WarcFileWriter,
    payload_digest,
    warc_date,
)
from crawler.attachments import ATTACHMENT
from crawler.faults import report_fault
from crawler.rechecks import FAILURE_RECORD, RECHECK, failure_reason
from crawler.settled import FROM_ARCHIVE, has_links, is_robots, is_settled

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# Bytes kept of a body whose download was stopped for its size.
TRUNCATED_BODY = 65536
# request.meta key: (url, what the state knew of it when the request went out)
_KNOWN = "archive_known_capture"


def _header_pairs(headers) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class WarcCaptureMiddleware:
    """Downloader middleware that writes a request and a response record per download.

    It sits closest to the downloader, so it sees the body before decompression and
    every response (3xx, 4xx, 5xx and robots.txt included) before other middlewares act.
    The location of the capture is left in ``request.meta["warc_pointer"]``, and
    ``request.meta["unchanged"]`` says the page repeats an earlier capture.
    """

    def __init__(self, crawler: Crawler, out: Path, max_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.out = out
        self.max_size = max_size
        self.state = shared_state(out)
        self.ledger: AttachmentLedger | None = None
        self.writer: WarcFileWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        middleware = cls(crawler, Path(crawler.settings.get("ARCHIVE_OUT")),
                         crawler.settings.getint("ARCHIVE_WARC_MAX_SIZE"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider) -> None:
        self.site = spider.site
        info = {"site": self.site.id, "robots": "obey" if self.site.obey_robots else "ignore"}
        self.writer = WarcFileWriter(DataDir(self.out).warc, self.site.id, max_size=self.max_size, info=info,
                                     worker=self.crawler.settings.get("ARCHIVE_WORKER_ID") or None)

    def spider_closed(self, spider) -> None:
        if self.writer is None:
            return
        self.writer.close()
        for path in self.writer.files:
            self.stats.inc_value("archive/warc_files")
            spider.logger.info("WARC file written: %s", path)
        if self.writer.files:
            # One CDXJ index per crawl of a site, beside the others: pywb reads the folder.
            # Made from what was written, not by reading the files back (that cost a
            # tenth of the crawler's time).
            write_lines(sorted(self.writer.index), DataDir(self.out).index_file(self.writer.files[0]))

    def process_request(self, request):
        if not request.meta.get("conditional", True) or request.method != "GET":
            return None
        known = self.state.known(request.url)
        # The response needs it too: looked up once a request.
        request.meta[_KNOWN] = (request.url, known)
        if known is None or known.pointer is None:
            return None
        # A redirect carries the meta of the request it came from: its target is not the
        # dated list page the spider asked for.
        dated_list = request.meta.get("dated_list", False) and not request.meta.get("redirect_urls")
        if is_settled(request.url, known, self.site.settled_days, dated_list=dated_list):
            settled = self._from_archive(request, known, lambda page: is_robots(request.url) or has_links(page.body))
            if settled is not None:
                self.stats.inc_value("archive/settled_from_archive")
                return settled
        if not request.meta.get("start") and not request.meta.get("redirect_urls") and known.status == 200 \
                and not self._hub_due(request.url):
            # its links are those the state recorded when it was last fetched
            resting = self._from_archive(request, known, lambda page: True)
            if resting is not None:
                self.stats.inc_value("archive/hubs_from_archive")
                return resting
        if known.etag:
            request.headers.setdefault("If-None-Match", known.etag)
        if known.last_modified:
            request.headers.setdefault("If-Modified-Since", known.last_modified)
        return None

    def process_response(self, request, response):
        if FROM_ARCHIVE in response.flags:
            return response
        # Counters and other live answers ask for a full record every time.
        wants_revisit = request.meta.get("conditional", True) and response.status in (200, 304)
        known = self._known(request) if wants_revisit else None
        # A download stopped as too large (crawler/attachments.py) keeps its first bytes,
        # enough to tell its type.
        stopped = "download_stopped" in response.flags
        body = response.body[:TRUNCATED_BODY] if stopped else response.body
        # One hash of the body serves the revisit check, the record and the state store.
        digest = payload_digest(body)
        revisit = self._revisit_for(response, known, digest)
        if revisit is None and ATTACHMENT in request.meta and response.status == 200 and body and not stopped:
            # the same file at another address, or at this one since the request went out
            # (a crawl following every link fetched it as a page meanwhile): archived once
            known = self._same_file(request.url, digest) or known
            revisit = self._revisit_for(response, known, digest)
        moment = datetime.now(UTC)
        exchange = self._exchange(request, response, body, stopped)
        try:
            pointer = self.writer.write(exchange, moment, revisit, digest)
        except OSError as exc:
            self._write_failed(request, exc)
        request.meta["fetched_at"] = moment
        self.stats.inc_value("archive/warc_records", 2)
        if revisit is not None:
            self.stats.inc_value(f"archive/revisits/{'not_modified' if response.status == 304 else 'identical'}")
            # a file found at a new address is known there from now on, held by the record it repeats
            elsewhere = known.url != request.url
            self.state.record_capture(request.url, self.site.id, response.status, etag=None, last_modified=None,
                                      payload_digest=digest if elsewhere else None,
                                      pointer=known.pointer if elsewhere else None,
                                      warc_date=known.warc_date if elsewhere else None)
            _point_at(request, known.pointer, _captured_at(known))
            request.meta["unchanged"] = True
            if response.status != 304:
                return response
            return self._archived_response(request, known, flags=["archived"], peer=response) or response
        self.stats.inc_value("archive/warc_bytes", len(body))
        self.state.record_capture(
            request.url, self.site.id, response.status,
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            # a truncated body's digest is no file's: nothing is ever a revisit of it
            payload_digest=None if stopped else digest, pointer=pointer, warc_date=warc_date(moment),
            candidate=request.meta.get("candidate", False),
        )
        if ATTACHMENT in request.meta and response.status == 200 and body and not stopped:
            self._attachments().file_archived(self.site.id, digest, request.url)
        _point_at(request, pointer, moment)
        return response

    def process_exception(self, request, exception):
        """A check of an archived article that got no answer (a timeout, a refused
        connection) is recorded as well, as a metadata record: the article's history is
        made again from the WARC files (archive.changes.derive) and must know of it."""
        if not request.meta.get(RECHECK) or isinstance(exception, IgnoreRequest) or self.writer is None:
            return None
        reason, moment = failure_reason(exception), datetime.now(UTC)
        try:
            pointer = self.writer.write_failure(request.url, reason, moment)
        except OSError as exc:
            self.stats.inc_value("archive/warc_write_failed")
            report_fault(self.crawler, f"{exc.filename or self.writer.directory}: cannot write WARC records "
                                       f"({exc.strerror or exc})")
            return None
        self.stats.inc_value("archive/warc_records")
        # the check's observation is this record: the same time, the same words
        request.meta[FAILURE_RECORD] = (pointer.record_id, moment.isoformat(), reason)
        return None

    def _from_archive(self, request, known, usable):
        """The archived copy served in place of a request, when `usable` says it will do."""
        archived = self._archived_response(request, known, flags=[FROM_ARCHIVE])
        if archived is None or not usable(archived):
            return None
        _point_at(request, known.pointer, _captured_at(known))
        request.meta["unchanged"] = True
        return archived

    def _attachments(self) -> AttachmentLedger:
        if self.ledger is None:
            self.ledger = attachment_ledger(self.state)
        return self.ledger

    def _same_file(self, url: str, digest: str):
        """The capture of the site holding the payload `digest`: an attachment at any
        address, or what `url` holds now."""
        found = self._attachments().same_file(self.site.id, digest)
        if found is None:
            now = self.state.known(url)
            found = now if now is not None and now.payload_digest == digest and now.pointer is not None else None
        return found

    def _hub_due(self, url: str) -> bool:
        """Whether a hub page is to be polled now (always, for a page that is no known hub)."""
        hub = self.state.hub(url)
        if hub is None:
            return True
        links, last_polled, last_changed = hub
        return hub_due(last_polled, last_changed, links, datetime.now(UTC), self._lists_articles)

    def _lists_articles(self, links) -> bool:
        if any(self.site.matches_article(url) for url in links):
            return True
        return any(known.state != "not_article" for known in self.state.article_states(links).values())

    def _known(self, request):
        """The state's capture of the URL, as process_request found it for this very URL."""
        url, known = request.meta.get(_KNOWN, (None, None))
        return known if url == request.url else self.state.known(request.url)

    def _write_failed(self, request, exc: OSError):
        """A capture that cannot be written (disk full) ends the crawl.

        The writer has cut the torn record away, so the WARC file ends with a whole
        record; nothing about this exchange reaches the state store or the spider, so the
        next run fetches it again. Going on would only fetch pages it cannot keep.
        """
        self.stats.inc_value("archive/warc_write_failed")
        where = exc.filename or self.writer.directory
        report_fault(self.crawler, f"{where}: cannot write WARC records ({exc.strerror or exc})")
        raise IgnoreRequest(f"{request.url}: capture not written ({exc.strerror or exc})")

    def _revisit_for(self, response, known, digest: str) -> Revisit | None:
        if known is None or known.pointer is None or known.status != 200:
            return None
        if response.status == 304:
            return Revisit(SERVER_NOT_MODIFIED, known.pointer, known.url, known.warc_date or "")
        if digest == known.payload_digest:
            return Revisit(IDENTICAL_PAYLOAD, known.pointer, known.url, known.warc_date or "", digest)
        return None

    def _archived_response(self, request, known, flags: list[str], peer=None):
        """The earlier capture, served in place of a 304 (or of a settled page's request)
        so navigation can go on; None if it cannot be read back."""
        try:
            page = read_page(known.pointer)
        except WarcReadError:
            self.stats.inc_value("archive/revisit_source_unreadable")
            return None
        # The stored body is decoded already; drop the headers that describe an encoding.
        headers = Headers({k: v for k, v in page.headers.items()
                           if k not in ("content-encoding", "transfer-encoding", "content-length")})
        cls = responsetypes.from_args(headers=headers, url=request.url, body=page.body)
        return cls(url=request.url, status=known.status, headers=headers, body=page.body, request=request, flags=flags,
                   ip_address=peer.ip_address if peer else None, protocol=peer.protocol if peer else None)

    def _exchange(self, request, response, body: bytes, stopped: bool) -> HttpExchange:
        request_headers = _header_pairs(request.headers)
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers.insert(0, ("Host", urlsplit(request.url).netloc))
        return HttpExchange(
            url=response.url,
            method=request.method,
            request_target=_request_target(request.url),
            request_headers=request_headers,
            request_body=request.body or b"",
            status=response.status,
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
            response_headers=_header_pairs(response.headers),
            response_body=body,
            ip_address=str(response.ip_address) if response.ip_address else None,
            truncated="length" if stopped else None,
        )


def _header(response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _point_at(request, pointer, captured_at: datetime | None) -> None:
    """Where the page the spider gets is archived, and when that capture was made (the
    first capture's time for an unchanged page, as a rebuild from the WARC files says)."""
    request.meta["warc_pointer"] = pointer
    request.meta["captured_at"] = captured_at


def _captured_at(known) -> datetime | None:
    return datetime.fromisoformat(known.warc_date) if known.warc_date else None
