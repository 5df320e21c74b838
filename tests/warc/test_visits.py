"""A fetch that got no answer, kept as a metadata record, and every visit of a URL read back."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from archive.warc.visits import FAILURE, RESPONSE, REVISIT, scan_visits
from archive.warc.writer import SERVER_NOT_MODIFIED, HttpExchange, Revisit, WarcFileWriter

WHEN = datetime(2026, 11, 20, 8, 21, tzinfo=UTC)
URL = "http://127.0.0.1/news/1.htm"


def uuid(n: int) -> str:
    return f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"


def exchange(status: int, headers=(), body: bytes = b"") -> HttpExchange:
    return HttpExchange(URL, "GET", "/news/1.htm", [("Host", "127.0.0.1")], b"", status, "HTTP/1.1", list(headers),
                        body, "127.0.0.1")


def test_a_failure_record_byte_for_byte(tmp_path):
    ids = itertools.count(1)
    writer = WarcFileWriter(tmp_path, "t", clock=lambda: WHEN, record_id=lambda: uuid(next(ids)))
    pointer = writer.write_failure(URL, "TimeoutError: Getting http://127.0.0.1/news/1.htm took\nlonger than 30 s")
    writer.close()
    block = b"fetch-failed: TimeoutError: Getting http://127.0.0.1/news/1.htm took longer than 30 s\r\n"
    digest = base64.b32encode(hashlib.sha1(block).digest()).decode()
    data = gzip.decompress(writer.files[0].read_bytes())
    assert data[data.index(b"WARC/1.1\r\nWARC-Record-ID: " + uuid(2).encode()):] == (
        "WARC/1.1\r\n"
        f"WARC-Record-ID: {uuid(2)}\r\n"
        "WARC-Date: 2026-11-20T08:21:00.000000Z\r\n"
        "WARC-Type: metadata\r\n"
        f"WARC-Target-URI: {URL}\r\n"
        f"WARC-Payload-Digest: sha1:{digest}\r\n"
        f"WARC-Block-Digest: sha1:{digest}\r\n"
        "Content-Type: application/warc-fields\r\n"
        f"Content-Length: {len(block)}\r\n"
        "\r\n").encode() + block + b"\r\n\r\n"
    assert pointer.record_id == uuid(2) and writer.index == []  # no capture: nothing to replay
    warcio = str(Path(sys.executable).with_name("warcio"))
    assert subprocess.run([warcio, "check", str(writer.files[0])], capture_output=True).returncode == 0


def test_every_visit_read_back_in_order(tmp_path):
    writer = WarcFileWriter(tmp_path, "t")
    first = writer.write(exchange(200, [("Content-Type", "text/html")], b"<html>v1</html>"), WHEN)
    writer.write(exchange(304), WHEN, Revisit(SERVER_NOT_MODIFIED, first, URL, "2026-11-20T08:21:00.000000Z"))
    writer.write(exchange(302, [("Location", "/index.html")]), WHEN)
    writer.write_failure(URL, "ConnectionRefusedError: refused", WHEN)
    writer.close()
    visits = list(scan_visits(writer.files[0]))
    assert [(v.kind, v.status) for v in visits] == [(RESPONSE, 200), (REVISIT, 304), (RESPONSE, 302), (FAILURE, 0)]
    assert visits[1].refers_to == first.record_id
    assert visits[2].location == "/index.html"
    assert visits[3].reason == "ConnectionRefusedError: refused"
    assert {v.url for v in visits} == {URL} and visits[0].pointer == first
