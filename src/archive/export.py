"""Filtered export of the article dataset to Parquet, CSV, JSON Lines or search-engine bulk files."""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from archive.errors import InputError
from archive.fingerprint import MAX_DISTANCE
from archive.parquet import open_dataset

# bulk: action and document line pairs for the Elasticsearch / OpenSearch _bulk API
FORMATS = ("parquet", "csv", "jsonl", "bulk")
BATCH_ROWS = 65536
CHINA = ZoneInfo("Asia/Shanghai")
# Cells starting with these are run as formulas by spreadsheet programs.
_FORMULA_PATTERN = r"^([=+\-@\t\r])"


def day_start(day: date) -> datetime:
    """Midnight of `day` in China, where the published dates of our sources are counted."""
    return datetime.combine(day, time(0), CHINA).astimezone(UTC)


def date_filter(column: str, sites: Sequence[str] = (), since: date | None = None, until: date | None = None):
    """A dataset filter: any of `sites`, `column` on or after `since`, on or before `until` (China days)."""
    condition = None

    def both(a, b):
        return b if a is None else a & b

    stamp = pa.timestamp("us", "UTC")
    if sites:
        condition = both(condition, pc.field("site").isin(list(sites)))
    if since:
        condition = both(condition, pc.field(column) >= pa.scalar(day_start(since), stamp))
    if until:
        condition = both(condition, pc.field(column) < pa.scalar(day_start(until + timedelta(days=1)), stamp))
    return condition


def latest_versions(dataset: ds.Dataset, condition) -> pc.Expression | None:
    """A filter keeping only the latest capture of each URL, or None when every URL has one row.

    Works on two narrow columns, so the texts are read once, by the export itself.
    """
    keys = dataset.to_table(columns=["url", "fetched_at", "warc_record_id"], filter=condition)
    if keys.num_rows == pc.count_distinct(keys.column("url")).as_py():
        return None
    newest = keys.group_by("url").aggregate([("fetched_at", "max")]).rename_columns(["url", "fetched_at"])
    keep = keys.join(newest, keys=["url", "fetched_at"], join_type="inner")
    return pc.field("warc_record_id").isin(keep.column("warc_record_id"))


def _selection(data_dir: Path, sites: Sequence[str], since: date | None, until: date | None,
               views: bool, all_versions: bool) -> tuple[ds.Dataset, pc.Expression | None]:
    root = Path(data_dir) / ("views" if views else "articles")
    if not root.is_dir():
        kind = "views history" if views else "article dataset"
        raise InputError(f"{root}: no {kind} here (run `archive crawl` or `archive demo` first)")
    dataset = open_dataset(root, views=views)
    condition = date_filter("observed_at" if views else "published_at", sites, since, until)
    if not views and not all_versions:
        latest = latest_versions(dataset, condition)
        if latest is not None:
            condition = latest if condition is None else condition & latest
    return dataset, condition


@dataclass
class Rows:
    """Rows to write: their schema, their batches, and how to count them (for a progress
    bar only: counting costs a scan of its own)."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    count: Callable[[], int]


def select_rows(data_dir: Path, sites: Sequence[str] = (), since: date | None = None, until: date | None = None,
                *, views: bool = False, all_versions: bool = False, dedup: bool = False,
                max_distance: int = MAX_DISTANCE) -> Rows:
    """The rows to export: articles (latest version of each unless `all_versions`) or
    views, optionally one record per cluster of near-duplicates (with `copies`,
    `copy_urls`, `copy_sites`)."""
    if dedup and views:
        raise InputError("--dedup: applies to articles, not to the views history")
    dataset, condition = _selection(data_dir, sites, since, until, views, all_versions)
    if not dedup:
        scanner = dataset.scanner(filter=condition, batch_size=BATCH_ROWS)
        return Rows(scanner.projected_schema, scanner.to_batches(), scanner.count_rows)
    from archive.dedup import COPY_FIELDS, Clusters

    clusters = Clusters(dataset, condition, max_distance)
    kept = pc.field("url").isin(clusters.urls)
    scanner = dataset.scanner(filter=kept if condition is None else condition & kept, batch_size=BATCH_ROWS)
    schema = pa.schema(list(scanner.projected_schema) + COPY_FIELDS)
    return Rows(schema, clusters.annotate(scanner.to_batches()), clusters.__len__)


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def document_id(row: dict) -> str:
    """A stable id for search engines: the same capture always gets the same id, so indexing
    an export again updates documents instead of adding copies."""
    second = row["warc_record_id"] if "warc_record_id" in row else row.get("observed_at")
    if isinstance(second, datetime):
        second = second.isoformat()
    return hashlib.sha1(f"{row['url']}\x00{second or ''}".encode()).hexdigest()


def write_export(source: Rows, fmt: str, out: BinaryIO, *, bom: bool = False,
                 index: str | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Write every selected row to `out` in `fmt`; return the row count.

    `bom` starts a CSV with a UTF-8 byte order mark (Excel then reads it as UTF-8); `index`
    names the target index in the actions of the `bulk` format; `progress` is told how
    many rows each batch wrote.
    """
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    tick = progress or (lambda _rows: None)
    if fmt == "parquet":
        return _write_parquet(source, out, tick)
    if fmt == "csv":
        return _write_csv(source, out, tick, bom=bom)
    return _write_jsonl(source, out, tick, bulk=fmt == "bulk", index=index)


def _grouped(batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.Table]:
    """Scanner batches (one per file fragment, often small) gathered into large tables:
    row groups of a few hundred rows make a slow file to write and to read."""
    pending, size = [], 0
    for batch in batches:
        pending.append(batch)
        size += batch.num_rows
        if size >= BATCH_ROWS:
            yield pa.Table.from_batches(pending, schema)
            pending, size = [], 0
    if pending:
        yield pa.Table.from_batches(pending, schema)


def _write_parquet(source: Rows, out: BinaryIO, tick) -> int:
    rows = 0
    with pq.ParquetWriter(out, source.schema, compression="zstd") as writer:
        for table in _grouped(source.batches, source.schema):
            writer.write_table(table)
            rows += table.num_rows
            tick(table.num_rows)
    return rows


def _csv_column(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One column as spreadsheet-safe text: ISO 8601 times, JSON for lists, and cells a
    spreadsheet would run as formulas prefixed with an apostrophe."""
    kind = column.type
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S%z")
    if pa.types.is_list(kind) or pa.types.is_struct(kind):
        return pa.chunked_array([pa.array([None if v is None else json.dumps(v, ensure_ascii=False)
                                           for v in column.to_pylist()], pa.string())])
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
        text = column.cast(pa.string()) if pa.types.is_dictionary(kind) else column
        return pc.replace_substring_regex(text, pattern=_FORMULA_PATTERN, replacement="'\\1")
    # Numbers as text too: pyarrow's CSV writer (26.0) emitted raw bytes for integer
    # columns sliced out of a dataset scan.
    return column.cast(pa.string())


def _write_csv(source: Rows, out: BinaryIO, tick, *, bom: bool) -> int:
    # One Arrow stream for every byte: mixing writes to `out` with Arrow's own writes to
    # the same file put them at the wrong offsets.
    sink = pa.PythonFile(out, mode="w")
    header = (",".join(source.schema.names) + "\r\n").encode("utf-8")
    sink.write((codecs.BOM_UTF8 if bom else b"") + header)
    # quoting "needed" quotes a cell holding the delimiter, a quote or a line break, so
    # the multi-line article texts stay in one cell.
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed", eol="\r\n")
    rows = 0
    writer = None
    for table in _grouped(source.batches, source.schema):
        safe = pa.table([_csv_column(c) for c in table.columns], names=table.column_names)
        if writer is None:
            writer = pa_csv.CSVWriter(sink, safe.schema, write_options=options)
        writer.write_table(safe)
        rows += table.num_rows
        tick(table.num_rows)
    if writer is not None:
        writer.close()
    sink.flush()
    return rows


def _write_jsonl(source: Rows, out: BinaryIO, tick, *, bulk: bool, index: str | None) -> int:
    rows = 0
    for batch in source.batches:
        lines = []
        for row in batch.to_pylist():
            doc_id = document_id(row)
            document = {k: _json_value(v) for k, v in row.items()}
            if bulk:
                action = {"_index": index, "_id": doc_id} if index else {"_id": doc_id}
                lines.append(json.dumps({"index": action}, ensure_ascii=False))
            else:
                document = {"_id": doc_id, **document}
            lines.append(json.dumps(document, ensure_ascii=False))
        if lines:
            out.write(("\n".join(lines) + "\n").encode("utf-8"))
        rows += batch.num_rows
        tick(batch.num_rows)
    return rows


