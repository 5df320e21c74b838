"""The article dataset: an explicit Arrow schema and a hive-partitioned Parquet layout.

Layout: ``articles/site=<id>/capture_date=<YYYY-MM-DD>/part-<run>-<n>.parquet``. The two
partition keys live in the directory names only, as Hive and Spark write them; readers
with hive partitioning (pyarrow, DuckDB, pandas, polars, Spark) get them back as columns.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from archive.records import ArticleRecord

TIMESTAMP = pa.timestamp("us", tz="UTC")

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("text", pa.string()),
        pa.field("published_at", TIMESTAMP),
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
        pa.field(
            "attachments",
            pa.list_(pa.struct([pa.field("title", pa.string()), pa.field("url", pa.string())])),
        ),
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


def record_row(record: ArticleRecord) -> dict:
    row = {name: getattr(record, name) for name in ARTICLE_SCHEMA.names}
    for name in ("published_at", "views_observed_at", "fetched_at"):
        row[name] = _utc(row[name])
    row["attachments"] = [dataclasses.asdict(a) for a in record.attachments]
    return row


def records_table(records: Sequence[ArticleRecord]) -> pa.Table:
    return pa.Table.from_pylist([record_row(r) for r in records], schema=ARTICLE_SCHEMA)


def capture_date(record: ArticleRecord) -> str:
    moment = record.fetched_at or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


class DatasetWriter:
    """Writes article records into the partitioned dataset under `root`.

    Each flush writes complete new files (never appends to or rewrites an existing one),
    first under a temporary name then renamed, so a crash leaves either a whole file or
    none and earlier runs' files are never touched.
    """

    def __init__(self, root: Path, *, batch_size: int = 5000) -> None:
        self.root = Path(root)
        self.batch_size = batch_size
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
        self.files: list[Path] = []
        self.rows_written = 0
        self._pending: list[ArticleRecord] = []
        self._serial = 0

    def add(self, record: ArticleRecord) -> None:
        self._pending.append(record)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def add_all(self, records: Iterable[ArticleRecord]) -> None:
        for record in records:
            self.add(record)

    def flush(self) -> None:
        groups: dict[tuple[str, str], list[ArticleRecord]] = defaultdict(list)
        for record in self._pending:
            groups[(record.site, capture_date(record))].append(record)
        self._pending = []
        for (site, day), records in sorted(groups.items()):
            directory = self.root / f"site={site}" / f"capture_date={day}"
            directory.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            final = directory / f"part-{self.run_id}-{self._serial:05d}.parquet"
            partial = final.with_name("." + final.name + ".tmp")
            pq.write_table(records_table(records), partial, compression="zstd")
            os.replace(partial, final)
            self.files.append(final)
            self.rows_written += len(records)

    def close(self) -> None:
        self.flush()


def open_dataset(root: Path) -> ds.Dataset:
    """The dataset under `root` with the documented schema (never an inferred one)."""
    files = sorted(str(p) for p in Path(root).glob("site=*/capture_date=*/*.parquet"))
    return ds.dataset(
        files,
        schema=DATASET_SCHEMA,
        format="parquet",
        partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
        partition_base_dir=str(root),
    )
