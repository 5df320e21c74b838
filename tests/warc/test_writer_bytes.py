"""The WARC writer's records, byte for byte: warcinfo, response, request and both kinds
of revisit, written with an injected clock and record ids and compared uncompressed
with what WARC 1.1 says they must be."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
from datetime import UTC, datetime

from archive.warc.writer import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    SOFTWARE,
    HttpExchange,
    Revisit,
    WarcFileWriter,
)

FIRST = datetime(2026, 10, 19, 8, 21, tzinfo=UTC)
LATER = datetime(2026, 10, 20, 1, 2, 3, 456789, tzinfo=UTC)
URL = "http://127.0.0.1/a.html"
BODY = "<html>你好</html>".encode()


def uuid(n: int) -> str:
    return f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"


def exchange(status: int, response_headers, body: bytes, request_headers) -> HttpExchange:
    return HttpExchange(URL, "GET", "/a.html", request_headers, b"", status, "HTTP/1.1", response_headers, body,
                        "127.0.0.1")


def written(tmp_path) -> tuple[bytes, str]:
    """A capture, an unchanged 200 and a 304 of it, as a crawl writes them; the file
    uncompressed, and its name."""
    ids = itertools.count(1)
    writer = WarcFileWriter(tmp_path, "t", clock=lambda: FIRST, record_id=lambda: uuid(next(ids)), info={"site": "t"})
    html = [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
    first = writer.write(exchange(200, html, BODY, [("Host", "127.0.0.1"), ("Accept-Encoding", "gzip")]))
    writer.write(exchange(200, html, BODY, [("Host", "127.0.0.1")]), LATER,
                 Revisit(IDENTICAL_PAYLOAD, first, URL, "2026-10-19T08:21:00.000000Z",
                         "sha1:MFWGWG5HG55HXHRLZORK2VIVER4NTM6I"))
    writer.write(exchange(304, [("ETag", '"v1"')], b"", [("Host", "127.0.0.1"), ("If-None-Match", '"v1"')]), LATER,
                 Revisit(SERVER_NOT_MODIFIED, first, URL, "2026-10-19T08:21:00.000000Z"))
    writer.close()
    [path] = writer.files
    return gzip.decompress(path.read_bytes()), path.name


def warcinfo(name: str) -> bytes:
    # The software field names the version, so the block's length and digest follow it.
    block = f"software: {SOFTWARE}\r\nformat: WARC File Format 1.1\r\nsite: t\r\n".encode()
    digest = base64.b32encode(hashlib.sha1(block).digest()).decode()
    return (
        "WARC/1.1\r\n"
        f"WARC-Record-ID: {uuid(1)}\r\n"
        "WARC-Date: 2026-10-19T08:21:00.000000Z\r\n"
        f"WARC-Filename: {name}\r\n"
        "WARC-Type: warcinfo\r\n"
        f"WARC-Block-Digest: sha1:{digest}\r\n"
        "Content-Type: application/warc-fields\r\n"
        f"Content-Length: {len(block)}\r\n"
        "\r\n").encode() + block + b"\r\n\r\n"


RESPONSE = (
    "WARC/1.1\r\n"
    "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    "WARC-Date: 2026-10-19T08:21:00.000000Z\r\n"
    "WARC-IP-Address: 127.0.0.1\r\n"
    "WARC-Type: response\r\n"
    "WARC-Target-URI: http://127.0.0.1/a.html\r\n"
    "WARC-Payload-Digest: sha1:MFWGWG5HG55HXHRLZORK2VIVER4NTM6I\r\n"
    "WARC-Block-Digest: sha1:EYQQUKHZ2E35BMOOZIVPB3WBGBSZVZRC\r\n"
    "Content-Type: application/http; msgtype=response\r\n"
    "Content-Length: 121\r\n"
    "\r\n"
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    # Scrapy hands the body over de-chunked: the header would mislead readers
    "X-Archive-Orig-Transfer-Encoding: chunked\r\n"
    "\r\n"
    "<html>你好</html>"
    "\r\n\r\n").encode()

REQUEST = (
    b"WARC/1.1\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000003>\r\n"
    b"WARC-Date: 2026-10-19T08:21:00.000000Z\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    b"WARC-Type: request\r\n"
    b"WARC-Target-URI: http://127.0.0.1/a.html\r\n"
    b"WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
    b"WARC-Block-Digest: sha1:KMDC4WNENRNVHLZQ2IW4QGXT4GEN74EZ\r\n"
    b"Content-Type: application/http; msgtype=request\r\n"
    b"Content-Length: 64\r\n"
    b"\r\n"
    b"GET /a.html HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\n"
    b"Accept-Encoding: gzip\r\n"
    b"\r\n"
    b"\r\n\r\n")

IDENTICAL_REVISIT = (
    b"WARC/1.1\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000004>\r\n"
    b"WARC-Date: 2026-10-20T01:02:03.456789Z\r\n"
    b"WARC-IP-Address: 127.0.0.1\r\n"
    b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest\r\n"
    b"WARC-Refers-To: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    b"WARC-Refers-To-Target-URI: http://127.0.0.1/a.html\r\n"
    b"WARC-Refers-To-Date: 2026-10-19T08:21:00.000000Z\r\n"
    b"WARC-Payload-Digest: sha1:MFWGWG5HG55HXHRLZORK2VIVER4NTM6I\r\n"
    b"WARC-Type: revisit\r\n"
    b"WARC-Target-URI: http://127.0.0.1/a.html\r\n"
    b"WARC-Block-Digest: sha1:W6PCD5735QAWA4LI5TAOVAQCRR546V6W\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 102\r\n"
    b"\r\n"
    # headers only: the payload is the one of the record referred to
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"X-Archive-Orig-Transfer-Encoding: chunked\r\n"
    b"\r\n"
    b"\r\n\r\n")

NOT_MODIFIED_REVISIT = (
    b"WARC/1.1\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000006>\r\n"
    b"WARC-Date: 2026-10-20T01:02:03.456789Z\r\n"
    b"WARC-IP-Address: 127.0.0.1\r\n"
    b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/server-not-modified\r\n"
    b"WARC-Refers-To: <urn:uuid:00000000-0000-0000-0000-000000000002>\r\n"
    b"WARC-Refers-To-Target-URI: http://127.0.0.1/a.html\r\n"
    b"WARC-Refers-To-Date: 2026-10-19T08:21:00.000000Z\r\n"
    b"WARC-Type: revisit\r\n"
    b"WARC-Target-URI: http://127.0.0.1/a.html\r\n"
    b"WARC-Block-Digest: sha1:4K6KP6NYU2YB4W3KLFPFUK76EZAXZWVT\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 41\r\n"
    b"\r\n"
    b"HTTP/1.1 304 Not Modified\r\n"
    b'ETag: "v1"\r\n'
    b"\r\n"
    b"\r\n\r\n")



def revisit_request(n: int, date: str, block: str, digest: str) -> bytes:
    """The request record written with revisit `n - 1`: the same layout as REQUEST."""
    return (
        "WARC/1.1\r\n"
        f"WARC-Record-ID: {uuid(n)}\r\n"
        f"WARC-Date: {date}\r\n"
        f"WARC-Concurrent-To: {uuid(n - 1)}\r\n"
        "WARC-Type: request\r\n"
        "WARC-Target-URI: http://127.0.0.1/a.html\r\n"
        "WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
        f"WARC-Block-Digest: sha1:{digest}\r\n"
        "Content-Type: application/http; msgtype=request\r\n"
        f"Content-Length: {len(block)}\r\n"
        "\r\n"
        f"{block}"
        "\r\n\r\n").encode()


def records(data: bytes) -> list[bytes]:
    """The records of an uncompressed WARC file, each with its trailing blank lines."""
    return [b"WARC/1.1\r\n" + part for part in data.split(b"WARC/1.1\r\n")[1:]]


def test_warcinfo_record(tmp_path):
    data, name = written(tmp_path)
    assert records(data)[0] == warcinfo(name)


def test_response_and_request_records(tmp_path):
    data, _ = written(tmp_path)
    assert records(data)[1:3] == [RESPONSE, REQUEST]


def test_revisit_records(tmp_path):
    data, _ = written(tmp_path)
    found = records(data)
    assert found[3] == IDENTICAL_REVISIT
    assert found[4] == revisit_request(5, "2026-10-20T01:02:03.456789Z",
                                       "GET /a.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                       "DBS2FUVJG6RYLDBRUIMVX7Q3SZYS4AB3")
    assert found[5] == NOT_MODIFIED_REVISIT
    assert found[6] == revisit_request(7, "2026-10-20T01:02:03.456789Z",
                                       'GET /a.html HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: "v1"\r\n\r\n',
                                       "5XGZC7PS6SGVYPAYXLJ664YWEDXXAX4F")


def test_the_file_is_these_records_and_nothing_else(tmp_path):
    data, name = written(tmp_path)
    found = records(data)
    assert len(found) == 7 and b"".join(found) == data
    assert [r.split(b"WARC-Type: ")[1].split(b"\r\n")[0] for r in found] == [
        b"warcinfo", b"response", b"request", b"revisit", b"request", b"revisit", b"request"]


def test_headers_keep_the_bytes_the_server_sent(tmp_path):
    """A GBK file name in Content-Disposition, and a truncated body, as a download script
    sends them: headers reach the writer one Latin-1 character a byte, and must leave
    it as those bytes (warcio alone rewrote such a header as RFC 5987 UTF-8)."""
    raw = 'attachment; filename="报名表.xlsx"'.encode("gbk")
    writer = WarcFileWriter(tmp_path, "t", clock=lambda: FIRST, record_id=lambda: uuid(1))
    writer.write(HttpExchange(URL, "GET", "/a.html", [("Host", "127.0.0.1")], b"", 200, "HTTP/1.1",
                              [("Content-Disposition", raw.decode("latin-1")), ("Content-Length", "40000000")],
                              b"", "127.0.0.1", truncated="length"))
    writer.close()
    text = gzip.decompress(writer.files[0].read_bytes())
    assert b"\r\nContent-Disposition: " + raw + b"\r\n" in text
    assert b"WARC-Truncated: length\r\n" in text
