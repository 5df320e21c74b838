"""WARC (and ARC) files read back: one response by its pointer, every response of a
file, and where a file's whole records end.

Damage is an error naming the file and offset (WarcReadError), never a wrong record: a
gzip member cut short, a record shorter than its Content-Length, bytes that are not a
record, a body that inflates past any page's size.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed

from archive.errors import WarcReadError
from archive.records import FetchedPage, WarcPointer
from archive.warc.content_encoding import TooLarge, decode_content
from archive.warc.iterator import WarcRecords, damage_reason
from archive.warc.names import open_name

log = logging.getLogger(__name__)

# What warcio raises on damaged or malformed input: besides its own error and the
# decompressor's, malformed headers (a record without a target URI, a length that is
# not a number) surface as plain Python errors from inside warcio.
_DAMAGE = (ArchiveLoadFailed, EOFError, zlib.error, ValueError, AttributeError, TypeError, KeyError, IndexError)


# Larger than any body the crawler keeps (DOWNLOAD_MAXSIZE), far below what a
# compression bomb inflates to.
MAX_DECODED_BODY = 64 * 1024 * 1024


class OversizeBody(WarcReadError):
    """A record whose body, once its Content-Encoding is undone, exceeds MAX_DECODED_BODY."""


def _read_whole(record, where: str, limit: int = MAX_DECODED_BODY) -> bytes:
    """Read a record's body with its Content-Encoding undone, failing on a torn record,
    and on a body that decodes past `limit` (a compression bomb).

    warcio reads a gzip member cut short without complaint, so a record is checked
    against its declared length: the reader must have nothing left to deliver. warcio's
    own decoding is not used: it knows neither zstd nor the current brotli module, and
    has no bound.
    """
    http = record.http_headers
    stream = record.raw_stream
    if http is not None and (http.get_header("transfer-encoding") or "").lower() == "chunked":
        stream = ChunkedDataReader(stream)
    chunks, size = [], 0
    try:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise OversizeBody(f"{where}: body is larger than {limit} bytes")
            chunks.append(chunk)
    except WarcReadError:
        raise
    except (ValueError, zlib.error) as exc:
        raise WarcReadError(f"{where}: body cannot be read ({damage_reason(exc)})") from None
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise WarcReadError(f"{where}: record is truncated ({record.raw_stream.limit} bytes missing)")
    encoding = http.get_header("content-encoding") if http is not None else None
    try:
        return decode_content(b"".join(chunks), encoding, limit)
    except TooLarge as exc:
        raise OversizeBody(f"{where}: body is {exc} (a compression bomb?)") from None


def _page_from_record(record, pointer: WarcPointer) -> FetchedPage:
    http = record.http_headers
    headers = {name.lower(): value for name, value in http.headers} if http else {}
    status = int(http.get_statuscode() or 0) if http else 0
    body = _read_whole(record, f"{pointer.file}: offset {pointer.offset}")
    if record.format == "arc":
        date = record.rec_headers.get_header("archive-date")
        fetched_at = datetime.strptime(date, "%Y%m%d%H%M%S").replace(tzinfo=UTC) if date else datetime.now(UTC)
        ip_address = record.rec_headers.get_header("ip-address")
    else:
        date = record.rec_headers.get_header("WARC-Date")
        fetched_at = parse_warc_date(date) if date else datetime.now(UTC)
        ip_address = record.rec_headers.get_header("WARC-IP-Address")
    return FetchedPage(
        url=_target_uri(record),
        status=status,
        headers=headers,
        body=body,
        fetched_at=fetched_at,
        pointer=pointer,
        ip_address=ip_address,
        truncated=record.rec_headers.get_header("WARC-Truncated") if record.format != "arc" else None,
    )


# ARC files (the format before WARC, still read by the tools of the field) name a
# capture by its URL and date only; warcio's own conversion makes up a new random
# record ID on every read, which would make each extraction's rows look new.
def _target_uri(record) -> str | None:
    return record.rec_headers.get_header("uri" if record.format == "arc" else "WARC-Target-URI")


def _record_id(record, offset: int) -> str:
    if record.format != "arc":
        return record.rec_headers.get_header("WARC-Record-ID")
    capture = f"{_target_uri(record)} {record.rec_headers.get_header('archive-date')} {offset}"
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, capture)}>"


def parse_warc_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def read_page(pointer: WarcPointer, base: Path | None = None) -> FetchedPage:
    """Read the response record at `pointer` with one seek."""
    path = Path(pointer.file) if base is None else base / pointer.file
    if not path.exists() and open_name(path).exists():
        path = open_name(path)
    try:
        with open(path, "rb") as fh:
            fh.seek(pointer.offset)
            record = next(iter(WarcRecords(fh)), None)
            if record is None or record.rec_type != "response":
                raise WarcReadError(f"{path}: offset {pointer.offset}: no response record there")
            return _page_from_record(record, pointer)
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except _DAMAGE as exc:
        raise WarcReadError(f"{path}: offset {pointer.offset}: {damage_reason(exc)}") from None


def scan_record_ends(path: Path) -> Iterator[int]:
    """The offset just past each whole record, in order; WarcReadError at the first damaged one.

    Each gzip member is also inflated on its own and must reach its end-of-stream mark:
    a member cut inside its trailer still yields all its content to a reader.
    """
    offset = 0
    gzipped = path.name.endswith(".gz") or path.name.endswith(".gz.open")
    try:
        with open(path, "rb") as fh:
            records = WarcRecords(fh)
            for record in records:
                offset = records.get_record_offset()
                _drain_checked(record, f"{path}: offset {offset}")
                records.read_to_end(record)
                length = records.get_record_length()
                if gzipped and not _whole_gzip_member(fh, offset, length):
                    raise WarcReadError(f"{path}: offset {offset}: gzip member is torn")
                yield offset + length
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except _DAMAGE as exc:
        raise WarcReadError(f"{path}: damaged near offset {offset} ({damage_reason(exc)})") from None


def _drain_checked(record, where: str) -> None:
    """Read the record's block to its end; WarcReadError if it is cut short or is not a record."""
    while record.raw_stream.read(65536):
        pass
    # warcio reads a gzip member cut short as a shorter record; only the declared
    # length left unread gives it away.
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise WarcReadError(f"{where}: record is truncated")
    # Bytes that begin with a blank line parse as a record with no WARC headers at all.
    if not record.rec_type:
        raise WarcReadError(f"{where}: not a WARC record (no WARC headers)")


def _whole_gzip_member(fh, offset: int, length: int) -> bool:
    resume = fh.tell()
    try:
        fh.seek(offset)
        inflater = zlib.decompressobj(wbits=31)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(remaining, 1 << 20))
            if not chunk:
                return False
            remaining -= len(chunk)
            inflater.decompress(chunk, 0)
        return inflater.eof
    finally:
        fh.seek(resume)


@dataclass(frozen=True)
class ResponseEntry:
    """A response record located in a file, its body not yet read."""

    pointer: WarcPointer
    url: str
    status: int
    content_type: str
    # what a conditional request and a revisit need of the capture (archive.state.rebuild)
    warc_date: str | None = None
    payload_digest: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    # for a revisit record: the WARC-Record-ID of the record holding its payload
    refers_to: str | None = None


def _report_stray_bytes(records: WarcRecords, path: Path, offset: int) -> None:
    """One line for bytes warcio skipped after the record at `offset` (found on moving past it)."""
    if records.err_count:
        log.warning("%s: offset %d: stray bytes after the record (is its Content-Length wrong?)", path, offset)
        records.err_count = 0


def scan_responses(path: Path, revisits: bool = False) -> Iterator[ResponseEntry]:
    """Every response record of a WARC file, in file order, checked to be whole; with
    `revisits`, the revisit records too (their `refers_to` set).

    Raises WarcReadError naming the file and offset at the first damaged record;
    the entries before it have been yielded by then.
    """
    return walk_records(path, _response_or_revisit_entry if revisits else _response_entry)


def _response_or_revisit_entry(record, path: Path, at: Callable[[], int]) -> ResponseEntry | None:
    return _response_entry(record, path, at, revisits=True)


def _response_entry(record, path: Path, at: Callable[[], int], revisits: bool = False) -> ResponseEntry | None:
    revisit = record.rec_type == "revisit"
    if record.rec_type != "response" and not (revisits and revisit):
        return None
    offset = at()
    http = record.http_headers
    return ResponseEntry(
        pointer=WarcPointer(str(path), offset, _record_id(record, offset)),
        url=_target_uri(record),
        status=int(http.get_statuscode() or 0) if http else 0,
        content_type=(http.get_header("Content-Type") or "") if http else "",
        warc_date=record.rec_headers.get_header("WARC-Date"),
        payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        etag=http.get_header("ETag") if http else None,
        last_modified=http.get_header("Last-Modified") if http else None,
        refers_to=record.rec_headers.get_header("WARC-Refers-To") if revisit else None,
    )


T = TypeVar("T")


def walk_records(path: Path, read: Callable[[Any, Path, Callable[[], int]], T | None]) -> Iterator[T]:
    """What `read(record, path, at)` makes of each record of a WARC file, in file order,
    the records checked to be whole; None is skipped. `at()` is the record's offset, which
    warcio learns by reading the record to its end: read what you need of its body
    first. Raises WarcReadError naming the file and offset at the first damaged record,
    after yielding what came before it."""
    offset = 0
    try:
        with open(path, "rb") as fh:
            records = WarcRecords(fh)
            for record in records:
                _report_stray_bytes(records, path, offset)
                found = read(record, path, records.get_record_offset)
                offset = records.get_record_offset()
                _drain_checked(record, f"{path}: offset {offset}")
                if found is not None:
                    yield found
            _report_stray_bytes(records, path, offset)
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except _DAMAGE as exc:
        raise WarcReadError(f"{path}: damaged near offset {offset} ({damage_reason(exc)})") from None
