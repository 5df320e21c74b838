"""The datasets' explicit Arrow schemas, and records made into Arrow tables.

The article dataset's rows are `ArticleRecord`s, the views history's `ViewsRow`s; both
are partitioned by site and capture day, keys that live in directory names only
(archive.dataset.files).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from archive.dataset.arrays import TextTooLarge, date_array, integer_array, list_array, timestamp_array, utf8_array
from archive.dataset.fingerprint import simhash
from archive.records import AttachmentRow, ViewsRow
from archive.zones import printed_day

if TYPE_CHECKING:
    from archive.records import ArticleRecord

TIMESTAMP = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("text", pa.string()),
        pa.field("published_at", TIMESTAMP),
        # The day the page prints, in the site's zone. Files written before the column
        # existed lack it: readers here take the Beijing day of published_at then.
        pa.field("published_date", pa.date32()),
        pa.field("publisher", pa.string()),
        pa.field("source", pa.string()),
        pa.field("author", pa.string()),
        pa.field("editor", pa.string()),
        pa.field("views", pa.int64()),
        pa.field("views_observed_at", TIMESTAMP),
        pa.field("page", pa.string()),
        pa.field("language", pa.string()),
        pa.field("fetched_at", TIMESTAMP),
        pa.field("warc_file", pa.string()),
        pa.field("warc_offset", pa.int64()),
        pa.field("warc_record_id", pa.string()),
        pa.field("content_sha1", pa.string()),
        pa.field("extractor_version", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("column", pa.string()),
        pa.field("kind", pa.string()),
        pa.field("page_count", pa.int32()),
        # sha1 and status join the attachments dataset; files written before they existed
        # read back with them null
        pa.field(
            "attachments",
            pa.list_(pa.struct([pa.field("title", pa.string()), pa.field("url", pa.string()),
                                pa.field("sha1", pa.string()), pa.field("status", pa.string())])),
        ),
        # Computed from `text` when the row is written, whoever writes it; files written
        # before the column existed read back as null (export --dedup computes it then).
        pa.field("simhash", pa.int64()),
        # "ok", or the check the body failed when no candidate passed them all; files
        # written before the column existed read back as null (not judged)
        pa.field("quality", pa.string()),
        # the table of a government disclosure page (政府信息公开); document_date is the
        # day the document was written or issued, as the page prints it (YYYY-MM-DD)
        pa.field("index_number", pa.string()),
        pa.field("document_number", pa.string()),
        pa.field("document_date", pa.string()),
        pa.field("topic", pa.string()),
        pa.field("validity", pa.string()),
    ]
)

PARTITION_SCHEMA = pa.schema([pa.field("site", pa.string()), pa.field("capture_date", pa.string())])
DATASET_SCHEMA = pa.unify_schemas([ARTICLE_SCHEMA, PARTITION_SCHEMA])


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime in an article record")
    return value.astimezone(UTC)


def _printed_day(record: ArticleRecord) -> date | None:
    # a record made without the jobs' last step (archive.jobs.article.finished) is in Beijing time
    if record.published_date is None and record.published_at is not None:
        return printed_day(record.published_at)
    return record.published_date


def _column(records: Sequence[ArticleRecord], field: pa.Field) -> pa.Array:
    if field.name == "simhash":
        return integer_array([r.simhash if r.simhash is not None else simhash(r.text) for r in records])
    if field.name == "attachments":
        items = [a for r in records for a in r.attachments]
        pairs = pa.StructArray.from_arrays([utf8_array([getattr(a, name) for a in items])
                                            for name in ("title", "url", "sha1", "status")],
                                           fields=list(field.type.value_type))
        return list_array([len(r.attachments) for r in records], pairs)
    if field.name == "published_date":
        return date_array([_printed_day(r) for r in records])
    values = [getattr(r, field.name) for r in records]
    if pa.types.is_timestamp(field.type):
        return timestamp_array([_utc(v) for v in values], field.type)
    if pa.types.is_integer(field.type):
        return integer_array(values, field.type)
    return utf8_array(values)


def records_table(records: Sequence[ArticleRecord]) -> pa.Table:
    """The rows of `records`, built column by column from buffers: pa.Table.from_pylist
    costs more and makes pyarrow import pandas (see arrays.py)."""
    try:
        return pa.Table.from_arrays([_column(records, field) for field in ARTICLE_SCHEMA], schema=ARTICLE_SCHEMA)
    except TextTooLarge:
        # over 2 GB of text in one column: each half is a chunk of the table
        if len(records) < 2:
            raise
        half = len(records) // 2
        return pa.concat_tables([records_table(records[:half]), records_table(records[half:])])


VIEWS_SCHEMA = pa.schema([
    pa.field("url", pa.string(), nullable=False),
    pa.field("observed_at", TIMESTAMP, nullable=False),
    pa.field("views", pa.int64(), nullable=False),
])
VIEWS_DATASET_SCHEMA = pa.unify_schemas([VIEWS_SCHEMA, PARTITION_SCHEMA])


def views_table(rows: Sequence[ViewsRow]) -> pa.Table:
    return pa.Table.from_arrays([utf8_array([r.url for r in rows]),
                                 timestamp_array([_utc(r.observed_at) for r in rows], TIMESTAMP),
                                 integer_array([r.views for r in rows])], schema=VIEWS_SCHEMA)


ATTACHMENT_SCHEMA = pa.schema([
    pa.field("url", pa.string(), nullable=False),
    pa.field("article_url", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("filename", pa.string()),
    pa.field("media_type", pa.string()),
    pa.field("file_type", pa.string()),
    pa.field("size", pa.int64()),
    pa.field("sha1", pa.string()),
    pa.field("page_count", pa.int32()),
    pa.field("sheet_count", pa.int32()),
    pa.field("text", pa.string()),
    pa.field("status", pa.string(), nullable=False),
    pa.field("reason", pa.string()),
    # the article's printed day: `export --attachments --since/--until` selects by it
    pa.field("published_date", pa.date32()),
    pa.field("fetched_at", TIMESTAMP),
    pa.field("warc_file", pa.string()),
    pa.field("warc_offset", pa.int64()),
    pa.field("warc_record_id", pa.string()),
    pa.field("reader_version", pa.string()),
])
ATTACHMENT_DATASET_SCHEMA = pa.unify_schemas([ATTACHMENT_SCHEMA, PARTITION_SCHEMA])


def attachments_table(rows: Sequence[AttachmentRow]) -> pa.Table:
    """The rows of the attachments dataset, built from buffers as records_table is."""
    try:
        return _attachment_columns(rows)
    except TextTooLarge:
        if len(rows) < 2:
            raise
        half = len(rows) // 2
        return pa.concat_tables([attachments_table(rows[:half]), attachments_table(rows[half:])])


def _attachment_columns(rows: Sequence[AttachmentRow]) -> pa.Table:
    columns = []
    for field in ATTACHMENT_SCHEMA:
        values = [getattr(row, field.name) for row in rows]
        if pa.types.is_timestamp(field.type):
            columns.append(timestamp_array([_utc(v) for v in values], field.type))
        elif pa.types.is_date(field.type):
            columns.append(date_array(values))
        elif pa.types.is_integer(field.type):
            columns.append(integer_array(values, field.type))
        else:
            columns.append(utf8_array(values))
    return pa.Table.from_arrays(columns, schema=ATTACHMENT_SCHEMA)
