"""The WARC capture middleware, built by Scrapy's get_crawler with the project's settings,
writing real WARC files and a real state store under tmp_path."""

from __future__ import annotations

import base64
import gzip
import ipaddress
import os
import subprocess
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, Response
from warcio.archiveiterator import ArchiveIterator

from archive.datadir import DataDir
from archive.state.store import shared_state
from archive.warc.reader import scan_responses
from archive.warc.writer import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED
from crawler.capture import WarcCaptureMiddleware
from crawler.spiders.news import NewsSpider
from tests.crawler.conftest import FollowingSpider, crawler_for, loopback_site
from tests.reliability.conftest import WARCIO, can_mount_tmpfs
from tests.reliability.hostile import HostileServer, Page

URL = "http://127.0.0.1:8000/list/1.html"
PAGE = "<html><body><h1>列表</h1>" + "".join(f"<a href='/a/{n}.html'>第{n}篇</a>" for n in range(5)) + "</body></html>"
VALIDATORS = {"ETag": '"v1"', "Last-Modified": "Mon, 19 Oct 2026 08:21:00 GMT"}


@pytest.fixture
def capture(tmp_path):
    crawler = crawler_for(NewsSpider, loopback_site(URL), tmp_path)
    middleware = WarcCaptureMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    yield middleware
    middleware.spider_closed(crawler.spider)


def fetched(middleware: WarcCaptureMiddleware, status: int = 200, body: bytes = b"", headers=None,
            url: str = URL, meta=None) -> tuple[Request, Response]:
    """A request through process_request, its response through process_response."""
    request = Request(url, meta=meta or {})
    assert middleware.process_request(request) is None
    response = HtmlResponse(url, status=status, body=body, request=request, headers=headers or {},
                            ip_address=ipaddress.ip_address("127.0.0.1"))
    return request, middleware.process_response(request, response)


def records(out: Path) -> list:
    found = []
    for path in sorted(DataDir(out).warc.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                found.append((record.rec_type, dict(record.rec_headers.headers), record.content_stream().read()))
    return found


def test_an_exchange_is_written_as_it_came_and_remembered(capture, tmp_path):
    body = gzip.compress(PAGE.encode())
    request, response = fetched(capture, body=body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip",
                                                             **VALIDATORS})
    assert response.body == body  # handed on untouched, still encoded, to the middlewares below
    pointer = request.meta["warc_pointer"]
    capture.spider_closed(capture.crawler.spider)
    [info, (kind, headers, stored), (request_kind, request_headers, _)] = records(tmp_path)
    assert info[0] == "warcinfo" and b"site: site" in info[2]
    assert kind == "response" and request_kind == "request"
    assert headers["WARC-Record-ID"] == pointer.record_id and headers["WARC-IP-Address"] == "127.0.0.1"
    assert request_headers["WARC-Concurrent-To"] == pointer.record_id
    assert stored == PAGE.encode()  # warcio undoes the gzip the record keeps
    known = shared_state(tmp_path).known(URL)
    assert (known.etag, known.last_modified, known.pointer) == ('"v1"', VALIDATORS["Last-Modified"], pointer)
    # the crawl's CDXJ index names the capture
    [index] = DataDir(tmp_path).indexes.glob("*.cdxj")
    [line] = index.read_text().splitlines()
    assert f'"offset": "{pointer.offset}"' in line and Path(pointer.file).name in line
    assert capture.stats.get_value("archive/warc_records") == 2


def test_a_known_page_is_asked_for_only_if_changed(capture):
    fetched(capture, body=PAGE.encode(), headers=VALIDATORS)
    again = Request(URL)
    assert capture.process_request(again) is None
    assert again.headers[b"If-None-Match"] == b'"v1"'
    assert again.headers[b"If-Modified-Since"] == VALIDATORS["Last-Modified"].encode()
    # a live answer (a view counter) is asked for in full every time
    counter = Request(URL, meta={"conditional": False})
    assert capture.process_request(counter) is None and b"If-None-Match" not in counter.headers


def test_not_modified_is_archived_as_a_revisit_and_the_archived_page_served(capture, tmp_path):
    first, _ = fetched(capture, body=PAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8",
                                                              **VALIDATORS})
    request, response = fetched(capture, status=304, headers=VALIDATORS)
    assert (response.status, response.body) == (200, PAGE.encode())
    assert "archived" in response.flags
    assert request.meta["unchanged"] and request.meta["warc_pointer"] == first.meta["warc_pointer"]
    capture.spider_closed(capture.crawler.spider)
    revisit = [headers for kind, headers, _ in records(tmp_path) if kind == "revisit"]
    assert [(r["WARC-Profile"], r["WARC-Refers-To"]) for r in revisit] == [
        (SERVER_NOT_MODIFIED, first.meta["warc_pointer"].record_id)]
    assert capture.stats.get_value("archive/revisits/not_modified") == 1


def test_the_same_page_again_is_archived_as_a_revisit(capture, tmp_path):
    first, _ = fetched(capture, body=PAGE.encode(), headers={"Content-Type": "text/html"})
    request, response = fetched(capture, body=PAGE.encode(), headers={"Content-Type": "text/html"})
    assert response.body == PAGE.encode() and request.meta["unchanged"]
    changed, _ = fetched(capture, body=PAGE.replace("列表", "新列表").encode(), headers={"Content-Type": "text/html"})
    assert not changed.meta.get("unchanged")
    capture.spider_closed(capture.crawler.spider)
    kinds = [(kind, headers.get("WARC-Profile")) for kind, headers, _ in records(tmp_path) if kind != "request"]
    assert kinds == [("warcinfo", None), ("response", None), ("revisit", IDENTICAL_PAYLOAD), ("response", None)]
    assert shared_state(tmp_path).known(URL).pointer == changed.meta["warc_pointer"]


def chain_routes(pages: int, size: int):
    """Pages /p/0 .. /p/N-1, each linking to the next and carrying `size` bytes that
    compress badly: a few of them fill a small disk."""

    def route(server: HostileServer, path: str) -> Page | None:
        if path.startswith("/p/") and int(path[3:]) < pages:
            filler = base64.b64encode(os.urandom(size)).decode()
            return Page(200, f"<html><body><a href='/p/{int(path[3:]) + 1}'>next</a><p>{filler}</p></body></html>")
        return None

    return route


@pytest.fixture
def full_disk(tmp_path):
    """The WARC directory of `tmp_path` on a tmpfs of 96 kB: a disk that really fills up."""
    warc = DataDir(tmp_path).warc
    warc.mkdir(parents=True)
    if not can_mount_tmpfs(warc):
        pytest.skip("needs root to mount a small tmpfs")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(warc)], check=True)
    yield warc
    subprocess.run(["umount", "-l", str(warc)], check=False)


def test_a_capture_the_disk_cannot_take_stops_the_crawl(reactor, tmp_path, full_disk):
    with HostileServer(chain_routes(40, 20_000)) as server:
        site = loopback_site(server.base + "/p/0")
        crawler = crawler_for(FollowingSpider, site, tmp_path, DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False,
                              ROBOTSTXT_OBEY=False, ITEM_PIPELINES={}, LOG_LEVEL="WARNING")
        reactor.call(crawler.crawl, site=site)
    stats = crawler.stats.get_stats()
    assert stats["finish_reason"] == "fault"
    assert stats["archive/fault"].endswith("cannot write WARC records (No space left on device)")
    assert stats["archive/warc_write_failed"] >= 1
    assert stats["downloader/response_count"] < 10  # stopped at once, not after the 40 pages
    # what was written before is whole: every record reads to its end, and the file is closed
    [warc] = full_disk.glob("*.warc.gz")
    assert subprocess.run([WARCIO, "check", str(warc)], capture_output=True).returncode == 0
    kept = [entry.url for entry in scan_responses(warc)]
    assert kept and kept == [f"{server.base}/p/{n}" for n in range(len(kept))]
    # the page that could not be kept is not remembered: the next run fetches it
    state = shared_state(tmp_path)
    assert state.known(f"{server.base}/p/{len(kept)}") is None
    assert all(state.known(url).pointer is not None for url in kept)
