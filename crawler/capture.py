"""Record every HTTP exchange of a crawl into WARC files, byte for byte as received."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.warc import HttpExchange, WarcFileWriter


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
    The response record's location is left in ``request.meta["warc_pointer"]``.
    """

    def __init__(self, directory: Path, max_size: int) -> None:
        self.directory = directory
        self.max_size = max_size
        self.writer: WarcFileWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ARCHIVE_WARC_ENABLED", True):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        out = Path(crawler.settings.get("ARCHIVE_OUT"))
        middleware = cls(out / "warc", crawler.settings.getint("ARCHIVE_WARC_MAX_SIZE"))
        middleware.crawler = crawler
        middleware.stats = crawler.stats
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider) -> None:
        site = getattr(spider, "site", None)
        info = {"operator-note": "captured by an automated crawler", "robots": "obey"}
        if site is not None:
            info["site"] = site.id
            info["robots"] = "obey" if site.obey_robots else "ignore"
        self.writer = WarcFileWriter(self.directory, site.id if site else spider.name,
                                     max_size=self.max_size, info=info)

    def spider_closed(self, spider) -> None:
        if self.writer is not None:
            self.writer.close()
            for path in self.writer.files:
                self.stats.inc_value("archive/warc_files")
                spider.logger.info("WARC file written: %s", path)

    def process_response(self, request, response):
        request_headers = _header_pairs(request.headers)
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers.insert(0, ("Host", urlsplit(request.url).netloc))
        exchange = HttpExchange(
            url=response.url,
            method=request.method,
            request_target=_request_target(request.url),
            request_headers=request_headers,
            request_body=request.body or b"",
            status=response.status,
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
            response_headers=_header_pairs(response.headers),
            response_body=response.body,
            ip_address=str(response.ip_address) if response.ip_address else None,
        )
        pointer = self.writer.write(exchange, datetime.now(UTC))
        request.meta["warc_pointer"] = pointer
        self.stats.inc_value("archive/warc_records", 2)
        self.stats.inc_value("archive/warc_bytes", len(response.body))
        return response
