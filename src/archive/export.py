"""Filtered export of the article dataset to Parquet, CSV or JSON Lines."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from archive.errors import InputError
from archive.parquet import open_dataset

FORMATS = ("parquet", "csv", "jsonl")
CHINA = ZoneInfo("Asia/Shanghai")
# Cells starting with these are run as formulas by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def select(data_dir: Path, sites: Sequence[str] = (), since: date | None = None, until: date | None = None,
           *, views: bool = False, all_versions: bool = False) -> ds.Scanner:
    """The rows to export: articles (latest version of each unless `all_versions`) or views."""
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
    return dataset.scanner(filter=condition, batch_size=65536)


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def write_export(scanner: ds.Scanner, fmt: str, out: BinaryIO) -> int:
    """Write every selected row to `out` in `fmt`; return the row count."""
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    rows = 0
    if fmt == "parquet":
        with pq.ParquetWriter(out, scanner.projected_schema, compression="zstd") as writer:
            for batch in scanner.to_batches():
                writer.write_batch(batch)
                rows += batch.num_rows
        return rows
    names = scanner.projected_schema.names
    if fmt == "csv":
        import io

        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(names)
        for batch in scanner.to_batches():
            for row in batch.to_pylist():
                writer.writerow([_safe_cell(_csv_value(row[n])) for n in names])
                rows += 1
        text.flush()
        text.detach()
        return rows
    for batch in scanner.to_batches():
        for row in batch.to_pylist():
            line = json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False)
            out.write(line.encode("utf-8") + b"\n")
            rows += 1
    return rows


def _csv_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value
