"""Every visit of a URL that a WARC file records: what archive.changes.derive makes an
article's history of again.

A visit is a response (of any status), a revisit (the page unchanged: it shows what the
capture it refers to shows) or a fetch that got no answer, which the crawler records as
a `metadata` record saying `fetch-failed: <why>` (archive.warc.writer.write_failure).
Bodies are not read, except those few lines of a failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.records import WarcPointer
from archive.warc.reader import _record_id, _target_uri, walk_records
from archive.warc.writer import FETCH_FAILED

RESPONSE = "response"
REVISIT = "revisit"
FAILURE = "failure"
# A failure record holds one line; anything longer is not one of ours.
_FAILURE_BYTES = 4096


@dataclass(frozen=True)
class Visit:
    url: str
    date: str  # WARC-Date
    kind: str  # response | revisit | failure
    pointer: WarcPointer
    status: int = 0
    # a revisit: the record whose content it repeats
    refers_to: str | None = None
    # a redirect: where it led
    location: str | None = None
    # a failure: why
    reason: str | None = None


def scan_visits(path: Path) -> Iterator[Visit]:
    """The visits a WARC file records, in file order; WarcReadError at the first damaged
    record (the visits before it have been yielded)."""
    return walk_records(path, _visit)


def _visit(record, path: Path, at: Callable[[], int]) -> Visit | None:
    kind = record.rec_type
    if kind not in (RESPONSE, REVISIT, "metadata"):
        return None
    reason = _failure(record) if kind == "metadata" else None  # its body, before the offset
    if kind == "metadata" and reason is None:
        return None
    headers = record.rec_headers
    offset = at()
    pointer = WarcPointer(str(path), offset, _record_id(record, offset))
    url, date = _target_uri(record), headers.get_header("WARC-Date") or ""
    if reason is not None:
        return Visit(url, date, FAILURE, pointer, reason=reason)
    http = record.http_headers
    status = int(http.get_statuscode() or 0) if http else 0
    return Visit(url, date, kind, pointer, status, refers_to=headers.get_header("WARC-Refers-To"),
                 location=http.get_header("Location") if http else None)


def _failure(record) -> str | None:
    """Why a fetch failed, from a metadata record saying so; None for other metadata."""
    if (record.rec_headers.get_header("Content-Type") or "") != "application/warc-fields":
        return None
    text = record.raw_stream.read(_FAILURE_BYTES).decode("utf-8", "replace")
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == FETCH_FAILED:
            return value.strip()
    return None
