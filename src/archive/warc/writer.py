"""WARC files as the crawler writes them (archive.warc.reader reads them back).

One gzip member per record, a warcinfo record at the start of every file, request and
response records paired by WARC-Concurrent-To, size-based rollover, and file names that
cannot collide between runs or processes.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import logging
import os
import secrets
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

from isal import isal_zlib
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive import __version__
from archive.records import WarcPointer
from archive.warc.cdxj import written_entry
from archive.warc.names import open_name, warc_file_name

log = logging.getLogger(__name__)

SOFTWARE = f"official-news-archiver/{__version__}"
DEFAULT_MAX_FILE_SIZE = 1_000_000_000

# Scrapy hands over bodies with chunked transfer coding already undone; writing the
# header as it came would make readers try to de-chunk a plain body.
_HOP_BY_HOP_RENAMED = {"transfer-encoding"}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class HttpExchange:
    """One request and its response, as they went over the wire."""

    url: str
    method: str
    request_target: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    protocol: str
    response_headers: list[tuple[str, str]]
    response_body: bytes
    ip_address: str | None = None
    # WARC-Truncated: why the body holds less than was sent ("length": past a size limit)
    truncated: str | None = None


IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


# The field of a metadata record that says a fetch got no answer, and why.
FETCH_FAILED = "fetch-failed"


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for a body: base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


@dataclass(frozen=True)
class Revisit:
    """An exchange that repeats an earlier capture: written as a revisit record."""

    profile: str
    refers_to: WarcPointer
    refers_to_uri: str
    refers_to_date: str
    payload_digest: str | None = None


# Records are gzip members made by ISA-L (python-isal), standard gzip that every WARC
# reader decompresses. The crawler compresses every record in its reactor thread while
# both cores are busy extracting. Over 479 benchmark pages of 60 KB: ISA-L level 2 takes
# 102 us a page for 27.4% of the bytes; its level 3 202 us for 26.8%, zlib's default
# level 6 936 us for 24.4%.
GZIP_LEVEL = 2


class _RawHeaders(StatusAndHeaders):
    """HTTP headers written back as the bytes they came as.

    Headers reach the writer as text, each byte one Latin-1 character. warcio would
    write a header that is not ASCII percent-encoded as RFC 5987 UTF-8 (a GBK file name
    in Content-Disposition became `filename*=UTF-8''%C2%B5…`, the UTF-8 of its
    mojibake); Latin-1 gives the very bytes back.
    """

    def compute_headers_buffer(self, header_filter=None) -> None:
        try:
            self.headers_buff = self.to_bytes(header_filter, encoding="latin-1")
        except UnicodeEncodeError:  # text from elsewhere than the wire: warcio's own way
            super().compute_headers_buffer(header_filter)


class _GzipMemberWriter(WARCWriter):
    """warcio's record writer, one gzip member per record, compressed at GZIP_LEVEL."""

    def __init__(self, out, level: int = GZIP_LEVEL) -> None:
        super().__init__(out, gzip=False, warc_version="1.1")
        self.level = level

    def write_record(self, record, params=None) -> None:
        plain = io.BytesIO()
        self._write_warc_record(plain, record)
        compressor = isal_zlib.compressobj(self.level, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS + 16)
        # one write per record: a failed write leaves at most this member torn
        self.out.write(compressor.compress(plain.getbuffer()) + compressor.flush())


class WarcFileWriter:
    """Appends exchanges to gzip-compressed WARC 1.1 files in one directory.

    Files are named by archive.warc.names, `prefix` first, and a new one starts once the
    current file passes `max_size` bytes. `clock` and `record_id` are injectable so tests
    can compare exact bytes.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        *,
        max_size: int = DEFAULT_MAX_FILE_SIZE,
        clock: Callable[[], datetime] = _utc_now,
        record_id: Callable[[], str] = _new_record_id,
        info: dict[str, str] | None = None,
        worker: str | None = None,
    ) -> None:
        self.directory = Path(directory)
        # the id of the worker of a crawl shared by many machines, put in every file name
        self.worker = worker
        self.prefix = prefix
        self.max_size = max_size
        self.clock = clock
        self.record_id = record_id
        self.info = info or {}
        self.files: list[Path] = []
        # CDXJ lines of the records written, their filenames relative to `directory`
        self.index: list[str] = []
        self._serial = 0
        self._token = secrets.token_hex(3)
        self._fh: io.BufferedWriter | None = None
        self._writer: WARCWriter | None = None
        self._path: Path | None = None

    def _file_with_room(self) -> None:
        """A file open and not full, for the next record."""
        if self._fh is None or self._fh.tell() >= self.max_size:
            try:
                self._open_next()
            except OSError:
                self._abandon(0)  # not even its warcinfo record is whole
                raise

    def _open_next(self) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        host = socket.gethostname().split(".")[0] or "host"
        name = warc_file_name(self.prefix, self.clock(), self._serial, host, os.getpid(), self._token, self.worker)
        self._path = self.directory / name
        # Written as NAME.open and renamed on close, so a file still growing (or left by a
        # killed run, to be repaired) is never mistaken for a finished one. "xb": an
        # existing name is an error, never an overwrite.
        self._fh = open(open_name(self._path), "xb")  # noqa: SIM115 - kept open across records
        self._writer = _GzipMemberWriter(self._fh)
        self.files.append(self._path)
        self._write_warcinfo(name)
        # On disk before any record: a record's offset must never lie past the file's end.
        self._fh.flush()

    def _write_warcinfo(self, filename: str) -> None:
        fields = {"software": SOFTWARE, "format": "WARC File Format 1.1", **self.info}
        body = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
        record = self._writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": self.record_id(),
                "WARC-Date": warc_date(self.clock()),
                "WARC-Filename": filename,
            },
        )
        self._writer.write_record(record)

    def write(self, exchange: HttpExchange, fetched_at: datetime | None = None,
              revisit: Revisit | None = None, digest: str | None = None) -> WarcPointer:
        """Write the response (or revisit) record, then its request record; return where the first is.

        `digest` is the response body's payload digest when the caller has it already
        (payload_digest): warcio would otherwise hash the body for it once more.
        """
        self._file_with_room()
        moment = fetched_at or self.clock()
        date = warc_date(moment)
        response_id = self.record_id()

        status_line = f"{exchange.status} {_reason(exchange.status)}"
        headers = [
            (f"X-Archive-Orig-{name}" if name.lower() in _HOP_BY_HOP_RENAMED else name, value)
            for name, value in exchange.response_headers
        ]
        http = _RawHeaders(status_line, headers, protocol=exchange.protocol or "HTTP/1.1")
        warc_headers = {"WARC-Record-ID": response_id, "WARC-Date": date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = exchange.truncated
        if revisit is None:
            if digest is not None:
                warc_headers["WARC-Payload-Digest"] = digest
            response = self._writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.response_body),
                length=len(exchange.response_body),
                http_headers=http,
                warc_headers_dict=warc_headers,
            )
        else:
            response = self._revisit_record(exchange.url, http, warc_headers, revisit)
        offset = self._fh.tell()
        try:
            length = self._write_pair(exchange, response, response_id, date)
        except OSError:
            self._abandon(offset)
            raise
        entry = written_entry(response, offset, length, self._path.name)
        if entry is not None:
            self.index.append(entry.line)
        return WarcPointer(file=str(self._path), offset=offset, record_id=response_id)

    def write_failure(self, url: str, reason: str, moment: datetime | None = None) -> WarcPointer:
        """A `metadata` record saying a fetch of `url` got no answer at all (a timeout, a
        refused connection): what a check of an archived article saw, kept with the rest
        so that its history can be made again from the WARC files (archive.warc.visits)."""
        self._file_with_room()
        body = f"{FETCH_FAILED}: {' '.join(reason.split())}\r\n".encode()
        record = self._writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(body), length=len(body), warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Record-ID": self.record_id(), "WARC-Date": warc_date(moment or self.clock())})
        offset = self._fh.tell()
        try:
            self._writer.write_record(record)
            self._fh.flush()
        except OSError:
            self._abandon(offset)
            raise
        return WarcPointer(file=str(self._path), offset=offset, record_id=record.rec_headers["WARC-Record-ID"])

    def _write_pair(self, exchange: HttpExchange, response, response_id: str, date: str) -> int:
        """Write both records; the length of the first one's gzip member."""
        start = self._fh.tell()
        self._writer.write_record(response)
        length = self._fh.tell() - start

        # The request line whole, version included: warcio takes its first word for the
        # method and writes the rest as it is given.
        request_http = _RawHeaders(
            f"{exchange.method} {exchange.request_target} {exchange.protocol or 'HTTP/1.1'}",
            exchange.request_headers,
            is_http_request=True,
        )
        request = self._writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=request_http,
            warc_headers_dict={
                "WARC-Record-ID": self.record_id(),
                "WARC-Date": date,
                "WARC-Concurrent-To": response_id,
            },
        )
        self._writer.write_record(request)
        # Extraction workers read the record from disk while the crawl goes on.
        self._fh.flush()
        return length

    def _revisit_record(self, url: str, http: StatusAndHeaders, warc_headers: dict, revisit: Revisit):
        # Only the headers are stored; the payload is the one of the record referred to.
        warc_headers = {
            **warc_headers,
            "WARC-Profile": revisit.profile,
            "WARC-Refers-To": revisit.refers_to.record_id,
            "WARC-Refers-To-Target-URI": revisit.refers_to_uri,
            "WARC-Refers-To-Date": revisit.refers_to_date,
        }
        if revisit.payload_digest:
            warc_headers["WARC-Payload-Digest"] = revisit.payload_digest
        return self._writer.create_warc_record(url, "revisit", http_headers=http, warc_headers_dict=warc_headers)

    def _abandon(self, offset: int) -> None:
        """After a failed write (a full disk): cut the file back to its last whole record.

        The buffered bytes of the torn record are discarded with the file object, so a
        later write can never land past the end of the file and leave a hole or half a
        record. The file is closed under its final name (or removed when it holds no whole
        record); the next write starts a new one.
        """
        path = open_name(self._path)
        # The flush of the torn bytes fails again; close() still releases the file.
        with contextlib.suppress(OSError):
            self._fh.close()
        self._fh = None
        self._writer = None
        # Every write ends with a flush, so what lies before `offset` is on disk; a shorter
        # file could only be one whose warcinfo never got there.
        if offset == 0 or path.stat().st_size < offset:
            path.unlink(missing_ok=True)
            self.files.remove(self._path)
            return
        with open(path, "r+b") as fh:
            fh.truncate(offset)
        os.replace(path, self._path)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            os.replace(open_name(self._path), self._path)
            self._fh = None
            self._writer = None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
