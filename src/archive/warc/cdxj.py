"""CDXJ indexes of WARC files, in the form pywb and WACZ read.

One line per capture: ``<SURT key> <14-digit timestamp> <JSON>``, where the JSON holds
url, mime, status, digest, length, offset and filename. Lines are sorted as plain
strings, which is the order pywb's binary search and WACZ readers expect. Keys come
from the `surt` package, the same canonicaliser pywb applies to the URLs it is asked
for, so every lookup lands on the key written here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import surt
from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_timestamp

from archive.errors import WarcReadError
from archive.warc.iterator import WarcRecords, damage_reason

INDEXED_TYPES = frozenset({"response", "revisit", "resource"})


@dataclass(frozen=True)
class CdxjEntry:
    """One indexed capture; `fields` is the JSON block in the order it is written."""

    key: str
    timestamp: str
    fields: dict[str, str]

    @property
    def line(self) -> str:
        return f"{self.key} {self.timestamp} {json.dumps(self.fields)}"


def url_key(url: str) -> str:
    try:
        return surt.surt(url)
    except Exception:  # surt fails on some malformed URLs; the raw URL still sorts and matches itself
        return url


def _mime(record) -> str | None:
    if record.rec_type == "revisit":
        return "warc/revisit"
    headers = record.http_headers if record.rec_type == "response" else None
    value = headers.get_header("Content-Type") if headers else record.rec_headers.get_header("Content-Type")
    # Parameters (charset=...) are not part of the CDX mime field.
    return value.split(";", 1)[0].strip() if value else None


def _payload_sha1(stream) -> str:
    digest = hashlib.sha1()
    while chunk := stream.read(65536):
        digest.update(chunk)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


def _fields(record) -> dict[str, str]:
    """The JSON block of an indexed record, less its length and offset (known once read)."""
    headers = record.rec_headers
    fields = {"url": headers.get_header("WARC-Target-URI") or ""}
    mime = _mime(record)
    if mime is not None:
        fields["mime"] = mime
    if record.http_headers and record.rec_type != "resource":
        fields["status"] = record.http_headers.get_statuscode() or "-"
    digest = headers.get_header("WARC-Payload-Digest")
    if not digest and record.rec_type != "revisit":
        digest = _payload_sha1(record.raw_stream)
    if digest:
        fields["digest"] = digest
    return fields


def _entry(record, fields: dict[str, str], offset: int, length: int, filename: str) -> CdxjEntry:
    fields.update(length=str(length), offset=str(offset), filename=filename)
    date = record.rec_headers.get_header("WARC-Date") or ""
    return CdxjEntry(url_key(fields["url"]), iso_date_to_timestamp(date)[:14], fields)


def written_entry(record, offset: int, length: int, filename: str) -> CdxjEntry | None:
    """The entry of a record just written (its digest set by the writer), None for types
    not indexed: what reading the file back would give, without reading it."""
    if record.rec_type not in INDEXED_TYPES:
        return None
    return _entry(record, _fields(record), offset, length, filename)


def iter_entries(path: Path, filename: str) -> Iterator[CdxjEntry]:
    """The index entries of one WARC file, in file order.

    Offsets and lengths are those of the record's gzip member in the file, so a reader
    can seek to `offset` and decompress exactly `length` bytes. Every record is read to
    its end, indexed or not, so a torn file fails here rather than at replay.
    """
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            records = WarcRecords(fh)
            end = 0
            for record in records:
                fields = _fields(record) if record.rec_type in INDEXED_TYPES else None
                while record.raw_stream.read(65536):
                    pass
                # warcio reads a gzip member cut short as a shorter record; only the
                # declared length left unread gives it away.
                if getattr(record.raw_stream, "limit", 0) > 0:
                    raise WarcReadError(f"{path}: record at offset {records.get_record_offset()} is truncated")
                records.read_to_end(record)
                offset, length = records.get_record_offset(), records.get_record_length()
                end = offset + length
                # warcio yields a member torn inside its WARC headers as a record of no type.
                if not record.rec_type:
                    raise WarcReadError(f"{path}: record at offset {offset} has no WARC headers")
                if fields is None:
                    continue
                yield _entry(record, fields, offset, length, filename)
            # Bytes too short to parse as a record header end the iteration silently.
            if end < size:
                raise WarcReadError(f"{path}: unreadable data from offset {end} to the end")
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
        raise WarcReadError(f"{path}: cannot index ({damage_reason(exc)})") from None


def index_entries(warc_paths: Sequence[Path], *, relative_to: Path | None = None) -> list[CdxjEntry]:
    """Sorted entries of every response, revisit and resource record of `warc_paths`.

    `filename` is each file's path relative to `relative_to` (with "/" separators), or
    its bare name when `relative_to` is None: the form pywb resolves against its
    archive_paths and WACZ against its archive/ folder.
    """
    entries: list[CdxjEntry] = []
    for path in warc_paths:
        path = Path(path)
        if relative_to is None:
            filename = path.name
        else:
            filename = Path(os.path.relpath(path.resolve(), Path(relative_to).resolve())).as_posix()
        entries.extend(iter_entries(path, filename))
    entries.sort(key=lambda entry: entry.line)
    return entries


def write_lines(lines: Sequence[str], out: Path) -> None:
    """Write `lines` to `out` under a temporary name first, so readers never see half a file."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(line + "\n" for line in lines)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def write_cdxj(warc_paths: Sequence[Path], out: Path, *, relative_to: Path | None = None) -> int:
    """Write a sorted CDXJ index of `warc_paths` to `out`; return the number of lines.

    Raises WarcReadError naming the file when a WARC cannot be read to its end; `out`
    is then left as it was.
    """
    lines = [entry.line for entry in index_entries(warc_paths, relative_to=relative_to)]
    write_lines(lines, out)
    return len(lines)
