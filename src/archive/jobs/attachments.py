"""Attachments at scale: an archived file made into its row, by the crawl's workers and
when the dataset is rebuilt from WARC files alone.

The crawl reads each attachment it fetched (read_attachment, in a worker). A rebuild
finds them again: every link an article record lists is looked up among the captures,
a file archived as a revisit of an identical one (by payload digest) through the record
it refers to, and the first article (by capture time) that links a file is its article,
as it was for the crawl that fetched it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import replace

from archive.attachments.bounds import read_bounded
from archive.attachments.filetypes import detect_type, hinted_type
from archive.attachments.names import sent_filename
from archive.attachments.reading import DEFAULT_LIMITS, READER_VERSION, ReadLimits
from archive.errors import WarcReadError
from archive.records import ArticleRecord, Attachment, AttachmentCapture, AttachmentRow, FetchedPage, WarcPointer
from archive.warc.reader import OversizeBody, ResponseEntry, parse_warc_date, read_page


def read_attachment(capture: AttachmentCapture, limits: ReadLimits = DEFAULT_LIMITS) -> AttachmentRow | None:
    """Worker: the row of an archived attachment, or None when what was archived is a web
    page (a download link answering with a login or an error page). WarcReadError when
    the record cannot be read: damage of the archive, not of the file."""
    try:
        page = read_page(capture.pointer)
    except OversizeBody as exc:  # a body that inflates past any file the crawl keeps
        row = _row(capture, None)
        row.status, row.reason = "too_large", str(exc).rsplit(": ", 1)[-1]
        return row
    return attachment_row(capture, page, limits)


def attachment_row(capture: AttachmentCapture, page: FetchedPage, limits: ReadLimits = DEFAULT_LIMITS,
                   ) -> AttachmentRow | None:
    """The row of `page`, archived as the attachment `capture` names (see read_attachment)."""
    row = _row(capture, page)
    names = [row.filename, capture.url, capture.title]
    if page.truncated:
        # the first bytes were kept: enough to tell most types
        declared = page.headers.get("content-length", "")
        row.file_type = (detect_type(page.body, names=names) if page.body else None) or hinted_type(names) \
            or "unknown"
        row.size = int(declared) if declared.isdigit() else None
        row.status = "too_large"
        row.reason = (f"{row.size:,} bytes" if row.size is not None else "its size") + \
            " is past the site's limit: only its first bytes were archived"
        return row
    file_type = detect_type(page.body, content_type=page.headers.get("content-type", ""),
                            disposition=page.headers.get("content-disposition"), names=names)
    if file_type is None:
        return None
    row.file_type, row.size, row.sha1 = file_type, len(page.body), hashlib.sha1(page.body).hexdigest()
    found = read_bounded(page.body, file_type, limits)
    row.text, row.status, row.reason = found.text, found.status, found.reason
    row.page_count, row.sheet_count = found.page_count, found.sheet_count
    return row


def _row(capture: AttachmentCapture, page: FetchedPage | None) -> AttachmentRow:
    headers = page.headers if page is not None else {}
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower() or None
    return AttachmentRow(
        url=capture.url, site=capture.site, article_url=capture.article_url, title=capture.title,
        filename=sent_filename(headers.get("content-disposition")), media_type=media,
        published_date=capture.published_date,
        fetched_at=capture.fetched_at or (page.fetched_at if page is not None else None),
        warc_file=capture.pointer.file, warc_offset=capture.pointer.offset, warc_record_id=capture.pointer.record_id,
        reader_version=READER_VERSION,
    )


def annotated(links: Iterable[Attachment], outcomes: dict[str, Attachment]) -> list[Attachment]:
    """`links` with the sha1 and status of those `outcomes` (by URL) knows: how an
    article's `attachments` field joins the attachments dataset."""
    return [replace(link, sha1=outcomes[link.url].sha1, status=outcomes[link.url].status)
            if link.url in outcomes else link for link in links]


def outcome(row: AttachmentRow) -> Attachment:
    return Attachment(row.title, row.url, row.sha1, row.status)


def rebuild_attachments(records: Sequence[ArticleRecord], by_url: dict[str, list[ResponseEntry]],
                        revisits: dict[str, list[ResponseEntry]], pool: Executor, site: str | None,
                        limits: ReadLimits = DEFAULT_LIMITS) -> tuple[list[AttachmentRow], list[str]]:
    """The rows of the attachments `records` link and that were archived (in `by_url`, or
    as revisits of an identical file in `revisits`), read in `pool`; the records get
    their attachments' sha1 and status. Also the errors of records that cannot be read."""
    by_id = {entry.pointer.record_id: entry for entries in by_url.values() for entry in entries}
    claims: dict[str, tuple[ArticleRecord, Attachment]] = {}
    for record in sorted(records, key=lambda r: (r.fetched_at is None, r.fetched_at or 0, r.url)):
        for link in record.attachments:
            claims.setdefault(link.url, (record, link))
    captures: list[AttachmentCapture] = []
    for url, (record, link) in claims.items():
        held: dict[str, tuple[WarcPointer, str | None]] = {}
        for entry in by_url.get(url, []):
            held.setdefault(entry.pointer.record_id, (entry.pointer, entry.warc_date))
        for visit in revisits.get(url, []):
            original = by_id.get(visit.refers_to or "")
            if original is not None:
                held.setdefault(original.pointer.record_id, (original.pointer, visit.warc_date))
        for pointer, date in held.values():
            captures.append(AttachmentCapture(site or record.site, record.url, url, link.title, pointer,
                                              record.published_date, parse_warc_date(date) if date else None))
    rows: list[AttachmentRow] = []
    errors: list[str] = []
    futures = [pool.submit(read_attachment, capture, limits) for capture in captures]
    for future in futures:
        try:
            row = future.result()
        except WarcReadError as exc:
            errors.append(str(exc))
            continue
        if row is not None:
            rows.append(row)
    latest = {row.url: outcome(row) for row in sorted(rows, key=lambda r: (r.fetched_at is None, r.fetched_at or 0))}
    for record in records:
        record.attachments = annotated(record.attachments, latest)
    return rows, errors
