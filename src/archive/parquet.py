"""The article dataset: an explicit Arrow schema and a hive-partitioned Parquet layout.

Layout: ``articles/site=<id>/capture_date=<YYYY-MM-DD>/part-<run>-<n>.parquet``. The two
partition keys live in the directory names only, as Hive and Spark write them; readers
with hive partitioning (pyarrow, DuckDB, pandas, polars, Spark) get them back as columns.
"""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq

from archive.arrays import TextTooLarge, integer_array, list_array, timestamp_array, utf8_array
from archive.errors import InputError
from archive.fingerprint import simhash

if TYPE_CHECKING:
    import pyarrow.dataset as ds

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
        # Computed from `text` when the row is written, whoever writes it; files written
        # before the column existed read back as null (export --dedup computes it then).
        pa.field("simhash", pa.int64()),
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


def _column(records: Sequence[ArticleRecord], field: pa.Field) -> pa.Array:
    if field.name == "simhash":
        return integer_array([r.simhash if r.simhash is not None else simhash(r.text) for r in records])
    if field.name == "attachments":
        items = [a for r in records for a in r.attachments]
        pairs = pa.StructArray.from_arrays([utf8_array([a.title for a in items]), utf8_array([a.url for a in items])],
                                           fields=list(field.type.value_type))
        return list_array([len(r.attachments) for r in records], pairs)
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


@dataclass(frozen=True)
class ViewsRow:
    url: str
    site: str
    observed_at: datetime
    views: int


def _day(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d")


def _articles_table(records: Sequence[ArticleRecord]) -> pa.Table:
    return records_table(records)


def _views_table(rows: Sequence[ViewsRow]) -> pa.Table:
    return pa.Table.from_arrays([utf8_array([r.url for r in rows]),
                                 timestamp_array([_utc(r.observed_at) for r in rows], TIMESTAMP),
                                 integer_array([r.views for r in rows])], schema=VIEWS_SCHEMA)


class DatasetWriter:
    """Writes rows into a dataset partitioned by site and capture (or observation) day.

    Each flush writes complete new files (never appends to or rewrites an existing one),
    first under a temporary name then renamed, so a crash leaves either a whole file or
    none, and earlier runs' files are never touched. `flush` returns the rows it wrote,
    so a caller can record them as done only once they are safely on disk.
    """

    def __init__(self, root: Path, *, batch_size: int = 5000, views: bool = False) -> None:
        self.root = Path(root)
        self.batch_size = batch_size
        self._table = _views_table if views else _articles_table
        self._moment = (lambda r: r.observed_at) if views else (lambda r: r.fetched_at)
        self.run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
        self.files: list[Path] = []
        self.rows_written = 0
        self._pending: list = []
        self._serial = 0

    @property
    def held(self) -> int:
        """Rows added and not written yet."""
        return len(self._pending)

    def add(self, row) -> list:
        self._pending.append(row)
        return self.flush() if len(self._pending) >= self.batch_size else []

    def flush(self) -> list:
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for row in self._pending:
            groups[(row.site, _day(self._moment(row)))].append(row)
        written, self._pending = self._pending, []
        for (site, day), rows in sorted(groups.items()):
            directory = self.root / f"site={site}" / f"capture_date={day}"
            directory.mkdir(parents=True, exist_ok=True)
            self._serial += 1
            final = directory / f"part-{self.run_id}-{self._serial:05d}.parquet"
            partial = final.with_name("." + final.name + ".tmp")
            pq.write_table(self._table(rows), partial, compression="zstd")
            os.replace(partial, final)
            self.files.append(final)
            self.rows_written += len(rows)
        return written

    def close(self) -> list:
        return self.flush()


# What hive partitioning reads as null (the name Hive and Spark write for it).
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def partition_value(segment: str) -> str | None:
    """The value of one ``key=value`` directory name, decoded as pyarrow's hive partitioning
    decodes it (percent-escapes, the Hive null name)."""
    value = unquote(segment.partition("=")[2])
    return None if value == _HIVE_NULL else value


def dataset_files(root: Path, sites: Sequence[str] | None = None) -> list[str]:
    """The data files under `root`, sorted by path; with `sites`, only those sites' files,
    without listing the other sites' directories."""
    root = Path(root)
    if sites is None:
        return sorted(str(p) for p in root.glob("site=*/capture_date=*/*.parquet"))
    wanted = set(sites)
    chosen = [d for d in root.glob("site=*") if partition_value(d.name) in wanted]
    return sorted(str(p) for d in chosen for p in d.glob("capture_date=*/*.parquet"))


def check_sites(root: Path, sites: Sequence[str]) -> None:
    """InputError naming the first of `sites` without a row under `root`: a mistyped site
    id would otherwise give an empty export, count or report without a word."""
    archived = {partition_value(d.name) for d in Path(root).glob("site=*") if next(d.glob("*/*.parquet"), None)}
    for site in sites:
        if site not in archived:
            known = ", ".join(sorted(s for s in archived if s is not None)) or "none"
            raise InputError(f"--site {site}: no articles of this site in {root} (sites there: {known})")


def written_keys(root: Path, columns: Sequence[str]) -> set[tuple]:
    """The values of `columns`, as tuples, of every row already under `root`: what a
    writer adding to the dataset must not write again."""
    keys: set[tuple] = set()
    for path in dataset_files(root):
        table = pq.read_table(path, columns=list(columns))
        keys.update(zip(*(table.column(name).to_pylist() for name in columns), strict=True))
    return keys


def open_dataset(root: Path, *, views: bool = False) -> ds.Dataset:
    """The dataset under `root` with the documented schema (never an inferred one)."""
    # Imported here: pyarrow.dataset imports pandas when it is installed (0.3 s), which
    # commands that never open a dataset this way (export) should not pay for.
    import pyarrow.dataset as ds

    files = dataset_files(root)
    return ds.dataset(
        files,
        schema=VIEWS_DATASET_SCHEMA if views else DATASET_SCHEMA,
        format="parquet",
        partitioning=ds.partitioning(PARTITION_SCHEMA, flavor="hive"),
        partition_base_dir=str(root),
    )
